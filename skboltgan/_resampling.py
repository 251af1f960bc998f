"""BoltGANOversampler: Bolt-GAN oversampling with imbalanced-learn's sampler protocol.

The protocol is duck-typed: ``imblearn.pipeline.Pipeline`` treats any step with a
``fit_resample`` method as a sampler (applied during ``fit`` only), so this module needs
scikit-learn and our own code, not imbalanced-learn. ``sampling_strategy`` follows
imbalanced-learn's over-sampling semantics (re-implemented here, see
:func:`resolve_sampling_strategy`).
"""

import logging
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ._synthesizer import _MAX_SEED, BoltGANSynthesizer
from ._validation import check_sequences

logger = logging.getLogger("skboltgan")

_STRING_STRATEGIES = ("auto", "minority", "not majority", "not minority", "all")


def resolve_sampling_strategy(sampling_strategy, y):
    """Number of sequences to generate per class, as imbalanced-learn's over-samplers count.

    Parameters
    ----------
    sampling_strategy : str, float, dict or callable
        ``"minority"``: the minority class only; ``"not majority"`` (= ``"auto"``): every
        class but the majority; ``"not minority"``: every class but the minority;
        ``"all"``: every class. Each selected class is brought to the majority's count.
        A float in (0, 1] (binary ``y`` only) is the wanted minority/majority ratio after
        resampling. A dict maps class labels to the wanted number of sequences after
        resampling (at least the current count); unlisted classes are left alone. A
        callable takes ``y`` and returns such a dict.
    y : ndarray of shape (n_sequences,)
        Class labels.

    Returns
    -------
    n_new : dict
        Class label -> number of sequences to generate, sorted by label. Ties for the
        majority or minority go to the smallest label.
    """
    classes, counts = np.unique(y, return_counts=True)
    if classes.size < 2:
        raise ValueError(
            f"y has only one class ({classes.tolist()}); oversampling needs at least two "
            "classes. Check the labels, or use BoltGANSynthesizer to generate one class."
        )
    if isinstance(sampling_strategy, str):
        n_new = _string_targets(sampling_strategy, classes, counts)
    elif isinstance(sampling_strategy, dict):
        n_new = _dict_targets(sampling_strategy, classes, counts)
    elif callable(sampling_strategy):
        n_new = _dict_targets(sampling_strategy(y), classes, counts)
    else:
        n_new = _ratio_targets(sampling_strategy, classes, counts)
    return dict(sorted(n_new.items()))


def _string_targets(strategy, classes, counts):
    majority, minority = classes[np.argmax(counts)], classes[np.argmin(counts)]
    selected = {
        "all": lambda c: True,
        "auto": lambda c: c != majority,
        "not majority": lambda c: c != majority,
        "not minority": lambda c: c != minority,
        "minority": lambda c: c == minority,
    }[strategy]
    return {c: int(counts.max() - n) for c, n in zip(classes, counts) if selected(c)}


def _dict_targets(wanted, classes, counts):
    current = dict(zip(classes.tolist(), counts.tolist()))
    unknown = [label for label in wanted if label not in current]
    if unknown:
        raise ValueError(
            f"sampling_strategy names classes {unknown} that are not in y "
            f"(classes {classes.tolist()}); use labels present in the data."
        )
    too_few = {c: n for c, n in wanted.items() if n < current[c]}
    if too_few:
        raise ValueError(
            f"sampling_strategy asks for fewer sequences than present for {too_few} "
            f"(present: {current}); an oversampler only adds sequences, so ask for at "
            "least the current count."
        )
    return {label: int(n - current[label]) for label, n in wanted.items()}


def _ratio_targets(ratio, classes, counts):
    if classes.size != 2:
        raise ValueError(
            f"A float sampling_strategy needs binary y, but y has {classes.size} classes; "
            "use a dict {label: n_sequences} for multi-class data."
        )
    majority = classes[np.argmax(counts)]
    n_new = {c: int(counts.max() * ratio - n) for c, n in zip(classes, counts)
             if c != majority}
    if any(n <= 0 for n in n_new.values()):
        raise ValueError(
            f"sampling_strategy={ratio} asks for a minority/majority ratio that the data "
            f"already reach (counts {dict(zip(classes.tolist(), counts.tolist()))}); "
            "increase it."
        )
    return n_new


class BoltGANOversampler(BaseEstimator):
    """Oversample minority classes of sequence data with a class-conditional Bolt-GAN.

    ``fit_resample(X, y)`` trains one class-conditional :class:`BoltGANSynthesizer` on all
    sequences (the minority classes borrow the majority's temporal structure through the
    shared weights) and appends generated sequences of the classes that
    ``sampling_strategy`` selects. It follows imbalanced-learn's sampler protocol, so it can
    be a step of an ``imblearn.pipeline.Pipeline`` (resampling only the training folds in
    ``cross_validate`` and ``GridSearchCV``); imbalanced-learn itself is not required.

    Parameters
    ----------
    sampling_strategy : {"auto", "minority", "not majority", "not minority", "all"}, \
float, dict or callable, default="auto"
        Which classes to oversample and by how much, with imbalanced-learn's meaning:
        a string brings the selected classes to the majority's count (``"auto"`` is
        ``"not majority"``); a float in (0, 1] is the wanted minority/majority ratio (binary
        ``y`` only); a dict maps labels to the wanted number of sequences after
        resampling; a callable takes ``y`` and returns such a dict.
    synthesizer : BoltGANSynthesizer or None, default=None
        Unfitted synthesizer whose settings to use; it is cloned at fit and never
        changed. None means ``BoltGANSynthesizer()`` with its defaults. Tune its settings
        through nested parameters, e.g. ``synthesizer__num_epochs`` (in a pipeline,
        ``oversampler__synthesizer__num_epochs``).
    conditional : bool, default=True
        True trains one class-conditional synthesizer on all classes. False trains one
        unconditional synthesizer per oversampled class on that class alone (the usual
        alternative in the literature). Training data smaller than the synthesizer's
        ``batch_size`` (a rare class, a small fold) is trained with ``batch_size`` equal
        to its size.
    random_state : int, RandomState instance or None, default=None
        Seeds the synthesizers (overriding their own ``random_state``) and the generated
        noise. None leaves the synthesizer's own ``random_state`` in charge.

    Attributes
    ----------
    sampling_strategy_ : dict
        Class label -> number of sequences generated for it, sorted by label.
    synthesizer_ : BoltGANSynthesizer or None
        The fitted class-conditional synthesizer (``conditional=True``); None when
        ``conditional=False`` or when there was nothing to generate.
    synthesizers_ : dict
        Class label -> synthesizer fitted on that class alone (``conditional=False``);
        empty when ``conditional=True``.
    n_features_in_ : int
        Number of features per time step.
    seq_len_ : int
        Length of the sequences seen in ``fit_resample``.

    See Also
    --------
    BoltGANSynthesizer : the generator used, also usable directly with ``fit(X, y)``.

    Notes
    -----
    Why a ``synthesizer`` parameter rather than copies of its settings: the synthesizer
    has many settings that keep evolving; one object keeps one source of truth for their
    defaults, validation and documentation, scikit-learn's nested parameters still reach
    every one of them in ``GridSearchCV``, and a configured synthesizer can be reused as
    is. imbalanced-learn passes estimators the same way (e.g. ``SMOTE(k_neighbors=...)``).

    Generated sequences are appended after the original ones, class by class in label
    order. 2D input (univariate sequences) gives 2D output.

    Examples
    --------
    >>> import numpy as np
    >>> from skboltgan import BoltGANOversampler, BoltGANSynthesizer
    >>> from skboltgan.datasets import make_sines
    >>> X = make_sines(48, seq_len=12, n_features=2, random_state=0)
    >>> y = np.array([0] * 40 + [1] * 8)
    >>> gan = BoltGANSynthesizer(lstm_hidden=8, lstm_layers=1, num_epochs=2, batch_size=16)
    >>> oversampler = BoltGANOversampler(synthesizer=gan, random_state=0)
    >>> X_res, y_res = oversampler.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((80, 12, 2), [40, 40])
    """

    _parameter_constraints = {
        "sampling_strategy": [StrOptions(set(_STRING_STRATEGIES)),
                              Interval(Real, 0, 1, closed="right"), dict, callable],
        "synthesizer": [HasMethods(["fit", "sample"]), None],
        "conditional": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, *, sampling_strategy="auto", synthesizer=None, conditional=True,
                 random_state=None):
        self.sampling_strategy = sampling_strategy
        self.synthesizer = synthesizer
        self.conditional = conditional
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Check the data and resolve ``sampling_strategy``; trains nothing.

        As in imbalanced-learn, use :meth:`fit_resample` to train and generate.

        Parameters
        ----------
        X : array-like of shape (n_sequences, seq_len, n_features) or (n_sequences, seq_len)
            Sequences; 2D input means univariate sequences.
        y : array-like of shape (n_sequences,)
            Class labels.

        Returns
        -------
        self : BoltGANOversampler
        """
        self._prepare(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    def fit_resample(self, X, y):
        """Train the synthesizer(s) on ``X, y`` and return them plus generated sequences.

        Parameters
        ----------
        X : array-like of shape (n_sequences, seq_len, n_features) or (n_sequences, seq_len)
            Sequences; 2D input means univariate sequences.
        y : array-like of shape (n_sequences,)
            Class labels.

        Returns
        -------
        X_resampled : ndarray of shape (n_sequences + n_new, seq_len, n_features)
            The original sequences followed by the generated ones (2D if ``X`` was 2D).
        y_resampled : ndarray of shape (n_sequences + n_new,)
            Their labels.
        """
        univariate = np.ndim(X) == 2
        X, y = self._prepare(X, y)
        X_new, y_new = self._fit_resample(X, y)
        X_resampled = np.concatenate([X, X_new])
        y_resampled = np.concatenate([y, y_new])
        return (X_resampled[:, :, 0] if univariate else X_resampled), y_resampled

    def _prepare(self, X, y):
        """Validate ``X, y``, record their shape and resolve ``sampling_strategy_``."""
        X = check_sequences(X)
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        check_classification_targets(y)
        self.seq_len_, self.n_features_in_ = X.shape[1:]
        self.sampling_strategy_ = resolve_sampling_strategy(self.sampling_strategy, y)
        return X, y

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        wanted = {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        self.synthesizer_, self.synthesizers_ = None, {}
        labels = np.repeat(np.array(list(wanted), dtype=y.dtype),
                           np.array(list(wanted.values()), dtype=int))
        if not wanted:
            logger.info("sampling_strategy asks for no new sequences; nothing trained.")
            return X[:0], labels
        if self.conditional:
            return self._generate_conditional(X, y, labels, rng), labels
        return self._generate_per_class(X, y, wanted, rng), labels

    def _generate_conditional(self, X, y, labels, rng):
        self.synthesizer_ = self._new_synthesizer(rng, len(X)).fit(X, y)
        return self.synthesizer_.sample(len(labels), y=labels,
                                        random_state=self._sample_seed(rng))

    def _generate_per_class(self, X, y, wanted, rng):
        parts = []
        for label, n_new in wanted.items():
            X_class = X[y == label]
            synthesizer = self._new_synthesizer(rng, len(X_class)).fit(X_class)
            self.synthesizers_[label] = synthesizer
            parts.append(synthesizer.sample(n_new, random_state=self._sample_seed(rng)))
        return np.concatenate(parts)

    def _new_synthesizer(self, rng, n_sequences):
        synthesizer = clone(BoltGANSynthesizer() if self.synthesizer is None
                            else self.synthesizer)
        if self.random_state is not None:
            synthesizer.set_params(random_state=int(rng.randint(_MAX_SEED)))
        batch_size = synthesizer.get_params().get("batch_size")
        if batch_size is not None and n_sequences < batch_size:
            # A rare class (conditional=False) or a small CV fold can hold fewer
            # sequences than one batch; a batch cannot be larger than the data.
            logger.info("training on %d sequences with batch_size=%d instead of %d",
                        n_sequences, n_sequences, batch_size)
            synthesizer.set_params(batch_size=n_sequences)
        return synthesizer

    def _sample_seed(self, rng):
        return None if self.random_state is None else int(rng.randint(_MAX_SEED))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.required = True
        tags.non_deterministic = self.random_state is None
        return tags

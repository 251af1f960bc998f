"""BoltGANSynthesizer: the scikit-learn face of Bolt-GAN."""

import logging
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._feedback import FeedbackScheduler
from ._networks import LSTMDiscriminator, LSTMGenerator
from ._training import AdversarialTrainer
from ._validation import check_n_samples, check_sequences
from .metrics import kl_similarity
from .preprocessing import TimeSeriesMinMaxScaler

logger = logging.getLogger("skboltgan")

_MAX_SEED = np.iinfo(np.int32).max


def _positive_int():
    return Interval(Integral, 1, None, closed="left")


def _epochs_or_fraction():
    return [_positive_int(), Interval(RealNotInt, 0, 1, closed="neither")]


class BoltGANSynthesizer(BaseEstimator):
    """Generate synthetic multivariate time series with Bolt-GAN.

    An LSTM generator and an LSTM discriminator are trained adversarially; every
    ``feedback_interval`` epochs a "bolt" measures how far generated data is from real data
    (KL divergence) and, for the next ``feedback_epochs`` epochs, feeds that measure back
    into the generator's latent input (paper Eq. 5; see the user guide on the feedback
    mechanism). Data are scaled internally to the generator's ``tanh`` range, so
    :meth:`sample` returns the units :meth:`fit` saw.

    Parameters
    ----------
    latent_dim : int, default=100
        Size of the noise vector fed to the generator, one per sequence.
    lstm_hidden : int, default=64
        Hidden units of both LSTMs (the paper uses 308).
    lstm_layers : int, default=2
        Stacked LSTM layers in both networks (the paper uses 3).
    dropout : float, default=0.3
        Dropout between LSTM layers and in the discriminator head.
    num_epochs : int, default=100
        Training epochs, refinement epochs included (the paper uses 2500).
    batch_size : int, default=64
        Sequences per batch (the paper uses 32). ``fit`` needs at least this many.
    lr : float, default=2e-4
        Adam learning rate of both networks.
    beta1, beta2 : float, default=0.5, 0.999
        Adam moment coefficients.
    feedback_interval : int, float in (0, 1) or None, default=0.2
        Epochs between bolts; a float is a fraction of ``num_epochs`` (rounded up, at least
        one epoch). None disables the bolt (a plain LSTM GAN, the ablation baseline).
    feedback_epochs : int or float in (0, 1), default=0.04
        Refinement epochs after each bolt, counted inside ``num_epochs``; a float is a
        fraction of ``num_epochs``.
    feedback_strength : float, default=0.1
        Weight of the feedback term added to the latent during refinement.
    feedback_sample_size : int, default=256
        Real and generated sequences drawn to estimate the two KL divergences at a bolt.
    loss : {"bce", "lsgan"}, default="bce"
        Adversarial loss: binary cross-entropy on logits (the paper's) or least squares.
    precision : {"float32", "bfloat16"}, default="float32"
        ``"bfloat16"`` runs forward passes under autocast (CPU bfloat16, CUDA mixed precision).
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        Torch device; ``"auto"`` picks CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, noise and batch order (independent streams). The same
        seed on the same data and machine gives identical weights and samples. The global
        torch and numpy random states are never changed.
    verbose : int, default=0
        Show a progress bar over epochs and log bolts at INFO level when > 0.

    Attributes
    ----------
    generator_state_, discriminator_state_ : dict of str to ndarray
        Learned weights as plain arrays; the torch modules are rebuilt from them on demand.
    generator_, discriminator_ : torch.nn.Module
        The networks (read-only views rebuilt from the arrays above).
    scaler_ : TimeSeriesMinMaxScaler
        Maps data to the generator's range [-1, 1] and back.
    history_ : list of dict
        One JSON-serialisable record per epoch: ``epoch``, ``phase`` (``"normal"`` or
        ``"bolt"``), ``d_loss``, ``g_loss``, ``seconds``, and at each bolt ``k1``, ``k2`` and
        ``bolt_seconds``.
    n_features_in_ : int
        Number of features per time step.
    seq_len_ : int
        Length of the sequences seen in ``fit``.
    classes_ : ndarray of shape (n_classes,) or None
        Class labels when fitted with ``y`` (conditional generation), else None.
    class_prior_ : ndarray of shape (n_classes,) or None
        Class frequencies in ``fit``; used by :meth:`sample` when no ``y`` is given.
    device_ : str
        Device used in ``fit``.

    See Also
    --------
    skboltgan.preprocessing.SlidingWindowTransformer : cut a long series into windows.

    Notes
    -----
    The paper's configuration is ``latent_dim=100, lstm_hidden=308, lstm_layers=3,
    dropout=0.3, batch_size=32, lr=2e-4, num_epochs=2500, feedback_interval=500,
    feedback_epochs=100``; it takes days per fit on a 2-core CPU.

    Examples
    --------
    >>> from skboltgan import BoltGANSynthesizer
    >>> from skboltgan.datasets import make_sines
    >>> X = make_sines(64, seq_len=12, n_features=2, random_state=0)
    >>> gan = BoltGANSynthesizer(lstm_hidden=8, lstm_layers=1, num_epochs=2, batch_size=16,
    ...                          random_state=0).fit(X)
    >>> gan.sample(5).shape
    (5, 12, 2)
    """

    _parameter_constraints = {
        "latent_dim": [_positive_int()],
        "lstm_hidden": [_positive_int()],
        "lstm_layers": [_positive_int()],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "num_epochs": [_positive_int()],
        "batch_size": [_positive_int()],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "beta1": [Interval(Real, 0, 1, closed="left")],
        "beta2": [Interval(Real, 0, 1, closed="left")],
        "feedback_interval": [*_epochs_or_fraction(), None],
        "feedback_epochs": _epochs_or_fraction(),
        "feedback_strength": [Interval(Real, 0, None, closed="left")],
        "feedback_sample_size": [Interval(Integral, 2, None, closed="left")],
        "loss": [StrOptions({"bce", "lsgan"})],
        "precision": [StrOptions({"float32", "bfloat16"})],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, *, latent_dim=100, lstm_hidden=64, lstm_layers=2, dropout=0.3,
                 num_epochs=100, batch_size=64, lr=2e-4, beta1=0.5, beta2=0.999,
                 feedback_interval=0.2, feedback_epochs=0.04, feedback_strength=0.1,
                 feedback_sample_size=256, loss="bce", precision="float32", device="auto",
                 random_state=None, verbose=0):
        self.latent_dim = latent_dim
        self.lstm_hidden = lstm_hidden
        self.lstm_layers = lstm_layers
        self.dropout = dropout
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.feedback_interval = feedback_interval
        self.feedback_epochs = feedback_epochs
        self.feedback_strength = feedback_strength
        self.feedback_sample_size = feedback_sample_size
        self.loss = loss
        self.precision = precision
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the generator and discriminator on sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_sequences, seq_len, n_features) or (n_sequences, seq_len)
            Training sequences; 2D input means univariate sequences.
        y : array-like of shape (n_sequences,), default=None
            Class labels. When given, one class-conditional generator is trained and
            :meth:`sample` can be asked for sequences of given classes.

        Returns
        -------
        self : BoltGANSynthesizer
            The fitted synthesizer.
        """
        X = check_sequences(X, min_sequences=self.batch_size)
        labels = self._encode_fit_labels(y, X.shape[0])
        device = _resolve_device(self.device)
        self.scaler_ = TimeSeriesMinMaxScaler(feature_range=(-1, 1)).fit(X)
        data = torch.as_tensor(self.scaler_.transform(X), dtype=torch.float32, device=device)
        init_seed, noise_seed, shuffle_seed = check_random_state(self.random_state).randint(
            _MAX_SEED, size=3)
        with torch.random.fork_rng(devices=_cuda_devices(device)):
            torch.manual_seed(init_seed)  # init and dropout; restored on exit
            generator, discriminator = self._build_networks(X.shape[1:], device)
            trainer = AdversarialTrainer(
                generator, discriminator, latent_dim=self.latent_dim,
                batch_size=self.batch_size, lr=self.lr, betas=(self.beta1, self.beta2),
                loss=self.loss, precision=self.precision, device=device,
                noise_rng=_torch_rng(noise_seed, device), shuffle_rng=_torch_rng(shuffle_seed))
            history = trainer.fit(data, labels, self._scheduler(),
                                  strength=self.feedback_strength,
                                  sample_size=self.feedback_sample_size, verbose=self.verbose)
        self._store_fitted(generator, discriminator, history, X.shape, device)
        return self

    def _encode_fit_labels(self, y, n_sequences):
        if y is None:
            self.classes_ = self.class_prior_ = None
            return None
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != n_sequences:
            raise ValueError(
                f"y must be 1D with one label per sequence ({n_sequences}); got shape "
                f"{y.shape}."
            )
        self.classes_, encoded, counts = np.unique(y, return_inverse=True, return_counts=True)
        self.class_prior_ = counts / counts.sum()
        return encoded

    def _scheduler(self):
        return FeedbackScheduler(self.num_epochs, self.feedback_interval, self.feedback_epochs)

    def _n_classes(self):
        return 0 if getattr(self, "classes_", None) is None else len(self.classes_)

    def _build_networks(self, shape, device):
        seq_len, n_features = shape
        generator = LSTMGenerator(self.latent_dim, seq_len, n_features, self.lstm_hidden,
                                  self.lstm_layers, self.dropout, self._n_classes())
        discriminator = LSTMDiscriminator(seq_len, n_features, self.lstm_hidden,
                                          self.lstm_layers, self.dropout, self._n_classes())
        return generator.to(device), discriminator.to(device)

    def _store_fitted(self, generator, discriminator, history, shape, device):
        self.generator_state_ = _to_arrays(generator)
        self.discriminator_state_ = _to_arrays(discriminator)
        self.history_ = history
        self.seq_len_, self.n_features_in_ = int(shape[1]), int(shape[2])
        self.device_ = str(device)
        self._modules = {"generator": generator.eval(), "discriminator": discriminator.eval()}

    # ------------------------------------------------------------ networks
    @property
    def generator_(self):
        """The fitted generator module, rebuilt from ``generator_state_`` when needed."""
        return self._module("generator")

    @property
    def discriminator_(self):
        """The fitted discriminator module, rebuilt from ``discriminator_state_`` when needed."""
        return self._module("discriminator")

    def _module(self, name):
        check_is_fitted(self)
        modules = self.__dict__.setdefault("_modules", {})
        if name not in modules:
            device = _resolve_device(self.device_ if self.device == "auto" else self.device,
                                     fallback_to_cpu=True)
            generator, discriminator = self._build_networks(
                (self.seq_len_, self.n_features_in_), device)
            generator.load_state_dict(_to_tensors(self.generator_state_))
            discriminator.load_state_dict(_to_tensors(self.discriminator_state_))
            modules.update(generator=generator.eval(), discriminator=discriminator.eval())
        return modules[name]

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_modules", None)  # torch modules are rebuilt from the arrays on demand
        return state

    # -------------------------------------------------------------- sample
    def sample(self, n_samples, *, y=None, random_state=None):
        """Generate ``n_samples`` sequences in the units seen by :meth:`fit`.

        Parameters
        ----------
        n_samples : int
            Number of sequences.
        y : class label or array-like of shape (n_samples,), default=None
            Classes to generate (conditional models only). By default classes are drawn
            with their training frequencies.
        random_state : int, RandomState instance or None, default=None
            Seed for the noise; defaults to the estimator's ``random_state``, so a seeded
            estimator samples the same sequences each time.

        Returns
        -------
        X : ndarray of shape (n_samples, seq_len, n_features)
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        out = np.empty((n_samples, self.seq_len_, self.n_features_in_))
        start = 0
        for chunk in self.iter_samples(n_samples, y=y, random_state=random_state):
            out[start:start + len(chunk)] = chunk
            start += len(chunk)
        return out

    def iter_samples(self, n_samples, *, chunk_size=4096, y=None, random_state=None):
        """Generate ``n_samples`` sequences as an iterator of chunks (bounded memory).

        Parameters
        ----------
        n_samples : int
            Number of sequences in total.
        chunk_size : int, default=4096
            Sequences per yielded chunk.
        y, random_state
            As in :meth:`sample`.

        Yields
        ------
        chunk : ndarray of shape (<= chunk_size, seq_len, n_features)
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        labels = self._encode_sample_labels(y, n_samples, random_state)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        generator = self.generator_
        device = next(generator.parameters()).device
        noise_rng = _torch_rng(rng.randint(_MAX_SEED), device)
        for start in range(0, n_samples, chunk_size):
            n = min(chunk_size, n_samples - start)
            chunk_labels = None if labels is None else torch.as_tensor(
                labels[start:start + n], device=device)
            yield self.scaler_.inverse_transform(
                self._generate(generator, n, chunk_labels, noise_rng, device))

    def _generate(self, generator, n, labels, noise_rng, device):
        z = torch.randn(n, self.latent_dim, generator=noise_rng, device=device)
        autocast = torch.autocast(device.type, dtype=torch.bfloat16,
                                  enabled=self.precision == "bfloat16")
        with torch.inference_mode(), autocast:
            return generator(z, labels).float().cpu().numpy().astype(np.float64)

    def _encode_sample_labels(self, y, n_samples, random_state):
        if self.classes_ is None:
            if y is not None:
                raise ValueError("y was given to sample, but this synthesizer was fitted "
                                 "without labels; fit(X, y) to generate given classes.")
            return None
        if y is None:
            rng = check_random_state(self.random_state if random_state is None
                                     else random_state)
            return rng.choice(len(self.classes_), size=n_samples, p=self.class_prior_)
        y = np.full(n_samples, y) if np.ndim(y) == 0 else np.asarray(y)
        if y.shape != (n_samples,):
            raise ValueError(f"y must be one label or {n_samples} labels; got shape {y.shape}.")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"Unknown class labels {unknown.tolist()[:5]}; this synthesizer "
                             f"knows {self.classes_.tolist()}.")
        return np.searchsorted(self.classes_, y)

    # --------------------------------------------------------------- score
    def score(self, X, y=None):
        """Marginal fidelity of samples to held-out ``X``: mean per-feature ``exp(-KL)``.

        As many sequences as ``X`` holds are sampled (seeded by ``random_state``) and
        compared with :func:`skboltgan.metrics.kl_similarity` (20 equal-width bins over the
        range of ``X``). Higher is better; 1.0 means indistinguishable marginals. It is the
        fast default for model selection; for temporal fidelity pass scorers from
        :func:`skboltgan.metrics.make_synthesis_scorer` (e.g. ``"discriminative"``) as
        ``scoring``.

        Parameters
        ----------
        X : array-like of shape (n_sequences, seq_len, n_features) or (n_sequences, seq_len)
            Held-out real sequences.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        X = check_sequences(X)
        if X.shape[1:] != (self.seq_len_, self.n_features_in_):
            raise ValueError(
                f"X has sequences of shape {X.shape[1:]} (seq_len, n_features), but this "
                f"synthesizer was fitted on {(self.seq_len_, self.n_features_in_)}; window "
                "the data the same way as in fit."
            )
        return kl_similarity(X, self.sample(X.shape[0])).value

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.required = False
        tags.non_deterministic = self.random_state is None
        return tags


def _resolve_device(device, fallback_to_cpu=False):
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(f"Unknown device {device!r}; use 'auto', 'cpu' or 'cuda'.") from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        if fallback_to_cpu:
            return torch.device("cpu")
        raise ValueError("device='cuda' was requested but CUDA is not available; use "
                         "device='auto' or 'cpu'.")
    return resolved


def _cuda_devices(device):
    return [device] if device.type == "cuda" else []


def _torch_rng(seed, device="cpu"):
    return torch.Generator(device=device).manual_seed(int(seed))


def _to_arrays(module):
    return {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}


def _to_tensors(arrays):
    return {k: torch.as_tensor(np.asarray(v)) for k, v in arrays.items()}

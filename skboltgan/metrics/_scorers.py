"""Scorers for model selection: sample as many sequences as the fold holds and compare."""

from sklearn.pipeline import Pipeline

from .._validation import check_sequences
from ._dependence import autocorrelation_error, correlation_error
from ._marginal import chi_square_test, kl_similarity, tv_complement
from ._protocol import discriminative_score, predictive_score

#: name -> (metric, sign that makes higher better, default keyword arguments)
SCORER_METRICS = {
    "autocorrelation": (autocorrelation_error, -1, {}),
    "chi_square": (chi_square_test, 1, {}),
    "correlation": (correlation_error, -1, {}),
    "discriminative": (discriminative_score, -1, {}),
    "kl_similarity": (kl_similarity, 1, {}),
    "predictive": (predictive_score, -1, {"reference": False}),
    "tv_complement": (tv_complement, 1, {}),
}


class SynthesisScorer:
    """``scorer(estimator, X, y=None)``: compare ``len(X)`` generated sequences with ``X``.

    Built by :func:`make_synthesis_scorer`; picklable, so it works with ``n_jobs > 1``.
    """

    def __init__(self, metric, sign, kwargs):
        self.metric = metric
        self.sign = sign
        self.kwargs = kwargs

    def __call__(self, estimator, X, y=None):
        synthesizer, X = _synthesizer_and_data(estimator, X)
        labels = y if getattr(synthesizer, "classes_", None) is not None else None
        synthetic = synthesizer.sample(X.shape[0], y=labels)
        return self.sign * float(self.metric(X, synthetic, **self.kwargs))

    def __repr__(self):
        name = getattr(self.metric, "__name__", repr(self.metric))
        sign = "" if self.sign > 0 else ", greater_is_better=False"
        args = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"make_synthesis_scorer({name}{sign}{args})"


def _synthesizer_and_data(estimator, X):
    """The step that samples, and ``X`` in the space it was fitted in."""
    if isinstance(estimator, Pipeline):
        X = estimator[:-1].transform(X)
        estimator = estimator[-1]
    if not hasattr(estimator, "sample"):
        raise TypeError(f"{type(estimator).__name__} has no sample method; a synthesis scorer "
                        "needs a synthesizer, or a Pipeline whose last step is one.")
    return estimator, check_sequences(X)


def make_synthesis_scorer(metric, *, greater_is_better=None, **kwargs):
    """Make a scorer for ``GridSearchCV``/``cross_validate`` from a synthesis metric.

    The scorer, called as ``scorer(estimator, X, y=None)``, draws ``len(X)`` sequences from
    the fitted synthesizer (with its own ``random_state``; with the fold's ``y`` as classes
    when it was fitted with labels) and compares them with the held-out fold ``X``. Scores
    follow scikit-learn's higher-is-better convention: errors and the discriminative and
    predictive scores are negated.

    With a :class:`~sklearn.pipeline.Pipeline` whose last step samples (e.g. a scaler then a
    synthesizer), ``X`` is passed through the earlier steps' ``transform`` and the
    comparison happens in that transformed space, the space the synthesizer learned.

    Parameters
    ----------
    metric : str or callable
        One of ``"tv_complement"``, ``"kl_similarity"``, ``"chi_square"`` (share of features
        passing), ``"discriminative"``, ``"predictive"`` (train on synthetic only, no
        reference), ``"autocorrelation"``, ``"correlation"``; or a callable
        ``metric(real, synthetic, **kwargs)`` returning a number (or a result object with
        ``__float__``).
    greater_is_better : bool, default=None
        For a callable metric: whether larger values are better (default True). Ignored
        for named metrics, whose direction is known.
    **kwargs
        Passed to the metric, e.g. ``n_steps=200, random_state=0`` for ``"discriminative"``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skboltgan import BoltGANSynthesizer
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import make_synthesis_scorer
    >>> X = make_sines(64, seq_len=12, n_features=2, random_state=0)
    >>> gan = BoltGANSynthesizer(latent_dim=4, lstm_hidden=8, lstm_layers=1, num_epochs=2,
    ...                          batch_size=16, random_state=0)
    >>> search = GridSearchCV(
    ...     gan, {"feedback_interval": [None, 0.5]}, cv=2, refit="tv",
    ...     scoring={"tv": make_synthesis_scorer("tv_complement"),
    ...              "acf": make_synthesis_scorer("autocorrelation")}).fit(X)
    >>> sorted(search.best_params_)
    ['feedback_interval']
    """
    if callable(metric):
        sign = -1 if greater_is_better is False else 1
        return SynthesisScorer(metric, sign, dict(kwargs))
    if metric not in SCORER_METRICS:
        raise ValueError(f"Unknown synthesis metric {metric!r}; use a callable or one of "
                         f"{sorted(SCORER_METRICS)}.")
    function, sign, defaults = SCORER_METRICS[metric]
    return SynthesisScorer(function, sign, {**defaults, **kwargs})

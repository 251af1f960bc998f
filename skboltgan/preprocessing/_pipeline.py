"""Sample a fitted pipeline ``[preprocessing..., synthesizer]`` in the units of its input."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._windows import SlidingWindowTransformer


def sample_pipeline(pipeline, n_samples, **sample_params):
    """Generate windows from a fitted pipeline, in the units of the data it was fitted on.

    The last step's ``sample`` makes windows in its input space (scaled, say); the earlier
    steps' ``inverse_transform`` then map them back, last step first. The windowing step is
    *not* undone: generated windows are independent sequences, and stitching them into one
    series (what ``pipeline[:-1].inverse_transform`` would do) averages unrelated windows
    together. Steps before the windowing step work on the raw 2D series, a table of time
    steps; their inverse is applied to every time step of every window.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        A fitted pipeline whose last step has ``sample`` (e.g.
        :class:`~skboltgan.BoltGANSynthesizer`) and whose other steps have
        ``inverse_transform``.
    n_samples : int
        Number of windows to generate.
    **sample_params : dict
        Passed to the last step's ``sample`` (e.g. ``random_state``, ``y``).

    Returns
    -------
    windows : ndarray of shape (n_samples, window, n_features)
        Generated windows in the units of the pipeline's input.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skboltgan import BoltGANSynthesizer
    >>> from skboltgan.preprocessing import (SlidingWindowTransformer,
    ...                                      TimeSeriesMinMaxScaler, sample_pipeline)
    >>> series = 100 + np.random.default_rng(0).standard_normal((200, 2)).cumsum(axis=0)
    >>> pipe = make_pipeline(
    ...     SlidingWindowTransformer(window=8), TimeSeriesMinMaxScaler(),
    ...     BoltGANSynthesizer(lstm_hidden=8, lstm_layers=1, num_epochs=2, batch_size=16,
    ...                        random_state=0)).fit(series)
    >>> samples = sample_pipeline(pipe, 5)
    >>> samples.shape
    (5, 8, 2)
    >>> bool(series.min() <= samples.min() and samples.max() <= series.max())
    True
    """
    check_is_fitted(pipeline)
    synthesizer = pipeline.steps[-1][1]
    if not hasattr(synthesizer, "sample"):
        raise TypeError(f"The last step of the pipeline ({type(synthesizer).__name__}) has "
                        "no sample method; end the pipeline with a BoltGANSynthesizer.")
    return inverse_transform_windows(pipeline.steps[:-1], synthesizer.sample(n_samples,
                                                                             **sample_params))


def inverse_transform_windows(steps, windows):
    """Map windows back through ``steps`` (a list of ``(name, transformer)``), last first.

    Parameters
    ----------
    steps : list of (str, transformer)
        Fitted steps, in pipeline order; ``"passthrough"`` and None are skipped.
    windows : ndarray of shape (n_windows, window, n_features)
        Windows in the output space of the last step.

    Returns
    -------
    windows : ndarray of shape (n_windows, window, n_features_in)
        Windows in the input space of the first step; the windowing step is not undone.
    """
    before_windowing = False
    for name, step in reversed(steps):
        if step is None or isinstance(step, str):  # None or "passthrough"
            continue
        if isinstance(step, SlidingWindowTransformer):
            before_windowing = True
            continue
        if not hasattr(step, "inverse_transform"):
            raise TypeError(f"Step {name!r} ({type(step).__name__}) has no inverse_transform, "
                            "so samples cannot be mapped back through it.")
        windows = _inverse_per_step(step, windows) if before_windowing else (
            step.inverse_transform(windows))
    return windows


def _inverse_per_step(step, windows):
    # The step saw a 2D table of time steps: undo it on every step of every window.
    n_windows, window = windows.shape[:2]
    rows = np.asarray(step.inverse_transform(windows.reshape(n_windows * window, -1)))
    return rows.reshape(n_windows, window, -1)

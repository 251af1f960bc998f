"""Cut long series into overlapping windows, and stitch windows back into series."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

from ._scalers import _ArrayOutput3DMixin


class SlidingWindowTransformer(_ArrayOutput3DMixin, BaseEstimator):
    """Cut a long series, or several, into windows of ``window`` consecutive time steps.

    A 2D series ``(n_timesteps, n_features)`` gives the windows starting at steps
    ``0, stride, 2 * stride, ...`` that fit inside it. A list of such series (independent
    recordings, e.g. one per patient) gives the windows of each series, concatenated in
    order: a window never crosses from one series into the next. Trailing steps that no
    window reaches (when ``n_timesteps - window`` is not a multiple of ``stride``) are
    dropped.

    Put this transformer first in a :class:`~sklearn.pipeline.Pipeline` and feed it raw
    series, so that cross-validation splits the series before windowing: overlapping
    windows of one series then never land on both sides of a split.

    Parameters
    ----------
    window : int, default=24
        Time steps per window (the synthesizer's ``seq_len``).
    stride : int, default=1
        Steps between the starts of consecutive windows; ``stride=window`` gives
        non-overlapping windows.

    Attributes
    ----------
    n_features_in_ : int
        Number of features per time step.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fitted on a DataFrame (or a list of DataFrames).
    series_lengths_ : ndarray of shape (n_series,)
        Time steps of each series seen in ``fit``.
    fitted_on_list_ : bool
        Whether ``fit`` saw a list of series; then :meth:`inverse_transform` returns a list.

    See Also
    --------
    skboltgan.preprocessing.sample_pipeline : sample a fitted pipeline in original units.

    Examples
    --------
    >>> import numpy as np
    >>> from skboltgan.preprocessing import SlidingWindowTransformer
    >>> series = np.arange(12.0).reshape(6, 2)
    >>> windower = SlidingWindowTransformer(window=4, stride=2)
    >>> windows = windower.fit_transform(series)
    >>> windows.shape
    (2, 4, 2)
    >>> windows[1, :, 0]
    array([ 4.,  6.,  8., 10.])
    >>> np.array_equal(windower.inverse_transform(windows), series)
    True
    """

    _parameter_constraints = {
        "window": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, window=24, stride=1):
        self.window = window
        self.stride = stride

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the series and remember their number of features and lengths.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or list of such
            One long series (rows are time steps, columns are features) or several.
        y : None
            Ignored.

        Returns
        -------
        self : SlidingWindowTransformer
            The fitted transformer.
        """
        series = self._validate_series(X, reset=True)
        self.series_lengths_ = np.array([len(s) for s in series])
        self.fitted_on_list_ = isinstance(X, (list, tuple))
        return self

    def transform(self, X):
        """Cut each series into windows.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or list of such
            One long series or several, each at least ``window`` steps long.

        Returns
        -------
        windows : ndarray of shape (n_windows, window, n_features)
            The windows of every series, in order.
        """
        check_is_fitted(self)
        series = self._validate_series(X, reset=False)
        return np.concatenate([self._cut(s) for s in series])

    def inverse_transform(self, X, *, series_lengths=None):
        """Stitch consecutive windows back into series, averaging overlapping steps.

        Exact on the output of :meth:`transform`: the steps every window covers come back
        unchanged (trailing steps that no window reached are not recovered).

        Parameters
        ----------
        X : array-like of shape (n_windows, window, n_features)
            Windows in the order :meth:`transform` made them.
        series_lengths : array-like of int, default=None
            Time steps of each series the windows were cut from. By default, the series seen
            in :meth:`fit` when it saw a list, else one series made of all windows.

        Returns
        -------
        series : ndarray of shape (n_timesteps, n_features) or list of such
            A list when ``fit`` saw a list or ``series_lengths`` is given.
        """
        check_is_fitted(self)
        windows = self._validate_windows(X)
        counts = self._windows_per_series(windows.shape[0], series_lengths)
        if counts is None:
            return self._stitch(windows)
        bounds = np.cumsum(counts)[:-1]
        return [self._stitch(part) for part in np.split(windows, bounds)]

    # ----------------------------------------------------------- helpers
    def _validate_series(self, X, reset):
        if isinstance(X, (list, tuple)):
            if len(X) == 0:
                raise ValueError("X is an empty list; pass at least one series.")
            series = [self._check_one(s, reset=reset and i == 0, index=i)
                      for i, s in enumerate(X)]
        else:
            series = [self._check_one(X, reset=reset, index=None)]
        for i, s in enumerate(series):
            if len(s) < self.window:
                where = "X" if len(series) == 1 else f"Series {i}"
                raise ValueError(
                    f"{where} has {len(s)} time steps (n_samples={len(s)}), fewer than "
                    f"window={self.window}; use a smaller window or a longer series."
                )
        return series

    def _check_one(self, X, reset, index):
        ndim = X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim
        if ndim != 2:
            raise ValueError(
                f"Each series must be 2D (n_timesteps, n_features), got {ndim}D input. "
                "Reshape your data: a univariate series with series.reshape(-1, 1); 3D "
                "input is already windows and needs no SlidingWindowTransformer."
            )
        if index is not None and not reset:
            self._check_same_features(X, index)
        return validate_data(self, X, reset=reset, dtype=FLOAT_DTYPES,
                             ensure_all_finite="allow-nan", ensure_min_samples=1)

    def _check_same_features(self, X, index):
        n_features = np.shape(X)[1]
        if hasattr(self, "n_features_in_") and n_features != self.n_features_in_:
            raise ValueError(
                f"Series {index} has {n_features} features, but the series before it have "
                f"{self.n_features_in_}; every series must have the same features."
            )

    def _cut(self, series):
        # sliding_window_view gives (n_windows, n_features, window) without copying.
        views = np.lib.stride_tricks.sliding_window_view(series, self.window, axis=0)
        return np.ascontiguousarray(views[::self.stride].transpose(0, 2, 1))

    def _validate_windows(self, X):
        windows = check_array(np.asarray(X), dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan",
                              allow_nd=True)
        expected = (self.window, self.n_features_in_)
        if windows.ndim != 3 or windows.shape[1:] != expected:
            raise ValueError(
                f"X must be windows of shape (n_windows, {expected[0]}, {expected[1]}) "
                f"(window, n_features), got shape {windows.shape}."
            )
        return windows

    def _windows_per_series(self, n_windows, series_lengths):
        if series_lengths is None and not self.fitted_on_list_:
            return None
        lengths = self.series_lengths_ if series_lengths is None else np.asarray(
            series_lengths, dtype=int)
        if np.any(lengths < self.window):
            raise ValueError(f"series_lengths must all be at least window={self.window}, "
                             f"got {lengths.tolist()}.")
        counts = (lengths - self.window) // self.stride + 1
        if counts.sum() != n_windows:
            raise ValueError(
                f"X has {n_windows} windows, but series of lengths {lengths.tolist()} give "
                f"{int(counts.sum())}; pass series_lengths= the lengths of the series X was "
                "cut from."
            )
        return counts

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # windowing moves values, it never computes on them
        return tags

    def _stitch(self, windows):
        n_windows, window, n_features = windows.shape
        rows = np.arange(n_windows)[:, np.newaxis] * self.stride + np.arange(window)
        # Average as ``reference + mean(value - reference)`` with the reference taken from
        # one covering window: copies of one value then average to exactly that value,
        # which a plain ``sum / count`` does not guarantee in floating point.
        reference = np.empty(((n_windows - 1) * self.stride + window, n_features))
        reference[rows] = windows
        deviation = np.zeros_like(reference)
        np.add.at(deviation, rows, windows - reference[rows])
        count = np.bincount(rows.ravel(), minlength=len(reference))[:, np.newaxis]
        return reference + deviation / count

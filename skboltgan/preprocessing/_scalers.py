"""Per-feature scalers for tables of time steps (2D) and windows (3D).

For these scalers, as for every scikit-learn scaler, 2D input is a table: rows are time steps
(or samples), columns are features — a long series before windowing. 3D input
``(n_sequences, seq_len, n_features)`` is windows; statistics pool all sequences and steps.
(Only :class:`~skboltgan.BoltGANSynthesizer` reads 2D input as univariate sequences.)
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_array
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

from ._base import _ArrayOutput3DMixin, _ndim


class _PerFeatureScaler(_ArrayOutput3DMixin, BaseEstimator):
    """Shared machinery: validate 2D or 3D input, delegate the per-feature map."""

    def _validate(self, X, reset):
        if _ndim(X) == 3:
            return self._check_3d(np.asarray(X), reset)
        return validate_data(self, X, reset=reset, dtype=FLOAT_DTYPES,
                             ensure_all_finite="allow-nan", copy=True)

    def _check_3d(self, X, reset):
        flat = check_array(X.reshape(-1, X.shape[-1]), dtype=FLOAT_DTYPES,
                           ensure_all_finite="allow-nan", copy=True)
        if reset:
            self.n_features_in_ = flat.shape[1]
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        elif flat.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {flat.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return flat.reshape(X.shape)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn each feature's statistics, pooled over all sequences and time steps.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or (n_sequences, seq_len, n_features)
            A 2D table (rows are time steps, columns are features) or 3D windows. NaN is
            ignored.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        columns = self._fit_columns(X)
        with np.errstate(over="ignore", invalid="ignore"):
            self._learn(columns)
        return self

    def _fit_columns(self, X):
        """Validate ``X`` and return it as one column per feature, NaN kept."""
        columns = self._validate(X, reset=True)
        columns = columns.reshape(-1, columns.shape[-1])
        if np.isnan(columns).all(axis=0).any():
            raise ValueError(
                f"Features {np.flatnonzero(np.isnan(columns).all(axis=0)).tolist()} are NaN "
                "everywhere, so they cannot be scaled; drop them or impute them first."
            )
        return columns

    def transform(self, X):
        """Scale ``X`` per feature; NaN passes through.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or (n_sequences, seq_len, n_features)
            A 2D table (rows are time steps, columns are features) or 3D windows.

        Returns
        -------
        X_scaled : ndarray or DataFrame of the same shape as ``X``
            A DataFrame only for 2D input under ``set_output(transform="pandas")``.
        """
        check_is_fitted(self)
        X_checked = self._validate(X, reset=False)
        return self._wrap_2d(self._forward(X_checked), X)

    def inverse_transform(self, X):
        """Undo :meth:`transform`.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or (n_sequences, seq_len, n_features)
            Scaled data, 2D or 3D.

        Returns
        -------
        X_original : ndarray of the same shape as ``X``
        """
        check_is_fitted(self)
        return self._backward(self._validate(X, reset=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _refuse_overflow(spread):
    # A feature spanning more than float64 can hold (values near +-1e308) has an infinite
    # range or variance: its scaled values, and generated data mapped back, would be inf or
    # NaN. Refuse it here rather than let a synthesizer sample non-finite values later.
    broken = np.flatnonzero(~np.isfinite(spread))
    if broken.size:
        raise ValueError(
            f"Features {broken.tolist()} span more than float64 can represent (their range "
            "or variance overflows, values near +-1e308), so they cannot be scaled; divide "
            "them by a large constant (e.g. 1e300) first.")


def _constant_features(columns):
    # Exact test (max == min) rather than a variance threshold: a feature that varies by
    # one ulp is still scaled, one that never varies is only shifted.
    return np.nanmax(columns, axis=0) == np.nanmin(columns, axis=0)


class TimeSeriesMinMaxScaler(_PerFeatureScaler):
    """Scale each feature to ``feature_range`` over all sequences and time steps.

    2D input is a table, as for every scikit-learn scaler: rows are time steps (or samples),
    columns are features — a long series before windowing. 3D input
    ``(n_sequences, seq_len, n_features)`` is windows; the minimum and maximum pool all
    sequences and steps. (Only :class:`~skboltgan.BoltGANSynthesizer` reads 2D input as
    univariate sequences.) NaN is ignored in :meth:`fit` and passed through by
    :meth:`transform`; a constant feature is shifted to ``feature_range[0]``, never divided
    by zero.

    Parameters
    ----------
    feature_range : tuple (min, max), default=(0, 1)
        Range of the transformed data.

    Attributes
    ----------
    data_min_ : ndarray of shape (n_features,)
        Per-feature minimum seen in ``fit`` (NaN ignored).
    data_max_ : ndarray of shape (n_features,)
        Per-feature maximum seen in ``fit`` (NaN ignored).
    scale_ : ndarray of shape (n_features,)
        Per-feature factor: ``transform(X) = X * scale_ + offset_``. A constant feature gets
        ``scale_ = 1``.
    offset_ : ndarray of shape (n_features,)
        Per-feature shift applied after ``scale_``.
    n_features_in_ : int
        Number of features (the last axis).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fitted on a DataFrame.

    See Also
    --------
    TimeSeriesStandardScaler : zero mean and unit variance per feature.

    Examples
    --------
    >>> import numpy as np
    >>> from skboltgan.preprocessing import TimeSeriesMinMaxScaler
    >>> X = np.array([[0.0, 10.0], [5.0, 20.0], [10.0, 30.0]])
    >>> TimeSeriesMinMaxScaler().fit_transform(X)
    array([[0. , 0. ],
           [0.5, 0.5],
           [1. , 1. ]])
    >>> TimeSeriesMinMaxScaler(feature_range=(-1, 1)).fit_transform(X[np.newaxis]).shape
    (1, 3, 2)
    """

    _parameter_constraints = {"feature_range": [tuple]}

    def __init__(self, feature_range=(0, 1)):
        self.feature_range = feature_range

    def _learn(self, columns):
        low, high = self._checked_range()
        self.data_min_ = np.nanmin(columns, axis=0)
        self.data_max_ = np.nanmax(columns, axis=0)
        _refuse_overflow(self.data_max_ - self.data_min_)
        data_range = np.where(_constant_features(columns), 1.0,
                              self.data_max_ - self.data_min_)
        self.scale_ = (high - low) / data_range
        self.offset_ = low - self.data_min_ * self.scale_

    def _checked_range(self):
        valid = (len(self.feature_range) == 2
                 and all(isinstance(v, Real) for v in self.feature_range))
        if not valid or not self.feature_range[0] < self.feature_range[1]:
            raise ValueError(
                f"feature_range must be a tuple (min, max) of numbers with min < max, got "
                f"{self.feature_range!r}."
            )
        return self.feature_range

    def _forward(self, X):
        return X * self.scale_.astype(X.dtype) + self.offset_.astype(X.dtype)

    def _backward(self, X):
        return (X - self.offset_.astype(X.dtype)) / self.scale_.astype(X.dtype)


class TimeSeriesStandardScaler(_PerFeatureScaler):
    """Standardise each feature to zero mean and unit variance over all sequences and steps.

    2D input is a table, as for every scikit-learn scaler: rows are time steps (or samples),
    columns are features — a long series before windowing. 3D input
    ``(n_sequences, seq_len, n_features)`` is windows; the mean and variance pool all
    sequences and steps. (Only :class:`~skboltgan.BoltGANSynthesizer` reads 2D input as
    univariate sequences.) NaN is ignored in :meth:`fit` and passed through by
    :meth:`transform`; a constant feature is centred, never divided by zero.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Per-feature mean seen in ``fit`` (NaN ignored).
    var_ : ndarray of shape (n_features,)
        Per-feature population variance seen in ``fit`` (NaN ignored).
    scale_ : ndarray of shape (n_features,)
        Per-feature standard deviation: ``transform(X) = (X - mean_) / scale_``. A constant
        feature gets ``scale_ = 1``.
    n_features_in_ : int
        Number of features (the last axis).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fitted on a DataFrame.

    See Also
    --------
    TimeSeriesMinMaxScaler : map each feature to a fixed range.

    Examples
    --------
    >>> import numpy as np
    >>> from skboltgan.preprocessing import TimeSeriesStandardScaler
    >>> X = np.array([[0.0, 5.0], [2.0, 5.0], [4.0, 5.0]])
    >>> TimeSeriesStandardScaler().fit_transform(X)
    array([[-1.22474487,  0.        ],
           [ 0.        ,  0.        ],
           [ 1.22474487,  0.        ]])
    """

    _parameter_constraints = {}

    def __init__(self):
        pass

    def _learn(self, columns):
        self.mean_ = np.nanmean(columns, axis=0, dtype=np.float64)
        self.var_ = np.nanvar(columns, axis=0, dtype=np.float64)
        _refuse_overflow(self.var_)
        self.scale_ = np.where(_constant_features(columns), 1.0, np.sqrt(self.var_))

    def _forward(self, X):
        return (X - self.mean_.astype(X.dtype)) / self.scale_.astype(X.dtype)

    def _backward(self, X):
        return X * self.scale_.astype(X.dtype) + self.mean_.astype(X.dtype)

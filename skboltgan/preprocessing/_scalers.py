"""Per-feature scalers for tables of time steps (2D) and windows (3D).

For these scalers, as for every scikit-learn scaler, 2D input is a table: rows are time steps
(or samples), columns are features — a long series before windowing. 3D input
``(n_sequences, seq_len, n_features)`` is windows; statistics pool all sequences and steps.
(Only :class:`~skboltgan.BoltGANSynthesizer` reads 2D input as univariate sequences.)
"""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils import check_array
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data


class _PerFeatureScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Shared machinery: ``X * scale_ + offset`` per feature on the last axis."""

    def _validate(self, X, reset):
        if np.ndim(X) == 3:
            return self._check_3d(np.asarray(X), reset)
        return validate_data(self, X, reset=reset, dtype=FLOAT_DTYPES,
                             ensure_all_finite="allow-nan", copy=True)

    def _check_3d(self, X, reset):
        flat = check_array(X.reshape(-1, X.shape[-1]), dtype=FLOAT_DTYPES,
                           ensure_all_finite="allow-nan", copy=True)
        if reset:
            self.n_features_in_ = flat.shape[1]
        elif flat.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {flat.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return flat.reshape(X.shape)

    @staticmethod
    def _columns(X):
        return X.reshape(-1, X.shape[-1])

    def transform(self, X):
        """Scale ``X`` (2D table or 3D windows) per feature; NaN passes through."""
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        return X * self.scale_ + self.offset_

    def inverse_transform(self, X):
        """Undo :meth:`transform`."""
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        return (X - self.offset_) / self.scale_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        return tags


class TimeSeriesMinMaxScaler(_PerFeatureScaler):
    """Scale each feature to ``feature_range`` over all sequences and time steps.

    Parameters
    ----------
    feature_range : tuple (min, max), default=(0, 1)
        Range of the transformed data.

    Attributes
    ----------
    data_min_, data_max_ : ndarray of shape (n_features,)
        Per-feature minimum and maximum seen in ``fit`` (NaN ignored).
    scale_, offset_ : ndarray of shape (n_features,)
        ``transform(X) = X * scale_ + offset_``. A constant feature gets ``scale_ = 1``.
    n_features_in_ : int
        Number of features (the last axis).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fitted on a DataFrame.

    Examples
    --------
    >>> import numpy as np
    >>> from skboltgan.preprocessing import TimeSeriesMinMaxScaler
    >>> X = np.array([[0.0, 10.0], [5.0, 20.0], [10.0, 30.0]])
    >>> TimeSeriesMinMaxScaler().fit_transform(X)
    array([[0. , 0. ],
           [0.5, 0.5],
           [1. , 1. ]])
    """

    _parameter_constraints = {"feature_range": [tuple]}

    def __init__(self, feature_range=(0, 1)):
        self.feature_range = feature_range

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn each feature's minimum and maximum from 2D or 3D ``X``."""
        low, high = self.feature_range
        if not low < high:
            raise ValueError(f"feature_range must satisfy min < max, got {self.feature_range}.")
        columns = self._columns(self._validate(X, reset=True))
        self.data_min_ = np.nanmin(columns, axis=0)
        self.data_max_ = np.nanmax(columns, axis=0)
        data_range = self.data_max_ - self.data_min_
        data_range[~(data_range > 0)] = 1.0  # constant feature: shift only, never divide by 0
        self.scale_ = (high - low) / data_range
        self.offset_ = low - self.data_min_ * self.scale_
        return self

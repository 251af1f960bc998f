"""Missing values and categories: how often values are missing, how often each label occurs.

Metrics elsewhere compare observed values (the marginal metrics skip NaN) or, where a model
needs complete sequences (the temporal protocol, TSTR, the memorization guard),
:func:`fill_missing` interpolates the gaps first; these two metrics score what that leaves
out: the missing-value rate and the label frequencies.
"""

import numpy as np

from ._checks import check_pair
from ._results import MarginalResult

#: Largest mean absolute missing-rate difference counted as reproducing the missing rate.
MISSING_RATE_GATE = 0.05
#: Largest total variation distance of label frequencies counted as close.
CATEGORY_GATE = 0.10


def missing_rate_error(real, synthetic):
    """Mean absolute difference of the per-feature share of missing (NaN) values.

    0.0 when every feature is missing as often in both sets (in particular when nothing is
    missing); 1.0 when a feature is always missing on one side and never on the other.
    Gate: at most 0.05 (five percentage points).

    Parameters
    ----------
    real, synthetic : array-like of shape (n, seq_len, n_features) or (n_values, n_features)
        Sequences or per-step tables, NaN where a value is missing.

    Returns
    -------
    result : MarginalResult
        ``value`` the mean over features, ``per_feature`` each feature's absolute
        difference, ``details`` the two sets' missing rates.

    Examples
    --------
    >>> import numpy as np
    >>> from skboltgan.metrics import missing_rate_error
    >>> real = np.array([[1.0, np.nan], [2.0, 3.0]])
    >>> missing_rate_error(real, np.array([[1.0, 2.0], [np.nan, 3.0]])).per_feature.tolist()
    [0.5, 0.5]
    """
    real, synthetic = check_pair(real, synthetic, tables=True, allow_nan=True)
    rate_real = np.isnan(real).mean(axis=(0, 1))
    rate_synthetic = np.isnan(synthetic).mean(axis=(0, 1))
    error = np.abs(rate_real - rate_synthetic)
    value = float(error.mean())
    return MarginalResult(name="missing_rate_error", value=value, per_feature=error,
                          threshold=MISSING_RATE_GATE, passed=value <= MISSING_RATE_GATE,
                          feature_passed=error <= MISSING_RATE_GATE,
                          details={"missing_rate_real": rate_real,
                                   "missing_rate_synthetic": rate_synthetic})


def category_frequency_error(real, synthetic, categorical_features):
    """Total variation distance between label frequencies, per categorical feature.

    ``0.5 * sum_k |p_k - q_k|`` over the labels ``k`` seen on either side (every distinct
    value counts as a label; NaN is a label of its own): 0.0 for identical frequencies, 1.0
    for disjoint labels. Gate: at most 0.10.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, seq_len, n_features) or (n_values, n_features)
        Sequences or per-step tables.
    categorical_features : array-like of int
        Indices of the features holding labels (codes).

    Returns
    -------
    result : MarginalResult
        ``value`` the mean over the categorical features, ``per_feature`` their distances
        (NaN for the other features).

    Examples
    --------
    >>> import numpy as np
    >>> from skboltgan.metrics import category_frequency_error
    >>> real = np.array([[0.0], [0.0], [1.0], [1.0]])
    >>> float(category_frequency_error(real, np.array([[0.0], [1.0]]), [0]).value)
    0.0
    >>> float(category_frequency_error(real, np.array([[2.0], [2.0]]), [0]).value)
    1.0
    """
    real, synthetic = check_pair(real, synthetic, tables=True, allow_nan=True)
    features = np.asarray(categorical_features, dtype=int)
    distance = np.full(real.shape[2], np.nan)
    for j in features:
        distance[j] = _label_distance(real[..., j].ravel(), synthetic[..., j].ravel())
    value = float(np.nanmean(distance)) if features.size else 0.0
    return MarginalResult(name="category_frequency_error", value=value,
                          per_feature=distance, threshold=CATEGORY_GATE,
                          passed=value <= CATEGORY_GATE,
                          feature_passed=~(distance > CATEGORY_GATE))


def _label_distance(a, b):
    # NaN is a label: replace it by a value outside both sets before counting.
    fill = np.nanmax(np.concatenate([a, b, [0.0]])) + 1.0
    a, b = np.where(np.isnan(a), fill, a), np.where(np.isnan(b), fill, b)
    labels = np.union1d(a, b)
    p = np.bincount(np.searchsorted(labels, a), minlength=len(labels)) / len(a)
    q = np.bincount(np.searchsorted(labels, b), minlength=len(labels)) / len(b)
    return 0.5 * float(np.abs(p - q).sum())


def fill_missing(X, fallback):
    """Windows with each gap filled by linear interpolation along time.

    A gap at a window's start or end takes the nearest observed value; a feature missing in
    a whole window takes ``fallback`` (one value per feature, e.g. the real data's mean).
    """
    X = np.array(X, dtype=np.float64)
    missing = np.isnan(X)
    if not missing.any():
        return X
    steps = np.arange(X.shape[1])
    for i, j in zip(*np.nonzero(missing.any(axis=1))):
        observed = ~missing[i, :, j]
        if observed.any():
            X[i, :, j] = np.interp(steps, steps[observed], X[i, observed, j])
        else:
            X[i, :, j] = fallback[j]
    return X

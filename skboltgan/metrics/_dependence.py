"""Dependence structure: autocorrelation over time and correlation across features."""

import numpy as np

from ._checks import check_pair
from ._divergences import as_feature_columns


def autocorrelation(X, max_lag):
    """Per-feature autocorrelation at lags ``1..max_lag``, pooled over sequences.

    ``acf[k, j] = mean_{n,t} (x[n,t,j] - mu_j)(x[n,t+k,j] - mu_j) / var_j`` with the mean and
    variance of feature ``j`` over all sequences and steps. Pooling (instead of one ACF per
    short window) keeps the estimate stable for windows that hold a fraction of a period.
    A constant feature has autocorrelation 0.

    Returns
    -------
    acf : ndarray of shape (max_lag, n_features)
    """
    centred = X - X.mean(axis=(0, 1))
    var = centred.var(axis=(0, 1))
    safe = np.where(var > 0, var, 1.0)
    acf = np.stack([(centred[:, :-k] * centred[:, k:]).mean(axis=(0, 1))
                    for k in range(1, max_lag + 1)])
    return np.where(var > 0, acf / safe, 0.0)


def autocorrelation_error(real, synthetic, *, max_lag=None):
    """Mean absolute difference of the per-feature autocorrelation functions.

    Each data set's autocorrelation at lags ``1..max_lag`` is pooled over its sequences and
    steps (see :func:`autocorrelation`); the error is the mean absolute difference over
    lags and features. 0 means the same temporal dependence; lower is better. Shuffling the
    steps of each sequence keeps every marginal but destroys this structure.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, seq_len, n_features) or (n, seq_len)
        Real and synthetic sequences with ``seq_len >= 2``.
    max_lag : int, default=None
        Largest lag; by default ``seq_len - 1`` (of the shorter data set).

    Returns
    -------
    error : float

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import autocorrelation_error
    >>> real = make_sines(100, seq_len=24, n_features=2, random_state=0)
    >>> autocorrelation_error(real, real)
    0.0
    """
    real, synthetic = check_pair(real, synthetic)
    longest = min(real.shape[1], synthetic.shape[1]) - 1
    max_lag = longest if max_lag is None else max_lag
    if not 1 <= max_lag <= longest:
        raise ValueError(f"max_lag must be in [1, {longest}] (seq_len - 1) for these "
                         f"sequences; got {max_lag}. Sequences need at least 2 steps.")
    difference = autocorrelation(real, max_lag) - autocorrelation(synthetic, max_lag)
    return float(np.abs(difference).mean())


def correlation_matrix(X):
    """Pearson correlation between features over all steps; 0 where a feature is constant."""
    columns = as_feature_columns(X)
    centred = columns - columns.mean(axis=0)
    std = np.sqrt((centred ** 2).mean(axis=0))
    scaled = centred / np.where(std > 0, std, 1.0)
    corr = scaled.T @ scaled / len(columns)
    constant = std == 0
    corr[constant, :] = 0.0
    corr[:, constant] = 0.0
    return corr


def correlation_error(real, synthetic):
    """Mean absolute difference of the cross-feature correlation matrices.

    Pearson correlations between every pair of features, over all sequences and steps; the
    error is the mean absolute difference over the ``d (d - 1) / 2`` pairs (0.0 for one
    feature). 0 means the same linear dependence between features; lower is better.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, seq_len, n_features) or (n_values, n_features)
        Real and synthetic sequences, or per-step tables (rows are time steps).

    Returns
    -------
    error : float

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import correlation_error
    >>> real = make_sines(100, seq_len=24, n_features=3, random_state=0)
    >>> correlation_error(real, real)
    0.0
    """
    real, synthetic = check_pair(real, synthetic, tables=True)
    n_features = real.shape[2]
    if n_features < 2:
        return 0.0
    upper = np.triu_indices(n_features, k=1)
    difference = correlation_matrix(real)[upper] - correlation_matrix(synthetic)[upper]
    return float(np.abs(difference).mean())

"""One vectorised histogram estimator of per-feature divergences.

Shared by the bolt feedback (``skboltgan._feedback``) and the fidelity metrics, so that the
numbers the generator is steered by and the numbers users read are the same quantity.

Every feature is binned at once: values map to integer bin ids with one affine transform,
get offset by ``feature_index * n_bins`` and are counted with a single ``np.bincount``.
There is no Python loop over features and no limit on their number.
"""

import logging
import warnings

import numpy as np

logger = logging.getLogger("skboltgan")

#: Pseudo-count added to every bin (Krichevsky-Trofimov / Jeffreys prior) so that an empty
#: bin gives a large but finite log-ratio instead of an infinite KL.
PSEUDO_COUNT = 0.5


def as_feature_columns(X):
    """Flatten ``(n, seq_len, n_features)`` or ``(n, n_features)`` to ``(n_values, n_features)``."""
    X = np.asarray(X, dtype=np.float64)
    return X.reshape(-1, X.shape[-1])


def feature_ranges(*samples):
    """Per-feature ``(low, high, usable)`` over all finite values of the given samples.

    A feature is not usable when it is constant or has no finite value: no histogram can
    tell two distributions apart on it.
    """
    stacked = np.concatenate([as_feature_columns(s) for s in samples], axis=0)
    finite = np.where(np.isfinite(stacked), stacked, np.nan)
    with warnings.catch_warnings():
        # An all-NaN feature is reported as unusable below, not warned about.
        warnings.simplefilter("ignore", RuntimeWarning)
        low = np.nanmin(finite, axis=0)
        high = np.nanmax(finite, axis=0)
    usable = np.isfinite(low) & np.isfinite(high) & (high > low)
    return low, high, usable


def binned_counts(X, low, high, n_bins):
    """Count the values of every feature in ``n_bins`` equal bins spanning ``[low, high]``.

    Values outside the range fall into the first or last bin; non-finite values and
    unusable features (``high <= low``) are not counted.

    Returns
    -------
    counts : ndarray of shape (n_features, n_bins)
    """
    X = as_feature_columns(X)
    n_features = X.shape[1]
    width = np.where(high > low, high - low, 1.0) / n_bins
    with np.errstate(invalid="ignore"):
        ids = np.floor((X - low) / width)
    valid = np.isfinite(ids) & (high > low)
    ids = np.clip(np.nan_to_num(ids), 0, n_bins - 1).astype(np.int64)
    ids += np.arange(n_features, dtype=np.int64) * n_bins
    counts = np.bincount(ids[valid], minlength=n_features * n_bins)
    return counts.reshape(n_features, n_bins)


def smoothed_probabilities(counts):
    """Turn ``(n_features, n_bins)`` counts into probabilities with the pseudo-count prior."""
    smoothed = counts + PSEUDO_COUNT
    return smoothed / smoothed.sum(axis=1, keepdims=True)


def kl_per_feature(p_sample, q_sample, *, n_bins=20, low=None, high=None):
    """Histogram estimate of ``KL(P || Q)`` for every feature.

    Parameters
    ----------
    p_sample, q_sample : array-like of shape (n, seq_len, n_features) or (n, n_features)
        Draws from P and Q; the sample sizes may differ. A ``q_sample`` with one feature is
        compared with every feature of ``p_sample`` (used for KL against the latent noise).
    n_bins : int, default=20
        Equal-width bins per feature.
    low, high : ndarray of shape (n_features,), default=None
        Bin range; by default the range of both samples together.

    Returns
    -------
    kl : ndarray of shape (n_features,)
        ``sum_b p_b log(p_b / q_b)`` in nats; NaN for features that are constant or
        non-finite in both samples (skipped, and logged).
    """
    p_cols = as_feature_columns(p_sample)
    q_cols = as_feature_columns(q_sample)
    if q_cols.shape[1] == 1 and p_cols.shape[1] > 1:
        q_cols = np.broadcast_to(q_cols, (q_cols.shape[0], p_cols.shape[1]))
    if low is None or high is None:
        low, high, usable = feature_ranges(p_cols, q_cols)
    else:
        usable = np.asarray(high) > np.asarray(low)
    p = smoothed_probabilities(binned_counts(p_cols, low, high, n_bins))
    q = smoothed_probabilities(binned_counts(q_cols, low, high, n_bins))
    kl = np.sum(p * np.log(p / q), axis=1)
    if not usable.all():
        logger.debug("KL skips degenerate features %s", np.flatnonzero(~usable).tolist())
    return np.where(usable, kl, np.nan)


def mean_kl(p_sample, q_sample, *, n_bins=20):
    """Average of :func:`kl_per_feature` over the usable features (0.0 if none is usable)."""
    kl = kl_per_feature(p_sample, q_sample, n_bins=n_bins)
    return float(np.nanmean(kl)) if np.isfinite(kl).any() else 0.0


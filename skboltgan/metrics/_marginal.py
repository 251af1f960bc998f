"""Marginal fidelity: TV complement, exp(-KL) similarity and the chi-square test.

All three bin every feature on the same equal-width bins, spanning the real data's range
(:func:`~skboltgan.metrics._divergences.feature_ranges` of the real data); synthetic values
outside that range count in the first or last bin. The histograms come from the one shared
estimator in :mod:`skboltgan.metrics._divergences`, so these are the numbers the bolt
steers by.
"""

import numpy as np
from scipy import stats
from sklearn.utils import check_random_state

from ._checks import check_pair, check_positive
from ._divergences import as_feature_columns, binned_counts, feature_ranges, kl_per_feature
from ._results import MarginalResult

#: The Bolt-GAN paper's acceptance gates.
TV_GATE = 0.85
KL_GATE = 0.80
P_GATE = 0.05

_MAX_SEED = np.iinfo(np.int32).max


def _mean_result(name, per_feature, threshold, usable, details=None):
    per_feature = np.where(usable, per_feature, np.nan)
    value = float(np.nanmean(per_feature)) if usable.any() else 1.0
    return MarginalResult(name=name, value=value, per_feature=per_feature,
                          threshold=threshold, passed=bool(value > threshold),
                          feature_passed=~(per_feature <= threshold),
                          details=details or {})


def tv_complement(real, synthetic, *, n_bins=20):
    """One minus the total variation distance between binned marginals, per feature.

    ``1 - 0.5 * sum_b |p_b - q_b|`` with ``p`` and ``q`` the real and synthetic bin
    frequencies (no smoothing) — SDMetrics' ``TVComplement`` applied to the binned values.
    1.0 means identical histograms, 0.0 disjoint ones. Gate: > 0.85.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, seq_len, n_features) or (n_values, n_features)
        Real and synthetic sequences, or per-step tables (rows are time steps). NaN
        (a missing value) is left out: only observed values are compared.
    n_bins : int, default=20
        Equal-width bins per feature over the real data's range.

    Returns
    -------
    result : MarginalResult
        ``value`` is the mean over features; ``per_feature`` one value per feature (NaN for
        a feature that is constant in the real data, which is left out of the mean).

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import tv_complement
    >>> real = make_sines(200, seq_len=24, n_features=2, random_state=0)
    >>> tv_complement(real, real).value
    1.0
    """
    check_positive(n_bins=n_bins)
    real, synthetic = check_pair(real, synthetic, tables=True, allow_nan=True)
    low, high, usable = feature_ranges(real)
    p = _frequencies(binned_counts(real, low, high, n_bins))
    q = _frequencies(binned_counts(synthetic, low, high, n_bins))
    tvc = 1.0 - 0.5 * np.abs(p - q).sum(axis=1)
    return _mean_result("tv_complement", tvc, TV_GATE, usable)


def _frequencies(counts):
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)


def kl_similarity(real, synthetic, *, n_bins=20):
    """``exp(-KL(real || synthetic))`` per feature, from the shared histogram estimator.

    KL is estimated on ``n_bins`` equal-width bins over the real data's range, with the
    estimator's pseudo-count of 0.5 per bin (so an empty synthetic bin costs a large but
    finite penalty). 1.0 means identical histograms. Gate: > 0.80.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, seq_len, n_features) or (n_values, n_features)
        Real and synthetic sequences, or per-step tables (rows are time steps). NaN
        (a missing value) is left out: only observed values are compared.
    n_bins : int, default=20
        Equal-width bins per feature over the real data's range.

    Returns
    -------
    result : MarginalResult
        ``value`` is the mean of the per-feature similarities; ``details["kl"]`` holds the
        per-feature KL divergences in nats.

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import kl_similarity
    >>> real = make_sines(200, seq_len=24, n_features=2, random_state=0)
    >>> kl_similarity(real, real).value
    1.0
    """
    check_positive(n_bins=n_bins)
    real, synthetic = check_pair(real, synthetic, tables=True, allow_nan=True)
    low, high, usable = feature_ranges(real)
    kl = kl_per_feature(real, synthetic, n_bins=n_bins, low=low, high=high)
    return _mean_result("kl_similarity", np.exp(-kl), KL_GATE, usable, {"kl": kl})


def chi_square_test(real, synthetic, *, n_bins=20, subsample=500, alpha=P_GATE,
                    random_state=None):
    """Two-sample chi-square test of homogeneity per feature, on a fixed-size subsample.

    From each data set ``m = min(subsample, n_real, n_synthetic)`` values per feature are
    drawn: ``m`` distinct sequences, one random time step each (values within a sequence are
    strongly dependent, which would inflate the statistic). Their counts on the real data's
    bins form a 2 x ``n_bins`` contingency table; bins empty in both are dropped. The fixed
    size is what makes the test meaningful: with every value of a large data set, any tiny
    difference is "significant"; at ``m`` values, two independent draws of the same
    distribution pass (p > ``alpha``) about 95% of the time.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, seq_len, n_features) or (n_values, n_features)
        Real and synthetic sequences, or per-step tables (rows are time steps). NaN
        (a missing value) is left out: only observed values are compared.
    n_bins : int, default=20
        Equal-width bins per feature over the real data's range.
    subsample : int, default=500
        Values drawn per feature from each data set.
    alpha : float, default=0.05
        Gate on the p-values (the paper's p > 0.05).
    random_state : int, RandomState instance or None, default=None
        Seed for the subsample (the same positions are drawn in both data sets when their
        shapes match, so identical data gives p = 1).

    Returns
    -------
    result : MarginalResult
        ``per_feature`` holds the p-values, ``value`` the share of features with
        p > ``alpha``; ``passed`` is the Bonferroni verdict ``min(p) * n_features > alpha``
        (the whole set of features passes at family level ``alpha``, so real-vs-real passes
        about 95% of the time whatever the number of features). ``details`` holds the
        statistics, degrees of freedom and ``m``.

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import chi_square_test
    >>> real = make_sines(600, seq_len=24, n_features=2, random_state=0)
    >>> chi_square_test(real, real, random_state=0).value
    1.0
    """
    check_positive(n_bins=n_bins, subsample=subsample)
    real, synthetic = check_pair(real, synthetic, tables=True, allow_nan=True)
    low, high, usable = feature_ranges(real)
    m = min(subsample, real.shape[0], synthetic.shape[0])
    seed = check_random_state(random_state).randint(_MAX_SEED)
    counts = np.stack([binned_counts(_subsample_values(X, m, seed), low, high, n_bins)
                       for X in (real, synthetic)], axis=1)
    statistic, dof = homogeneity_statistic(counts)
    p_values = np.where(usable, stats.chi2.sf(statistic, np.maximum(dof, 1)), np.nan)
    p_values = np.where(usable & (dof == 0), 1.0, p_values)
    finite = p_values[np.isfinite(p_values)]
    passed = finite.size == 0 or finite.min() * finite.size > alpha
    return MarginalResult(
        name="chi_square", value=float(np.mean(finite > alpha)) if finite.size else 1.0,
        per_feature=p_values, threshold=alpha, passed=bool(passed),
        feature_passed=~(p_values <= alpha),
        details={"statistic": statistic, "dof": dof, "subsample": m})


def _subsample_values(X, m, seed):
    """``m`` values per feature: distinct sequences, one random step each."""
    rng = np.random.default_rng(seed)
    sequences = rng.permutation(X.shape[0])[:m]
    steps = rng.integers(X.shape[1], size=m)
    return as_feature_columns(X[sequences, steps])


def homogeneity_statistic(counts):
    """Pearson's chi-square statistic of homogeneity for stacked contingency tables.

    Parameters
    ----------
    counts : ndarray of shape (n_features, n_groups, n_bins)

    Returns
    -------
    statistic : ndarray of shape (n_features,)
    dof : ndarray of shape (n_features,)
        ``(n_groups - 1) * (non-empty bins - 1)``; no continuity correction.
    """
    counts = counts.astype(np.float64)
    group_totals = counts.sum(axis=2, keepdims=True)
    bin_totals = counts.sum(axis=1, keepdims=True)
    total = np.maximum(counts.sum(axis=(1, 2))[:, None, None], 1)
    expected = group_totals * bin_totals / total
    occupied = np.broadcast_to(bin_totals > 0, counts.shape)
    terms = np.divide((counts - expected) ** 2, expected, out=np.zeros_like(counts),
                      where=occupied)
    dof = (counts.shape[1] - 1) * np.maximum((bin_totals[:, 0] > 0).sum(axis=1) - 1, 0)
    return terms.sum(axis=(1, 2)), dof

"""Memorization guard: are synthetic windows closer to the training windows than new data is?

A generator that copies (or nearly copies) training windows scores well on every fidelity
metric. The distance to the closest record (DCR) exposes it: for each synthetic window, the
Euclidean distance to its nearest training window, compared with the same distance for real
windows the generator never saw. A generator that learned the distribution gives synthetic
windows about as far from the training set as held-out ones; a copier gives distances near 0.
"""

from dataclasses import dataclass

import numpy as np

from ._checks import check_pair, check_positive
from ._results import _format_as_float, json_float


@dataclass(frozen=True)
class MemorizationResult:
    """Nearest-training-window distances of synthetic and held-out real windows.

    Attributes
    ----------
    value : float
        ``median DCR(synthetic) / median DCR(holdout)``: about 1 for fresh samples of the
        same distribution, near 0 for copies of the training windows.
    threshold : float
        The gate: ``value`` must be at least this.
    passed : bool
        Whether ``value >= threshold``.
    closer_share : float
        Share of synthetic windows nearer to the training set than the 5th percentile of the
        held-out windows' distances (about 0.05 for fresh samples, 1.0 for copies).
    synthetic_dcr, holdout_dcr : ndarray
        Every synthetic / held-out window's distance to its nearest training window (after
        the per-feature scaling described in :func:`memorization_ratio`).
    """

    value: float
    threshold: float
    passed: bool
    closer_share: float
    synthetic_dcr: np.ndarray
    holdout_dcr: np.ndarray

    def __float__(self):
        return float(self.value)

    def __format__(self, spec):
        return _format_as_float(self, spec)

    def to_dict(self):
        """JSON-serialisable summary (the per-window distances are summarised by medians)."""
        return {"value": json_float(self.value), "threshold": self.threshold,
                "passed": bool(self.passed), "closer_share": json_float(self.closer_share),
                "median_synthetic_dcr": json_float(np.median(self.synthetic_dcr)),
                "median_holdout_dcr": json_float(np.median(self.holdout_dcr))}


def memorization_ratio(training, synthetic, holdout, *, threshold=0.9, chunk_size=1024):
    """Compare synthetic and held-out windows' distances to their nearest training window.

    Every window is flattened to ``seq_len * n_features`` values after each feature is
    min-max scaled by its range in ``training``, so no feature dominates by its units. The
    nearest neighbours are exact (a chunked float32 matrix product finds them, their
    distances are recomputed in float64), not approximate.

    Parameters
    ----------
    training : array-like of shape (n_training, seq_len, n_features) or (n_training, seq_len)
        The windows the generator was fitted on.
    synthetic : array-like of the same shape per window
        Generated windows.
    holdout : array-like of the same shape per window
        Real windows the generator did not see. Windows cut with a stride shorter than the
        window overlap their neighbours: leave a gap of ``seq_len - 1`` windows between
        training and holdout (as :class:`~skboltgan.model_selection.BlockedWindowSplit`
        does), or the held-out distances are too small and the guard too lenient.
    threshold : float, default=0.9
        The gate on the ratio of medians. Fresh samples give about 1; 0.9 leaves room for
        the estimate's sampling noise on a few hundred windows.
    chunk_size : int, default=1024
        Query windows per matrix product; bounds memory at ``chunk_size * n_training``
        floats.

    Returns
    -------
    result : MemorizationResult
        ``float(result)`` is the ratio; ``result.passed`` the gate.

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import memorization_ratio
    >>> train = make_sines(300, seq_len=12, n_features=2, random_state=0)
    >>> holdout = make_sines(100, seq_len=12, n_features=2, random_state=1)
    >>> memorization_ratio(train, train[:100], holdout).passed  # copies fail
    False
    >>> fresh = make_sines(100, seq_len=12, n_features=2, random_state=2)
    >>> memorization_ratio(train, fresh, holdout).passed
    True
    """
    training, synthetic = check_pair(training, synthetic)
    _, holdout = check_pair(training, holdout)
    check_positive(chunk_size=chunk_size)
    low, high = training.min(axis=(0, 1)), training.max(axis=(0, 1))
    span = np.where(high > low, high - low, 1.0)  # a constant feature adds no distance

    def flat(X):
        return ((X - low) / span).reshape(len(X), -1)

    reference = flat(training)
    synthetic_dcr = nearest_distances(flat(synthetic), reference, chunk_size)
    holdout_dcr = nearest_distances(flat(holdout), reference, chunk_size)
    holdout_median = np.median(holdout_dcr)
    ratio = np.median(synthetic_dcr) / holdout_median if holdout_median > 0 else np.inf
    closer = float(np.mean(synthetic_dcr < np.percentile(holdout_dcr, 5)))
    return MemorizationResult(value=float(ratio), threshold=threshold,
                              passed=bool(ratio >= threshold), closer_share=closer,
                              synthetic_dcr=synthetic_dcr, holdout_dcr=holdout_dcr)


def nearest_distances(queries, reference, chunk_size=1024):
    """Euclidean distance from each row of ``queries`` to its nearest row of ``reference``.

    The neighbour is found in float32 with ``|q - r|^2 = |q|^2 + |r|^2 - 2 q.r``, one matrix
    product per chunk of queries; its distance is then recomputed directly in float64, so
    rounding in the product (which can even turn an exact copy's 0 into a small positive
    number) never reaches the result.
    """
    reference = np.asarray(reference, dtype=np.float64)
    search = reference.astype(np.float32)
    ref_sq = np.einsum("ij,ij->i", search, search)
    out = np.empty(len(queries))
    for start in range(0, len(queries), chunk_size):
        q = np.asarray(queries[start:start + chunk_size], dtype=np.float64)
        q32 = q.astype(np.float32)
        sq = ref_sq[None, :] - 2 * (q32 @ search.T)  # |q|^2 is the same for every r
        nearest = reference[sq.argmin(axis=1)]
        out[start:start + len(q)] = np.sqrt(((q - nearest) ** 2).sum(axis=1))
    return out

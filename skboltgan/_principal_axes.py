"""The networks' coordinates for features that move together: principal axes in [-1, 1].

Scaled one feature at a time, a near-exact relation between features is invisible to the
discriminator: stock prices (Open, High, Low, Close) differ from one another by a few
thousandths of their range, and a generator whose prices disagree by a few hundredths
passes unnoticed in training, while a post-hoc classifier that learns the difference tells
its windows from real ones. On the principal axes of such a group of (already [-1,
1]-scaled) features, the relation is an axis of its own, stretched to the full [-1, 1]
range like any other: the discriminator judges it at the scale it has in the data, and the
generator must keep it. The map is linear and invertible, so generated windows go back.

Only groups of features correlated at least ``CORRELATED`` are rotated. Rotating every
feature hurt where features are independent or only loosely related (one seed each of
``benchmarks/ablation_quality.py``'s variant ``defaults-whiten``, 10 post-hoc classifiers):
sines, five independent waves that rotation mixes, scored 0.059 against the unrotated
defaults' 0.028 (5 seeds), energy 0.394 against 0.339 (3 seeds).
"""

import numpy as np
from scipy.sparse.csgraph import connected_components

# Correlation from which features count as moving together. Stocks' prices correlate
# 0.9997 or more; next to them energy's closest pair (two identical random columns aside)
# correlates 0.975, sines' independent waves 0.01.
CORRELATED = 0.99


class PrincipalAxes:
    """Rotate groups of correlated ``columns`` onto their principal axes, and back.

    Parameters
    ----------
    columns : ndarray of int
        The columns (last axis) that are rotated; the others pass through.
    mean : ndarray of shape (n_columns,)
        Their mean, subtracted before rotating.
    axes : ndarray of shape (n_columns, n_columns)
        The axes as rows: each group of correlated columns' principal axes, largest
        variance first, and every other column as an axis of its own.
    low, high : ndarray of shape (n_columns,)
        Range of the data along each axis, mapped to [-1, 1].
    column_low, column_high : ndarray of shape (n_columns,)
        Range of each column, which :meth:`inverse_transform` keeps to.
    """

    def __init__(self, columns, mean, axes, low, high, column_low, column_high):
        self.columns = np.asarray(columns, dtype=int)
        self.mean, self.axes = np.asarray(mean), np.asarray(axes)
        self.low, self.high = np.asarray(low), np.asarray(high)
        self.column_low, self.column_high = np.asarray(column_low), np.asarray(column_high)
        # An axis along which the data never vary keeps its value. Two identical features
        # (stocks' Close and Adj Close, energy's rv1 and rv2) differ only by rounding along
        # theirs, which is stretched to [-1, 1] like any axis and adds nothing rotated back.
        # Feeding that axis as a constant 0 instead scored worse (energy, seed 0: 0.444
        # against 0.316; benchmarks/results/energy_predictive_diagnosis.txt).
        spread = self.high - self.low
        self._spread = np.where(spread > 0, spread, 1.0)

    @classmethod
    def fit(cls, chunks, columns):
        """Learn the axes from ``chunks()``, a function returning an iterable of arrays
        ``(..., n_features)`` (two passes: covariance, then the range along each axis).

        Returns None when no two of ``columns`` are correlated at least ``CORRELATED``.
        """
        columns = np.asarray(columns, dtype=int)
        count, total, products = 0, 0.0, 0.0
        column_low, column_high = np.full(len(columns), np.inf), np.full(len(columns), -np.inf)
        for chunk in chunks():
            rows = chunk[..., columns].reshape(-1, len(columns)).astype(np.float64)
            count += len(rows)
            total = total + rows.sum(axis=0)
            products = products + rows.T @ rows
            column_low = np.minimum(column_low, rows.min(axis=0))
            column_high = np.maximum(column_high, rows.max(axis=0))
        mean = total / count
        axes = _group_axes(products / count - np.outer(mean, mean))
        if axes is None:
            return None
        low, high = np.full(len(columns), np.inf), np.full(len(columns), -np.inf)
        for chunk in chunks():
            projected = (chunk[..., columns].reshape(-1, len(columns)) - mean) @ axes.T
            low = np.minimum(low, projected.min(axis=0))
            high = np.maximum(high, projected.max(axis=0))
        return cls(columns, mean, axes, low, high, column_low, column_high)

    def transform(self, X):
        """``X`` with ``columns`` replaced by the data's coordinates on the axes, in [-1, 1]."""
        out = np.array(X, dtype=np.float64)
        projected = (out[..., self.columns] - self.mean) @ self.axes.T
        out[..., self.columns] = 2 * (projected - self.low) / self._spread - 1
        return out

    def inverse_transform(self, X):
        """Undo :meth:`transform`, keeping each column within its range in ``fit``.

        The box of ranges along the axes holds points beyond the data's ranges (a corner of
        a long, thin cloud's box): generated values there are clipped, so a generator's
        samples stay within the fitted range of every feature, as without rotation.
        """
        out = np.array(X, dtype=np.float64)
        projected = (out[..., self.columns] + 1) / 2 * self._spread + self.low
        out[..., self.columns] = np.clip(projected @ self.axes + self.mean,
                                         self.column_low, self.column_high)
        return out

    @property
    def minor_axes(self):
        """The columns whose coordinate lies along a group's lesser principal axes: the
        small differences between features that move together (stock prices' spreads, the
        rounding between two copies), each stretched to full range."""
        n_groups, group_of = connected_components(self.axes != 0, directed=False)
        leading = [np.flatnonzero(group_of == group)[0] for group in range(n_groups)]
        return np.setdiff1d(self.columns, self.columns[leading])

    def to_arrays(self):
        """The state as plain arrays (for a model file)."""
        return {"columns": self.columns, "mean": self.mean, "axes": self.axes,
                "low": self.low, "high": self.high, "column_low": self.column_low,
                "column_high": self.column_high}


def _group_axes(covariance):
    """Rows: for each group of features linked by correlations of at least
    ``CORRELATED``, its principal axes (largest variance first); every other feature is
    its own axis. None when there is no such group."""
    std = np.sqrt(np.clip(np.diag(covariance), 0, None))
    # A constant feature's variance and covariances are rounding errors, whose ratio can
    # be anything: it correlates with nothing.
    varies = std > 1e-6 * std.max(initial=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        correlation = covariance / np.outer(std, std)
    linked = (np.nan_to_num(np.abs(correlation)) >= CORRELATED) & np.outer(varies, varies)
    n_groups, group_of = connected_components(linked, directed=False)
    if n_groups == len(covariance):
        return None
    axes = np.eye(len(covariance))
    for group in range(n_groups):
        members = np.flatnonzero(group_of == group)
        if len(members) > 1:
            variances, vectors = np.linalg.eigh(covariance[np.ix_(members, members)])
            axes[np.ix_(members, members)] = vectors[:, np.argsort(variances)[::-1]].T
    return axes

"""Cross-validation for overlapping windows: folds that share no time step.

Two leakage-free recipes (see the user guide on preprocessing):

- raw series: put :class:`~skboltgan.preprocessing.SlidingWindowTransformer` first in the
  pipeline and split the raw rows with :class:`sklearn.model_selection.TimeSeriesSplit`
  (contiguous train and validation blocks, windowed separately);
- windows already cut: split them with :class:`BlockedWindowSplit`, which drops from
  training every window that shares a time step with a validation window.
"""

from numbers import Integral

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils.validation import _num_samples

__all__ = ["BlockedWindowSplit"]


class BlockedWindowSplit(BaseCrossValidator):
    """K-fold over windows in time order that never shares a time step across a split.

    Overlapping windows of one series (e.g. from
    :class:`~skboltgan.preprocessing.SlidingWindowTransformer` with ``stride < window``)
    leak across ordinary (shuffled) K-fold: a validation window shares up to ``window - 1``
    time steps with its neighbours in training. Here each validation fold is a contiguous
    block of windows, and the ``(window - 1) // stride`` windows on either side of the block
    — exactly those that overlap it — are left out of training (a purge gap).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    window : int, default=24
        Time steps per window, as used to cut the windows.
    stride : int, default=1
        Steps between the starts of consecutive windows, as used to cut them.

    See Also
    --------
    sklearn.model_selection.TimeSeriesSplit : split a raw series before windowing.

    Notes
    -----
    The windows must be in time order (as ``SlidingWindowTransformer`` returns them). For
    windows of several series concatenated, the purge also removes a few windows next to
    series boundaries that do not overlap; the folds stay leakage-free.

    Examples
    --------
    >>> import numpy as np
    >>> from skboltgan.model_selection import BlockedWindowSplit
    >>> windows = np.zeros((10, 3, 1))  # 10 windows of 3 steps, stride 1
    >>> for train, test in BlockedWindowSplit(n_splits=2, window=3).split(windows):
    ...     print(train, test)
    [7 8 9] [0 1 2 3 4]
    [0 1 2] [5 6 7 8 9]
    """

    def __init__(self, n_splits=5, *, window=24, stride=1):
        self.n_splits = n_splits
        self.window = window
        self.stride = stride

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of folds.

        Parameters
        ----------
        X, y, groups : object
            Ignored.

        Returns
        -------
        n_splits : int
        """
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Yield train and validation indices of each fold.

        Parameters
        ----------
        X : array-like of shape (n_windows, window, n_features)
            Windows in time order.
        y, groups : object
            Ignored.

        Yields
        ------
        train : ndarray
            Training window indices, purged of windows that overlap the validation block.
        test : ndarray
            Validation window indices, one contiguous block.
        """
        self._check_params()
        n_windows = _num_samples(X)
        purge = (self.window - 1) // self.stride
        for start, stop in self._blocks(n_windows):
            train = np.r_[0:max(start - purge, 0), min(stop + purge, n_windows):n_windows]
            if train.size == 0:
                raise ValueError(
                    f"A validation block of {stop - start} windows and its purge gap of "
                    f"{purge} windows on each side leave no training windows; use fewer "
                    "folds, a larger stride or more data."
                )
            yield train, np.arange(start, stop)

    def _check_params(self):
        for name, low in (("n_splits", 2), ("window", 1), ("stride", 1)):
            value = getattr(self, name)
            if not isinstance(value, Integral) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}.")

    def _blocks(self, n_windows):
        if self.n_splits > n_windows:
            raise ValueError(f"Cannot have n_splits={self.n_splits} greater than the number "
                             f"of windows ({n_windows}).")
        sizes = np.full(self.n_splits, n_windows // self.n_splits)
        sizes[:n_windows % self.n_splits] += 1
        stops = np.cumsum(sizes)
        return zip(stops - sizes, stops)

"""Spread calibration: give the weight-averaged generator's windows the data's spreads.

Averaging a generator's weights over its last updates (``ema_decay``) evens out the GAN's
oscillation, but an average of networks is not an average of their outputs. On the energy
data the averaged generator's window levels spread about 5% less than the data's, and
within each window most features moved more than in real windows (the spiky appliance
loads less). Drawn towards typical levels, the samples sat nearer every real window,
held-out ones too, and 18 to 24% of them lay nearer a training window than 95% of
held-out windows do, with no copying. Stochastic weight averaging meets the same kind of
shift in its batch-norm statistics and recomputes them after averaging; this recalibrates
the samples instead, for each numeric feature (in the scaled space, after any principal
axes are turned back): it stretches the window levels (each window's mean over its steps)
to the training windows' standard deviation of levels, and the steps' deviations from
their window's level to the training windows' pooled standard deviation of deviations,
keeping the overall mean. Two numbers per feature, fitted once at the end of ``fit``. In
the screen (two seeds each, ``docs/ablation.rst``) one stretch for both spreads worsened
the stock samples and stretching the levels alone left energy's guard where it was.
"""

import numpy as np

_NO_SPREAD = 1e-9


class SpreadCalibration:
    """Per-feature stretch of window levels and of the steps' deviations from them.

    ``level * level_scale + shift + (window - level) * within_scale``, with ``level`` each
    window's mean over its steps, clipped to [-1, 1], on the leading ``len(shift)``
    features (the numeric ones); the rest are left as drawn.

    Parameters
    ----------
    level_scale, within_scale, shift : ndarray of shape (n_numeric,)
    """

    def __init__(self, level_scale, within_scale, shift):
        self.level_scale = np.asarray(level_scale, dtype=np.float64)
        self.within_scale = np.asarray(within_scale, dtype=np.float64)
        self.shift = np.asarray(shift, dtype=np.float64)

    @classmethod
    def fit(cls, generated, data):
        """Map the moments of ``generated``'s features onto ``data``'s.

        Parameters
        ----------
        generated : ndarray of shape (n_windows, seq_len, n_numeric)
            The generator's windows, numeric features in the scaled space.
        data : callable
            Returns an iterator over chunks of the training windows, alike (called twice).
        """
        generated_spreads, data_spreads = _spreads(lambda: [generated]), _spreads(data)
        # A spread the generator does not produce (a constant, up to rounding in the scaled
        # space's [-1, 1]) cannot be stretched: keep it.
        level_scale, within_scale = (
            np.divide(wanted, got, out=np.ones_like(got), where=got > _NO_SPREAD)
            for wanted, got in zip(data_spreads[1:], generated_spreads[1:]))
        shift = data_spreads[0] - generated_spreads[0] * level_scale
        return cls(level_scale, within_scale, shift)

    def transform(self, generated):
        """Calibrated copy of ``generated`` (n_windows, seq_len, n_features), each
        calibrated feature kept within the scaled space's [-1, 1]: samples stay within the
        range every feature had in ``fit`` (a stretch must not make a count negative)."""
        n = len(self.shift)
        out = np.array(generated, dtype=np.float64)
        level = out[..., :n].mean(axis=1, keepdims=True)
        out[..., :n] = np.clip(level * self.level_scale + self.shift
                               + (out[..., :n] - level) * self.within_scale, -1.0, 1.0)
        return out

    def to_arrays(self):
        return {"level_scale": self.level_scale, "within_scale": self.within_scale,
                "shift": self.shift}


def _spreads(chunks):
    """Per feature, in float64: the mean, the standard deviation of window levels (means
    over steps), and the standard deviation of the steps' deviations from their level.

    ``chunks()`` gives the windows a chunk at a time, twice (one pass for the mean, one for
    the spreads), so a large training set is never held whole in float64.
    """
    n_windows = n_values = 0
    total = 0.0
    for chunk in chunks():
        chunk = np.asarray(chunk, dtype=np.float64)
        n_windows, n_values = n_windows + len(chunk), n_values + chunk.shape[0] * chunk.shape[1]
        total = total + chunk.sum(axis=(0, 1))
    mean = total / n_values
    level_squares = within_squares = 0.0
    for chunk in chunks():
        chunk = np.asarray(chunk, dtype=np.float64)
        level = chunk.mean(axis=1, keepdims=True)
        level_squares = level_squares + ((level - mean) ** 2).sum(axis=(0, 1))
        within_squares = within_squares + ((chunk - level) ** 2).sum(axis=(0, 1))
    return mean, np.sqrt(level_squares / n_windows), np.sqrt(within_squares / n_values)

"""Input checks shared by the metrics: a pair of real and synthetic data sets."""

import numpy as np

from .._validation import check_sequences


def check_pair(real, synthetic, *, tables=False, allow_nan=False):
    """Validate ``real`` and ``synthetic`` and return them as 3D float arrays.

    With ``tables=True`` a 2D array is a per-step table ``(n_values, n_features)`` (returned
    as ``(n_values, 1, n_features)``), the reading used by the marginal metrics, and the two
    sides may differ in length; otherwise a 2D array is a batch of univariate sequences, as
    everywhere else in the package, and both sides must have sequences of the same length.
    ``allow_nan`` lets missing values (NaN, not inf) through.
    """
    real = _as_sequences(real, "real", tables, allow_nan)
    synthetic = _as_sequences(synthetic, "synthetic", tables, allow_nan)
    if real.shape[2] != synthetic.shape[2]:
        raise ValueError(
            f"real has {real.shape[2]} features but synthetic has {synthetic.shape[2]}; "
            "compare data sets with the same features in the same order."
        )
    if not tables and real.shape[1] != synthetic.shape[1]:
        raise ValueError(
            f"real sequences have {real.shape[1]} time steps but synthetic ones have "
            f"{synthetic.shape[1]}; compare windows of the same length (window the series "
            "with the same SlidingWindowTransformer, or sample with the same seq_len)."
        )
    return real, synthetic


def _as_sequences(X, name, tables, allow_nan):
    if tables and np.ndim(X) == 2:
        X = np.asarray(X.to_numpy() if hasattr(X, "to_numpy") else X)[:, np.newaxis, :]
    return check_sequences(X, name=name, allow_nan=allow_nan)


def check_positive(**values):
    """Raise a clear error unless every keyword value is a positive int."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}.")

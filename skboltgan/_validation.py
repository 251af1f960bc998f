"""Shape and value checks shared by every estimator and metric.

One convention everywhere: sequences are ``(n_sequences, seq_len, n_features)``; a 2D array
``(n_sequences, seq_len)`` is a batch of univariate sequences (tslearn's convention).
"""

import numbers

import numpy as np
from scipy import sparse


def check_sequences(X, *, name="X", min_sequences=1, allow_nan=False, dtype=np.float64):
    """Return ``X`` as a finite 3D float array, or raise a message that says how to fix it.

    Parameters
    ----------
    X : array-like of shape (n_sequences, seq_len, n_features) or (n_sequences, seq_len)
        Sequences; 2D input means univariate sequences.
    name : str, default="X"
        Name used in error messages.
    min_sequences : int, default=1
        Fewest sequences accepted.
    allow_nan : bool, default=False
        Whether NaN values pass (inf never does).
    dtype : numpy dtype, default=np.float64
        Output dtype.

    Returns
    -------
    X : ndarray of shape (n_sequences, seq_len, n_features)
    """
    X = _as_float_array(X, name, dtype)
    _check_not_empty(X, name)
    if X.ndim == 2:
        X = X[:, :, np.newaxis]
    if X.ndim != 3:
        raise ValueError(
            f"{name} must be 3D (n_sequences, seq_len, n_features) or 2D (n_sequences, "
            f"seq_len) for univariate sequences; got an array of shape {X.shape}. A long "
            "series of shape (n_timesteps, n_features) must be cut into windows first, e.g. "
            "with skboltgan.preprocessing.SlidingWindowTransformer."
        )
    if X.shape[0] < min_sequences:
        raise ValueError(
            f"{name} has n_samples={X.shape[0]} sequences but at least {min_sequences} are "
            "needed (one batch); pass more sequences (e.g. a smaller window stride) or lower "
            "batch_size."
        )
    _check_finite(X, name, allow_nan)
    return X


def _as_float_array(X, name, dtype):
    if hasattr(X, "to_numpy") and not isinstance(X, np.ndarray):
        X = X.to_numpy()
    if isinstance(X, (list, tuple)):
        lengths = {np.shape(x) for x in X}
        if len(lengths) > 1:
            raise ValueError(
                f"{name} holds sequences of different shapes {sorted(lengths)[:3]}; ragged "
                "sequences are not supported: cut them to one length (e.g. with "
                "SlidingWindowTransformer) or pad them."
            )
    if sparse.issparse(X):
        raise TypeError(f"{name} is a sparse matrix, but dense data is required; convert it "
                        "with X.toarray().")
    X = np.asarray(X)
    if X.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {name} has dtype {X.dtype}; pass its "
                         "real part or magnitude.")
    try:
        return X.astype(dtype, copy=False)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"{name} has dtype {X.dtype} with values that are not numbers ({exc}); encode "
            "strings or objects as numbers first (e.g. with sklearn.preprocessing."
            "OrdinalEncoder on the 2D series)."
        ) from exc


def _check_not_empty(X, name):
    # Worded like scikit-learn's own message, which its common checks look for.
    if X.ndim >= 1 and X.shape[0] == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of "
                         f"1 is required: {name} holds no sequences.")
    if X.ndim >= 2 and 0 in X.shape[1:]:
        raise ValueError(f"Found array with 0 feature(s) (shape={X.shape}) while a minimum "
                         f"of 1 is required: {name} has no time steps or no features.")


def _check_finite(X, name, allow_nan):
    bad = ~np.isfinite(X) if not allow_nan else np.isinf(X)
    if not bad.any():
        return
    what = "NaN or infinite" if not allow_nan else "infinite"
    features = np.flatnonzero(bad.reshape(-1, X.shape[-1]).any(axis=0)).tolist()
    raise ValueError(
        f"{name} contains {int(bad.sum())} {what} values in features {features}; remove or "
        "impute them first, e.g. with sklearn.impute.SimpleImputer on the 2D series before "
        "windowing."
    )


def check_n_samples(n_samples, name="n_samples"):
    """Validate a requested number of sequences (``name`` is the parameter, for the error)."""
    if isinstance(n_samples, (bool, np.bool_)) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(n_samples).__name__}.")
    if n_samples < 1:
        raise ValueError(f"{name} must be at least 1, got {n_samples}.")
    return int(n_samples)

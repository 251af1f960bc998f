"""Categorical features: one-hot columns for the networks, category values for the user.

The networks see every numeric feature scaled to [-1, 1] (the generator's tanh range)
followed by one one-hot group per categorical feature. The generator emits each group
through a straight-through Gumbel-softmax (``_networks.py``): its forward values are exact
one-hot vectors, like the real data's, so the discriminator cannot tell real from fake by
one-hot against soft values; its gradients are those of the softmax.
"""

import numpy as np


class CategoricalLayout:
    """Where each feature lives in the networks' space, and the categories it can take.

    Parameters
    ----------
    n_features : int
        Features of the data.
    categorical : sequence of int
        Indices of the categorical features, ascending.
    categories : list of ndarray
        The values each categorical feature took in ``fit``, sorted.
    """

    def __init__(self, n_features, categorical, categories):
        self.n_features = int(n_features)
        self.categorical = np.asarray(categorical, dtype=int)
        self.categories = [np.asarray(c, dtype=float) for c in categories]
        self.numeric = np.setdiff1d(np.arange(self.n_features), self.categorical)

    @classmethod
    def fit(cls, X, categorical):
        """Learn the categories of the ``categorical`` features of windows ``X``."""
        categorical = np.asarray(categorical, dtype=int)
        categories = [np.unique(X[..., j]) for j in categorical]
        return cls(X.shape[2], categorical, categories)

    @property
    def group_sizes(self):
        """One-hot width of each categorical feature, in order."""
        return tuple(len(c) for c in self.categories)

    @property
    def n_network_features(self):
        return len(self.numeric) + sum(self.group_sizes)

    def encode(self, scaled, X):
        """Network input: the numeric features of ``scaled``, then one-hot of ``X``'s codes."""
        parts = [scaled[..., self.numeric]]
        for j, values in zip(self.categorical, self.categories):
            index = np.searchsorted(values, X[..., j])
            unseen = (index >= len(values)) | (values[np.minimum(index, len(values) - 1)]
                                               != X[..., j])
            if unseen.any():
                raise ValueError(
                    f"Feature {j} holds values the synthesizer never saw in fit (e.g. "
                    f"{X[..., j][unseen][0]!r}); its categories are {values.tolist()}.")
            parts.append(np.eye(len(values), dtype=scaled.dtype)[index])
        return np.concatenate(parts, axis=-1)

    def decode(self, generated, to_data_units):
        """Data-unit windows from network output: numeric features mapped back by
        ``to_data_units`` (called on all features, categorical ones as zeros), each
        one-hot group replaced by its category."""
        n_numeric = len(self.numeric)
        full = np.zeros(generated.shape[:-1] + (self.n_features,))
        full[..., self.numeric] = generated[..., :n_numeric]
        out = to_data_units(full)
        start = n_numeric
        for j, values in zip(self.categorical, self.categories):
            group = generated[..., start:start + len(values)]
            out[..., j] = values[group.argmax(axis=-1)]
            start += len(values)
        return out


def check_categorical_features(categorical_features, n_features):
    """Indices (ascending) from None, a list of indices or a boolean mask."""
    if categorical_features is None:
        return np.zeros(0, dtype=int)
    values = np.asarray(categorical_features)
    if values.size == 0:
        return np.zeros(0, dtype=int)
    if values.dtype == bool:
        if values.shape != (n_features,):
            raise ValueError(f"categorical_features as a boolean mask needs one entry per "
                             f"feature ({n_features}); got shape {values.shape}.")
        return np.flatnonzero(values)
    if values.ndim != 1 or values.dtype.kind not in "iu":
        raise ValueError("categorical_features must be None, a list of feature indices or a "
                         f"boolean mask; got {categorical_features!r}.")
    if values.size and (values.min() < 0 or values.max() >= n_features):
        raise ValueError(f"categorical_features {values.tolist()} must index the "
                         f"{n_features} features (0 to {n_features - 1}).")
    if len(np.unique(values)) != len(values):
        raise ValueError(f"categorical_features {values.tolist()} lists a feature twice.")
    return np.sort(values)

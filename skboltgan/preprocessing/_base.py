"""Shared pieces of the preprocessing transformers."""

import numpy as np
from sklearn.base import OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._set_output import _wrap_data_with_container


def _ndim(X):
    # ``np.ndim`` would go through ``__array_function__``, which array-likes may refuse.
    return X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim


class _ArrayOutput3DMixin(OneToOneFeatureMixin, TransformerMixin, auto_wrap_output_keys=None):
    """``set_output`` for transformers whose output may be 3D.

    scikit-learn wraps every ``transform`` output in the configured container, which fails
    for 3D windows. Here ``transform`` wraps 2D output itself and returns 3D output as an
    ndarray (a DataFrame cannot hold windows).
    """

    def __init_subclass__(cls, **kwargs):
        kwargs.pop("auto_wrap_output_keys", None)
        super().__init_subclass__(auto_wrap_output_keys=None, **kwargs)
        # Declares ``set_output`` support without sklearn's automatic wrapping of transform.
        cls._sklearn_auto_wrap_output_keys = {"transform"}

    def _wrap_2d(self, out, X):
        if out.ndim != 2:
            return out
        return _wrap_data_with_container("transform", out, X, self)

    def fit_transform(self, X, y=None, **fit_params):
        """Fit to ``X``, then transform it.

        Parameters
        ----------
        X : array-like
            Input of :meth:`fit`.
        y : None
            Ignored.
        **fit_params : dict
            Passed to :meth:`fit`.

        Returns
        -------
        X_new : ndarray or DataFrame
            Output of :meth:`transform`.
        """
        return self.fit(X, y, **fit_params).transform(X)

"""Downstream utility: train on synthetic, test on real (TSTR), beside train on real."""

from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import (average_precision_score, mean_absolute_error, r2_score,
                             roc_auc_score, root_mean_squared_error)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, label_binarize

from .._validation import check_sequences
from ._results import json_float

#: Training sets compared, in report order.
TRAINING_SETS = ("real", "synthetic", "real+synthetic")


@dataclass(frozen=True)
class UtilityResult:
    """Scores on the real test set of one estimator trained three ways.

    Attributes
    ----------
    task : {"classification", "regression"}
    scores : dict of str to dict of str to float
        ``scores[training_set][metric]`` for the training sets ``"real"`` (the
        train-on-real reference), ``"synthetic"`` (TSTR) and ``"real+synthetic"``
        (augmentation); metrics ``auroc`` and ``auprc``, or ``r2``, ``rmse`` and ``mae``.
    """

    task: str
    scores: dict

    def to_dict(self):
        """JSON-serialisable dict."""
        return {"task": self.task,
                "scores": {k: {m: json_float(v) for m, v in s.items()}
                           for k, s in self.scores.items()}}


def tstr_score(real_train, synthetic, real_test, *, task="classification", estimator=None,
               y_real_train=None, y_synthetic=None, y_real_test=None):
    """Train on synthetic (and on real + synthetic), test on real, beside train on real.

    How ``(X, y)`` pairs are formed from sequences ``(n, seq_len, n_features)``:

    * with labels (``y_*``, one per sequence; required for classification): the features
      are the flattened sequences, ``X.reshape(n, -1)``, and the targets the labels;
    * regression without labels: one-step-ahead forecasting of the last feature — the
      features are every feature at steps ``0..seq_len-2`` (flattened) and the target is
      the last feature at the last step.

    The same (cloned) estimator is fitted on the real training set, the synthetic set and
    both together, and each fit is scored on ``real_test``.

    Parameters
    ----------
    real_train, synthetic, real_test : array-like of shape (n, seq_len, n_features) or (n, seq_len)
        Real training sequences, synthetic sequences and held-out real test sequences.
    task : {"classification", "regression"}, default="classification"
        Classification reports AUROC and AUPRC (macro one-vs-rest for more than two
        classes); regression reports R², RMSE and MAE.
    estimator : estimator, default=None
        Any scikit-learn estimator taking 2D features (with ``predict_proba`` for
        classification). By default ``StandardScaler`` followed by ``LogisticRegression``
        (classification) or ``RidgeCV`` (regression).
    y_real_train, y_synthetic, y_real_test : array-like of shape (n,), default=None
        Labels or targets of each set (e.g. ``y_synthetic`` as passed to
        ``BoltGANSynthesizer.sample(n, y=...)``).

    Returns
    -------
    result : UtilityResult
        ``result.scores["synthetic"]["auroc"]`` is TSTR; ``result.scores["real"]`` the
        train-on-real reference.

    Examples
    --------
    >>> import numpy as np
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import tstr_score
    >>> real = make_sines(300, seq_len=12, n_features=2, random_state=0)
    >>> synthetic = make_sines(300, seq_len=12, n_features=2, random_state=1)
    >>> result = tstr_score(real[:200], synthetic, real[200:], task="regression")
    >>> sorted(result.scores)
    ['real', 'real+synthetic', 'synthetic']
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression'; got {task!r}.")
    sets = [_supervised(X, y, task, name) for X, y, name in (
        (real_train, y_real_train, "real_train"), (synthetic, y_synthetic, "synthetic"),
        (real_test, y_real_test, "real_test"))]
    _check_same_width(sets)
    (X_real, y_real), (X_synth, y_synth), (X_test, y_test) = sets
    training = {"real": (X_real, y_real), "synthetic": (X_synth, y_synth),
                "real+synthetic": (np.concatenate([X_real, X_synth]),
                                   np.concatenate([y_real, y_synth]))}
    estimator = _default_estimator(task) if estimator is None else estimator
    score = _classification_scores if task == "classification" else _regression_scores
    classes = np.unique(np.concatenate([y_real, y_synth, y_test]))
    scores = {name: score(clone(estimator).fit(X, y), X_test, y_test, classes)
              for name, (X, y) in training.items()}
    return UtilityResult(task=task, scores=scores)


def _supervised(X, y, task, name):
    X = check_sequences(X, name=name)
    if y is not None:
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y_{name} must hold one label per sequence ({X.shape[0]}); got "
                             f"shape {y.shape}.")
        return X.reshape(len(X), -1), y
    if task == "classification":
        raise ValueError(f"task='classification' needs labels: pass y_{name} (one per "
                         "sequence), or use task='regression' to forecast the last feature.")
    if X.shape[1] < 2:
        raise ValueError(f"{name} has seq_len 1; forecasting the last step needs at least 2 "
                         "steps (or pass regression targets as y_*).")
    return X[:, :-1].reshape(len(X), -1), X[:, -1, -1]


def _check_same_width(sets):
    widths = {X.shape[1] for X, _ in sets}
    if len(widths) > 1:
        raise ValueError("real_train, synthetic and real_test must have the same seq_len and "
                         f"n_features; their flattened widths are {[X.shape[1] for X, _ in sets]}.")


def _default_estimator(task):
    if task == "classification":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return make_pipeline(StandardScaler(), RidgeCV())


def _aligned_proba(model, X, classes):
    """Class probabilities in the order of ``classes`` (0 for a class the model never saw)."""
    proba = model.predict_proba(X)
    aligned = np.zeros((len(X), len(classes)))
    aligned[:, np.searchsorted(classes, model.classes_)] = proba
    return aligned


def _classification_scores(model, X, y, classes):
    proba = _aligned_proba(model, X, classes)
    if len(classes) == 2:
        positive = y == classes[1]
        return {"auroc": roc_auc_score(positive, proba[:, 1]),
                "auprc": average_precision_score(positive, proba[:, 1])}
    indicator = label_binarize(y, classes=classes)
    return {"auroc": roc_auc_score(indicator, proba, average="macro"),
            "auprc": average_precision_score(indicator, proba, average="macro")}


def _regression_scores(model, X, y, classes):
    predicted = model.predict(X)
    return {"r2": r2_score(y, predicted), "rmse": root_mean_squared_error(y, predicted),
            "mae": mean_absolute_error(y, predicted)}

"""Small result objects returned by the metrics: values, uncertainty and the paper's gates."""

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats


def json_float(value):
    """A float for JSON: NaN and infinities become None (JSON has no NaN)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _format_as_float(result, spec):
    """``f"{result:.3f}"`` formats the result's headline figure, as for a plain float."""
    return format(float(result), spec) if spec else repr(result)


@dataclass(frozen=True)
class MarginalResult:
    """A marginal-fidelity metric: overall value, per-feature values and the paper's gate.

    Attributes
    ----------
    name : str
        Metric name.
    value : float
        The overall figure (mean over features, or for the chi-square test the share of
        features whose p-value exceeds the threshold).
    per_feature : ndarray of shape (n_features,)
        One value per feature (for the chi-square test: p-values). NaN for a feature that is
        constant in the real data.
    threshold : float
        The gate (TV complement > 0.85, exp(-KL) > 0.80, p > 0.05).
    passed : bool
        Whether the overall figure passes the gate.
    feature_passed : ndarray of bool of shape (n_features,)
        Whether each feature passes the gate.
    details : dict
        Extra figures (e.g. chi-square statistics and degrees of freedom).
    """

    name: str
    value: float
    per_feature: np.ndarray
    threshold: float
    passed: bool
    feature_passed: np.ndarray
    details: dict = field(default_factory=dict)

    def __float__(self):
        return float(self.value)

    def __format__(self, spec):
        return _format_as_float(self, spec)

    def to_dict(self):
        """JSON-serialisable dict (NaN becomes None)."""
        return {
            "value": json_float(self.value),
            "threshold": self.threshold,
            "passed": bool(self.passed),
            "per_feature": [json_float(v) for v in self.per_feature],
            "feature_passed": [bool(v) for v in self.feature_passed],
            **{k: _jsonable(v) for k, v in self.details.items()},
        }


@dataclass(frozen=True)
class RepeatedScore:
    """A score averaged over repeated runs, with a 95% confidence half-width.

    Attributes
    ----------
    mean : float
        Mean over the repeats.
    ci95 : float
        Half-width of the 95% confidence interval of the mean (Student's t with
        ``n_repeats - 1`` degrees of freedom); NaN for a single repeat.
    values : tuple of float
        The score of every repeat.
    reference : RepeatedScore or None
        For the predictive score: the same protocol trained on real data (train-on-real).
    """

    mean: float
    ci95: float
    values: tuple
    reference: "RepeatedScore | None" = None

    @classmethod
    def from_values(cls, values, reference=None):
        values = np.asarray(values, dtype=np.float64)
        return cls(float(values.mean()), t_half_width(values), tuple(values.tolist()),
                   reference)

    def __float__(self):
        return float(self.mean)

    def __format__(self, spec):
        return _format_as_float(self, spec)

    def to_dict(self):
        """JSON-serialisable dict (NaN becomes None)."""
        out = {"mean": json_float(self.mean), "ci95": json_float(self.ci95),
               "values": [json_float(v) for v in self.values]}
        if self.reference is not None:
            out["reference"] = self.reference.to_dict()
        return out


def t_half_width(values, confidence=0.95):
    """Half-width of the Student-t confidence interval of the mean of ``values``."""
    n = len(values)
    if n < 2:
        return math.nan
    sem = np.std(values, ddof=1) / math.sqrt(n)
    return float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sem)


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return json_float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value

"""Fidelity and utility metrics for synthetic time series.

Marginal fidelity (:func:`tv_complement`, :func:`kl_similarity`, :func:`chi_square_test`),
dependence (:func:`autocorrelation_error`, :func:`correlation_error`), TimeGAN's temporal
protocol (:func:`discriminative_score`, :func:`predictive_score`), downstream utility
(:func:`tstr_score`), a memorization guard (:func:`memorization_ratio`), missing values
and categories (:func:`missing_rate_error`, :func:`category_frequency_error`),
scorers for model selection (:func:`make_synthesis_scorer`) and one
report with all of them (:func:`evaluate`).
"""

from ._dependence import autocorrelation_error, correlation_error
from ._marginal import chi_square_test, kl_similarity, tv_complement
from ._memorization import MemorizationResult, memorization_ratio
from ._missing import category_frequency_error, fill_missing, missing_rate_error
from ._protocol import discriminative_score, predictive_score
from ._report import EvaluationReport, evaluate
from ._results import MarginalResult, RepeatedScore
from ._scorers import make_synthesis_scorer
from ._utility import UtilityResult, tstr_score

__all__ = [
    "EvaluationReport",
    "MarginalResult",
    "MemorizationResult",
    "RepeatedScore",
    "UtilityResult",
    "autocorrelation_error",
    "category_frequency_error",
    "chi_square_test",
    "correlation_error",
    "discriminative_score",
    "evaluate",
    "fill_missing",
    "kl_similarity",
    "make_synthesis_scorer",
    "memorization_ratio",
    "missing_rate_error",
    "predictive_score",
    "tstr_score",
    "tv_complement",
]

"""``evaluate``: every applicable metric in one report (dict, Markdown and plain table)."""

import json
import logging
import time
from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from ._checks import check_pair
from ._dependence import autocorrelation_error, correlation_error
from ._marginal import chi_square_test, kl_similarity, tv_complement
from ._memorization import memorization_ratio
from ._missing import category_frequency_error, fill_missing, missing_rate_error
from ._protocol import discriminative_score, predictive_score
from ._results import json_float
from ._utility import tstr_score

logger = logging.getLogger("skboltgan")

_MAX_SEED = np.iinfo(np.int32).max
_COLUMNS = ("metric", "value", "95% CI", "reference", "gate", "pass")


@dataclass(frozen=True)
class EvaluationReport:
    """All metrics of one real/synthetic comparison.

    Attributes
    ----------
    results : dict of str to object
        Each metric's full result (``MarginalResult``, ``RepeatedScore``, ``UtilityResult``
        or float), by name.
    rows : list of dict
        The summary table: ``metric``, ``value``, ``ci95``, ``reference``, ``gate``,
        ``passed`` (None when the metric has no gate) and ``better`` (``"higher"`` or
        ``"lower"``).
    info : dict
        Shapes, options and the seconds each metric took.
    """

    results: dict
    rows: list
    info: dict

    def to_dict(self):
        """JSON-serialisable dict: ``info``, ``summary`` (the rows) and ``metrics``."""
        metrics = {name: (r.to_dict() if hasattr(r, "to_dict") else json_float(r))
                   for name, r in self.results.items()}
        summary = [{k: (json_float(v) if isinstance(v, float) else v) for k, v in row.items()}
                   for row in self.rows]
        out = {"info": self.info, "summary": summary, "metrics": metrics}
        json.dumps(out)  # fail here, not in the caller, if anything slipped through
        return out

    def _cells(self):
        return [(row["metric"] + (" (↑)" if row["better"] == "higher" else " (↓)"),
                 _number(row["value"]), _number(row["ci95"], "± "),
                 _number(row["reference"]), row["gate"] or "",
                 {True: "PASS", False: "FAIL", None: ""}[row["passed"]])
                for row in self.rows]

    def to_markdown(self):
        """The summary as a Markdown table."""
        lines = ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
        lines += ["| " + " | ".join(cells) + " |" for cells in self._cells()]
        return "\n".join(lines)

    def __str__(self):
        table = [_COLUMNS, *self._cells()]
        widths = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        shape = self.info
        head = (f"Synthetic data evaluation: {shape['n_real']} real vs "
                f"{shape['n_synthetic']} synthetic sequences of {shape['seq_len']} steps x "
                f"{shape['n_features']} features")
        return "\n".join([head, *lines])


def _number(value, prefix=""):
    if value is None or not np.isfinite(value):
        return ""
    return f"{prefix}{value:.4f}"


def _row(metric, value, better, *, ci95=None, reference=None, gate=None, passed=None):
    return {"metric": metric, "value": float(value), "ci95": ci95, "reference": reference,
            "gate": gate, "passed": None if passed is None else bool(passed), "better": better}


def evaluate(real, synthetic, *, random_state=None, n_bins=20, chi_square_subsample=500,
             temporal=True, n_repeats=1, discriminative_steps=2000, predictive_steps=5000,
             utility=True, training=None, categorical_features=None):
    """Compare synthetic with real sequences on every applicable metric, in one report.

    Marginal fidelity (TV complement, exp(-KL), chi-square, with the paper's gates),
    dependence (autocorrelation and correlation errors), TimeGAN's discriminative and
    predictive scores (with the train-on-real reference) and a TSTR forecasting task (the
    last feature's last step from the earlier steps, ridge regression, on a random 80/20
    split of ``real``). Given the ``training`` windows the generator was fitted on, it also
    runs the memorization guard (:func:`memorization_ratio`), with ``real`` as the held-out
    windows.

    Missing values (NaN) are allowed: the marginal metrics compare the observed values,
    ``missing_rate_error`` scores how often values are missing, and every other metric
    (they need complete sequences) sees the gaps filled by interpolation along time
    (:func:`fill_missing`). With ``categorical_features``, ``category_frequency_error``
    scores their label frequencies.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, seq_len, n_features) or (n, seq_len)
        Real and synthetic sequences (2D means univariate sequences).
    random_state : int, RandomState instance or None, default=None
        Seeds the chi-square subsample, the temporal protocols and the TSTR split.
    n_bins : int, default=20
        Bins per feature for the marginal metrics.
    chi_square_subsample : int, default=500
        Values per feature in the chi-square test.
    temporal : bool, default=True
        Run the discriminative and predictive scores (the slow part: about a minute at the
        protocol's step counts on 2 CPU cores). False skips them.
    n_repeats : int, default=1
        Repeats of the discriminative and predictive scores.
    discriminative_steps, predictive_steps : int, default=2000, 5000
        Adam steps of the two protocols (the published values); lower them for a quick look.
    utility : bool, default=True
        Run the TSTR forecasting task (needs ``seq_len >= 2`` and 5 real sequences).
    training : array-like of shape (n_training, seq_len, n_features), default=None
        The generator's training windows. When given, ``real`` must be held out from them
        (no shared time steps), and the report gains the ``memorization`` row.
    categorical_features : array-like of int, default=None
        Indices of features holding category codes; adds ``category_frequency_error``.

    Returns
    -------
    report : EvaluationReport
        ``report.to_dict()`` (JSON-serialisable), ``report.to_markdown()``, ``str(report)``.

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import evaluate
    >>> real = make_sines(200, seq_len=12, n_features=2, random_state=0)
    >>> synthetic = make_sines(200, seq_len=12, n_features=2, random_state=1)
    >>> report = evaluate(real, synthetic, random_state=0, temporal=False)
    >>> report.to_dict()["summary"][0]["metric"]
    'tv_complement'
    """
    real, synthetic = check_pair(real, synthetic, allow_nan=True)
    seeds = check_random_state(random_state).randint(_MAX_SEED, size=3)
    timer = _Timer()
    results, rows = {}, []
    _add_marginal(results, rows, timer, real, synthetic, n_bins, chi_square_subsample,
                  seeds[0])
    _add_missing_and_categories(results, rows, timer, real, synthetic, categorical_features)
    if training is not None:
        training = check_pair(real, training, allow_nan=True)[1]
    real, synthetic, training = _complete(real, synthetic, training)
    _add_dependence(results, rows, timer, real, synthetic)
    if temporal:
        _add_temporal(results, rows, timer, real, synthetic, n_repeats,
                      discriminative_steps, predictive_steps, seeds[1])
    if utility and real.shape[1] >= 2 and real.shape[0] >= 5:
        _add_utility(results, rows, timer, real, synthetic, seeds[2])
    if training is not None:
        _add_memorization(results, rows, timer, training, real, synthetic)
    info = {"n_real": real.shape[0], "n_synthetic": synthetic.shape[0],
            "n_training": None if training is None else len(training),
            "seq_len": real.shape[1], "n_features": real.shape[2],
            "options": {"n_bins": n_bins, "chi_square_subsample": chi_square_subsample,
                        "temporal": temporal, "n_repeats": n_repeats,
                        "discriminative_steps": discriminative_steps,
                        "predictive_steps": predictive_steps, "utility": utility},
            "seconds": timer.seconds}
    return EvaluationReport(results=results, rows=rows, info=info)


class _Timer:
    """Wall time per metric, logged and kept for the report."""

    def __init__(self):
        self.seconds = {}

    def run(self, name, function, *args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        self.seconds[name] = round(time.perf_counter() - start, 3)
        logger.info("evaluate: %s took %.2f s", name, self.seconds[name])
        return result


def _add_marginal(results, rows, timer, real, synthetic, n_bins, subsample, seed):
    for name, function, kwargs in (
            ("tv_complement", tv_complement, {}), ("kl_similarity", kl_similarity, {}),
            ("chi_square", chi_square_test, {"subsample": subsample, "random_state": seed})):
        result = timer.run(name, function, real, synthetic, n_bins=n_bins, **kwargs)
        results[name] = result
        gate = f"p > {result.threshold}" if name == "chi_square" else f"> {result.threshold}"
        rows.append(_row(name, result.value, "higher", gate=gate, passed=result.passed))


def _add_missing_and_categories(results, rows, timer, real, synthetic, categorical):
    if np.isnan(real).any() or np.isnan(synthetic).any():
        result = timer.run("missing_rate_error", missing_rate_error, real, synthetic)
        results["missing_rate_error"] = result
        rows.append(_row("missing_rate_error", result.value, "lower",
                         gate=f"<= {result.threshold}", passed=result.passed))
    if categorical is not None and len(categorical):
        result = timer.run("category_frequency_error", category_frequency_error, real,
                           synthetic, categorical)
        results["category_frequency_error"] = result
        rows.append(_row("category_frequency_error", result.value, "lower",
                         gate=f"<= {result.threshold}", passed=result.passed))


def _complete(*sets):
    """The sets (None passes through) with gaps interpolated; a feature missing in a whole
    window gets the real data's (the first set's) mean."""
    if not any(X is not None and np.isnan(X).any() for X in sets):
        return sets
    fallback = np.nan_to_num(np.nanmean(sets[0], axis=(0, 1)))
    return tuple(None if X is None else fill_missing(X, fallback) for X in sets)


def _add_dependence(results, rows, timer, real, synthetic):
    names = [("correlation_error", correlation_error)]
    if min(real.shape[1], synthetic.shape[1]) >= 2:
        names.insert(0, ("autocorrelation_error", autocorrelation_error))
    for name, function in names:
        results[name] = timer.run(name, function, real, synthetic)
        rows.append(_row(name, results[name], "lower"))


def _add_temporal(results, rows, timer, real, synthetic, n_repeats, disc_steps, pred_steps,
                  seed):
    disc = timer.run("discriminative", discriminative_score, real, synthetic,
                     n_steps=disc_steps, n_repeats=n_repeats, random_state=seed)
    results["discriminative"] = disc
    rows.append(_row("discriminative", disc.mean, "lower", ci95=disc.ci95))
    if min(real.shape[1], synthetic.shape[1]) < 2:
        return
    pred = timer.run("predictive", predictive_score, real, synthetic, n_steps=pred_steps,
                     n_repeats=n_repeats, random_state=seed)
    results["predictive"] = pred
    rows.append(_row("predictive", pred.mean, "lower", ci95=pred.ci95,
                     reference=pred.reference.mean))


def _add_utility(results, rows, timer, real, synthetic, seed):
    order = np.random.default_rng(seed).permutation(real.shape[0])
    n_train = int(0.8 * len(order))
    result = timer.run("tstr", tstr_score, real[order[:n_train]], synthetic,
                       real[order[n_train:]], task="regression")
    results["tstr"] = result
    rows.append(_row("tstr_r2", result.scores["synthetic"]["r2"], "higher",
                     reference=result.scores["real"]["r2"]))


def _add_memorization(results, rows, timer, training, holdout, synthetic):
    result = timer.run("memorization", memorization_ratio, training, synthetic, holdout)
    results["memorization"] = result
    rows.append(_row("memorization", result.value, "higher", gate=f">= {result.threshold}",
                     passed=result.passed))

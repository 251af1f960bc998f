"""Augmentation benchmark: does Bolt-GAN oversampling help a classifier on a rare event?

Task (built from the bundled UCI appliances energy data, 10-minute readings): from the last
24 readings (4 hours) of 8 sensors, predict whether the mean appliance consumption over the
next hour exceeds the 90th percentile of the training period -- a rare class (~10 %).

Protocol, with no leakage across time:

* the series is split in time (first 70 % train, last 30 % test) *before* windowing; the
  threshold is the training period's quantile; windows (stride 6) never cross the cut;
* the classifier is a standardised, L2-regularised logistic regression on flattened
  windows, trained on (a) real windows only, (b) real + Bolt-GAN oversampling (one
  class-conditional synthesizer), (c) real + one unconditional Bolt-GAN fitted on the rare
  class alone, (d) real + SMOTE on flattened windows (imbalanced-learn); every oversampler
  balances the classes (``sampling_strategy="auto"``);
* AUPRC (average precision) and AUROC on the test period, over several seeds.

The synthesizers are the package defaults (``--epochs`` overrides ``num_epochs="auto"``).
Run ``python benchmarks/bench_augmentation.py [--seeds 0 1 2] [--n-jobs 2]``; it writes
``benchmarks/results/augmentation.json`` and prints a table (seeds run side by side, one
thread each).
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed
from imblearn.over_sampling import SMOTE
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skboltgan import BoltGANOversampler, BoltGANSynthesizer
from skboltgan.datasets import load_energy

FEATURES = ["Appliances", "lights", "T1", "RH_1", "T2", "RH_2", "T_out", "RH_out"]
WINDOW, HORIZON, STRIDE, QUANTILE, TRAIN_SHARE = 24, 6, 6, 0.9, 0.7
RESULTS = Path(__file__).parent / "results" / "augmentation.json"


def make_windows(series, consumption):
    """Windows of ``series`` and the mean ``consumption`` over the ``HORIZON`` steps after each."""
    X = sliding_window_view(series[:-HORIZON], WINDOW, axis=0).transpose(0, 2, 1)
    future = sliding_window_view(consumption[WINDOW:], HORIZON).mean(axis=1)
    return X[::STRIDE], future[::STRIDE]


def make_energy_task():
    """Time-ordered train/test windows and rare-event labels (threshold from train only)."""
    frame = load_energy(as_frame=True)[FEATURES]
    consumption = frame["Appliances"].to_numpy()
    series = frame.to_numpy().copy()
    series[:, :2] = np.log1p(series[:, :2])  # consumption is heavy-tailed (10 to 1080 Wh)
    cut = int(TRAIN_SHARE * len(series))
    X_train, future_train = make_windows(series[:cut], consumption[:cut])
    X_test, future_test = make_windows(series[cut:], consumption[cut:])
    threshold = np.quantile(future_train, QUANTILE)
    return X_train, (future_train > threshold).astype(int), X_test, (
        future_test > threshold).astype(int)


def make_classifier():
    flatten = FunctionTransformer(lambda X: X.reshape(len(X), -1))
    return make_pipeline(flatten, StandardScaler(), LogisticRegression(C=0.01, max_iter=2000))


def evaluate(X_train, y_train, X_test, y_test):
    proba = make_classifier().fit(X_train, y_train).predict_proba(X_test)[:, 1]
    return {"auprc": average_precision_score(y_test, proba),
            "auroc": roc_auc_score(y_test, proba)}


def make_synthesizer(epochs):
    """The package defaults, on one thread (seeds run side by side)."""
    return BoltGANSynthesizer(num_epochs=epochs or "auto", n_threads=1)


def oversample_smote(X, y, seed):
    X_flat, y_res = SMOTE(random_state=seed).fit_resample(X.reshape(len(X), -1), y)
    return X_flat.reshape(-1, *X.shape[1:]), y_res


def run_seed(X_train, y_train, X_test, y_test, seed, epochs):
    torch.set_num_threads(1)  # small LSTMs run fastest on one thread; the CPU is shared
    return [run_arm(arm, X_train, y_train, X_test, y_test, seed, epochs) for arm in ARMS]


def run_arm(name, X_train, y_train, X_test, y_test, seed, epochs):
    start = time.perf_counter()
    if name == "real only":
        X_res, y_res = X_train, y_train
    elif name == "SMOTE (flattened)":
        X_res, y_res = oversample_smote(X_train, y_train, seed)
    else:
        X_res, y_res = BoltGANOversampler(
            synthesizer=make_synthesizer(epochs), conditional=name.startswith("Bolt-GAN cond"),
            random_state=seed).fit_resample(X_train, y_train)
    scores = evaluate(X_res, y_res, X_test, y_test)
    return dict(scores, arm=name, seed=seed, seconds=time.perf_counter() - start)


ARMS = ["real only", "SMOTE (flattened)", "Bolt-GAN conditional", "Bolt-GAN per class"]


def summarise(runs):
    table = {}
    for arm in ARMS:
        rows = [r for r in runs if r["arm"] == arm]
        table[arm] = {
            f"{metric}_{stat}": float(fn([r[metric] for r in rows]))
            for metric in ("auprc", "auroc")
            for stat, fn in (("mean", np.mean), ("std", np.std))
        }
    return table


def format_table(table):
    lines = [f"{'arm':24s} {'AUPRC':>15s} {'AUROC':>15s}"]
    for arm, row in table.items():
        lines.append(f"{arm:24s} {row['auprc_mean']:.3f} +- {row['auprc_std']:.3f}   "
                     f"{row['auroc_mean']:.3f} +- {row['auroc_std']:.3f}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help='default: "auto"')
    parser.add_argument("--n-jobs", type=int, default=2, help="seeds at a time")
    args = parser.parse_args()
    X_train, y_train, X_test, y_test = make_energy_task()
    per_seed = Parallel(n_jobs=args.n_jobs)(
        delayed(run_seed)(X_train, y_train, X_test, y_test, seed, args.epochs)
        for seed in args.seeds)
    runs = [run for seed_runs in per_seed for run in seed_runs]
    table = summarise(runs)
    print(format_table(table))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "task": {"features": FEATURES, "window": WINDOW, "horizon": HORIZON,
                 "stride": STRIDE, "quantile": QUANTILE, "train_share": TRAIN_SHARE,
                 "n_train": len(y_train), "n_test": len(y_test),
                 "positive_rate_train": float(y_train.mean()),
                 "positive_rate_test": float(y_test.mean())},
        "synthesizer": make_synthesizer(args.epochs).get_params(),
        "seeds": args.seeds, "summary": table, "runs": runs,
        "machine": {"platform": platform.platform(), "torch": torch.__version__},
    }, indent=2))


if __name__ == "__main__":
    main()

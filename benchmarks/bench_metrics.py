"""Sanity check of the TimeGAN protocol port against published reference values.

* real-vs-real discriminative score on sines (two independent 10,000 x 24 x 5 draws):
  published around 0.005-0.01;
* train-on-real predictive score (TimeGAN's "original data" row): sines 0.094,
  stocks 0.036, energy 0.250.

Data as in TimeGAN's ``data_loading.py``: the raw series min-max scaled over the whole series
(``(x - min) / (max - min + 1e-7)``), then 24-step windows with stride 1 (``len - 24``
windows, as the reference loop makes). Sines come from ``make_sines`` (already in [0, 1]).

Usage::

    python benchmarks/bench_metrics.py [--datasets sines stocks energy] [--repeats 3]

Results are merged into ``benchmarks/results/metrics_protocol.json`` (one entry per check)
and printed as a table.
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from skboltgan.datasets import load_energy, load_stocks, make_sines
from skboltgan.metrics import discriminative_score, predictive_score

RESULTS = Path(__file__).parent / "results" / "metrics_protocol.json"
PUBLISHED = {"sines": 0.094, "stocks": 0.036, "energy": 0.250}
SEQ_LEN = 24


def timegan_windows(series, seq_len=SEQ_LEN):
    """TimeGAN's preprocessing: min-max over the whole series, then stride-1 windows."""
    low, high = series.min(axis=0), series.max(axis=0)
    scaled = (series - low) / (high - low + 1e-7)
    return np.stack([scaled[i:i + seq_len] for i in range(len(scaled) - seq_len)])


def load(name):
    if name == "sines":
        return make_sines(10000, seq_len=SEQ_LEN, n_features=5, random_state=0)
    return timegan_windows(load_stocks() if name == "stocks" else load_energy())


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def discriminative_check(repeats):
    real = load("sines")
    other = make_sines(10000, seq_len=SEQ_LEN, n_features=5, random_state=1)
    single, single_s = timed(discriminative_score, real, other, random_state=0)
    repeated, repeated_s = timed(discriminative_score, real, other, n_repeats=repeats,
                                 random_state=1)
    return {"check": "discriminative real-vs-real", "dataset": "sines",
            "shape": list(real.shape), "published": "0.005-0.01",
            "single_run": single.mean, "single_run_seconds": round(single_s, 1),
            **repeated.to_dict(), "n_repeats": repeats, "seconds": round(repeated_s, 1)}


def predictive_check(name, repeats):
    real = load(name)
    result, seconds = timed(predictive_score, real, real, n_repeats=repeats, reference=False,
                            random_state=0)
    return {"check": "predictive train-on-real", "dataset": name, "shape": list(real.shape),
            "published": PUBLISHED[name], **result.to_dict(), "n_repeats": repeats,
            "seconds": round(seconds, 1)}


def merge(entries):
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"checks": []}
    keys = {(e["check"], e["dataset"]) for e in entries}
    kept = [e for e in existing["checks"] if (e["check"], e["dataset"]) not in keys]
    out = {"machine": f"{platform.processor() or platform.machine()}, "
                      f"torch {torch.__version__}, 1 intra-op thread",
           "checks": kept + entries}
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    return out


def print_table(results):
    print(f"{'check':30} {'dataset':8} {'mean':>8} {'ci95':>8} {'published':>10} "
          f"{'repeats':>7} {'seconds':>8}")
    for e in results["checks"]:
        ci95 = "" if e["ci95"] is None else f"{e['ci95']:.4f}"
        print(f"{e['check']:30} {e['dataset']:8} {e['mean']:8.4f} {ci95:>8} "
              f"{e['published']!s:>10} {e['n_repeats']:7d} {e['seconds']:8.1f}")
        if "single_run_seconds" in e:
            print(f"{'  one run (n_repeats=1)':30} {'':8} {e['single_run']:8.4f} {'':>8} "
                  f"{'':>10} {1:7d} {e['single_run_seconds']:8.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["sines", "stocks", "energy"],
                        choices=["sines", "stocks", "energy"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-discriminative", action="store_true")
    args = parser.parse_args()
    entries = []
    if "sines" in args.datasets and not args.skip_discriminative:
        entries.append(discriminative_check(args.repeats))
    entries += [predictive_check(name, args.repeats) for name in args.datasets]
    print_table(merge(entries))


if __name__ == "__main__":
    main()

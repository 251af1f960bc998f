"""Peers side by side: Bolt-GAN, SDV's PARSynthesizer and gretel-synthetics' DGAN.

Same data (TimeGAN preprocessing, as ``bench_quality.py``: min-max to [0, 1] over the whole
series, 24-step windows, stride 1), same protocol (``skboltgan.metrics``: discriminative score
with 2000 steps averaged over ten post-hoc classifiers (``--disc-repeats``; the rows
before it used one), predictive score with 5000 steps, TV complement, exp(-KL)) and the same
wall-clock training budget for every synthesizer. Each synthesizer runs with its own
documented defaults. Bolt-GAN fits at its defaults (``num_epochs="auto"``), and the median of
its fit seconds is the budget the peers get on that dataset (``--budget-seconds`` sets one
budget for all instead, Bolt-GAN included). None of the peers can stop on a clock, so each
one is first fitted for one epoch (a warm-up that pays imports and first calls, discarded),
then for one and for three epochs (the probes): half their difference is the per-epoch cost,
the rest of the one-epoch fit is set-up, and the real fit gets
``floor((budget - set-up) / per-epoch)`` epochs. The fit seconds actually spent are recorded.

Every library runs on one torch thread (``torch.set_num_threads(1)``): on this shared 2-core
machine two threads are slower for these small matrices (see ``results/speed.json``).

The peers are not dependencies of skboltgan; install them in their own environment with
``benchmarks/requirements-peers.txt`` (see its header), then::

    python benchmarks/bench_peers.py --datasets stocks sines energy --seeds 3

``--update`` re-runs only ``--methods`` and keeps the other rows (and the train-on-real
reference, and the Bolt-GAN row whose fit time is the budget) already in the output file.

Writes ``benchmarks/results/peers.json`` and prints a table.
"""

import argparse
import json
import math
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import torch

from bench_quality import load, mean_ci
from skboltgan import BoltGANSynthesizer
from skboltgan.metrics import (discriminative_score, kl_similarity, predictive_score,
                               tv_complement)

RESULTS = Path(__file__).parent / "results" / "peers.json"
N_THREADS = 1


# ------------------------------------------------------------------ the three synthesizers
def fit_boltgan(X, epochs, seed):
    model = BoltGANSynthesizer(num_epochs="auto" if epochs is None else epochs,
                               n_threads=N_THREADS, random_state=seed)
    model.fit(X)
    config = {k: v for k, v in model.get_params().items() if k != "random_state"}
    config["epochs_trained"] = model.history_[-1]["epoch"] + 1  # what "auto" resolved to
    return (lambda n: model.sample(n, random_state=seed)), config


def fit_dgan(X, epochs, seed):
    from gretel_synthetics.timeseries_dgan.config import DGANConfig
    from gretel_synthetics.timeseries_dgan.dgan import DGAN

    torch.manual_seed(seed)  # DGAN has no seed parameter; it draws from torch's global RNG
    # Its documented defaults, example scaling (each window's level and range generated
    # apart from its shape) included; sample_len=4 gives 6 LSTM steps per 24-step window.
    config = DGANConfig(max_sequence_len=X.shape[1], sample_len=4, epochs=epochs, cuda=False)
    model = DGAN(config)
    model.train_numpy(features=X)

    def sample(n):
        torch.manual_seed(seed)
        _, features = model.generate_numpy(n)
        return np.stack(features).astype(float)

    settings = {k: v for k, v in vars(config).items() if not k.startswith("_")}
    return sample, settings


def to_long_frame(X):
    """Windows as SDV's long format: one row per step, a sequence key and a step index."""
    import pandas as pd

    n, seq_len, n_features = X.shape
    frame = pd.DataFrame(X.reshape(n * seq_len, n_features),
                         columns=[f"f{j}" for j in range(n_features)])
    frame.insert(0, "step", np.tile(np.arange(seq_len), n))
    frame.insert(0, "window", np.repeat(np.arange(n), seq_len))
    return frame


def fit_par(X, epochs, seed):
    from sdv.metadata import Metadata
    from sdv.sequential import PARSynthesizer

    frame = to_long_frame(X)
    columns = {"window": {"sdtype": "id"}, "step": {"sdtype": "numerical"}}
    columns.update({c: {"sdtype": "numerical"} for c in frame.columns[2:]})
    meta = Metadata.load_from_dict({"tables": {"windows": {
        "columns": columns, "sequence_key": "window", "sequence_index": "step"}}})
    torch.manual_seed(seed)  # PAR has no seed parameter; it draws from torch's global RNG
    model = PARSynthesizer(meta, epochs=epochs, enforce_min_max_values=True, cuda=False)
    model.fit({"windows": frame})  # sdv 2.x takes {table name: DataFrame}
    seq_len, n_features = X.shape[1:]

    def sample(n):
        torch.manual_seed(seed)
        out = model.sample_sequences(num_sequences=n, sequence_length=seq_len)
        out = out["windows"] if isinstance(out, dict) else out
        out = out.sort_values(["window", "step"])
        values = out[[f"f{j}" for j in range(n_features)]].to_numpy(float)
        return values.reshape(n, seq_len, n_features)

    return sample, {"epochs": epochs, "enforce_min_max_values": True, "context_columns": []}


METHODS = {"boltgan": fit_boltgan, "dgan": fit_dgan, "par": fit_par}
PACKAGES = {"boltgan": "skboltgan", "par": "sdv", "dgan": "gretel-synthetics"}


# ------------------------------------------------------------------ protocol
def timed(func, *args):
    start = time.perf_counter()
    out = func(*args)
    return out, time.perf_counter() - start


def epochs_for_budget(fit, X, budget, seed):
    """Probes of 1 and 3 epochs split set-up from per-epoch cost; scale to the budget.

    A first 1-epoch fit is discarded: it pays the library's import and first-call costs,
    which the real fit (a later call in the same process) does not.
    """
    timed(fit, X, 1, seed)
    _, one = timed(fit, X, 1, seed)
    _, three = timed(fit, X, 3, seed)
    per_epoch = max((three - one) / 2, 1e-3)
    setup = max(one - per_epoch, 0.0)
    epochs = max(1, math.floor((budget - setup) / per_epoch))
    return epochs, {"one_epoch_seconds": one, "three_epoch_seconds": three,
                    "per_epoch_seconds": per_epoch, "setup_seconds": setup}


def score(real, synthetic, seed, args):
    disc = discriminative_score(real, synthetic, n_steps=args.disc_steps,
                                n_repeats=args.disc_repeats, random_state=seed)
    pred = predictive_score(real, synthetic, n_steps=args.pred_steps, reference=False,
                            random_state=seed)
    return {"discriminative": disc.mean, "predictive": pred.mean,
            "tv_complement": float(tv_complement(real, synthetic)),
            "kl_similarity": float(kl_similarity(real, synthetic))}


def run_method(name, real, budget, args):
    """Fit ``name`` for ``args.seeds`` seeds; ``budget`` None: Bolt-GAN at its defaults."""
    fit = METHODS[name]
    if budget is None:
        epochs, probe = None, None
    else:
        epochs, probe = epochs_for_budget(fit, real, budget, 0)
        print(f"  {name}: probe {probe} -> {epochs} epochs", flush=True)
    runs = []
    for seed in range(args.seeds):
        (sample, config), fit_seconds = timed(fit, real, epochs, seed)
        synthetic, sample_seconds = timed(sample, len(real))
        if not np.isfinite(synthetic).all():
            raise RuntimeError(f"{name} sampled non-finite values (seed {seed})")
        runs.append({**score(real, synthetic, seed, args), "fit_seconds": fit_seconds,
                     "sample_seconds": sample_seconds})
        print(f"  {name} seed {seed}: {runs[-1]}", flush=True)
    summary = {k: mean_ci([r[k] for r in runs]) for k in runs[0]}
    summary.update(epochs=config["epochs_trained"] if epochs is None else epochs, probe=probe,
                   config=config, version=metadata.version(PACKAGES[name]),
                   budget_seconds=budget)
    return summary


def budget_for(result, name, args):
    """The training budget of ``name``: --budget-seconds, else Bolt-GAN's default fit time."""
    if args.budget_seconds is not None:
        return args.budget_seconds
    if name == "boltgan":
        return None  # fits at its defaults; its fit time becomes the budget
    if "boltgan" not in result:
        raise SystemExit("no Bolt-GAN row to take the budget from: include boltgan in "
                         "--methods, keep its row with --update, or pass --budget-seconds")
    return float(np.median(result["boltgan"]["fit_seconds"]["values"]))


def benchmark(dataset, args):
    real = load(dataset)
    print(f"{dataset}: {real.shape}", flush=True)
    result = args.results.setdefault(dataset, {})
    if "predictive_real" not in result:
        # Train-on-real reference, once per dataset: the same protocol fed the real data.
        result["predictive_real"] = predictive_score(real, real, n_steps=args.pred_steps,
                                                     reference=False, random_state=0).mean
    # The settings each dataset's rows were run with (--update may mix runs across files).
    result.update(n_sequences=len(real), shape=list(real.shape), settings=settings(args))
    reference = result["predictive_real"]
    for name in sorted(args.methods, key=lambda m: m != "boltgan"):  # its time: the budget
        result[name] = run_method(name, real, budget_for(result, name, args), args)
        result[name]["predictive_real"] = reference
        write(args, partial=True)  # keep what is done if a later peer fails or runs over
    return result


# ------------------------------------------------------------------ output
def print_table(results):
    print(f"{'dataset':8} {'method':8} {'discriminative':>17} {'predictive':>17} "
          f"{'pred(real)':>10} {'TV':>6} {'exp-KL':>6} {'epochs':>6} {'fit s':>7} {'sample s':>8}")
    for dataset, res in results.items():
        for name in METHODS:
            if name not in res:
                continue
            row = res[name]
            d, p = row["discriminative"], row["predictive"]
            print(f"{dataset:8} {name:8} {d['mean']:7.3f} ± {d['ci'] or 0:6.3f} "
                  f"{p['mean']:7.3f} ± {p['ci'] or 0:6.3f} {row['predictive_real']:10.3f} "
                  f"{row['tv_complement']['mean']:6.3f} {row['kl_similarity']['mean']:6.3f} "
                  f"{row['epochs']:6d} {row['fit_seconds']['mean']:7.1f} "
                  f"{row['sample_seconds']['mean']:8.1f}")


def settings(args):
    return {"budget_seconds": args.budget_seconds, "seeds": args.seeds,
            "disc_steps": args.disc_steps, "disc_repeats": args.disc_repeats,
            "pred_steps": args.pred_steps,
            "torch_threads": N_THREADS, "torch": torch.__version__}


def write(args, partial=False):
    payload = {"settings": settings(args), "complete": not partial, "results": args.results}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2, default=str))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["stocks"])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--budget-seconds", type=float, default=None,
                        help="one budget for all (default: Bolt-GAN's default fit time)")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--disc-steps", type=int, default=2000)
    parser.add_argument("--disc-repeats", type=int, default=10,
                        help="post-hoc classifiers per synthetic set, averaged (as "
                             "bench_quality.py; the runs before this option used one)")
    parser.add_argument("--pred-steps", type=int, default=5000)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--update", action="store_true", help="keep other rows in --output")
    args = parser.parse_args(argv)
    torch.set_num_threads(N_THREADS)
    args.results = json.loads(args.output.read_text())["results"] if args.update else {}
    for dataset in args.datasets:
        args.results[dataset] = benchmark(dataset, args)
    print_table(args.results)
    write(args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

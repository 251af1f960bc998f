"""How the defaults were chosen: the best discriminative score within a fixed CPU budget.

Every candidate configuration gets the same wall-clock training budget on the same data
(TimeGAN preprocessing, as ``bench_quality.py``). A candidate cannot stop on a clock, so its
epoch count comes from timed probes, as in ``bench_peers.py``: the fit gets
``floor((budget - set-up) / per-epoch)`` epochs. Each fitted model samples as many windows as
the real set and is scored with the protocol's discriminative score (lower is better), plus
the predictive score, TV complement and autocorrelation error for context.

The search is coordinate-wise: from a starting configuration, one parameter at a time takes
each of its candidate values (the others at their best so far), and the best value is kept
before the next parameter is searched. Run it alone on the machine: the probes time epochs.

    python benchmarks/search_defaults.py --dataset stocks --budget-seconds 120

Writes ``benchmarks/results/search_defaults.json`` and prints every candidate as it finishes.
"""

import argparse
import json
import time
from pathlib import Path

import torch

from bench_peers import epochs_for_budget
from bench_quality import load
from skboltgan import BoltGANSynthesizer
from skboltgan.metrics import (autocorrelation_error, discriminative_score, predictive_score,
                               tv_complement)

RESULTS = Path(__file__).parent / "results" / "search_defaults.json"
START = {"lstm_hidden": 64, "lstm_layers": 2, "batch_size": 64, "lr": 2e-4, "dropout": 0.3}
AXES = {  # searched in this order
    "lr": [2e-4, 1e-3, 2e-3],
    "batch_size": [32, 64, 128],
    "lstm_hidden": [32, 64, 128],
    "lstm_layers": [1, 2],
    "dropout": [0.0, 0.3],
}


def evaluate(real, config, args):
    """Fit ``config`` within the budget, sample, score; returns one result row."""
    def fit(X, epochs, seed):
        return BoltGANSynthesizer(**config, num_epochs=epochs, n_threads=args.threads,
                                  random_state=seed).fit(X)

    epochs, probe = epochs_for_budget(fit, real, args.budget_seconds, args.seed)
    start = time.perf_counter()
    model = fit(real, epochs, args.seed)
    fit_seconds = time.perf_counter() - start
    synthetic = model.sample(len(real), random_state=args.seed)
    disc = discriminative_score(real, synthetic, random_state=args.seed)
    pred = predictive_score(real, synthetic, n_steps=args.pred_steps, random_state=args.seed)
    row = {"config": config, "epochs": epochs, "fit_seconds": fit_seconds,
           "per_epoch_seconds": probe["per_epoch_seconds"],
           "discriminative": disc.mean, "predictive": pred.mean,
           "predictive_real": pred.reference.mean,
           "tv_complement": float(tv_complement(real, synthetic)),
           "autocorrelation_error": float(autocorrelation_error(real, synthetic))}
    print(f"  {json.dumps(config)}: {epochs} epochs, fit {fit_seconds:.0f} s, "
          f"discriminative {disc.mean:.3f}, predictive {pred.mean:.3f}, "
          f"TV {row['tv_complement']:.3f}", flush=True)
    return row


def coordinate_search(real, args):
    """Search one axis at a time from ``START``; returns (best config, every row)."""
    best, seen = dict(START), {}
    for axis, values in AXES.items():
        print(f"{axis}:", flush=True)
        for value in values:
            config = {**best, axis: value}
            key = json.dumps(config, sort_keys=True)
            if key not in seen:
                try:
                    seen[key] = evaluate(real, config, args)
                except FloatingPointError as exc:  # a diverged fit scores as the worst
                    print(f"  {key}: diverged ({exc})", flush=True)
                    seen[key] = {"config": config, "discriminative": 0.5, "error": str(exc)}
        scores = {v: seen[json.dumps({**best, axis: v}, sort_keys=True)]["discriminative"]
                  for v in values}
        best[axis] = min(values, key=lambda v: (scores[v], v != best[axis]))
        print(f"  -> {axis}={best[axis]}", flush=True)
    return best, list(seen.values())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="stocks", choices=["sines", "stocks", "energy"])
    parser.add_argument("--budget-seconds", type=float, default=120.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pred-steps", type=int, default=2000)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    real = load(args.dataset)
    print(f"{args.dataset} {real.shape}, budget {args.budget_seconds:.0f} s per fit, "
          f"{args.threads} threads", flush=True)
    best, rows = coordinate_search(real, args)
    result = {"dataset": args.dataset, "shape": list(real.shape),
              "budget_seconds": args.budget_seconds, "threads": args.threads,
              "seed": args.seed, "start": START, "axes": AXES, "best": best, "rows": rows,
              "torch": torch.__version__}
    args.output.write_text(json.dumps(result, indent=2))
    print(f"best: {json.dumps(best)}")


if __name__ == "__main__":
    main()

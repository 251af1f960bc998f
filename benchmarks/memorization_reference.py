"""How far real, unseen windows scatter the memorization ratio: its noise floor per dataset.

``bench_quality.py`` fits stocks and energy on all windows but five held-out blocks spread
over the series, and reports the memorization ratio: the median distance of synthetic windows
to their nearest training window over that of the held-out windows. Here each held-out block
in turn plays the synthetic set against the same training windows and all held-out windows.
Real windows the generator never saw, so their ratios show what the ratio does without any
copying: how far below 1 a dataset's non-stationarity alone can put it.

A held-out block also lies farther from the training windows than a window from inside the
training period does: its middle windows start half a block and the 23-window gap from the
nearest training window in time, where a window inside the period has training windows
starting a window's length away on either side. So the script also scores every training
window against the training windows that share no time step with it ("in-period" below):
the ratio and closer share a fresh window from the training period would get, drift
between periods aside.

    python benchmarks/memorization_reference.py

Writes ``benchmarks/results/memorization_reference.json`` and prints the per-block ratios and
closer shares (share of a block's windows nearer a training window than 95% of all held-out
windows are), and the in-period ones.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from bench_quality import holdout_indices, load
from skboltgan.metrics import memorization_ratio
from skboltgan.metrics._memorization import nearest_distances

RESULTS = Path(__file__).parent / "results" / "memorization_reference.json"


def block_ratios(name):
    real = load(name)
    train, held_out = holdout_indices(len(real))
    training, holdout = real[train], real[held_out]
    blocks = np.split(held_out, np.flatnonzero(np.diff(held_out) > 1) + 1)  # contiguous runs
    rows = []
    for block in blocks:
        result = memorization_ratio(training, real[block], holdout)
        rows.append({"first_window": int(block[0]), "windows": len(block),
                     "ratio": float(result), "closer_share": result.closer_share})
    return rows


def in_period(name, seq_len=24, chunk_size=1024):
    """Ratio and closer share of the training windows, each against the training windows
    that share no time step with it (window indices ``seq_len`` or more apart)."""
    real = load(name)
    train, held_out = holdout_indices(len(real))
    low, high = real[train].min(axis=(0, 1)), real[train].max(axis=(0, 1))
    # memorization_ratio's scaling: each feature by its range in the training windows.
    scaled = ((real - low) / np.where(high > low, high - low, 1.0)).reshape(len(real), -1)
    holdout_dcr = nearest_distances(scaled[held_out], scaled[train])
    flat, index = torch.from_numpy(scaled[train]), torch.from_numpy(train)
    dcr = []
    for start in range(0, len(flat), chunk_size):  # exact distances, float64
        distances = torch.cdist(flat[start:start + chunk_size], flat)
        overlapping = (index[start:start + chunk_size, None] - index[None]).abs() < seq_len
        dcr.append(distances.masked_fill(overlapping, np.inf).min(dim=1).values)
    dcr = torch.cat(dcr).numpy()
    return {"ratio": float(np.median(dcr) / np.median(holdout_dcr)),
            "closer_share": float(np.mean(dcr < np.percentile(holdout_dcr, 5)))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["stocks", "energy"])
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = {name: block_ratios(name) for name in args.datasets}
    periods = {name: in_period(name) for name in args.datasets}
    for name, rows in results.items():
        ratios = [r["ratio"] for r in rows]
        print(f"{name}: block ratios " + ", ".join(f"{r:.3f}" for r in ratios)
              + f" (min {min(ratios):.3f}, max {max(ratios):.3f}); closer shares "
              + ", ".join(f"{r['closer_share']:.3f}" for r in rows)
              + f"; in-period ratio {periods[name]['ratio']:.3f}, closer share "
              + f"{periods[name]['closer_share']:.3f}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"results": results, "in_period": periods}, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

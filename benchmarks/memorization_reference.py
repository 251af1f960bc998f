"""How far real, unseen windows scatter the memorization ratio: its noise floor per dataset.

``bench_quality.py`` fits stocks and energy on all windows but five held-out blocks spread
over the series, and reports the memorization ratio: the median distance of synthetic windows
to their nearest training window over that of the held-out windows. Here each held-out block
in turn plays the synthetic set against the same training windows and all held-out windows.
Real windows the generator never saw, so their ratios show what the ratio does without any
copying: how far below 1 a dataset's non-stationarity alone can put it.

    python benchmarks/memorization_reference.py

Writes ``benchmarks/results/memorization_reference.json`` and prints the per-block ratios and
closer shares (share of a block's windows nearer a training window than 95% of all held-out
windows are).
"""

import argparse
import json
from pathlib import Path

import numpy as np

from bench_quality import holdout_indices, load
from skboltgan.metrics import memorization_ratio

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["stocks", "energy"])
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = {name: block_ratios(name) for name in args.datasets}
    for name, rows in results.items():
        ratios = [r["ratio"] for r in rows]
        print(f"{name}: block ratios " + ", ".join(f"{r:.3f}" for r in ratios)
              + f" (min {min(ratios):.3f}, max {max(ratios):.3f}); closer shares "
              + ", ".join(f"{r['closer_share']:.3f}" for r in rows))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"results": results}, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

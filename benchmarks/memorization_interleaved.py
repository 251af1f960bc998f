"""Memorization guard with held-out windows from the training period: interleaved day blocks.

``bench_quality.py`` holds out five blocks of about 2.7 days spread over the energy series.
Windows from such a block differ from the training windows by more than being unseen: each
block is one weather episode, and its middle windows lie days from the nearest training
window in time. Real windows from inside the training period sit nearer the training
windows than the blocks do (17% of them nearer than 95% of held-out windows, against 1.5
to 12% for the blocks; ``memorization_reference.py``), so a generator that drew fresh
windows from the training period's distribution would look "closer" than held-out data
without copying anything.

Here the held-out windows come from the training period itself. The time-ordered windows
are cut into blocks (a day of energy data: 144 ten-minute windows); the even-numbered
blocks are the training set, the odd-numbered ones are held out, and from each block after
the first the ``seq_len - 1`` windows that share time steps with the block before are
dropped, so no held-out window overlaps a training window. The synthesizer (package
defaults) is fitted on the training half, and every synthetic and held-out window's
distance to its nearest training window (DCR) is computed once.

Fresh real windows of the same period are what the synthetic ones must be compared with,
and the held-out days supply both roles: dealt at random into two halves of equal days
(``--deals`` times), one half is the holdout and the other a set of fresh real windows.
For each deal, with the holdout's 5th-percentile DCR as the line, the script takes the share
of synthetic windows nearer than that line (the closer share, as in
``memorization_ratio``) and the share of the fresh real half's windows, and the two ratios
of medians. Per seed it reports the synthetic windows' figures against all held-out windows
pooled, and over the deals the median and 95% range of the synthetic minus the real closer
share and ratio: fresh samples of the training period's distribution give gaps around 0.
The gaps are blunt (the days dealt move the closer share by about two points, so copying
3% of the windows would hide in them); copies show sharply in the lowest distances, so each
seed also counts the synthetic windows nearer a training window than every held-out window
is: a copy always is, a fresh window with probability about ``1 / (n_held_out + 1)`` (more
or less as the overlapping held-out windows cluster: fresh real halves of the deals gave 0
to 87 such windows per 19,712, median 4.8 against 4.8 from the formula).

    python benchmarks/memorization_interleaved.py --n-jobs 2

Writes ``benchmarks/results/memorization_interleaved.json`` (``--output`` for another
configuration, given with ``--config``). Only energy has been run: stocks, a trending
series, passes the protocol's guard, and its real windows scatter widely between such sets.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

from bench_quality import code_fingerprint, full_config, load, mean_ci
from skboltgan import BoltGANSynthesizer
from skboltgan.metrics import memorization_ratio

RESULTS = Path(__file__).parent / "results" / "memorization_interleaved.json"


def alternate_blocks(n_windows, block, seq_len=24):
    """``(train, held_out, held_out_block)``: window indices of the even-numbered and the
    odd-numbered blocks of ``block`` windows, each block after the first without its first
    ``seq_len - 1`` windows (those overlap the block before), and each held-out window's
    block number."""
    if block <= seq_len - 1:
        raise ValueError(f"block must be longer than the {seq_len - 1}-window purge")
    starts = np.arange(0, n_windows, block)
    blocks = [np.arange(start + (seq_len - 1 if start else 0), min(start + block, n_windows))
              for start in starts]
    held_out_block = np.concatenate([np.full(len(b), i) for i, b in enumerate(blocks)
                                     if i % 2])
    return (np.concatenate(blocks[0::2]), np.concatenate(blocks[1::2]), held_out_block)


def closer_share(dcr, holdout_dcr):
    return float(np.mean(dcr < np.percentile(holdout_dcr, 5)))


def ratio(dcr, holdout_dcr):
    return float(np.median(dcr) / np.median(holdout_dcr))


def random_deals(held_out_block, n_deals, seed=0):
    """``n_deals`` masks over the held-out windows: True for the days dealt to the
    holdout half, False for the fresh real half (half of the days each)."""
    days = np.unique(held_out_block)
    rng = np.random.default_rng(seed)
    for _ in range(n_deals):
        holdout_days = rng.permutation(days)[:len(days) // 2]
        yield np.isin(held_out_block, holdout_days)


def deal_gaps(synthetic_dcr, held_out_dcr, held_out_block, n_deals):
    """Synthetic minus fresh real closer share and ratio over random deals of the held-out
    days into a holdout half and a fresh real half: median and 95% range of each."""
    gaps = {"closer_share": [], "ratio": []}
    for holdout in random_deals(held_out_block, n_deals):
        line, fresh = held_out_dcr[holdout], held_out_dcr[~holdout]
        gaps["closer_share"].append(closer_share(synthetic_dcr, line)
                                    - closer_share(fresh, line))
        gaps["ratio"].append(ratio(synthetic_dcr, line) - ratio(fresh, line))
    return {k: {"median": float(np.median(v)),
                "range95": [float(q) for q in np.percentile(v, [2.5, 97.5])],
                "share_positive": float(np.mean(np.asarray(v) > 0))}
            for k, v in gaps.items()}


def run_seed(real, split, params, seed, n_threads, n_deals):
    train, held_out, held_out_block = split
    training = real[train]
    start = time.perf_counter()
    gan = BoltGANSynthesizer(**params, n_threads=n_threads, random_state=seed).fit(training)
    fit_seconds = time.perf_counter() - start
    synthetic = gan.sample(len(real), random_state=seed)
    result = memorization_ratio(training, synthetic, real[held_out])
    row = {"seed": seed, "fit_seconds": fit_seconds, "ratio": float(result),
           "closer_share": result.closer_share,
           # A copy has distance 0; a fresh window falls below all n held-out distances
           # with probability about 1 / (n + 1).
           "nearer_than_any_held_out": int(np.sum(result.synthetic_dcr
                                                  < result.holdout_dcr.min())),
           "gap": deal_gaps(result.synthetic_dcr, result.holdout_dcr, held_out_block,
                            n_deals),
           "code": code_fingerprint()}
    gap = row["gap"]["closer_share"]
    print(f"  seed {seed}: ratio {row['ratio']:.3f}, closer share {row['closer_share']:.3f}, "
          f"{row['nearer_than_any_held_out']} windows nearer than any held-out one; "
          f"closer share minus fresh real's over deals {gap['median']:+.3f} "
          f"({gap['range95'][0]:+.3f} to {gap['range95'][1]:+.3f}); fit {fit_seconds:.0f} s",
          flush=True)
    return row


def benchmark(name, block, args):
    real = load(name)
    split = alternate_blocks(len(real), block)
    fresh_nearer = len(real) / (len(split[1]) + 1)
    print(f"{name}: {len(split[0])} training and {len(split[1])} held-out windows, "
          f"{len(np.unique(split[2]))} held-out blocks of {block} windows; {len(real)} fresh "
          f"windows would have about {fresh_nearer:.1f} nearer than any held-out one", flush=True)
    threads = 2 if args.n_jobs == 1 else 1
    runs = Parallel(n_jobs=args.n_jobs)(
        delayed(run_seed)(real, split, args.config, seed, threads, args.deals)
        for seed in range(args.first_seed, args.first_seed + args.seeds))
    summary = {k: mean_ci([r[k] for r in runs]) for k in ("ratio", "closer_share")}
    summary.update({f"gap_{k}": mean_ci([r["gap"][k]["median"] for r in runs])
                    for k in ("closer_share", "ratio")})
    print(f"{name}: closer share {summary['closer_share']['mean']:.3f} ± "
          f"{summary['closer_share']['ci']:.3f}, minus fresh real's "
          f"{summary['gap_closer_share']['mean']:+.3f} ± {summary['gap_closer_share']['ci']:.3f}; "
          f"ratio {summary['ratio']['mean']:.3f}, minus fresh real's "
          f"{summary['gap_ratio']['mean']:+.3f} ± {summary['gap_ratio']['ci']:.3f}", flush=True)
    return {"block": block, "windows": {"training": len(split[0]), "held_out": len(split[1])},
            "deals": args.deals, "fresh_nearer_than_any_held_out": fresh_nearer,
            "summary": summary, "config": full_config(args.config),
            "parallel_fits": args.n_jobs, "runs": runs}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["energy"])
    parser.add_argument("--block", type=int, default=144,
                        help="windows per block (144: a day of ten-minute energy data)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--deals", type=int, default=1000,
                        help="random deals of the held-out days into holdout and fresh halves")
    parser.add_argument("--config", type=json.loads, default={},
                        help="JSON parameters other than the defaults, e.g. a num_epochs")
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="fits at a time; above 1 each fit gets one thread")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = json.loads(args.output.read_text())["results"] if args.output.exists() else {}
    for name in args.datasets:
        results[name] = benchmark(name, args.block, args)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps({"results": results}, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

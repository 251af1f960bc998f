"""Screen: a variant's discriminative score along one fit, at fixed epochs.

The 300 s screen of ``ablation_quality.py`` found the defaults degrading with longer training
on sines and a wider network ahead at a few dozen epochs; a default must be set in epochs, so
this scores each candidate at several epochs of one fit (``learning_curve.SnapshotMixin``: the
generator, EMA weights included, as it was at that epoch of the longest run; the bolt's
schedule is that of the longest run). Fits run ``--n-jobs`` at a time on one thread each, so
the minutes recorded are contended single-thread minutes, not a budget::

    python benchmarks/epoch_screen.py --datasets sines --variants combined-wide \\
        --epochs 15 30 60 100 --seeds 1

Results go to ``benchmarks/results/epoch_screen.json`` (dataset, then variant, then one run
per seed with its points, which may differ between runs); ``--update`` adds to what is
there, for runs of the same package code (``bench_quality.code_fingerprint``; it stops
rather than pool a variant's runs across code). ``--disc-repeats`` averages that many
post-hoc classifiers per point (default one, as the stored runs without a
``disc_repeats`` entry; the protocol uses ten), and ``--predictive`` adds the predictive
score beside train-on-real's.
"""

import argparse
import fcntl
import json
import os
import time
from pathlib import Path

from joblib import Parallel, delayed

from ablation_quality import VARIANTS
from bench_quality import code_fingerprint, holdout_split, load, mean_ci
from learning_curve import score_point, snapshot_samples, snapshot_synthesizer
from skboltgan.metrics import memorization_ratio

RESULTS = Path(__file__).parent / "results" / "epoch_screen.json"


def screen(name, variant, epochs, seed, disc_repeats=1, predictive=False):
    """One fit of ``variant`` on ``name`` to ``max(epochs)``, scored at each of ``epochs``."""
    real = load(name)
    training, holdout = holdout_split(real, name)
    start = time.perf_counter()
    gan = snapshot_synthesizer(VARIANTS[variant], epochs, n_threads=1,
                               random_state=seed).fit(training)
    minutes = (time.perf_counter() - start) / 60
    points = []
    for epoch in epochs:
        synthetic = snapshot_samples(gan, epoch, len(real), seed, training)
        points.append({
            "epoch": epoch, **score_point(real, synthetic, seed, disc_repeats, predictive),
            "memorization": float(memorization_ratio(training, synthetic, holdout)),
        })
    return name, variant, {"seed": seed, "fit_minutes": minutes, "disc_repeats": disc_repeats,
                           "points": points, "code": code_fingerprint()}


def check_same_code(table, datasets, variants):
    """Stop before any fit if a stored variant's runs come from other package code: seeds
    are pooled only within one code (a change of code leaves the variant's name and
    configuration as they were)."""
    code = code_fingerprint()
    for name in datasets:
        for variant in variants:
            entry = table.get(name, {}).get(variant)
            if (entry is not None and entry["config"] == VARIANTS[variant]
                    and any(run.get("code") != code for run in entry["runs"])):
                raise SystemExit(f"{name} {variant}: the stored runs were made with other "
                                 "package code; write this run elsewhere (--output).")


def summarise(entry):
    """Mean ± CI of the discriminative score at each epoch scored, over the seeds scored
    there (runs may have been scored at different epochs)."""
    scores = {}
    for run in entry["runs"]:
        for point in run["points"]:
            scores.setdefault(point["epoch"], []).append(point["discriminative"])
    entry["summary"] = {str(epoch): mean_ci(scores[epoch]) for epoch in sorted(scores)}


def store(args, table, name, variant, run):
    """Add ``run`` to the results file and return the table written.

    With ``--update`` the file is re-read under an exclusive lock before each write, so what
    a concurrent ``--update`` run (other seeds, datasets or variants) wrote is kept: two runs
    finishing in the same second once lost a seed when each wrote back its own reading.
    """
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if args.update and args.output.exists():
            table = json.loads(args.output.read_text())
        entry = table.setdefault(name, {}).get(variant)
        if entry is None or entry["config"] != VARIANTS[variant]:
            entry = table[name][variant] = {"config": VARIANTS[variant], "runs": []}
        entry["runs"] = sorted([r for r in entry["runs"] if r["seed"] != run["seed"]] + [run],
                               key=lambda r: r["seed"])
        summarise(entry)
        partial = args.output.with_suffix(f".partial{os.getpid()}")
        partial.write_text(json.dumps(table, indent=2))
        os.replace(partial, args.output)  # a concurrent reader never sees half a file
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", required=True)
    parser.add_argument("--variants", nargs="+", required=True, choices=VARIANTS)
    parser.add_argument("--epochs", nargs="+", type=int, required=True)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--disc-repeats", type=int, default=1,
                        help="post-hoc classifiers averaged per point (runs without a "
                             "disc_repeats entry used one)")
    parser.add_argument("--predictive", action="store_true",
                        help="also the predictive score (5000 steps) and train-on-real's")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--update", action="store_true")
    args = parser.parse_args(argv)
    epochs = sorted(set(args.epochs))
    table = {}
    jobs = [(name, variant, seed) for name in args.datasets for variant in args.variants
            for seed in range(args.first_seed, args.first_seed + args.seeds)]
    if args.update and args.output.exists():
        check_same_code(json.loads(args.output.read_text()), args.datasets, args.variants)
    results = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(
        delayed(screen)(name, variant, epochs, seed, args.disc_repeats, args.predictive)
        for name, variant, seed in jobs)
    for name, variant, run in results:
        table = store(args, table, name, variant, run)
        scores = " ".join(f"{p['epoch']}:{p['discriminative']:.3f}"
                          + (f" (predictive {p['predictive']:.3f}/{p['predictive_real']:.3f})"
                             if "predictive" in p else "")
                          for p in run["points"])
        print(f"{name} {variant} seed {run['seed']} ({run['fit_minutes']:.1f} min): {scores}",
              flush=True)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

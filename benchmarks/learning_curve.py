"""Learning curve: discriminative score against single-thread CPU-minutes of training.

For each configuration (``CONFIGS``: the paper's design, the package defaults before the
ablation in ``ablation_quality.py``; the ``block_size=4`` defaults that ablation chose; and
today's defaults) one fit runs for the longest budget; the generator is copied at the
epochs where the shorter budgets end (epochs = minutes / the probe's seconds per epoch, as
in the ablation), and each copy is scored with the TimeGAN protocol. A copy at epoch ``e`` is
the state of the long run there, not a fit of ``e`` epochs (whose bolt schedule, set in
fractions of ``num_epochs``, would differ)::

    python benchmarks/learning_curve.py --datasets stocks sines --minutes 1 3 7 15

Each point averages ``--disc-repeats`` post-hoc classifiers (default 10; the first curves,
those without a ``disc_repeats`` entry, used one); ``--predictive`` adds each point's
predictive score and train-on-real's (does a longer fit close the gap between them?). Writes
``benchmarks/results/learning_curve.json``; ``--update`` keeps the other datasets and, with
``--configs``, the other configurations' curves::

    python benchmarks/learning_curve.py --datasets stocks sines energy --configs defaults --update

``--plot PNG`` draws the stored curves (one panel per dataset, each configuration's mean
over its seeds, the seeds as dots) and exits::

    python benchmarks/learning_curve.py --plot docs/_static/learning_curve.png
"""

import argparse
import json
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
from joblib import Parallel, delayed

from ablation_quality import PAPER, VARIANTS, make_synthesizer, seconds_per_epoch
from bench_quality import code_fingerprint, load
from skboltgan._synthesizer import _to_arrays
from skboltgan.metrics import discriminative_score, predictive_score

RESULTS = Path(__file__).parent / "results" / "learning_curve.json"
CONFIGS = {"old defaults (paper design)": PAPER,
           "block-4 defaults (combined-wide)": VARIANTS["combined-wide"],
           "defaults": VARIANTS["defaults-decorrelate"]}


class SnapshotMixin:
    """Keeps copies of the generator weights at ``snapshot_epochs`` (``snapshots_``)."""

    snapshot_epochs = ()

    def _train(self, trainer, *args, **kwargs):
        self.snapshots_ = {}
        fit = trainer.fit

        def fit_with_snapshots(*args, on_epoch_end=None, **kwargs):
            def hook(epoch, history):
                if epoch + 1 in self.snapshot_epochs:
                    self.snapshots_[epoch + 1] = _to_arrays(trainer.sampling_generator)
                return on_epoch_end(epoch, history)
            return fit(*args, on_epoch_end=hook, **kwargs)

        trainer.fit = fit_with_snapshots
        return super()._train(trainer, *args, **kwargs)


def snapshot_synthesizer(params, epochs, **extra):
    """The variant's synthesizer (``make_synthesizer``) fitting ``max(epochs)`` epochs and
    keeping the generator at each of ``epochs``."""
    gan = make_synthesizer(params, num_epochs=max(epochs), **extra)
    cls = type(f"Snapshot{type(gan).__name__}", (SnapshotMixin, type(gan)), {})
    gan = cls(**gan.get_params())
    gan.snapshot_epochs = tuple(epochs)
    return gan


def snapshot_samples(gan, epoch, n, seed, training):
    """``n`` windows from the generator as it was at ``epoch``, with the spread calibration
    a fit ending there would give it (fitted on ``training``, the fit's windows; its
    generated windows are drawn from ``seed``, not from the fit's own seed sequence)."""
    gan.generator_state_ = gan.snapshots_[epoch]
    gan._modules = {}  # rebuild the generator from the snapshot
    if gan._spread_calibration() is not None:
        snapshot = SimpleNamespace(sampling_generator=gan.generator_, device=torch.device("cpu"))
        gan.spread_calibration_ = gan._fit_spread_calibration(
            snapshot, gan.scaler_, gan._layout(), gan._principal_axes(), training,
            np.arange(len(training)), None, seed)
    return gan.sample(n, random_state=seed)


def curve(real, params, epochs, seed, disc_repeats, predictive=False):
    start = time.perf_counter()
    gan = snapshot_synthesizer(params, epochs, n_threads=1, random_state=seed).fit(real)
    minutes = (time.perf_counter() - start) / 60
    points = [{"epoch": epoch,
               **score_point(real, snapshot_samples(gan, epoch, len(real), seed, real), seed,
                             disc_repeats, predictive)}
              for epoch in epochs]
    return {"seed": seed, "fit_minutes": minutes, "points": points, "code": code_fingerprint()}


def score_point(real, synthetic, seed, disc_repeats, predictive=False):
    """The discriminative score (mean of ``disc_repeats`` classifiers) and, with
    ``predictive``, the predictive score (5000 steps) beside train-on-real's."""
    point = {"discriminative": discriminative_score(real, synthetic, n_repeats=disc_repeats,
                                                    random_state=seed).mean}
    if predictive:
        pred = predictive_score(real, synthetic, random_state=seed)
        point.update(predictive=pred.mean, predictive_real=pred.reference.mean)
    return point


def plot(results, path):
    """One panel per dataset: discriminative score against single-thread minutes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(4 * len(results), 3.4), sharey=True,
                             squeeze=False)
    for ax, (name, entry) in zip(axes[0], results.items()):
        for label, curves in entry.items():
            scores = np.array([[p["discriminative"] for p in run["points"]]
                               for run in curves["runs"]])
            line, = ax.plot(curves["minutes"], scores.mean(axis=0), marker="o",
                            label=f"{label}, {len(scores)} seed{'s' if len(scores) > 1 else ''}")
            for run_scores in scores:
                ax.plot(curves["minutes"], run_scores, ".", color=line.get_color(), alpha=0.4)
        ax.set(title=name, xlabel="single-thread minutes", xscale="log",
               xticks=curves["minutes"], xticklabels=[f"{m:g}" for m in curves["minutes"]])
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("discriminative score (lower is better)")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["stocks", "sines"])
    parser.add_argument("--minutes", nargs="+", type=float, default=[1, 3, 7, 15])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS))
    parser.add_argument("--disc-repeats", type=int, default=10,
                        help="post-hoc classifiers averaged per point (the first curves: 1)")
    parser.add_argument("--predictive", action="store_true",
                        help="also the predictive score (5000 steps) and train-on-real's")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--update", action="store_true")
    parser.add_argument("--plot", type=Path, help="draw --output's curves to this PNG and exit")
    args = parser.parse_args(argv)
    if args.plot:
        plot(json.loads(args.output.read_text()), args.plot)
        return
    results = (json.loads(args.output.read_text())
               if args.update and args.output.exists() else {})
    for name in args.datasets:
        real = load(name)
        jobs, entry = [], results.get(name, {})
        for label in args.configs:
            params = CONFIGS[label]
            per_epoch = seconds_per_epoch(real, params)
            epochs = [max(1, round(60 * m / per_epoch)) for m in args.minutes]
            entry[label] = {"config": params, "probe_seconds_per_epoch": per_epoch,
                            "minutes": args.minutes, "epochs": epochs,
                            "disc_repeats": args.disc_repeats, "runs": []}
            jobs += [(label, epochs, seed) for seed in range(args.seeds)]
        runs = Parallel(n_jobs=args.n_jobs)(
            delayed(curve)(real, CONFIGS[label], epochs, seed, args.disc_repeats,
                           args.predictive)
            for label, epochs, seed in jobs)
        for (label, _, _), run in zip(jobs, runs):
            entry[label]["runs"].append(run)
            scores = " ".join(f"{p['discriminative']:.3f}" for p in run["points"])
            if args.predictive:
                scores += ", predictive " + " ".join(
                    f"{p['predictive']:.3f}/{p['predictive_real']:.3f}" for p in run["points"])
            print(f"{name} {label} seed {run['seed']}: {scores} at {args.minutes} min",
                  flush=True)
        results[name] = entry
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

"""Generator weight averaging, and which cheap score tracks the discriminative score.

One fit of the package defaults per dataset and seed, on the training windows of the
estimator's own validation split (``validation_fraction=0.1``: blocks spread over the
windows, purged). Averaging the generator's weights does not change the training
trajectory, so one run yields the raw generator and its exponential moving averages at
several decays (``DECAYS``). Every ``--every`` epochs each of them is scored with the full
protocol (discriminative score against all real windows, 2000 steps) and with each cheap
candidate (``CANDIDATES``) on the validation windows against as many generated windows.
The Spearman rank correlation of each candidate with the protocol score over a run says
which one to use for best-epoch restore and early stopping::

    python benchmarks/validation_score.py --datasets stocks sines --seeds 2

Writes ``benchmarks/results/validation_score.json``; ``--update`` keeps other datasets.
"""

import argparse
import copy
import json
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed
from scipy import stats

from bench_quality import load
from skboltgan import BoltGANSynthesizer
from skboltgan._monitoring import validation_split
from skboltgan._synthesizer import _to_arrays
from skboltgan.metrics import discriminative_score

RESULTS = Path(__file__).parent / "results" / "validation_score.json"


def mmd(real, synthetic):
    """Unbiased squared MMD, Gaussian kernel with the median-distance bandwidth."""
    pooled = np.concatenate([real, synthetic]).reshape(len(real) + len(synthetic), -1)
    sq = np.sum(pooled ** 2, axis=1)
    dist = np.maximum(sq[:, None] + sq[None] - 2 * pooled @ pooled.T, 0)
    kernel = np.exp(-dist / np.median(dist[dist > 0]))
    n = len(real)
    xx, yy, xy = kernel[:n, :n], kernel[n:, n:], kernel[:n, n:]
    m = len(synthetic)
    return ((xx.sum() - n) / (n * (n - 1)) + (yy.sum() - m) / (m * (m - 1))
            - 2 * xy.mean())


CANDIDATES = {
    "gru_300_steps": lambda v, g, s: discriminative_score(
        v, g, n_steps=300, lr=5e-3, random_state=s).mean,
    "mmd_windows": lambda v, g, s: mmd(v, g),
    "mmd_with_diffs": lambda v, g, s: mmd(np.concatenate([v[:, 1:], np.diff(v, axis=1)], 2),
                                          np.concatenate([g[:, 1:], np.diff(g, axis=1)], 2)),
}


DECAYS = (0.99, 0.995, 0.999)


class AveragingSynthesizer(BoltGANSynthesizer):
    """Snapshots the raw generator and its weight averages at each of ``DECAYS``."""

    snapshot_epochs = ()

    def _train(self, trainer, *args, **kwargs):
        averages = {d: copy.deepcopy(trainer.generator).requires_grad_(False) for d in DECAYS}
        self.variant_snapshots_ = {}
        generator_step, fit = trainer.generator_step, trainer.fit

        def step_and_average(*args):
            loss = generator_step(*args)
            n = trainer.g_updates
            with torch.no_grad():
                for decay, average in averages.items():
                    weight = 1 - min(decay, (1 + n) / (10 + n))
                    for a, c in zip(average.parameters(), trainer.generator.parameters()):
                        a.lerp_(c, weight)
            return loss

        def fit_with_snapshots(*args, on_epoch_end=None, **kwargs):
            def hook(epoch, history):
                if epoch + 1 in self.snapshot_epochs:
                    self.variant_snapshots_[epoch + 1] = {
                        "raw": _to_arrays(trainer.generator),
                        **{f"ema_{d}": _to_arrays(a) for d, a in averages.items()}}
                return on_epoch_end(epoch, history)
            return fit(*args, on_epoch_end=hook, **kwargs)

        trainer.generator_step, trainer.fit = step_and_average, fit_with_snapshots
        return super()._train(trainer, *args, **kwargs)


def run(name, seed, epochs, num_epochs):
    real = load(name)
    train, held_out = validation_split(len(real), None, 0.1, real.shape[1])
    training, validation = real[train], real[held_out]
    gan = AveragingSynthesizer(num_epochs=num_epochs, n_threads=1, validation_fraction=None,
                               random_state=seed)
    gan.snapshot_epochs = epochs
    gan.fit(training)
    points = []
    for epoch in epochs:
        point = {"epoch": epoch}
        for variant, weights in gan.variant_snapshots_[epoch].items():
            gan.generator_state_ = weights
            gan._modules = {}  # rebuild the generator from the snapshot
            synthetic = gan.sample(len(real), random_state=seed)
            scores = {"discriminative": discriminative_score(real, synthetic,
                                                             random_state=seed).mean}
            cheap = synthetic[:len(validation)]
            scores.update({k: float(f(validation, cheap, seed)) for k, f in CANDIDATES.items()})
            point[variant] = scores
        points.append(point)
        print(f"{name} seed {seed} epoch {epoch}: " + ", ".join(
            f"{v} {point[v]['discriminative']:.3f}" for v in point if v != "epoch"), flush=True)
    return {"seed": seed, "points": points, "spearman": _spearman(points)}


def _spearman(points):
    """Per variant and candidate: rank correlation with the protocol score over the run."""
    variants = [v for v in points[0] if v != "epoch"]
    return {v: {k: float(stats.spearmanr([p[v]["discriminative"] for p in points],
                                         [p[v][k] for p in points]).statistic)
                for k in CANDIDATES} for v in variants}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["stocks", "sines"])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--every", type=int, default=10)
    # The scores are taken at fixed epochs, so the fit needs a number, not "auto";
    # validation_score.json was measured at 150 (the default then).
    parser.add_argument("--num-epochs", type=int, default=150)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--update", action="store_true")
    args = parser.parse_args(argv)
    results = (json.loads(args.output.read_text())
               if args.update and args.output.exists() else {})
    epochs = list(range(args.every, args.num_epochs + 1, args.every))
    jobs = [(name, seed) for name in args.datasets for seed in range(args.seeds)]
    runs = Parallel(n_jobs=args.n_jobs)(delayed(run)(n, s, epochs, args.num_epochs)
                                        for n, s in jobs)
    for name in args.datasets:
        results[name] = {"runs": [r for (n, _), r in zip(jobs, runs) if n == name]}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

"""Experiment: how long a generator weight average smooths out the GAN's oscillation.

Along one fit the discriminative score swings between neighbouring epochs (sines, block
output of one step, seed 2: 0.010, 0.109, 0.055, 0.003 at epochs 30, 52, 78, 104;
``epoch_screen.json``), while the default average (``ema_decay=0.999`` warmed up as
``min(0.999, (1 + n) / (10 + n))``) spans only about the last 180 of a default fit's 1,600
generator updates. Averaging does not change training, so one fit yields the raw generator,
the default average and longer ones (``SCHEMES``: the weight each new update gets); each is
scored with the TimeGAN protocol at the fit's end::

    python benchmarks/experiment_averaging.py --datasets sines --variants combined-wide-block1 \\
        --seeds 4

Results go to ``benchmarks/results/experiment_averaging.json`` (dataset, variant, runs);
``--update`` adds to what is there.
"""

import argparse
import copy
import json
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed

from ablation_quality import VARIANTS, make_synthesizer
from bench_quality import load, mean_ci
from skboltgan._synthesizer import _to_arrays
from skboltgan.metrics import discriminative_score

RESULTS = Path(__file__).parent / "results" / "experiment_averaging.json"


def uniform_then_ema(horizon):
    """The running mean of all updates until ``horizon`` of them, then an EMA of that span."""
    return lambda n, total: max(1 / n, 1 / horizon)


def tail_mean(share):
    """The plain mean of the updates in the last ``share`` of the run (SWA-style)."""
    def weight(n, total):
        first = total - int(share * total)
        return 1.0 if n <= first else 1 / (n - first)
    return weight


SCHEMES = {
    "ema_h250": uniform_then_ema(250),
    "ema_h500": uniform_then_ema(500),
    "ema_h1000": uniform_then_ema(1000),
    "tail_half": tail_mean(0.5),
}


class AveragesMixin:
    """Keeps the averages of ``SCHEMES`` beside the trainer's own (``averages_``)."""

    def _train(self, trainer, data, labels, monitors, store, num_epochs, earlier=None):
        batches = max(1, data.shape[0] // self.batch_size)
        total = num_epochs * batches // self.discriminator_steps  # generator updates
        averages = {k: copy.deepcopy(trainer.generator).requires_grad_(False) for k in SCHEMES}
        generator_step = trainer.generator_step

        def step_and_average(*step_args):
            loss = generator_step(*step_args)
            with torch.no_grad():
                for name, average in averages.items():
                    weight = SCHEMES[name](trainer.g_updates, total)
                    for a, c in zip(average.parameters(), trainer.generator.parameters()):
                        a.lerp_(c, weight)
            return loss

        trainer.generator_step = step_and_average
        result = super()._train(trainer, data, labels, monitors, store, num_epochs, earlier)
        self.averages_ = {"raw": _to_arrays(trainer.generator),
                          **{k: _to_arrays(a) for k, a in averages.items()}}
        return result


def run(name, variant, seed, schemes):
    real = load(name)
    gan = make_synthesizer(VARIANTS[variant], n_threads=1, random_state=seed)
    gan = type(f"Averages{type(gan).__name__}", (AveragesMixin, type(gan)), {})(
        **gan.get_params())
    gan.fit(real)
    weights = {"default": gan.generator_state_, **gan.averages_}
    scores = {}
    for scheme, state in weights.items():
        if scheme not in schemes:
            continue
        gan.generator_state_ = state
        gan._modules = {}  # rebuild the generator from these weights
        synthetic = gan.sample(len(real), random_state=seed)
        scores[scheme] = discriminative_score(real, synthetic, random_state=seed).mean
    print(f"{name} {variant} seed {seed}: "
          + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()), flush=True)
    return name, variant, {"seed": seed, "discriminative": scores}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", required=True)
    parser.add_argument("--variants", nargs="+", required=True, choices=VARIANTS)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--update", action="store_true")
    parser.add_argument("--schemes", nargs="+", default=["default", "raw", *SCHEMES],
                        choices=["default", "raw", *SCHEMES],
                        help="the weights to score (each score costs a protocol run)")
    args = parser.parse_args(argv)
    table = (json.loads(args.output.read_text())
             if args.update and args.output.exists() else {})
    jobs = [(n, v, s) for n in args.datasets for v in args.variants
            for s in range(args.first_seed, args.first_seed + args.seeds)]
    results = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(
        delayed(run)(*j, args.schemes) for j in jobs)
    for name, variant, result in results:  # written as each fit ends: a stopped run keeps them
        entry = table.setdefault(name, {}).setdefault(variant, {"config": VARIANTS[variant],
                                                                "runs": []})
        entry["runs"] = sorted([r for r in entry["runs"] if r["seed"] != result["seed"]]
                               + [result], key=lambda r: r["seed"])
        schemes = [k for k in entry["runs"][0]["discriminative"]
                   if all(k in r["discriminative"] for r in entry["runs"])]
        entry["summary"] = {k: mean_ci([r["discriminative"][k] for r in entry["runs"]])
                            for k in schemes}
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(table, indent=2))
    for name, variants in table.items():
        for variant, entry in variants.items():
            print(name, variant, {k: f"{v['mean']:.3f} ± {v['ci'] or 0:.3f}"
                                  for k, v in entry["summary"].items()})
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

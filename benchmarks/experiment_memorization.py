"""Experiment: the memorization guard for a variant of ``ablation_quality.py``.

``experiment_averaging.py`` fits on all windows, so it cannot tell a low score from copying.
This fits a variant on the quality benchmark's training windows (``bench_quality``'s
``holdout_split``: five blocks held out on stocks and energy, fresh sequences for sines) and
reports the discriminative score, the memorization ratio and its closer share::

    python benchmarks/experiment_memorization.py --dataset stocks \\
        --variant combined-wide-block1-gdrop0 --seeds 3 4

Results are added to ``benchmarks/results/experiment_memorization.json``.
"""

import argparse
import json
from pathlib import Path

from joblib import Parallel, delayed

from ablation_quality import VARIANTS, make_synthesizer
from bench_quality import holdout_split, load
from skboltgan.metrics import discriminative_score, memorization_ratio

RESULTS = Path(__file__).parent / "results" / "experiment_memorization.json"


def run(name, variant, seed):
    real = load(name)
    training, holdout = holdout_split(real, name)
    gan = make_synthesizer(VARIANTS[variant], n_threads=1, random_state=seed).fit(training)
    synthetic = gan.sample(len(real), random_state=seed)
    guard = memorization_ratio(training, synthetic, holdout)
    result = {"seed": seed,
              "discriminative": discriminative_score(real, synthetic, random_state=seed).mean,
              "memorization": float(guard), "closer_share": guard.closer_share}
    print(f"{name} {variant} {result}", flush=True)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--variant", required=True, choices=VARIANTS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    runs = Parallel(n_jobs=args.n_jobs)(delayed(run)(args.dataset, args.variant, s)
                                        for s in args.seeds)
    table = json.loads(args.output.read_text()) if args.output.exists() else {}
    entry = table.setdefault(args.dataset, {}).setdefault(
        args.variant, {"config": VARIANTS[args.variant], "runs": []})
    entry["runs"] = sorted([r for r in entry["runs"] if r["seed"] not in args.seeds] + runs,
                           key=lambda r: r["seed"])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(table, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

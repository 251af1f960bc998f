"""Quality benchmark: TimeGAN-protocol scores on sines, stocks and energy, bolt on vs off.

For each dataset (TimeGAN preprocessing: min-max to [0, 1] over the whole series, 24-step
windows, stride 1, no time flip; sines from ``make_sines(10000, 24, 5)``) and each seed, fit
the configuration with the bolt on and with ``feedback_interval=None`` at the same number of
epochs (equal compute), sample as many windows as the real set, and score with
``skboltgan.metrics``. Prints a table and writes ``benchmarks/results/quality.json``.

The memorization guard needs real windows the model never saw: stocks and energy are
fitted on all windows but 10% held out in five blocks spread over the series (and the 23
windows either side of each block, which overlap it); sines get 1,000 fresh sequences. The discriminative and predictive scores still
compare with all real windows, as in the TimeGAN protocol.

Each seed's discriminative score is the mean of ``--disc-repeats`` post-hoc classifiers
(TimeGAN averages 10): on one set of stock samples single classifiers scored from 0.01 to
0.26, so one run says little about the generator.

Full protocol (5 seeds, 2000 discriminator steps averaged over 10 classifiers, 5000
predictor steps)::

    python benchmarks/bench_quality.py

Each dataset's entry records the settings it ran with and every seed's figures (``"runs"``),
so a reduced run (fewer seeds, epochs or sequences) says so in the JSON. ``--update`` adds
datasets to an existing file, or, with ``--first-seed``, more seeds to a dataset already run
with the same configuration and settings::

    python benchmarks/bench_quality.py --datasets energy --max-sequences 5000 --update
    python benchmarks/bench_quality.py --datasets stocks --seeds 3 --first-seed 2 --update

``--n-jobs 2`` runs two fits at a time on one thread each (twice the throughput on 2
cores); each run records ``parallel_fits``, and its ``fit_seconds`` are then contended
single-thread seconds, not the budget of a default fit (time that with ``--n-jobs 1``).
"""

import argparse
import ast
import hashlib
import json
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy import stats

import skboltgan
from skboltgan import BoltGANSynthesizer
from skboltgan._monitoring import validation_split
from skboltgan.datasets import load_energy, load_stocks, make_sines
from skboltgan.metrics import (chi_square_test, discriminative_score, kl_similarity,
                               memorization_ratio, predictive_score, tv_complement)
from skboltgan.preprocessing import SlidingWindowTransformer

RESULTS = Path(__file__).parent / "results" / "quality.json"
HOLDOUT = "spread blocks"  # the memorization holdout's design (see holdout_split)
PUBLISHED = {  # discriminative score: TimeGAN (Yoon et al. 2019) / Diffusion-TS (Yuan & Qiao 2024)
    "sines": {"timegan": 0.011, "diffusion_ts": 0.006, "predictive_real": 0.094},
    "stocks": {"timegan": 0.102, "diffusion_ts": 0.067, "predictive_real": 0.036},
    "energy": {"timegan": 0.236, "diffusion_ts": 0.122, "predictive_real": 0.250},
}


def timegan_windows(series, seq_len=24):
    """Min-max over the whole series (TimeGAN's +1e-7 guard), then stride-1 windows."""
    low, high = series.min(axis=0), series.max(axis=0)
    scaled = (series - low) / (high - low + 1e-7)
    return SlidingWindowTransformer(window=seq_len, stride=1).fit_transform(scaled)


def load(name):
    if name == "sines":
        return make_sines(10000, 24, 5, random_state=0)
    return timegan_windows(load_stocks() if name == "stocks" else load_energy())


def mean_ci(values):
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return {"mean": float(values.mean()), "ci": None, "values": values.tolist()}
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return {"mean": float(values.mean()), "ci": float(half), "values": values.tolist()}


def holdout_split(real, name, fraction=0.1, seq_len=24):
    """``(training, holdout)`` windows for the memorization guard.

    Sines: fresh sequences from another seed are the holdout. Stocks and energy: a
    ``fraction`` of the (time-ordered, stride-1) windows in five blocks spread over the
    series, with the ``seq_len - 1`` windows either side of each block (which share time
    steps with it) dropped: the split ``validation_fraction`` uses. Holding out only the end
    of a trending series would not do: its windows lie at levels the training windows never
    reach, so even fresh real windows from the training period score 0.15 against it on
    stocks (1.13 against spread blocks; tests/test_memorization.py).
    """
    if name == "sines":
        return real, make_sines(int(fraction * len(real)), 24, 5, random_state=1)
    train, held_out = holdout_indices(len(real), fraction, seq_len)
    return real[train], real[held_out]


def holdout_indices(n_windows, fraction=0.1, seq_len=24):
    """``(train, held_out)`` window indices of ``holdout_split`` for stocks and energy."""
    return validation_split(n_windows, None, fraction, seq_len)


def code_fingerprint():
    """SHA-256 of the package's code as it runs: each module's syntax tree without its
    docstrings, so edits to comments and docs keep it and any change of behaviour does
    not. Seeds are pooled only across runs with the same fingerprint, since a change of
    code leaves the parameters (the configuration) as they were."""
    digest = hashlib.sha256()
    for path in sorted(Path(skboltgan.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:] or [ast.Pass()]
        digest.update(path.relative_to(path.parents[1]).as_posix().encode())
        digest.update(ast.dump(tree).encode())
    return digest.hexdigest()


def run_seed(real, params, seed, args, name):
    training, holdout = holdout_split(real, name)
    threads = params["n_threads"] if args.n_jobs == 1 else 1  # parallel fits: one thread each
    start = time.perf_counter()
    gan = BoltGANSynthesizer(**{**params, "n_threads": threads}, random_state=seed).fit(training)
    fit_seconds = time.perf_counter() - start
    synthetic = gan.sample(len(real), random_state=seed)
    disc = discriminative_score(real, synthetic, n_steps=args.disc_steps,
                                n_repeats=args.disc_repeats, random_state=seed)
    memorization = memorization_ratio(training, synthetic, holdout)
    pred = predictive_score(real, synthetic, n_steps=args.pred_steps, random_state=seed)
    print(f"  seed {seed} bolt={'off' if params.get('feedback_interval', 0.2) is None else 'on'}"
          f": discriminative {disc.mean:.3f}, predictive {pred.mean:.3f}, fit {fit_seconds:.0f} s",
          flush=True)
    return {
        "seed": seed, "discriminative": disc.mean, "predictive": pred.mean,
        "predictive_real": pred.reference.mean, "fit_seconds": fit_seconds,
        "tv_complement": float(tv_complement(real, synthetic)),
        "kl_similarity": float(kl_similarity(real, synthetic)),
        "chi_square_share": float(chi_square_test(real, synthetic, random_state=seed)),
        "memorization": float(memorization),
        # Share of synthetic windows nearer a training window than 95% of held-out ones
        # are: about 0.05 without copying, whatever the ratio of medians says.
        "memorization_closer_share": memorization.closer_share,
        "parallel_fits": args.n_jobs,  # fit_seconds are contended single-thread when > 1
        "code": code_fingerprint(),
    }


def summarise(runs, params):
    # Seeds pooled from an earlier run may lack a later-added figure: summarise the shared ones.
    keys = [k for k in runs[0] if k not in ("seed", "code") and all(k in r for r in runs)]
    summary = {k: mean_ci([r[k] for r in runs]) for k in keys}
    summary["code"] = runs[0].get("code")  # the same for every pooled run
    summary["predictive_real"] = summary["predictive_real"]["mean"]
    summary["fit_seconds"] = summary["fit_seconds"]["mean"]
    summary["config"] = params
    return summary


def benchmark(name, params, args):
    print(f"{name}:", flush=True)
    real = load(name)
    if args.max_sequences and len(real) > args.max_sequences:
        keep = np.random.default_rng(0).choice(len(real), args.max_sequences, replace=False)
        real = real[np.sort(keep)]
    params = full_config(params)
    on, off = earlier_runs(args.previous.get(name), params, args)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    off_params = {**params, "feedback_interval": None}
    jobs = [(p, s) for s in seeds for p in (params, off_params)]
    runs = Parallel(n_jobs=args.n_jobs)(delayed(run_seed)(real, p, s, args, name)
                                        for p, s in jobs)
    return assemble(name, on + runs[0::2], off + runs[1::2], params, len(real))


def assemble(name, on, off, params, n_sequences):
    """The dataset's entry from its per-seed runs, bolt on and off, paired by seed."""
    result = summarise(on, params)
    result["bolt_off"] = summarise(off, {**params, "feedback_interval": None})
    diff = [a["discriminative"] - b["discriminative"] for a, b in zip(on, off)]
    result["bolt_effect_discriminative"] = mean_ci(diff)  # negative = bolt helps
    result["n_sequences"] = n_sequences
    result["published"] = PUBLISHED[name]
    result["runs"] = {"on": on, "off": off}
    return result


def full_config(params):
    """Every parameter of the synthesizer ``params`` builds, seed excepted (it varies)."""
    config = BoltGANSynthesizer(**params).get_params()
    config.pop("random_state")
    return config


def earlier_runs(previous, params, args):
    """Per-seed runs of ``previous`` (an --update) with the same configuration and package
    code (``code_fingerprint``), else none.

    Adding seeds to a finished run (``--first-seed 2 --update``) pools them with its seeds.
    """
    if previous is None or previous.get("config") != params or "runs" not in previous:
        return [], []
    code = code_fingerprint()
    if any(run.get("code") != code for run in previous["runs"]["on"] + previous["runs"]["off"]):
        print("  the earlier runs were made with other package code: not pooled", flush=True)
        return [], []
    earlier = {k: v for k, v in previous["settings"].items() if k != "seeds"}
    if earlier != run_settings(args):
        raise SystemExit(f"--update with other settings than the earlier run: {earlier} vs "
                         f"{run_settings(args)}")
    return list(previous["runs"]["on"]), list(previous["runs"]["off"])


def run_settings(args):
    """What a run's figures depend on besides the configuration (the seeds are in "runs")."""
    return {"epochs": args.epochs, "max_sequences": args.max_sequences,
            "disc_steps": args.disc_steps, "disc_repeats": args.disc_repeats,
            "pred_steps": args.pred_steps,
            "holdout": HOLDOUT}


def print_table(results):
    print(f"{'dataset':8} {'bolt':4} {'discriminative':>18} {'predictive':>18} "
          f"{'pred(real)':>10} {'TV':>6} {'exp-KL':>6} {'fit s':>7}")
    for name, r in results.items():
        for label, row in (("on", r), ("off", r["bolt_off"])):
            d, p = row["discriminative"], row["predictive"]
            print(f"{name:8} {label:4} {d['mean']:8.3f} ± {d['ci'] or 0:7.3f} "
                  f"{p['mean']:8.3f} ± {p['ci'] or 0:7.3f} {row['predictive_real']:10.3f} "
                  f"{row['tv_complement']['mean']:6.3f} {row['kl_similarity']['mean']:6.3f} "
                  f"{row['fit_seconds']:7.1f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["sines", "stocks", "energy"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help="override num_epochs")
    parser.add_argument("--config", type=json.loads, default={}, help="JSON parameters")
    parser.add_argument("--max-sequences", type=int, default=None)
    parser.add_argument("--disc-steps", type=int, default=2000)
    parser.add_argument("--disc-repeats", type=int, default=10,
                        help="post-hoc classifiers per synthetic set, averaged (TimeGAN's "
                             "10); one run's score varies by about 0.08 on stocks")
    parser.add_argument("--pred-steps", type=int, default=5000)
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="fits at a time; above 1 each fit gets one thread and its "
                             "fit_seconds are contended (the scores are not affected)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--update", action="store_true",
                        help="keep the other datasets' results already in --output")
    args = parser.parse_args(argv)
    params = dict(args.config)
    if args.epochs is not None:
        params["num_epochs"] = args.epochs
    results = json.loads(args.output.read_text())["results"] if args.update else {}
    args.previous = dict(results)
    for name in args.datasets:
        result = benchmark(name, params, args)
        results[name] = {**result, "settings": {**run_settings(args),
                                                "seeds": len(result["runs"]["on"])}}
        write(args.output, results)  # after each dataset: a later failure keeps this one
    print_table(results)
    print(f"wrote {args.output}")


def write(path, results):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"results": results}, indent=2))


if __name__ == "__main__":
    main()

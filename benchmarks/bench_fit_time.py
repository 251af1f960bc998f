"""Minutes of one default fit per dataset: the budget the docstring and docs state.

``bench_quality.py`` runs fits side by side (``--n-jobs``), so its fit seconds are contended;
this fits ``BoltGANSynthesizer(**config)`` alone, on the protocol's training windows
(``bench_quality.holdout_split``), with ``--threads`` torch threads. Run it on idle cores::

    python benchmarks/bench_fit_time.py --datasets stocks sines energy

Writes ``benchmarks/results/fit_time.json`` (``--update`` keeps other datasets' figures).
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

from bench_quality import holdout_split, load
from skboltgan import BoltGANSynthesizer

RESULTS = Path(__file__).parent / "results" / "fit_time.json"


def time_fit(name, config, threads, seed):
    training, _ = holdout_split(load(name), name)
    gan = BoltGANSynthesizer(**{**config, "n_threads": threads, "random_state": seed})
    start = time.perf_counter()
    gan.fit(training)
    seconds = time.perf_counter() - start
    epochs = len(gan.history_)
    print(f"{name}: {len(training)} windows, {epochs} epochs, {seconds / 60:.1f} min "
          f"({seconds / epochs:.2f} s an epoch)", flush=True)
    return {"windows": len(training), "epochs": epochs, "fit_seconds": seconds,
            "fit_minutes": seconds / 60, "threads": threads, "seed": seed, "config": config,
            "cpu": cpu_name(), "cores": os.cpu_count()}


def cpu_name():
    """The CPU model (timings differ between sessions' machines)."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["stocks", "sines", "energy"])
    parser.add_argument("--config", type=json.loads, default={}, help="JSON parameters")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--update", action="store_true")
    args = parser.parse_args(argv)
    results = (json.loads(args.output.read_text())
               if args.update and args.output.exists() else {})
    for name in args.datasets:
        results[name] = time_fit(name, args.config, args.threads, args.seed)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

"""Ablation control: a variant at a fixed epoch count (not a compute budget).

The 300 s screen of ``ablation_quality.py`` gives a wider network fewer epochs, and the
defaults degrade with longer training on stocks and sines; this runs a variant at the
epochs another one got, seeds 0 and 1, two fits at a time on one thread each::

    python benchmarks/ablation_equal_epochs.py sines step-noise-5d-combined 41
    python benchmarks/ablation_equal_epochs.py stocks step-noise-5d-combined 127

Results are appended to ``benchmarks/results/ablation_equal_epochs.json``.
"""

import json
import sys
from pathlib import Path

from joblib import Parallel, delayed

from ablation_quality import VARIANTS, fit_and_score
from bench_quality import load

RESULTS = Path(__file__).parent / "results" / "ablation_equal_epochs.json"


def main(name, variant, epochs, seeds=(0, 1)):
    real = load(name)
    params = {**VARIANTS[variant], "num_epochs": int(epochs)}
    runs = Parallel(n_jobs=2)(delayed(fit_and_score)(real, params, s, 2000) for s in seeds)
    table = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    table.append({"dataset": name, "variant": variant, "num_epochs": int(epochs),
                  "runs": runs})
    RESULTS.write_text(json.dumps(table, indent=2))
    for run in runs:
        print(f"{name} {variant} {epochs} epochs seed {run['seed']}: discriminative "
              f"{run['discriminative']:.3f}, predictive {run['predictive']:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:4])

"""Pictures for the quality page: PCA/t-SNE embeddings and sample curves, per dataset.

Fits one Bolt-GAN per dataset (the package defaults unless ``--epochs`` is given) on at most
``--max-sequences`` windows, samples as many windows as it was fitted on, and saves
``docs/_static/quality_<dataset>_embedding.png`` and ``..._samples.png``::

    python benchmarks/plot_quality.py --max-sequences 2000
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from bench_quality import load  # noqa: E402  (same data preparation as the benchmark)
import numpy as np  # noqa: E402

from skboltgan import BoltGANSynthesizer  # noqa: E402
from skboltgan.plotting import plot_embedding, plot_samples  # noqa: E402

OUT = Path(__file__).parents[1] / "docs" / "_static"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["sines", "stocks", "energy"])
    parser.add_argument("--epochs", type=int, default=None, help="default: num_epochs's")
    parser.add_argument("--max-sequences", type=int, default=2000)
    args = parser.parse_args(argv)
    for name in args.datasets:
        real = load(name)
        if len(real) > args.max_sequences:
            keep = np.random.default_rng(0).choice(len(real), args.max_sequences, replace=False)
            real = real[np.sort(keep)]
        params = {} if args.epochs is None else {"num_epochs": args.epochs}
        gan = BoltGANSynthesizer(**params, n_threads=1, random_state=0).fit(real)
        synthetic = gan.sample(len(real), random_state=0)
        plot_embedding(real, synthetic, random_state=0).savefig(
            OUT / f"quality_{name}_embedding.png", dpi=80)
        plot_samples(real, synthetic, n_sequences=4, max_features=3).savefig(
            OUT / f"quality_{name}_samples.png", dpi=80)
        print(f"{name}: wrote {OUT}/quality_{name}_*.png")


if __name__ == "__main__":
    main()

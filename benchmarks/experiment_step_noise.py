"""Experiment: does per-step noise in the generator fix the flat synthetic windows?

The paper's generator feeds one projected noise vector to the LSTM at every time step, so the
synthetic windows settle on a fixed point (see docs/quality.rst). This script appends ``K``
fresh standard-normal values per time step to that input (a generator variant defined here,
swapped in for the package's; the package itself is unchanged), fits the defaults on the
stock windows and scores them as ``bench_quality.py`` does::

    python benchmarks/experiment_step_noise.py 8 0 1      # K=8, seeds 0 and 1

The per-step noise comes from torch's global generator (seeded per fit), not from the
synthesizer's own noise stream: good enough for an experiment, not for the package. The
package's own per-step noise design (``noise_dim``) supersedes it; this variant adds the
noise to the paper's design with ``noise_dim=0``, so run it with that setting.
"""

import sys
import time

import torch
from torch import nn

import skboltgan._synthesizer as synthesizer_module
from bench_quality import load
from skboltgan import BoltGANSynthesizer
from skboltgan._networks import LSTMGenerator
from skboltgan.metrics import discriminative_score, predictive_score, tv_complement


def step_noise_generator(k):
    class StepNoiseGenerator(LSTMGenerator):
        def __init__(self, latent_dim, seq_len, n_features, hidden_size, num_layers, dropout,
                     n_classes=0):
            super().__init__(latent_dim, seq_len, n_features, hidden_size, num_layers, dropout,
                             n_classes)
            self.lstm = nn.LSTM(hidden_size + k, hidden_size, num_layers=num_layers,
                                batch_first=True, dropout=dropout if num_layers > 1 else 0.0)

        def forward(self, z, labels=None, step_noise=None):  # draws its own noise instead
            steps = self.project(z).unsqueeze(1).expand(-1, self.seq_len, -1)
            noise = torch.randn(z.shape[0], self.seq_len, k, device=z.device)
            hidden, _ = self.lstm(torch.cat([steps, noise], dim=2))
            return torch.tanh(self.output(hidden))

    return StepNoiseGenerator


def main(k, seeds):
    synthesizer_module.LSTMGenerator = step_noise_generator(k)
    real = load("stocks")
    for seed in seeds:
        torch.manual_seed(seed)
        start = time.perf_counter()
        model = BoltGANSynthesizer(noise_dim=0, block_size=1, discriminator_steps=1,
                                   moment_weight=0.0, step_logits=False, num_epochs=70,
                                   n_threads=1, random_state=seed).fit(real)
        fit_seconds = time.perf_counter() - start
        torch.manual_seed(seed)
        synthetic = model.sample(len(real), random_state=seed)
        disc = discriminative_score(real, synthetic, random_state=seed)
        pred = predictive_score(real, synthetic, n_steps=2000, random_state=seed)
        print(f"K={k} seed {seed}: discriminative {disc.mean:.3f}, predictive {pred.mean:.3f}, "
              f"TV {tv_complement(real, synthetic).value:.3f}, fit {fit_seconds:.0f} s",
              flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), [int(s) for s in sys.argv[2:]])

"""Experiment: do cheaper dropout masks speed up the training step?

``nn.LSTM`` draws its between-layer dropout masks with ``bernoulli_``, which the profile
(``bench_speed.py --parts profile``) puts at about 6% of the paper-architecture step. Masks
from ``torch.rand(...) >= p`` are about 2.4x cheaper on their own. This script runs the LSTM
layers one at a time with those masks (same Bernoulli(1 - p) masks, same scaling) and times
our training step against the package's, round-robin, at the default and paper
architectures::

    python benchmarks/experiment_dropout_masks.py

It calls ``torch._VF.lstm`` (the kernel ``nn.LSTM`` itself calls, a private API), which is
acceptable in an experiment but not in the package. Results on the project's machine
(2026-11-24, 2 threads) are in ``docs/performance.rst``: no gain above the machine's noise,
so the package keeps ``nn.LSTM``'s own dropout.
"""

import statistics
import time

import torch
from torch import nn

from bench_speed import PAPER, SINES_SHAPE, build_ours, default_arch


def rand_mask_dropout(x, p):
    return x * ((torch.rand(x.shape, device=x.device) >= p) * (1.0 / (1.0 - p)))


def layerwise_forward(lstm, x, hx=None):
    """``nn.LSTM.forward`` in training mode, one layer per call, with ``rand`` dropout masks."""
    if not (lstm.training and lstm.dropout > 0 and lstm.num_layers > 1):
        return nn.LSTM.forward(lstm, x, hx)
    weights = lstm._flat_weights
    for layer in range(lstm.num_layers):
        zeros = x.new_zeros(1, x.shape[0], lstm.hidden_size)
        x, h, c = torch._VF.lstm(x, (zeros, zeros), weights[4 * layer:4 * layer + 4], True, 1,
                                 0.0, True, False, True)
        if layer < lstm.num_layers - 1:
            x = rand_mask_dropout(x, lstm.dropout)
    return x, (h, c)


def step_runner(arch, cheap_masks):
    trainer = build_ours(arch, *SINES_SHAPE, "float32")
    if cheap_masks:
        for lstm in (trainer.generator.lstm, trainer.discriminator.lstm):
            lstm.forward = layerwise_forward.__get__(lstm)
    real = torch.rand(arch["batch_size"], *SINES_SHAPE) * 2 - 1
    return lambda: trainer.train_step(real, None, 0.0)


def main(repeats=15, seconds_per_timing=0.5):
    torch.set_num_threads(2)
    for name, arch in (("default", default_arch()[0]), ("paper", dict(PAPER))):
        runners = {label: step_runner(arch, cheap)
                   for label, cheap in (("nn.LSTM dropout", False), ("rand masks", True))}
        times = {label: [] for label in runners}
        for _ in range(repeats):
            for label, run in runners.items():
                run()  # warm
                start, steps = time.perf_counter(), 0
                while time.perf_counter() - start < seconds_per_timing:
                    run()
                    steps += 1
                times[label].append((time.perf_counter() - start) / steps)
        base, cheap = (statistics.median(times[label]) for label in runners)
        # Each round's pair shares the machine's load of the moment: their ratio is steadier.
        ratios = sorted(b / c for b, c in zip(*times.values()))
        print(f"{name}: nn.LSTM dropout {base * 1e3:.1f} ms/step, rand masks "
              f"{cheap * 1e3:.1f} ms/step; speed-up per round: median "
              f"{statistics.median(ratios):.3f}x, range {ratios[0]:.2f}-{ratios[-1]:.2f}x")


if __name__ == "__main__":
    main()

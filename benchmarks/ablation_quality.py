"""Ablation: which generator design and objective buys the discriminative score.

Every variant is the package defaults with a few parameters changed (``VARIANTS``). All
variants get the same **single-thread compute budget**: each is first timed on a short probe
fit (one thread, nothing else running), and its epoch count is the budget divided by its
measured seconds per epoch. The epoch counts are then fixed, so the fits themselves are
deterministic and can run two at a time (one thread each) on a 2-core machine; the JSON
records each variant's epochs, its probe seconds per epoch and each fit's minutes.

Each fit is scored with the TimeGAN protocol (``bench_quality.load``: min-max over the whole
series, 24-step windows) on as many samples as real windows, mean ± 95% t-CI over seeds::

    python benchmarks/ablation_quality.py --datasets stocks --seeds 3 --budget 120
    python benchmarks/ablation_quality.py --datasets sines --variants paper step-noise-5d \\
        --seeds 3 --budget 120 --update

Results go to ``benchmarks/results/ablation.json`` under ``"<budget>s"`` and the dataset;
``--update`` adds variants, datasets or more seeds (``--first-seed``) to what is there.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed

from bench_quality import load, mean_ci
from skboltgan import BoltGANSynthesizer
from skboltgan._networks import LSTMDiscriminator, LSTMGenerator
from skboltgan.metrics import discriminative_score, predictive_score

RESULTS = Path(__file__).parent / "results" / "ablation.json"

# Every choice under test is spelled out, so a later change of the package defaults does not
# change what a stored variant means; the network size is that of the previous defaults.
PAPER = dict(latent_dim=100, lstm_hidden=32, lstm_layers=2, batch_size=64, lr=1e-3,
             noise_dim=0, block_size=1, loss="bce", moment_weight=0.0, step_logits=False,
             discriminator_lr=None, discriminator_steps=1, decorrelate=False)
# Until the block_size=1 defaults, the generator also trained with dropout between its LSTM
# layers when fed per-step noise; these variants were measured so and keep it.
STEP = {**PAPER, "noise_dim": 16, "discriminator_steps": 5, "generator_dropout": True}
# The three that each beat step-noise-5d on stocks, together: the package defaults.
COMBINED = {**STEP, "block_size": 4, "moment_weight": 10.0, "step_logits": True}
DEFAULTS = {**COMBINED, "lstm_hidden": 64, "block_size": 1, "generator_dropout": False}
VARIANTS = {
    "paper": PAPER,  # the defaults before this ablation
    "paper-5d": {**PAPER, "discriminator_steps": 5},
    "step-noise-1d": {**STEP, "discriminator_steps": 1},
    "step-noise-5d": STEP,
    "step-noise-5d-block4": {**STEP, "block_size": 4},
    "step-noise-5d-moment": {**STEP, "moment_weight": 10.0},
    "step-noise-5d-steplogits": {**STEP, "step_logits": True},
    "step-noise-wgan-gp": {**STEP, "loss": "wgan-gp"},
    "step-noise-lsgan": {**STEP, "loss": "lsgan"},
    "step-noise-5d-ttur": {**STEP, "discriminator_steps": 2, "discriminator_lr": 4e-3},
    "step-noise-5d-combined": COMBINED,
    # Energy (28 features): its discriminator wins outright at the defaults; weaker or
    # slower discriminators, and a wider network for the wider data.
    "combined-1d": {**COMBINED, "discriminator_steps": 1},
    "combined-2d": {**COMBINED, "discriminator_steps": 2},
    "combined-slow-d": {**COMBINED, "discriminator_lr": 2e-4},
    "combined-wide": {**COMBINED, "lstm_hidden": 64},
    "combined-noise4": {**COMBINED, "noise_dim": 4},
    "combined-wide-noise4": {**COMBINED, "lstm_hidden": 64, "noise_dim": 4},
    # Sines (smooth curves): do the four position-specific heads of a block leave seams?
    "combined-wide-block1": {**COMBINED, "lstm_hidden": 64, "block_size": 1},
    "combined-wide-block2": {**COMBINED, "lstm_hidden": 64, "block_size": 2},
    # Experiment: learning rates decayed linearly to zero over the second half.
    "combined-wide-decay": {**COMBINED, "lstm_hidden": 64, "generator": "lr-decay"},
    "combined-wide-block1-decay": {**COMBINED, "lstm_hidden": 64, "block_size": 1,
                                   "generator": "lr-decay"},
    # Experiment: the R1 penalty on real windows (gamma 10, every 4th D update).
    "combined-wide-r1": {**COMBINED, "lstm_hidden": 64, "generator": "r1"},
    "combined-wide-block1-r1": {**COMBINED, "lstm_hidden": 64, "block_size": 1,
                                "generator": "r1"},
    "combined-wide-block1-r1-gamma1": {**COMBINED, "lstm_hidden": 64, "block_size": 1,
                                       "generator": "r1-gamma1"},
    # No dropout in the generator (it trained with dropout between its LSTM layers but
    # samples without, so the discriminator judged jittered windows in training). The
    # second is the package defaults since it won.
    "combined-wide-gdrop0": {**COMBINED, "lstm_hidden": 64, "generator_dropout": False},
    "combined-wide-block1-gdrop0": {**COMBINED, "lstm_hidden": 64, "block_size": 1,
                                    "generator_dropout": False},
    # The block_size=1 defaults; every feature rotated onto its principal axes; only
    # groups of features correlated 0.99 or more (decorrelate, the package defaults).
    "defaults": DEFAULTS,
    "defaults-whiten": {**DEFAULTS, "generator": "whiten"},
    "defaults-decorrelate": {**DEFAULTS, "decorrelate": True},
    # Experiment: the step noise also mapped straight to the outputs (energy's predictive
    # score: its random columns pick up relations to the other features in the LSTM state).
    "defaults-noise-skip": {**DEFAULTS, "decorrelate": True, "generator": "noise-skip"},
    "defaults-zero-skip": {**DEFAULTS, "decorrelate": True, "generator": "zero-skip"},
    # Experiment: the discriminator also sees each step's change (energy's sensors jitter
    # together in the samples; benchmarks/results/energy_closer_share_screen.txt).
    "defaults-step-change-d": {**DEFAULTS, "decorrelate": True, "generator": "step-change-d"},
    # "defaults-white-skip" (epoch_screen.json): the noise skip onto every coordinate without
    # lag-1 autocorrelation, an experiment here until the package took it up for features
    # and a group's leading principal axis (LSTMGenerator's noise_skip_features).
    # Experiment (not a package option): numeric outputs integrate increments.
    "combined-cumulative": {**COMBINED, "generator": "cumulative"},
    "combined-wide-cumulative": {**COMBINED, "lstm_hidden": 64, "generator": "cumulative"},
    "combined-cumulative-noise4": {**COMBINED, "noise_dim": 4, "generator": "cumulative"},
    "combined-wide-cumulative-noise4": {**COMBINED, "lstm_hidden": 64, "noise_dim": 4,
                                        "generator": "cumulative"},
}


class CumulativeSynthesizer(BoltGANSynthesizer):
    """The defaults with ``LSTMGenerator(cumulative=True)``: each numeric output's
    pre-activation is a level plus a running sum of increments (smooth series are easy)."""

    def _build_networks(self, seq_len, layout, white_features, n_classes, device):
        _, discriminator = super()._build_networks(seq_len, layout, white_features,
                                                   n_classes, device)
        generator = LSTMGenerator(self.latent_dim, seq_len, layout.n_network_features,
                                  self.lstm_hidden, self.lstm_layers, self.dropout, n_classes,
                                  noise_dim=self.noise_dim, block_size=self.block_size,
                                  categorical_sizes=layout.group_sizes, cumulative=True)
        return generator.to(device), discriminator


class NoiseSkipGenerator(LSTMGenerator):
    """``LSTMGenerator`` whose outputs also take a linear map of that step's noise, past the
    LSTM: a feature that is fresh noise at every step (energy's random columns rv1 and rv2)
    then need not pass through a recurrent state that also carries the other features.
    With ``zero_skip`` the map starts at zero: the generator starts as the defaults'."""

    def __init__(self, *args, zero_skip=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.output = _NoiseSkip(self.output, self.noise_dim)
        if zero_skip:
            torch.nn.init.zeros_(self.output.skip.weight)
            torch.nn.init.zeros_(self.output.skip.bias)

    def forward(self, z, labels=None, step_noise=None):
        self.output.step_noise = step_noise
        try:
            return super().forward(z, labels, step_noise)
        finally:
            self.output.step_noise = None


class _NoiseSkip(torch.nn.Module):
    """The LSTM's output layer plus a linear map of the step noise it is handed."""

    def __init__(self, output, noise_dim):
        super().__init__()
        self.output, self.skip = output, torch.nn.Linear(noise_dim, output.out_features)
        self.step_noise = None

    def forward(self, hidden):
        return self.output(hidden) + self.skip(self.step_noise)


class NoiseSkipSynthesizer(BoltGANSynthesizer):
    """The defaults with ``NoiseSkipGenerator``."""

    zero_skip = False

    def _build_networks(self, seq_len, layout, white_features, n_classes, device):
        _, discriminator = super()._build_networks(seq_len, layout, white_features,
                                                   n_classes, device)
        generator = NoiseSkipGenerator(self.latent_dim, seq_len, layout.n_network_features,
                                       self.lstm_hidden, self.lstm_layers,
                                       self._generator_dropout(), n_classes,
                                       noise_dim=self.noise_dim, block_size=self.block_size,
                                       categorical_sizes=layout.group_sizes,
                                       zero_skip=self.zero_skip)
        return generator.to(device), discriminator


class ZeroSkipSynthesizer(NoiseSkipSynthesizer):
    """The noise skip starting at zero (one sines seed broke down with a random start)."""

    zero_skip = True


class LearningRateDecaySynthesizer(BoltGANSynthesizer):
    """Both learning rates constant for the first half of the epochs, then falling linearly
    towards zero (CycleGAN's schedule): smaller steps where a GAN oscillates."""

    def _train(self, trainer, data, labels, monitors, store, num_epochs, earlier=None):
        run_epoch = trainer.run_epoch
        optimizers = [(opt, [group["lr"] for group in opt.param_groups])
                      for opt in (trainer.opt_g, trainer.opt_d)]
        epochs_run = []

        def run_decayed_epoch(*args):
            factor = min(1.0, 2 * (1 - len(epochs_run) / num_epochs))
            for opt, base in optimizers:
                for group, lr in zip(opt.param_groups, base):
                    group["lr"] = lr * factor
            epochs_run.append(factor)
            return run_epoch(*args)

        trainer.run_epoch = run_decayed_epoch
        return super()._train(trainer, data, labels, monitors, store, num_epochs, earlier)


class R1Synthesizer(BoltGANSynthesizer):
    """Adds Mescheder et al.'s (2018) R1 penalty, ``gamma / 2 * E ||grad_x D(x)||^2`` on
    real windows, to the discriminator's loss: unregularised GAN training oscillates around
    its equilibrium when the data lie on a low-dimensional manifold (as the sines do), R1
    makes it converge locally. Lazy, as in StyleGAN2: every ``R1_EVERY``-th discriminator
    update, weighted by ``R1_EVERY``, since the double backward through the LSTM is dear."""

    r1_gamma = 10.0
    r1_every = 4

    def _train(self, trainer, data, labels, monitors, store, num_epochs, earlier=None):
        discriminator_step, step = trainer.discriminator_step, trainer.opt_d.step
        current = {}

        def remember_batch(real, fake, batch_labels):
            current.update(real=real, labels=batch_labels)
            return discriminator_step(real, fake, batch_labels)

        def penalised_step(*args, **kwargs):
            if trainer.d_updates % self.r1_every == 0:
                weight = self.r1_gamma / 2 * self.r1_every
                (weight * r1_penalty(trainer.discriminator, **current)).backward()
            return step(*args, **kwargs)

        trainer.discriminator_step, trainer.opt_d.step = remember_batch, penalised_step
        return super()._train(trainer, data, labels, monitors, store, num_epochs, earlier)


def r1_penalty(discriminator, real, labels):
    """``mean_i ||grad_x D(x_i)||^2`` on real windows (per-step logits averaged per window)."""
    real = real.detach().requires_grad_(True)
    values = discriminator(real, labels)
    values = values.reshape(values.shape[0], -1).mean(dim=1)
    grads, = torch.autograd.grad(values.sum(), real, create_graph=True)
    return grads.flatten(1).pow(2).sum(dim=1).mean()


class WeakR1Synthesizer(R1Synthesizer):
    """R1 at a tenth of the weight: gamma 10 held sines at 0.24 (steady, but too slow)."""

    r1_gamma = 1.0


class WhitenedSynthesizer(BoltGANSynthesizer):
    """Fitted on all the features' principal components (centred and rotated, per time
    step), rotated back after sampling; the package then scales each component to the
    generator's range, so a near-exact relation between features (stocks' Close and Adj
    Close are equal, Open/High/Low differ from them by a few thousandths) is a component
    the discriminator sees at full range. Won on stocks, lost on sines and energy: the
    package's ``decorrelate`` rotates only groups of strongly correlated features."""

    def fit(self, X, y=None):
        flat = np.asarray(X, dtype=float).reshape(-1, np.shape(X)[-1])
        self.whiten_mean_ = flat.mean(axis=0)
        # Rows of vt are the principal axes; keeping all of them makes the map invertible.
        _, _, self.whiten_axes_ = np.linalg.svd(flat - self.whiten_mean_, full_matrices=False)
        return super().fit((X - self.whiten_mean_) @ self.whiten_axes_.T, y)

    def sample(self, n_samples, **kwargs):
        return super().sample(n_samples, **kwargs) @ self.whiten_axes_ + self.whiten_mean_


class StepChangeDiscriminator(LSTMDiscriminator):
    """``LSTMDiscriminator`` fed each step's change from the step before beside the step:
    energy's samples jitter together across sensors where the data's 10-minute changes are
    nearly independent, and an LSTM fed levels alone has to learn differencing first."""

    def __init__(self, seq_len, n_features, *args, **kwargs):
        super().__init__(seq_len, 2 * n_features, *args, **kwargs)

    def forward(self, x, labels=None):
        change = torch.diff(x, dim=1, prepend=x[:, :1])
        return super().forward(torch.cat([x, change], dim=2), labels)


class StepChangeSynthesizer(BoltGANSynthesizer):
    """The defaults with ``StepChangeDiscriminator``."""

    def _build_networks(self, seq_len, layout, white_features, n_classes, device):
        generator, _ = super()._build_networks(seq_len, layout, white_features, n_classes,
                                               device)
        discriminator = StepChangeDiscriminator(seq_len, layout.n_network_features,
                                                self.lstm_hidden, self.lstm_layers,
                                                self.dropout, n_classes,
                                                step_logits=self.step_logits)
        return generator, discriminator.to(device)


class GeneratorDropout:
    """Mixin: dropout (``dropout``) between the generator's LSTM layers whatever its design,
    as the package did before the block_size=1 defaults."""

    def _generator_dropout(self):
        return self.dropout


EXPERIMENTS = {"cumulative": CumulativeSynthesizer, "lr-decay": LearningRateDecaySynthesizer,
               "noise-skip": NoiseSkipSynthesizer, "zero-skip": ZeroSkipSynthesizer,
               "r1": R1Synthesizer, "r1-gamma1": WeakR1Synthesizer,
               "whiten": WhitenedSynthesizer, "step-change-d": StepChangeSynthesizer}


def make_synthesizer(params, **extra):
    """The variant's synthesizer: the package's, or an experiment's subclass, with the
    generator's dropout of the earlier package where the variant asks for it."""
    params = dict(params)
    cls = EXPERIMENTS.get(params.pop("generator", None), BoltGANSynthesizer)
    if params.pop("generator_dropout", False):
        cls = type(f"GeneratorDropout{cls.__name__}", (GeneratorDropout, cls), {})
    return cls(**params, **extra)


def seconds_per_epoch(real, params, probe_epochs=3):
    """Median seconds of the probe's epochs after the first (which pays the warm-up)."""
    gan = make_synthesizer(params, num_epochs=probe_epochs, feedback_interval=None,
                           n_threads=1, random_state=0).fit(real)
    return float(np.median([r["seconds"] for r in gan.history_[1:]]))


def fit_and_score(real, params, seed, pred_steps):
    start = time.perf_counter()
    gan = make_synthesizer(params, n_threads=1, random_state=seed).fit(real)
    minutes = (time.perf_counter() - start) / 60
    synthetic = gan.sample(len(real), random_state=seed)
    disc = discriminative_score(real, synthetic, random_state=seed)
    pred = predictive_score(real, synthetic, n_steps=pred_steps, random_state=seed)
    return {"seed": seed, "discriminative": disc.mean, "predictive": pred.mean,
            "predictive_real": pred.reference.mean, "fit_minutes": minutes,
            "final_d_loss": gan.history_[-1]["d_loss"]}


def summarise(entry):
    runs = entry["runs"]
    for key in ("discriminative", "predictive", "fit_minutes"):
        entry[key] = mean_ci([r[key] for r in runs])
    entry["predictive_real"] = float(np.mean([r["predictive_real"] for r in runs]))
    return entry


def run_dataset(name, variants, args, table):
    real = load(name)
    entries = table.setdefault(name, {})
    jobs = []
    for variant in variants:
        params = VARIANTS[variant]
        entry = entries.get(variant)
        if entry is None or entry["config"] != params:
            per_epoch = seconds_per_epoch(real, params)
            epochs = max(1, round(args.budget / per_epoch))
            entry = entries[variant] = {"config": params, "num_epochs": epochs,
                                        "probe_seconds_per_epoch": per_epoch, "runs": []}
            print(f"{name} {variant}: {per_epoch:.2f} s/epoch -> {epochs} epochs", flush=True)
        done = {r["seed"] for r in entry["runs"]}
        seeds = range(args.first_seed, args.first_seed + args.seeds)
        jobs += [(variant, s) for s in seeds if s not in done]

    def job(variant, seed):
        params = {**VARIANTS[variant], "num_epochs": entries[variant]["num_epochs"]}
        return variant, fit_and_score(real, params, seed, args.pred_steps)

    args.save()  # the calibrated epochs, before any fit
    results = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(
        delayed(job)(v, s) for v, s in jobs)
    for variant, run in results:
        entries[variant]["runs"].append(run)
        entries[variant]["runs"].sort(key=lambda r: r["seed"])
        summarise(entries[variant])
        print(f"{name} {variant} seed {run['seed']}: discriminative {run['discriminative']:.3f}"
              f", predictive {run['predictive']:.3f}, fit {run['fit_minutes']:.1f} min",
              flush=True)
        args.save()


def print_table(table):
    print(f"{'dataset':8} {'variant':26} {'epochs':>6} {'discriminative':>16} "
          f"{'predictive':>16} {'n':>2}")
    for name, entries in table.items():
        for variant, e in sorted(entries.items(), key=lambda kv: kv[1]["discriminative"]["mean"]
                                 if "discriminative" in kv[1] else 1):
            if "discriminative" not in e:
                continue
            d, p = e["discriminative"], e["predictive"]
            print(f"{name:8} {variant:26} {e['num_epochs']:6d} {d['mean']:7.3f} ± "
                  f"{d['ci'] or 0:6.3f} {p['mean']:7.3f} ± {p['ci'] or 0:6.3f} "
                  f"{len(e['runs']):2d}")


def rst_table(table):
    """The results as the reStructuredText table of docs/ablation.rst (one seed: no CI)."""
    width = max([len("variant")] + [len(v) for entries in table.values() for v in entries])
    head = (f"{'dataset':8}  {'variant':{width}}  {'epochs':6}  {'fit min':7}  "
            f"{'discriminative':16}  {'predictive':16}  {'seeds':5}")
    rule = "  ".join("=" * n for n in (8, width, 6, 7, 16, 16, 5))
    lines = [rule, head, rule]
    for name, entries in table.items():
        done = {v: e for v, e in entries.items() if "discriminative" in e}
        for variant, e in sorted(done.items(), key=lambda kv: kv[1]["discriminative"]["mean"]):
            cells = [_mean_ci(e[key]) for key in ("discriminative", "predictive")]
            lines.append(f"{name:8}  {variant:{width}}  {e['num_epochs']:6d}  "
                         f"{e['fit_minutes']['mean']:7.1f}  {cells[0]:16}  {cells[1]:16}  "
                         f"{len(e['runs']):5d}")
    lines.append(rule)
    return "\n".join(lines)


def _mean_ci(summary):
    if summary["ci"] is None:
        return f"{summary['mean']:.3f}"
    return f"{summary['mean']:.3f} ± {summary['ci']:.3f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["stocks", "sines"])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--budget", type=float, default=180,
                        help="single-thread training seconds per fit")
    parser.add_argument("--pred-steps", type=int, default=2000)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--update", action="store_true")
    parser.add_argument("--rst", action="store_true",
                        help="print the stored results as an RST table and exit")
    args = parser.parse_args(argv)
    if args.rst:
        print(rst_table(json.loads(args.output.read_text())[f"{args.budget:g}s"]))
        return
    everything = (json.loads(args.output.read_text())
                  if args.update and args.output.exists() else {})
    table = everything.setdefault(f"{args.budget:g}s", {})

    def save():
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(everything, indent=2))

    args.save = save
    for name in args.datasets:
        run_dataset(name, args.variants, args, table)
    print_table(table)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

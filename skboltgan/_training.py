"""The adversarial loop: epochs, the discriminator and generator steps, and the bolt phases.

Knows torch, not scikit-learn: :class:`AdversarialTrainer` receives built modules, a data
tensor already on the device and seeded ``torch.Generator`` objects, and returns the
per-epoch history.

The step does no wasted work at identical math: one generator forward per batch feeds both
updates (detached for the discriminator), the discriminator's weights get no gradients during
the generator update, real and fake batches share one discriminator pass, Adam runs fused,
batches are slices of one device tensor through a seeded permutation, and losses stay on the
device until the epoch ends (one host synchronisation per epoch).
"""

import copy
import functools
import logging
import time
from contextlib import nullcontext

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ._feedback import bolt_divergences, refined_noise
from ._losses import discriminator_loss, generator_loss, gradient_penalty, moment_loss

logger = logging.getLogger("skboltgan")


@functools.lru_cache(maxsize=None)
def bfloat16_supported(device_type):
    """Whether this machine runs an LSTM step under bfloat16 autocast.

    On CPU, oneDNN's bfloat16 LSTM needs AVX-512 BF16 or AMX; without them it fails with an
    opaque "could not create a primitive descriptor" error, so probe once with a tiny LSTM.
    """
    if device_type == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    lstm = nn.LSTM(2, 2, batch_first=True)
    try:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            lstm(torch.zeros(1, 2, 2))[0].float().sum().backward()
    except RuntimeError:
        return False
    return True


class TrainingDivergedError(FloatingPointError):
    """A loss became NaN or infinite; the model is not usable."""


class AdversarialTrainer:
    """Train an LSTM generator/discriminator pair, with optional bolt feedback.

    Each batch of real sequences gives the discriminator one update against fresh fakes;
    every ``discriminator_steps``-th batch also gives the generator one update, on the same
    fakes (one generator forward feeds both). So an epoch is one pass of the real data
    through the discriminator, whatever the ratio.

    Parameters
    ----------
    generator, discriminator : nn.Module
        Built networks, already on ``device``.
    batch_size : int
        Real sequences per discriminator update.
    lr, betas : float, tuple of float
        Adam settings (``lr`` is the generator's, and the discriminator's unless
        ``discriminator_lr`` is given).
    loss : {"bce", "lsgan", "wgan-gp"}
        Adversarial loss (see :mod:`skboltgan._losses`).
    precision : {"float32", "bfloat16"}
        ``"bfloat16"`` runs forward passes under autocast (mixed precision on CUDA).
    device : torch.device
        Where the data and networks live.
    noise_rng, shuffle_rng : torch.Generator
        Independent seeded generators for latent noise and batch order.
    discriminator_lr : float or None, default=None
        The discriminator's Adam learning rate; None means ``lr``.
    discriminator_steps : int, default=1
        Discriminator updates per generator update.
    gradient_penalty : float, default=10.0
        Weight of the per-sample gradient penalty (``loss="wgan-gp"`` only).
    moment_weight : float, default=0.0
        Weight of TimeGAN's moment-matching term in the generator loss.
    ema_decay : float, default=0.0
        Decay of an exponential moving average of the generator's weights, updated after
        every generator update (warmed up as ``min(ema_decay, (1 + n) / (10 + n))`` after
        ``n`` updates, so early weights fade fast); :attr:`sampling_generator` is that
        average. 0 keeps no average.
    """

    def __init__(self, generator, discriminator, *, batch_size, lr, betas, loss, precision,
                 device, noise_rng, shuffle_rng, discriminator_lr=None, discriminator_steps=1,
                 gradient_penalty=10.0, moment_weight=0.0, ema_decay=0.0):
        self.generator = generator
        self.discriminator = discriminator
        self.batch_size = batch_size
        self.loss = loss
        self.device = device
        self.precision = precision
        self.noise_rng = noise_rng
        self.shuffle_rng = shuffle_rng
        self.discriminator_steps = discriminator_steps
        self.gradient_penalty = gradient_penalty
        self.moment_weight = moment_weight
        # The fused kernel updates all of a network's parameters in one pass (same math).
        fused = device.type in ("cpu", "cuda")
        self.opt_g = torch.optim.Adam(generator.parameters(), lr=lr, betas=betas, fused=fused)
        self.opt_d = torch.optim.Adam(discriminator.parameters(),
                                      lr=lr if discriminator_lr is None else discriminator_lr,
                                      betas=betas, fused=fused)
        self.bolt_state = None  # (k1, k2) while a refinement phase is running
        self.d_updates = 0  # discriminator updates so far: paces the generator's updates
        self.ema_decay = ema_decay
        self.ema_generator = None
        if ema_decay:
            # Kept like the trained generator (requires_grad included: the same LSTM
            # kernels run for both, so the fitted and the reloaded model sample identically);
            # it is only ever run without autograd.
            self.ema_generator = copy.deepcopy(generator).eval()
        self.g_updates = 0
        self._epoch_sums = {}  # running sums of the epoch's statistics, see _track

    @property
    def sampling_generator(self):
        """The generator to sample from: the weight average if one is kept."""
        return self.generator if self.ema_generator is None else self.ema_generator

    def state_dict(self):
        """Everything needed to continue training exactly: weights, optimisers, RNG states."""
        return {
            "generator": _cloned(self.generator.state_dict()),
            "discriminator": _cloned(self.discriminator.state_dict()),
            "opt_g": copy.deepcopy(self.opt_g.state_dict()),
            "opt_d": copy.deepcopy(self.opt_d.state_dict()),
            "noise_rng": self.noise_rng.get_state(),
            "shuffle_rng": self.shuffle_rng.get_state(),
            "torch_rng": torch.get_rng_state(),  # dropout draws from the (forked) global RNG
            "cuda_rng": (torch.cuda.get_rng_state(self.device)
                         if self.device.type == "cuda" else None),
            "bolt_state": None if self.bolt_state is None else list(self.bolt_state),
            "d_updates": self.d_updates,
            "g_updates": self.g_updates,
            "ema_generator": (None if self.ema_generator is None
                              else _cloned(self.ema_generator.state_dict())),
        }

    def load_state_dict(self, state):
        self.generator.load_state_dict(state["generator"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.noise_rng.set_state(state["noise_rng"])
        self.shuffle_rng.set_state(state["shuffle_rng"])
        torch.set_rng_state(state["torch_rng"])
        if state.get("cuda_rng") is not None and self.device.type == "cuda":
            torch.cuda.set_rng_state(state["cuda_rng"], self.device)
        self.bolt_state = None if state["bolt_state"] is None else tuple(state["bolt_state"])
        self.d_updates = state.get("d_updates", 0)
        self.g_updates = state.get("g_updates", 0)
        if self.ema_generator is not None:
            self.ema_generator.load_state_dict(state["ema_generator"])

    def autocast(self):
        if self.precision != "bfloat16":
            return nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16)

    def noise(self, n):
        """``(z, step_noise)`` for ``n`` sequences (``step_noise`` None for the paper's design)."""
        return self.generator.draw_noise(n, self.noise_rng, self.device)

    def train_step(self, real, labels, strength):
        """One discriminator update, then one generator update every ``discriminator_steps``.

        Returns ``(D loss, G loss)`` as tensors; the G loss is None when G was not updated.
        """
        self.d_updates += 1
        update_generator = self.d_updates % self.discriminator_steps == 0
        z, step_noise = self.noise(real.shape[0])
        if self.bolt_state is not None:
            z = refined_noise(self.generator, z, labels, *self.bolt_state, strength, step_noise)
        with self.autocast(), torch.set_grad_enabled(update_generator):
            fake = self.generator(z, labels, step_noise)
        loss_d = self.discriminator_step(real, fake.detach(), labels)
        loss_g = self.generator_step(real, fake, labels) if update_generator else None
        return loss_d, loss_g

    def discriminator_step(self, real, fake, labels):
        n = real.shape[0]
        with self.autocast():
            # Real and fake go through the discriminator as one batch: no layer couples
            # samples, so the math is that of two passes, with larger, faster matrix products.
            logits = self.discriminator(torch.cat([real, fake]),
                                        None if labels is None else labels.repeat(2))
            loss = discriminator_loss(logits[:n], logits[n:], self.loss)
            if self.loss == "wgan-gp":
                loss = loss + self.gradient_penalty * gradient_penalty(
                    self.discriminator, real, fake, labels)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self._track("d_grad_norm", _gradient_norm(self.discriminator))
        self._track_accuracy(logits.detach().float(), n)
        self.opt_d.step()
        return loss.detach()

    def _track_accuracy(self, logits, n):
        """Share of real (fake) sequences the discriminator calls real (fake)."""
        if self.loss == "wgan-gp":
            return  # a critic's scores have no decision threshold
        threshold = 0.5 if self.loss == "lsgan" else 0.0
        self._track("d_accuracy_real", (logits[:n] > threshold).float().mean())
        self._track("d_accuracy_fake", (logits[n:] <= threshold).float().mean())

    def _track(self, name, value):
        """Add ``value`` to this epoch's running sum of ``name`` (kept on the device)."""
        total, count = self._epoch_sums.get(name, (0.0, 0))
        self._epoch_sums[name] = (total + value, count + 1)

    def generator_step(self, real, fake, labels):
        self.discriminator.requires_grad_(False)
        with self.autocast():
            loss = generator_loss(self.discriminator(fake, labels), self.loss)
            if self.moment_weight:
                loss = loss + self.moment_weight * moment_loss(real, fake.float())
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self._track("g_grad_norm", _gradient_norm(self.generator))
        self.opt_g.step()
        self.discriminator.requires_grad_(True)
        self.g_updates += 1
        if self.ema_generator is not None:
            self._update_average()
        return loss.detach()

    @torch.no_grad()
    def _update_average(self):
        decay = min(self.ema_decay, (1 + self.g_updates) / (10 + self.g_updates))
        for averaged, current in zip(self.ema_generator.parameters(),
                                     self.generator.parameters()):
            averaged.lerp_(current, 1 - decay)

    def run_epoch(self, data, labels, strength):
        """One pass over ``data`` in shuffled batches; returns the epoch's mean statistics.

        ``d_loss``, ``g_loss``, ``d_accuracy_real``, ``d_accuracy_fake`` (not for
        ``"wgan-gp"``), ``d_grad_norm`` and ``g_grad_norm`` (L2 norms of all gradients before
        each update). Generator statistics are None if the generator was not updated.
        """
        self.generator.train()
        self.discriminator.train()
        n = data.shape[0]
        order = torch.randperm(n, generator=self.shuffle_rng, device="cpu").to(self.device)
        n_batches = max(1, n // self.batch_size)  # the last partial batch is dropped
        self._epoch_sums = {}
        for b in range(n_batches):
            idx = order[b * self.batch_size:(b + 1) * self.batch_size]
            batch_labels = None if labels is None else labels[idx]
            loss_d, loss_g = self.train_step(data[idx], batch_labels, strength)
            self._track("d_loss", loss_d)
            if loss_g is not None:
                self._track("g_loss", loss_g)
        names = list(self._epoch_sums)
        means = torch.stack([torch.as_tensor(total, device=self.device) / count
                             for total, count in self._epoch_sums.values()])
        stats = dict(zip(names, means.tolist()))  # the epoch's one host synchronisation
        stats.setdefault("g_loss", None)
        stats.setdefault("g_grad_norm", None)
        return stats

    def bolt(self, data, labels, sample_size):
        """Estimate (k1, k2) on ``sample_size`` real and as many generated sequences."""
        n = min(sample_size, data.shape[0])
        idx = torch.randperm(data.shape[0], generator=self.shuffle_rng)[:n].to(self.device)
        z, step_noise = self.noise(n)
        self.generator.eval()
        with torch.inference_mode(), self.autocast():
            generated = self.generator(z, None if labels is None else labels[idx],
                                       step_noise).float()
        return bolt_divergences(data[idx].cpu().numpy(), generated.cpu().numpy(),
                                z.cpu().numpy())

    def fit(self, data, labels, scheduler, *, strength, sample_size, history=None, verbose=0,
            on_epoch_end=None):
        """Run the epochs not yet in ``history``; returns the history list.

        A non-empty ``history`` means training resumes (from a checkpoint): its first new
        record is marked ``"resumed": True``. ``on_epoch_end(epoch, history)`` is called
        after every completed epoch; training stops early when it returns True.
        """
        history = [] if history is None else list(history)
        resumed = bool(history)
        epochs = range(len(history), scheduler.num_epochs)
        for epoch in tqdm(epochs, disable=not verbose, desc="Bolt-GAN", unit="epoch"):
            record = {"epoch": epoch, "phase": scheduler.phase(epoch)}
            if resumed:
                record["resumed"], resumed = True, False
            start = time.perf_counter()
            if scheduler.fires_at(epoch):
                record.update(self._fire_bolt(data, labels, sample_size, epoch))
            if record["phase"] == "normal":
                self.bolt_state = None
            record.update(self.run_epoch(data, labels, strength))
            record["seconds"] = time.perf_counter() - start
            self._check_finite(record)
            history.append(record)
            logger.debug("epoch %d %s", epoch, record)
            if on_epoch_end is not None and on_epoch_end(epoch, history):
                break
        return history

    def _fire_bolt(self, data, labels, sample_size, epoch):
        start = time.perf_counter()
        k1, k2 = self.bolt(data, labels, sample_size)
        self.bolt_state = (k1, k2)
        seconds = time.perf_counter() - start
        logger.info("bolt at epoch %d: KL(X||G(Z))=%.4g KL(G(Z)||Z)=%.4g (%.3fs)",
                    epoch, k1, k2, seconds)
        return {"k1": k1, "k2": k2, "bolt_seconds": seconds}

    @staticmethod
    def _check_finite(record):
        losses = [record["d_loss"], record["g_loss"]]
        if not all(loss is None or np.isfinite(loss) for loss in losses):
            raise TrainingDivergedError(
                f"Training diverged at epoch {record['epoch']} (D loss {record['d_loss']}, "
                f"G loss {record['g_loss']}); the model was not kept. Lower lr, check the "
                "data for extreme values, or use precision='float32'."
            )


def _gradient_norm(module):
    return torch.nn.utils.get_total_norm([p.grad for p in module.parameters()
                                          if p.grad is not None])


def _cloned(state):
    return {k: v.detach().clone() for k, v in state.items()}

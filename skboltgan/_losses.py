"""Adversarial losses and their regularisers: torch functions only, no state.

Logits may be one per sequence ``(n,)`` or one per time step ``(n, seq_len)``; every loss
averages over all of them, so per-step logits give each step its own gradient (as in RCGAN
and TimeGAN).

- ``"bce"``: the non-saturating GAN loss on logits (the paper's).
- ``"lsgan"``: least squares against targets 1 (real) and 0 (fake).
- ``"wgan-gp"``: the Wasserstein critic loss, ``E[D(fake)] - E[D(real)]``, with the gradient
  penalty of Gulrajani et al. (2017) computed per sample (:func:`gradient_penalty`).
"""

from contextlib import nullcontext

import torch
import torch.nn.functional as F

LOSSES = ("bce", "lsgan", "wgan-gp")


def discriminator_loss(real_logits, fake_logits, kind):
    """The discriminator's (critic's) loss on a real and a fake batch; lower is better."""
    if kind == "wgan-gp":
        return fake_logits.mean() - real_logits.mean()
    return _target_loss(real_logits, 1.0, kind) + _target_loss(fake_logits, 0.0, kind)


def generator_loss(fake_logits, kind):
    """The generator's loss: fakes classified (or scored) as real."""
    if kind == "wgan-gp":
        return -fake_logits.mean()
    return _target_loss(fake_logits, 1.0, kind)


def _target_loss(logits, target, kind):
    targets = torch.full_like(logits, target)
    if kind == "lsgan":
        return F.mse_loss(logits, targets)
    return F.binary_cross_entropy_with_logits(logits, targets)


def gradient_penalty(critic, real, fake, labels=None):
    """``mean_i (||grad_x D(x_i)||_2 - 1)^2`` at random interpolates of real and fake.

    The gradient norm is taken **per sample** (over that sequence's steps and features), as
    in the WGAN-GP paper; a norm over the whole batch (gretel DGAN's) penalises a different
    quantity. Per-step logits are averaged per sequence first, the critic's value for it.
    """
    eps = torch.rand(real.shape[0], 1, 1, device=real.device, dtype=real.dtype)
    mixed = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    # cuDNN's RNN has no double backward; the native kernels do (same math).
    with _no_cudnn(real.device):
        values = critic(mixed, labels)
        values = values.reshape(values.shape[0], -1).mean(dim=1)
        grads, = torch.autograd.grad(values.sum(), mixed, create_graph=True)
    return (grads.flatten(1).norm(dim=1) - 1).pow(2).mean()


def _no_cudnn(device):
    return torch.backends.cudnn.flags(enabled=False) if device.type == "cuda" else nullcontext()


def moment_loss(real, fake, eps=1e-6):
    """TimeGAN's moment matching: mean |std_fake - std_real| + mean |mean_fake - mean_real|.

    Means and standard deviations are over the batch, one per (time step, feature), as in
    TimeGAN's ``G_loss_V``; the term is 0 for identical batches.
    """
    std_gap = (torch.sqrt(fake.var(dim=0, unbiased=False) + eps)
               - torch.sqrt(real.var(dim=0, unbiased=False) + eps)).abs().mean()
    mean_gap = (fake.mean(dim=0) - real.mean(dim=0)).abs().mean()
    return std_gap + mean_gap

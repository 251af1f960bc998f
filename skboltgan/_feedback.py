"""The bolt: when it fires (``FeedbackScheduler``) and the latent it feeds (paper Eq. 5).

At a bolt, ``k1 = KL(X || G(Z))`` and ``k2 = KL(G(Z) || Z)`` are estimated with the shared
histogram estimator of :mod:`skboltgan.metrics._divergences`. During the refinement epochs
that follow, every batch's latent input becomes::

    z' = z + strength * (s(k1) * z + s(k2) * collapse(G(z))),   s(k) = 1 - exp(-k)

``s`` bounds each divergence to [0, 1): raw KL values early in training are ~18 on sines,
which would drown the noise (see docs/feedback.rst). ``collapse`` is the mean of the
generated sequence over time and features, broadcast to ``latent_dim``; it lies in [-1, 1]
because the generator ends in tanh, so the feedback never exceeds ``strength * (|z| + 1)``.
"""

import math
import numbers

import torch

from .metrics._divergences import mean_kl


def resolve_epochs(value, num_epochs):
    """An int is a number of epochs; a float in (0, 1) a fraction of ``num_epochs``.

    Fractions round up and give at least one epoch; ``None`` stays ``None``.
    """
    if value is None:
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    return max(1, math.ceil(value * num_epochs))


class FeedbackScheduler:
    """Decide which epochs start with a bolt and which epochs are refinement epochs.

    A bolt fires at the start of epochs ``interval, 2 * interval, ...`` (0-based, before
    ``num_epochs``); the ``refine`` epochs from there on are refinement ("bolt") epochs.
    Refinement epochs count inside ``num_epochs``, so bolt on and bolt off spend the same
    number of epochs. A refinement window never runs into the next bolt: ``refine`` is
    capped at ``interval`` (then every epoch after the first bolt refines).

    Parameters
    ----------
    num_epochs : int
        Total number of epochs.
    feedback_interval : int, float in (0, 1) or None
        Epochs between bolts (a float is a fraction of ``num_epochs``); None disables the bolt.
    feedback_epochs : int or float in (0, 1)
        Refinement epochs after each bolt (a float is a fraction of ``num_epochs``).
    """

    def __init__(self, num_epochs, feedback_interval, feedback_epochs):
        self.num_epochs = num_epochs
        self.interval = resolve_epochs(feedback_interval, num_epochs)
        refine = resolve_epochs(feedback_epochs, num_epochs)
        self.refine = None if self.interval is None else min(refine, self.interval)

    @property
    def enabled(self):
        return self.interval is not None and self.interval < self.num_epochs

    @property
    def bolt_epochs(self):
        """Epochs (0-based) at whose start a bolt fires."""
        if not self.enabled:
            return []
        return list(range(self.interval, self.num_epochs, self.interval))

    def fires_at(self, epoch):
        return self.enabled and epoch > 0 and epoch % self.interval == 0

    def phase(self, epoch):
        """``"bolt"`` for a refinement epoch, ``"normal"`` otherwise."""
        if not self.enabled or epoch < self.interval:
            return "normal"
        return "bolt" if epoch % self.interval < self.refine else "normal"


def bolt_divergences(real, generated, noise, *, n_bins=20):
    """``(k1, k2)``: KL(real || generated) and KL(generated || noise), averaged over features.

    ``real`` and ``generated`` are ``(n, seq_len, n_features)`` arrays; ``noise`` is the
    ``(n, latent_dim)`` latent that produced ``generated``, pooled into one distribution.
    """
    k1 = mean_kl(real, generated, n_bins=n_bins)
    k2 = mean_kl(generated, noise.reshape(-1, 1), n_bins=n_bins)
    return k1, k2


def squash(divergence):
    """Map a divergence in [0, inf) to [0, 1): ``1 - exp(-k)``."""
    return 1.0 - math.exp(-divergence)


def collapse(generated, latent_dim):
    """Mean of each generated sequence over time and features, broadcast to ``latent_dim``."""
    return generated.mean(dim=(1, 2)).unsqueeze(1).expand(-1, latent_dim)


def bolt_latent(z, generated, k1, k2, strength):
    """Paper Eq. 5 with bounded divergences: ``z + strength * (s(k1) z + s(k2) collapse(G(z)))``."""
    feedback = squash(k1) * z + squash(k2) * collapse(generated, z.shape[1])
    return z + strength * feedback


@torch.no_grad()
def refined_noise(generator, z, labels, k1, k2, strength, step_noise=None):
    """The refinement latent for one batch, from that batch's own ``z`` (and step noise).

    Only the sequence latent ``z`` is refined; per-step noise stays fresh noise.
    """
    return bolt_latent(z, generator(z, labels, step_noise), k1, k2, strength)

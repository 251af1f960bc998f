"""A re-creation of the *reference* Bolt-GAN training step, for speed comparisons only.

The reference implementation (the paper authors' PyTorch code) is the baseline that
``bench_speed.py`` measures ours against. This module rebuilds its hot path with the same
architecture and the same math, and keeps the choices that cost time:

* a ``DataLoader`` over a ``TensorDataset`` (per-batch collation, shuffled each epoch);
* two generator forwards per step: one (detached) for the discriminator update and a fresh
  one, on new noise, for the generator update;
* discriminator weight gradients computed (and discarded) during the generator update;
* per-batch host synchronisations (``.item()`` on both losses, twice, as the progress bar
  postfix does);
* float32 throughout;
* the bolt's divergence: a Python loop over the flattened ``seq_len * n_features``
  dimensions (at most 100), fitting two ``scipy.stats.gaussian_kde`` per dimension.

It is not part of the package and is not imported by it.
"""

import numpy as np
import torch
from scipy import stats
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class ReferenceGenerator(nn.Module):
    """Linear(latent -> hidden), repeated over time, stacked LSTM, Linear + tanh."""

    def __init__(self, latent_dim, seq_len, n_features, hidden, layers, dropout):
        super().__init__()
        self.seq_len = seq_len
        self.input_proj = nn.Linear(latent_dim, hidden)
        self.lstm = nn.LSTM(hidden, hidden, num_layers=layers, batch_first=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.output_proj = nn.Sequential(nn.Linear(hidden, n_features), nn.Tanh())

    def forward(self, z):
        # The reference materialises the repeated input with .repeat (a copy), not .expand.
        steps = self.input_proj(z).unsqueeze(1).repeat(1, self.seq_len, 1)
        out, _ = self.lstm(steps)
        return self.output_proj(out)


class ReferenceDiscriminator(nn.Module):
    """Stacked LSTM, flatten, Linear(seq_len*hidden -> hidden), LeakyReLU, Dropout, Linear."""

    def __init__(self, seq_len, n_features, hidden, layers, dropout):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden, num_layers=layers, batch_first=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.output_layers = nn.Sequential(
            nn.Flatten(), nn.Linear(seq_len * hidden, hidden), nn.LeakyReLU(0.2),
            nn.Dropout(dropout), nn.Linear(hidden, 1))

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.output_layers(out)


class ReferenceTrainer:
    """The reference's normal-phase epoch loop (bolt phases excluded)."""

    def __init__(self, *, latent_dim, seq_len, n_features, hidden, layers, dropout=0.3,
                 batch_size=32, lr=2e-4, betas=(0.5, 0.999)):
        self.latent_dim = latent_dim
        self.batch_size = batch_size
        self.generator = ReferenceGenerator(latent_dim, seq_len, n_features, hidden, layers,
                                            dropout)
        self.discriminator = ReferenceDiscriminator(seq_len, n_features, hidden, layers,
                                                    dropout)
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), lr=lr, betas=betas)
        self.d_optimizer = torch.optim.Adam(self.discriminator.parameters(), lr=lr,
                                            betas=betas)
        self.criterion = nn.BCEWithLogitsLoss()

    def loader(self, data):
        dataset = TensorDataset(torch.as_tensor(data, dtype=torch.float32))
        return DataLoader(dataset, batch_size=self.batch_size, shuffle=True)

    def train_step(self, real):
        n = real.size(0)
        ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
        self.d_optimizer.zero_grad()
        d_real = self.criterion(self.discriminator(real), ones)
        fake = self.generator(torch.randn(n, self.latent_dim)).detach()
        d_fake = self.criterion(self.discriminator(fake), zeros)
        d_loss = (d_real + d_fake) / 2
        d_loss.backward()
        self.d_optimizer.step()

        self.g_optimizer.zero_grad()
        fake = self.generator(torch.randn(n, self.latent_dim))
        g_loss = self.criterion(self.discriminator(fake), ones)
        g_loss.backward()
        self.g_optimizer.step()
        return d_loss, g_loss

    def run_epoch(self, loader):
        """One pass over ``loader``; returns the mean losses (with per-batch syncs)."""
        self.generator.train()
        self.discriminator.train()
        total_d = total_g = 0.0
        for (real,) in loader:
            d_loss, g_loss = self.train_step(real)
            total_d += d_loss.item()
            total_g += g_loss.item()
            _postfix = (f"{d_loss.item():.4f}", f"{g_loss.item():.4f}")  # tqdm postfix
        return total_d / len(loader), total_g / len(loader)

    @torch.no_grad()
    def generate(self, n):
        self.generator.eval()
        return self.generator(torch.randn(n, self.latent_dim))


def reference_kl(p_samples, q_samples, max_dims=100):
    """The reference's KL estimate: per flattened dimension, KDE on a 100-point grid."""
    p_flat = p_samples.reshape(p_samples.shape[0], -1)
    q_flat = q_samples.reshape(q_samples.shape[0], -1)
    n_dims = p_flat.shape[1] if max_dims is None else min(p_flat.shape[1], max_dims)
    total, valid = 0.0, 0
    for dim in range(n_dims):
        try:
            p_kde = stats.gaussian_kde(p_flat[:, dim])
            q_kde = stats.gaussian_kde(q_flat[:, dim])
        except np.linalg.LinAlgError:  # a constant dimension: the reference skips it
            continue
        low = min(p_flat[:, dim].min(), q_flat[:, dim].min())
        high = max(p_flat[:, dim].max(), q_flat[:, dim].max())
        grid = np.linspace(low, high, 100)
        p_vals, q_vals = p_kde(grid) + 1e-10, q_kde(grid) + 1e-10
        total += np.sum(p_vals * np.log(p_vals / q_vals)) * (high - low) / 100
        valid += 1
    return total / max(valid, 1)


def reference_bolt(trainer, real, max_dims=100):
    """The reference's bolt: generate ``len(real)`` sequences, two per-dimension KDE KLs."""
    z = torch.randn(real.shape[0], trainer.latent_dim)
    trainer.generator.eval()
    with torch.no_grad():
        generated = trainer.generator(z).numpy()
    trainer.generator.train()
    k1 = reference_kl(np.asarray(real), generated, max_dims)
    flat = generated.reshape(generated.shape[0], -1)[:, :trainer.latent_dim]
    k2 = reference_kl(flat, z.numpy(), max_dims)
    return k1, k2

"""The Bolt-GAN networks: an LSTM generator and an LSTM discriminator (``nn.Module`` only).

The generator has two input designs:

- **per-step noise** (``noise_dim > 0``): fresh i.i.d. N(0, 1) noise of width ``noise_dim``
  drives every recurrent step, as in RCGAN, TimeGAN and DoppelGANger; the sequence latent
  ``z`` sets every LSTM layer's initial state and is also concatenated (projected to
  ``noise_dim`` values) to every step, so it carries what a whole window shares.
- **the paper's** (``noise_dim=0``): ``z`` is projected once and the same vector is fed at
  every step from a zero state. An LSTM driven by a constant input runs towards a fixed
  point, which is why such windows start with a transient and then go flat.

Either way the LSTM can emit ``block_size`` consecutive steps per recurrent step through
position-specific output heads (DoppelGANger's batch generation): ``ceil(seq_len /
block_size)`` recurrent steps, the surplus of the last block dropped.

``cumulative=True`` (an experiment of ``benchmarks/ablation_quality.py``, not a synthesizer
parameter) gives every numeric output a level head and an increment head; the
pre-activation is the level plus the running sum of increments, so slowly varying series
need only small increments.

With per-step noise, ``noise_skip_features`` names outputs that also take a linear map of
their step's noise, past the LSTM. A feature that is fresh noise at every step (energy's
random columns) then need not pass through the recurrent state that carries the others, in
which it picks up relations to them that real data do not have.

Categorical features (``categorical_sizes``) come last in the generator's output, one
one-hot group each, drawn by a straight-through Gumbel-softmax: exact one-hot vectors forward
(as real one-hot data), the softmax's gradient backward. The other features go through tanh.

Both networks optionally take class labels; a learned label embedding is concatenated to the
latent (generator) and to every time step (discriminator), the usual conditional-GAN input.
"""

import math

import torch
from torch import nn


def _lstm(input_size, hidden_size, num_layers, dropout):
    return nn.LSTM(input_size, hidden_size, num_layers=num_layers, batch_first=True,
                   dropout=dropout if num_layers > 1 else 0.0)


class LSTMGenerator(nn.Module):
    """Latent (and per-step noise) -> stacked LSTM -> position-specific linear heads -> tanh.

    Parameters
    ----------
    latent_dim : int
        Size of the sequence latent ``z``, one per sequence.
    seq_len, n_features : int
        Shape of a generated sequence.
    hidden_size, num_layers : int
        Width and depth of the LSTM.
    dropout : float
        Dropout between stacked LSTM layers.
    n_classes : int, default=0
        Number of classes for conditional generation; 0 means unconditional.
    noise_dim : int, default=0
        Width of the fresh noise fed at every recurrent step; 0 is the paper's design.
    block_size : int, default=1
        Time steps emitted per recurrent step.
    categorical_sizes : tuple of int, default=()
        Width of each one-hot group; the groups are the last ``sum(categorical_sizes)`` of
        the ``n_features`` outputs.
    noise_skip_features : tuple of int, default=()
        Outputs that also take a linear map of their step's noise (with ``noise_dim > 0``
        only): features that are white noise in the data.
    """

    def __init__(self, latent_dim, seq_len, n_features, hidden_size, num_layers, dropout,
                 n_classes=0, noise_dim=0, block_size=1, categorical_sizes=(),
                 cumulative=False, noise_skip_features=()):
        super().__init__()
        self.cumulative = cumulative
        self.seq_len, self.n_features = seq_len, n_features
        self.categorical_sizes = tuple(int(k) for k in categorical_sizes)
        self.n_numeric = n_features - sum(self.categorical_sizes)
        self.latent_dim, self.noise_dim = latent_dim, noise_dim
        self.num_layers, self.hidden_size = num_layers, hidden_size
        self.n_steps = math.ceil(seq_len / block_size)
        self.embedding = nn.Embedding(n_classes, latent_dim) if n_classes else None
        in_dim = latent_dim * (2 if n_classes else 1)
        if noise_dim:
            self.project = nn.Linear(in_dim, noise_dim)
            self.initial_state = nn.Linear(in_dim, 2 * num_layers * hidden_size)
            step_dim = 2 * noise_dim
        else:
            self.project = nn.Linear(in_dim, hidden_size)
            self.initial_state = None
            step_dim = hidden_size
        self.lstm = _lstm(step_dim, hidden_size, num_layers, dropout)
        heads = 2 if cumulative else 1
        self.output = nn.Linear(hidden_size, heads * block_size * n_features)
        # Created last and only when used, so other generators draw the same initial weights.
        self.noise_skip = None
        if noise_dim and len(noise_skip_features):
            self.register_buffer("noise_skip_features",
                                 torch.as_tensor(noise_skip_features, dtype=torch.long),
                                 persistent=False)
            self.noise_skip = nn.Linear(noise_dim, block_size * len(noise_skip_features))

    def step_noise_shape(self, n):
        """Shape of the per-step noise for ``n`` sequences, or None for the paper's design."""
        return (n, self.n_steps, self.noise_dim) if self.noise_dim else None

    def draw_noise(self, n, rng, device=None):
        """``(z, step_noise)`` from the ``torch.Generator`` ``rng``, moved to ``device``.

        ``z`` is drawn first, so the paper's design (no step noise) keeps its latents.
        """
        device = rng.device if device is None else device
        z = torch.randn(n, self.latent_dim, generator=rng, device=rng.device).to(device)
        shape = self.step_noise_shape(n)
        if shape is None:
            return z, None
        return z, torch.randn(shape, generator=rng, device=rng.device).to(device)

    def forward(self, z, labels=None, step_noise=None):
        if self.embedding is not None:
            z = torch.cat([z, self.embedding(labels)], dim=1)
        latent_steps = self.project(z).unsqueeze(1).expand(-1, self.n_steps, -1)
        if self.noise_dim:
            if step_noise is None:
                raise ValueError("this generator needs step_noise (see draw_noise)")
            hidden, _ = self.lstm(torch.cat([step_noise, latent_steps], dim=2),
                                  self._initial_state(z))
        else:
            hidden, _ = self.lstm(latent_steps)
        blocks = self.output(hidden)  # (n, n_steps, heads * block_size * n_features)
        if self.cumulative:
            steps = self._integrate(blocks.reshape(z.shape[0], -1, 2, self.n_features))
        else:
            steps = blocks.reshape(z.shape[0], -1, self.n_features)
        if self.noise_skip is not None:
            skipped = self.noise_skip(step_noise).reshape(z.shape[0], steps.shape[1], -1)
            steps = steps.index_add(2, self.noise_skip_features, skipped)
        steps = steps[:, :self.seq_len]
        if not self.categorical_sizes:
            return torch.tanh(steps)
        numeric, *groups = steps.split((self.n_numeric, *self.categorical_sizes), dim=-1)
        one_hots = [nn.functional.gumbel_softmax(g, tau=1.0, hard=True) for g in groups]
        return torch.cat([torch.tanh(numeric), *one_hots], dim=-1)

    def _integrate(self, pairs):
        # Two heads per numeric feature: a level and an increment; the pre-activation is the
        # level plus the running sum of increments, so a slowly varying series only needs
        # small increments instead of a hidden state that cancels the per-step noise.
        direct, increments = pairs.unbind(2)
        numeric = self.n_numeric
        scale = 1.0 / math.sqrt(self.seq_len)
        running = torch.cumsum(increments[..., :numeric] * scale, dim=1)
        return torch.cat([direct[..., :numeric] + running, direct[..., numeric:]], dim=-1)

    def _initial_state(self, z):
        # DoppelGANger starts from a random state; here it is a learned map of z, so one
        # latent gives one window. tanh keeps h0 and c0 in an LSTM state's usual range.
        state = torch.tanh(self.initial_state(z))
        state = state.reshape(z.shape[0], 2, self.num_layers, self.hidden_size)
        h0, c0 = state.permute(1, 2, 0, 3).contiguous()
        return h0, c0


class LSTMDiscriminator(nn.Module):
    """Stacked LSTM, then one logit per sequence or one per time step.

    With ``step_logits=False`` (the paper's head): flatten -> linear -> LeakyReLU -> dropout
    -> linear logit, shape ``(n,)``. With ``step_logits=True``: a linear logit on every
    step's hidden state, shape ``(n, seq_len)`` (RCGAN and TimeGAN), so early steps get a
    gradient of their own.

    Parameters
    ----------
    seq_len, n_features : int
        Shape of an input sequence.
    hidden_size, num_layers : int
        Width and depth of the LSTM.
    dropout : float
        Dropout between stacked LSTM layers and before the last linear layer.
    n_classes : int, default=0
        Number of classes for conditional discrimination; 0 means unconditional.
    step_logits : bool, default=False
        One logit per time step instead of one per sequence.
    """

    def __init__(self, seq_len, n_features, hidden_size, num_layers, dropout, n_classes=0,
                 step_logits=False):
        super().__init__()
        label_dim = n_features if n_classes else 0
        self.embedding = nn.Embedding(n_classes, label_dim) if n_classes else None
        self.lstm = _lstm(n_features + label_dim, hidden_size, num_layers, dropout)
        self.step_logits = step_logits
        if step_logits:
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden_size, 1))
        else:
            self.head = nn.Sequential(
                nn.Flatten(),
                nn.Linear(seq_len * hidden_size, hidden_size),
                nn.LeakyReLU(0.2),
                nn.Dropout(dropout),
                nn.Linear(hidden_size, 1),
            )

    def forward(self, x, labels=None):
        if self.embedding is not None:
            label_steps = self.embedding(labels).unsqueeze(1).expand(-1, x.shape[1], -1)
            x = torch.cat([x, label_steps], dim=2)
        hidden, _ = self.lstm(x)
        return self.head(hidden).squeeze(-1)

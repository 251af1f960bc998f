"""The Bolt-GAN networks: an LSTM generator and an LSTM discriminator (``nn.Module`` only).

Both optionally take class labels; a learned label embedding is concatenated to the noise
(generator) and to every time step (discriminator), the usual conditional-GAN input.
"""

import torch
from torch import nn


class LSTMGenerator(nn.Module):
    """Noise -> linear projection -> repeated over time -> stacked LSTM -> linear -> tanh.

    Parameters
    ----------
    latent_dim : int
        Size of the noise vector, one per sequence.
    seq_len, n_features : int
        Shape of a generated sequence.
    hidden_size, num_layers : int
        Width and depth of the LSTM.
    dropout : float
        Dropout between stacked LSTM layers.
    n_classes : int, default=0
        Number of classes for conditional generation; 0 means unconditional.
    """

    def __init__(self, latent_dim, seq_len, n_features, hidden_size, num_layers, dropout,
                 n_classes=0):
        super().__init__()
        self.seq_len = seq_len
        self.embedding = nn.Embedding(n_classes, latent_dim) if n_classes else None
        in_dim = latent_dim * (2 if n_classes else 1)
        self.project = nn.Linear(in_dim, hidden_size)
        self.lstm = nn.LSTM(hidden_size, hidden_size, num_layers=num_layers, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)
        self.output = nn.Linear(hidden_size, n_features)

    def forward(self, z, labels=None):
        if self.embedding is not None:
            z = torch.cat([z, self.embedding(labels)], dim=1)
        steps = self.project(z).unsqueeze(1).expand(-1, self.seq_len, -1)
        hidden, _ = self.lstm(steps)
        return torch.tanh(self.output(hidden))


class LSTMDiscriminator(nn.Module):
    """Stacked LSTM -> flatten -> linear -> LeakyReLU -> dropout -> linear logit.

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
    """

    def __init__(self, seq_len, n_features, hidden_size, num_layers, dropout, n_classes=0):
        super().__init__()
        label_dim = n_features if n_classes else 0
        self.embedding = nn.Embedding(n_classes, label_dim) if n_classes else None
        self.lstm = nn.LSTM(n_features + label_dim, hidden_size, num_layers=num_layers,
                            batch_first=True, dropout=dropout if num_layers > 1 else 0.0)
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
        return self.head(hidden).squeeze(1)

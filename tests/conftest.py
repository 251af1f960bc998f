"""Shared fixtures: tiny, fast configurations so the whole suite runs in minutes on 2 cores."""

import numpy as np
import pytest
import torch

from skboltgan.datasets import make_sines

# Tiny networks run fastest on one thread, and one thread keeps parallel tests from
# oversubscribing the 2-core CI machine.
torch.set_num_threads(1)

TINY = dict(latent_dim=4, lstm_hidden=8, lstm_layers=1, num_epochs=3, batch_size=16)


@pytest.fixture
def tiny_params():
    """Keyword arguments for a BoltGANSynthesizer that fits in well under a second."""
    return dict(TINY)


@pytest.fixture(params=[0, 42])
def global_random_seed(request):
    """Seeds that every seeded test is run with (scikit-learn's convention)."""
    return request.param


@pytest.fixture
def sines():
    """64 sine sequences of 12 steps x 2 features in [0, 1]."""
    return make_sines(64, seq_len=12, n_features=2, random_state=0)


@pytest.fixture
def rng():
    return np.random.default_rng(0)

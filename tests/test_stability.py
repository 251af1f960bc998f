"""Stability monitoring: per-epoch diagnostics, and one warning per failure a run is forced into."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from skboltgan import BoltGANSynthesizer
from skboltgan._monitoring import StabilityMonitor
from skboltgan.datasets import make_sines

from .conftest import TINY

LONG = dict(TINY, num_epochs=30, feedback_interval=None, random_state=0)


@pytest.fixture
def more_sines():
    return make_sines(128, seq_len=12, n_features=2, random_state=0)


def _fit_and_catch(X, **params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan = BoltGANSynthesizer(**params).fit(X)
    return gan, [w for w in caught if issubclass(w.category, ConvergenceWarning)]


def test_every_epoch_records_the_diagnostics(sines):
    gan = BoltGANSynthesizer(**dict(TINY, discriminator_steps=1, random_state=0)).fit(sines)
    for record in gan.history_:
        for key in ("d_accuracy_real", "d_accuracy_fake", "d_grad_norm", "g_grad_norm",
                    "diversity"):
            assert np.isfinite(record[key]), key
        assert 0 <= record["d_accuracy_real"] <= 1 and record["diversity"] > 0


def test_a_healthy_tiny_run_does_not_warn(more_sines):
    gan, caught = _fit_and_catch(more_sines, **LONG)
    assert caught == [] and not any("warnings" in h for h in gan.history_)


def test_discriminator_100_times_faster_wins_and_is_named(more_sines):
    gan, caught = _fit_and_catch(more_sines, **LONG, lr=1e-4, discriminator_lr=1e-2,
                                 moment_weight=0.0)
    assert [str(w.message).split(" has")[0] for w in caught] == ["The discriminator"]
    assert "almost perfectly" in str(caught[0].message)
    assert "discriminator_lr" in str(caught[0].message)  # the remedy
    warned = [h["epoch"] for h in gan.history_ if "discriminator_wins" in h.get("warnings", [])]
    assert len(warned) == 1  # once, not every epoch


def test_a_frozen_discriminator_sits_at_chance(more_sines):
    _, caught = _fit_and_catch(more_sines, **LONG, discriminator_lr=1e-9)
    assert any("at chance" in str(w.message) for w in caught)


def test_collapsed_diversity_is_named(more_sines, monkeypatch):
    # A generator whose noise is replaced by zeros emits one window for every draw.
    from skboltgan import _networks
    draw = _networks.LSTMGenerator.draw_noise

    def constant_noise(self, n, rng, device=None):
        z, step_noise = draw(self, n, rng, device)
        return torch.zeros_like(z), None if step_noise is None else torch.zeros_like(step_noise)

    monkeypatch.setattr(_networks.LSTMGenerator, "draw_noise", constant_noise)
    real = StabilityMonitor(torch.rand(8, 12, 2), None, None, loss="bce")
    assert real.real_spread > 0
    gan, caught = _fit_and_catch(more_sines, **LONG)
    assert all(h["diversity"] < 1e-6 for h in gan.history_)
    assert [str(w.message)[:40] for w in caught] == ["Generated windows have varied less than "]


def test_a_diverging_generator_loss_is_named():
    monitor = StabilityMonitor(torch.rand(8, 12, 2), None, None, loss="bce", patience=3)
    monitor._diversity = lambda trainer: 1.0
    caught = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch, g_loss in enumerate([2.0, 1.5, 30.0, 40.0, 80.0, 90.0]):
            monitor.after_epoch(epoch, {"d_loss": 0.1, "g_loss": g_loss,
                                        "d_accuracy_real": 0.9, "d_accuracy_fake": 0.9}, None)
    assert [str(w.message)[:30] for w in caught] == ["The generator's loss has been "]


def test_warnings_are_not_repeated_after_resume(more_sines, tmp_path):
    params = dict(LONG, lr=1e-4, discriminator_lr=1e-2, moment_weight=0.0,
                  checkpoint_dir=tmp_path, checkpoint_every=5)
    first, caught = _fit_and_catch(more_sines, **params)
    assert caught
    again, caught_again = _fit_and_catch(more_sines, **params)  # resumes at the end
    assert caught_again == [] and again.history_ == first.history_


class _Replay(torch.nn.Module):
    """A 'generator' that returns fixed windows, whatever its noise."""

    def __init__(self, windows):
        super().__init__()
        self.windows = windows

    def forward(self, z, labels=None, step_noise=None):
        return self.windows


def _at_chance_for(monitor, generated, epochs=25):
    from contextlib import nullcontext
    from types import SimpleNamespace

    trainer = SimpleNamespace(sampling_generator=_Replay(generated), autocast=nullcontext)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch in range(epochs):
            monitor.after_epoch(epoch, {"d_loss": 2 * np.log(2), "g_loss": np.log(2),
                                        "d_accuracy_real": 0.5, "d_accuracy_fake": 0.5},
                                trainer)
    return [str(w.message) for w in caught]


def _scaled_sines(seed):
    return torch.as_tensor(make_sines(128, 12, 2, random_state=seed) * 2 - 1,
                           dtype=torch.float32)


def test_a_discriminator_at_chance_against_good_samples_is_not_a_failure():
    monitor = StabilityMonitor(_scaled_sines(0), None, (torch.zeros(128, 4), None),
                               loss="bce")
    assert _at_chance_for(monitor, _scaled_sines(1)) == []  # fresh sines: indistinguishable


def test_a_discriminator_at_chance_against_bad_samples_warns_with_the_evidence():
    monitor = StabilityMonitor(_scaled_sines(0), None, (torch.zeros(128, 4), None),
                               loss="bce")
    flat = torch.zeros(128, 12, 2)  # flat lines: easy to tell from sines (and not varied)
    messages = [m for m in _at_chance_for(monitor, flat) if "at chance" in m]
    assert len(messages) == 1
    assert "short classifier still tells 128 generated windows" in messages[0]

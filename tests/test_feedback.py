"""The bolt: scheduler edge cases, the divergence estimator, and the refinement latent."""

import numpy as np
import pytest
import torch

from skboltgan._feedback import FeedbackScheduler, bolt_latent, resolve_epochs, squash
from skboltgan.metrics._divergences import kl_per_feature, mean_kl


def phases(scheduler):
    return [scheduler.phase(e) for e in range(scheduler.num_epochs)]


def test_scheduler_regular_case():
    s = FeedbackScheduler(10, 3, 1)
    assert s.bolt_epochs == [3, 6, 9]
    assert phases(s) == ["normal"] * 3 + ["bolt", "normal", "normal"] * 2 + ["bolt"]
    assert [e for e in range(10) if s.fires_at(e)] == s.bolt_epochs


def test_scheduler_interval_at_or_beyond_num_epochs_never_fires():
    for interval in (10, 50):
        s = FeedbackScheduler(10, interval, 2)
        assert not s.enabled and s.bolt_epochs == []
        assert set(phases(s)) == {"normal"}


def test_scheduler_refinement_longer_than_interval_is_capped():
    s = FeedbackScheduler(10, 3, 5)
    assert s.refine == 3
    assert phases(s) == ["normal"] * 3 + ["bolt"] * 7


def test_scheduler_off():
    s = FeedbackScheduler(10, None, 2)
    assert not s.enabled and set(phases(s)) == {"normal"}


@pytest.mark.parametrize("value, expected", [(0.2, 20), (0.04, 4), (0.001, 1), (7, 7)])
def test_fractions_round_up_to_at_least_one_epoch(value, expected):
    assert resolve_epochs(value, 100) == expected


def test_kl_is_zero_for_identical_samples(rng):
    X = rng.normal(size=(200, 24, 5))
    np.testing.assert_allclose(kl_per_feature(X, X), 0.0, atol=1e-12)


def test_kl_grows_with_shift(rng):
    X = rng.normal(size=(500, 24, 3))
    kls = [mean_kl(X, X + shift) for shift in (0.0, 0.5, 1.0, 2.0)]
    assert kls[0] < 0.01
    assert all(a < b for a, b in zip(kls, kls[1:]))


def test_kl_skips_constant_feature_without_crash(rng, caplog):
    X = rng.normal(size=(100, 10, 3))
    X[:, :, 1] = 4.0
    Y = X.copy()
    Y[:, :, 0] += 1.0
    kl = kl_per_feature(X, Y)
    assert np.isnan(kl[1]) and kl[0] > 0.1 and np.isfinite(kl[2])
    assert np.isfinite(mean_kl(X, Y))


def test_kl_has_no_feature_limit(rng):
    X = rng.normal(size=(20, 4, 300))
    assert kl_per_feature(X, X + 1).shape == (300,)


def test_squash_is_bounded():
    assert squash(0.0) == 0.0
    assert 0.99 < squash(18.0) < 1.0


def test_bolt_latent_stays_near_noise_scale():
    z = torch.randn(64, 100, generator=torch.Generator().manual_seed(0))
    generated = torch.ones(64, 24, 5)  # tanh saturated: the largest collapse possible
    z_prime = bolt_latent(z, generated, k1=18.0, k2=15.0, strength=0.1)
    # |z' - z| <= strength * (|z| + 1) whatever the raw KL values
    assert torch.all((z_prime - z).abs() <= 0.1 * (z.abs() + 1) + 1e-6)


def test_bolt_latent_without_divergence_is_identity():
    z = torch.randn(8, 4)
    torch.testing.assert_close(bolt_latent(z, torch.zeros(8, 3, 2), 0.0, 0.0, 0.5), z)

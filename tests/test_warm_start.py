"""warm_start: more epochs from where the last fit ended, reproducibly."""

import pickle

import numpy as np
import pytest

from skboltgan import BoltGANSynthesizer

from .conftest import TINY

PARAMS = dict(TINY, feedback_interval=None, random_state=0)


def _weights_equal(a, b):
    return all(np.array_equal(v, b.generator_state_[k]) for k, v in a.generator_state_.items())


def test_warm_start_continues_exactly_like_one_longer_fit(sines):
    whole = BoltGANSynthesizer(**dict(PARAMS, num_epochs=6)).fit(sines)
    warm = BoltGANSynthesizer(**PARAMS, warm_start=True).fit(sines)
    warm.fit(sines)
    assert [h["epoch"] for h in warm.history_] == list(range(6))
    assert [h["d_loss"] for h in warm.history_] == [h["d_loss"] for h in whole.history_]
    assert _weights_equal(warm, whole)


def test_warm_start_is_reproducible_with_the_bolt_schedule_continuing(sines):
    params = dict(PARAMS, num_epochs=4, feedback_interval=3, feedback_epochs=1,
                  warm_start=True, ema_decay=0.9, validation_fraction=0.1)
    runs = []
    for _ in range(2):
        gan = BoltGANSynthesizer(**params).fit(sines)
        runs.append(gan.fit(sines))
    assert _weights_equal(*runs)
    # bolts at epochs 3 and 6 of the 8: the schedule runs on across the two calls
    assert [h["epoch"] for h in runs[0].history_ if "k1" in h] == [3, 6]


def test_without_warm_start_fit_starts_afresh(sines):
    gan = BoltGANSynthesizer(**PARAMS).fit(sines)
    first = dict(gan.generator_state_)
    gan.fit(sines)
    assert len(gan.history_) == 3 and all(
        np.array_equal(v, gan.generator_state_[k]) for k, v in first.items())


def test_warm_start_refuses_other_shapes(sines):
    gan = BoltGANSynthesizer(**PARAMS, warm_start=True).fit(sines)
    with pytest.raises(ValueError, match="warm_start=False"):
        gan.fit(sines[:, :10])


def test_warm_start_after_pickle_and_after_load(sines, tmp_path):
    gan = BoltGANSynthesizer(**PARAMS, warm_start=True).fit(sines)
    unpickled = pickle.loads(pickle.dumps(gan))
    gan.fit(sines)
    unpickled.fit(sines)
    assert _weights_equal(gan, unpickled)
    BoltGANSynthesizer(**PARAMS, warm_start=True).fit(sines).save(tmp_path / "m.npz")
    loaded = BoltGANSynthesizer.load(tmp_path / "m.npz").fit(sines)  # fresh optimisers
    assert len(loaded.history_) == 6 and np.isfinite(loaded.sample(3)).all()

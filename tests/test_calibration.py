"""The spread calibration gives the weight-averaged generator the training data's spread."""

import numpy as np
import pytest

from skboltgan import BoltGANSynthesizer
from skboltgan._calibration import SpreadCalibration, _spreads

from .conftest import TINY


def _chunks(windows, size):
    return lambda: (windows[i:i + size] for i in range(0, len(windows), size))


def test_spreads_agree_with_numpy_across_chunks():
    windows = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 7, 4)).astype(np.float32)
    mean, level_std, within_std = _spreads(_chunks(windows, 8))
    x = windows.astype(np.float64)
    np.testing.assert_allclose(mean, x.mean(axis=(0, 1)), rtol=1e-12)
    np.testing.assert_allclose(level_std, x.mean(axis=1).std(axis=0), rtol=1e-12)
    np.testing.assert_allclose(within_std, (x - x.mean(axis=1, keepdims=True)).std(axis=(0, 1)),
                               rtol=1e-12)


def test_calibrated_windows_take_the_data_spreads_and_other_features_stay():
    rng = np.random.default_rng(0)

    def windows(n, level_width, within_width):  # inside [-1, 1]: nothing to clip
        return (rng.uniform(-level_width, level_width, size=(n, 1, 2))
                + rng.uniform(-within_width, within_width, size=(n, 6, 2)))

    data = windows(300, 0.6, 0.1)
    generated = np.concatenate([windows(200, 0.3, 0.2), rng.integers(2, size=(200, 6, 1))],
                               axis=2)
    calibration = SpreadCalibration.fit(generated[..., :2], _chunks(data, 64))
    calibrated = calibration.transform(generated)
    for got, wanted in zip(_spreads(lambda: [calibrated[..., :2]]), _spreads(lambda: [data])):
        np.testing.assert_allclose(got, wanted, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(calibrated[..., 2:], generated[..., 2:])


def test_a_constant_generated_feature_is_moved_not_stretched():
    data = np.random.default_rng(0).normal(1.0, 1.0, size=(100, 5, 1))
    calibration = SpreadCalibration.fit(np.full((40, 5, 1), 0.3), _chunks(data, 100))
    assert calibration.level_scale[0] == calibration.within_scale[0] == 1.0
    np.testing.assert_allclose(calibration.transform(np.full((1, 5, 1), 0.3)),
                               data.mean(), rtol=1e-12)


@pytest.fixture(scope="module")
def waves():
    rng = np.random.default_rng(1)
    steps = np.arange(12)
    phases = rng.uniform(0, 6, size=(256, 1, 2))
    return np.sin(0.5 * steps[None, :, None] + phases) + 0.1 * rng.normal(size=(256, 12, 2))


def test_averaged_generator_samples_near_the_training_spreads(waves):
    gan = BoltGANSynthesizer(**TINY, random_state=0).fit(waves)
    calibrated = gan.scaler_.transform(gan.sample(4096, random_state=1))
    calibration = gan.spread_calibration_
    del gan.spread_calibration_
    drawn = gan.scaler_.transform(gan.sample(4096, random_state=1))
    wanted = _spreads(lambda: [gan.scaler_.transform(waves)])
    # Three epochs leave the generator far off the data's spreads; the calibration closes
    # most of each gap (not all: a stretch of the undertrained windows by up to 7 takes
    # some values past the fitted range, where they are clipped).
    assert np.all(np.abs(np.r_[calibration.level_scale, calibration.within_scale] - 1) > 0.5)
    for got, before, target in zip(_spreads(lambda: [calibrated]),
                                   _spreads(lambda: [drawn]), wanted):
        assert np.all(np.abs(got - target) <= 0.25 * np.abs(before - target) + 0.005)
    assert calibrated.min() >= -1 and calibrated.max() <= 1


def test_without_weight_averaging_nothing_is_calibrated(waves):
    gan = BoltGANSynthesizer(**TINY, ema_decay=0.0, random_state=0).fit(waves)
    assert gan.spread_calibration_ is None


def test_calibration_round_trips_and_old_models_sample_uncalibrated(waves, tmp_path):
    gan = BoltGANSynthesizer(**TINY, random_state=0).fit(waves)
    gan.save(tmp_path / "m.npz")
    loaded = BoltGANSynthesizer.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.spread_calibration_.within_scale,
                                  gan.spread_calibration_.within_scale)
    np.testing.assert_array_equal(loaded.sample(5), gan.sample(5))
    calibrated = gan.sample(5)
    del gan.spread_calibration_  # as a model pickled before the calibration existed
    assert not np.allclose(gan.sample(5), calibrated)


def test_calibration_draws_leave_the_fit_and_samples_reproducible(waves):
    first = BoltGANSynthesizer(**TINY, random_state=0).fit(waves)
    second = BoltGANSynthesizer(**TINY, random_state=0).fit(waves)
    np.testing.assert_array_equal(first.sample(8), second.sample(8))

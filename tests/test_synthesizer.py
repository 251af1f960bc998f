"""BoltGANSynthesizer: shapes, units, reproducibility, bolt phases, sklearn citizenship."""

import pickle

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold

from skboltgan import BoltGANSynthesizer
from skboltgan._categorical import CategoricalLayout
from skboltgan import _synthesizer as synthesizer_module
from skboltgan._synthesizer import _network_tensor
from skboltgan._training import bfloat16_supported
from skboltgan.preprocessing import TimeSeriesMinMaxScaler


def test_sample_shape_and_units(sines, tiny_params):
    X = 100.0 + 50.0 * sines  # units far from the generator's [-1, 1]
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(X)
    samples = gan.sample(10)
    assert samples.shape == (10, 12, 2)
    # tanh output mapped back: every value within the fitted per-feature range
    assert np.all(samples >= X.min(axis=(0, 1)) - 1e-9)
    assert np.all(samples <= X.max(axis=(0, 1)) + 1e-9)
    assert samples.mean() > 50  # in data units, not in [-1, 1]


def test_2d_input_means_univariate(sines, tiny_params):
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(sines[:, :, 0])
    assert (gan.seq_len_, gan.n_features_in_) == (12, 1)
    assert gan.sample(3).shape == (3, 12, 1)


def test_same_seed_same_weights_and_samples(sines, tiny_params, global_random_seed):
    first = BoltGANSynthesizer(**tiny_params, random_state=global_random_seed).fit(sines)
    second = BoltGANSynthesizer(**tiny_params, random_state=global_random_seed).fit(sines)
    for name, array in first.generator_state_.items():
        np.testing.assert_array_equal(array, second.generator_state_[name])
    np.testing.assert_array_equal(first.sample(8), second.sample(8))


def test_different_seeds_differ(sines, tiny_params):
    a = BoltGANSynthesizer(**tiny_params, random_state=0).fit(sines).sample(8)
    b = BoltGANSynthesizer(**tiny_params, random_state=1).fit(sines).sample(8)
    assert not np.allclose(a, b)


def test_sample_random_state_is_repeatable(sines, tiny_params):
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(sines)
    np.testing.assert_array_equal(gan.sample(5, random_state=3), gan.sample(5, random_state=3))
    assert not np.allclose(gan.sample(5, random_state=3), gan.sample(5, random_state=4))


def test_global_rng_untouched(sines, tiny_params):
    torch.manual_seed(123)
    np.random.seed(123)
    expected_torch, expected_np = torch.rand(3), np.random.rand(3)
    torch.manual_seed(123)
    np.random.seed(123)
    BoltGANSynthesizer(**tiny_params, random_state=0).fit(sines).sample(4)
    torch.testing.assert_close(torch.rand(3), expected_torch)
    np.testing.assert_array_equal(np.random.rand(3), expected_np)


def test_iter_samples_chunks_cover_the_request(sines, tiny_params):
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(sines)
    chunks = list(gan.iter_samples(25, chunk_size=10))
    assert [len(c) for c in chunks] == [10, 10, 5]


def test_training_data_is_scaled_chunk_by_chunk_exactly(sines):
    # fit scales in chunks to bound memory: the tensor must equal the one-shot transform.
    scaler = TimeSeriesMinMaxScaler(feature_range=(-1, 1)).fit(sines)
    whole = torch.as_tensor(scaler.transform(sines), dtype=torch.float32)
    layout = CategoricalLayout.fit(sines, [])
    chunked = _network_tensor(scaler, layout, None, sines, torch.device("cpu"), chunk_size=7)
    assert len(sines) % 7  # a last, partial chunk is exercised
    torch.testing.assert_close(chunked, whole, rtol=0, atol=0)


@pytest.mark.parametrize("chunk_size, error", [(0, ValueError), (2.5, TypeError)])
def test_iter_samples_rejects_a_bad_chunk_size(sines, tiny_params, chunk_size, error):
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(sines)
    with pytest.raises(error, match="chunk_size must be"):
        next(gan.iter_samples(25, chunk_size=chunk_size))


def test_history_records_phases_and_bolts(sines, tiny_params):
    params = dict(tiny_params, num_epochs=10, feedback_interval=4, feedback_epochs=2)
    gan = BoltGANSynthesizer(**params, random_state=0).fit(sines)
    phases = [h["phase"] for h in gan.history_]
    assert len(gan.history_) == 10  # refinement epochs count inside num_epochs
    assert phases == ["normal"] * 4 + ["bolt"] * 2 + ["normal"] * 2 + ["bolt"] * 2
    bolts = [h for h in gan.history_ if "k1" in h]
    assert [h["epoch"] for h in bolts] == [4, 8]
    assert all(h["k1"] >= 0 and h["k2"] >= 0 and h["bolt_seconds"] >= 0 for h in bolts)
    import json

    json.dumps(gan.history_)  # JSON-serialisable


def test_bolt_off_is_plain_gan_with_same_epochs(sines, tiny_params):
    params = dict(tiny_params, num_epochs=6)
    gan = BoltGANSynthesizer(**params, feedback_interval=None, random_state=0).fit(sines)
    assert len(gan.history_) == 6
    assert {h["phase"] for h in gan.history_} == {"normal"}
    assert not any("k1" in h for h in gan.history_)


def test_float_fractions_for_feedback_settings(sines, tiny_params):
    params = dict(tiny_params, num_epochs=10, feedback_interval=0.5, feedback_epochs=0.01)
    gan = BoltGANSynthesizer(**params, random_state=0).fit(sines)
    phases = [h["phase"] for h in gan.history_]
    # interval ceil(0.5 * 10) = 5 epochs; refinement ceil(0.01 * 10) -> at least 1 epoch
    assert phases == ["normal"] * 5 + ["bolt"] + ["normal"] * 4


def test_auto_epochs_make_a_fixed_number_of_batches(sines, tiny_params, monkeypatch):
    # "auto" sizes training in batches: 64 windows in batches of 16 are 4 a epoch, 32 in
    # batches of 16 are 2, so 12 batches take 3 and 6 epochs; the bolt follows the epochs.
    monkeypatch.setattr(synthesizer_module, "AUTO_BATCHES", 12)
    params = dict(tiny_params, num_epochs="auto", batch_size=16, feedback_interval=0.5)
    many = BoltGANSynthesizer(**params, random_state=0).fit(sines)
    few = BoltGANSynthesizer(**params, random_state=0).fit(sines[:32])
    assert len(many.history_) == 3 and len(few.history_) == 6
    assert [h["phase"] for h in few.history_].count("bolt") == 1  # at epoch ceil(0.5 * 6)
    assert few.history_[3]["phase"] == "bolt"


def test_auto_epochs_continue_by_the_same_count_in_a_warm_start(sines, tiny_params,
                                                                monkeypatch):
    monkeypatch.setattr(synthesizer_module, "AUTO_BATCHES", 8)
    params = dict(tiny_params, num_epochs="auto", batch_size=16)
    gan = BoltGANSynthesizer(**params, warm_start=True, random_state=0)
    assert len(gan.fit(sines).history_) == 2
    assert len(gan.fit(sines).history_) == 4


def test_bolt_changes_training(sines, tiny_params):
    params = dict(tiny_params, num_epochs=4, feedback_interval=2, feedback_epochs=2,
                  feedback_strength=1.0)
    on = BoltGANSynthesizer(**params, random_state=0).fit(sines)
    off = BoltGANSynthesizer(**{**params, "feedback_interval": None}, random_state=0).fit(sines)
    # identical until the bolt fires, different after
    assert on.history_[1]["g_loss"] == off.history_[1]["g_loss"]
    assert on.history_[3]["g_loss"] != off.history_[3]["g_loss"]


def test_clone_and_params_roundtrip(tiny_params):
    gan = BoltGANSynthesizer(**tiny_params, feedback_interval=3)
    cloned = clone(gan)
    assert cloned.get_params() == gan.get_params()
    cloned.set_params(feedback_interval=None)
    assert cloned.feedback_interval is None and gan.feedback_interval == 3


@pytest.mark.parametrize("dumps, loads", [(pickle.dumps, pickle.loads)])
def test_pickle_fitted_model(sines, tiny_params, dumps, loads):
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(sines)
    restored = loads(dumps(gan))
    np.testing.assert_array_equal(restored.sample(4), gan.sample(4))


def test_joblib_fitted_model(sines, tiny_params, tmp_path):
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(sines)
    joblib.dump(gan, tmp_path / "gan.joblib")
    restored = joblib.load(tmp_path / "gan.joblib")
    np.testing.assert_array_equal(restored.sample(4), gan.sample(4))


def test_score_is_higher_for_real_like_data(sines, tiny_params):
    gan = BoltGANSynthesizer(**dict(tiny_params, num_epochs=8), random_state=0).fit(sines)
    far_away = sines + 5.0
    assert gan.score(sines) > gan.score(far_away)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grid_search_over_feedback_settings(sines, tiny_params, n_jobs):
    grid = {"feedback_interval": [1, None], "feedback_epochs": [1, 0.5]}
    search = GridSearchCV(BoltGANSynthesizer(**tiny_params, random_state=0), grid,
                          cv=KFold(2), n_jobs=n_jobs)
    search.fit(sines)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.sample(2).shape == (2, 12, 2)


def test_n_threads_restored_after_fit(sines, tiny_params):
    before = torch.get_num_threads()
    BoltGANSynthesizer(**tiny_params, n_threads=2, random_state=0).fit(sines)
    assert torch.get_num_threads() == before


def test_lsgan_fit_finite(sines, tiny_params):
    samples = BoltGANSynthesizer(**tiny_params, loss="lsgan", random_state=0).fit(sines).sample(6)
    assert samples.shape == (6, 12, 2) and np.isfinite(samples).all()


@pytest.mark.skipif(not bfloat16_supported("cpu"), reason="CPU lacks bfloat16 LSTM support")
def test_bfloat16_fit_finite(sines, tiny_params):
    gan = BoltGANSynthesizer(**tiny_params, precision="bfloat16", random_state=0).fit(sines)
    samples = gan.sample(6)
    assert samples.shape == (6, 12, 2) and np.isfinite(samples).all()


@pytest.mark.skipif(bfloat16_supported("cpu"), reason="CPU supports bfloat16 LSTMs")
def test_bfloat16_unsupported_gives_clear_error(sines, tiny_params):
    with pytest.raises(ValueError, match="precision='float32'"):
        BoltGANSynthesizer(**tiny_params, precision="bfloat16", device="cpu").fit(sines)

"""Bad input gets a clear error naming the problem and the fix."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import NotFittedError

from skboltgan import BoltGANSynthesizer
from skboltgan._validation import check_sequences

from .conftest import TINY


@pytest.fixture
def gan():
    return BoltGANSynthesizer(**TINY, random_state=0)


def test_nan_names_count_features_and_fix(gan, sines):
    X = sines.copy()
    X[0, 0, 1] = X[3, 2, 1] = np.nan
    with pytest.raises(ValueError, match=r"2 NaN or infinite values in features \[1\].*impute"):
        gan.fit(X)


def test_inf_is_rejected(gan, sines):
    X = sines.copy()
    X[5, 5, 0] = np.inf
    with pytest.raises(ValueError, match=r"features \[0\]"):
        gan.fit(X)


@pytest.mark.parametrize("shape", [(10,), (4, 12, 2, 1)])
def test_wrong_rank(gan, shape):
    with pytest.raises(ValueError, match="SlidingWindowTransformer"):
        gan.fit(np.zeros(shape))


def test_ragged_sequences(gan):
    with pytest.raises(ValueError, match="ragged"):
        gan.fit([np.zeros((12, 2)), np.zeros((10, 2))])


def test_empty_input(gan):
    with pytest.raises(ValueError, match="0 sample"):
        gan.fit(np.zeros((0, 12, 2)))


def test_string_dtype(gan):
    with pytest.raises(ValueError, match="encode strings"):
        gan.fit(np.full((20, 12, 2), "a", dtype=object))


def test_fewer_sequences_than_a_batch(sines):
    with pytest.raises(ValueError, match="batch_size"):
        BoltGANSynthesizer(**dict(TINY, batch_size=32)).fit(sines[:10])


def test_shape_mismatch_at_score(gan, sines):
    gan.fit(sines)
    with pytest.raises(ValueError, match=r"window the data the same way"):
        gan.score(sines[:, :6])
    with pytest.raises(ValueError, match=r"\(12, 1\)"):
        gan.score(sines[:, :, :1])


@pytest.mark.parametrize("param, value", [
    ("num_epochs", 0), ("batch_size", -1), ("lr", 0.0), ("lr", float("nan")),
    ("dropout", 1.0), ("feedback_interval", 1.5), ("feedback_epochs", 0),
    ("feedback_strength", -0.1), ("latent_dim", 2.5), ("loss", "wasserstein"),
])
def test_absurd_parameters(sines, param, value):
    with pytest.raises(ValueError, match=param):
        BoltGANSynthesizer(**{**TINY, param: value}).fit(sines)


def test_unknown_device(sines):
    with pytest.raises(ValueError, match="Unknown device"):
        BoltGANSynthesizer(**TINY, device="tpu").fit(sines)


def test_sample_before_fit():
    with pytest.raises(NotFittedError):
        BoltGANSynthesizer().sample(3)


@pytest.mark.parametrize("n, error", [(-1, ValueError), (0, ValueError), (2.5, TypeError)])
def test_bad_sample_count(gan, sines, n, error):
    gan.fit(sines)
    with pytest.raises(error, match="n_samples"):
        gan.sample(n)


def test_unknown_class_at_sample(sines):
    gan = BoltGANSynthesizer(**TINY, random_state=0).fit(sines, np.arange(64) % 2)
    with pytest.raises(ValueError, match=r"Unknown class labels \[7\]"):
        gan.sample(3, y=7)


def test_labels_at_sample_without_conditional_fit(gan, sines):
    gan.fit(sines)
    with pytest.raises(ValueError, match="without labels"):
        gan.sample(3, y=0)


@pytest.mark.parametrize("scale", [1e-12, 1.0, 1e12])
def test_extreme_scales_and_constant_feature_sample_finite(sines, scale):
    X = sines * scale
    X[:, :, 1] = 7.0 * scale  # a constant feature
    samples = BoltGANSynthesizer(**TINY, random_state=0).fit(X).sample(5)
    assert np.isfinite(samples).all()
    np.testing.assert_allclose(samples[:, :, 1], 7.0 * scale)
    assert samples[:, :, 0].max() <= X[:, :, 0].max() * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 4)),
              elements=st.floats(-1e6, 1e6)))
def test_valid_sequences_pass_unchanged(X):
    np.testing.assert_array_equal(check_sequences(X), X)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 4)),
              elements=st.floats(-10, 10)), st.data())
def test_every_nan_is_counted(X, data):
    n_bad = data.draw(st.integers(1, X.size))
    flat = X.reshape(-1)
    flat[:n_bad] = np.nan
    with pytest.raises(ValueError, match=rf"contains {n_bad} NaN"):
        check_sequences(X)


@pytest.mark.parametrize("missing", [np.nan, None])
def test_missing_class_label_is_refused(gan, sines, missing):
    y = np.array([0, 1] * (len(sines) // 2), dtype=object)
    y[3] = missing
    with pytest.raises(ValueError, match="y contains NaN or None"):
        gan.fit(sines, y)


def test_float_labels_with_nan_are_refused(gan, sines):
    y = np.zeros(len(sines))
    y[0] = np.nan
    with pytest.raises(ValueError, match="every sequence needs a class label"):
        gan.fit(sines, y)


def test_data_spanning_more_than_float64_is_refused(gan, sines):
    # The range 2 * 1.7e308 overflows to inf: generated data mapped back would be inf.
    centred = sines - sines.mean()
    huge = centred / np.abs(centred).max() * 1.7e308
    with pytest.raises(ValueError, match=r"span more than float64.*divide them"):
        gan.fit(huge)


def test_checkpoint_dir_that_is_a_file_is_named(sines, tmp_path):
    not_a_dir = tmp_path / "model.ckpt"
    not_a_dir.write_text("keep me")
    with pytest.raises(NotADirectoryError, match="is a file, not a directory"):
        BoltGANSynthesizer(**TINY, checkpoint_dir=not_a_dir).fit(sines)
    assert not_a_dir.read_text() == "keep me"

"""Class-conditional BoltGANSynthesizer: fit(X, y), sample(n, y=...), the bolt with labels."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skboltgan import BoltGANSynthesizer


def mirrored_bumps(n_sequences, *, seq_len=16, seed=0):
    """Half a sine period going up (class 0) or down (class 1), with small phase and noise.

    The classes are linearly separable (opposite signs), yet a generator that ignores the
    label produces a mix of both shapes, so a classifier scores it near chance.
    """
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n_sequences // 2)
    sign = np.where(y == 0, 1.0, -1.0)[:, np.newaxis]
    t = np.arange(seq_len)[np.newaxis, :] / seq_len
    phase = rng.uniform(0, 0.3, size=(len(y), 1))
    X = sign * np.sin(np.pi * t + phase) + 0.05 * rng.standard_normal((len(y), seq_len))
    return X, y


@pytest.fixture
def labelled_sines(sines):
    return sines, np.array(["calm"] * 48 + ["storm"] * 16)


def test_fit_with_labels_sets_classes_and_prior(labelled_sines, tiny_params):
    X, y = labelled_sines
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(X, y)
    np.testing.assert_array_equal(gan.classes_, ["calm", "storm"])
    np.testing.assert_allclose(gan.class_prior_, [0.75, 0.25])


def test_fit_without_labels_is_unconditional(sines, tiny_params):
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(sines)
    assert gan.classes_ is None
    assert gan.generator_.embedding is None


@pytest.mark.parametrize("y", ["storm", ["storm", "calm", "storm", "calm", "calm"]])
def test_sample_accepts_one_label_or_one_per_sequence(labelled_sines, tiny_params, y):
    X, labels = labelled_sines
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(X, labels)
    assert gan.sample(5, y=y).shape == (5, 12, 2)


def test_sample_is_reproducible_with_labels(labelled_sines, tiny_params):
    X, y = labelled_sines
    first = BoltGANSynthesizer(**tiny_params, random_state=3).fit(X, y).sample(6, y="storm")
    second = BoltGANSynthesizer(**tiny_params, random_state=3).fit(X, y).sample(6, y="storm")
    np.testing.assert_array_equal(first, second)


def test_unknown_label_at_sample_is_a_clear_error(labelled_sines, tiny_params):
    X, y = labelled_sines
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"Unknown class labels \['fog'\]"):
        gan.sample(3, y=["calm", "fog", "storm"])


def test_labels_at_sample_need_a_conditional_fit(sines, tiny_params):
    gan = BoltGANSynthesizer(**tiny_params, random_state=0).fit(sines)
    with pytest.raises(ValueError, match="fitted without labels"):
        gan.sample(3, y=0)


def test_wrong_number_of_labels_at_fit_is_a_clear_error(sines, tiny_params):
    with pytest.raises(ValueError, match="one label per sequence"):
        BoltGANSynthesizer(**tiny_params).fit(sines, np.zeros(10))


def test_bolt_fires_in_conditional_mode(labelled_sines, tiny_params):
    X, y = labelled_sines
    params = dict(tiny_params, num_epochs=4, feedback_interval=2, feedback_epochs=1)
    gan = BoltGANSynthesizer(**params, random_state=0).fit(X, y)
    bolts = [record for record in gan.history_ if "k1" in record]
    assert [record["epoch"] for record in bolts] == [2]
    assert np.isfinite([bolts[0]["k1"], bolts[0]["k2"]]).all()


def test_conditional_samples_have_the_requested_class(global_random_seed):
    X, y = mirrored_bumps(128)
    classifier = LogisticRegression().fit(X, y)
    gan = BoltGANSynthesizer(latent_dim=4, lstm_hidden=16, lstm_layers=1, num_epochs=50,
                             batch_size=16, lr=1e-3, discriminator_steps=1,
                             random_state=global_random_seed)
    gan.fit(X, y)
    requested = np.repeat([0, 1], 100)
    generated = gan.sample(200, y=requested)[:, :, 0]
    # Chance is 0.5: a generator that ignored the label would produce both shapes equally.
    assert classifier.score(generated, requested) >= 0.8

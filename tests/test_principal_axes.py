"""``decorrelate``: the networks work on the numeric features' principal axes."""

import numpy as np
import pytest

from skboltgan import BoltGANSynthesizer
from skboltgan._principal_axes import PrincipalAxes

from .conftest import TINY


def _correlated(n=200, seq_len=6, seed=0):
    """Windows of four features: a level, the level plus a small offset, the level
    exactly (a copy, as stocks' Close and Adj Close), and an independent one."""
    rng = np.random.default_rng(seed)
    level = np.cumsum(rng.normal(size=(n, seq_len)), axis=1) + rng.normal(size=(n, 1)) * 5
    return np.stack([level, level + 0.01 * rng.normal(size=level.shape), level,
                     rng.normal(size=level.shape)], axis=-1)


def _fit_axes(X, columns):
    return PrincipalAxes.fit(lambda: iter(np.array_split(X, 3)), columns)


def test_values_beyond_the_data_are_clipped_into_each_columns_range():
    X = _correlated()
    axes = _fit_axes(X, [0, 1, 2, 3])
    corners = axes.inverse_transform(np.ones((1, 1, 4)) * [1, -1, 1, -1])
    flat = X.reshape(-1, 4)
    assert np.all(corners >= flat.min(axis=0)) and np.all(corners <= flat.max(axis=0))
    assert np.isclose(corners, flat.max(axis=0)).any() or np.isclose(
        corners, flat.min(axis=0)).any()


def test_round_trip_restores_the_data_and_passes_other_columns_through():
    X = _correlated()
    axes = _fit_axes(X, [0, 1, 2])
    rotated = axes.transform(X)
    np.testing.assert_array_equal(rotated[..., 3], X[..., 3])
    np.testing.assert_allclose(axes.inverse_transform(rotated), X, atol=1e-9)


def test_coordinates_span_minus_one_to_one_along_each_axis_and_are_uncorrelated():
    X = _correlated()
    rotated = _fit_axes(X, [0, 1]).transform(X)[..., [0, 1]].reshape(-1, 2)
    np.testing.assert_allclose(rotated.min(axis=0), -1)
    np.testing.assert_allclose(rotated.max(axis=0), 1)
    assert abs(np.corrcoef(rotated, rowvar=False)[0, 1]) < 1e-9
    assert np.corrcoef(X[..., 0].ravel(), X[..., 1].ravel())[0, 1] > 0.99


def test_only_correlated_features_are_rotated_together():
    X = _correlated()
    axes = _fit_axes(X, [0, 1, 2, 3])
    np.testing.assert_allclose(axes.axes @ axes.axes.T, np.eye(4), atol=1e-12)
    # The independent feature is an axis of its own, only rescaled.
    np.testing.assert_array_equal(axes.axes[3], [0, 0, 0, 1])
    np.testing.assert_array_equal(axes.axes[:3, 3], 0)
    rotated = axes.transform(X)[..., 3]
    np.testing.assert_allclose(rotated, 2 * (X[..., 3] - X[..., 3].min()) / np.ptp(X[..., 3]) - 1)
    # The group's axes come largest variance first; the copy's difference from the level
    # never varies, so the group's last axis has no spread, and whatever is generated
    # along it maps back to equal features.
    variances = ((X.reshape(-1, 4) - axes.mean) @ axes.axes[:3].T).var(axis=0)
    assert np.all(np.diff(variances) <= 1e-9) and variances[-1] < 1e-12
    noise = np.random.default_rng(1).uniform(-1, 1, size=X.shape)
    back = axes.inverse_transform(noise)
    np.testing.assert_allclose(back[..., 0], back[..., 2], atol=1e-6 * np.ptp(X[..., 0]))


@pytest.mark.parametrize("relation", [0.0, 0.5])
def test_independent_or_loosely_related_features_are_left_alone(relation):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 100, 6))
    X = np.stack([a, relation * a + b], axis=-1)  # correlation 0 or about 0.45
    assert _fit_axes(X, [0, 1]) is None


def test_minor_axes_are_a_groups_lesser_principal_axes():
    X = _correlated()  # columns 0-2 a group, 3 alone
    np.testing.assert_array_equal(_fit_axes(X, [0, 1, 2, 3]).minor_axes, [1, 2])
    np.testing.assert_array_equal(_fit_axes(X[..., [3, 0, 1, 2]], [0, 1, 2, 3]).minor_axes,
                                  [2, 3])


def test_a_constant_feature_is_grouped_with_nothing():
    # Its covariances with the others are rounding errors, as is its variance; their ratio
    # once linked it with every feature.
    rng = np.random.default_rng(0)
    X = np.stack([rng.uniform(-1, 1, size=(400, 24)), np.full((400, 24), -1.0),
                  rng.normal(size=(400, 24))], axis=-1)
    assert _fit_axes(X, [0, 1, 2]) is None
    X = np.concatenate([X, X[..., :1]], axis=-1)  # and a copy, which is a group
    np.testing.assert_array_equal(_fit_axes(X, [0, 1, 2, 3]).axes[[1, 2]],
                                  np.eye(4)[[1, 2]])


def test_a_decorrelated_synthesizer_keeps_an_exact_relation_between_features():
    X = _correlated(n=256, seq_len=8)
    on = BoltGANSynthesizer(**TINY, random_state=0).fit(X)
    off = BoltGANSynthesizer(**TINY, decorrelate=False, random_state=0).fit(X)
    spread = np.ptp(X[..., 0])
    gap_on = np.abs(on.sample(200)[..., 0] - on.sample(200)[..., 2]).max()
    gap_off = np.abs(off.sample(200)[..., 0] - off.sample(200)[..., 2]).max()
    assert gap_on < 1e-5 * spread
    assert gap_off > 1e-3 * spread  # scaled one at a time, the copy is only approximate
    assert off.principal_axes_ is None


@pytest.mark.parametrize("decorrelate", [True, False])
def test_samples_come_back_in_data_units(decorrelate):
    X = _correlated(n=128, seq_len=6) * 100 + 1000
    gan = BoltGANSynthesizer(**TINY, decorrelate=decorrelate, random_state=0).fit(X)
    samples = gan.sample(500)
    # The box of ranges along the axes reaches past the data's: clipped back into it.
    low, high = X.min(axis=(0, 1)), X.max(axis=(0, 1))
    assert np.all(samples >= low - 1e-9) and np.all(samples <= high + 1e-9)
    assert samples.mean() > 500  # in data units, not in [-1, 1]


def test_univariate_data_has_no_axes_to_rotate():
    X = np.random.default_rng(0).normal(size=(64, 8))
    assert BoltGANSynthesizer(**TINY, random_state=0).fit(X).principal_axes_ is None


def test_saved_model_samples_as_the_fitted_one(tmp_path):
    X = _correlated(n=128, seq_len=6)
    gan = BoltGANSynthesizer(**TINY, random_state=0).fit(X)
    gan.save(tmp_path / "model.npz")
    loaded = BoltGANSynthesizer.load(tmp_path / "model.npz")
    np.testing.assert_array_equal(loaded.principal_axes_.axes, gan.principal_axes_.axes)
    np.testing.assert_array_equal(loaded.sample(16, random_state=3),
                                  gan.sample(16, random_state=3))

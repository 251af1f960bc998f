"""The memorization guard: known answers, agreement with sklearn, and its place in evaluate."""

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

from skboltgan.datasets import make_sines
from skboltgan.metrics import evaluate, memorization_ratio
from skboltgan.metrics._memorization import nearest_distances


@pytest.fixture
def split():
    train = make_sines(400, seq_len=12, n_features=3, random_state=0)
    holdout = make_sines(150, seq_len=12, n_features=3, random_state=1)
    fresh = make_sines(150, seq_len=12, n_features=3, random_state=2)
    return train, holdout, fresh


def test_a_copy_of_the_training_set_fails(split):
    train, holdout, _ = split
    result = memorization_ratio(train, train[:150], holdout)
    assert result.value < 0.01 and not result.passed
    assert result.closer_share == 1.0


def test_slightly_perturbed_copies_fail(split):
    train, holdout, _ = split
    noisy = train[:150] + np.random.default_rng(0).normal(0, 0.01, train[:150].shape)
    assert not memorization_ratio(train, noisy, holdout).passed


def test_fresh_samples_of_the_same_distribution_pass(split, global_random_seed):
    train, holdout, _ = split
    fresh = make_sines(150, seq_len=12, n_features=3, random_state=global_random_seed + 10)
    result = memorization_ratio(train, fresh, holdout)
    assert result.passed and 0.9 < result.value < 1.15
    assert result.closer_share < 0.15


def test_distances_agree_with_sklearn_nearest_neighbors(rng):
    reference = rng.random((300, 20)).astype(np.float32)
    queries = rng.random((70, 20)).astype(np.float32)
    expected = NearestNeighbors(n_neighbors=1).fit(reference).kneighbors(queries)[0][:, 0]
    np.testing.assert_allclose(nearest_distances(queries, reference, chunk_size=16),
                               expected, rtol=1e-4, atol=1e-5)


def test_chunk_size_does_not_change_the_result(split):
    train, holdout, fresh = split
    a = memorization_ratio(train, fresh, holdout, chunk_size=7)
    b = memorization_ratio(train, fresh, holdout)
    np.testing.assert_allclose(a.synthetic_dcr, b.synthetic_dcr, rtol=1e-5)


def test_units_do_not_matter(split):
    # Each feature is scaled by its training range, so a feature in 1e7 units (stock
    # volume) does not drown the others.
    train, holdout, fresh = split
    scale = np.array([1.0, 1e7, 3.0])
    a = memorization_ratio(train, fresh, holdout)
    b = memorization_ratio(train * scale, fresh * scale, holdout * scale)
    assert b.value == pytest.approx(a.value, rel=1e-4)


def test_window_length_mismatch_is_a_clear_error(split):
    train, holdout, fresh = split
    with pytest.raises(ValueError, match="have 12 time steps but synthetic ones have 10"):
        memorization_ratio(train, fresh[:, :10], holdout)


def test_feature_mismatch_is_a_clear_error(split):
    train, holdout, fresh = split
    with pytest.raises(ValueError, match="features"):
        memorization_ratio(train, fresh, holdout[:, :, :2])


def test_evaluate_reports_memorization_given_the_training_windows(split):
    train, holdout, _ = split
    report = evaluate(holdout, train[:150], training=train, temporal=False, utility=False,
                      random_state=0)
    row = next(r for r in report.rows if r["metric"] == "memorization")
    assert row["passed"] is False and row["value"] < 0.01
    assert "memorization" in str(report)
    assert report.to_dict()["metrics"]["memorization"]["passed"] is False
    assert report.info["n_training"] == 400


def test_evaluate_without_training_has_no_memorization_row(split):
    _, holdout, fresh = split
    report = evaluate(holdout, fresh, temporal=False, utility=False, random_state=0)
    assert all(r["metric"] != "memorization" for r in report.rows)


def _stock_windows():
    from skboltgan.datasets import load_stocks
    from skboltgan.preprocessing import SlidingWindowTransformer, TimeSeriesMinMaxScaler
    series = TimeSeriesMinMaxScaler().fit_transform(load_stocks())
    return SlidingWindowTransformer(window=24, stride=1).fit_transform(series)


def test_the_holdout_must_come_from_the_training_distribution():
    """Fresh real windows of a trending series: fine against spread blocks, not the end."""
    from skboltgan._monitoring import validation_split
    windows = _stock_windows()
    train, held_out = validation_split(len(windows), None, 0.2, 24, max_blocks=10)
    blocks = np.split(held_out, np.flatnonzero(np.diff(held_out) > 1) + 1)
    # Fresh windows: every other block but the last; holdout: the remaining blocks.
    fresh, holdout = np.concatenate(blocks[1:-1:2]), np.concatenate(blocks[0::2])
    assert memorization_ratio(windows[train], windows[fresh], windows[holdout]).passed
    end = np.arange(len(windows) - len(holdout), len(windows))  # the series' end instead
    before_end = train[train < end[0] - 23]
    assert not memorization_ratio(windows[before_end], windows[fresh], windows[end]).passed

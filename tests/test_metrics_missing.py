"""Known answers for the missing-value and category metrics, and evaluate with gaps."""

import numpy as np
import pytest

from skboltgan.datasets import make_sines
from skboltgan.metrics import (category_frequency_error, evaluate, fill_missing,
                               missing_rate_error, tv_complement)


def with_gaps(X, rate, seed=0):
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < rate] = np.nan
    return X


@pytest.fixture
def real():
    return make_sines(300, seq_len=12, n_features=3, random_state=0)


def test_identical_gaps_give_no_missing_rate_error(real):
    gappy = with_gaps(real, 0.1)
    assert missing_rate_error(gappy, gappy).value == 0.0


def test_missing_rate_error_is_the_mean_absolute_rate_difference(real):
    gappy = real.copy()
    gappy[:30, :, 0] = np.nan  # feature 0: 10% missing, the others complete
    result = missing_rate_error(gappy, real)
    np.testing.assert_allclose(result.per_feature, [0.1, 0.0, 0.0])
    assert result.value == pytest.approx(0.1 / 3) and result.passed


def test_a_feature_always_missing_on_one_side_fails_the_gate(real):
    empty = real.copy()
    empty[..., 1] = np.nan
    result = missing_rate_error(real, empty)
    assert result.per_feature[1] == 1.0 and not result.passed


def test_category_frequency_error_known_answers():
    a = np.array([0.0] * 60 + [1.0] * 30 + [2.0] * 10)[:, np.newaxis]
    assert category_frequency_error(a, a[::-1], [0]).value == 0.0
    shifted = np.array([0.0] * 30 + [1.0] * 60 + [2.0] * 10)[:, np.newaxis]
    assert category_frequency_error(a, shifted, [0]).value == pytest.approx(0.3)
    assert category_frequency_error(a, a + 5, [0]).value == 1.0


def test_nan_is_a_label_of_its_own_for_categories():
    a = np.array([[0.0], [np.nan]])
    assert category_frequency_error(a, np.array([[0.0], [0.0]]), [0]).value == 0.5


def test_marginal_metrics_compare_observed_values_only(real):
    gappy = with_gaps(real, 0.2)
    tables = gappy.reshape(-1, 3)
    observed = tables[~np.isnan(tables).any(axis=1)]
    # Dropping the gaps' rows and skipping the NaN cells must agree where every row with
    # a gap is dropped on both sides: compare each feature's own observed values.
    for j in range(3):
        column = gappy[..., j].reshape(-1, 1)
        assert tv_complement(real[..., j].reshape(-1, 1), column).value == pytest.approx(
            tv_complement(real[..., j].reshape(-1, 1),
                          column[~np.isnan(column[:, 0])]).value)
    assert observed.shape[0] < tables.shape[0]


def test_fill_missing_interpolates_along_time():
    X = np.array([[[1.0], [np.nan], [3.0], [np.nan]]])
    np.testing.assert_array_equal(fill_missing(X, [0.0])[0, :, 0], [1.0, 2.0, 3.0, 3.0])
    np.testing.assert_array_equal(fill_missing(np.full((1, 3, 1), np.nan), [7.0])[0, :, 0],
                                  [7.0, 7.0, 7.0])


def test_evaluate_with_gaps_and_categories_reports_both(real):
    real = real.copy()
    real[..., 2] = np.round(real[..., 2] * 2)  # codes 0, 1, 2
    synthetic = make_sines(300, seq_len=12, n_features=3, random_state=1)
    synthetic[..., 2] = np.round(synthetic[..., 2] * 2)
    gappy = real.copy()
    gappy[..., :2] = with_gaps(real[..., :2], 0.1)  # gaps in the numeric features only
    report = evaluate(gappy, synthetic, random_state=0, discriminative_steps=20,
                      predictive_steps=20, categorical_features=[2])
    rows = {row["metric"]: row for row in report.rows}
    assert rows["missing_rate_error"]["value"] == pytest.approx(
        np.isnan(gappy[..., :2]).mean() * 2 / 3, abs=1e-12)
    assert rows["category_frequency_error"]["value"] < 0.1
    assert np.isfinite(rows["discriminative"]["value"])


def test_evaluate_without_gaps_has_no_missing_row(real):
    report = evaluate(real, real, random_state=0, temporal=False)
    assert "missing_rate_error" not in [row["metric"] for row in report.rows]

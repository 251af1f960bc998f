"""Known-answer tests for skboltgan.metrics (marginal, dependence, utility, report)."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from skboltgan.datasets import make_sines
from skboltgan.metrics import (autocorrelation_error, chi_square_test, correlation_error,
                               evaluate, kl_similarity, tstr_score, tv_complement)
from skboltgan.metrics._divergences import PSEUDO_COUNT
from skboltgan.metrics._marginal import homogeneity_statistic


def time_shuffled(X, seed=0):
    """Permute the steps of every sequence (all features together): marginals and
    cross-feature correlation kept, temporal order destroyed."""
    rng = np.random.default_rng(seed)
    order = rng.permuted(np.tile(np.arange(X.shape[1]), (X.shape[0], 1)), axis=1)
    return np.take_along_axis(X, order[:, :, None], axis=1)


@pytest.fixture
def real():
    return make_sines(400, seq_len=24, n_features=3, random_state=0)


@pytest.fixture
def categories():
    """Integer-coded (pre-binned) data: 3 features with 6 categories, both ends present."""
    rng = np.random.default_rng(1)
    a = rng.integers(0, 6, size=(5000, 3))
    b = rng.choice(6, size=(4000, 3), p=[0.3, 0.1, 0.1, 0.2, 0.1, 0.2])
    a[:2], b[:2] = 0, 0
    a[2:4], b[2:4] = 5, 5
    return a.astype(float), b.astype(float)


# ---------------------------------------------------------------- identical data
@pytest.mark.parametrize("metric", [tv_complement, kl_similarity])
def test_identical_data_scores_one(metric, real):
    result = metric(real, real)
    assert result.value == 1.0
    assert result.passed


def test_identical_data_chi_square_p_values_are_one(real):
    result = chi_square_test(real, real, random_state=0)
    np.testing.assert_allclose(result.per_feature, 1.0)


@pytest.mark.parametrize("metric", [autocorrelation_error, correlation_error])
def test_identical_data_has_zero_error(metric, real):
    assert metric(real, real) == 0.0


# ---------------------------------------------------------------- worse data
@pytest.mark.parametrize("metric", [tv_complement, kl_similarity])
def test_shifted_data_fails_the_gate(metric, real):
    result = metric(real, real + 0.2)
    assert result.value < result.threshold
    assert not result.passed


def test_shifted_data_fails_chi_square(real):
    result = chi_square_test(real, real + 0.05, random_state=0)
    assert result.value == 0.0 and not result.passed


@pytest.mark.parametrize("metric", [tv_complement, kl_similarity])
def test_noisier_data_scores_lower(metric, real):
    rng = np.random.default_rng(0)
    slightly = metric(real, real + rng.normal(0, 0.01, real.shape)).value
    very = metric(real, real + rng.normal(0, 0.1, real.shape)).value
    assert very < slightly < 1.0


def test_time_shuffle_keeps_marginals_and_correlation(real):
    shuffled = time_shuffled(real)
    assert tv_complement(real, shuffled).value == 1.0
    assert correlation_error(real, shuffled) == pytest.approx(0.0, abs=1e-12)


def test_time_shuffle_breaks_autocorrelation(real):
    assert autocorrelation_error(real, time_shuffled(real)) > 0.5


# ---------------------------------------------------------------- known answers
def sdmetrics_tv_complement(real_column, synthetic_column):
    """SDMetrics' TVComplement definition (single_column/statistical/tv_complement.py):
    1 - 0.5 * sum over categories of |f_real - f_synthetic|, with value_counts frequencies."""
    categories = np.union1d(real_column, synthetic_column)
    f_real = np.array([np.mean(real_column == c) for c in categories])
    f_synth = np.array([np.mean(synthetic_column == c) for c in categories])
    return 1 - 0.5 * np.abs(f_real - f_synth).sum()


def test_tv_complement_matches_sdmetrics_definition_on_prebinned_data(categories):
    a, b = categories
    expected = [sdmetrics_tv_complement(a[:, j], b[:, j]) for j in range(a.shape[1])]
    np.testing.assert_allclose(tv_complement(a, b, n_bins=6).per_feature, expected,
                               rtol=0, atol=1e-12)


def test_tv_complement_matches_sdmetrics_package(categories):
    sdmetrics = pytest.importorskip("sdmetrics.single_column")
    pd = pytest.importorskip("pandas")
    a, b = categories
    expected = [sdmetrics.TVComplement.compute(pd.Series(a[:, j]), pd.Series(b[:, j]))
                for j in range(a.shape[1])]
    np.testing.assert_allclose(tv_complement(a, b, n_bins=6).per_feature, expected,
                               rtol=0, atol=1e-12)


def _category_counts(X, k):
    return np.stack([np.bincount(X[:, j].astype(int), minlength=k) for j in range(X.shape[1])])


def test_kl_matches_scipy_entropy_of_the_smoothed_counts(categories):
    a, b = categories
    p, q = _category_counts(a, 6) + PSEUDO_COUNT, _category_counts(b, 6) + PSEUDO_COUNT
    expected = [stats.entropy(p[j], q[j]) for j in range(3)]
    np.testing.assert_allclose(kl_similarity(a, b, n_bins=6).details["kl"], expected,
                               rtol=1e-12)


def test_kl_approaches_scipy_entropy_of_raw_frequencies_for_large_samples(categories):
    # The pseudo-count of 0.5 per bin moves KL by O(n_bins / n): below 1e-3 at n >= 4000.
    a, b = categories
    p, q = _category_counts(a, 6), _category_counts(b, 6)
    expected = [stats.entropy(p[j], q[j]) for j in range(3)]
    np.testing.assert_allclose(-np.log(kl_similarity(a, b, n_bins=6).per_feature), expected,
                               atol=1e-3)


def test_homogeneity_statistic_matches_scipy_chi2_contingency():
    counts = np.random.default_rng(0).integers(0, 40, size=(4, 2, 7))
    counts[1, :, 3] = 0  # an empty bin is dropped, as scipy needs
    statistic, dof = homogeneity_statistic(counts)
    for j in range(4):
        table = counts[j][:, counts[j].sum(axis=0) > 0]
        expected = stats.chi2_contingency(table, correction=False)
        assert statistic[j] == pytest.approx(expected.statistic, rel=1e-12)
        assert dof[j] == expected.dof


def test_chi_square_p_values_match_scipy_on_full_tables(categories):
    a, b = categories
    n = 4000  # subsample >= rows: every row is counted
    result = chi_square_test(a[:n], b[:n], n_bins=6, subsample=n, random_state=0)
    table = np.stack([_category_counts(a[:n], 6), _category_counts(b[:n], 6)], axis=1)
    expected = [stats.chi2_contingency(table[j], correction=False).pvalue for j in range(3)]
    np.testing.assert_allclose(result.per_feature, expected, rtol=1e-9)


def test_chi_square_real_vs_real_passes_about_95_percent():
    rng = np.random.default_rng(0)
    p_values = np.concatenate([
        chi_square_test(rng.normal(size=(600, 4, 5)), rng.normal(size=(600, 4, 5)),
                        random_state=i).per_feature for i in range(100)])
    # 500 p-values: the binomial standard error of the share is about 0.01.
    assert 0.92 <= np.mean(p_values > 0.05) <= 0.99


def test_correlation_error_known_answer():
    x = np.random.default_rng(0).normal(size=(5000, 2))
    perfectly_correlated = np.column_stack([x[:, 0], x[:, 0]])
    assert correlation_error(perfectly_correlated, x) == pytest.approx(1.0, abs=0.05)


def test_autocorrelation_error_known_answer():
    rng = np.random.default_rng(0)
    constant_in_time = np.repeat(rng.normal(size=(2000, 1, 1)), 8, axis=1)  # acf = 1
    white_noise = rng.normal(size=(2000, 8, 1))  # acf = 0
    assert autocorrelation_error(constant_in_time, white_noise) == pytest.approx(1.0, abs=0.05)


# ---------------------------------------------------------------- properties
integer_tables = arrays(np.float64, st.tuples(st.integers(2, 40), st.integers(1, 3)),
                        elements=st.integers(0, 5).map(float))


@settings(max_examples=40, deadline=None)
@given(integer_tables, integer_tables)
def test_tv_complement_lies_in_unit_interval(a, b):
    if a.shape[1] != b.shape[1]:
        b = b[:, :1].repeat(a.shape[1], axis=1)
    values = tv_complement(a, b, n_bins=6).per_feature
    assert np.all((values[np.isfinite(values)] >= 0) & (values[np.isfinite(values)] <= 1))


@settings(max_examples=40, deadline=None)
@given(integer_tables, integer_tables)
def test_tv_complement_is_symmetric_on_shared_bins(a, b):
    b = b[:, :1].repeat(a.shape[1], axis=1)
    a[0], b[0], a[1], b[1] = 0, 0, 5, 5  # same range, so the same bins both ways
    np.testing.assert_allclose(tv_complement(a, b, n_bins=6).per_feature,
                               tv_complement(b, a, n_bins=6).per_feature, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(integer_tables, integer_tables)
def test_kl_similarity_and_chi_square_lie_in_unit_interval(a, b):
    b = b[:, :1].repeat(a.shape[1], axis=1)
    a[0], a[1] = 0, 5
    assert np.all((kl_similarity(a, b).per_feature > 0)
                  & (kl_similarity(a, b).per_feature <= 1))
    p = chi_square_test(a, b, random_state=0).per_feature
    assert np.all((p >= 0) & (p <= 1))


# ---------------------------------------------------------------- input checks
def test_feature_mismatch_is_a_clear_error(real):
    with pytest.raises(ValueError, match="same features"):
        tv_complement(real, real[:, :, :2])


def test_two_dimensional_input_is_a_per_step_table(real):
    table = real.reshape(-1, real.shape[2])
    assert tv_complement(table, table[::-1]).value == 1.0
    assert tv_complement(table, table).per_feature.shape == (3,)


# ---------------------------------------------------------------- utility
def test_tstr_with_real_as_synthetic_equals_train_on_real(real):
    result = tstr_score(real[:300], real[:300], real[300:], task="regression")
    assert result.scores["synthetic"] == result.scores["real"]


def test_tstr_on_noise_is_worse_than_train_on_real(real):
    noise = np.random.default_rng(0).uniform(size=(300, 24, 3))
    result = tstr_score(real[:300], noise, real[300:], task="regression")
    assert result.scores["synthetic"]["r2"] < result.scores["real"]["r2"] - 0.5


def test_tstr_classification_with_flipped_labels_inverts_the_ranking():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 600)
    X = rng.normal(size=(600, 6, 2)) + y[:, None, None]  # the class shifts the level
    result = tstr_score(X[:300], X[300:500], X[500:], task="classification",
                        y_real_train=y[:300], y_synthetic=1 - y[300:500],
                        y_real_test=y[500:])
    assert result.scores["real"]["auroc"] > 0.95
    assert result.scores["synthetic"]["auroc"] < 0.05


def test_tstr_classification_without_labels_is_a_clear_error(real):
    with pytest.raises(ValueError, match="needs labels"):
        tstr_score(real, real, real, task="classification")


# ---------------------------------------------------------------- report
def test_evaluate_report_is_json_serialisable_and_readable(real):
    report = evaluate(real, real[::-1], random_state=0, temporal=False)
    data = json.loads(json.dumps(report.to_dict()))
    names = [row["metric"] for row in data["summary"]]
    assert names == ["tv_complement", "kl_similarity", "chi_square",
                     "autocorrelation_error", "correlation_error", "tstr_r2"]
    assert "PASS" in str(report) and report.to_markdown().startswith("| metric |")


def test_evaluate_runs_the_temporal_protocol_with_given_steps(real):
    report = evaluate(real[:100], real[100:200], random_state=0, discriminative_steps=5,
                      predictive_steps=5, utility=False)
    metrics = report.to_dict()["metrics"]
    assert 0 <= metrics["discriminative"]["mean"] <= 0.5
    assert metrics["predictive"]["reference"]["mean"] > 0


@pytest.mark.parametrize("metric", [tv_complement, kl_similarity, chi_square_test])
def test_bad_bin_count_is_a_clear_error(metric, real):
    with pytest.raises(ValueError, match="n_bins must be a positive int"):
        metric(real, real, n_bins=0)


def test_results_format_like_their_figure(real):
    noisy = real + np.random.default_rng(0).normal(0, 0.2, real.shape)
    result = tv_complement(real, noisy)
    assert f"{result:.3f}" == f"{result.value:.3f}"
    assert f"{result}" == repr(result)

"""Every metric and ``evaluate`` on small and unequal sets, and clear refusals on mismatches."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skboltgan.datasets import make_sines
from skboltgan.metrics import (autocorrelation_error, chi_square_test, correlation_error,
                               discriminative_score, evaluate, kl_similarity,
                               memorization_ratio, predictive_score, tstr_score,
                               tv_complement)

QUICK = dict(n_steps=5, random_state=0)
sizes = st.integers(min_value=2, max_value=40)
lengths = st.integers(min_value=2, max_value=9)
widths = st.integers(min_value=1, max_value=4)


def pair(n_real, n_synthetic, seq_len, n_features):
    real = make_sines(n_real, seq_len=seq_len, n_features=n_features, random_state=0)
    fake = make_sines(n_synthetic, seq_len=seq_len, n_features=n_features, random_state=1)
    return real, fake


def finite_or_nan(value):
    """A metric value: a finite number, or NaN where it says it is undefined."""
    value = float(value)
    return np.isfinite(value) or np.isnan(value)


@settings(max_examples=25, deadline=None)
@given(sizes, sizes, lengths, widths)
def test_every_metric_runs_on_any_sizes_of_at_least_two(n_real, n_synthetic, seq_len,
                                                         n_features):
    real, fake = pair(n_real, n_synthetic, seq_len, n_features)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the unequal-count truncation
        disc = discriminative_score(real, fake, **QUICK)
    pred = predictive_score(real, fake, **QUICK)
    assert 0.0 <= disc.mean <= 0.5
    assert pred.mean >= 0 and pred.reference.mean >= 0
    for metric in (tv_complement, kl_similarity, chi_square_test):
        assert finite_or_nan(metric(real, fake))
    assert finite_or_nan(autocorrelation_error(real, fake))
    assert finite_or_nan(correlation_error(real, fake))
    assert float(memorization_ratio(real, fake, make_sines(3, seq_len, n_features,
                                                           random_state=2))) >= 0


@settings(max_examples=10, deadline=None)
@given(sizes, sizes, lengths, widths)
def test_evaluate_reports_every_row_on_small_unequal_sets(n_real, n_synthetic, seq_len,
                                                          n_features):
    real, fake = pair(n_real, n_synthetic, seq_len, n_features)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        report = evaluate(real, fake, random_state=0, discriminative_steps=5,
                          predictive_steps=5)
    metrics = [row["metric"] for row in report.rows]
    assert {"tv_complement", "discriminative", "predictive"} <= set(metrics)
    assert report.info["n_real"] == n_real and report.info["n_synthetic"] == n_synthetic


def test_the_376_against_50_case_works():
    real, fake = pair(376, 50, 24, 3)
    with pytest.warns(UserWarning, match="random 50 of the real ones"):
        report = evaluate(real, fake, random_state=0, discriminative_steps=20,
                          predictive_steps=20)
    assert report.info["n_synthetic"] == 50


def test_unequal_counts_compare_a_random_subset_of_the_larger_side():
    # 300 real against 60 copies of real sequences: with the real side cut to 60 the
    # classifier sees balanced classes. Without the cut, calling everything "real" would
    # already score |300/360 - 0.5| = 0.33.
    real = make_sines(300, seq_len=8, n_features=2, random_state=0)
    with pytest.warns(UserWarning, match="using a random 60 of the real ones"):
        score = discriminative_score(real, real[:60], n_steps=200, random_state=0)
    assert score.mean < 0.2


def test_univariate_discriminative_score_sees_the_difference():
    # The protocol's d // 2 hidden units would be 0 for one feature: the GRU keeps 1. (At
    # lr 1e-3 a one-unit GRU can take over 1000 steps to leave chance; 1e-2 is quicker.)
    real = make_sines(400, seq_len=24, n_features=1, random_state=0)[..., 0]
    noise = np.random.default_rng(0).uniform(size=real.shape)
    other_sines = make_sines(400, seq_len=24, n_features=1, random_state=1)
    quick = dict(n_steps=400, lr=1e-2, random_state=0)
    assert discriminative_score(real, noise, **quick).mean > 0.4
    assert discriminative_score(real, other_sines, **quick).mean < 0.1


@pytest.mark.parametrize("metric", [discriminative_score, predictive_score,
                                    autocorrelation_error, evaluate])
def test_windows_of_different_lengths_are_refused_with_both_lengths(metric):
    real = make_sines(50, seq_len=12, n_features=2, random_state=0)
    fake = make_sines(50, seq_len=10, n_features=2, random_state=1)
    with pytest.raises(ValueError, match="12 time steps but synthetic ones have 10"):
        metric(real, fake)


def test_marginal_metrics_pool_steps_so_lengths_may_differ():
    real = make_sines(50, seq_len=12, n_features=2, random_state=0)
    fake = make_sines(50, seq_len=10, n_features=2, random_state=1)
    assert 0 < float(tv_complement(real, fake)) <= 1


def test_one_sequence_is_refused_by_the_protocols():
    real, fake = pair(1, 20, 8, 2)
    with pytest.raises(ValueError, match="at least 2 real and 2 synthetic"):
        discriminative_score(real, fake, **QUICK)


def test_tstr_on_small_sets():
    rng = np.random.default_rng(0)
    real = make_sines(6, seq_len=5, n_features=2, random_state=0)
    fake = make_sines(3, seq_len=5, n_features=2, random_state=1)
    labels = np.array([0, 1, 0, 1, 0, 1])
    result = tstr_score(real[:4], fake, real[4:], y_real_train=labels[:4],
                        y_synthetic=rng.permutation([0, 1, 0]), y_real_test=labels[4:])
    assert set(result.scores) == {"real", "synthetic", "real+synthetic"}

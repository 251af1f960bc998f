"""TimeGAN protocol (discriminative, predictive) and the synthesis scorers, with tiny runs."""

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

from skboltgan import BoltGANSynthesizer
from skboltgan.datasets import make_sines
from skboltgan.metrics import (autocorrelation_error, discriminative_score, kl_similarity,
                               make_synthesis_scorer, predictive_score, tv_complement)
from skboltgan.metrics._protocol import protocol_scale
from skboltgan.metrics._results import RepeatedScore
from skboltgan.preprocessing import TimeSeriesMinMaxScaler

FAST = dict(n_steps=80, batch_size=32, lr=0.05)  # few steps need a larger rate


@pytest.fixture
def real():
    return make_sines(120, seq_len=8, n_features=2, random_state=0)


# ---------------------------------------------------------------- scaling
def test_data_in_unit_interval_is_not_rescaled(real):
    scaled_real, scaled_synth = protocol_scale(real, real * 0.5)
    assert scaled_real is real
    np.testing.assert_array_equal(scaled_synth, real * 0.5)


def test_other_data_is_scaled_with_the_real_range():
    real = np.array([[[2.0, -1.0]], [[4.0, 1.0]]])
    _, synthetic = protocol_scale(real, np.array([[[3.0, 3.0]]]))
    np.testing.assert_allclose(synthetic, [[[0.5, 2.0]]])


# ---------------------------------------------------------------- discriminative
def test_discriminative_score_spots_shifted_data(real):
    assert discriminative_score(real, real + 0.5, random_state=0, **FAST).mean > 0.4


def test_discriminative_score_near_zero_for_the_same_data():
    real = make_sines(400, seq_len=8, n_features=2, random_state=0)
    # 160 held-out sequences: chance alone moves the accuracy by about 0.04.
    assert discriminative_score(real, real, random_state=0, **FAST).mean < 0.12


def test_discriminative_score_is_reproducible_and_leaves_global_rng_alone(real):
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    first = discriminative_score(real, real[:, ::-1], n_repeats=2, random_state=3, **FAST)
    second = discriminative_score(real, real[:, ::-1], n_repeats=2, random_state=3, **FAST)
    assert first.values == second.values
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.random.get_state()[1].tolist() == numpy_state[1].tolist()


def test_discriminative_score_restores_the_thread_count(real):
    threads = torch.get_num_threads()
    discriminative_score(real, real, n_steps=1)
    assert torch.get_num_threads() == threads


# ---------------------------------------------------------------- predictive
def test_predictive_score_is_worse_when_synthetic_breaks_the_target(real):
    broken = real.copy()
    broken[:, :, -1] = 1.0 - broken[:, :, -1]  # the target moves against the inputs
    result = predictive_score(real, broken, random_state=0, **FAST)
    assert result.mean > result.reference.mean + 0.05


def test_predictive_reference_can_be_skipped(real):
    assert predictive_score(real, real, reference=False, **FAST).reference is None


def test_predictive_score_handles_univariate_data(real):
    assert predictive_score(real[:, :, :1], real[:, :, :1], **FAST).mean > 0


# ---------------------------------------------------------------- repeats
def test_repeats_report_the_t_interval(real):
    result = discriminative_score(real, real[:, ::-1], n_repeats=3, random_state=0, **FAST)
    values = np.array(result.values)
    low, high = stats.t.interval(0.95, 2, loc=values.mean(), scale=stats.sem(values))
    assert result.ci95 == pytest.approx((high - low) / 2)
    assert len(values) == 3


def test_single_repeat_has_no_interval():
    assert np.isnan(RepeatedScore.from_values([0.1]).ci95)


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_bad_repeats_are_a_clear_error(real, bad):
    with pytest.raises(ValueError, match="n_repeats"):
        discriminative_score(real, real, n_repeats=bad, **FAST)


# ---------------------------------------------------------------- scorers
@pytest.fixture
def fitted(real, tiny_params):
    return BoltGANSynthesizer(**tiny_params, random_state=0).fit(real)


def test_scorer_compares_len_x_samples_with_the_fold(fitted, real):
    scorer = make_synthesis_scorer("tv_complement")
    expected = tv_complement(real, fitted.sample(len(real))).value
    assert scorer(fitted, real) == expected


def test_error_scorers_are_negated(fitted, real):
    scorer = make_synthesis_scorer("autocorrelation")
    assert scorer(fitted, real) == -autocorrelation_error(real, fitted.sample(len(real)))


def test_callable_metric_with_greater_is_better_false(fitted, real):
    scorer = make_synthesis_scorer(lambda r, s: 0.25, greater_is_better=False)
    assert scorer(fitted, real) == -0.25


def test_unknown_metric_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown synthesis metric"):
        make_synthesis_scorer("accuracy")


def test_synthesizer_score_is_kl_similarity(fitted, real):
    assert fitted.score(real) == kl_similarity(real, fitted.sample(len(real))).value


def test_scorer_on_a_pipeline_compares_in_the_transformed_space(real, tiny_params):
    pipe = Pipeline([("scale", TimeSeriesMinMaxScaler(feature_range=(-1, 1))),
                     ("gan", BoltGANSynthesizer(**tiny_params, random_state=0))]).fit(real)
    transformed = pipe[0].transform(real)
    expected = tv_complement(transformed, pipe[-1].sample(len(real))).value
    assert make_synthesis_scorer("tv_complement")(pipe, real) == expected


def test_grid_search_over_feedback_settings_with_several_scorers(real, tiny_params):
    scoring = {"tv": make_synthesis_scorer("tv_complement"),
               "acf": make_synthesis_scorer("autocorrelation"),
               "disc": make_synthesis_scorer("discriminative", n_steps=5, batch_size=16,
                                             random_state=0)}
    grid = {"feedback_interval": [None, 1], "feedback_strength": [0.1, 0.5]}
    search = GridSearchCV(BoltGANSynthesizer(**tiny_params, random_state=0), grid,
                          scoring=scoring, refit="tv", cv=KFold(2)).fit(real)
    tv = search.cv_results_["mean_test_tv"]
    assert search.best_index_ == int(np.argmax(tv))
    assert np.all(search.cv_results_["mean_test_acf"] <= 0)
    assert np.all((search.cv_results_["mean_test_disc"] <= 0)
                  & (search.cv_results_["mean_test_disc"] >= -0.5))

"""BoltGANOversampler: sampling strategies, shapes, seeds, pipelines and errors."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils._param_validation import InvalidParameterError

from skboltgan import BoltGANOversampler, BoltGANSynthesizer
from skboltgan._resampling import resolve_sampling_strategy
from skboltgan.datasets import make_sines

# 10 / 4 / 6 sequences: majority 0, minority 1.
THREE_CLASSES = np.array([0] * 10 + [1] * 4 + [2] * 6)


@pytest.fixture
def imbalanced():
    """40 majority and 12 minority sequences of 12 steps x 2 features."""
    return make_sines(52, seq_len=12, n_features=2, random_state=0), np.array([0] * 40 + [1] * 12)


@pytest.fixture
def oversampler(tiny_params):
    return BoltGANOversampler(synthesizer=BoltGANSynthesizer(**tiny_params), random_state=0)


def flatten(X):
    return X.reshape(len(X), -1)


# ------------------------------------------------------------------ strategy arithmetic
@pytest.mark.parametrize("strategy, expected", [
    ("auto", {1: 6, 2: 4}),
    ("not majority", {1: 6, 2: 4}),
    ("minority", {1: 6}),
    ("not minority", {0: 0, 2: 4}),
    ("all", {0: 0, 1: 6, 2: 4}),
    ({1: 8, 2: 6}, {1: 4, 2: 0}),
    (lambda y: {2: 9}, {2: 3}),
])
def test_strategy_counts_follow_imbalanced_learn(strategy, expected):
    assert resolve_sampling_strategy(strategy, THREE_CLASSES) == expected


def test_float_strategy_is_a_minority_to_majority_ratio():
    y = np.array([0] * 20 + [1] * 4)
    assert resolve_sampling_strategy(0.5, y) == {1: 6}


def test_strategy_ties_go_to_the_smallest_label():
    y = np.array([0] * 5 + [1] * 5 + [2] * 2)
    assert resolve_sampling_strategy("auto", y) == {1: 0, 2: 3}


@pytest.mark.parametrize("strategy, y, match", [
    ("auto", np.zeros(8), "only one class"),
    (0.5, THREE_CLASSES, "needs binary y"),
    (0.1, np.array([0] * 20 + [1] * 4), "increase it"),
    ({7: 20}, THREE_CLASSES, r"classes \[7\] that are not in y"),
    ({0: 5}, THREE_CLASSES, "fewer sequences than present"),
])
def test_bad_strategy_for_the_data_is_a_clear_error(strategy, y, match):
    with pytest.raises(ValueError, match=match):
        resolve_sampling_strategy(strategy, y)


@pytest.mark.parametrize("strategy", ["majority", "most", 1.5, 0])
def test_invalid_strategy_value_is_rejected_at_fit(imbalanced, oversampler, strategy):
    with pytest.raises(InvalidParameterError, match="sampling_strategy"):
        oversampler.set_params(sampling_strategy=strategy).fit_resample(*imbalanced)


# ------------------------------------------------------------------------ fit_resample
@pytest.mark.parametrize("strategy, counts", [
    ("auto", [40, 40]),
    ("minority", [40, 40]),
    ("not majority", [40, 40]),
    ("not minority", [40, 12]),
    ("all", [40, 40]),
    (0.5, [40, 20]),
    ({1: 30}, [40, 30]),
])
def test_fit_resample_class_counts(imbalanced, oversampler, strategy, counts):
    _, y_res = oversampler.set_params(sampling_strategy=strategy).fit_resample(*imbalanced)
    assert np.bincount(y_res).tolist() == counts


def test_fit_resample_keeps_originals_first_and_the_shape(imbalanced, oversampler):
    X, y = imbalanced
    X_res, y_res = oversampler.fit_resample(X, y)
    assert X_res.shape == (80, 12, 2)
    np.testing.assert_array_equal(X_res[:52], X)
    np.testing.assert_array_equal(y_res[52:], np.ones(28))


def test_univariate_2d_input_gives_2d_output(imbalanced, oversampler):
    X, y = imbalanced
    X_res, _ = oversampler.fit_resample(X[:, :, 0], y)
    assert X_res.shape == (80, 12)


def test_string_labels_keep_their_dtype(imbalanced, oversampler):
    X, y = imbalanced
    _, y_res = oversampler.fit_resample(X, np.where(y == 1, "fault", "ok"))
    assert y_res.dtype.kind == "U"
    assert (y_res == "fault").sum() == 40


def test_generated_sequences_stay_in_the_data_range(imbalanced, oversampler):
    X, y = imbalanced
    X_res, _ = oversampler.fit_resample(X, y)
    assert X.min() - 1e-9 <= X_res[52:].min() and X_res[52:].max() <= X.max() + 1e-9


def test_same_random_state_gives_identical_output(imbalanced, oversampler):
    first, _ = oversampler.fit_resample(*imbalanced)
    second, _ = clone(oversampler).fit_resample(*imbalanced)
    np.testing.assert_array_equal(first, second)


def test_different_random_state_gives_different_output(imbalanced, oversampler):
    first, _ = oversampler.fit_resample(*imbalanced)
    second, _ = clone(oversampler).set_params(random_state=1).fit_resample(*imbalanced)
    assert not np.allclose(first[52:], second[52:])


def test_conditional_fit_trains_one_labelled_synthesizer(imbalanced, oversampler):
    oversampler.fit_resample(*imbalanced)
    np.testing.assert_array_equal(oversampler.synthesizer_.classes_, [0, 1])
    assert oversampler.synthesizers_ == {}
    assert oversampler.sampling_strategy_ == {1: 28}


def test_synthesizer_parameter_is_cloned_not_fitted(imbalanced, oversampler):
    oversampler.fit_resample(*imbalanced)
    assert not hasattr(oversampler.synthesizer, "history_")
    assert oversampler.synthesizer_ is not oversampler.synthesizer


def test_per_class_mode_trains_one_synthesizer_per_oversampled_class(imbalanced, oversampler):
    X, y = imbalanced
    oversampler.set_params(conditional=False, sampling_strategy="all").fit_resample(X, y)
    assert list(oversampler.synthesizers_) == [1]  # the majority needs no new sequences
    assert oversampler.synthesizers_[1].classes_ is None
    assert oversampler.synthesizer_ is None


def test_per_class_mode_shrinks_the_batch_to_a_small_class(imbalanced, oversampler):
    X, y = imbalanced  # 12 minority sequences < batch_size 16
    oversampler.set_params(conditional=False).fit_resample(X, y)
    assert oversampler.synthesizers_[1].batch_size == 12


def test_nothing_to_generate_trains_nothing(oversampler):
    X = make_sines(32, seq_len=12, n_features=2, random_state=0)
    X_res, y_res = oversampler.fit_resample(X, np.repeat([0, 1], 16))
    assert X_res.shape == X.shape and len(y_res) == 32
    assert oversampler.synthesizer_ is None


def test_fit_resolves_the_strategy_without_training(imbalanced, oversampler):
    oversampler.fit(*imbalanced)
    assert oversampler.sampling_strategy_ == {1: 28}
    assert not hasattr(oversampler, "synthesizer_")


def test_continuous_targets_are_rejected(imbalanced, oversampler):
    X, _ = imbalanced
    with pytest.raises(ValueError, match="Unknown label type"):
        oversampler.fit_resample(X, np.linspace(0, 1, len(X)))


def test_one_class_only_is_a_clear_error(imbalanced, oversampler):
    X, _ = imbalanced
    with pytest.raises(ValueError, match="only one class"):
        oversampler.fit_resample(X, np.zeros(len(X)))


def test_wrong_rank_is_a_clear_error(oversampler):
    with pytest.raises(ValueError, match="must be 3D"):
        oversampler.fit_resample(np.zeros((4, 3, 2, 1)), [0, 1, 0, 1])


def test_length_mismatch_is_a_clear_error(imbalanced, oversampler):
    X, y = imbalanced
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        oversampler.fit_resample(X, y[:-1])


# ---------------------------------------------------------------- model selection
def test_works_in_an_imblearn_pipeline_with_a_classifier(imbalanced, oversampler):
    pipeline = pytest.importorskip("imblearn.pipeline")
    X, y = imbalanced
    model = pipeline.make_pipeline(oversampler, FunctionTransformer(flatten),
                                   LogisticRegression()).fit(X, y)
    assert model.predict(X).shape == (52,)  # the sampler acts in fit only
    assert model[0].sampling_strategy_ == {1: 28}


def test_cross_validate_and_grid_search_reach_synthesizer_settings(imbalanced, oversampler):
    pipeline = pytest.importorskip("imblearn.pipeline")
    X, y = imbalanced
    model = pipeline.make_pipeline(oversampler, FunctionTransformer(flatten),
                                   LogisticRegression())
    scores = cross_validate(model, X, y, cv=StratifiedKFold(2), scoring="roc_auc")
    assert np.isfinite(scores["test_score"]).all()
    grid = {"boltganoversampler__synthesizer__num_epochs": [1, 2],
            "boltganoversampler__conditional": [True, False]}
    search = GridSearchCV(model, grid, cv=StratifiedKFold(2), scoring="roc_auc").fit(X, y)
    assert len(search.cv_results_["params"]) == 4


def test_nested_parameters_are_exposed(oversampler):
    assert oversampler.get_params()["synthesizer__lstm_hidden"] == 8

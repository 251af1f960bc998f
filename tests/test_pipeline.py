"""The whole path in one Pipeline: raw series -> windows -> scaled -> synthesizer -> samples."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skboltgan import BoltGANSynthesizer
from skboltgan.datasets import load_stocks
from skboltgan.preprocessing import (
    SlidingWindowTransformer,
    TimeSeriesMinMaxScaler,
    sample_pipeline,
)

# Bigger batches than the shared tiny configuration: the full stock series gives ~3700
# windows, and three epochs of batch 128 keep this fit at about a second.
STOCK_GAN = dict(latent_dim=4, lstm_hidden=8, lstm_layers=1, num_epochs=3, batch_size=128)


def _window_pipeline(gan, window=8):
    return Pipeline([("window", SlidingWindowTransformer(window=window)),
                     ("scale", TimeSeriesMinMaxScaler()), ("gan", gan)])


@pytest.fixture(scope="module")
def stocks():
    return load_stocks()


@pytest.fixture(scope="module")
def stock_pipeline(stocks):
    return _window_pipeline(BoltGANSynthesizer(**STOCK_GAN, random_state=0)).fit(stocks)


class ConstantSynthesizer(BaseEstimator):
    """Stand-in synthesizer whose samples are all ``value``: a known answer to map back."""

    def __init__(self, value=1.0):
        self.value = value

    def fit(self, X, y=None):
        self.shape_ = np.shape(X)[1:]
        return self

    def sample(self, n_samples):
        return np.full((n_samples, *self.shape_), self.value)


class WindowRecorder(BaseEstimator):
    """Final step that remembers the first step of the windows seen in fit and in score."""

    def fit(self, X, y=None):
        self.fit_steps_ = set(X[:, :, 0].ravel().tolist())
        return self

    def score(self, X, y=None):
        self.score_steps_ = set(X[:, :, 0].ravel().tolist())
        return 0.0


class NoInverse(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X


# --------------------------------------------------------------- sampling
def test_stock_samples_land_in_stock_value_range(stock_pipeline, stocks):
    samples = sample_pipeline(stock_pipeline, 200)
    span = stocks.max(axis=0) - stocks.min(axis=0)
    assert samples.shape == (200, 8, 6)
    assert np.all(samples >= stocks.min(axis=0) - 1e-9 * span)
    assert np.all(samples <= stocks.max(axis=0) + 1e-9 * span)


def test_synthesizer_sees_pipeline_scaled_data_unchanged(stock_pipeline):
    # The pipeline scales to [0, 1]; the synthesizer's own affine map is then fitted on
    # exactly that range, so the two scalings compose into one exact affine map.
    internal = stock_pipeline["gan"].scaler_
    assert_allclose(internal.data_min_, 0.0, atol=1e-12)
    assert_allclose(internal.data_max_, 1.0, atol=1e-12)


def test_sample_pipeline_known_answer_through_every_step():
    series = np.column_stack([np.linspace(-3, 5, 40), np.linspace(100, 20, 40)])
    pipe = Pipeline([("standardise", StandardScaler()),
                     ("window", SlidingWindowTransformer(window=4)),
                     ("scale", TimeSeriesMinMaxScaler()),
                     ("gan", ConstantSynthesizer(value=1.0))]).fit(series)
    samples = sample_pipeline(pipe, 3)
    assert samples.shape == (3, 4, 2)
    assert_allclose(samples, np.broadcast_to(series.max(axis=0), (3, 4, 2)))


def test_sample_pipeline_passes_sample_params(stock_pipeline):
    first = sample_pipeline(stock_pipeline, 4, random_state=1)
    assert_array_equal(first, sample_pipeline(stock_pipeline, 4, random_state=1))


def test_sample_pipeline_needs_inverse_transform():
    pipe = Pipeline([("window", SlidingWindowTransformer(window=2)), ("odd", NoInverse()),
                     ("gan", ConstantSynthesizer())]).fit(np.zeros((5, 1)))
    with pytest.raises(TypeError, match="Step 'odd' .* has no inverse_transform"):
        sample_pipeline(pipe, 2)


def test_slice_idiom_stitches_samples_into_one_series(stock_pipeline):
    # Documented contrast: Pipeline.inverse_transform also undoes the windowing, so the
    # independent generated windows come back averaged into one series.
    samples = stock_pipeline["gan"].sample(10)
    assert stock_pipeline[:-1].inverse_transform(samples).shape == (10 + 8 - 1, 6)


# ------------------------------------------------------- cross-validation
def test_time_series_split_recipe_keeps_folds_apart():
    series = np.arange(60.0)[:, np.newaxis]  # value = time step
    pipe = Pipeline([("window", SlidingWindowTransformer(window=5)),
                     ("record", WindowRecorder())])
    result = cross_validate(pipe, series, cv=TimeSeriesSplit(n_splits=3),
                            return_estimator=True)
    for fitted in result["estimator"]:
        recorder = fitted["record"]
        assert max(recorder.fit_steps_) < min(recorder.score_steps_)


def test_grid_search_over_window_and_bolt_on_raw_series(tiny_params, stocks):
    pipe = _window_pipeline(BoltGANSynthesizer(**tiny_params, random_state=0))
    grid = {"gan__feedback_interval": [None, 1], "window__window": [6, 8]}
    search = GridSearchCV(pipe, grid, cv=TimeSeriesSplit(n_splits=2)).fit(stocks[:240])
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 4 and np.all((scores > 0) & (scores <= 1))
    best_window = search.best_params_["window__window"]
    assert sample_pipeline(search.best_estimator_, 3).shape == (3, best_window, 6)

"""Tests for the windowing and scaling transformers and the blocked window splitter."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils.estimator_checks import parametrize_with_checks

from skboltgan.model_selection import BlockedWindowSplit
from skboltgan.preprocessing import (
    SlidingWindowTransformer,
    TimeSeriesMinMaxScaler,
    TimeSeriesStandardScaler,
)

ROW_COUNT = ("SlidingWindowTransformer turns n_timesteps rows into "
             "(n_timesteps - window) // stride + 1 windows, so output rows never match input "
             "rows")
WINDOW_EXPECTED_FAILURES = {
    "check_transformer_general": ROW_COUNT,
    "check_transformer_data_not_an_array": ROW_COUNT,
    "check_methods_sample_order_invariance":
        "a window is a run of consecutive rows: permuting rows changes every window",
    "check_methods_subset_invariance":
        "windows span rows, so transforming a subset of rows (one row at a time) cannot give "
        "the corresponding subset of windows",
}


def _expected_failed_checks(estimator):
    if isinstance(estimator, SlidingWindowTransformer):
        return WINDOW_EXPECTED_FAILURES
    return {}


@pytest.fixture
def array_api_env(monkeypatch):
    # sklearn's array-API check (NumPy namespace only here) skips unless this is set.
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")


@parametrize_with_checks(
    [TimeSeriesMinMaxScaler(), TimeSeriesMinMaxScaler(feature_range=(-1, 1)),
     TimeSeriesStandardScaler(), SlidingWindowTransformer(window=3, stride=2)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible(estimator, check, array_api_env):
    check(estimator)


# ------------------------------------------------------------------ windows
def _time_index_series(n_timesteps, n_features=2, start=0):
    """Series whose value at step t is ``start + t`` (plus 0.5 in the second feature)."""
    t = np.arange(start, start + n_timesteps, dtype=float)[:, np.newaxis]
    return t + 0.5 * np.arange(n_features)


def test_windows_known_answer():
    series = _time_index_series(7, n_features=1)
    windows = SlidingWindowTransformer(window=3, stride=2).fit_transform(series)
    assert_array_equal(windows[..., 0], [[0, 1, 2], [2, 3, 4], [4, 5, 6]])


def test_windows_drop_unreached_trailing_steps():
    windows = SlidingWindowTransformer(window=3, stride=2).fit_transform(
        _time_index_series(8, n_features=1))
    assert windows[-1, -1, 0] == 6


def test_windows_never_cross_series():
    series = [_time_index_series(10), _time_index_series(6, start=100)]
    windows = SlidingWindowTransformer(window=4).fit_transform(series)
    steps = np.diff(windows[..., 0], axis=1)
    assert windows.shape == (7 + 3, 4, 2)
    assert_array_equal(steps, 1.0)  # a crossing window would jump from 9 to 100


def test_inverse_averages_overlaps():
    windows = np.array([[[1.0], [2.0]], [[3.0], [4.0]]])
    windower = SlidingWindowTransformer(window=2).fit(np.zeros((3, 1)))
    assert_array_equal(windower.inverse_transform(windows), [[1.0], [2.5], [4.0]])


def test_inverse_returns_list_for_list_fit():
    series = [_time_index_series(10), _time_index_series(6, start=100)]
    windower = SlidingWindowTransformer(window=4, stride=2)
    restored = windower.inverse_transform(windower.fit_transform(series))
    assert [r.tolist() for r in restored] == [s.tolist() for s in series]


def test_inverse_splits_by_given_series_lengths():
    windower = SlidingWindowTransformer(window=3).fit(np.zeros((5, 2)))
    windows = windower.transform([_time_index_series(4), _time_index_series(5, start=50)])
    restored = windower.inverse_transform(windows, series_lengths=[4, 5])
    assert_array_equal(restored[1], _time_index_series(5, start=50))


def test_inverse_rejects_wrong_series_lengths():
    windower = SlidingWindowTransformer(window=3).fit([np.zeros((5, 2)), np.zeros((4, 2))])
    with pytest.raises(ValueError, match="X has 2 windows, but series of lengths"):
        windower.inverse_transform(np.zeros((2, 3, 2)))


def test_inverse_rejects_windows_of_another_shape():
    windower = SlidingWindowTransformer(window=3).fit(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"shape \(n_windows, 3, 2\)"):
        windower.inverse_transform(np.zeros((4, 5, 2)))


@settings(max_examples=60, deadline=None)
@given(n_timesteps=st.integers(1, 40), n_features=st.integers(1, 4),
       window=st.integers(1, 10), stride=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_window_round_trip_is_exact(n_timesteps, n_features, window, stride, seed):
    stride = min(stride, window)  # larger strides leave gaps: see the next test
    n_timesteps = window + stride * ((max(n_timesteps, window) - window) // stride)
    series = np.random.default_rng(seed).standard_normal((n_timesteps, n_features))
    windower = SlidingWindowTransformer(window=window, stride=stride)
    assert_array_equal(windower.inverse_transform(windower.fit_transform(series)), series)


def test_steps_between_windows_come_back_as_nan():
    windower = SlidingWindowTransformer(window=2, stride=3)
    series = _time_index_series(5, n_features=1)
    restored = windower.inverse_transform(windower.fit_transform(series))
    assert_array_equal(restored[:, 0], [0.0, 1.0, np.nan, 3.0, 4.0])


@settings(max_examples=60, deadline=None)
@given(lengths=st.lists(st.integers(5, 30), min_size=1, max_size=4),
       window=st.integers(1, 5), stride=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_windows_survive_stitching(lengths, window, stride, seed):
    rng = np.random.default_rng(seed)
    windower = SlidingWindowTransformer(window=window, stride=stride)
    windows = windower.fit_transform([rng.standard_normal((n, 3)) for n in lengths])
    restitched = windower.transform(windower.inverse_transform(windows))
    assert_array_equal(restitched, windows)


def test_dataframe_feature_names_kept():
    frame = pd.DataFrame(_time_index_series(6), columns=["price", "volume"])
    windower = SlidingWindowTransformer(window=3).fit(frame)
    assert windower.feature_names_in_.tolist() == ["price", "volume"]
    assert windower.get_feature_names_out().tolist() == ["price", "volume"]


def test_pandas_output_keeps_windows_as_array():
    frame = pd.DataFrame(_time_index_series(6), columns=["price", "volume"])
    windows = SlidingWindowTransformer(window=3).set_output(transform="pandas").fit_transform(
        frame)
    assert isinstance(windows, np.ndarray) and windows.shape == (4, 3, 2)


def test_error_series_shorter_than_window():
    with pytest.raises(ValueError, match="Series 1 has 3 time steps .* fewer than window=4"):
        SlidingWindowTransformer(window=4).fit([np.zeros((5, 2)), np.zeros((3, 2))])


def test_error_stride_below_one():
    with pytest.raises(ValueError, match="'stride' parameter .* range \\[1, inf\\)"):
        SlidingWindowTransformer(stride=0).fit(np.zeros((30, 2)))


def test_error_mixed_feature_counts():
    with pytest.raises(ValueError, match="Series 1 has 3 features, but the series before it"):
        SlidingWindowTransformer(window=2).fit([np.zeros((5, 2)), np.zeros((5, 3))])


def test_error_three_d_input_is_not_a_series():
    with pytest.raises(ValueError, match="3D input is already windows"):
        SlidingWindowTransformer(window=2).fit(np.zeros((4, 5, 2)))


# ------------------------------------------------------------------ scalers
def test_minmax_known_answer_3d_pools_sequences_and_steps():
    X = np.array([[[0.0, 1.0], [2.0, 1.0]], [[4.0, 1.0], [8.0, 1.0]]])
    scaled = TimeSeriesMinMaxScaler(feature_range=(-1, 1)).fit_transform(X)
    assert_allclose(scaled[..., 0], [[-1.0, -0.5], [0.0, 1.0]])


def test_standard_known_answer():
    X = np.array([[1.0], [3.0], [5.0], [7.0]])  # mean 4, population std sqrt(5)
    scaler = TimeSeriesStandardScaler().fit(X)
    assert_allclose(scaler.transform([[9.0]]), [[5 / np.sqrt(5)]])


@pytest.mark.parametrize("scaler, expected", [(TimeSeriesMinMaxScaler(), 0.0),
                                              (TimeSeriesStandardScaler(), 0.0)])
def test_constant_feature_is_shifted_not_divided(scaler, expected):
    X = np.column_stack([np.full(5, 7.0), np.arange(5.0)])
    assert_array_equal(scaler.fit_transform(X)[:, 0], expected)


@pytest.mark.parametrize("Scaler", [TimeSeriesMinMaxScaler, TimeSeriesStandardScaler])
def test_nan_ignored_in_fit_and_passed_through(Scaler):
    X = np.array([[0.0], [np.nan], [2.0], [4.0]])
    with_nan = Scaler().fit(X).transform(X)
    without_nan = Scaler().fit(X[[0, 2, 3]]).transform(X[[0, 2, 3]])
    assert np.isnan(with_nan[1, 0])
    assert_allclose(with_nan[[0, 2, 3]], without_nan)


@pytest.mark.parametrize("Scaler", [TimeSeriesMinMaxScaler, TimeSeriesStandardScaler])
def test_all_nan_feature_is_a_clear_error(Scaler):
    X = np.column_stack([np.arange(4.0), np.full(4, np.nan)])
    with pytest.raises(ValueError, match=r"Features \[1\] are NaN everywhere"):
        Scaler().fit(X)


@pytest.mark.parametrize("Scaler", [TimeSeriesMinMaxScaler, TimeSeriesStandardScaler])
def test_3d_statistics_equal_2d_table_statistics(Scaler):
    X = np.random.default_rng(0).standard_normal((6, 5, 3))
    on_windows = Scaler().fit(X).transform(X)
    on_table = Scaler().fit(X.reshape(-1, 3)).transform(X.reshape(-1, 3))
    assert_allclose(on_windows.reshape(-1, 3), on_table)


@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=2, max_size=3),
       scale=st.floats(1e-3, 1e3), seed=st.integers(0, 2**16),
       use_standard=st.booleans())
def test_scaler_round_trip(shape, scale, seed, use_standard):
    X = scale * np.random.default_rng(seed).standard_normal(shape)
    scaler = TimeSeriesStandardScaler() if use_standard else TimeSeriesMinMaxScaler()
    restored = scaler.inverse_transform(scaler.fit_transform(X))
    assert restored.shape == X.shape
    assert_allclose(restored, X, rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.parametrize("Scaler", [TimeSeriesMinMaxScaler, TimeSeriesStandardScaler])
def test_pandas_output_on_2d(Scaler):
    frame = pd.DataFrame({"price": [1.0, 2.0, 4.0], "volume": [10.0, 30.0, 20.0]})
    out = Scaler().set_output(transform="pandas").fit_transform(frame)
    assert isinstance(out, pd.DataFrame) and out.columns.tolist() == ["price", "volume"]


@pytest.mark.parametrize("Scaler", [TimeSeriesMinMaxScaler, TimeSeriesStandardScaler])
def test_pandas_output_leaves_3d_as_array(Scaler):
    out = Scaler().set_output(transform="pandas").fit_transform(np.ones((2, 3, 4)))
    assert isinstance(out, np.ndarray) and out.shape == (2, 3, 4)


def test_minmax_rejects_reversed_range():
    with pytest.raises(ValueError, match="min < max"):
        TimeSeriesMinMaxScaler(feature_range=(1, 0)).fit(np.zeros((3, 1)))


# --------------------------------------------------------- blocked splitting
def _window_steps(windows, indices):
    """Time steps (read from a time-index series) covered by the given windows."""
    return set(windows[indices, :, 0].ravel().tolist())


@pytest.mark.parametrize("window, stride", [(5, 1), (6, 4), (3, 3)])
def test_blocked_split_shares_no_time_step(window, stride):
    windows = SlidingWindowTransformer(window=window, stride=stride).fit_transform(
        _time_index_series(120, n_features=1))
    splitter = BlockedWindowSplit(n_splits=4, window=window, stride=stride)
    for train, test in splitter.split(windows):
        assert not _window_steps(windows, train) & _window_steps(windows, test)


def test_blocked_split_purges_only_overlapping_windows():
    train, test = next(BlockedWindowSplit(n_splits=2, window=4).split(np.zeros((20, 4, 1))))
    assert_array_equal(test, np.arange(10))
    assert_array_equal(train, np.arange(13, 20))  # windows 10..12 overlap window 9


def test_blocked_split_validates_every_window_once():
    folds = [test for _, test in BlockedWindowSplit(n_splits=3, window=2).split(np.zeros(11))]
    assert_array_equal(np.concatenate(folds), np.arange(11))


def test_blocked_split_without_training_windows_is_an_error():
    with pytest.raises(ValueError, match="leave no training windows"):
        list(BlockedWindowSplit(n_splits=2, window=24).split(np.zeros(20)))

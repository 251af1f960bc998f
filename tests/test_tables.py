"""Tables end to end: TableEncoder, categorical features, missing values, TableSynthesizer."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from skboltgan import BoltGANSynthesizer, TableSynthesizer
from skboltgan._networks import LSTMGenerator
from skboltgan.datasets import load_nyc_weather
from skboltgan.preprocessing import TableEncoder

TINY = dict(latent_dim=4, lstm_hidden=8, lstm_layers=1, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def weather():
    """Two weeks of the bundled real table: 3 airports, text columns, recorded gaps."""
    table = load_nyc_weather()
    return table[table["time_hour"] < "2013-05-15"].reset_index(drop=True)


@pytest.fixture(scope="module")
def encoder(weather):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # its few 2-hour steps
        return TableEncoder(time_column="time_hour", id_column="origin").fit(weather)


# ------------------------------------------------------------------ TableEncoder
def test_encoder_finds_what_each_column_is(encoder):
    assert encoder.numeric_columns_ == ["temp", "pressure"]
    assert encoder.categorical_columns_ == ["wind", "sky"]
    assert encoder.missing_columns_ == ["pressure"]
    assert encoder.time_step_ == pd.Timedelta("1h")
    assert list(encoder.get_feature_names_out()) == ["temp", "pressure", "wind", "sky",
                                                     "pressure__missing"]
    assert encoder.categorical_features_.tolist() == [2, 3, 4]
    assert list(encoder.categories_["sky"]) == ["dry", "rain"]
    assert pd.isna(encoder.categories_["wind"][-1])  # a missing label is a category


def test_encoder_splits_series_by_id_and_sorts_by_time(weather, encoder):
    shuffled = weather.sample(frac=1.0, random_state=0)
    series = encoder.transform(shuffled)
    order = list(shuffled["origin"].unique())  # series come in order of first appearance
    assert [len(s) for s in series] == [int((weather["origin"] == o).sum()) for o in order]
    ewr = weather[weather["origin"] == "EWR"]
    np.testing.assert_array_equal(series[order.index("EWR")][:, 0], ewr["temp"].to_numpy())


def test_encoded_series_have_no_gaps_and_flag_them(weather, encoder):
    series = encoder.transform(weather)[0]
    ewr = weather[weather["origin"] == "EWR"]
    assert not np.isnan(series).any()
    np.testing.assert_array_equal(series[:, 4], ewr["pressure"].isna().to_numpy(float))


def test_decoding_encoded_windows_gives_back_the_table(weather, encoder):
    series = encoder.transform(weather)[0]
    window = 24
    n = len(series) // window
    windows = series[:n * window].reshape(n, window, -1)
    decoded = encoder.inverse_transform(windows)
    original = weather[weather["origin"] == "EWR"].iloc[:n * window].reset_index(drop=True)
    assert list(decoded.columns) == list(weather.columns)
    assert (decoded.dtypes[["temp", "pressure", "wind", "sky"]]
            == weather.dtypes[["temp", "pressure", "wind", "sky"]]).all()
    pd.testing.assert_series_equal(decoded["pressure"], original["pressure"])
    pd.testing.assert_series_equal(decoded["wind"], original["wind"], check_dtype=False)
    assert decoded["origin"].nunique() == n  # each window is a series of its own


def test_decoded_timestamps_start_at_the_data_and_step_by_its_spacing(encoder):
    decoded = encoder.inverse_transform(np.zeros((2, 3, 5)))
    times = pd.to_datetime(decoded["time_hour"])
    assert times.iloc[0] == pd.Timestamp("2013-05-01 04:00", tz="UTC")
    assert (times.diff().iloc[1:3] == pd.Timedelta("1h")).all()


def test_integer_columns_come_back_as_integers():
    table = pd.DataFrame({"count": [1, 2, 3, 4], "level": [0.5, 1.5, 2.5, np.nan]})
    encoder = TableEncoder().fit(table)
    decoded = encoder.inverse_transform(encoder.transform(table)[0][np.newaxis])
    assert decoded["count"].dtype == np.int64
    assert decoded["count"].tolist() == [1, 2, 3, 4]
    assert np.isnan(decoded["level"].iloc[3])


def test_listed_integer_column_is_categorical():
    table = pd.DataFrame({"state": [0, 2, 2, 5], "x": [1.0, 2.0, 3.0, 4.0]})
    encoder = TableEncoder(categorical_columns=["state"]).fit(table)
    assert encoder.categorical_columns_ == ["state"]
    assert encoder.categories_["state"].tolist() == [0, 2, 5]


def test_impute_fills_gaps_without_indicators(weather):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        encoder = TableEncoder(time_column="time_hour", id_column="origin",
                               missing_values="impute").fit(weather)
    assert encoder.missing_columns_ == []
    decoded = encoder.inverse_transform(encoder.transform(weather)[0][np.newaxis, :48])
    assert not decoded["pressure"].isna().any()


def test_duplicate_timestamps_are_refused():
    table = pd.DataFrame({"t": ["2024-01-01", "2024-01-02", "2024-01-02"], "x": [1., 2, 3]})
    with pytest.raises(ValueError, match=r"Rows \[1, 2\] share the timestamp.*id_column"):
        TableEncoder(time_column="t").fit(table)


def test_uneven_time_steps_are_warned_about():
    table = pd.DataFrame({"t": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-07"],
                          "x": [1.0, 2.0, 3.0, 4.0]})
    with pytest.warns(UserWarning, match="1 of 3 steps in 't' differ from its median"):
        TableEncoder(time_column="t").fit(table)


def test_unreadable_timestamps_are_named():
    table = pd.DataFrame({"t": ["2024-01-01", "soon"], "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="time_column 't' cannot be read as datetimes"):
        TableEncoder(time_column="t").fit(table)


def test_a_column_missing_everywhere_is_refused():
    table = pd.DataFrame({"x": [1.0, 2.0], "y": [np.nan, np.nan]})
    with pytest.raises(ValueError, match="Column 'y' is missing in every row"):
        TableEncoder().fit(table)


def test_a_column_missing_throughout_one_series_is_refused():
    table = pd.DataFrame({"id": ["a", "a", "b", "b"], "x": [1.0, 2.0, np.nan, np.nan]})
    encoder = TableEncoder(id_column="id").fit(table)
    with pytest.raises(ValueError, match="missing throughout series 'b'"):
        encoder.transform(table)


def test_unseen_labels_are_refused_at_transform():
    encoder = TableEncoder().fit(pd.DataFrame({"c": ["a", "b"], "x": [1.0, 2.0]}))
    with pytest.raises(ValueError, match=r"labels not seen in fit: \['z'\]"):
        encoder.transform(pd.DataFrame({"c": ["a", "z"], "x": [1.0, 2.0]}))


def test_not_a_dataframe_is_refused_with_the_fix():
    with pytest.raises(TypeError, match="needs a pandas DataFrame"):
        TableEncoder().fit(np.zeros((3, 2)))


# ---------------------------------------------------- categorical features, the networks
def test_generator_emits_exact_one_hot_groups_with_gradients():
    generator = LSTMGenerator(4, 6, 2 + 3 + 2, 8, 1, 0.0, noise_dim=2,
                              categorical_sizes=(3, 2))
    z, noise = generator.draw_noise(16, torch.Generator().manual_seed(0))
    out = generator(z, None, noise)
    for group in (out[..., 2:5], out[..., 5:7]):
        assert set(group.unique().tolist()) <= {0.0, 1.0}
        torch.testing.assert_close(group.sum(-1), torch.ones(16, 6))
    (out[..., 2:5] * torch.arange(3.0)).sum().backward()
    assert generator.output.weight.grad.abs().sum() > 0  # straight-through gradient


def category_data(n=256, seq_len=8, seed=0):
    """A numeric feature driven by a 3-state categorical one with frequencies .6/.3/.1."""
    rng = np.random.default_rng(seed)
    codes = rng.choice([10.0, 20.0, 30.0], size=(n, 1), p=[0.6, 0.3, 0.1])
    codes = np.repeat(codes, seq_len, axis=1)
    level = (codes - 20.0) / 10.0 + 0.1 * rng.standard_normal((n, seq_len))
    return np.stack([level, codes], axis=2)


@pytest.fixture(scope="module")
def categorical_gan():
    X = category_data()
    return X, BoltGANSynthesizer(**TINY, num_epochs=80, categorical_features=[1]).fit(X)


def test_categorical_feature_only_holds_values_seen_in_fit(categorical_gan):
    _, gan = categorical_gan
    samples = gan.sample(500, random_state=0)
    assert set(np.unique(samples[..., 1])) <= {10.0, 20.0, 30.0}
    assert [c.tolist() for c in gan.categories_] == [[10.0, 20.0, 30.0]]


def test_categorical_frequencies_come_close_to_the_real_ones(categorical_gan):
    X, gan = categorical_gan
    samples = gan.sample(1000, random_state=0)
    real = np.array([np.mean(X[..., 1] == v) for v in (10.0, 20.0, 30.0)])
    fake = np.array([np.mean(samples[..., 1] == v) for v in (10.0, 20.0, 30.0)])
    assert 0.5 * np.abs(real - fake).sum() < 0.15, (real, fake)


def test_categorical_sampling_is_reproducible_and_leaves_torch_rng_alone(categorical_gan):
    _, gan = categorical_gan
    state = torch.random.get_rng_state()
    first = gan.sample(50, random_state=3)
    assert torch.equal(torch.random.get_rng_state(), state)
    np.testing.assert_array_equal(first, gan.sample(50, random_state=3))


def test_categorical_model_survives_save_and_load(categorical_gan, tmp_path):
    _, gan = categorical_gan
    gan.save(tmp_path / "m.npz")
    loaded = BoltGANSynthesizer.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.sample(20, random_state=1),
                                  gan.sample(20, random_state=1))


@pytest.mark.parametrize("value, match", [([5], "must index the 2 features"),
                                          ([1, 1], "lists a feature twice"),
                                          ([True], "one entry per feature"),
                                          ([0.5], "list of feature indices")])
def test_bad_categorical_features_are_refused(value, match):
    with pytest.raises(ValueError, match=match):
        BoltGANSynthesizer(**TINY, num_epochs=1, categorical_features=value).fit(
            category_data(64))


# ------------------------------------------------------------------ TableSynthesizer
@pytest.fixture(scope="module")
def table_model(weather):
    synthesizer = BoltGANSynthesizer(**TINY, num_epochs=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return TableSynthesizer(synthesizer, window=12, stride=4, time_column="time_hour",
                                id_column="origin").fit(weather)


def test_table_samples_have_the_columns_dtypes_and_labels_of_the_table(weather,
                                                                        table_model):
    samples = table_model.sample(40, random_state=0)
    assert list(samples.columns) == list(weather.columns)
    assert samples.shape == (40 * 12, weather.shape[1])
    for name in ("temp", "pressure", "wind", "sky"):
        assert samples[name].dtype == weather[name].dtype
    assert set(samples["wind"].dropna()) <= set(weather["wind"].dropna())
    assert set(samples["sky"]) <= {"dry", "rain"}
    assert samples["origin"].nunique() == 40


def test_the_synthesizer_treats_codes_and_indicators_as_categorical(table_model):
    assert table_model.synthesizer_.categorical_features == [2, 3, 4]


def test_table_model_survives_save_and_load(table_model, tmp_path):
    table_model.save(tmp_path / "table.npz")
    loaded = TableSynthesizer.load(tmp_path / "table.npz")
    pd.testing.assert_frame_equal(loaded.sample(5, random_state=2),
                                  table_model.sample(5, random_state=2))
    assert list(loaded.feature_names_in_) == list(table_model.feature_names_in_)


def test_a_window_model_file_is_not_loaded_as_a_table(tmp_path, categorical_gan):
    categorical_gan[1].save(tmp_path / "w.npz")
    with pytest.raises(ValueError, match="load it with BoltGANSynthesizer.load"):
        TableSynthesizer.load(tmp_path / "w.npz")


def test_a_window_with_no_data_at_all_is_refused():
    table = pd.DataFrame({"x": [1.0, 2, np.nan, np.nan, np.nan, 3, 4, 5],
                          "c": ["a", "b", None, None, None, "a", "b", "a"]})
    with pytest.raises(ValueError, match="3 consecutive rows with every value missing"):
        TableSynthesizer(BoltGANSynthesizer(**TINY, num_epochs=1), window=3).fit(table)


def test_series_shorter_than_the_window_are_named():
    table = pd.DataFrame({"id": ["a"] * 10 + ["b"] * 3, "x": np.arange(13.0)})
    with pytest.raises(ValueError, match="1 of 2 series have fewer rows than window=5"):
        TableSynthesizer(BoltGANSynthesizer(**TINY, num_epochs=1), window=5,
                         id_column="id").fit(table)

"""The ``skboltgan`` command line, driven as a user would: ``python -m skboltgan ...``.

The happy paths and the error contract (one line on stderr, non-zero exit, no traceback) run
in a subprocess; the many small input errors are checked through ``main(argv)`` in-process,
which is the same code path without paying the torch import once per case.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skboltgan.cli import CommandError, _epochs, load_sequences, main

REPO = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TINY = dict(latent_dim=4, lstm_hidden=8, lstm_layers=1, num_epochs=2, batch_size=16)
SEQ_LEN, N_STEPS = 12, 120


def run_cli(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "skboltgan", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def series(n_steps=N_STEPS):
    t = np.arange(n_steps)
    return np.c_[np.sin(t / 5), np.cos(t / 7)]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    write_csv(root / "series.csv", ["a", "b"], series().tolist())
    (root / "tiny.json").write_text(json.dumps(TINY))
    return root


@pytest.fixture(scope="module")
def fitted(workdir):
    """Fit once through the CLI; the sample and evaluate tests reuse the model."""
    result = run_cli("fit", "series.csv", "--out", "model.npz", "--seq-len", SEQ_LEN,
                     "--config", "tiny.json", "--random-state", 0, cwd=workdir)
    assert result.returncode == 0, result.stderr
    return workdir, result


def _one_error_line(stderr):
    lines = stderr.strip().splitlines()
    return len(lines) == 1 and "Traceback" not in stderr


# ------------------------------------------------------------------ fit, sample, evaluate
def test_fit_writes_a_model_fitted_on_the_windows(fitted):
    from skboltgan import BoltGANSynthesizer

    workdir, _ = fitted
    model = BoltGANSynthesizer.load(workdir / "model.npz")
    assert (model.seq_len_, model.n_features_in_, model.num_epochs) == (SEQ_LEN, 2, 2)


@pytest.mark.parametrize("text, epochs", [("auto", "auto"), ("3", 3)])
def test_epochs_option_takes_a_count_or_auto(text, epochs):
    assert _epochs(text) == epochs


def test_epochs_option_refuses_other_words():
    with pytest.raises(argparse.ArgumentTypeError, match="'many' is not an integer"):
        _epochs("many")


def test_fit_reports_the_number_of_windows(fitted):
    _, result = fitted
    assert f"{N_STEPS - SEQ_LEN + 1} sequences of {SEQ_LEN} steps x 2 features" in result.stdout


def test_fit_with_validation_reports_the_kept_epoch(workdir):
    result = run_cli("fit", "series.csv", "--out", "validated.npz", "--seq-len", SEQ_LEN,
                     "--config", "tiny.json", "--validation-fraction", 0.2,
                     "--early-stopping", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "Kept epoch" in result.stdout and "validation score" in result.stdout
    from skboltgan import BoltGANSynthesizer
    model = BoltGANSynthesizer.load(workdir / "validated.npz")
    assert model.validation_fraction == 0.2 and model.early_stopping
    assert model.best_epoch_ is not None


def test_fit_max_time_stops_after_the_first_epoch(workdir):
    (workdir / "long.json").write_text(json.dumps(dict(TINY, num_epochs=500)))
    result = run_cli("fit", "series.csv", "--out", "timed.npz", "--seq-len", SEQ_LEN,
                     "--config", "long.json", "--max-time", 0.001, cwd=workdir)
    assert result.returncode == 0, result.stderr
    from skboltgan import BoltGANSynthesizer
    assert len(BoltGANSynthesizer.load(workdir / "timed.npz").history_) == 1


def test_too_little_data_for_validation_is_one_line(workdir):
    result = run_cli("fit", "series.csv", "--out", "x.npz", "--seq-len", 100,
                     "--config", "tiny.json", "--validation-fraction", 0.4, cwd=workdir)
    assert result.returncode == 1
    assert "validation_fraction" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def sampled(fitted):
    """The same 40 sequences (same seed) written once as .npy and once as .csv."""
    workdir, _ = fitted
    for out in ("synth.npy", "synth.csv"):
        result = run_cli("sample", "model.npz", "-n", 40, "--out", out, "--random-state", 3,
                         cwd=workdir)
        assert result.returncode == 0, result.stderr
    with open(workdir / "synth.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    return workdir, np.load(workdir / "synth.npy"), rows


def test_sample_writes_npy_windows(sampled):
    _, windows, _ = sampled
    assert windows.shape == (40, SEQ_LEN, 2)


def test_sample_csv_has_sequence_and_step_columns(sampled):
    _, _, rows = sampled
    table = np.array(rows[1:], dtype=float)
    assert rows[0] == ["sequence", "step", "a", "b"]  # the fitted CSV's header
    np.testing.assert_array_equal(table[:, 0], np.repeat(np.arange(40), SEQ_LEN))
    np.testing.assert_array_equal(table[:, 1], np.tile(np.arange(SEQ_LEN), 40))


def test_sample_csv_holds_the_same_values_as_npy(sampled):
    _, windows, rows = sampled
    values = np.array(rows[1:], dtype=float)[:, 2:]
    np.testing.assert_array_equal(values.reshape(40, SEQ_LEN, 2), windows)


def test_evaluate_writes_json_report_and_plots(sampled):
    workdir, _, _ = sampled
    result = run_cli("evaluate", "series.csv", "synth.csv", "--report", "report.json",
                     "--plots", "plots", "--quick", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads((workdir / "report.json").read_text()), dict)
    pngs = sorted(p.name for p in (workdir / "plots").glob("*.png"))
    assert pngs == ["embedding.png", "marginals.png", "samples.png"]
    assert all((workdir / "plots" / p).read_bytes()[:8] == PNG_SIGNATURE for p in pngs)


# ---------------------------------------------------------------------------------- demo
def test_demo_writes_data_report_and_plots(workdir):
    out = workdir / "demo"
    result = run_cli("demo", "--output", out, "--config", "tiny.json", "--epochs", 1,
                     "--max-sequences", 64, "--quick", cwd=workdir)
    assert result.returncode == 0, result.stderr
    names = {p.name for p in out.iterdir()}
    assert {"model.npz", "synthetic.npy", "synthetic.csv", "report.json", "history.json",
            "history.png", "samples.png", "embedding.png", "marginals.png"} <= names
    assert np.load(out / "synthetic.npy").shape == (64, 24, 6)
    assert str(out / "report.json") in result.stdout


# ---------------------------------------------------------------------------- error paths
def test_missing_file_is_one_line_and_exit_1(workdir):
    result = run_cli("fit", "nowhere.csv", "--out", "m.npz", cwd=workdir)
    assert result.returncode == 1
    assert _one_error_line(result.stderr)
    assert "nowhere.csv: no such file" in result.stderr


def test_debug_lets_the_exception_through(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        main(["fit", str(tmp_path / "nowhere.csv"), "--out", "m.npz", "--debug"])


def _error(capsys, *argv):
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert _one_error_line(err), err
    return code, err


def test_stray_text_in_a_numeric_column_names_line_and_column(tmp_path, capsys):
    rows = [[i, i / 2] for i in range(30)]
    rows[1][1] = "oops"
    path = write_csv(tmp_path / "bad.csv", ["x", "y"], rows)
    code, err = _error(capsys, "fit", path, "--out", tmp_path / "m.npz")
    assert code == 1
    assert "line 3: column 'y' has the non-numeric value 'oops' among numbers" in err


def test_ragged_csv_row_is_refused(tmp_path, capsys):
    path = write_csv(tmp_path / "bad.csv", ["x", "y"], [[1, 2], [3]])
    code, err = _error(capsys, "fit", path, "--out", tmp_path / "m.npz")
    assert (code, "line 3: 1 fields but the header has 2" in err) == (1, True)


def test_csv_row_with_too_many_fields_is_refused(tmp_path, capsys):
    path = write_csv(tmp_path / "bad.csv", ["x", "y"], [[1, 2], [3, 4, 5]])
    code, err = _error(capsys, "fit", path, "--out", tmp_path / "m.npz")
    assert (code, "line 3: 3 fields but the header has 2" in err) == (1, True)


def test_unknown_column_is_refused(workdir, capsys):
    code, err = _error(capsys, "fit", workdir / "series.csv", "--out", "m.npz",
                       "--columns", "zz")
    assert (code, "no column(s) ['zz']" in err) == (1, True)


def test_four_dimensional_npy_is_refused(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((2, 3, 4, 5)))
    code, err = _error(capsys, "fit", tmp_path / "x.npy", "--out", tmp_path / "m.npz")
    assert (code, "shape (2, 3, 4, 5)" in err) == (1, True)


def test_series_shorter_than_seq_len_is_refused(workdir, capsys):
    code, err = _error(capsys, "fit", workdir / "series.csv", "--out", "m.npz",
                       "--seq-len", N_STEPS + 1)
    assert (code, "fewer rows than window=121" in err and "--seq-len" in err) == (1, True)


def test_unknown_config_parameter_is_refused(tmp_path, workdir, capsys):
    (tmp_path / "p.json").write_text('{"hidden": 8}')
    code, err = _error(capsys, "fit", workdir / "series.csv", "--out", tmp_path / "m.npz",
                       "--config", tmp_path / "p.json")
    assert (code, "unknown parameter(s) ['hidden']" in err) == (1, True)


def test_invalid_parameter_value_is_one_line(tmp_path, workdir, capsys):
    (tmp_path / "p.json").write_text('{"lstm_hidden": -3}')
    code, err = _error(capsys, "fit", workdir / "series.csv", "--out", tmp_path / "m.npz",
                       "--config", tmp_path / "p.json")
    assert (code, "lstm_hidden" in err) == (1, True)


def test_evaluate_with_mismatched_features_is_refused(tmp_path, workdir, capsys):
    np.save(tmp_path / "synth.npy", np.zeros((10, SEQ_LEN, 3)))
    code, err = _error(capsys, "evaluate", workdir / "series.csv", tmp_path / "synth.npy")
    assert (code, "real sequences are (12, 2)" in err) == (1, True)


def test_sample_to_an_unknown_format_is_refused(fitted, capsys):
    workdir, _ = fitted
    code, err = _error(capsys, "sample", workdir / "model.npz", "-n", 3,
                       "--out", workdir / "out.parquet")
    assert (code, "must end in .npy or .csv" in err) == (1, True)


def test_a_file_that_is_not_a_model_is_refused(workdir, capsys):
    code, err = _error(capsys, "sample", workdir / "series.csv", "-n", 3,
                       "--out", workdir / "x.npy")
    assert (code, "not a readable skboltgan model file" in err) == (1, True)


# ------------------------------------------------------------------------------- loading
def test_csv_series_is_cut_into_sliding_windows(tmp_path):
    path = write_csv(tmp_path / "s.csv", ["a", "b"], [[i, 10 * i] for i in range(6)])
    X, names = load_sequences(path, seq_len=4, stride=2)
    expected = np.array([[[0, 0], [1, 10], [2, 20], [3, 30]],
                         [[2, 20], [3, 30], [4, 40], [5, 50]]], dtype=float)
    np.testing.assert_array_equal(X, expected)
    assert names == ["a", "b"]


def test_columns_select_features_in_the_given_order(tmp_path):
    rows = [["2020-01-0%d" % i, i, 10 * i] for i in range(1, 5)]
    path = write_csv(tmp_path / "s.csv", ["date", "a", "b"], rows)
    X, names = load_sequences(path, seq_len=4, columns=["b", "a"])
    np.testing.assert_array_equal(X[0], [[10, 1], [20, 2], [30, 3], [40, 4]])
    assert names == ["b", "a"]


def test_long_format_csv_is_read_as_sequences(tmp_path):
    rows = [[1, 1, 5.0], [0, 0, 1.0], [1, 0, 4.0], [0, 1, 2.0]]  # shuffled on purpose
    path = write_csv(tmp_path / "l.csv", ["sequence", "step", "v"], rows)
    X, _ = load_sequences(path, seq_len=99)
    np.testing.assert_array_equal(X, [[[1.0], [2.0]], [[4.0], [5.0]]])


def test_univariate_npy_series_gets_one_feature(tmp_path):
    np.save(tmp_path / "u.npy", np.arange(10.0))
    X, _ = load_sequences(tmp_path / "u.npy", seq_len=8)
    assert X.shape == (3, 8, 1)


def test_evaluate_with_training_data_reports_memorization(tmp_path):
    windows = np.lib.stride_tricks.sliding_window_view(series(), SEQ_LEN, axis=0)
    train = windows.transpose(0, 2, 1)[:80]
    held_out = np.lib.stride_tricks.sliding_window_view(series(200)[120:], SEQ_LEN, axis=0)
    np.save(tmp_path / "train.npy", train)
    np.save(tmp_path / "held_out.npy", held_out.transpose(0, 2, 1))
    report = tmp_path / "report.json"
    # The "synthetic" data are the training windows themselves: the guard must fail them.
    assert main(["evaluate", str(tmp_path / "held_out.npy"), str(tmp_path / "train.npy"),
                 "--training", str(tmp_path / "train.npy"), "--quick",
                 "--report", str(report)]) == 0
    memorization = json.loads(report.read_text())["metrics"]["memorization"]
    assert memorization["passed"] is False and memorization["value"] == 0.0


# ------------------------------------------------------------------------------- tables
@pytest.fixture(scope="module")
def weather_run(tmp_path_factory):
    """The bundled real table (time, id, two text columns, gaps): fit, sample, evaluate."""
    from skboltgan.datasets import load_nyc_weather

    root = tmp_path_factory.mktemp("tables")
    table = load_nyc_weather()
    table[table["time_hour"] < "2013-05-15"].to_csv(root / "weather.csv", index=False)
    (root / "tiny.json").write_text(json.dumps(TINY))
    fit = run_cli("fit", "weather.csv", "--time-column", "time_hour", "--id-column", "origin",
                  "--seq-len", SEQ_LEN, "--config", "tiny.json", "--out", "weather.npz",
                  "--random-state", 0, cwd=root)
    assert fit.returncode == 0, fit.stderr
    sample = run_cli("sample", "weather.npz", "-n", 30, "--out", "synthetic.csv", cwd=root)
    assert sample.returncode == 0, sample.stderr
    evaluate = run_cli("evaluate", "weather.csv", "synthetic.csv", "--model", "weather.npz",
                       "--quick", "--report", "report.json", cwd=root)
    assert evaluate.returncode == 0, evaluate.stderr
    return root, fit, evaluate


def test_fit_reports_what_each_column_became(weather_run):
    _, fit, _ = weather_run
    line = next(x for x in fit.stdout.splitlines() if x.startswith("Columns:"))
    assert "time time_hour" in line and "id origin (3 series)" in line
    assert "numeric temp, pressure" in line and "categorical wind" in line
    assert "sky (2 labels)" in line and "missing values modelled: pressure" in line


def test_sampled_table_has_the_header_and_labels_of_the_real_one(weather_run):
    import pandas as pd

    root, _, _ = weather_run
    real = pd.read_csv(root / "weather.csv")
    synthetic = pd.read_csv(root / "synthetic.csv")
    assert list(synthetic.columns) == list(real.columns)
    assert (synthetic.dtypes[["temp", "pressure"]] == real.dtypes[["temp", "pressure"]]).all()
    assert set(synthetic["wind"].dropna()) <= set(real["wind"].dropna())
    assert set(synthetic["sky"]) <= set(real["sky"])
    assert len(synthetic) == 30 * SEQ_LEN


def test_table_report_scores_missing_values_and_categories(weather_run):
    root, _, evaluate = weather_run
    metrics = json.loads((root / "report.json").read_text())["metrics"]
    assert {"missing_rate_error", "category_frequency_error"} <= set(metrics)
    assert "missing_rate_error" in evaluate.stdout


def test_numeric_table_model_samples_npy_windows_too(fitted):
    workdir, _ = fitted
    assert main(["sample", str(workdir / "model.npz"), "-n", "4", "--out",
                 str(workdir / "few.npy")]) == 0
    assert np.load(workdir / "few.npy").shape == (4, SEQ_LEN, 2)

"""The ``skboltgan`` command line: fit, sample, evaluate and a demo on bundled data.

Run ``skboltgan --help`` (or ``python -m skboltgan --help``). Every failure the user can fix
(missing file, malformed CSV, wrong shapes, bad parameters) is reported as one line on stderr
with a non-zero exit code; ``--debug`` shows the traceback instead.

This is the only module of the package that prints.
"""

import argparse
import csv
import gzip
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

from ._persistence import atomic_path

__all__ = ["main"]

logger = logging.getLogger("skboltgan")

#: Names of the two index columns of a long-format CSV of sequences (``sample --out *.csv``).
INDEX_COLUMNS = ("sequence", "step")

#: Demo configuration: the package defaults (chosen by a measured search on these stock
#: windows; see docs/quality.rst) on one torch thread, which on a 2-core machine shared with
#: other work is the safe choice for a network this small (see docs/performance.rst).
DEMO_PARAMS = dict(n_threads=1)
DEMO_SEQ_LEN = 24


class CommandError(Exception):
    """A problem with the user's input; reported as one line, without a traceback."""


# --------------------------------------------------------------------------- reading data
def load_sequences(path, *, seq_len=None, stride=1, columns=None):
    """Read ``path`` as 3D sequences ``(n_sequences, seq_len, n_features)``.

    A ``.npy`` file holds a 3D array of windows, or a 2D ``(n_timesteps, n_features)`` (or
    1D) long series that is cut into windows of ``seq_len`` steps. A CSV (optionally
    ``.gz``) with a header row is a long series, or, when its first two columns are
    ``sequence,step`` (what ``skboltgan sample`` writes), sequences in long format.

    Returns
    -------
    X : ndarray of shape (n_sequences, seq_len, n_features)
    feature_names : list of str or None
    """
    path = _existing_file(path)
    if path.suffix == ".npy":
        if columns:
            raise CommandError("--columns applies to CSV files only; a .npy file has no "
                               "column names.")
        data, names = _read_npy(path), None
    elif path.name.endswith((".csv", ".csv.gz")):
        data, names = _read_csv(path, columns)
        if names[:2] == list(INDEX_COLUMNS):
            return _from_long_format(data, path), names[2:]
    else:
        raise CommandError(f"{path}: unsupported file type; pass a .csv (long series with a "
                           "header row) or a .npy (2D series or 3D windows).")
    if data.ndim == 3:
        return data, names
    return _window(data.reshape(len(data), -1), seq_len or DEMO_SEQ_LEN, stride, path), names


def _existing_file(path):
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"{path}: no such file.")
    return path


def _read_npy(path):
    try:
        data = np.load(path, allow_pickle=False)
    except ValueError as exc:  # pickled object arrays (never loaded: code execution risk)
        raise CommandError(f"{path}: not a plain numeric .npy array ({exc}).") from exc
    if data.dtype.kind not in "biuf":
        raise CommandError(f"{path}: holds {data.dtype} values; a numeric array is needed.")
    if data.ndim not in (1, 2, 3) or data.size == 0:
        raise CommandError(
            f"{path}: array of shape {data.shape}; expected a 2D long series (n_timesteps, "
            "n_features) or 3D windows (n_sequences, seq_len, n_features)."
        )
    return data.astype(np.float64, copy=False)


def _read_csv(path, columns):
    table = _read_table(path)
    if columns:
        header = list(table.columns)
        keep = list(columns)
        if header[:2] == list(INDEX_COLUMNS):
            keep = [*INDEX_COLUMNS, *(c for c in keep if c not in INDEX_COLUMNS)]
        table = _select(table, keep, path)
    return _numeric(table, path), list(table.columns)


def _select(table, columns, path):
    missing = [name for name in columns if name not in table.columns]
    if missing:
        raise CommandError(f"{path}: no column(s) {missing}; the header has "
                           f"{list(table.columns)}.")
    return table[list(columns)]


def _read_table(path, categorical=()):
    from ._tables_io import TableError, read_table

    try:
        return read_table(path, categorical=categorical)
    except TableError as exc:
        raise CommandError(str(exc)) from None


def _numeric(table, path):
    from ._tables_io import TableError, numeric_values

    try:
        return numeric_values(table, path)
    except TableError as exc:
        raise CommandError(str(exc)) from None


def _from_long_format(data, path):
    order = np.lexsort((data[:, 1], data[:, 0]))
    data = data[order]
    _, counts = np.unique(data[:, 0], return_counts=True)
    if np.any(counts != counts[0]):
        raise CommandError(f"{path}: sequences have different numbers of steps "
                           f"({counts.min()} to {counts.max()}); all must be equally long.")
    return data[:, 2:].reshape(len(counts), counts[0], data.shape[1] - 2)


def _window(series, seq_len, stride, path):
    from .preprocessing import SlidingWindowTransformer

    if len(series) < seq_len:
        raise CommandError(f"{path}: the series has {len(series)} time steps, fewer than "
                           f"--seq-len {seq_len}; use a shorter --seq-len.")
    return SlidingWindowTransformer(window=seq_len, stride=stride).fit_transform(series)


def load_config(path):
    """Read BoltGANSynthesizer parameters from a JSON object file (None gives ``{}``)."""
    if path is None:
        return {}
    path = _existing_file(path)
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}: not valid JSON ({exc}).") from exc
    if not isinstance(config, dict):
        raise CommandError(f"{path}: must hold a JSON object of parameters, e.g. "
                           '{"num_epochs": 50, "lstm_hidden": 32}.')
    return config


# --------------------------------------------------------------------------- writing data
def write_sequences(chunks, shape, out, feature_names=None):
    """Stream chunks of sequences to ``out`` (.npy or long-format .csv), atomically."""
    out = Path(out)
    if out.suffix not in (".npy", ".csv"):
        raise CommandError(f"{out}: the output must end in .npy or .csv.")
    with atomic_path(out) as tmp:
        if out.suffix == ".npy":
            _write_npy(chunks, shape, tmp)
        else:
            _write_csv(chunks, shape, tmp, feature_names)
    return out


def _write_npy(chunks, shape, path):
    # A memory-mapped file keeps memory bounded by one chunk, whatever n_samples is.
    array = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=shape)
    start = 0
    for chunk in chunks:
        array[start:start + len(chunk)] = chunk
        start += len(chunk)
    array.flush()
    del array


def _write_csv(chunks, shape, path, feature_names):
    names = feature_names or [f"feature_{j}" for j in range(shape[2])]
    steps = np.arange(shape[1])
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*INDEX_COLUMNS, *names])
        start = 0
        for chunk in chunks:
            for i, sequence in enumerate(chunk, start=start):
                writer.writerows([i, t, *map(repr, row.tolist())]
                                 for t, row in zip(steps, sequence))
            start += len(chunk)


def write_json(obj, out):
    """Write ``obj`` as indented JSON (numpy scalars and arrays become plain values)."""
    with atomic_path(out) as tmp, open(tmp, "w") as handle:
        handle.write(json.dumps(obj, indent=2, default=_json_default) + "\n")
    return Path(out)


def _json_default(value):
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_plots(real, synthetic, out_dir, *, history=None, feature_names=None):
    """Save the standard comparison figures as PNGs in ``out_dir``; return their paths."""
    from . import plotting

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {}
    if history is not None:
        figures["history"] = lambda: plotting.plot_history(history)
    figures.update(
        samples=lambda: plotting.plot_samples(real, synthetic, feature_names=feature_names),
        marginals=lambda: plotting.plot_marginals(real, synthetic,
                                                  feature_names=feature_names),
        embedding=lambda: plotting.plot_embedding(real, synthetic, max_samples=300),
    )
    return [_save_figure(make(), out_dir / f"{name}.png") for name, make in figures.items()]


def _save_figure(fig, path):
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------ commands
def _make_synthesizer(config, epochs, verbose=1):
    from . import BoltGANSynthesizer

    params = dict(config)
    if epochs is not None:
        params["num_epochs"] = epochs
    params.setdefault("verbose", verbose)
    valid = BoltGANSynthesizer().get_params()
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise CommandError(f"unknown parameter(s) {unknown} in --config; valid names: "
                           f"{sorted(valid)}.")
    return BoltGANSynthesizer(**params)


def cmd_fit(args):
    synthesizer = _make_synthesizer(load_config(args.config), args.epochs)
    options = {"random_state": args.random_state,
               "validation_fraction": args.validation_fraction,
               "early_stopping": args.early_stopping or None,
               "max_time": args.max_time}
    synthesizer.set_params(**{k: v for k, v in options.items() if v is not None})
    if _is_csv(args.data):
        model, X = _fit_table(args, synthesizer)
        synthesizer = model.synthesizer_
    else:
        X, _ = load_sequences(args.data, seq_len=args.seq_len, stride=args.stride)
        _fit(synthesizer, X)
        model = synthesizer
    if synthesizer.best_epoch_ is not None:
        _echo(f"Kept epoch {synthesizer.best_epoch_ + 1} of {len(synthesizer.history_)} "
              f"(validation score {synthesizer.best_score_:.3f}, lower is better)")
    model.save(args.out)
    _echo(f"Model written to {args.out}")


def _is_csv(path):
    return Path(path).name.endswith((".csv", ".csv.gz"))


def _fit(estimator, X):
    _echo(f"Fitting on {X.shape[0]} sequences of {X.shape[1]} steps x {X.shape[2]} "
          "features ...")
    try:
        estimator.fit(X)
    except ValueError as exc:  # e.g. too little data for the validation split
        raise CommandError(str(exc)) from None


def _fit_table(args, synthesizer):
    """Fit a TableSynthesizer on the CSV: its columns' kinds are found and reported."""
    from . import TableSynthesizer

    table = _read_table(_existing_file(args.data), categorical=args.categorical or ())
    if args.columns:
        roles = [c for c in (args.time_column, args.id_column) if c and c not in args.columns]
        table = _select(table, [*roles, *args.columns], args.data)
    model = TableSynthesizer(synthesizer, window=args.seq_len, stride=args.stride,
                             time_column=args.time_column, id_column=args.id_column,
                             categorical_columns=args.categorical or "auto",
                             missing_values="impute" if args.impute else "model")
    try:
        encoder, synthesizer, windows = model._prepare(table)
    except ValueError as exc:
        raise CommandError(f"{args.data}: {exc}") from None
    _echo(describe_columns(encoder, table))
    _fit(synthesizer, windows)
    model._set_fitted(encoder, synthesizer)
    return model, windows


def describe_columns(encoder, table):
    """One line saying what each column of the table became."""
    parts = []
    if encoder.time_column:
        parts.append(f"time {encoder.time_column} (every {_duration(encoder.time_step_)})")
    if encoder.id_column:
        parts.append(f"id {encoder.id_column} ({table[encoder.id_column].nunique()} series)")
    if encoder.numeric_columns_:
        parts.append("numeric " + ", ".join(encoder.numeric_columns_))
    if encoder.categorical_columns_:
        parts.append("categorical " + ", ".join(
            f"{c} ({_count(len(encoder.categories_[c]), 'label')})"
            for c in encoder.categorical_columns_))
    gappy = [f"{c} {encoder.missing_rate_[c]:.1%}" for c in encoder.numeric_columns_
             if encoder.missing_rate_[c] > 0]
    if gappy:
        how = "modelled" if encoder.missing_values == "model" else "imputed"
        parts.append(f"missing values {how}: " + ", ".join(gappy))
    return "Columns: " + "; ".join(parts)


def load_model(path):
    """The BoltGANSynthesizer or TableSynthesizer saved at ``path``."""
    from . import BoltGANSynthesizer, TableSynthesizer
    from ._persistence import read_model_file

    metadata, _ = read_model_file(_existing_file(path))
    return (TableSynthesizer if "table" in metadata else BoltGANSynthesizer).load(path)


def _duration(step):
    """``1 h``, ``10 min``, ``1 d 6 h``: a time step as a person writes it."""
    if step is None:
        return "one row"
    seconds = int(step.total_seconds())
    parts = [(seconds // 86400, "d"), (seconds // 3600 % 24, "h"), (seconds // 60 % 60, "min"),
             (seconds % 60, "s")]
    return " ".join(f"{value} {unit}" for value, unit in parts if value) or str(step)


def _count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def cmd_sample(args):
    model = load_model(args.model)
    if args.n < 1:
        raise CommandError(f"-n must be at least 1, got {args.n}.")
    if hasattr(model, "encoder_"):
        _sample_table(model, args)
        return
    chunks = model.iter_samples(args.n, random_state=args.random_state)
    out = write_sequences(chunks, (args.n, model.seq_len_, model.n_features_in_), args.out)
    _echo(f"{args.n} sequences of {model.seq_len_} steps x {model.n_features_in_} features "
          f"written to {out}")


def _sample_table(model, args):
    from ._tables_io import write_table

    out = Path(args.out)
    if out.suffix not in (".npy", ".csv"):
        raise CommandError(f"{out}: the output must end in .npy or .csv.")
    table = model.sample(args.n, random_state=args.random_state)
    if out.suffix == ".npy":
        _write_table_windows(model, table, args.n, out)
        return
    if model.id_column is None:  # the windows are separate series: say which row is which
        window = model.synthesizer_.seq_len_
        table.insert(0, INDEX_COLUMNS[1], np.tile(np.arange(window), args.n))
        table.insert(0, INDEX_COLUMNS[0], np.repeat(np.arange(args.n), window))
    write_table(table, out)
    _echo(f"{args.n} sequences of {model.synthesizer_.seq_len_} rows x "
          f"{model.n_features_in_} columns written to {out}")


def _write_table_windows(model, table, n, out):
    encoder = model.encoder_
    if encoder.categorical_columns_:
        raise CommandError(f"{out}: this model generates the categorical columns "
                           f"{encoder.categorical_columns_}, which a numeric .npy cannot hold; "
                           "write a .csv.")
    windows = table[encoder.numeric_columns_].to_numpy(float).reshape(n, -1, len(
        encoder.numeric_columns_))
    write_sequences([windows], windows.shape, out)
    _echo(f"{n} sequences of {windows.shape[1]} steps x {windows.shape[2]} features "
          f"written to {out}")


def cmd_evaluate(args):
    real_table = _real_table_to_encode(args)
    if real_table is not None:
        real, synthetic, training, names, categorical = _table_windows(args, real_table)
    else:
        synthetic, _ = load_sequences(args.synthetic, seq_len=args.seq_len,
                                      stride=args.stride)
        real, names = load_sequences(args.real, seq_len=args.seq_len or synthetic.shape[1],
                                     stride=args.stride)
        training, categorical = None, None
        if args.training:
            training, _ = load_sequences(args.training, seq_len=synthetic.shape[1],
                                         stride=args.stride)
    _check_comparable(real, synthetic)
    if training is not None:
        _check_comparable(training, synthetic)
    report = _evaluate(real, synthetic, args.random_state, quick=args.quick,
                       training=training, categorical_features=categorical)
    print(report)
    if args.report:
        _echo(f"Report written to {write_json(report.to_dict(), args.report)}")
    if args.plots:
        for path in write_plots(real, synthetic, args.plots, feature_names=names):
            _echo(f"Plot written to {path}")


def _real_table_to_encode(args):
    """REAL as a table when it is compared through a TableEncoder (a table model, table
    options, or a CSV with text columns or gaps), else None."""
    table_options = args.model or args.time_column or args.id_column or args.categorical
    if not (table_options or _is_csv(args.real)):
        return None
    table = _read_table(_existing_file(args.real), categorical=args.categorical or ())
    text = any(not _is_number_column(table[c]) for c in table.columns)
    return table if table_options or text or table.isna().to_numpy().any() else None


def _is_number_column(column):
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _table_windows(args, real_table):
    """Real, synthetic (and training) windows of observed values, through one encoder."""
    from .preprocessing import TableEncoder

    seq_len = args.seq_len
    if args.model:
        model = load_model(args.model)
        if not hasattr(model, "encoder_"):
            raise CommandError(f"{args.model}: was fitted on windows, not on a table; "
                               "evaluate .npy windows without --model.")
        encoder, seq_len = model.encoder_, seq_len or model.synthesizer_.seq_len_
    else:
        encoder = TableEncoder(time_column=args.time_column, id_column=args.id_column,
                               categorical_columns=args.categorical or "auto")
        encoder.fit(real_table)
    synthetic_series = _synthetic_series(encoder, _read_table(
        _existing_file(args.synthetic), categorical=args.categorical or ()))
    seq_len = seq_len or len(synthetic_series[0])
    synthetic = _windows(synthetic_series, seq_len, seq_len, args.synthetic)
    real = _windows(encoder.observed(real_table), seq_len, args.stride, args.real)
    training = None
    if args.training:
        training = _windows(encoder.observed(_read_table(_existing_file(args.training))),
                            seq_len, args.stride, args.training)
    n_numeric = len(encoder.numeric_columns_)
    names = [*encoder.numeric_columns_, *encoder.categorical_columns_]
    return real, synthetic, training, names, list(range(n_numeric, len(names)))


def _synthetic_series(encoder, table):
    # Without an id column, 'skboltgan sample' numbers its sequences in a 'sequence' column.
    if encoder.id_column is None and INDEX_COLUMNS[0] in table.columns:
        groups = table.groupby(INDEX_COLUMNS[0], sort=True)
        return [encoder.observed(part.drop(columns=[c for c in INDEX_COLUMNS
                                                    if c in part.columns]))[0]
                for _, part in groups]
    return encoder.observed(table)


def _windows(series, seq_len, stride, path):
    from .preprocessing import SlidingWindowTransformer

    short = [len(s) for s in series if len(s) < seq_len]
    if short:
        raise CommandError(f"{path}: {len(short)} series have fewer than --seq-len "
                           f"{seq_len} rows (the shortest {min(short)}).")
    return SlidingWindowTransformer(window=seq_len, stride=stride).fit_transform(series)


def _check_comparable(real, synthetic):
    if real.shape[1:] != synthetic.shape[1:]:
        raise CommandError(
            f"real sequences are {real.shape[1:]} (seq_len, n_features) but synthetic are "
            f"{synthetic.shape[1:]}; window the real series with --seq-len "
            f"{synthetic.shape[1]} and compare the same features."
        )


def _evaluate(real, synthetic, random_state, quick, training=None,
              categorical_features=None):
    from .metrics import evaluate

    return evaluate(real, synthetic, random_state=random_state, temporal=not quick,
                    training=training, categorical_features=categorical_features)


def cmd_demo(args):
    from .preprocessing import TimeSeriesMinMaxScaler

    start = time.perf_counter()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    series, names = _stocks()
    scaler = TimeSeriesMinMaxScaler().fit(series)
    real = _window(scaler.transform(series), DEMO_SEQ_LEN, 1, "stocks")
    real = _subsample(real, args.max_sequences)
    model = _make_synthesizer({**DEMO_PARAMS, "random_state": 0, **load_config(args.config)},
                              args.epochs)
    _echo(f"Training Bolt-GAN on {len(real)} windows of Google stock prices "
          f"({DEMO_SEQ_LEN} days x {real.shape[2]} features) ...")
    model.fit(real)
    synthetic = model.sample(len(real), random_state=0)
    files = _write_demo_outputs(out, model, real, synthetic, scaler, names)
    report = _evaluate(real, synthetic, 0, quick=args.quick)
    files.append(write_json(report.to_dict(), out / "report.json"))
    files += write_plots(real, synthetic, out, history=model, feature_names=names)
    print(report)
    _echo_summary(files, time.perf_counter() - start)


def _stocks():
    from .datasets import load_stocks

    try:
        frame = load_stocks(as_frame=True)
    except ImportError:  # pandas is optional; only the column names are lost
        return load_stocks(), None
    return frame.to_numpy(), list(frame.columns)


def _subsample(X, n):
    if n is None or n >= len(X):
        return X
    return X[np.sort(np.random.RandomState(0).choice(len(X), size=n, replace=False))]


def _write_demo_outputs(out, model, real, synthetic, scaler, names):
    model_path = out / "model.npz"
    model.save(model_path)
    in_prices = scaler.inverse_transform(synthetic)
    return [
        model_path,
        write_sequences([synthetic], synthetic.shape, out / "synthetic.npy"),
        write_sequences([in_prices], in_prices.shape, out / "synthetic.csv", names),
        write_json(model.history_, out / "history.json"),
    ]


def _echo_summary(files, seconds):
    _echo(f"\nDone in {seconds:.0f} s. Files written:")
    for path in files:
        _echo(f"  {path}")


def _echo(message):
    print(message, flush=True)


# -------------------------------------------------------------------------------- parser
def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _epochs(text):
    return "auto" if text == "auto" else _positive_int(text)


def _number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _positive_float(text):
    value = _number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _fraction(text):
    value = _number(text)
    if not 0 < value < 0.5:
        raise argparse.ArgumentTypeError(f"must be between 0 and 0.5, got {value}")
    return value


def build_parser():
    """The argument parser of the ``skboltgan`` command."""
    parser = argparse.ArgumentParser(
        prog="skboltgan",
        description="Synthetic multivariate time series with Bolt-GAN.",
        epilog="Run 'skboltgan COMMAND --help' for the options of a command.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback when something fails")
    # Also accepted after the command; SUPPRESS keeps it from resetting the flag above.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback when something fails")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_fit(sub, common)
    _add_sample(sub, common)
    _add_evaluate(sub, common)
    _add_demo(sub, common)
    return parser


def _version():
    from . import __version__

    return __version__


def _add_fit(sub, common):
    p = sub.add_parser("fit", parents=[common], help="train a model on a series",
                       description="Train a Bolt-GAN model and save it.")
    p.add_argument("data", metavar="DATA",
                   help="CSV long series with a header row, or .npy (2D series or 3D windows)")
    p.add_argument("--out", required=True, metavar="MODEL", help="model file to write")
    p.add_argument("--seq-len", type=_positive_int, default=DEMO_SEQ_LEN,
                   help="window length for a long series (default: %(default)s)")
    p.add_argument("--stride", type=_positive_int, default=1,
                   help="steps between window starts (default: %(default)s)")
    p.add_argument("--epochs", type=_epochs,
                   help="training epochs, or 'auto' (num_epochs)")
    p.add_argument("--config", metavar="PARAMS.json",
                   help="JSON object of BoltGANSynthesizer parameters")
    p.add_argument("--columns", nargs="+", metavar="NAME", help="CSV columns to use")
    _add_table_options(p)
    p.add_argument("--impute", action="store_true",
                   help="fill gaps in numeric columns by interpolation and generate complete "
                        "data (default: learn where values are missing and reproduce it)")
    p.add_argument("--random-state", type=int, help="seed for a reproducible fit")
    p.add_argument("--validation-fraction", type=_fraction, metavar="F",
                   help="hold out this share of the windows to score the generator during "
                        "training and keep its best epoch (validation_fraction)")
    p.add_argument("--early-stopping", action="store_true",
                   help="stop when the validation score stops improving (early_stopping; "
                        "needs --validation-fraction)")
    p.add_argument("--max-time", type=_positive_float, metavar="SECONDS",
                   help="stop training at the first epoch boundary after this many seconds "
                        "(max_time; not bit-for-bit reproducible)")
    p.set_defaults(handler=cmd_fit)


def _add_table_options(p):
    p.add_argument("--time-column", metavar="NAME",
                   help="CSV column of timestamps: sorts each series, is checked for "
                        "duplicates and gaps, and is not generated")
    p.add_argument("--id-column", metavar="NAME",
                   help="CSV column naming independent series (windows never cross two)")
    p.add_argument("--categorical", nargs="+", metavar="NAME",
                   help="columns to generate as categories besides the text and boolean "
                        "ones (e.g. integer codes)")


def _add_sample(sub, common):
    p = sub.add_parser("sample", parents=[common], help="generate sequences from a model",
                       description="Generate synthetic sequences from a saved model.")
    p.add_argument("model", metavar="MODEL", help="model file written by 'skboltgan fit'")
    p.add_argument("-n", type=int, required=True, help="number of sequences")
    p.add_argument("--out", required=True, metavar="OUT",
                   help="OUT.npy (3D array) or OUT.csv (long format: sequence, step, "
                        "features)")
    p.add_argument("--random-state", type=int, help="seed for reproducible samples")
    p.set_defaults(handler=cmd_sample)


def _add_evaluate(sub, common):
    p = sub.add_parser("evaluate", parents=[common], help="compare synthetic with real data",
                       description="Fidelity report of synthetic against real sequences "
                                   "(skboltgan.metrics.evaluate).")
    p.add_argument("real", metavar="REAL", help="real data (.csv or .npy)")
    p.add_argument("synthetic", metavar="SYNTH", help="synthetic data (.csv or .npy)")
    p.add_argument("--seq-len", type=_positive_int,
                   help="window length for long series (default: the synthetic "
                        f"sequences' length, else {DEMO_SEQ_LEN})")
    p.add_argument("--stride", type=_positive_int, default=1,
                   help="steps between window starts (default: %(default)s)")
    p.add_argument("--training", metavar="TRAIN",
                   help="the model's training data (.csv or .npy), windowed like REAL: adds "
                        "the memorization guard, with REAL as held-out data that must not "
                        "overlap TRAIN")
    _add_table_options(p)
    p.add_argument("--model", metavar="MODEL",
                   help="a model fitted on a table: compare through its encoder (its "
                        "columns, categories and window length)")
    p.add_argument("--report", metavar="REPORT.json", help="write the report as JSON")
    p.add_argument("--plots", metavar="DIR", help="write comparison plots (PNG) to DIR")
    p.add_argument("--random-state", type=int, default=0,
                   help="seed of the metrics (default: %(default)s)")
    p.add_argument("--quick", action="store_true",
                   help="skip the slow discriminative and predictive scores")
    p.set_defaults(handler=cmd_evaluate)


def _add_demo(sub, common):
    p = sub.add_parser("demo", parents=[common], help="train, sample and evaluate on stocks",
                       description="Train on the bundled Google stock data with a quick "
                                   "configuration, then write synthetic data, a report "
                                   "and plots.")
    p.add_argument("--output", default="skboltgan-demo", metavar="DIR",
                   help="output directory (default: %(default)s)")
    p.add_argument("--epochs", type=_epochs,
                   help="training epochs, or 'auto' (default: the synthesizer's "
                        "num_epochs)")
    p.add_argument("--config", metavar="PARAMS.json",
                   help="JSON object overriding the demo's model parameters")
    p.add_argument("--quick", action="store_true",
                   help="skip the slow discriminative and predictive scores")
    # For quick smoke tests: train on a random subset of the windows.
    p.add_argument("--max-sequences", type=_positive_int, help=argparse.SUPPRESS)
    p.set_defaults(handler=cmd_demo)


# ---------------------------------------------------------------------------------- main
def main(argv=None):
    """Run the ``skboltgan`` command; return the exit code (0 on success).

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    code : int
        0 on success, 1 on an error, 2 on a usage error, 130 when interrupted.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s: %(message)s")
    try:
        args.handler(args)
    except KeyboardInterrupt:
        print("skboltgan: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's job is to report, not to crash
        if args.debug:
            raise
        print(f"skboltgan {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    return 0


def _one_line(exc):
    message = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, (CommandError, ValueError, TypeError, OSError, ImportError)):
        return message
    return f"{type(exc).__name__}: {message}"

"""Read and write CSV tables with pandas, with one-line errors naming file, line and column."""

import csv
import gzip
from pathlib import Path

import pandas as pd

from ._persistence import atomic_path

#: Share of a text column's values that must parse as numbers for a stray non-number in it
#: to be reported as a typo rather than the column being read as categories.
_NUMERIC_LOOKING = 0.9


class TableError(ValueError):
    """A problem with a table file; the message names the file (and line, column)."""


def read_table(path, categorical=()):
    """Read the CSV (optionally .gz) at ``path`` as a DataFrame.

    Empty cells and ``NA`` are missing values. A column that is all numbers except for a
    few cells is refused with the first offending line (a typo is likelier than a text
    column), unless it is listed in ``categorical``.
    """
    path = Path(path)
    _refuse_ragged_rows(path)
    try:
        table = pd.read_csv(path, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise TableError(f"{path}: the file is empty; it needs a header row and data rows.")
    except pd.errors.ParserError as exc:
        raise TableError(f"{path}: cannot be parsed as CSV: {' '.join(str(exc).split())}"
                         ) from None
    table.columns = [str(c).strip() for c in table.columns]
    if len(table) == 0:
        raise TableError(f"{path}: needs a header row and at least one data row.")
    _refuse_stray_text(table, path, categorical)
    return table


def _refuse_ragged_rows(path):
    # pandas pads a row with too few fields with NaN, which would turn a truncated line into
    # silent missing values; only the field counts are checked here, pandas parses.
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as handle:
        rows = csv.reader(handle)
        n_columns = len(next(rows, []))
        for line, row in enumerate(rows, start=2):
            if row and len(row) != n_columns:
                raise TableError(f"{path}, line {line}: {len(row)} fields but the header has "
                                 f"{n_columns}.")


def _refuse_stray_text(table, path, categorical):
    for name in table.columns:
        column = table[name]
        if name in categorical or column.dtype != object:
            continue
        present = column.dropna()
        numbers = pd.to_numeric(present, errors="coerce")
        bad = numbers.isna()
        if 0 < bad.sum() and (~bad).mean() >= _NUMERIC_LOOKING:
            row = present.index[bad.to_numpy()][0]
            raise TableError(
                f"{path}, line {row + 2}: column {name!r} has the non-numeric value "
                f"{present[row]!r} among numbers; fix or empty that cell, or list the "
                "column with --categorical to read it as labels.")


def numeric_values(table, path):
    """The table as a float array, or a one-line error at its first non-numeric cell."""
    for name in table.columns:
        column = table[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            continue
        numbers = pd.to_numeric(column, errors="coerce")
        bad = numbers.isna() & column.notna()
        row = column.index[bad.to_numpy()][0] if bad.any() else column.index[0]
        raise TableError(f"{path}, line {row + 2}: column {name!r} has the non-numeric value "
                         f"{column[row]!r}; keep numeric columns only with --columns NAME "
                         "... (or fit the table itself: text columns become categories).")
    return table.to_numpy(dtype=float)


def write_table(table, path, index=False):
    """Write ``table`` as CSV to ``path`` atomically (a crash leaves no partial file)."""
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=index, na_rep="")
    return Path(path)

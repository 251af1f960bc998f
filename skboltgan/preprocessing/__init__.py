"""Transformers that take a raw series (or a table of them) to scaled windows and back."""

from ._pipeline import sample_pipeline
from ._scalers import TimeSeriesMinMaxScaler, TimeSeriesStandardScaler
from ._table import TableEncoder
from ._windows import SlidingWindowTransformer

__all__ = [
    "SlidingWindowTransformer",
    "TableEncoder",
    "TimeSeriesMinMaxScaler",
    "TimeSeriesStandardScaler",
    "sample_pipeline",
]

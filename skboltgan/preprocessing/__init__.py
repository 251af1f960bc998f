"""Transformers that take a raw series to scaled windows and back."""

from ._pipeline import sample_pipeline
from ._scalers import TimeSeriesMinMaxScaler, TimeSeriesStandardScaler
from ._windows import SlidingWindowTransformer

__all__ = [
    "SlidingWindowTransformer",
    "TimeSeriesMinMaxScaler",
    "TimeSeriesStandardScaler",
    "sample_pipeline",
]

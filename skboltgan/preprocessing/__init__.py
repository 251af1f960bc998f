"""Transformers that take a raw series to scaled windows and back."""

from ._scalers import TimeSeriesMinMaxScaler

__all__ = ["TimeSeriesMinMaxScaler"]

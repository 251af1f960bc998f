"""Benchmark data: TimeGAN's sines generator, the bundled stock and energy series, and a
messy real table (hourly airport weather with text columns and gaps)."""

from ._loaders import load_energy, load_nyc_weather, load_stocks, make_sines

__all__ = ["load_energy", "load_nyc_weather", "load_stocks", "make_sines"]

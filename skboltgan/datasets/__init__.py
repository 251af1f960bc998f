"""Benchmark data: TimeGAN's sines generator and the bundled stock and energy series."""

from ._loaders import load_energy, load_stocks, make_sines

__all__ = ["load_energy", "load_stocks", "make_sines"]

"""skboltgan: Bolt-GAN synthetic multivariate time series for scikit-learn."""

import logging

from ._resampling import BoltGANOversampler
from ._synthesizer import BoltGANSynthesizer
from ._table_synthesizer import TableSynthesizer
from ._version import __version__

logging.getLogger("skboltgan").addHandler(logging.NullHandler())

__all__ = ["BoltGANOversampler", "BoltGANSynthesizer", "TableSynthesizer"]

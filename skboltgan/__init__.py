"""skboltgan: Bolt-GAN synthetic multivariate time series for scikit-learn."""

import logging

from ._resampling import BoltGANOversampler
from ._synthesizer import BoltGANSynthesizer

__version__ = "0.1.0"

logging.getLogger("skboltgan").addHandler(logging.NullHandler())

__all__ = ["BoltGANOversampler", "BoltGANSynthesizer"]

"""skboltgan: Bolt-GAN synthetic multivariate time series for scikit-learn."""

import logging

from ._synthesizer import BoltGANSynthesizer
from ._version import __version__

logging.getLogger("skboltgan").addHandler(logging.NullHandler())

__all__ = ["BoltGANSynthesizer"]

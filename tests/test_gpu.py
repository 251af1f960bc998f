"""CUDA paths: fit and sample on a GPU, mixed precision, and a GPU model used on CPU."""

import pickle

import numpy as np
import pytest
import torch

from skboltgan import BoltGANSynthesizer

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def _fit(tiny_params, sines, **kw):
    return BoltGANSynthesizer(**tiny_params, device="cuda", random_state=0, **kw).fit(sines)


def test_fit_and_sample_on_cuda(tiny_params, sines):
    gan = _fit(tiny_params, sines)
    assert next(gan.generator_.parameters()).is_cuda
    samples = gan.sample(10)
    assert samples.shape == (10, *sines.shape[1:])
    assert np.isfinite(samples).all()


def test_bfloat16_on_cuda(tiny_params, sines):
    samples = _fit(tiny_params, sines, precision="bfloat16").sample(10)
    assert samples.shape == (10, *sines.shape[1:])
    assert np.isfinite(samples).all()


def test_cuda_model_samples_on_cpu(tiny_params, sines):
    gan = _fit(tiny_params, sines)
    on_gpu = gan.sample(10, random_state=1)
    # A pickle round trip drops the torch modules; they are rebuilt from arrays on the CPU.
    gan = pickle.loads(pickle.dumps(gan)).set_params(device="cpu")
    assert not next(gan.generator_.parameters()).is_cuda
    np.testing.assert_allclose(gan.sample(10, random_state=1), on_gpu, atol=1e-4)

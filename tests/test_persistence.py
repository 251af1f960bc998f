"""Saving, loading and trusting model files; checkpoints, resume, interrupts, divergence."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import skops.io as sio
from sklearn.exceptions import NotFittedError

from skboltgan import BoltGANSynthesizer
from skboltgan import _synthesizer, _training
from skboltgan._persistence import ModelFileError
from skboltgan.datasets import make_sines

from .conftest import TINY


@pytest.fixture
def fitted(sines):
    return BoltGANSynthesizer(**TINY, random_state=0).fit(sines)


def test_save_load_roundtrip_samples_identically(fitted, tmp_path):
    path = tmp_path / "model.npz"
    fitted.save(path)
    loaded = BoltGANSynthesizer.load(path)
    assert loaded.get_params() == fitted.get_params()
    assert loaded.history_ == fitted.history_
    np.testing.assert_array_equal(loaded.sample(5), fitted.sample(5))


def test_save_load_keeps_auto_epochs(sines, tmp_path, monkeypatch):
    monkeypatch.setattr(_synthesizer, "AUTO_BATCHES", 8)
    gan = BoltGANSynthesizer(**{**TINY, "num_epochs": "auto"}, random_state=0).fit(sines)
    gan.save(tmp_path / "m.npz")
    assert BoltGANSynthesizer.load(tmp_path / "m.npz").num_epochs == "auto"


def test_save_load_conditional_string_labels(sines, tmp_path):
    y = np.array(["calm", "storm"] * 32, dtype=object)  # e.g. from a pandas column
    gan = BoltGANSynthesizer(**TINY, random_state=0).fit(sines, y)
    gan.save(tmp_path / "m.npz")
    loaded = BoltGANSynthesizer.load(tmp_path / "m.npz")
    assert loaded.classes_.tolist() == ["calm", "storm"]
    np.testing.assert_array_equal(loaded.sample(4, y="storm"), gan.sample(4, y="storm"))


def test_saved_file_has_the_usual_permissions(fitted, tmp_path):
    fitted.save(tmp_path / "m.npz")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o666 & ~mask


def test_save_unfitted_raises(tmp_path):
    with pytest.raises(NotFittedError):
        BoltGANSynthesizer().save(tmp_path / "m.npz")


def test_crafted_pickle_inside_model_file_never_runs(fitted, tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "m.npz"
    fitted.save(path)
    with np.load(path) as archive:
        contents = {k: archive[k] for k in archive.files}
    contents["evil"] = np.array([Payload()], dtype=object)
    with open(path, "wb") as f:
        np.savez(f, **contents)  # pickles the payload into the archive
    with pytest.raises(ModelFileError, match="pickled objects"):
        BoltGANSynthesizer.load(path)
    assert not marker.exists()


def test_tampered_weights_are_refused(fitted, tmp_path):
    path = tmp_path / "m.npz"
    fitted.save(path)
    with np.load(path) as archive:
        contents = {k: archive[k] for k in archive.files}
    name = next(k for k in contents if k.startswith("generator/"))
    contents[name] = contents[name] + 1.0
    with open(path, "wb") as f:
        np.savez(f, **contents)
    with pytest.raises(ModelFileError, match="checksum"):
        BoltGANSynthesizer.load(path)


def test_truncated_file_is_refused(fitted, tmp_path):
    path = tmp_path / "m.npz"
    fitted.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="not a readable"):
        BoltGANSynthesizer.load(path)


@pytest.mark.parametrize("content", [b"not a model at all", b""])
def test_foreign_bytes_are_refused(tmp_path, content):
    path = tmp_path / "foreign.npz"
    path.write_bytes(content)
    with pytest.raises(ModelFileError):
        BoltGANSynthesizer.load(path)


def test_foreign_npz_is_refused(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, weights=np.zeros(3))
    with pytest.raises(ModelFileError, match="metadata"):
        BoltGANSynthesizer.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        BoltGANSynthesizer.load(tmp_path / "nope.npz")


def test_failed_save_keeps_the_previous_file(fitted, tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    fitted.save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        fitted.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]  # no temporary file left behind


def test_model_fitted_on_gpu_loads_on_cpu(fitted, tmp_path):
    fitted.device_ = "cuda:0"  # as recorded by a GPU fit; the weights are plain arrays
    fitted.set_params(device="cuda")
    fitted.save(tmp_path / "m.npz")
    loaded = BoltGANSynthesizer.load(tmp_path / "m.npz")
    if not __import__("torch").cuda.is_available():
        assert np.isfinite(loaded.sample(3)).all()


def test_skops_roundtrip(fitted, tmp_path):
    path = tmp_path / "m.skops"
    sio.dump(fitted, path)
    untrusted = sio.get_untrusted_types(file=path)
    loaded = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(loaded.sample(4), fitted.sample(4))


def test_checkpoint_resume_matches_uninterrupted_run(sines, tmp_path):
    params = dict(TINY, num_epochs=6, feedback_interval=2, feedback_epochs=1, random_state=0)
    full = BoltGANSynthesizer(**params).fit(sines)
    first = BoltGANSynthesizer(**params, checkpoint_dir=tmp_path, checkpoint_every=3)
    _interrupt_after(first, sines, epochs=4)  # Ctrl-C checkpoints the 4 completed epochs
    resumed = BoltGANSynthesizer(**params, checkpoint_dir=tmp_path, checkpoint_every=3).fit(sines)
    assert [h.get("resumed", False) for h in resumed.history_] == [False] * 4 + [True, False]
    assert [h["epoch"] for h in resumed.history_] == list(range(6))
    np.testing.assert_array_equal(resumed.sample(5), full.sample(5))


def _interrupt_after(estimator, X, epochs):
    original = _training.AdversarialTrainer.run_epoch
    calls = {"n": 0}

    def run_epoch(self, *args, **kwargs):
        if calls["n"] == epochs:
            raise KeyboardInterrupt
        calls["n"] += 1
        return original(self, *args, **kwargs)

    _training.AdversarialTrainer.run_epoch = run_epoch
    try:
        with pytest.warns(UserWarning, match="interrupted"):
            estimator.fit(X)
    finally:
        _training.AdversarialTrainer.run_epoch = original


def test_keyboard_interrupt_keeps_last_completed_epoch(sines):
    gan = BoltGANSynthesizer(**dict(TINY, num_epochs=5), random_state=0)
    _interrupt_after(gan, sines, epochs=2)
    assert len(gan.history_) == 2
    assert np.isfinite(gan.sample(3)).all()


def test_checkpoint_of_other_configuration_is_not_used(sines, tmp_path):
    params = dict(TINY, num_epochs=2, random_state=0, checkpoint_dir=tmp_path)
    BoltGANSynthesizer(**params).fit(sines)
    other = BoltGANSynthesizer(**{**params, "lr": 5e-3}).fit(sines)  # not the default
    assert not any(h.get("resumed") for h in other.history_)
    assert len(list(tmp_path.glob("*.ckpt"))) == 2  # nothing overwritten
    other_data = BoltGANSynthesizer(**params).fit(sines[::-1])
    assert len(other_data.history_) == 2 and len(list(tmp_path.glob("*.ckpt"))) == 3


SIGKILL_PARAMS = dict(latent_dim=4, lstm_hidden=8, lstm_layers=1, batch_size=16, num_epochs=300,
                     checkpoint_every=2, random_state=0)


def test_sigkill_mid_fit_then_resume(tmp_path):
    script = textwrap.dedent(f"""
        import torch
        torch.set_num_threads(1)
        from skboltgan import BoltGANSynthesizer
        from skboltgan.datasets import make_sines
        X = make_sines(64, seq_len=12, n_features=2, random_state=0)
        BoltGANSynthesizer(**{SIGKILL_PARAMS!r}, checkpoint_dir={str(tmp_path)!r}).fit(X)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.time() + 120
        while not list(tmp_path.glob("*.ckpt")) and time.time() < deadline:
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed mid-fit, not finished
    X = make_sines(64, seq_len=12, n_features=2, random_state=0)
    resumed = BoltGANSynthesizer(**SIGKILL_PARAMS, checkpoint_dir=str(tmp_path)).fit(X)
    restart = next(i for i, h in enumerate(resumed.history_) if h.get("resumed"))
    assert restart >= 2 and restart % 2 == 0  # at most the epochs since a checkpoint lost
    assert len(resumed.history_) == 300
    uninterrupted = BoltGANSynthesizer(**SIGKILL_PARAMS).fit(X)
    np.testing.assert_array_equal(resumed.sample(5), uninterrupted.sample(5))


def test_nan_loss_stops_with_clear_error(sines, monkeypatch):
    original = _training.discriminator_loss
    calls = {"n": 0}

    def poisoned(*args, **kwargs):
        calls["n"] += 1
        loss = original(*args, **kwargs)
        return loss * float("nan") if calls["n"] > 10 else loss

    monkeypatch.setattr(_training, "discriminator_loss", poisoned)
    gan = BoltGANSynthesizer(**dict(TINY, num_epochs=5), random_state=0)
    with pytest.raises(FloatingPointError, match="diverged at epoch"):
        gan.fit(sines)
    with pytest.raises(NotFittedError):
        gan.sample(2)  # no half-trained model that samples NaN


def test_history_is_json(fitted):
    json.dumps(fitted.history_)

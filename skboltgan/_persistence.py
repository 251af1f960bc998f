"""Safe, atomic model files and training checkpoints.

A model file is a NumPy ``.npz`` archive: a JSON metadata record (format tag, versions,
parameters, shapes, history, a SHA-256 checksum of every array) stored as bytes, plus the
weights and scaler state as plain arrays. It is read with ``allow_pickle=False``, so loading
never executes code from the file, and the checksum refuses a modified or foreign file.

Checkpoints hold optimiser and RNG state too; they are written with ``torch.save`` and read
with ``torch.load(weights_only=True)`` (tensors and plain containers only).

Every write goes to a temporary file in the target directory, is flushed to disk and then
renamed over the target, so a crash mid-write leaves the previous file intact.
"""

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

logger = logging.getLogger("skboltgan")

FORMAT = "skboltgan-model"
FORMAT_VERSION = 1
_METADATA_KEY = "__skboltgan_metadata__"


class ModelFileError(ValueError):
    """A model or checkpoint file is missing, truncated, modified or not ours."""


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it over ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def checksum(arrays):
    """SHA-256 over array names, dtypes, shapes and bytes, in sorted name order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def write_model_file(path, metadata, arrays):
    """Write ``metadata`` (JSON-serialisable dict) and ``arrays`` atomically to ``path``."""
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION, **metadata,
                "checksum": checksum(arrays)}
    encoded = np.frombuffer(json.dumps(metadata, default=_plain).encode("utf-8"),
                            dtype=np.uint8)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **{_METADATA_KEY: encoded}, **arrays)


def _plain(value):
    """JSON fallback for numpy scalars (e.g. parameters set from a numpy grid)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} cannot be stored in a model file.")


def read_model_file(path):
    """Return ``(metadata, arrays)`` from a file written by :func:`write_model_file`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {str(path)!r}.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            contents = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFileError(
            f"{str(path)!r} is not a readable skboltgan model file (truncated, corrupted, "
            f"or holding pickled objects, which are never loaded): {exc}"
        ) from exc
    metadata = _decode_metadata(contents.pop(_METADATA_KEY, None), path)
    if checksum(contents) != metadata.get("checksum"):
        raise ModelFileError(f"{str(path)!r} failed its checksum: the file was modified or "
                             "corrupted after it was saved. Refusing to load it.")
    return metadata, contents


def _decode_metadata(encoded, path):
    try:
        metadata = json.loads(bytes(encoded).decode("utf-8"))
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{str(path)!r} has no skboltgan metadata; it was not written "
                             "by BoltGANSynthesizer.save.") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelFileError(f"{str(path)!r} is not a skboltgan model file.")
    if metadata.get("format_version", 0) > FORMAT_VERSION:
        raise ModelFileError(
            f"{str(path)!r} uses model format {metadata['format_version']}, newer than this "
            f"skboltgan understands ({FORMAT_VERSION}); upgrade skboltgan to load it.")
    return metadata


def fingerprint(params, X, y):
    """Hash of the configuration and the training data: a checkpoint's identity."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode())
    digest.update(np.ascontiguousarray(X).tobytes())
    if y is not None:
        digest.update(np.ascontiguousarray(y).tobytes())
    return digest.hexdigest()[:16]


class CheckpointStore:
    """One checkpoint file per (configuration, data) fingerprint inside ``directory``.

    Runs with another configuration or other data get other files, so a checkpoint is never
    used for, or overwritten by, a different run.
    """

    def __init__(self, directory, key):
        directory = Path(directory)
        if directory.exists() and not directory.is_dir():
            raise NotADirectoryError(
                f"checkpoint_dir={str(directory)!r} is a file, not a directory; pass a "
                "directory (it is created if missing) or checkpoint_dir=None.")
        self.path = directory / f"boltgan-{key}.ckpt"

    def load(self):
        """Return the saved ``{"history": ..., **states}`` or None when there is none."""
        if not self.path.is_file():
            return None
        try:
            return torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception as exc:  # torch raises many types for a bad file
            raise ModelFileError(
                f"Checkpoint {str(self.path)!r} cannot be read safely ({exc}); delete it to "
                "start training afresh.") from exc

    def save(self, history, **states):
        """Write ``history`` and the named states (``trainer``, ``validation``) atomically."""
        with atomic_path(self.path) as tmp:
            torch.save({"history": history, **states}, tmp)
        logger.debug("checkpoint written to %s (epoch %d)", self.path, len(history))

"""Watching training: stability diagnostics, a held-out fidelity score, best-epoch restore.

:func:`validation_split` holds out a share of the windows (of each class for a conditional
fit) in blocks spread over them, with the purge gap of
:class:`~skboltgan.model_selection.BlockedWindowSplit` around each block, so no validation
window shares a time step with a training window. :class:`ValidationMonitor`
scores the generator on them every few epochs, always from the same noise (so two epochs'
scores differ by the generator only), keeps a copy of the best generator and says when to
stop. :class:`StabilityMonitor` watches every epoch for the known failures of GAN training
and warns once about each.
"""

import logging
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from .metrics import discriminative_score

logger = logging.getLogger("skboltgan")


def validation_split(n_windows, labels, fraction, seq_len, max_blocks=5):
    """``(train, validation)`` window indices: ``fraction`` of each class's windows.

    The validation windows are up to ``max_blocks`` contiguous blocks spread evenly over the
    windows (each at least ``seq_len`` long), so that a trending series is validated on
    every stretch of it rather than only on its end. The ``seq_len - 1`` windows on either
    side of a block are purged from training: they overlap it when the windows were cut with
    stride 1, the worst case.
    """
    groups = [np.arange(n_windows)] if labels is None else [
        np.flatnonzero(labels == c) for c in np.unique(labels)]
    train, validation = [], []
    for group in groups:
        kept, held_out = _blocked_holdout(len(group), fraction, seq_len, max_blocks)
        if held_out.size < 2 or kept.size == 0:
            raise ValueError(
                f"validation_fraction={fraction} of {len(group)} windows"
                f"{'' if labels is None else ' of one class'} leaves too few windows to "
                f"validate on (at least 2) or to train on after the {seq_len - 1}-window "
                "purge gaps; pass more windows, a larger validation_fraction, or "
                "validation_fraction=None to train on all windows without validation.")
        train.append(group[kept])
        validation.append(group[held_out])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(validation))


def _blocked_holdout(n_windows, fraction, seq_len, max_blocks):
    n_validation = int(np.ceil(fraction * n_windows))
    n_blocks = int(np.clip(n_validation // seq_len, 1, max_blocks))
    sizes = np.full(n_blocks, n_validation // n_blocks)
    sizes[:n_validation % n_blocks] += 1
    # Block b ends at the end of the b-th of n_blocks equal stretches of the windows.
    stops = np.round(np.arange(1, n_blocks + 1) * n_windows / n_blocks).astype(int)
    held_out = np.concatenate([np.arange(stop - size, stop) for stop, size in zip(stops, sizes)])
    keep = np.ones(n_windows, dtype=bool)
    purge = seq_len - 1  # BlockedWindowSplit's (window - 1) // stride at stride 1
    for stop, size in zip(stops, sizes):
        keep[max(stop - size - purge, 0):stop + purge] = False
    return np.flatnonzero(keep), held_out


def validation_score(real, generated, random_state):
    """Cheap fidelity score, lower is better: a short run of the discriminative score.

    ``benchmarks/validation_score.py`` measured how well candidate scores rank the epochs
    of a run like the full TimeGAN-protocol discriminative score does; this one ranked them
    best (see the training guide).
    """
    return discriminative_score(real, generated, n_steps=300, lr=5e-3,
                                random_state=random_state).mean


class ValidationMonitor:
    """Score the generator on validation windows; keep the best; decide early stopping.

    Parameters
    ----------
    windows : Tensor of shape (n, seq_len, n_features)
        Validation windows in the generator's [-1, 1] scale, on the training device.
    labels : Tensor of shape (n,) or None
        Their class indices (conditional fits).
    noise : tuple
        ``(z, step_noise)`` for ``n`` sequences, drawn once: every epoch is scored from it.
    every : int
        Epochs between scores (the last epoch is always scored).
    num_epochs : int
        The run's length.
    early_stopping : bool
        Stop after ``n_iter_no_change`` scores without an improvement of more than ``tol``.
    n_iter_no_change : int
    tol : float
    random_state : int
        Seeds the score's classifier (the same one at every epoch).
    """

    def __init__(self, windows, labels, noise, *, every, num_epochs, early_stopping,
                 n_iter_no_change, tol, random_state):
        self.real = _unit_scale(windows)
        self.labels = labels
        self.noise = noise
        self.every = every
        self.num_epochs = num_epochs
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.best_score = np.inf
        self.best_epoch = None
        self.best_generator = None
        self.no_improvement = 0
        self.stopped = False

    def after_epoch(self, epoch, record, trainer):
        """Score ``epoch`` if it is due (into ``record``); return whether to stop."""
        if (epoch + 1) % self.every and epoch + 1 != self.num_epochs:
            return False
        score = validation_score(self.real, self._generate(trainer), self.random_state)
        record["validation_score"] = score
        if score < self.best_score - self.tol:
            self.no_improvement = 0
        else:
            self.no_improvement += 1
        if score < self.best_score:
            self.best_score, self.best_epoch = score, epoch
            self.best_generator = {k: v.detach().clone() for k, v
                                   in trainer.sampling_generator.state_dict().items()}
        self.stopped = self.early_stopping and self.no_improvement >= self.n_iter_no_change
        if self.stopped:
            logger.info("early stopping after epoch %d: no validation improvement above "
                        "tol=%g in %d scores; best epoch %d (%.4f)", epoch, self.tol,
                        self.no_improvement, self.best_epoch, self.best_score)
        return self.stopped

    def _generate(self, trainer):
        return _unit_scale(_generated(trainer, self.noise, self.labels))

    def restore_best(self, generator):
        """Load the best scored generator into ``generator`` (if any epoch was scored)."""
        if self.best_generator is not None:
            generator.load_state_dict(self.best_generator)

    def state_dict(self):
        return {"best_score": self.best_score, "best_epoch": self.best_epoch,
                "best_generator": self.best_generator, "no_improvement": self.no_improvement,
                "stopped": self.stopped}

    def load_state_dict(self, state):
        self.best_score = state["best_score"]
        self.best_epoch = state["best_epoch"]
        self.best_generator = state["best_generator"]
        self.no_improvement = state["no_improvement"]
        self.stopped = state["stopped"]


def _generated(trainer, noise, labels):
    """Windows from the generator ``sample`` would use, for the fixed ``noise``."""
    z, step_noise = noise
    generator = trainer.sampling_generator.eval()
    with torch.inference_mode(), trainer.autocast():
        return generator(z, labels, step_noise).float()


def _unit_scale(windows):
    """[-1, 1] tensor -> [0, 1] float64 array, the metrics' native range."""
    return ((windows.detach().cpu().double().numpy() + 1) / 2).clip(0, 1)


class StabilityMonitor:
    """Watch each epoch's diagnostics; warn once per failure, naming a remedy.

    Adds ``diversity`` to every epoch's record: the mean pairwise distance of a fixed batch
    of generated windows divided by that of as many real windows (1 for a generator as
    varied as the data, 0 for one that always emits the same window). Warns with a
    :class:`~sklearn.exceptions.ConvergenceWarning` when, for ``patience`` epochs in a row,

    - the discriminator wins: it tells real from fake almost always (accuracy > 0.98 on both);
    - the discriminator sits at chance (BCE loss within 5% of 2 ln 2) while the samples are
      still easy to tell apart: the latest validation score is above 0.2, or, without
      validation, the same short classifier scores the monitor's real windows against
      generated ones above 0.2 when the streak is long enough (a discriminator at chance
      against good samples is the goal, not a failure; the streak then starts again).
      Counted from epoch ``patience`` on, since every discriminator starts at chance and a
      small network on little data may take that long to leave it;
    - the generator loss diverges (above 10 times the lowest epoch mean so far, and above 10);
    - diversity collapses: below 0.1, or below 0.5 and below half its highest value in the
      run (a generator that starts out little varied and grows varied is not collapsing).

    Parameters
    ----------
    real : Tensor of shape (n, seq_len, n_features)
        Real windows for the diversity reference, in the generator's scale.
    labels : Tensor of shape (n,) or None
    noise : tuple
        ``(z, step_noise)`` for ``n`` sequences, drawn once.
    loss : str
        The adversarial loss (the chance rule applies to ``"bce"`` only).
    patience : int, default=10
    """

    def __init__(self, real, labels, noise, *, loss, patience=10):
        self.real = real
        self.real_spread = _mean_pairwise_distance(real)
        self.labels = labels
        self.noise = noise
        self.loss = loss
        self.patience = patience
        self.streaks = dict.fromkeys(FAILURES, 0)
        self.warned = set()
        self.lowest_g_loss = np.inf
        self.highest_diversity = 0.0
        self.validation_score = None

    def after_epoch(self, epoch, record, trainer):
        """Add ``diversity`` to ``record``; warn about failures that have lasted long enough."""
        record["diversity"] = self._diversity(trainer)
        if record.get("validation_score") is not None:
            self.validation_score = record["validation_score"]
        for failure, happening in self._failures(epoch, record).items():
            self.streaks[failure] = self.streaks[failure] + 1 if happening else 0
            if self.streaks[failure] >= self.patience and failure not in self.warned:
                evidence = ""
                if failure == "discriminator_at_chance":
                    evidence = self._samples_told_apart(trainer)
                    if evidence is None:  # at chance against good samples: the goal
                        self.streaks[failure] = 0
                        continue
                self.warned.add(failure)
                record.setdefault("warnings", []).append(failure)
                message = FAILURES[failure].format(epochs=self.patience, epoch=epoch,
                                                   evidence=evidence)
                logger.warning(message)
                warnings.warn(message, ConvergenceWarning, stacklevel=2)

    def _failures(self, epoch, record):
        g_loss, diversity = record["g_loss"], record["diversity"]
        if g_loss is not None:
            self.lowest_g_loss = min(self.lowest_g_loss, g_loss)
        self.highest_diversity = max(self.highest_diversity, diversity)
        real_accuracy = record.get("d_accuracy_real")
        fake_accuracy = record.get("d_accuracy_fake")
        accuracies = None if real_accuracy is None else (real_accuracy, fake_accuracy)
        return {
            "discriminator_wins": accuracies is not None and min(accuracies) > 0.98,
            "discriminator_at_chance": (
                self.loss == "bce" and epoch >= self.patience
                and abs(record["d_loss"] / (2 * np.log(2)) - 1) < 0.05
                and (self.validation_score is None or self.validation_score > 0.2)),
            "generator_diverges": g_loss is not None and g_loss > 10 * max(
                self.lowest_g_loss, 1.0),
            "diversity_collapses": diversity < 0.1 or (
                diversity < 0.5 and diversity < 0.5 * self.highest_diversity),
        }

    def _samples_told_apart(self, trainer):
        """The evidence that generated windows are still easy to tell from real ones (a
        short classifier's score above 0.2), or None when they are not."""
        if self.validation_score is not None:  # the rule already required it above 0.2
            return (f" while the samples are still easy to tell apart (validation score "
                    f"{self.validation_score:.2f})")
        generated = _unit_scale(_generated(trainer, self.noise, self.labels))
        score = validation_score(_unit_scale(self.real), generated, 0)
        if score <= 0.2:
            return None
        return (f" while a short classifier still tells {len(self.real)} generated windows "
                f"from real ones (score {score:.2f})")

    def _diversity(self, trainer):
        generated = _generated(trainer, self.noise, self.labels)
        return float(_mean_pairwise_distance(generated) / max(self.real_spread, 1e-12))

    def state_dict(self):
        return {"streaks": dict(self.streaks), "warned": sorted(self.warned),
                "lowest_g_loss": self.lowest_g_loss, "highest_diversity": self.highest_diversity,
                "validation_score": self.validation_score}

    def load_state_dict(self, state):
        self.streaks = dict(state["streaks"])
        self.warned = set(state["warned"])
        self.lowest_g_loss = state["lowest_g_loss"]
        self.highest_diversity = state["highest_diversity"]
        self.validation_score = state["validation_score"]


FAILURES = {
    "discriminator_wins": (
        "The discriminator has told real from generated windows almost perfectly for "
        "{epochs} epochs (to epoch {epoch}): the generator gets little gradient. Lower "
        "discriminator_lr or discriminator_steps, or add moment_weight."),
    "discriminator_at_chance": (
        "The discriminator's loss has sat at chance (2 ln 2) for {epochs} epochs (to epoch "
        "{epoch}){evidence}: it has stopped learning and no longer teaches the generator. "
        "Raise discriminator_steps or discriminator_lr."),
    "generator_diverges": (
        "The generator's loss has been over 10 times its lowest for {epochs} epochs (to epoch "
        "{epoch}): training is diverging. Lower lr and discriminator_lr."),
    "diversity_collapses": (
        "Generated windows have varied less than half as much as real ones for {epochs} "
        "epochs (to epoch {epoch}): the generator is collapsing to a few shapes. Lower lr, "
        "raise noise_dim, or set ema_decay."),
}


def _mean_pairwise_distance(windows):
    flat = windows.detach().float().reshape(windows.shape[0], -1)
    n = flat.shape[0]
    # Exact differences, not the matrix-product shortcut: identical windows give exactly 0.
    distances = torch.cdist(flat, flat, compute_mode="donot_use_mm_for_euclid_dist")
    return float(distances.sum() / max(n * (n - 1), 1))

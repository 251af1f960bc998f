"""BoltGANSynthesizer: the scikit-learn face of Bolt-GAN."""

import logging
import math
import os
import time
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._calibration import SpreadCalibration
from ._categorical import CategoricalLayout, check_categorical_features
from ._feedback import FeedbackScheduler, resolve_epochs
from ._losses import LOSSES
from ._monitoring import StabilityMonitor, ValidationMonitor, validation_split
from ._networks import LSTMDiscriminator, LSTMGenerator
from ._persistence import CheckpointStore, fingerprint, read_model_file, write_model_file
from ._principal_axes import PrincipalAxes
from ._training import AdversarialTrainer, bfloat16_supported
from ._validation import check_n_samples, check_sequences
from ._version import __version__
from .metrics import kl_similarity
from .preprocessing import TimeSeriesMinMaxScaler

logger = logging.getLogger("skboltgan")

_MAX_SEED = np.iinfo(np.int32).max
_DIVERSITY_BATCH = 128  # windows generated each epoch to measure sample diversity
# Generated windows the spread calibration is fitted on: its standard deviations then
# carry well under 1% sampling error, and generating them costs a fraction of an epoch.
_CALIBRATION_WINDOWS = 4096
_SAMPLE_CHUNK = 1024  # windows generated per forward pass (see iter_samples)
# Discriminator batches of a num_epochs="auto" fit. A GAN's progress follows its updates,
# not its passes over the data: the epoch screen (docs: quality ablation) found the best
# epochs near this many batches on 3,662 stock windows and on 19,711 energy windows alike.
AUTO_BATCHES = 8000
# Lag-1 autocorrelation under which a feature counts as white noise, and the generator maps
# each step's noise straight to it (LSTMGenerator's noise skip). In the networks'
# coordinates, energy's random columns have 0.00 and -0.01 and its other features 0.75 or
# more; sines 0.97. Stocks' price spreads (lesser principal axes, -0.01 to 0.07) are white
# too, but they are relations between features rather than features, and the skip on them
# broke two stock seeds of five in the protocol run (0.449, 0.331): a group's lesser axes
# never get it.
WHITE_NOISE = 0.2


def _positive_int():
    return Interval(Integral, 1, None, closed="left")


def _epochs_or_fraction():
    return [_positive_int(), Interval(RealNotInt, 0, 1, closed="neither")]


class BoltGANSynthesizer(BaseEstimator):
    """Generate synthetic multivariate time series with Bolt-GAN.

    An LSTM generator and an LSTM discriminator are trained adversarially; every
    ``feedback_interval`` epochs a "bolt" measures how far generated data is from real data
    (KL divergence) and, for the next ``feedback_epochs`` epochs, feeds that measure back
    into the generator's latent input (paper Eq. 5; see the user guide on the feedback
    mechanism). Data are scaled internally to the generator's ``tanh`` range, so
    :meth:`sample` returns the units :meth:`fit` saw.

    Parameters
    ----------
    latent_dim : int, default=100
        Size of the noise vector fed to the generator, one per sequence.
    lstm_hidden : int, default=64
        Hidden units of both LSTMs (the paper uses 308).
    lstm_layers : int, default=2
        Stacked LSTM layers in both networks (the paper uses 3).
    dropout : float, default=0.3
        Dropout between the discriminator's LSTM layers and in its head, and between the
        generator's LSTM layers in the paper's design (``noise_dim=0``) only: a generator
        fed per-step noise trains without dropout, so the windows the discriminator judges
        in training are those :meth:`sample` returns.
    num_epochs : int or "auto", default="auto"
        Training epochs, refinement epochs included (the paper uses 2500). ``"auto"``
        trains for the epochs of 8,000 discriminator batches (1,600 generator updates at
        ``discriminator_steps=5``), whatever the number of windows: 167 epochs on the 3,088
        stock windows of the quality benchmark, 52 on 10,000 sines, 30 on 17,533 energy
        windows. A GAN's progress follows its updates, not its passes over the data: scored
        along one fit, energy was best near 8,200 batches and stocks between 5,800 and
        9,600 (the quality ablation in the user guide). On 2 CPU cores of an AMD EPYC, two
        such fits of the default network side by side, one torch thread each, took at most
        10.3 minutes on stocks, 7.7 on sines and 6.7 on energy (``benchmarks/bench_quality.py
        --n-jobs 2``); one fit alone on 2 cores of an Intel Xeon, 2.9, 2.6 and 2.4 minutes
        (``benchmarks/bench_fit_time.py``). Small data gets as many
        updates: 8,000 epochs of one batch each for 64 to 127 windows.
    batch_size : int, default=64
        Sequences per batch (the paper uses 32). ``fit`` needs at least this many.
    lr : float, default=1e-3
        Adam learning rate of the generator, and of the discriminator unless
        ``discriminator_lr`` is set (the paper uses 2e-4 for both).
    beta1, beta2 : float, default=0.5, 0.999
        Adam moment coefficients.
    feedback_interval : int, float in (0, 1) or None, default=0.2
        Epochs between bolts; a float is a fraction of ``num_epochs`` (of the epochs
        ``"auto"`` resolves to; rounded up, at least one epoch). None disables the bolt (a plain LSTM GAN, the ablation baseline).
    feedback_epochs : int or float in (0, 1), default=0.04
        Refinement epochs after each bolt, counted inside ``num_epochs``; a float is a
        fraction of ``num_epochs``.
    feedback_strength : float, default=0.1
        Weight of the feedback term added to the latent during refinement.
    feedback_sample_size : int, default=256
        Real and generated sequences drawn to estimate the two KL divergences at a bolt.
    noise_dim : int, default=16
        Width of the fresh N(0, 1) noise fed to the generator's LSTM at every recurrent step
        (the sequence latent then sets the LSTM's initial state and is concatenated to every
        step). Features that are white noise in the data (``white_features_``) also take a
        linear map of each step's noise past the LSTM. 0 selects the paper's design: the
        projected latent repeated at every step from a zero state, whose windows settle on
        a flat line.
    block_size : int, default=1
        Time steps the generator emits per recurrent step, through position-specific
        output heads (DoppelGANger's batch generation); the LSTM runs
        ``ceil(seq_len / block_size)`` steps.
    decorrelate : bool, default=True
        Numeric features that move together (correlated 0.99 or more, as stocks' Open,
        High, Low and Close) are rotated onto their principal axes, each axis scaled to
        [-1, 1] like a feature, and :meth:`sample` rotates back (within each feature's
        fitted range). The differences the data keep to a few thousandths of a feature's
        range then lie along axes of their own at full range, so the discriminator judges
        them as closely as the features themselves and the samples keep them. Other
        features are scaled one at a time, as with False (the paper's scaling); data
        without such features are unaffected.
    loss : {"bce", "lsgan", "wgan-gp"}, default="bce"
        Adversarial loss: binary cross-entropy on logits (the paper's), least squares, or
        the Wasserstein loss with a per-sample gradient penalty.
    gradient_penalty : float, default=10.0
        Weight of the gradient penalty (``loss="wgan-gp"`` only).
    moment_weight : float, default=10.0
        Weight of TimeGAN's moment-matching term (per-step, per-feature batch means and
        standard deviations of fake against real, in the [-1, 1] training scale) added to
        the generator loss; 0 turns it off.
    step_logits : bool, default=True
        The discriminator emits a logit at every time step (RCGAN, TimeGAN) instead of one
        per sequence from its flattened hidden states (the paper's head).
    discriminator_lr : float or None, default=None
        The discriminator's Adam learning rate; None uses ``lr``.
    discriminator_steps : int, default=5
        Discriminator updates per generator update. Each discriminator update sees a fresh
        real batch and fresh fakes, and an epoch is one pass of the real data through the
        discriminator, so raising it lowers the generator's updates per epoch.
    categorical_features : array-like of int, boolean mask or None, default=None
        Features whose values are categories (a device state coded 0/1/2, a missingness
        indicator): each value seen in ``fit`` becomes one column of a one-hot group for the
        networks, the generator draws the group through a straight-through Gumbel-softmax
        (exact one-hot forward, as the real data, so the discriminator cannot separate hard
        from soft values; softmax gradients backward), and :meth:`sample` writes back the
        drawn category's value, so a categorical feature only ever holds values seen in
        ``fit``. Other features are continuous. :class:`~skboltgan.TableSynthesizer` sets
        this from a table's text, boolean and category columns.
    precision : {"float32", "bfloat16"}, default="float32"
        ``"bfloat16"`` runs forward passes under autocast (CPU bfloat16, CUDA mixed precision).
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        Torch device; ``"auto"`` picks CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, noise and batch order (independent streams). The same
        seed on the same data and machine gives identical weights and samples. The global
        torch and numpy random states are never changed.
    n_threads : int or None, default=None
        Torch intra-op threads while fitting and sampling (restored afterwards). None keeps
        torch's setting, which joblib already limits to ``cores // n_jobs`` inside
        ``GridSearchCV(n_jobs=...)`` workers, so parallel fits do not oversubscribe.
    ema_decay : float in [0, 1), default=0.999
        The fitted generator is an exponential moving average of the generator's weights
        over its updates, with this decay, warmed up as ``min(ema_decay, (1 + n) / (10 + n))``
        after ``n`` updates: the average spans about the last tenth of the updates until
        ``1 / (1 - ema_decay)`` updates, and that many after (at the defaults on stocks,
        1,700 updates in all, the warm-up rules throughout). It evens out the GAN's
        oscillation from update to update; 0 keeps the last weights. An average of
        networks spreads its outputs less than the networks it averages, so ``fit`` ends by
        fitting ``spread_calibration_``, which gives the averaged generator's windows the
        training windows' spreads again.
    validation_fraction : float in (0, 0.5) or None, default=None
        Share of the windows held out to score the generator during training: up to five
        blocks spread over the windows (of each class for a conditional fit), with the
        ``seq_len - 1`` windows either side of each block, which overlap it, left out of
        training too. The generator of the best-scored epoch is kept at the end
        (``best_epoch_``). None trains on all windows and keeps the last epoch.
    validation_every : int, default=5
        Epochs between validation scores (the last epoch is always scored). Each score is
        a short post-hoc GRU classifier run (300 steps) of real against generated windows.
    early_stopping : bool, default=False
        Stop training when the validation score has not improved by more than ``tol`` for
        ``n_iter_no_change`` consecutive scores (needs ``validation_fraction``). The bolt
        schedule is not shortened: a run that stops early skips the bolts after it.
    n_iter_no_change : int, default=10
        Validation scores without improvement before early stopping.
    tol : float, default=1e-3
        Least decrease of the validation score that counts as an improvement.
    warm_start : bool, default=False
        When True and the synthesizer is fitted, ``fit`` trains ``num_epochs`` more epochs
        from where the last fit ended (its last epoch's weights, optimiser, noise and batch
        order states, and its weight average), continuing the bolt schedule and
        ``history_``; the data must have the same shape and classes, and are scaled as in
        the first fit. The same seed and calls give identical weights. A model loaded from a
        file holds no optimiser state: it continues from its saved weights with fresh
        optimisers.
    max_time : float or None, default=None
        Seconds of training after which ``fit`` stops at the next epoch boundary (keeping
        the best validated epoch when validating). The one setting that trades bit-for-bit
        reproducibility for a wall-clock bound: where it stops depends on the machine's
        speed. With ``checkpoint_dir``, a later ``fit`` continues from where it stopped.
    checkpoint_dir : str, path or None, default=None
        When set, ``fit`` writes a checkpoint (weights, optimiser and RNG states, history)
        every ``checkpoint_every`` epochs, and a later ``fit`` with the same configuration and
        data resumes from it. Each configuration/data pair has its own file there.
    checkpoint_every : int, default=10
        Epochs between checkpoints.
    verbose : int, default=0
        Show a progress bar over epochs and log bolts at INFO level when > 0.

    Attributes
    ----------
    generator_state_, discriminator_state_ : dict of str to ndarray
        Learned weights as plain arrays; the torch modules are rebuilt from them on demand.
    generator_, discriminator_ : torch.nn.Module
        The networks (read-only views rebuilt from the arrays above).
    scaler_ : TimeSeriesMinMaxScaler
        Maps data to the generator's range [-1, 1] and back.
    principal_axes_ : object or None
        With ``decorrelate``, the axes (of the scaled data) that the networks' coordinates
        are taken along: the principal axes of each group of correlated numeric features;
        None when there is no such group or without ``decorrelate``.
    white_features_ : ndarray of int
        The networks' coordinates that are white noise in the training windows (lag-1
        autocorrelation under 0.2 in absolute value): features, or with ``decorrelate`` a
        correlated group's leading principal axis, never its lesser ones. The generator
        maps each step's noise straight to them as well as through its LSTM
        (``noise_dim > 0`` only; empty otherwise).
    spread_calibration_ : object or None
        With weight averaging (``ema_decay > 0``), the map :meth:`sample` applies to each
        numeric feature of the generated windows (scaled, after any principal axes are
        turned back): a stretch of the window levels (each window's mean over its steps,
        ``level_scale``), one of the steps' deviations from their level
        (``within_scale``) and a ``shift``, fitted at the end of ``fit`` on 4,096
        generated windows so that they take the training windows' mean, standard
        deviation of levels and standard deviation of deviations, then clipped to the
        feature's fitted range (as stochastic weight averaging recomputes batch-norm
        statistics after averaging). None without averaging.
    history_ : list of dict
        One JSON-serialisable record per epoch: ``epoch``, ``phase`` (``"normal"`` or
        ``"bolt"``), ``d_loss``, ``g_loss`` (means over the epoch's updates; ``g_loss`` is
        None in an epoch with fewer batches than ``discriminator_steps`` and no generator
        update), ``seconds``, the stability diagnostics ``d_accuracy_real`` and
        ``d_accuracy_fake`` (shares the discriminator got right; not for ``"wgan-gp"``),
        ``d_grad_norm``, ``g_grad_norm`` (mean gradient norms) and ``diversity`` (spread of
        a fixed batch of generated windows over that of real ones), ``warnings`` where a
        stability warning fired (a :class:`~sklearn.exceptions.ConvergenceWarning`, once
        per failure and fit: the discriminator winning outright or sitting at chance, the
        generator loss diverging, diversity collapsing), at each bolt ``k1``, ``k2`` and
        ``bolt_seconds``, and at each validation ``validation_score``.
    best_epoch_ : int or None
        The (0-based) epoch whose generator was kept: the lowest validation score. None
        without validation (``validation_fraction=None``), when the last epoch is kept.
    best_score_ : float or None
        Its validation score (0 means the short classifier could not tell its samples from
        the validation windows, 0.5 that it always could).
    n_features_in_ : int
        Number of features per time step.
    categories_ : list of ndarray
        The values each of ``categorical_features`` took in ``fit``, sorted (empty without
        categorical features).
    seq_len_ : int
        Length of the sequences seen in ``fit``.
    classes_ : ndarray of shape (n_classes,) or None
        Class labels when fitted with ``y`` (conditional generation), else None.
    class_prior_ : ndarray of shape (n_classes,) or None
        Class frequencies in ``fit``; used by :meth:`sample` when no ``y`` is given.
    device_ : str
        Device used in ``fit``.

    See Also
    --------
    skboltgan.preprocessing.SlidingWindowTransformer : cut a long series into windows.

    Notes
    -----
    The paper's configuration is ``latent_dim=100, lstm_hidden=308, lstm_layers=3,
    dropout=0.3, batch_size=32, lr=2e-4, num_epochs=2500, feedback_interval=500,
    feedback_epochs=100`` with its generator and training game, ``noise_dim=0,
    block_size=1, discriminator_steps=1, moment_weight=0, step_logits=False``; it takes days
    per fit on a 2-core CPU. The network size and learning rate of the defaults won a
    measured search within 150 s of training on the stock data
    (``benchmarks/search_defaults.py``); the generator design and objective (``noise_dim``,
    ``discriminator_steps``, ``moment_weight``, ``step_logits``) won an ablation at equal
    compute on stocks and sines (``benchmarks/ablation_quality.py``); ``lstm_hidden=64``
    and ``num_epochs="auto"`` won its screen along one fit on all three benchmark datasets
    and a 5-seed confirmation; ``block_size=1`` with no dropout in the generator won a
    5-seed screen on all three; ``decorrelate`` fixed what a post-hoc classifier told the
    stock samples by, and the noise skip onto white-noise features (``white_features_``)
    closed energy's predictive gap, and the spread calibration of the averaged
    generator's samples (``spread_calibration_``) brought energy's samples off typical
    values (see the quality ablation in the user guide). In the quality benchmark (5
    seeds) they scored 0.062 on stocks (0.057 before the calibration, on another CPU;
    0.258 over three seeds without ``decorrelate``, 0.087 with ``block_size=4``), 0.025
    on sines (0.022 before the calibration; 0.119 with ``block_size=4``) and 0.259 on
    energy (0.291 without the calibration, 0.315 without the noise skip, 0.339 without
    ``decorrelate`` over three seeds).

    Examples
    --------
    >>> from skboltgan import BoltGANSynthesizer
    >>> from skboltgan.datasets import make_sines
    >>> X = make_sines(64, seq_len=12, n_features=2, random_state=0)
    >>> gan = BoltGANSynthesizer(lstm_hidden=8, lstm_layers=1, num_epochs=2, batch_size=16,
    ...                          random_state=0).fit(X)
    >>> gan.sample(5).shape
    (5, 12, 2)
    """

    _parameter_constraints = {
        "latent_dim": [_positive_int()],
        "lstm_hidden": [_positive_int()],
        "lstm_layers": [_positive_int()],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "num_epochs": [_positive_int(), StrOptions({"auto"})],
        "batch_size": [_positive_int()],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "beta1": [Interval(Real, 0, 1, closed="left")],
        "beta2": [Interval(Real, 0, 1, closed="left")],
        "feedback_interval": [*_epochs_or_fraction(), None],
        "feedback_epochs": _epochs_or_fraction(),
        "feedback_strength": [Interval(Real, 0, None, closed="left")],
        "feedback_sample_size": [Interval(Integral, 2, None, closed="left")],
        "noise_dim": [Interval(Integral, 0, None, closed="left")],
        "block_size": [_positive_int()],
        "decorrelate": ["boolean"],
        "loss": [StrOptions(set(LOSSES))],
        "gradient_penalty": [Interval(Real, 0, None, closed="left")],
        "moment_weight": [Interval(Real, 0, None, closed="left")],
        "step_logits": ["boolean"],
        "discriminator_lr": [Interval(Real, 0, None, closed="neither"), None],
        "discriminator_steps": [_positive_int()],
        "categorical_features": ["array-like", None],
        "precision": [StrOptions({"float32", "bfloat16"})],
        "device": [str],
        "n_threads": [_positive_int(), None],
        "ema_decay": [Interval(Real, 0, 1, closed="left")],
        "validation_fraction": [Interval(Real, 0, 0.5, closed="neither"), None],
        "validation_every": [_positive_int()],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [_positive_int()],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "checkpoint_dir": [str, os.PathLike, None],
        "checkpoint_every": [_positive_int()],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, *, latent_dim=100, lstm_hidden=64, lstm_layers=2, dropout=0.3,
                 num_epochs="auto", batch_size=64, lr=1e-3, beta1=0.5, beta2=0.999,
                 feedback_interval=0.2, feedback_epochs=0.04, feedback_strength=0.1,
                 feedback_sample_size=256, noise_dim=16, block_size=1, decorrelate=True,
                 loss="bce", gradient_penalty=10.0, moment_weight=10.0, step_logits=True,
                 discriminator_lr=None, discriminator_steps=5, ema_decay=0.999,
                 validation_fraction=None,
                 validation_every=5, early_stopping=False, n_iter_no_change=10, tol=1e-3,
                 warm_start=False, max_time=None, categorical_features=None,
                 precision="float32", device="auto", n_threads=None, checkpoint_dir=None,
                 checkpoint_every=10, random_state=None, verbose=0):
        self.latent_dim = latent_dim
        self.lstm_hidden = lstm_hidden
        self.lstm_layers = lstm_layers
        self.dropout = dropout
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.feedback_interval = feedback_interval
        self.feedback_epochs = feedback_epochs
        self.feedback_strength = feedback_strength
        self.feedback_sample_size = feedback_sample_size
        self.noise_dim = noise_dim
        self.block_size = block_size
        self.decorrelate = decorrelate
        self.loss = loss
        self.gradient_penalty = gradient_penalty
        self.moment_weight = moment_weight
        self.step_logits = step_logits
        self.discriminator_lr = discriminator_lr
        self.discriminator_steps = discriminator_steps
        self.ema_decay = ema_decay
        self.validation_fraction = validation_fraction
        self.validation_every = validation_every
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.max_time = max_time
        self.categorical_features = categorical_features
        self.precision = precision
        self.device = device
        self.n_threads = n_threads
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the generator and discriminator on sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_sequences, seq_len, n_features) or (n_sequences, seq_len)
            Training sequences; 2D input means univariate sequences.
        y : array-like of shape (n_sequences,), default=None
            Class labels. When given, one class-conditional generator is trained and
            :meth:`sample` can be asked for sequences of given classes.

        Returns
        -------
        self : BoltGANSynthesizer
            The fitted synthesizer.
        """
        X = check_sequences(X, min_sequences=self.batch_size)
        classes, class_prior, labels = _encode_fit_labels(y, X.shape[0])
        warm = self.warm_start and hasattr(self, "generator_state_")
        if warm:
            self._check_warm_start_data(X, classes)
        train, validation = self._split(X, labels)
        device = _resolve_device(self.device)
        self._check_precision(device)
        # The scaler sees every window, so generated data can reach the validation range.
        scaler = self.scaler_ if warm else TimeSeriesMinMaxScaler(feature_range=(-1, 1)).fit(X)
        layout = self._layout() if warm else CategoricalLayout.fit(
            X, check_categorical_features(self.categorical_features, X.shape[2]))
        axes = (self._principal_axes() if warm
                else self._fit_principal_axes(scaler, layout, X))
        data = _network_tensor(scaler, layout, axes, X, device)
        white = (self._white_features() if warm
                 else _white_features(data, self.noise_dim, _minor_axes(axes)))
        if labels is not None:
            labels = torch.as_tensor(labels, dtype=torch.long, device=device)
        (init_seed, noise_seed, shuffle_seed, validation_seed, stability_seed,
         calibration_seed) = check_random_state(self.random_state).randint(_MAX_SEED, size=6)
        with torch.random.fork_rng(devices=_cuda_devices(device)), self._threads():
            torch.manual_seed(init_seed)  # weight init and dropout; restored on exit
            n_classes = 0 if classes is None else len(classes)
            trainer = self._make_trainer(X.shape[1], layout, white, n_classes, device,
                                         noise_seed, shuffle_seed)
            earlier = self._load_warm_start(trainer) if warm else None
            num_epochs = self._resolve_num_epochs(train.size)
            total_epochs = len(earlier or ()) + num_epochs
            monitors = Monitors(
                self._make_validation(trainer, data, labels, validation, validation_seed,
                                      total_epochs),
                self._make_stability(trainer, *_subset(data, labels, train), stability_seed))
            history, final_state = self._train(
                trainer, *_subset(data, labels, train), monitors,
                self._checkpoint_store(X, y, earlier), num_epochs, earlier)
            calibration = self._fit_spread_calibration(trainer, scaler, layout, axes, X, train,
                                                       labels, calibration_seed)
        # Fitted attributes are set only now, so a failed fit leaves no half-fitted model.
        self._final_state = _to_numpy_tree(final_state)  # where a warm start continues
        self.scaler_, self.principal_axes_, self.white_features_ = scaler, axes, white
        self.spread_calibration_ = calibration
        self.classes_, self.class_prior_ = classes, class_prior
        self.categories_ = layout.categories
        validation = monitors.validation
        self.best_epoch_ = None if validation is None else validation.best_epoch
        self.best_score_ = None if validation is None else float(validation.best_score)
        self._store_fitted(trainer.sampling_generator, trainer.discriminator, history, X.shape,
                           device)
        return self

    def _fit_principal_axes(self, scaler, layout, X):
        """The principal axes of the numeric features that move together, in the networks'
        space; None when ``decorrelate`` is off or no two numeric features correlate
        enough."""
        n_numeric = len(layout.numeric)
        if not self.decorrelate or n_numeric < 2:
            return None
        return PrincipalAxes.fit(lambda: _encoded_chunks(scaler, layout, X),
                                 np.arange(n_numeric))

    def _fit_spread_calibration(self, trainer, scaler, layout, axes, X, train, labels, seed):
        """The map that gives the weight-averaged generator's windows the training windows'
        spreads (``_calibration.py``); None without weight averaging."""
        if not self.ema_decay or len(layout.numeric) == 0:
            return None
        rng = _torch_rng(seed)
        n = min(_CALIBRATION_WINDOWS, len(train))
        # Labels of randomly chosen training windows: the classes in their fit frequencies.
        chosen = torch.randperm(len(train), generator=rng)[:n]
        labels = None if labels is None else labels[torch.as_tensor(train)[chosen].to(
            labels.device)]
        generator, device = trainer.sampling_generator.eval(), trainer.device
        generated = np.concatenate([
            self._generate(generator, len(part), None if labels is None else labels[part],
                           rng, device)
            for part in torch.arange(n, device=device).split(_SAMPLE_CHUNK)])
        if axes is not None:
            generated = axes.inverse_transform(generated)
        n_numeric = len(layout.numeric)

        def training_windows():
            for start in range(0, len(train), _SAMPLE_CHUNK):
                part = X[train[start:start + _SAMPLE_CHUNK]]
                yield scaler.transform(part)[..., layout.numeric]

        calibration = SpreadCalibration.fit(generated[..., :n_numeric], training_windows)
        logger.info("spread calibration: level stretches %.3f to %.3f, within-window "
                    "stretches %.3f to %.3f", calibration.level_scale.min(),
                    calibration.level_scale.max(), calibration.within_scale.min(),
                    calibration.within_scale.max())
        return calibration

    def _spread_calibration(self):
        # Absent from a model pickled before the calibration existed, which sampled without.
        return getattr(self, "spread_calibration_", None)

    def _principal_axes(self):
        # Absent from a model pickled before decorrelate existed, which was fitted without.
        return getattr(self, "principal_axes_", None)

    def _white_features(self):
        # Absent from a model pickled before the noise skip existed, which had none.
        return getattr(self, "white_features_", np.zeros(0, dtype=int))

    def _check_warm_start_data(self, X, classes):
        same_classes = (classes is None) == (self.classes_ is None) and (
            classes is None or np.array_equal(classes, self.classes_))
        if X.shape[1:] != (self.seq_len_, self.n_features_in_) or not same_classes:
            raise ValueError(
                f"warm_start=True continues the earlier fit, on sequences of "
                f"{self.seq_len_} steps x {self.n_features_in_} features"
                f"{'' if self.classes_ is None else f' with classes {list(self.classes_)}'}; "
                f"got {X.shape[1]} x {X.shape[2]}"
                f"{'' if classes is None else f' with classes {list(classes)}'}. Pass data "
                "of that shape, or set warm_start=False to fit afresh.")

    def _load_warm_start(self, trainer):
        """Put the earlier fit's end state into ``trainer``; return its history."""
        state = getattr(self, "_final_state", None)
        if state is None:  # loaded from a file: weights only
            trainer.generator.load_state_dict(_to_tensors(self.generator_state_))
            trainer.discriminator.load_state_dict(_to_tensors(self.discriminator_state_))
            if trainer.ema_generator is not None:
                trainer.ema_generator.load_state_dict(_to_tensors(self.generator_state_))
            logger.info("warm start from saved weights with fresh optimiser states")
        else:
            trainer.load_state_dict(_to_torch_tree(state))
        return list(self.history_)

    def _split(self, X, labels):
        """Training and validation window indices (validation None without validation)."""
        if self.validation_fraction is None:
            return np.arange(X.shape[0]), None
        train, validation = validation_split(X.shape[0], labels, self.validation_fraction,
                                             X.shape[1])
        if train.size < self.batch_size:
            raise ValueError(
                f"After holding out validation_fraction={self.validation_fraction} of the "
                f"{X.shape[0]} windows (and the overlapping windows before them), "
                f"{train.size} are left to train on, fewer than batch_size="
                f"{self.batch_size}; pass more windows, lower batch_size, or set "
                "validation_fraction=None.")
        return train, validation

    def _make_validation(self, trainer, data, labels, validation, seed, total_epochs):
        if validation is None:
            return None
        noise = trainer.generator.draw_noise(len(validation), _torch_rng(seed, data.device),
                                             data.device)
        windows, window_labels = _subset(data, labels, validation)
        return ValidationMonitor(
            windows, window_labels, noise, every=self.validation_every,
            num_epochs=total_epochs, early_stopping=self.early_stopping,
            n_iter_no_change=self.n_iter_no_change, tol=self.tol, random_state=int(seed))

    def _make_stability(self, trainer, data, labels, seed):
        rng = _torch_rng(seed)
        n = min(_DIVERSITY_BATCH, data.shape[0])
        chosen = torch.randperm(data.shape[0], generator=rng)[:n].to(data.device)
        noise = trainer.generator.draw_noise(n, _torch_rng(seed, data.device), data.device)
        windows, window_labels = _subset(data, labels, chosen)
        return StabilityMonitor(windows, window_labels, noise, loss=self.loss)

    def _check_precision(self, device):
        if self.precision == "bfloat16" and not bfloat16_supported(device.type):
            raise ValueError(
                f"precision='bfloat16' is not supported on this {device.type} device (CPU "
                "bfloat16 LSTMs need AVX-512 BF16 or AMX; CUDA needs a bf16-capable GPU); "
                "use precision='float32'.")

    def _make_trainer(self, seq_len, layout, white_features, n_classes, device, noise_seed,
                      shuffle_seed):
        generator, discriminator = self._build_networks(seq_len, layout, white_features,
                                                        n_classes, device)
        return AdversarialTrainer(
            generator, discriminator, batch_size=self.batch_size, lr=self.lr,
            betas=(self.beta1, self.beta2), loss=self.loss, precision=self.precision,
            device=device, noise_rng=_torch_rng(noise_seed, device),
            shuffle_rng=_torch_rng(shuffle_seed), discriminator_lr=self.discriminator_lr,
            discriminator_steps=self.discriminator_steps,
            gradient_penalty=self.gradient_penalty, moment_weight=self.moment_weight,
            ema_decay=self.ema_decay)

    def _train(self, trainer, data, labels, monitors, store, num_epochs, earlier=None):
        """Run the trainer ``num_epochs`` epochs (``num_epochs`` resolved), resuming from and
        writing checkpoints; survive Ctrl-C cleanly.

        ``earlier`` is a warm start's history (the trainer already holds its end state).
        Returns the history and the trainer's state at its end; with validation, the
        generator of the best-scored epoch is then restored into the trainer.
        """
        history = self._resume(trainer, monitors, store) if earlier is None else earlier
        scheduler = self._scheduler(len(earlier or ()) + num_epochs, num_epochs)
        last_good = {}
        deadline = None if self.max_time is None else time.monotonic() + self.max_time

        def on_epoch_end(epoch, history):
            stop = monitors.after_epoch(epoch, history[-1], trainer)
            if deadline is not None and time.monotonic() > deadline and not stop:
                logger.info("max_time=%gs reached after epoch %d", self.max_time, epoch)
                stop = True
            last_good.update(states=monitors.states(trainer), history=list(history))
            if store is not None and (stop or (epoch + 1) % self.checkpoint_every == 0
                                      or epoch + 1 == scheduler.num_epochs):
                store.save(last_good["history"], **last_good["states"])
            return stop

        try:
            if not monitors.stopped:  # a resumed run may have stopped early already
                history = trainer.fit(data, labels, scheduler,
                                      strength=self.feedback_strength,
                                      sample_size=self.feedback_sample_size, history=history,
                                      verbose=self.verbose, on_epoch_end=on_epoch_end)
        except KeyboardInterrupt:
            if not last_good:
                raise
            history = self._stop_at_last_good(trainer, monitors, store, last_good,
                                              scheduler.num_epochs)
        final_state = trainer.state_dict()
        if monitors.validation is not None:
            monitors.validation.restore_best(trainer.sampling_generator)
        return history, final_state

    def _stop_at_last_good(self, trainer, monitors, store, last_good, total_epochs):
        # The interrupted epoch may have half-updated the weights: roll back to the end of
        # the last completed epoch, which is also what the checkpoint holds.
        monitors.load_states(trainer, last_good["states"])
        if store is not None:
            store.save(last_good["history"], **last_good["states"])
        epochs = len(last_good["history"])
        kept = "last completed" if monitors.validation is None else "best validated"
        warnings.warn(
            f"fit was interrupted after {epochs} of {total_epochs} epochs; the model "
            f"holds the {kept} epoch. Set checkpoint_dir and call fit again to resume.",
            UserWarning)
        return last_good["history"]

    def _resume(self, trainer, monitors, store):
        checkpoint = None if store is None else store.load()
        if checkpoint is None:
            return []
        monitors.load_states(trainer, checkpoint)
        logger.info("resuming from %s after epoch %d", store.path, len(checkpoint["history"]))
        return checkpoint["history"]

    def _checkpoint_store(self, X, y, earlier=None):
        if self.checkpoint_dir is None:
            return None
        excluded = {"verbose", "checkpoint_dir", "checkpoint_every", "n_threads", "device",
                    "max_time", "warm_start"}
        params = {k: v for k, v in self.get_params().items() if k not in excluded}
        if earlier is not None:  # a warm start's run is its own: it never resumes the first
            params["continues_after_epochs"] = len(earlier)
        return CheckpointStore(self.checkpoint_dir, fingerprint(params, X, y))

    @contextmanager
    def _threads(self):
        previous = torch.get_num_threads()
        if self.n_threads is not None:
            torch.set_num_threads(self.n_threads)
        try:
            yield
        finally:
            torch.set_num_threads(previous)

    def _scheduler(self, total_epochs, num_epochs):
        """The bolt schedule over ``total_epochs`` (more than ``num_epochs`` in a warm start),
        its interval and refinement resolved against this fit's ``num_epochs``."""
        return FeedbackScheduler(total_epochs,
                                 resolve_epochs(self.feedback_interval, num_epochs),
                                 resolve_epochs(self.feedback_epochs, num_epochs))

    def _resolve_num_epochs(self, n_windows):
        """``num_epochs``, "auto" made the epochs of ``AUTO_BATCHES`` batches of
        ``n_windows`` training windows (the last partial batch of each epoch is dropped)."""
        if self.num_epochs != "auto":
            return self.num_epochs
        batches_per_epoch = max(1, n_windows // self.batch_size)
        epochs = math.ceil(AUTO_BATCHES / batches_per_epoch)
        logger.info("num_epochs='auto': %d epochs of %d windows (%d batches)", epochs,
                    n_windows, epochs * batches_per_epoch)
        return epochs

    def _layout(self):
        """The fitted features' layout in the networks (numeric, then one-hot groups)."""
        categorical = check_categorical_features(self.categorical_features,
                                                 self.n_features_in_)
        return CategoricalLayout(self.n_features_in_, categorical,
                                 getattr(self, "categories_", []))

    def _n_classes(self):
        return 0 if getattr(self, "classes_", None) is None else len(self.classes_)

    def _build_networks(self, seq_len, layout, white_features, n_classes, device):
        n_features = layout.n_network_features
        generator = LSTMGenerator(self.latent_dim, seq_len, n_features, self.lstm_hidden,
                                  self.lstm_layers, self._generator_dropout(), n_classes,
                                  noise_dim=self.noise_dim, block_size=self.block_size,
                                  categorical_sizes=layout.group_sizes,
                                  noise_skip_features=tuple(white_features))
        discriminator = LSTMDiscriminator(seq_len, n_features, self.lstm_hidden,
                                          self.lstm_layers, self.dropout, n_classes,
                                          step_logits=self.step_logits)
        return generator.to(device), discriminator.to(device)

    def _generator_dropout(self):
        # Per-step noise already makes the generator stochastic. Dropout on top would make
        # the windows the discriminator judges in training (train mode) differ from those
        # sample() returns (eval mode); without it sines scored 0.017 instead of 0.042 (the
        # quality ablation). The paper's generator keeps it, so its configuration is exact.
        return self.dropout if self.noise_dim == 0 else 0.0

    def _store_fitted(self, generator, discriminator, history, shape, device):
        self.generator_state_ = _to_arrays(generator)
        self.discriminator_state_ = _to_arrays(discriminator)
        self.history_ = history
        self.seq_len_, self.n_features_in_ = int(shape[1]), int(shape[2])
        self.device_ = str(device)
        self._modules = {"generator": generator.eval(), "discriminator": discriminator.eval()}

    # ------------------------------------------------------------ networks
    @property
    def generator_(self):
        """The fitted generator module, rebuilt from ``generator_state_`` when needed."""
        return self._module("generator")

    @property
    def discriminator_(self):
        """The fitted discriminator module, rebuilt from ``discriminator_state_`` when needed."""
        return self._module("discriminator")

    def _module(self, name):
        check_is_fitted(self)
        modules = self.__dict__.setdefault("_modules", {})
        if name not in modules:
            device = _resolve_device(self.device_ if self.device == "auto" else self.device,
                                     fallback_to_cpu=True)
            generator, discriminator = self._build_networks(
                self.seq_len_, self._layout(), self._white_features(), self._n_classes(),
                device)
            generator.load_state_dict(_to_tensors(self.generator_state_))
            discriminator.load_state_dict(_to_tensors(self.discriminator_state_))
            modules.update(generator=generator.eval(), discriminator=discriminator.eval())
        return modules[name]

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_modules", None)  # torch modules are rebuilt from the arrays on demand
        return state

    # -------------------------------------------------------------- sample
    def sample(self, n_samples, *, y=None, random_state=None):
        """Generate ``n_samples`` sequences in the units seen by :meth:`fit`.

        Parameters
        ----------
        n_samples : int
            Number of sequences.
        y : class label or array-like of shape (n_samples,), default=None
            Classes to generate (conditional models only). By default classes are drawn
            with their training frequencies.
        random_state : int, RandomState instance or None, default=None
            Seed for the noise; defaults to the estimator's ``random_state``, so a seeded
            estimator samples the same sequences each time. The noise is drawn on the CPU
            on every device, so a model moved between CPU and GPU gets the same latents.

        Returns
        -------
        X : ndarray of shape (n_samples, seq_len, n_features)
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        out = np.empty((n_samples, self.seq_len_, self.n_features_in_))
        start = 0
        with self._threads():
            for chunk in self.iter_samples(n_samples, y=y, random_state=random_state):
                out[start:start + len(chunk)] = chunk
                start += len(chunk)
        return out

    def iter_samples(self, n_samples, *, chunk_size=_SAMPLE_CHUNK, y=None, random_state=None):
        """Generate ``n_samples`` sequences as an iterator of chunks (bounded memory).

        Parameters
        ----------
        n_samples : int
            Number of sequences in total.
        chunk_size : int, default=1024
            Sequences per yielded chunk. 1024 keeps the LSTM's working set in cache: it
            sampled 1.0-1.2x faster than 4096 at 32, 64 and 308 hidden units.
        y, random_state
            As in :meth:`sample`.

        Yields
        ------
        chunk : ndarray of shape (<= chunk_size, seq_len, n_features)
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        chunk_size = check_n_samples(chunk_size, "chunk_size")
        labels = self._encode_sample_labels(y, n_samples, random_state)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        generator, layout = self.generator_, self._layout()
        axes, calibration = self._principal_axes(), self._spread_calibration()
        device = next(generator.parameters()).device
        # Noise comes from a CPU generator on every device (CUDA's differs), so a seed gives
        # the same latents wherever the model runs.
        noise_rng = _torch_rng(rng.randint(_MAX_SEED))
        for start in range(0, n_samples, chunk_size):
            n = min(chunk_size, n_samples - start)
            chunk_labels = None if labels is None else torch.as_tensor(
                labels[start:start + n], device=device)
            generated = self._generate(generator, n, chunk_labels, noise_rng, device)
            if axes is not None:
                generated = axes.inverse_transform(generated)
            if calibration is not None:
                generated = calibration.transform(generated)
            yield layout.decode(generated, self._to_data_units)

    def _to_data_units(self, generated):
        samples = self.scaler_.inverse_transform(generated)
        # A constant feature has no range for tanh to span: give back its value exactly.
        constant = self.scaler_.data_max_ == self.scaler_.data_min_
        samples[..., constant] = self.scaler_.data_min_[constant]
        return samples

    def _generate(self, generator, n, labels, noise_rng, device):
        z, step_noise = generator.draw_noise(n, noise_rng, device)
        # A model trained in bfloat16 still samples (in float32) where bf16 is unsupported.
        use_bf16 = self.precision == "bfloat16" and bfloat16_supported(device.type)
        autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16)
        with torch.inference_mode(), autocast, _categorical_draws(generator, noise_rng):
            return generator(z, labels, step_noise).float().cpu().numpy().astype(np.float64)

    def _encode_sample_labels(self, y, n_samples, random_state):
        if self.classes_ is None:
            if y is not None:
                raise ValueError("y was given to sample, but this synthesizer was fitted "
                                 "without labels; fit(X, y) to generate given classes.")
            return None
        if y is None:
            rng = check_random_state(self.random_state if random_state is None
                                     else random_state)
            return rng.choice(len(self.classes_), size=n_samples, p=self.class_prior_)
        y = np.full(n_samples, y) if np.ndim(y) == 0 else np.asarray(y)
        if y.shape != (n_samples,):
            raise ValueError(f"y must be one label or {n_samples} labels; got shape {y.shape}.")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"Unknown class labels {unknown.tolist()[:5]}; this synthesizer "
                             f"knows {self.classes_.tolist()}.")
        return np.searchsorted(self.classes_, y)

    # --------------------------------------------------------- persistence
    def save(self, path):
        """Write the fitted synthesizer to ``path`` (a ``.npz`` archive), atomically.

        The file holds JSON metadata (parameters, package and torch versions, shapes,
        history, a SHA-256 checksum) and the weights and scaler state as plain arrays. It is
        written to a temporary file and renamed, so a crash never leaves a half-written
        file in place of an earlier one. Load it with :meth:`load`, which executes no code
        from the file.

        Parameters
        ----------
        path : str or path-like
            Destination file.
        """
        check_is_fitted(self)
        write_model_file(path, self._file_metadata(), self._file_arrays())

    @classmethod
    def load(cls, path):
        """Load a synthesizer written by :meth:`save`; refuses modified or foreign files.

        Parameters
        ----------
        path : str or path-like
            A file written by :meth:`save`. Models trained on a GPU load on a CPU-only
            machine.

        Returns
        -------
        synthesizer : BoltGANSynthesizer
            The fitted synthesizer.
        """
        metadata, arrays = read_model_file(path)
        estimator = cls(**metadata["params"])
        fitted = metadata["fitted"]
        estimator.generator_state_ = _prefixed(arrays, "generator/")
        estimator.discriminator_state_ = _prefixed(arrays, "discriminator/")
        estimator.scaler_ = TimeSeriesMinMaxScaler(feature_range=(-1, 1))
        for name, value in {**fitted["scaler"], **_prefixed(arrays, "scaler/")}.items():
            setattr(estimator.scaler_, name, value)
        axes = _prefixed(arrays, "principal_axes/")  # absent: saved before, or not used
        estimator.principal_axes_ = PrincipalAxes(**axes) if axes else None
        # Absent from files saved before the noise skip existed, whose models had none.
        estimator.white_features_ = arrays.get("white_features", np.zeros(0, dtype=int))
        calibration = _prefixed(arrays, "spread_calibration/")  # absent: saved before it existed
        estimator.spread_calibration_ = SpreadCalibration(**calibration) if calibration else None
        estimator.classes_ = arrays.get("classes")
        prior = fitted["class_prior_"]
        estimator.class_prior_ = None if prior is None else np.asarray(prior)
        for name in ("history_", "seq_len_", "n_features_in_", "device_"):
            setattr(estimator, name, fitted[name])
        for name in ("best_epoch_", "best_score_"):  # absent from files saved before validation
            setattr(estimator, name, fitted.get(name))
        n_categorical = len(check_categorical_features(estimator.categorical_features,
                                                       estimator.n_features_in_))
        estimator.categories_ = [arrays[f"categories/{i}"] for i in range(n_categorical)]
        return estimator

    def _file_metadata(self):
        scaler_scalars = {k: v for k, v in vars(self.scaler_).items()
                          if k.endswith("_") and not isinstance(v, np.ndarray)}
        return {
            "skboltgan_version": __version__,
            "torch_version": torch.__version__,
            "params": self._json_params(),
            "fitted": {
                "history_": self.history_, "seq_len_": self.seq_len_,
                "n_features_in_": self.n_features_in_, "device_": self.device_,
                "best_epoch_": self.best_epoch_, "best_score_": self.best_score_,
                "class_prior_": None if self.class_prior_ is None
                else self.class_prior_.tolist(),
                "scaler": scaler_scalars,
            },
        }

    def _file_arrays(self):
        arrays = {f"generator/{k}": v for k, v in self.generator_state_.items()}
        arrays.update({f"discriminator/{k}": v for k, v in self.discriminator_state_.items()})
        arrays.update({f"scaler/{k}": v for k, v in vars(self.scaler_).items()
                       if k.endswith("_") and isinstance(v, np.ndarray)})
        if self._principal_axes() is not None:
            arrays.update({f"principal_axes/{k}": v
                           for k, v in self._principal_axes().to_arrays().items()})
        arrays["white_features"] = np.asarray(self._white_features(), dtype=np.int64)
        if self._spread_calibration() is not None:
            arrays.update({f"spread_calibration/{k}": v
                           for k, v in self._spread_calibration().to_arrays().items()})
        if self.classes_ is not None:
            arrays["classes"] = np.asarray(self.classes_.tolist())  # no object arrays
        arrays.update({f"categories/{i}": c for i, c in enumerate(self.categories_)})
        return arrays

    def _json_params(self):
        params = self.get_params()
        if not (params["random_state"] is None or isinstance(params["random_state"], Integral)):
            logger.warning("random_state %r cannot be saved; the loaded model has "
                           "random_state=None.", params["random_state"])
            params["random_state"] = None
        if params["checkpoint_dir"] is not None:
            params["checkpoint_dir"] = os.fspath(params["checkpoint_dir"])
        if params["categorical_features"] is not None:
            params["categorical_features"] = np.asarray(params["categorical_features"]).tolist()
        return params

    # --------------------------------------------------------------- score
    def score(self, X, y=None):
        """Marginal fidelity of samples to held-out ``X``: mean per-feature ``exp(-KL)``.

        As many sequences as ``X`` holds are sampled (seeded by ``random_state``) and
        compared with :func:`skboltgan.metrics.kl_similarity` (20 equal-width bins over the
        range of ``X``). Higher is better; 1.0 means indistinguishable marginals. It is the
        fast default for model selection; for temporal fidelity pass scorers from
        :func:`skboltgan.metrics.make_synthesis_scorer` (e.g. ``"discriminative"``) as
        ``scoring``.

        Parameters
        ----------
        X : array-like of shape (n_sequences, seq_len, n_features) or (n_sequences, seq_len)
            Held-out real sequences.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        X = check_sequences(X)
        if X.shape[1:] != (self.seq_len_, self.n_features_in_):
            raise ValueError(
                f"X has sequences of shape {X.shape[1:]} (seq_len, n_features), but this "
                f"synthesizer was fitted on {(self.seq_len_, self.n_features_in_)}; window "
                "the data the same way as in fit."
            )
        return kl_similarity(X, self.sample(X.shape[0])).value

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.required = False
        tags.non_deterministic = self.random_state is None
        return tags


def _encode_fit_labels(y, n_sequences):
    """``(classes, class_prior, encoded_labels)``, all None without labels."""
    if y is None:
        return None, None, None
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_sequences:
        raise ValueError(
            f"y must be 1D with one label per sequence ({n_sequences}); got shape {y.shape}."
        )
    if _has_missing_labels(y):
        raise ValueError("y contains NaN or None; every sequence needs a class label (drop "
                         "the unlabelled sequences, or fit without y).")
    classes, encoded, counts = np.unique(y, return_inverse=True, return_counts=True)
    return classes, counts / counts.sum(), encoded


def _has_missing_labels(y):
    if y.dtype.kind == "f":
        return bool(np.isnan(y).any())
    if y.dtype.kind == "O":
        return any(label is None or (isinstance(label, float) and np.isnan(label))
                   for label in y)
    return False


def _subset(data, labels, indices):
    """``(data, labels)`` restricted to the windows at ``indices``."""
    index = torch.as_tensor(indices, device=data.device)
    return data[index], None if labels is None else labels[index]


class Monitors:
    """The fit's monitors (validation optional), checkpointed with the trainer."""

    def __init__(self, validation, stability):
        self.validation, self.stability = validation, stability

    @property
    def stopped(self):
        return self.validation is not None and self.validation.stopped

    def after_epoch(self, epoch, record, trainer):
        """Update the record and the monitors; return whether to stop early."""
        stop = self.validation is not None and self.validation.after_epoch(epoch, record,
                                                                            trainer)
        self.stability.after_epoch(epoch, record, trainer)
        return stop

    def states(self, trainer):
        """What a checkpoint holds besides the history."""
        states = {"trainer": trainer.state_dict(), "stability": self.stability.state_dict()}
        if self.validation is not None:
            states["validation"] = self.validation.state_dict()
        return states

    def load_states(self, trainer, states):
        trainer.load_state_dict(states["trainer"])
        self.stability.load_state_dict(states["stability"])
        if self.validation is not None:
            self.validation.load_state_dict(states["validation"])


@contextmanager
def _categorical_draws(generator, noise_rng):
    """Seed the Gumbel noise of the categorical heads from ``noise_rng``.

    ``gumbel_softmax`` draws from torch's global generator; forking it and seeding it from
    the sampling stream keeps ``sample(random_state=...)`` reproducible (and leaves the
    caller's global state alone). Generators without categorical features draw nothing here.
    """
    if not generator.categorical_sizes:
        yield
        return
    seed = int(torch.randint(_MAX_SEED, (1,), generator=noise_rng))
    with torch.random.fork_rng(devices=_cuda_devices(next(generator.parameters()).device)):
        torch.manual_seed(seed)
        yield


def _encoded_chunks(scaler, layout, X, chunk_size=4096):
    """``X`` in the networks' space a chunk of windows at a time: ``scaler.transform(X)``
    for the numeric features, one-hot groups for the categorical.

    Transforming all of ``X`` at once would hold a float64 copy of the whole data set next
    to the tensor; chunks keep fit's peak memory at the caller's array plus the tensor.
    """
    for start in range(0, X.shape[0], chunk_size):
        part = X[start:start + chunk_size]
        yield layout.encode(scaler.transform(part), part)


def _network_tensor(scaler, layout, axes, X, device, chunk_size=4096):
    """The networks' input as a float32 tensor on ``device``: ``_encoded_chunks``, the
    numeric features on their principal ``axes`` unless None."""
    shape = X.shape[:2] + (layout.n_network_features,)
    data = torch.empty(shape, dtype=torch.float32, device=device)
    start = 0
    for chunk in _encoded_chunks(scaler, layout, X, chunk_size):
        if axes is not None:
            chunk = axes.transform(chunk)
        data[start:start + len(chunk)] = torch.as_tensor(chunk, dtype=torch.float32)
        start += len(chunk)
    return data


def _white_features(data, noise_dim, minor_axes=()):
    """Indices of the network features of ``data`` (n, seq_len, n_features) that are white
    noise: lag-1 autocorrelation (pooled over windows and steps) under ``WHITE_NOISE`` in
    absolute value, not constant, and not among ``minor_axes``. Empty without per-step
    noise (``noise_dim=0``)."""
    if not noise_dim or data.shape[1] < 2:
        return np.zeros(0, dtype=int)
    centred = data - data.mean(dim=(0, 1))
    variance = centred.square().mean(dim=(0, 1))
    lag1 = (centred[:, :-1] * centred[:, 1:]).mean(dim=(0, 1))
    white = ((variance > 0) & (lag1.abs() < WHITE_NOISE * variance)).cpu().numpy()
    white[np.asarray(minor_axes, dtype=int)] = False
    return np.flatnonzero(white)


def _minor_axes(axes):
    """The network coordinates along lesser principal axes (``PrincipalAxes.minor_axes``);
    none without ``decorrelate``."""
    return np.zeros(0, dtype=int) if axes is None else axes.minor_axes


def _resolve_device(device, fallback_to_cpu=False):
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(f"Unknown device {device!r}; use 'auto', 'cpu' or 'cuda'.") from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        if fallback_to_cpu:
            return torch.device("cpu")
        raise ValueError("device='cuda' was requested but CUDA is not available; use "
                         "device='auto' or 'cpu'.")
    return resolved


def _cuda_devices(device):
    return [device] if device.type == "cuda" else []


def _torch_rng(seed, device="cpu"):
    return torch.Generator(device=device).manual_seed(int(seed))


def _to_numpy_tree(obj):
    """Tensors -> arrays inside nested dicts, lists and tuples (picklable by skops too)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu().numpy().copy()
    if isinstance(obj, dict):
        return {k: _to_numpy_tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_numpy_tree(v) for v in obj)
    return obj


def _to_torch_tree(obj):
    """The inverse of :func:`_to_numpy_tree`."""
    if isinstance(obj, np.ndarray):
        return torch.from_numpy(obj.copy())
    if isinstance(obj, dict):
        return {k: _to_torch_tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_torch_tree(v) for v in obj)
    return obj


def _to_arrays(module):
    return {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}


def _to_tensors(arrays):
    return {k: torch.as_tensor(np.asarray(v)) for k, v in arrays.items()}


def _prefixed(arrays, prefix):
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}

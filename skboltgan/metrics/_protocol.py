"""Temporal fidelity with the TimeGAN protocol: discriminative and predictive scores.

A port of ``metrics/discriminative_metrics.py`` and ``metrics/predictive_metrics.py`` of
TimeGAN (Yoon et al., 2019), which every later paper (Diffusion-TS, ...) reuses, so that our
numbers compare with published ones:

* a one-layer GRU with ``max(1, floor(d / 2))`` hidden units (``d`` the number of features),
  TensorFlow-1 initialisation (Glorot-uniform kernels, gate biases 1, other biases 0) and
  Adam with TensorFlow's default learning rate 1e-3;
* discriminative: real and synthetic each split 80/20 by a random permutation; each step
  draws 128 real and 128 synthetic training sequences (without replacement within a batch);
  the loss is the sum of the mean sigmoid cross-entropies of both; the score is
  ``|accuracy - 0.5|`` on the pooled held-out parts (a sequence is called real when its
  logit is > 0);
* predictive (train on synthetic, test on real): from features ``0..d-2`` up to step ``t`` the
  GRU predicts feature ``d-1`` at ``t+1`` with a sigmoid output at every step; L1 loss,
  batches of 128 synthetic sequences; the score is the mean absolute error on every real
  sequence.

Data already in [0, 1] (the protocol's min-max scaled series) is used as it is; other data
is scaled with the real data's per-feature minimum and maximum.
"""

import contextlib
import math
import warnings

import numpy as np
import torch
from sklearn.utils import check_random_state

from ._checks import check_pair, check_positive
from ._divergences import feature_ranges
from ._results import RepeatedScore

_MAX_SEED = np.iinfo(np.int32).max
#: TensorFlow 1's AdamOptimizer default, used by the reference implementation.
_TF_ADAM_LR = 1e-3


def protocol_scale(real, synthetic):
    """Leave data in [0, 1] alone; otherwise min-max scale both with the real data's range.

    Re-scaling data that is already in [0, 1] to its own range changes the published
    figures (on sines it triples the predictive MAE), hence the test on the real data.
    """
    if real.min() >= 0.0 and real.max() <= 1.0:
        return real, synthetic
    low, high, _ = feature_ranges(real)
    span = np.where(high > low, high - low, 1.0)
    return (real - low) / span, (synthetic - low) / span


class _StackedGRU(torch.nn.Module):
    """``n_models`` independent one-layer GRUs with a dense head, run as one batched op.

    Every weight has a leading model axis and every product is a batched matmul, so training
    all repeats of a protocol costs about as much Python and torch overhead as one: these
    networks are tiny (``d // 2`` units), and their cost is per-op overhead, not arithmetic.
    The models never mix: each weight slice only ever sees its own model's inputs, and Adam
    is elementwise, so each slice follows exactly the updates it would follow alone. The cell
    is PyTorch's GRU (reset gate applied after the hidden matmul; TensorFlow's applies it
    before, a negligible difference for the protocol).
    """

    def __init__(self, n_models, n_inputs, hidden, generator):
        super().__init__()
        def param(*shape):
            return torch.nn.Parameter(torch.zeros(n_models, *shape))
        self.hidden = hidden
        self.w_ih, self.w_hh = param(n_inputs, 3 * hidden), param(hidden, 3 * hidden)
        self.b_ih, self.b_hh = param(1, 3 * hidden), param(1, 3 * hidden)
        self.w_out, self.b_out = param(hidden, 1), param(1, 1)
        self._tf_init(n_inputs, generator)

    @torch.no_grad()
    def _tf_init(self, n_inputs, generator):
        """TensorFlow 1's GRUCell and fully_connected initialisation, from ``generator``."""
        h = self.hidden
        for weight in (self.w_ih, self.w_hh):
            _glorot_(weight[..., :2 * h], n_inputs + h, 2 * h, generator)  # reset, update
            _glorot_(weight[..., 2 * h:], n_inputs + h, h, generator)  # candidate
        self.b_ih[..., :2 * h] = 1.0
        _glorot_(self.w_out, h, 1, generator)

    def forward(self, x, every_step):
        """``x`` of shape (n_models, batch, seq_len, n_inputs) -> logits.

        Logits of shape (n_models, batch) from the last state, or (n_models, batch, seq_len)
        from every state when ``every_step``.
        """
        n_models, batch, seq_len, n_inputs = x.shape
        h = self.hidden
        gates_x = torch.baddbmm(self.b_ih, x.reshape(n_models, -1, n_inputs), self.w_ih)
        gates_x = gates_x.reshape(n_models, batch, seq_len, 3 * h).unbind(2)
        state = x.new_zeros(n_models, batch, h)
        states = []
        for gx in gates_x:
            gh = torch.baddbmm(self.b_hh, state, self.w_hh)
            reset, update = torch.sigmoid(gx[..., :2 * h] + gh[..., :2 * h]).split(h, dim=-1)
            candidate = torch.tanh(gx[..., 2 * h:] + reset * gh[..., 2 * h:])
            state = candidate + update * (state - candidate)
            states.append(state)
        if not every_step:
            return torch.baddbmm(self.b_out, state, self.w_out).squeeze(-1)
        states = torch.stack(states, dim=2).reshape(n_models, -1, h)
        return torch.baddbmm(self.b_out, states, self.w_out).reshape(n_models, batch, seq_len)


def _glorot_(tensor, fan_in, fan_out, generator):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    tensor.uniform_(-limit, limit, generator=generator)


@contextlib.contextmanager
def _one_thread():
    """Run the tiny networks on one intra-op thread (restored afterwards).

    Their ops are far below any useful parallel grain; on a shared 2-core machine a second
    spinning thread made the discriminative score ~25x slower (120 s vs 4.7 s for 200 steps).
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _batches(indices, batch_size, generator):
    """One batch of positions per model: a random permutation's first ``batch_size``."""
    return torch.stack([ix[torch.randperm(len(ix), generator=generator)[:batch_size]]
                        for ix in indices])


def _split(n, n_models, test_size, generator):
    """Per model, a random 80/20 split of ``range(n)`` (as in TimeGAN's train_test_divide)."""
    n_train = int(n * (1 - test_size))
    orders = [torch.randperm(n, generator=generator) for _ in range(n_models)]
    return [o[:n_train] for o in orders], [o[n_train:] for o in orders]


def _hidden_size(n_features):
    return max(1, n_features // 2)


def _seed_generator(random_state):
    return torch.Generator().manual_seed(int(check_random_state(random_state).randint(_MAX_SEED)))


def _tensor(X):
    # A copy: views such as X[:, ::-1] have negative strides, which torch refuses.
    return torch.tensor(np.ascontiguousarray(X), dtype=torch.float32)


def _check_lr(lr):
    if not (isinstance(lr, (float, int)) and 0 < lr < 1):
        raise ValueError(f"lr must be a float in (0, 1), got {lr!r}; the protocol's is 1e-3.")


def _check_at_least(real, synthetic, n, what):
    if min(real.shape[0], synthetic.shape[0]) < n:
        raise ValueError(f"{what} needs at least {n} real and {n} synthetic sequences; got "
                         f"{real.shape[0]} and {synthetic.shape[0]}.")


# ------------------------------------------------------------------ discriminative
def discriminative_score(real, synthetic, *, n_steps=2000, batch_size=128, test_size=0.2,
                         lr=_TF_ADAM_LR, n_repeats=1, random_state=None):
    """TimeGAN's discriminative score: how well a post-hoc GRU tells real from synthetic.

    A one-layer GRU classifier (``max(1, d // 2)`` hidden units) is trained for ``n_steps``
    Adam steps on batches of ``batch_size`` real plus ``batch_size`` synthetic sequences
    (80% of each), and the score is ``|accuracy - 0.5|`` on the pooled held-out 20%. 0 means
    indistinguishable, 0.5 perfectly separable. Lower is better. See the module docstring
    for the exact protocol. The repeats train side by side as one batched network, so
    ``n_repeats=5`` costs far less than five single runs.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, seq_len, n_features) or (n, seq_len)
        Real and synthetic sequences (each at least 2) of the same length. Data in [0, 1]
        is used as is; other data is min-max scaled with the real data's per-feature range.
        With unequal counts the larger side is cut to a random subset of the smaller one's
        size, with a warning (the protocol compares equal counts).
    n_steps : int, default=2000
        Adam steps (the protocol's 2000).
    batch_size : int, default=128
        Real and synthetic sequences per step (each).
    test_size : float, default=0.2
        Held-out share of each data set.
    lr : float, default=1e-3
        Adam learning rate (TensorFlow's default, the protocol's); raise it only for a
        quick look with few steps.
    n_repeats : int, default=1
        Independent runs (own split, initialisation and batches); the published figures use
        5 or 10.
    random_state : int, RandomState instance or None, default=None
        Seeds every run; the global torch and numpy random states are not touched.

    Returns
    -------
    result : RepeatedScore
        ``mean``, ``ci95`` (Student-t 95% half-width, NaN for one run) and ``values``.

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import discriminative_score
    >>> real = make_sines(200, seq_len=12, n_features=2, random_state=0)
    >>> reversed_in_time = real[:, ::-1]
    >>> result = discriminative_score(real, reversed_in_time, n_steps=50, random_state=0)
    >>> 0.0 <= result.mean <= 0.5
    True
    """
    check_positive(n_steps=n_steps, batch_size=batch_size, n_repeats=n_repeats)
    _check_lr(lr)
    real, synthetic = protocol_scale(*check_pair(real, synthetic))
    _check_at_least(real, synthetic, 2, "discriminative_score")
    generator = _seed_generator(random_state)
    real, synthetic = _equal_counts(_tensor(real), _tensor(synthetic), generator)
    with _one_thread():
        values = _discriminate(real, synthetic, n_steps, batch_size, test_size, lr,
                               n_repeats, generator)
    return RepeatedScore.from_values(values)


def _equal_counts(real, synthetic, generator):
    """Both sides cut to the smaller one's count (a random subset), as the protocol expects.

    With unequal counts the held-out accuracy of a classifier that calls everything "real"
    would already be away from 0.5, so the score would measure the imbalance.
    """
    n = min(len(real), len(synthetic))
    if len(real) == len(synthetic):
        return real, synthetic
    larger = "real" if len(real) > n else "synthetic"
    warnings.warn(f"discriminative_score: {len(real)} real and {len(synthetic)} synthetic "
                  f"sequences; using a random {n} of the {larger} ones, since the protocol "
                  "compares equal counts. Pass as many samples as real sequences to use all.",
                  UserWarning, stacklevel=3)
    keep = torch.randperm(max(len(real), len(synthetic)), generator=generator)[:n].sort().values
    return (real[keep], synthetic) if larger == "real" else (real, synthetic[keep])


def _discriminate(real, synthetic, n_steps, batch_size, test_size, lr, n_models, generator):
    real_train, real_test = _split(len(real), n_models, test_size, generator)
    synth_train, synth_test = _split(len(synthetic), n_models, test_size, generator)
    model = _StackedGRU(n_models, real.shape[2], _hidden_size(real.shape[2]), generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(n_steps):
        x_real = real[_batches(real_train, batch_size, generator)]
        x_synth = synthetic[_batches(synth_train, batch_size, generator)]
        # One pass over both batches; the loss keeps the two means apart, as the protocol.
        logits = model(torch.cat([x_real, x_synth], dim=1), every_step=False)
        n = x_real.shape[1]
        loss = (_bce(logits[:, :n], 1.0) + _bce(logits[:, n:], 0.0)).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return _held_out_gap(model, real, synthetic, real_test, synth_test)


def _bce(logits, label):
    """Mean sigmoid cross-entropy per model."""
    targets = torch.full_like(logits, label)
    return torch.nn.functional.binary_cross_entropy_with_logits(
        logits, targets, reduction="none").mean(dim=1)


@torch.no_grad()
def _held_out_gap(model, real, synthetic, real_test, synth_test):
    called_real = model(real[torch.stack(real_test)], every_step=False) > 0
    called_synth = model(synthetic[torch.stack(synth_test)], every_step=False) <= 0
    correct = called_real.sum(dim=1) + called_synth.sum(dim=1)
    accuracy = correct.double() / (len(real_test[0]) + len(synth_test[0]))
    return (accuracy - 0.5).abs().tolist()


# ------------------------------------------------------------------ predictive
def predictive_score(real, synthetic, *, n_steps=5000, batch_size=128, lr=_TF_ADAM_LR,
                     n_repeats=1, reference=True, random_state=None):
    """TimeGAN's predictive score: train on synthetic, test on real, next-step MAE.

    A one-layer GRU (``max(1, d // 2)`` hidden units, sigmoid output at every step) learns to
    predict the last feature at step ``t + 1`` from the other features up to ``t`` on the
    synthetic sequences (``n_steps`` Adam steps, L1 loss, batches of ``batch_size``); the
    score is its mean absolute error on every real sequence. Lower is better; compare it
    with ``reference`` (the same model trained on the real data): a good generator comes
    within a few thousandths of it. For univariate data (``d == 1``) the feature's own past
    is the input (the reference protocol has no input then). All runs, train-on-real ones
    included, train side by side as one batched network.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, seq_len, n_features) or (n, seq_len)
        Real and synthetic sequences, ``seq_len >= 2``. Data in [0, 1] is used as is; other
        data is min-max scaled with the real data's per-feature range.
    n_steps : int, default=5000
        Adam steps (the protocol's 5000).
    batch_size : int, default=128
        Sequences per step; smaller when either side has fewer sequences.
    lr : float, default=1e-3
        Adam learning rate (TensorFlow's default, the protocol's); raise it only for a
        quick look with few steps.
    n_repeats : int, default=1
        Independent runs (own initialisation and batches).
    reference : bool, default=True
        Also run the protocol trained on the real data (train-on-real).
    random_state : int, RandomState instance or None, default=None
        Seeds every run; the global torch and numpy random states are not touched.

    Returns
    -------
    result : RepeatedScore
        ``mean``, ``ci95``, ``values`` and, when ``reference``, the train-on-real
        ``reference`` (a RepeatedScore).

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.metrics import predictive_score
    >>> real = make_sines(200, seq_len=12, n_features=3, random_state=0)
    >>> synthetic = make_sines(200, seq_len=12, n_features=3, random_state=1)
    >>> result = predictive_score(real, synthetic, n_steps=50, random_state=0)
    >>> bool(result.mean > 0 and result.reference.mean > 0)
    True
    """
    check_positive(n_steps=n_steps, batch_size=batch_size, n_repeats=n_repeats)
    _check_lr(lr)
    real, synthetic = protocol_scale(*check_pair(real, synthetic))
    if real.shape[1] < 2 or synthetic.shape[1] < 2:
        raise ValueError("predictive_score needs sequences of at least 2 steps (it predicts "
                         f"step t+1); got seq_len {real.shape[1]} and {synthetic.shape[1]}.")
    hidden = _hidden_size(real.shape[2])
    sources = [_forecast_pairs(synthetic)] * n_repeats
    sources += [_forecast_pairs(real)] * (n_repeats if reference else 0)
    generator = _seed_generator(random_state)
    with _one_thread():
        maes = _predict(sources, _forecast_pairs(real), hidden, n_steps, batch_size, lr,
                        generator)
    result = RepeatedScore.from_values(maes[:n_repeats])
    if reference:
        result = RepeatedScore(result.mean, result.ci95, result.values,
                               RepeatedScore.from_values(maes[n_repeats:]))
    return result


def _forecast_pairs(X):
    """Inputs: features 0..d-2 at steps 0..T-2; targets: feature d-1 at steps 1..T-1."""
    inputs = X[:, :-1, :-1] if X.shape[2] > 1 else X[:, :-1, :]
    return _tensor(inputs), _tensor(X[:, 1:, -1])


def _predict(sources, test, hidden, n_steps, batch_size, lr, generator):
    """Train one model per (inputs, targets) source; MAE of each on ``test``."""
    model = _StackedGRU(len(sources), sources[0][0].shape[2], hidden, generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    positions = [torch.arange(len(inputs)) for inputs, _ in sources]
    # The batched models need batches of one size: fewer sequences than batch_size on
    # either side shrink everyone's batch to the smaller set (the protocol's 128 otherwise).
    batch_size = min(batch_size, *(len(p) for p in positions))
    for _ in range(n_steps):
        idx = _batches(positions, batch_size, generator)
        inputs = torch.stack([s[0][i] for s, i in zip(sources, idx)])
        targets = torch.stack([s[1][i] for s, i in zip(sources, idx)])
        predictions = torch.sigmoid(model(inputs, every_step=True))
        loss = (predictions - targets).abs().mean(dim=(1, 2)).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return _test_mae(model, test, len(sources))


@torch.no_grad()
def _test_mae(model, test, n_models, chunk=2048):
    """MAE of every model on all test sequences, in chunks to bound memory."""
    inputs, targets = test
    total = torch.zeros(n_models, dtype=torch.float64)
    for start in range(0, len(inputs), chunk):
        x = inputs[start:start + chunk].expand(n_models, -1, -1, -1)
        predictions = torch.sigmoid(model(x, every_step=True))
        total += (predictions - targets[start:start + chunk]).abs().sum(dim=(1, 2)).double()
    # Equal-length sequences: the mean of per-sequence MAEs is the overall mean.
    return (total / targets.numel()).tolist()

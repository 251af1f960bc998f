"""Pictures of a fit and of its synthetic data (needs the optional ``plot`` extra).

Every function returns a :class:`matplotlib.figure.Figure` and never calls ``show()``: save
it with ``fig.savefig(...)`` or let a notebook display it. matplotlib is imported only when a
function is called, so ``import skboltgan`` never needs it.

Sequences follow the package convention ``(n_sequences, seq_len, n_features)``; 2D input
``(n_sequences, seq_len)`` means univariate sequences.
"""

import numpy as np
from sklearn.utils import check_random_state

from ._validation import check_sequences

__all__ = ["plot_embedding", "plot_history", "plot_marginals", "plot_samples"]

_REAL_COLOR, _SYNTH_COLOR = "tab:blue", "tab:orange"


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skboltgan.plotting needs matplotlib; install it with "
            "`pip install skboltgan[plot]` (or `pip install matplotlib`)."
        ) from exc
    return plt


def _real_and_synthetic(real, synthetic):
    real = check_sequences(real, name="real", allow_nan=True)
    synthetic = check_sequences(synthetic, name="synthetic", allow_nan=True)
    if real.shape[2] != synthetic.shape[2]:
        raise ValueError(
            f"real has {real.shape[2]} features but synthetic has {synthetic.shape[2]}; "
            "compare data generated from a model fitted on the same features."
        )
    return real, synthetic


def _feature_names(feature_names, n_features):
    if feature_names is None:
        return [f"feature {i}" for i in range(n_features)]
    names = [str(name) for name in feature_names]
    if len(names) != n_features:
        raise ValueError(f"feature_names has {len(names)} names for {n_features} features.")
    return names


def _subsample(X, n, rng):
    if X.shape[0] <= n:
        return X
    return X[np.sort(rng.choice(X.shape[0], size=n, replace=False))]


def _grid(plt, n_panels, n_cols, panel_size=(3.2, 2.4)):
    n_cols = min(n_cols, n_panels)
    n_rows = -(-n_panels // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, squeeze=False,
                             figsize=(panel_size[0] * n_cols, panel_size[1] * n_rows),
                             layout="constrained")
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    return fig, axes.flat


def _history_records(history):
    records = getattr(history, "history_", history)
    if not isinstance(records, (list, tuple)) or not records:
        raise ValueError(
            "history must be a fitted BoltGANSynthesizer or its non-empty history_ list of "
            "per-epoch dicts; fit the synthesizer first."
        )
    return records


def plot_history(history):
    """Plot the losses per epoch, with bolt epochs shaded, and the validation scores.

    Parameters
    ----------
    history : BoltGANSynthesizer or list of dict
        A fitted synthesizer or its ``history_``: per-epoch dicts with ``epoch``, ``phase``
        (``"normal"`` or ``"bolt"``), ``d_loss`` and ``g_loss``, and where present
        ``validation_score`` and ``warnings`` (epochs where a stability warning fired are
        marked with a dashed line and the failure's name).

    Returns
    -------
    fig : matplotlib.figure.Figure
        A panel of losses; one of the stability diagnostics (discriminator accuracies on
        real and fake windows, sample diversity) when the history has them; one of
        validation scores, the kept epoch starred, when it has any.

    Examples
    --------
    >>> from skboltgan.plotting import plot_history
    >>> history = [{"epoch": e, "phase": "bolt" if e == 2 else "normal",
    ...             "d_loss": 1.0 / (e + 1), "g_loss": 0.5 + e / 10} for e in range(4)]
    >>> fig = plot_history(history)
    >>> len(fig.axes)
    1
    >>> history[1]["validation_score"], history[3]["validation_score"] = 0.3, 0.2
    >>> len(plot_history(history).axes)
    2
    >>> for record in history:
    ...     record.update(d_accuracy_real=0.6, d_accuracy_fake=0.5, diversity=0.9)
    >>> len(plot_history(history).axes)
    3
    """
    plt = _pyplot()
    records = _history_records(history)
    validated = [r for r in records if r.get("validation_score") is not None]
    diagnosed = any("diversity" in r for r in records)
    panels = [_plot_losses] + [_plot_diagnostics] * diagnosed + [_plot_validation] * bool(
        validated)
    fig, axes = plt.subplots(len(panels), 1, sharex=True, squeeze=False,
                             figsize=(7, 1.5 + 2.2 * len(panels)), layout="constrained")
    for ax, panel in zip(axes[:, 0], panels):
        panel(ax, validated if panel is _plot_validation else records)
    return fig


def _plot_losses(ax, records):
    epochs = np.array([r["epoch"] for r in records])
    ax.plot(epochs, [r["d_loss"] for r in records], label="discriminator", color=_REAL_COLOR)
    # An epoch without a generator update (discriminator_steps > batches) has g_loss None.
    g_loss = [np.nan if r["g_loss"] is None else r["g_loss"] for r in records]
    ax.plot(epochs, g_loss, label="generator", color=_SYNTH_COLOR)
    bolts = epochs[[r.get("phase") == "bolt" for r in records]]
    for i, epoch in enumerate(bolts):
        # One shaded span per refinement epoch; label only the first for a clean legend.
        ax.axvspan(epoch - 0.5, epoch + 0.5, color="tab:red", alpha=0.15, linewidth=0,
                   label="bolt refinement" if i == 0 else None)
    warned = [r for r in records if r.get("warnings")]
    for i, r in enumerate(warned):
        # A stability warning fired here (see BoltGANSynthesizer's history_).
        ax.axvline(r["epoch"], color="tab:orange", linestyle="--", linewidth=1,
                   label="stability warning" if i == 0 else None)
        ax.annotate(", ".join(w.replace("_", " ") for w in r["warnings"]), (r["epoch"], 1),
                    xycoords=("data", "axes fraction"), rotation=90, va="top", ha="right",
                    fontsize="x-small", color="tab:orange")
    ax.set(xlabel="epoch", ylabel="loss", title="Training history")
    ax.legend(loc="best", fontsize="small")


def _plot_diagnostics(ax, records):
    """The stability monitor's figures: discriminator accuracies and sample diversity."""
    epochs = [r["epoch"] for r in records]
    for key, label, style in (("d_accuracy_real", "D accuracy, real", "-"),
                              ("d_accuracy_fake", "D accuracy, fake", "--"),
                              ("diversity", "diversity (generated / real)", ":")):
        values = [np.nan if r.get(key) is None else r[key] for r in records]
        if not np.all(np.isnan(values)):
            ax.plot(epochs, values, linestyle=style, label=label)
    ax.axhline(0.5, color="grey", linewidth=0.5)
    ax.set(xlabel="epoch", ylabel="diagnostics")
    ax.legend(loc="best", fontsize="small")


def _plot_validation(ax, validated):
    epochs = [r["epoch"] for r in validated]
    scores = [r["validation_score"] for r in validated]
    ax.plot(epochs, scores, marker=".", color=_SYNTH_COLOR, label="validation score")
    best = int(np.argmin(scores))
    ax.plot(epochs[best], scores[best], marker="*", markersize=12, linestyle="none",
            color="tab:green", label=f"best (epoch {epochs[best]}), kept")
    ax.set(xlabel="epoch", ylabel="score (lower is better)")
    ax.legend(loc="best", fontsize="small")


def plot_samples(real, synthetic, *, n_sequences=5, feature_names=None, max_features=6,
                 random_state=0):
    """Plot real and synthetic sequences over time, one panel per feature.

    Parameters
    ----------
    real, synthetic : array-like of shape (n_sequences, seq_len, n_features)
        Real and generated sequences (2D means univariate).
    n_sequences : int, default=5
        Sequences drawn from each set per panel.
    feature_names : list of str, default=None
        Panel titles; ``"feature i"`` by default.
    max_features : int, default=6
        Panels shown at most (the first features).
    random_state : int, RandomState instance or None, default=0
        Which sequences are drawn.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.plotting import plot_samples
    >>> real = make_sines(20, seq_len=12, n_features=2, random_state=0)
    >>> fake = make_sines(20, seq_len=12, n_features=2, random_state=1)
    >>> fig = plot_samples(real, fake, n_sequences=3)
    >>> len(fig.axes)
    2
    """
    plt = _pyplot()
    real, synthetic = _real_and_synthetic(real, synthetic)
    names = _feature_names(feature_names, real.shape[2])
    rng = check_random_state(random_state)
    real, synthetic = _subsample(real, n_sequences, rng), _subsample(synthetic, n_sequences, rng)
    n_panels = min(max_features, real.shape[2])
    fig, axes = _grid(plt, n_panels, n_cols=3)
    for j, ax in zip(range(n_panels), axes):
        ax.plot(real[:, :, j].T, color=_REAL_COLOR, alpha=0.7, linewidth=1)
        ax.plot(synthetic[:, :, j].T, color=_SYNTH_COLOR, alpha=0.7, linewidth=1)
        ax.set(title=names[j], xlabel="time step")
    _legend(fig)
    return fig


def _legend(fig):
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=_REAL_COLOR, label="real"),
               Line2D([], [], color=_SYNTH_COLOR, label="synthetic")]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize="small")


def plot_embedding(real, synthetic, *, methods=("pca", "tsne"), max_samples=500,
                   random_state=0):
    """Project flattened real and synthetic sequences to 2D with PCA and t-SNE.

    Each sequence is flattened to ``seq_len * n_features`` values. When the synthetic cloud
    covers the real one, the generator has learnt the spread of the data; separate clouds or
    a tight synthetic clump (mode collapse) show it has not. The two sets are embedded
    together so their positions are comparable.

    Parameters
    ----------
    real, synthetic : array-like of shape (n_sequences, seq_len, n_features)
        Real and generated sequences with the same ``seq_len`` and ``n_features``.
    methods : tuple of {"pca", "tsne"}, default=("pca", "tsne")
        One panel per method.
    max_samples : int, default=500
        Sequences drawn from each set (t-SNE is quadratic in their number).
    random_state : int, RandomState instance or None, default=0
        Subsampling and t-SNE initialisation.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.plotting import plot_embedding
    >>> real = make_sines(30, seq_len=12, n_features=2, random_state=0)
    >>> fake = make_sines(30, seq_len=12, n_features=2, random_state=1)
    >>> fig = plot_embedding(real, fake, methods=("pca",))
    >>> len(fig.axes)
    1
    """
    plt = _pyplot()
    real, synthetic = _real_and_synthetic(real, synthetic)
    if real.shape[1] != synthetic.shape[1]:
        raise ValueError(f"real sequences have {real.shape[1]} steps but synthetic have "
                         f"{synthetic.shape[1]}; window both with the same seq_len.")
    unknown = set(methods) - {"pca", "tsne"}
    if unknown or not methods:
        raise ValueError(f"methods must be a non-empty subset of ('pca', 'tsne'); got {methods}.")
    rng = check_random_state(random_state)
    real, synthetic = _subsample(real, max_samples, rng), _subsample(synthetic, max_samples, rng)
    flat = np.nan_to_num(np.concatenate([real, synthetic]).reshape(len(real) + len(synthetic), -1))
    fig, axes = _grid(plt, len(methods), n_cols=2, panel_size=(4, 3.6))
    for method, ax in zip(methods, axes):
        points = _project(flat, method, rng)
        ax.scatter(*points[:len(real)].T, s=6, alpha=0.5, color=_REAL_COLOR, label="real")
        ax.scatter(*points[len(real):].T, s=6, alpha=0.5, color=_SYNTH_COLOR,
                   label="synthetic")
        ax.set(title="PCA" if method == "pca" else "t-SNE", xticks=[], yticks=[])
        ax.legend(loc="best", fontsize="small", markerscale=2)
    return fig


def _project(flat, method, rng):
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2).fit_transform(flat)
    from sklearn.manifold import TSNE

    # Perplexity must stay below the number of points; 30 is the usual default.
    perplexity = float(min(30, max(2, (len(flat) - 1) // 3)))
    return TSNE(n_components=2, perplexity=perplexity, init="pca",
                random_state=rng.randint(np.iinfo(np.int32).max)).fit_transform(flat)


def plot_marginals(real, synthetic, *, bins=30, feature_names=None, max_features=12):
    """Overlay per-feature histograms of all real and synthetic values.

    Bins span the range of both sets, so values the generator places outside the real range
    stay visible.

    Parameters
    ----------
    real, synthetic : array-like of shape (n_sequences, seq_len, n_features)
        Real and generated sequences (2D means univariate).
    bins : int, default=30
        Histogram bins per feature.
    feature_names : list of str, default=None
        Panel titles; ``"feature i"`` by default.
    max_features : int, default=12
        Panels shown at most (the first features).

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> from skboltgan.datasets import make_sines
    >>> from skboltgan.plotting import plot_marginals
    >>> real = make_sines(20, seq_len=12, n_features=3, random_state=0)
    >>> fake = make_sines(20, seq_len=12, n_features=3, random_state=1)
    >>> fig = plot_marginals(real, fake, bins=10)
    >>> len(fig.axes)
    3
    """
    plt = _pyplot()
    real, synthetic = _real_and_synthetic(real, synthetic)
    names = _feature_names(feature_names, real.shape[2])
    n_panels = min(max_features, real.shape[2])
    fig, axes = _grid(plt, n_panels, n_cols=3)
    for j, ax in zip(range(n_panels), axes):
        r, s = _finite(real[:, :, j]), _finite(synthetic[:, :, j])
        edges = np.histogram_bin_edges(np.concatenate([r, s]), bins=bins)
        ax.hist(r, bins=edges, density=True, alpha=0.5, color=_REAL_COLOR)
        ax.hist(s, bins=edges, density=True, alpha=0.5, color=_SYNTH_COLOR)
        ax.set(title=names[j], yticks=[])
    _legend(fig)
    return fig


def _finite(values):
    values = values.ravel()
    return values[np.isfinite(values)]

"""Plotting helpers: each returns a Figure that saves as a valid PNG, on tiny data."""

import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from skboltgan import plotting  # noqa: E402
from skboltgan.datasets import make_sines  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def pair():
    real = make_sines(40, seq_len=12, n_features=3, random_state=0)
    fake = make_sines(40, seq_len=12, n_features=3, random_state=1)
    return real, fake


@pytest.fixture
def history():
    phases = ["normal", "normal", "bolt", "normal", "bolt", "bolt"]
    return [{"epoch": e, "phase": p, "d_loss": 1.0 - e / 10, "g_loss": 0.5 + e / 10}
            for e, p in enumerate(phases)]


def _saved_png(fig, tmp_path):
    path = tmp_path / "figure.png"
    fig.savefig(path)
    return path.read_bytes()[:8]


@pytest.mark.parametrize("make", [
    lambda real, fake, hist: plotting.plot_history(hist),
    lambda real, fake, hist: plotting.plot_samples(real, fake),
    lambda real, fake, hist: plotting.plot_embedding(real, fake, max_samples=30),
    lambda real, fake, hist: plotting.plot_marginals(real, fake),
], ids=["history", "samples", "embedding", "marginals"])
def test_figure_saves_as_png(make, pair, history, tmp_path):
    assert _saved_png(make(*pair, history), tmp_path) == PNG_SIGNATURE


def test_plot_history_shades_each_bolt_epoch(history):
    ax = plotting.plot_history(history).axes[0]
    assert len(ax.patches) == 3  # epochs 2, 4 and 5 are refinement epochs


def test_plot_history_accepts_a_fitted_synthesizer(history):
    class Fitted:
        history_ = history

    ax = plotting.plot_history(Fitted()).axes[0]
    assert len(ax.lines) == 2


def test_plot_history_rejects_an_empty_history():
    with pytest.raises(ValueError, match="fit the synthesizer first"):
        plotting.plot_history([])


def test_plot_samples_draws_n_sequences_of_each_set_per_feature(pair):
    fig = plotting.plot_samples(*pair, n_sequences=4)
    assert [len(ax.lines) for ax in fig.axes] == [8, 8, 8]


def test_plot_samples_uses_feature_names_as_titles(pair):
    fig = plotting.plot_samples(*pair, feature_names=["a", "b", "c"])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "c"]


def test_plot_marginals_caps_the_number_of_panels(pair):
    fig = plotting.plot_marginals(*pair, max_features=2)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2


def test_plot_embedding_subsamples_each_set(pair):
    ax = plotting.plot_embedding(*pair, methods=("pca",), max_samples=10).axes[0]
    assert [len(c.get_offsets()) for c in ax.collections] == [10, 10]


def test_plot_embedding_rejects_an_unknown_method(pair):
    with pytest.raises(ValueError, match="methods"):
        plotting.plot_embedding(*pair, methods=("umap",))


def test_mismatched_features_are_refused(pair):
    real, fake = pair
    with pytest.raises(ValueError, match="features"):
        plotting.plot_marginals(real, fake[:, :, :2])


def test_missing_matplotlib_names_the_extra(pair, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"skboltgan\[plot\]"):
        plotting.plot_samples(*pair)


def test_no_figure_is_shown(pair, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("show() was called"))
    plotting.plot_samples(*pair)
    plotting.plot_marginals(*pair)


def test_nan_values_are_ignored_in_marginals(pair):
    real, fake = pair
    real = real.copy()
    real[0, 0, 0] = np.nan
    fig = plotting.plot_marginals(real, fake)
    heights = np.array([p.get_height() for p in fig.axes[0].patches])
    assert np.isfinite(heights).all()

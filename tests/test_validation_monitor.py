"""Validation during fit: the held-out split, the score record, best-epoch restore, early stopping."""

import numpy as np
import pytest

from skboltgan import BoltGANSynthesizer
from skboltgan._monitoring import validation_split

from .conftest import TINY

QUIET = dict(TINY, feedback_interval=None, validation_fraction=0.1, random_state=0)


def test_validation_blocks_are_spread_and_purged():
    train, validation = validation_split(100, None, 0.1, seq_len=5)
    # 10 windows in 2 blocks of at least seq_len, ending the two halves of the windows;
    # the 4 windows either side of a block share time steps with it.
    np.testing.assert_array_equal(validation, np.r_[45:50, 95:100])
    np.testing.assert_array_equal(train, np.r_[0:41, 54:91])


def test_long_data_is_validated_in_five_blocks():
    train, validation = validation_split(3662, None, 0.1, seq_len=24)
    assert len(validation) == 367
    assert np.count_nonzero(np.diff(validation) > 1) == 4  # 5 contiguous blocks
    gaps = np.abs(train[:, None] - validation[None, :]).min()
    assert gaps == 24  # no training window within 23 windows of a validation window


def test_validation_blocks_per_class():
    labels = np.repeat([0, 1], 50)
    train, validation = validation_split(100, labels, 0.1, seq_len=3)
    np.testing.assert_array_equal(validation, np.r_[45:50, 95:100])
    np.testing.assert_array_equal(train, np.r_[0:43, 50:93])
    assert not set(train) & set(validation)


def test_too_little_data_for_validation_names_the_fix(sines):
    with pytest.raises(ValueError, match="validation_fraction=None"):
        BoltGANSynthesizer(**dict(TINY, batch_size=48), validation_fraction=0.1).fit(sines)
    BoltGANSynthesizer(**dict(TINY, batch_size=48), validation_fraction=None).fit(sines)


def test_scores_are_recorded_every_few_epochs_and_at_the_end(sines):
    gan = BoltGANSynthesizer(**dict(QUIET, num_epochs=7), validation_every=3).fit(sines)
    scored = [h["epoch"] for h in gan.history_ if "validation_score" in h]
    assert scored == [2, 5, 6]
    scores = {h["epoch"]: h["validation_score"] for h in gan.history_ if "validation_score" in h}
    assert gan.best_epoch_ == min(scores, key=scores.get)
    assert gan.best_score_ == pytest.approx(min(scores.values()))


def test_the_best_epoch_generator_is_kept(sines):
    gan = BoltGANSynthesizer(**dict(QUIET, num_epochs=8), validation_every=1).fit(sines)
    scores = [h["validation_score"] for h in gan.history_]
    assert gan.best_epoch_ == int(np.argmin(scores))
    # The same run cut at the best epoch ends with that epoch's generator.
    short = BoltGANSynthesizer(**dict(QUIET, num_epochs=gan.best_epoch_ + 1),
                               validation_every=1).fit(sines)
    assert _losses(short.history_) == _losses(gan.history_[:gan.best_epoch_ + 1])
    for name, weights in gan.generator_state_.items():
        np.testing.assert_array_equal(weights, short.generator_state_[name])
    if gan.best_epoch_ < 7:  # the discriminator is not restored: it is the last epoch's
        assert any(not np.array_equal(w, short.discriminator_state_[k])
                   for k, w in gan.discriminator_state_.items())


def test_without_validation_the_last_epoch_is_kept(sines):
    gan = BoltGANSynthesizer(**dict(QUIET, validation_fraction=None)).fit(sines)
    assert gan.best_epoch_ is None and gan.best_score_ is None
    assert not any("validation_score" in h for h in gan.history_)


def test_validation_does_not_change_the_training_trajectory(sines):
    """Scoring draws from its own seeds: D and G losses match a run that scores less often."""
    often = BoltGANSynthesizer(**dict(QUIET, num_epochs=4), validation_every=1).fit(sines)
    rarely = BoltGANSynthesizer(**dict(QUIET, num_epochs=4), validation_every=4).fit(sines)
    assert _losses(often.history_) == _losses(rarely.history_)


def test_early_stopping_after_n_iter_no_change(sines):
    # tol=1 makes every score after the first "no improvement".
    gan = BoltGANSynthesizer(**dict(QUIET, num_epochs=20), validation_every=1,
                             early_stopping=True, n_iter_no_change=2, tol=1.0).fit(sines)
    assert len(gan.history_) == 3
    assert gan.best_epoch_ in (0, 1, 2)


def test_no_early_stopping_by_default(sines):
    gan = BoltGANSynthesizer(**dict(QUIET, num_epochs=6), validation_every=1,
                             n_iter_no_change=1, tol=1.0).fit(sines)
    assert len(gan.history_) == 6


def test_an_early_stopped_checkpoint_is_not_trained_further(sines, tmp_path):
    params = dict(QUIET, num_epochs=20, validation_every=1, early_stopping=True,
                  n_iter_no_change=2, tol=1.0, checkpoint_dir=tmp_path, checkpoint_every=50)
    first = BoltGANSynthesizer(**params).fit(sines)
    again = BoltGANSynthesizer(**params).fit(sines)
    assert again.history_ == first.history_ and again.best_epoch_ == first.best_epoch_
    np.testing.assert_array_equal(again.sample(4, random_state=0),
                                  first.sample(4, random_state=0))


def test_conditional_fit_validates_every_class(sines):
    y = np.repeat(["a", "b"], 32)
    gan = BoltGANSynthesizer(**QUIET).fit(sines, y)
    assert gan.best_epoch_ is not None
    assert gan.sample(4, y=["b"] * 4).shape == (4, 12, 2)


def test_best_epoch_survives_save_and_load(sines, tmp_path):
    gan = BoltGANSynthesizer(**dict(QUIET, num_epochs=4), validation_every=1).fit(sines)
    gan.save(tmp_path / "m.npz")
    loaded = BoltGANSynthesizer.load(tmp_path / "m.npz")
    assert (loaded.best_epoch_, loaded.best_score_) == (gan.best_epoch_, gan.best_score_)
    assert loaded.history_ == gan.history_


def _losses(history):
    return [(h["d_loss"], h["g_loss"]) for h in history]


def test_history_plot_shows_the_validation_scores(sines):
    pytest.importorskip("matplotlib")
    from skboltgan.plotting import plot_history
    gan = BoltGANSynthesizer(**dict(QUIET, num_epochs=4), validation_every=2).fit(sines)
    fig = plot_history(gan)
    assert len(fig.axes) == 3  # losses, diagnostics, validation
    labels = [line.get_label() for line in fig.axes[1].get_lines()]
    assert "diversity (generated / real)" in labels and "D accuracy, real" in labels
    line = fig.axes[2].get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), [1, 3])


def test_max_time_stops_at_an_epoch_boundary_and_keeps_the_best(sines):
    gan = BoltGANSynthesizer(**dict(QUIET, num_epochs=500), validation_every=1,
                             max_time=1e-3).fit(sines)
    assert len(gan.history_) == 1  # the first epoch already ran past the budget
    assert gan.best_epoch_ == 0


def test_max_time_fit_continues_from_its_checkpoint(sines, tmp_path):
    params = dict(QUIET, num_epochs=3, validation_fraction=None, checkpoint_dir=tmp_path)
    sliced = BoltGANSynthesizer(**params, max_time=1e-3)
    lengths = [len(sliced.fit(sines).history_) for _ in range(3)]
    assert lengths == [1, 2, 3]
    whole = BoltGANSynthesizer(**dict(params, checkpoint_dir=None)).fit(sines)
    np.testing.assert_array_equal(sliced.sample(4, random_state=0),
                                  whole.sample(4, random_state=0))


def test_grid_search_over_the_training_controls(sines):
    from sklearn.model_selection import GridSearchCV
    from skboltgan.metrics import make_synthesis_scorer
    search = GridSearchCV(BoltGANSynthesizer(**dict(QUIET, num_epochs=2, batch_size=8)),
                          {"validation_fraction": [None, 0.2], "ema_decay": [0.0, 0.999]},
                          scoring=make_synthesis_scorer("tv_complement"), cv=2,
                          error_score="raise")
    search.fit(sines)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.history_

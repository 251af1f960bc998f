"""Generator designs, objectives and the training schedule each do what they claim."""

import numpy as np
import pytest
import torch

from skboltgan import BoltGANSynthesizer
from skboltgan._losses import (discriminator_loss, generator_loss, gradient_penalty,
                               moment_loss)
from skboltgan._networks import LSTMDiscriminator, LSTMGenerator
from skboltgan._training import AdversarialTrainer

from .conftest import TINY

SEQ_LEN, N_FEATURES, LATENT, HIDDEN = 12, 3, 4, 8


def _generator(**kwargs):
    torch.manual_seed(0)
    return LSTMGenerator(LATENT, SEQ_LEN, N_FEATURES, HIDDEN, 2, 0.0, **kwargs).eval()


def _noise(generator, n=16, seed=0):
    return generator.draw_noise(n, torch.Generator().manual_seed(seed))


# ------------------------------------------------------------------ generator designs
def test_paper_design_feeds_one_vector_and_needs_no_step_noise():
    generator = _generator(noise_dim=0)
    z, step_noise = _noise(generator)
    assert step_noise is None
    assert generator(z).shape == (16, SEQ_LEN, N_FEATURES)


def test_step_noise_changes_every_step_while_the_latent_is_fixed():
    generator = _generator(noise_dim=5)
    z, step_noise = _noise(generator)
    assert step_noise.shape == (16, SEQ_LEN, 5)
    base = generator(z, step_noise=step_noise)
    # Fresh noise at step 7 only: steps before it are untouched, step 7 and later change.
    other = step_noise.clone()
    other[:, 7] = torch.randn(16, 5)
    changed = (generator(z, step_noise=other) - base).abs().amax(dim=(0, 2))
    assert torch.all(changed[:7] == 0) and torch.all(changed[7:] > 0)


def test_sequence_latent_sets_the_initial_state():
    generator = _generator(noise_dim=5)
    z, step_noise = _noise(generator)
    first = generator(z, step_noise=step_noise)[:, 0]
    # The first output depends on z through h0/c0 and the step input.
    assert not torch.allclose(first, generator(z + 1.0, step_noise=step_noise)[:, 0])
    h0, c0 = generator._initial_state(z)
    assert h0.shape == c0.shape == (2, 16, HIDDEN)


def test_step_noise_design_refuses_a_missing_step_noise():
    generator = _generator(noise_dim=5)
    with pytest.raises(ValueError, match="step_noise"):
        generator(torch.zeros(2, LATENT))


@pytest.mark.parametrize("block_size", [1, 4, 5])  # 5 does not divide 12: surplus dropped
def test_block_output_emits_block_size_steps_per_recurrent_step(block_size):
    generator = _generator(noise_dim=3, block_size=block_size)
    z, step_noise = _noise(generator)
    assert step_noise.shape[1] == -(-SEQ_LEN // block_size)
    out = generator(z, step_noise=step_noise)
    assert out.shape == (16, SEQ_LEN, N_FEATURES)
    # Steps within a block come from one hidden state through different heads: not equal.
    assert not torch.allclose(out[:, 0], out[:, min(1, block_size - 1)]) or block_size == 1


@pytest.mark.parametrize("block_size", [1, 4])
def test_noise_skip_maps_each_steps_noise_to_its_features_only(block_size):
    generator = _generator(noise_dim=5, block_size=block_size, noise_skip_features=(1,))
    z, step_noise = _noise(generator)
    with torch.no_grad():
        base = generator(z, step_noise=step_noise)
        generator.noise_skip.weight[:, 0] += 1.0  # only the skip's weights change
        changed = (generator(z, step_noise=step_noise) - base).abs().amax(dim=0)
    assert torch.all(changed[:, 1] > 0)  # the skipped feature, at every step
    assert torch.all(changed[:, [0, 2]] == 0)  # the others not at all


def test_noise_skip_leaves_the_other_weights_and_an_unskipped_generator_as_they_were():
    plain, skipped = _generator(noise_dim=5), _generator(noise_dim=5, noise_skip_features=(2,))
    for name, weights in plain.state_dict().items():
        torch.testing.assert_close(skipped.state_dict()[name], weights)
    assert plain.noise_skip is None and _generator(noise_dim=0, noise_skip_features=(2,)
                                                   ).noise_skip is None


def test_white_noise_features_are_found_in_the_data():
    rng = np.random.default_rng(0)
    steps = np.arange(24)
    waves = np.sin(0.3 * steps + rng.uniform(0, 6, size=(400, 1)))
    white = rng.uniform(size=(400, 24))
    walk = np.cumsum(rng.normal(size=(400, 24)), axis=1)
    other = rng.normal(size=(400, 24))
    near_copy = white + 1e-3 * rng.normal(size=white.shape)
    X = np.stack([waves, white, walk, np.full((400, 24), 2.0), other, near_copy], axis=2)
    gan = BoltGANSynthesizer(**TINY, random_state=0).fit(X)
    # Not the constant column, nor the white difference between the near copies (a lesser
    # principal axis).
    np.testing.assert_array_equal(gan.principal_axes_.minor_axes, [5])
    np.testing.assert_array_equal(gan.white_features_, [1, 4])
    assert gan.generator_.noise_skip.out_features == 2
    assert BoltGANSynthesizer(**TINY, noise_dim=0).fit(X).white_features_.size == 0


def test_generator_output_is_in_the_scaler_range():
    gan = BoltGANSynthesizer(**TINY, random_state=0)
    assert gan.get_params()["noise_dim"] > 0  # the default design is per-step noise
    X = np.random.default_rng(0).random((64, SEQ_LEN, 2))
    gan.fit(X)
    assert gan.scaler_.feature_range == (-1, 1)  # tanh's range, so nothing is clipped
    z, step_noise = gan.generator_.draw_noise(100, torch.Generator())
    with torch.inference_mode():
        raw = gan.generator_(z, step_noise=step_noise)
    assert raw.abs().max() < 1


# ----------------------------------------------------------------------- discriminator
def test_step_logits_give_one_logit_per_step():
    x = torch.rand(5, SEQ_LEN, N_FEATURES)
    per_step = LSTMDiscriminator(SEQ_LEN, N_FEATURES, HIDDEN, 1, 0.0, step_logits=True)
    per_sequence = LSTMDiscriminator(SEQ_LEN, N_FEATURES, HIDDEN, 1, 0.0)
    assert per_step(x).shape == (5, SEQ_LEN)
    assert per_sequence(x).shape == (5,)


# ------------------------------------------------------------------------------ losses
def test_bce_and_lsgan_losses_at_known_points():
    zeros = torch.zeros(4, SEQ_LEN)
    assert discriminator_loss(zeros, zeros, "bce").item() == pytest.approx(2 * np.log(2))
    assert generator_loss(zeros, "bce").item() == pytest.approx(np.log(2))
    assert discriminator_loss(torch.ones(4), torch.zeros(4), "lsgan").item() == 0.0


def test_wasserstein_losses():
    real, fake = torch.full((4,), 3.0), torch.full((4,), 1.0)
    assert discriminator_loss(real, fake, "wgan-gp").item() == -2.0
    assert generator_loss(fake, "wgan-gp").item() == -1.0


def test_gradient_penalty_is_per_sample():
    # A critic whose gradient norm differs per sample: D(x) = c_i * sum(x) with c = sample
    # scale. Per sample, ||grad|| = |c_i| * sqrt(T * d); a batch-wide norm would differ.
    scales = torch.tensor([0.0, 1.0, 3.0])

    def critic(x, labels=None):
        return x.flatten(1).sum(dim=1) * scales

    real = torch.rand(3, SEQ_LEN, N_FEATURES)
    fake = torch.rand(3, SEQ_LEN, N_FEATURES)
    norms = scales * np.sqrt(SEQ_LEN * N_FEATURES)
    expected = ((norms - 1) ** 2).mean()
    torch.testing.assert_close(gradient_penalty(critic, real, fake), expected)
    batch_norm = scales.square().sum().sqrt() * np.sqrt(SEQ_LEN * N_FEATURES)
    assert not torch.isclose(expected, (batch_norm - 1) ** 2)


def test_gradient_penalty_trains_through_an_lstm_critic():
    critic = LSTMDiscriminator(SEQ_LEN, N_FEATURES, HIDDEN, 2, 0.0, step_logits=True)
    penalty = gradient_penalty(critic, torch.rand(4, SEQ_LEN, N_FEATURES),
                               torch.rand(4, SEQ_LEN, N_FEATURES))
    penalty.backward()  # double backward through the LSTM
    # Every weight shapes the critic's input gradient; only the last bias cannot.
    no_grad = [n for n, p in critic.named_parameters() if p.grad is None]
    assert no_grad == ["head.1.bias"]


def test_moment_loss_is_zero_for_identical_batches_and_grows_with_the_gap():
    x = torch.rand(32, SEQ_LEN, N_FEATURES)
    assert moment_loss(x, x.clone()).item() == pytest.approx(0.0, abs=1e-7)
    assert moment_loss(x, x + 0.5).item() == pytest.approx(0.5, abs=1e-5)  # mean gap only
    assert moment_loss(x, 2 * x).item() > moment_loss(x, 1.5 * x).item() > 0


# ---------------------------------------------------------------------------- schedule
def _trainer(**kwargs):
    torch.manual_seed(0)
    generator = LSTMGenerator(LATENT, SEQ_LEN, N_FEATURES, HIDDEN, 1, 0.0, noise_dim=3)
    discriminator = LSTMDiscriminator(SEQ_LEN, N_FEATURES, HIDDEN, 1, 0.0)
    params = dict(batch_size=8, lr=1e-3, betas=(0.5, 0.999), loss="bce",
                  precision="float32", device=torch.device("cpu"),
                  noise_rng=torch.Generator().manual_seed(1),
                  shuffle_rng=torch.Generator().manual_seed(2))
    return AdversarialTrainer(generator, discriminator, **{**params, **kwargs})


def test_generator_updates_once_per_discriminator_steps():
    trainer = _trainer(discriminator_steps=3)
    data = torch.rand(8 * 6, SEQ_LEN, N_FEATURES)
    counts = {"g": 0, "d": 0}
    trainer.opt_g.register_step_post_hook(lambda *a: counts.__setitem__("g", counts["g"] + 1))
    trainer.opt_d.register_step_post_hook(lambda *a: counts.__setitem__("d", counts["d"] + 1))
    trainer.run_epoch(data, None, 0.0)
    assert counts == {"d": 6, "g": 2}


def test_generator_pace_carries_across_epochs():
    # 2 batches an epoch, 3 D steps per G step: the G step comes on the 3rd and 6th batch.
    trainer = _trainer(discriminator_steps=3)
    data = torch.rand(16, SEQ_LEN, N_FEATURES)
    losses = [trainer.run_epoch(data, None, 0.0)["g_loss"] for _ in range(3)]
    assert losses[0] is None and losses[1] is not None and losses[2] is not None


def test_discriminator_lr_is_separate():
    trainer = _trainer(lr=1e-3, discriminator_lr=4e-3)
    assert trainer.opt_g.param_groups[0]["lr"] == 1e-3
    assert trainer.opt_d.param_groups[0]["lr"] == 4e-3
    assert _trainer(lr=1e-3).opt_d.param_groups[0]["lr"] == 1e-3


def test_moment_weight_changes_the_generator_update():
    data = torch.rand(8, SEQ_LEN, N_FEATURES)
    plain, weighted = _trainer(), _trainer(moment_weight=100.0)
    plain.train_step(data, None, 0.0)
    weighted.train_step(data, None, 0.0)
    g_plain = dict(plain.generator.named_parameters())
    changed = [not torch.equal(p, g_plain[n]) for n, p in weighted.generator.named_parameters()]
    assert any(changed)
    for a, b in zip(plain.discriminator.parameters(), weighted.discriminator.parameters()):
        torch.testing.assert_close(a, b)  # the moment term is the generator's alone


def test_weight_average_follows_the_warmed_up_decay():
    trainer = _trainer(ema_decay=0.5)
    data = torch.rand(8, SEQ_LEN, N_FEATURES)
    expected = [p.detach().clone() for p in trainer.generator.parameters()]
    for n in (1, 2, 3):  # decays min(0.5, 2/11), min(0.5, 3/12), min(0.5, 4/13)
        trainer.train_step(data, None, 0.0)
        weight = 1 - min(0.5, (1 + n) / (10 + n))
        expected = [e + weight * (c.detach() - e)
                    for e, c in zip(expected, trainer.generator.parameters())]
    for e, a in zip(expected, trainer.ema_generator.parameters()):
        torch.testing.assert_close(a, e)
    assert trainer.sampling_generator is trainer.ema_generator


def test_without_average_the_generator_is_sampled():
    trainer = _trainer()
    assert trainer.ema_generator is None and trainer.sampling_generator is trainer.generator


def test_weight_average_changes_the_fitted_generator_not_the_training(sines):
    params = dict(TINY, num_epochs=3, random_state=0)
    plain = BoltGANSynthesizer(**params, ema_decay=0.0).fit(sines)
    averaged = BoltGANSynthesizer(**params, ema_decay=0.9).fit(sines)
    assert ([(h["d_loss"], h["g_loss"]) for h in plain.history_]
            == [(h["d_loss"], h["g_loss"]) for h in averaged.history_])
    assert not np.array_equal(plain.sample(4, random_state=0), averaged.sample(4, random_state=0))


# -------------------------------------------------------------- through the estimator
@pytest.mark.parametrize("params", [
    dict(noise_dim=0, discriminator_steps=1),               # the paper's design
    dict(noise_dim=3, block_size=4, step_logits=True),
    dict(noise_dim=3, loss="wgan-gp", gradient_penalty=1.0),
    dict(noise_dim=3, loss="lsgan", moment_weight=10.0, discriminator_lr=2e-3),
])
def test_every_design_fits_samples_and_bolts(sines, params):
    settings = dict(TINY, num_epochs=4, feedback_interval=2, feedback_epochs=1,
                    discriminator_steps=2)
    gan = BoltGANSynthesizer(**{**settings, **params}, random_state=0).fit(sines)
    bolts = [r for r in gan.history_ if "k1" in r]
    assert [r["epoch"] for r in bolts] == [2]
    assert [r["phase"] for r in gan.history_] == ["normal", "normal", "bolt", "normal"]
    samples = gan.sample(10)
    assert samples.shape == (10, *sines.shape[1:]) and np.isfinite(samples).all()
    np.testing.assert_array_equal(samples, gan.sample(10))


def test_step_noise_samples_are_not_flat_lines(sines):
    # The paper's fixed-point failure is a window whose second half barely moves; with
    # fresh noise per step the step-to-step changes of an untrained generator stay alive.
    gan = BoltGANSynthesizer(**dict(TINY, num_epochs=1), random_state=0).fit(sines)
    samples = gan.sample(50)
    assert np.abs(np.diff(samples[:, 6:], axis=1)).mean() > 1e-3


@pytest.mark.parametrize("noise_dim, trains_with_dropout", [(3, False), (0, True)])
def test_only_the_papers_generator_trains_with_dropout(sines, noise_dim, trains_with_dropout):
    # In training the discriminator judges the generator in train mode; sample() uses eval
    # mode. With per-step noise the two must be the same function, so what the
    # discriminator learned to judge is what users get; the paper's design keeps dropout.
    params = dict(TINY, lstm_layers=2, dropout=0.5, noise_dim=noise_dim, num_epochs=1)
    generator = BoltGANSynthesizer(**params, random_state=0).fit(sines)._module("generator")
    z, step_noise = _noise(generator)
    with torch.no_grad():
        evaluated = generator.eval()(z, step_noise=step_noise)
        trained = generator.train()(z, step_noise=step_noise)
    generator.eval()
    assert torch.equal(evaluated, trained) is not trains_with_dropout


def test_new_options_round_trip_through_save_and_load(sines, tmp_path):
    params = dict(TINY, noise_dim=3, block_size=4, step_logits=True, loss="wgan-gp",
                  discriminator_steps=2, random_state=0)
    white = np.random.default_rng(0).uniform(size=sines.shape[:2] + (1,))
    gan = BoltGANSynthesizer(**params).fit(np.concatenate([sines, white], axis=2))
    assert gan.white_features_.size  # the noise skip is part of the round trip
    gan.save(tmp_path / "m.npz")
    loaded = BoltGANSynthesizer.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.white_features_, gan.white_features_)
    np.testing.assert_array_equal(loaded.sample(5), gan.sample(5))


@pytest.mark.parametrize("bad, match", [
    (dict(noise_dim=-1), "noise_dim"), (dict(block_size=0), "block_size"),
    (dict(loss="hinge"), "loss"), (dict(gradient_penalty=-1.0), "gradient_penalty"),
    (dict(discriminator_steps=0), "discriminator_steps"),
    (dict(discriminator_lr=0.0), "discriminator_lr"),
])
def test_bad_options_are_clear_errors(sines, bad, match):
    with pytest.raises(ValueError, match=match):
        BoltGANSynthesizer(**TINY, **bad).fit(sines)


def test_cumulative_generator_integrates_its_increment_heads():
    # Experiment of benchmarks/ablation_quality.py: pre-activation = level + running sum of
    # increments / sqrt(seq_len). With zero weights, the level heads' bias 0 and the
    # increment heads' bias c, step t is tanh(c * (t + 1) / sqrt(seq_len)).
    seq_len, n_features, c = 9, 2, 0.3
    generator = LSTMGenerator(4, seq_len, n_features, 8, 1, 0.0, noise_dim=2, cumulative=True)
    with torch.no_grad():
        generator.output.weight.zero_()
        generator.output.bias.zero_()
        generator.output.bias[n_features:] = c  # block_size 1: [levels, increments]
    z, noise = generator.draw_noise(3, torch.Generator().manual_seed(0))
    out = generator(z, None, noise)
    expected = torch.tanh(c * torch.arange(1, seq_len + 1) / seq_len ** 0.5)
    torch.testing.assert_close(out[0, :, 1], expected)

"""The training step's shortcuts change the cost, not the math.

The shared generator forward (detached for the discriminator update), the single
discriminator pass over real and fake, fused Adam and the frozen discriminator during the
generator update must give the same parameters after a step as the straightforward step
written out below, with and without class labels; both precisions must give usable samples.
"""

import copy

import pytest
import torch
import torch.nn.functional as F

from skboltgan._networks import LSTMDiscriminator, LSTMGenerator
from skboltgan._training import AdversarialTrainer

LATENT, SEQ_LEN, N_FEATURES, HIDDEN, BATCH = 4, 6, 3, 8, 8
BETAS = (0.5, 0.999)


def _networks(seed, n_classes=0):
    # No dropout: the straightforward step runs the generator twice, which would draw
    # different dropout masks and make the comparison meaningless.
    torch.manual_seed(seed)
    generator = LSTMGenerator(LATENT, SEQ_LEN, N_FEATURES, HIDDEN, 1, 0.0, n_classes)
    discriminator = LSTMDiscriminator(SEQ_LEN, N_FEATURES, HIDDEN, 1, 0.0, n_classes)
    return generator, discriminator


def _trainer(generator, discriminator, noise_seed):
    return AdversarialTrainer(
        generator, discriminator, batch_size=BATCH, lr=1e-2, betas=BETAS,
        loss="bce", precision="float32", device=torch.device("cpu"),
        noise_rng=torch.Generator().manual_seed(noise_seed),
        shuffle_rng=torch.Generator().manual_seed(0))


def _naive_step(generator, discriminator, real, z, lr, labels=None):
    """The textbook step: separate discriminator passes, a fresh generator forward per
    update, nothing frozen, Adam unfused."""
    opt_g = torch.optim.Adam(generator.parameters(), lr=lr, betas=BETAS)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=lr, betas=BETAS)
    real_logits = discriminator(real, labels)
    fake_logits = discriminator(generator(z, labels).detach(), labels)
    loss_d = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
              + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    fake_logits = discriminator(generator(z, labels), labels)
    loss_g = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()


def _real_batch(seed):
    return torch.rand(BATCH, SEQ_LEN, N_FEATURES, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("n_classes", [0, 3])
def test_shared_forward_step_matches_straightforward_step(global_random_seed, n_classes):
    generator, discriminator = _networks(global_random_seed, n_classes)
    naive_g, naive_d = copy.deepcopy(generator), copy.deepcopy(discriminator)
    real = _real_batch(global_random_seed)
    noise_seed = global_random_seed + 1
    # The trainer draws its noise from noise_rng first thing in the step: draw the same z.
    z = torch.randn(BATCH, LATENT, generator=torch.Generator().manual_seed(noise_seed))

    labels = torch.arange(BATCH) % n_classes if n_classes else None
    _trainer(generator, discriminator, noise_seed).train_step(real, labels, 0.0)
    _naive_step(naive_g, naive_d, real, z, lr=1e-2, labels=labels)

    for ours, naive in ((generator, naive_g), (discriminator, naive_d)):
        for (name, p), q in zip(ours.named_parameters(), naive.parameters()):
            torch.testing.assert_close(p, q, msg=f"{name} differs after one step")


def test_step_changes_both_networks():
    # Guards the comparison above against passing because nothing moved.
    generator, discriminator = _networks(0)
    before = [p.detach().clone() for p in (*generator.parameters(),
                                            *discriminator.parameters())]
    _trainer(generator, discriminator, 1).train_step(_real_batch(0), None, 0.0)
    after = [*generator.parameters(), *discriminator.parameters()]
    assert all(not torch.equal(b, a) for b, a in zip(before, after))


def test_discriminator_gets_no_gradient_in_generator_update():
    generator, discriminator = _networks(0)
    accumulations = []
    for p in discriminator.parameters():
        p.register_post_accumulate_grad_hook(lambda p: accumulations.append(p))
    trainer = _trainer(generator, discriminator, 1)
    trainer.train_step(_real_batch(0), None, 0.0)
    # One backward (the discriminator update) accumulates each weight's gradient once; a
    # generator update that also computed discriminator gradients would do it twice.
    assert len(accumulations) == len(list(discriminator.parameters()))
    assert all(p.requires_grad for p in discriminator.parameters())

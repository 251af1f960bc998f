"""
Quick start: fit, sample and look
=================================

Fit a :class:`~skboltgan.BoltGANSynthesizer` on sine waves, generate new sequences and
compare them with the real ones using :mod:`skboltgan.plotting`. The network is tiny so the
example runs in seconds; it shows the workflow, not the quality a full-size fit reaches.
"""

# %%
# Data: sequences of shape (n_sequences, seq_len, n_features)
# ------------------------------------------------------------
# ``make_sines`` draws TimeGAN's sines benchmark: every feature is a sine wave with its own
# random frequency and phase, scaled to [0, 1].
from skboltgan import BoltGANSynthesizer
from skboltgan.datasets import make_sines
from skboltgan.plotting import plot_embedding, plot_history, plot_marginals, plot_samples

X = make_sines(256, seq_len=24, n_features=3, random_state=0)
print(X.shape)

# %%
# Fit and sample
# --------------
# ``feedback_interval=0.25`` fires a bolt every quarter of the epochs; each bolt is followed
# by ``feedback_epochs`` refinement epochs whose latent input carries the KL feedback.
# A network this small trains fastest on one thread (``n_threads=1``).
gan = BoltGANSynthesizer(latent_dim=8, lstm_hidden=16, lstm_layers=1, batch_size=32,
                         num_epochs=12, feedback_interval=0.25, feedback_epochs=1,
                         n_threads=1, random_state=0)
gan.fit(X)
synthetic = gan.sample(256)
print(synthetic.shape)

# %%
# ``score`` is the mean per-feature ``exp(-KL)`` between held-out real data and as many
# samples; 1.0 means indistinguishable marginals.
X_test = make_sines(256, seq_len=24, n_features=3, random_state=1)
print(f"score on held-out sines: {gan.score(X_test):.3f}")

# %%
# Training history
# ----------------
# Discriminator and generator losses per epoch; shaded epochs are bolt refinements.
fig = plot_history(gan)

# %%
# Real against synthetic sequences
# --------------------------------
fig = plot_samples(X, synthetic, n_sequences=8)

# %%
# Marginal distributions per feature
# ----------------------------------
fig = plot_marginals(X, synthetic)

# %%
# Embeddings of whole sequences
# -----------------------------
# Each sequence is flattened and projected with PCA and t-SNE. Synthetic points that cover
# the real cloud mean the generator reproduces the variety of the data; a tight clump would
# signal mode collapse.
fig = plot_embedding(X, synthetic, max_samples=200)

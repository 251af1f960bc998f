"""
=====================================================
Oversampling a rare event with a conditional Bolt-GAN
=====================================================

Rare events -- equipment faults, attacks, consumption peaks -- leave a classifier few
sequences to learn from. :class:`skboltgan.BoltGANOversampler` trains one
class-conditional Bolt-GAN on the training windows and appends generated windows of the rare
class, following imbalanced-learn's sampler protocol, so it is one step of an
``imblearn.pipeline.Pipeline`` and is applied to training data only.

The task: from the last 4 hours (24 readings) of 8 sensors of the UCI appliances energy data,
predict whether the mean appliance consumption over the *next* hour exceeds the 90th
percentile of the training period. The series is split in time before windowing, so no test
reading is seen in training. This quick version trains the GAN for a few epochs only; the
benchmark ``benchmarks/bench_augmentation.py`` runs the full comparison over several seeds
(results in the user guide, :doc:`/augmentation`).
"""

# %%
# Build the windows, split in time
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
import torch
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skboltgan import BoltGANOversampler, BoltGANSynthesizer
from skboltgan.datasets import load_energy

torch.set_num_threads(1)  # small LSTMs are fastest on one thread

frame = load_energy(as_frame=True)[
    ["Appliances", "lights", "T1", "RH_1", "T2", "RH_2", "T_out", "RH_out"]]
consumption = frame["Appliances"].to_numpy()
series = frame.to_numpy().copy()
series[:, :2] = np.log1p(series[:, :2])  # consumption is heavy-tailed


def windows_and_future(part, future_of):
    """24-step windows (stride 6) and the mean consumption of the 6 steps after each."""
    X = sliding_window_view(part[:-6], 24, axis=0).transpose(0, 2, 1)[::6]
    return X, sliding_window_view(future_of[24:], 6).mean(axis=1)[::6]


cut = int(0.7 * len(series))
X_train, future_train = windows_and_future(series[:cut], consumption[:cut])
X_test, future_test = windows_and_future(series[cut:], consumption[cut:])
threshold = np.quantile(future_train, 0.9)  # from the training period only
y_train, y_test = (future_train > threshold).astype(int), (future_test > threshold).astype(int)
print(f"train {X_train.shape}, {y_train.sum()} rare; test {X_test.shape}, {y_test.sum()} rare")

# %%
# Three classifiers: real only, + SMOTE, + Bolt-GAN
# -------------------------------------------------
# The oversamplers sit in the pipeline before the classifier; ``fit`` resamples, ``predict``
# does not. SMOTE needs flat rows, so it comes after the flattening step; the Bolt-GAN
# oversampler works on the 3D windows directly.
flatten = FunctionTransformer(lambda X: X.reshape(len(X), -1))
gan = BoltGANSynthesizer(latent_dim=16, lstm_hidden=32, lstm_layers=1, num_epochs=8,
                         batch_size=64, lr=1e-3)
models = {
    "real only": make_pipeline(flatten, StandardScaler(), LogisticRegression(C=0.01)),
    "+ SMOTE": make_pipeline(flatten, SMOTE(random_state=0), StandardScaler(),
                             LogisticRegression(C=0.01)),
    "+ Bolt-GAN": make_pipeline(BoltGANOversampler(synthesizer=gan, random_state=0), flatten,
                                StandardScaler(), LogisticRegression(C=0.01)),
}
scores = {}
for name, model in models.items():
    proba = model.fit(X_train, y_train).predict_proba(X_test)[:, 1]
    scores[name] = (average_precision_score(y_test, proba), roc_auc_score(y_test, proba))
    print(f"{name:12s} AUPRC {scores[name][0]:.3f}  AUROC {scores[name][1]:.3f}")

# %%
# What the generator makes of the rare class
# ------------------------------------------
# The fitted oversampler keeps its synthesizer; ask it for rare-class windows and compare
# the appliance consumption (log scale) with real rare-class windows.
synthesizer = models["+ Bolt-GAN"][0].synthesizer_
generated = synthesizer.sample(20, y=1, random_state=0)
real_rare = X_train[y_train == 1][:20]

fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
axes[0].plot(real_rare[:, :, 0].T, color="tab:blue", alpha=0.5)
axes[0].set_title("real rare-class windows")
axes[1].plot(generated[:, :, 0].T, color="tab:orange", alpha=0.5)
axes[1].set_title("generated rare-class windows")
for ax in axes[:2]:
    ax.set_xlabel("step (10 min)")
    ax.set_ylabel("log(1 + Appliances)")
names = list(scores)
axes[2].bar(np.arange(3) - 0.2, [scores[n][0] for n in names], 0.4, label="AUPRC")
axes[2].bar(np.arange(3) + 0.2, [scores[n][1] for n in names], 0.4, label="AUROC")
axes[2].axhline(y_test.mean(), color="grey", linestyle=":", label="AUPRC of chance")
axes[2].set_xticks(np.arange(3), names)
axes[2].legend(loc="lower right")
axes[2].set_title("test scores (one seed, short training)")
fig.tight_layout()
plt.show()

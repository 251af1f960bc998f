"""Speed, memory and scaling benchmark of skboltgan's training and sampling.

Measures, in one run (timings are compared as ratios inside the run because the machine is
shared and noisy):

* ``gemm``    this machine's float32 and bfloat16 matmul rate on LSTM-sized products;
* ``paper``   training sequences/s at the paper architecture (hidden 308, 3 layers, latent 100,
              batch 32, 24x5 sines): ours float32, ours bfloat16, the reference step
              (``benchmarks/_reference.py``); achieved GFLOP/s and fraction of the GEMM rate;
* ``default`` the same at ``BoltGANSynthesizer()``'s default architecture;
* ``bolt``    a bolt's cost as % of an epoch on energy (19,711 x 24 x 28), ours vs the
              reference's per-dimension KDE loop;
* ``sample``  ``sample`` sequences/s on 24x5 (float32 and bfloat16) and fraction of GEMM rate,
              and ``iter_samples`` sequences/s by chunk size at three network widths;
* ``memory``  peak RSS of ``fit`` on energy, of ``fit`` on 10,000 and 100,000 sines (growth
              against the extra input), and of ``sample(1_000_000)`` / ``iter_samples``
              (each in its own subprocess, read with ``getrusage(RUSAGE_CHILDREN)``);
* ``grid``    wall time of a tiny ``GridSearchCV`` with ``n_jobs=2`` against ``n_jobs=1``;
* ``profile`` torch.profiler breakdown of our paper-architecture step and prototype
              variants (Adam ``foreach``/``fused``, 1 vs 2 threads, ``torch.compile``).

FLOP model (multiply-add = 2 FLOPs), per sequence of ``T`` steps::

    LSTM layer forward     2 * 4 * h * (in + h) * T
    G forward   G_f = 2*latent*h + sum_layers LSTM(in=h) + 2*T*h*F
    D forward   D_f = sum_layers LSTM(in_0=F, then h) + 2*(T*h)*h + 2*h
    backward ~ 2 x forward (input and weight gradients); input gradients only ~ 1 x forward

    useful step   = 3*G_f + 8*D_f   (G fwd+bwd; D fwd real+fake with full backward = 6 D_f;
                                     D fwd on fake + input-only backward for the G update)
    reference     = 4*G_f + 9*D_f   (a second G forward; D weight grads in the G update)

Usage::

    python benchmarks/bench_speed.py                 # everything (about 15 minutes)
    python benchmarks/bench_speed.py --quick         # fewer steps and repeats
    python benchmarks/bench_speed.py --parts gemm paper
"""

import argparse
import json
import os
import platform

import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _reference import ReferenceTrainer, reference_bolt  # noqa: E402

from skboltgan import BoltGANSynthesizer  # noqa: E402
from skboltgan._networks import LSTMDiscriminator, LSTMGenerator  # noqa: E402
from skboltgan._training import AdversarialTrainer, bfloat16_supported  # noqa: E402
from skboltgan.datasets import load_energy, make_sines  # noqa: E402

PARTS = ("gemm", "paper", "default", "bolt", "sample", "memory", "grid", "profile")
PAPER = dict(latent_dim=100, lstm_hidden=308, lstm_layers=3, dropout=0.3, batch_size=32)
SINES_SHAPE = (24, 5)
FIT_SCALING = (10_000, 100_000)  # sequences in the two fits whose peak memory is compared
GRID_SEQUENCES = 8192  # CV fits of ~4 s, the refit ~8 s: long enough for workers to pay


# ----------------------------------------------------------------------------- helpers
def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(fns, repeats):
    """Median wall time of each callable, run round-robin so they share the machine's noise."""
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def energy_windows(seq_len=24):
    """TimeGAN's energy windows: 19,711 x 24 x 28, min-max scaled to [-1, 1]."""
    series = load_energy()
    n = len(series) - seq_len  # TimeGAN's range(0, len - seq_len)
    windows = np.lib.stride_tricks.sliding_window_view(series, seq_len, axis=0)[:n]
    windows = windows.transpose(0, 2, 1)
    low, high = series.min(axis=0), series.max(axis=0)
    return (2 * (windows - low) / np.where(high > low, high - low, 1) - 1).astype(np.float32)


def sines(n):
    return (2 * make_sines(n, *SINES_SHAPE, random_state=0) - 1).astype(np.float32)


# --------------------------------------------------------------------------- FLOP model
def lstm_fwd_flops(T, in0, h, layers):
    return sum(2 * 4 * h * ((in0 if layer == 0 else h) + h) * T for layer in range(layers))


def generator_flops(arch, T, F):
    h = arch["lstm_hidden"]
    return (2 * arch["latent_dim"] * h + lstm_fwd_flops(T, h, h, arch["lstm_layers"])
            + 2 * T * h * F)


def discriminator_flops(arch, T, F):
    h = arch["lstm_hidden"]
    return lstm_fwd_flops(T, F, h, arch["lstm_layers"]) + 2 * T * h * h + 2 * h


def step_flops_per_sequence(arch, T, F):
    """(useful, reference-executed) FLOPs per training sequence."""
    g, d = generator_flops(arch, T, F), discriminator_flops(arch, T, F)
    return 3 * g + 8 * d, 4 * g + 9 * d


# ------------------------------------------------------------------------------- GEMM
def gemm_rate(m, k, n, dtype, seconds=0.2):
    a = torch.randn(m, k, dtype=dtype)
    b = torch.randn(k, n, dtype=dtype)
    torch.matmul(a, b)
    inner = max(1, int(seconds / max(median_time(lambda: torch.matmul(a, b), 1), 1e-6)))
    per_call = median_time(lambda: [torch.matmul(a, b) for _ in range(inner)], 3) / inner
    return 2 * m * k * n / per_call / 1e9


def gemm_shapes():
    """The LSTM's products at the paper and default architectures: per step and per sequence.

    Per step, ``(batch, hidden) @ (hidden, 4 * hidden)``; per sequence (the input product of
    all 24 steps at once), the same with ``24 * batch`` rows.
    """
    shapes = {}
    for name, arch in (("paper", PAPER), ("default", default_arch()[0])):
        b, h = arch["batch_size"], arch["lstm_hidden"]
        shapes[f"{name}_step {b}x{h} @ {h}x{4 * h}"] = (b, h, 4 * h)
        shapes[f"{name}_seq {24 * b}x{h} @ {h}x{4 * h}"] = (24 * b, h, 4 * h)
    return shapes


def bench_gemm(args):
    """GFLOP/s of matmuls shaped like the LSTM's per-step and whole-sequence products.

    ``rate`` (the denominator of every "fraction of GEMM" figure) is the best rate over
    these LSTM-sized shapes at ``--threads``; 1 and 2 threads are both recorded.
    """
    out = {}
    for dtype in (torch.float32, torch.bfloat16):
        name = str(dtype).replace("torch.", "")
        out[name] = {}
        for threads in sorted({1, 2, args.threads}):
            torch.set_num_threads(threads)
            rates = {label: gemm_rate(*shape, dtype) for label, shape in gemm_shapes().items()}
            out[name][f"{threads}_threads"] = rates
        out[name]["rate"] = max(out[name][f"{args.threads}_threads"].values())
    torch.set_num_threads(args.threads)
    return out


# --------------------------------------------------------------------------- training
def build_ours(arch, T, F, precision, seed=0):
    torch.manual_seed(seed)
    generator = LSTMGenerator(arch["latent_dim"], T, F, arch["lstm_hidden"],
                              arch["lstm_layers"], arch["dropout"])
    discriminator = LSTMDiscriminator(T, F, arch["lstm_hidden"], arch["lstm_layers"],
                                      arch["dropout"])
    return AdversarialTrainer(
        generator, discriminator, batch_size=arch["batch_size"], lr=2e-4, betas=(0.5, 0.999), loss="bce",
        precision=precision, device=torch.device("cpu"),
        noise_rng=torch.Generator().manual_seed(1), shuffle_rng=torch.Generator().manual_seed(2))


def build_reference(arch, T, F, seed=0):
    torch.manual_seed(seed)
    return ReferenceTrainer(latent_dim=arch["latent_dim"], seq_len=T, n_features=F,
                            hidden=arch["lstm_hidden"], layers=arch["lstm_layers"],
                            dropout=arch["dropout"], batch_size=arch["batch_size"])


def step_runners(arch, data, variants):
    """Callables that each run ``len(data) // batch_size`` training steps."""
    T, F = data.shape[1:]
    tensor = torch.as_tensor(data)
    runners = {}
    for name in variants:
        if name == "reference":
            ref = build_reference(arch, T, F)
            loader = ref.loader(data)
            runners[name] = lambda ref=ref, loader=loader: ref.run_epoch(loader)
        else:
            trainer = build_ours(arch, T, F, precision=name.split("_")[1])
            runners[name] = lambda t=trainer: t.run_epoch(tensor, None, 0.0)
    return runners


def bench_training(args, arch, gemm, label):
    T, F = SINES_SHAPE
    n_steps = args.steps
    data = sines(n_steps * arch["batch_size"])
    runners, errors = warmed_up(step_runners(arch, data, ("reference", "ours_float32",
                                                          "ours_bfloat16")))
    seconds = interleaved_medians(runners, args.repeats)
    useful, executed_ref = step_flops_per_sequence(arch, T, F)
    result = {"arch": arch, "steps_timed": n_steps, "repeats": args.repeats,
              "useful_flops_per_sequence": useful,
              "reference_flops_per_sequence": executed_ref, "errors": errors}
    n_seq = n_steps * arch["batch_size"]
    for name, sec in seconds.items():
        rate_key = "bfloat16" if name.endswith("bfloat16") else "float32"
        seq_s = n_seq / sec
        gflops = seq_s * useful / 1e9
        row = {"seconds_per_step": sec / n_steps, "sequences_per_s": seq_s,
               "useful_gflop_s": gflops, "fraction_of_gemm": gflops / gemm[rate_key]["rate"]}
        if name == "reference":
            row["executed_gflop_s"] = seq_s * executed_ref / 1e9
            row["executed_fraction_of_gemm"] = row["executed_gflop_s"] / gemm["float32"]["rate"]
        result[name] = row
    ref = result["reference"]["sequences_per_s"]
    for precision in ("float32", "bfloat16"):
        ours = result.get(f"ours_{precision}")
        result[f"speedup_{precision}"] = ours["sequences_per_s"] / ref if ours else None
    print_training(label, result)
    return result


def warmed_up(runners):
    """Run each callable once (allocation, oneDNN primitive caches); drop those that fail."""
    kept, errors = {}, {}
    for name, fn in runners.items():
        try:
            fn()
            kept[name] = fn
        except RuntimeError as exc:
            errors[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            print(f"{name} failed: {errors[name]}")
    return kept, errors


def print_training(label, r):
    print(f"\n== training, {label} architecture {r['arch']}")
    print(f"{'variant':<16}{'ms/step':>10}{'seq/s':>10}{'GFLOP/s':>10}{'of GEMM':>10}")
    for name in ("reference", "ours_float32", "ours_bfloat16"):
        row = r.get(name)
        if row is None:
            print(f"{name:<16} failed: {r['errors'].get(name)}")
            continue
        print(f"{name:<16}{1e3 * row['seconds_per_step']:>10.1f}{row['sequences_per_s']:>10.1f}"
              f"{row['useful_gflop_s']:>10.1f}{100 * row['fraction_of_gemm']:>9.0f}%")
    print("speed-up vs reference: " + ", ".join(
        f"{p} {r[f'speedup_{p}']:.2f}x" for p in ("float32", "bfloat16")
        if r[f"speedup_{p}"] is not None))


# ------------------------------------------------------------------------------- bolt
def default_arch():
    params = BoltGANSynthesizer().get_params()
    keys = ("latent_dim", "lstm_hidden", "lstm_layers", "dropout", "batch_size")
    return {k: params[k] for k in keys}, params["feedback_sample_size"]


def bench_bolt(args):
    arch, sample_size = default_arch()
    data = energy_windows()
    T, F = data.shape[1:]
    n_batches = len(data) // arch["batch_size"]
    steps = data[: args.steps * arch["batch_size"]]
    runners, _ = warmed_up(step_runners(arch, steps, ("ours_float32", "reference")))
    step_seconds = {k: v / args.steps for k, v in
                    interleaved_medians(runners, args.repeats).items()}
    trainer = build_ours(arch, T, F, "float32")
    tensor = torch.as_tensor(data)
    ours_bolt = median_time(lambda: trainer.bolt(tensor, None, sample_size), args.repeats)
    ref = build_reference(arch, T, F)
    rng = np.random.default_rng(0)
    ref_bolt = {n: median_time(lambda n=n: reference_bolt(
        ref, data[rng.choice(len(data), n, replace=False)]), max(1, args.repeats // 2))
        for n in (arch["batch_size"], sample_size)}
    epoch = {k: v * n_batches for k, v in step_seconds.items()}
    result = {
        "arch": arch, "data_shape": list(data.shape), "feedback_sample_size": sample_size,
        "epoch_seconds_ours": epoch["ours_float32"],
        "epoch_seconds_reference": epoch["reference"],
        "bolt_seconds_ours": ours_bolt,
        "bolt_percent_of_epoch_ours": 100 * ours_bolt / epoch["ours_float32"],
        "bolt_seconds_reference_kde": {str(k): v for k, v in ref_bolt.items()},
        "bolt_percent_of_epoch_reference_kde": {
            str(k): 100 * v / epoch["reference"] for k, v in ref_bolt.items()},
    }
    print(f"\n== bolt on energy {data.shape}, default architecture, "
          f"feedback_sample_size={sample_size}")
    print(f"epoch (extrapolated from {args.steps} steps): ours {epoch['ours_float32']:.2f}s, "
          f"reference {epoch['reference']:.2f}s")
    print(f"bolt ours: {1e3 * ours_bolt:.1f} ms = "
          f"{result['bolt_percent_of_epoch_ours']:.3f}% of an epoch")
    for n, sec in ref_bolt.items():
        print(f"bolt reference KDE on {n} sequences: {1e3 * sec:.0f} ms = "
              f"{100 * sec / epoch['reference']:.2f}% of its epoch")
    return result


# ----------------------------------------------------------------------------- sample
def fitted_synthesizer(arch=None, precision="float32", n=256):
    arch = {} if arch is None else arch
    gan = BoltGANSynthesizer(**arch, num_epochs=1, feedback_interval=None,
                             precision=precision, random_state=0)
    return gan.fit(make_sines(max(n, arch.get("batch_size", 64)), *SINES_SHAPE,
                              random_state=0))


def bench_sample(args, gemm):
    arch, _ = default_arch()
    n = args.sample_n
    result = {"arch": arch, "n_samples": n}
    print(f"\n== sampling {n} sequences of 24x5, default architecture")
    for precision in ("float32", "bfloat16"):
        if precision == "bfloat16" and not bfloat16_supported("cpu"):
            # sample() then runs in float32: timing it again would say nothing new.
            result[precision] = {"error": "no bfloat16 LSTM on this CPU; sample() falls "
                                          "back to float32"}
            print(f"{precision:<10} {result[precision]['error']}")
            continue
        gan = fitted_synthesizer(arch, "float32").set_params(precision=precision)
        try:
            gan.sample(1000)
        except RuntimeError as exc:
            result[precision] = {"error": str(exc).splitlines()[0][:200]}
            print(f"{precision:<10} failed: {result[precision]['error']}")
            continue
        sec = median_time(lambda gan=gan: gan.sample(n), args.repeats)
        gflops = n / sec * generator_flops(arch, *SINES_SHAPE) / 1e9
        result[precision] = {"sequences_per_s": n / sec, "gflop_s": gflops,
                             "fraction_of_gemm": gflops / gemm[precision]["rate"]}
        print(f"{precision:<10} {n / sec:>10.0f} seq/s {gflops:>7.1f} GFLOP/s "
              f"{100 * gflops / gemm[precision]['rate']:>5.0f}% of GEMM")
    result["chunk_sizes"] = chunk_size_sweep(args)
    return result


def chunk_size_sweep(args, sizes=(512, 1024, 2048, 4096)):
    """``iter_samples`` sequences/s by chunk size, for three widths (evidence for the default)."""
    result = {}
    for hidden, layers, n in ((32, 2, args.sample_n), (64, 2, args.sample_n),
                              (308, 3, args.sample_n // 10)):
        gan = fitted_synthesizer(dict(lstm_hidden=hidden, lstm_layers=layers))
        runs = {size: (lambda size=size: sum(1 for _ in gan.iter_samples(n, chunk_size=size)))
                for size in sizes}
        seconds = interleaved_medians(runs, max(args.repeats, 5))
        result[f"hidden_{hidden}"] = {str(size): n / sec for size, sec in seconds.items()}
        print(f"chunk size sweep, hidden {hidden}: " + ", ".join(
            f"{size}: {n / sec:.0f}" for size, sec in seconds.items()) + " seq/s")
    return result


# ----------------------------------------------------------------------------- memory
def run_worker(kind, n, threads):
    """Run one memory job in a fresh process; return its peak RSS in MB.

    An intermediate interpreter runs the job as its only child, so its
    ``RUSAGE_CHILDREN`` maximum is that job's alone.
    """
    job = [sys.executable, str(Path(__file__).resolve()), "--worker", kind,
           "--memory-n", str(n), "--threads", str(threads)]
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *job], check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[-1]) / 1024  # Linux reports KiB


def worker(kind, n, threads):
    torch.set_num_threads(threads)
    if kind == "baseline":
        fitted_synthesizer(dict(lstm_hidden=8, lstm_layers=1, latent_dim=4, batch_size=16))
    elif kind.startswith("fit-"):
        # Two epochs, the second one refined after a bolt: every part of fit's data path.
        data = (energy_windows() if kind == "fit-energy"
                else make_sines(int(kind.rsplit("-", 1)[1]), *SINES_SHAPE, random_state=0))
        BoltGANSynthesizer(num_epochs=2, feedback_interval=1, feedback_epochs=1,
                           random_state=0).fit(data)
    else:
        # Memory is about chunking, not network size: a small generator keeps 1M quick.
        gan = fitted_synthesizer(dict(lstm_hidden=16, lstm_layers=1, latent_dim=8,
                                      batch_size=32))
        if kind == "sample":
            gan.sample(n)
        else:
            for _ in gan.iter_samples(n):
                pass
    print("done", file=sys.stderr)


def bench_memory(args):
    n = args.memory_n
    small, large = FIT_SCALING
    kinds = ("baseline", "fit-energy", f"fit-sines-{small}", f"fit-sines-{large}", "sample",
             "iter_samples")
    result = {k: run_worker(k, n, args.threads) for k in kinds}
    result["n_samples"] = n
    result["output_mb"] = float64_mb(n)
    # fit should grow with the data array only: compare the growth with the extra input.
    result["fit_growth_mb"] = result[f"fit-sines-{large}"] - result[f"fit-sines-{small}"]
    result["extra_input_mb"] = float64_mb(large - small)
    print("\n== peak RSS (MB): " + ", ".join(f"{k} {result[k]:.0f}" for k in kinds)
          + f"; sample output alone is {result['output_mb']:.0f} MB (float64)")
    print(f"fit on {large:,} instead of {small:,} sines: +{result['fit_growth_mb']:.0f} MB for "
          f"+{result['extra_input_mb']:.0f} MB of float64 input "
          f"({result['fit_growth_mb'] / result['extra_input_mb']:.1f}x)")
    return result


def float64_mb(n_sequences):
    return n_sequences * SINES_SHAPE[0] * SINES_SHAPE[1] * 8 / 2**20


# ------------------------------------------------------------------------------- grid
def bench_grid(args):
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    # Fits of several seconds each: parallel search pays for its worker start-up only then.
    data = make_sines(GRID_SEQUENCES, *SINES_SHAPE, random_state=0)
    base = BoltGANSynthesizer(num_epochs=3, random_state=0)
    grid = {"feedback_strength": [0.05, 0.1], "feedback_interval": [1, None]}
    result = {"grid": {k: [str(v) for v in vs] for k, vs in grid.items()}, "cv": 2,
              "n_sequences": GRID_SEQUENCES, "num_epochs": base.num_epochs}
    for n_jobs in (1, 2):
        search = GridSearchCV(base, grid, cv=2, n_jobs=n_jobs)
        result[f"seconds_n_jobs_{n_jobs}"] = median_time(lambda: search.fit(data), 1)
    result["speedup"] = result["seconds_n_jobs_1"] / result["seconds_n_jobs_2"]
    # What parallel fits can gain at most: how much slower one fit runs on one thread.
    for threads in (1, 2):
        one = clone(base).set_params(n_threads=threads)
        result[f"one_fit_seconds_{threads}_threads"] = median_time(lambda: one.fit(data), 1)
    print(f"\n== GridSearchCV 8 fits + refit: n_jobs=1 {result['seconds_n_jobs_1']:.1f}s, "
          f"n_jobs=2 {result['seconds_n_jobs_2']:.1f}s ({result['speedup']:.2f}x); one fit "
          f"{result['one_fit_seconds_1_threads']:.1f}s on 1 thread, "
          f"{result['one_fit_seconds_2_threads']:.1f}s on 2")
    return result


# ---------------------------------------------------------------------------- profile
def profile_step(arch, precision, n_steps):
    from torch.profiler import ProfilerActivity, profile

    data = torch.as_tensor(sines(n_steps * arch["batch_size"]))
    trainer = build_ours(arch, *SINES_SHAPE, precision)
    trainer.run_epoch(data, None, 0.0)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        trainer.run_epoch(data, None, 0.0)
    total = sum(e.self_cpu_time_total for e in prof.key_averages())
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    return {e.key: round(100 * e.self_cpu_time_total / total, 2) for e in rows[:15]}


def variant_runners(arch, data):
    """Our step with prototype changes that leave the core files untouched."""
    tensor = torch.as_tensor(data)
    T, F = data.shape[1:]

    def make(precision="float32", adam=None):
        trainer = build_ours(arch, T, F, precision)
        if adam:
            for name in ("opt_g", "opt_d"):
                params = getattr(trainer, name).param_groups[0]["params"]
                setattr(trainer, name, torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999),
                                                        **adam))
        return lambda: trainer.run_epoch(tensor, None, 0.0)

    runners = {  # ours runs Adam fused; the others show what fusing buys
        "baseline_f32": make(),
        "adam_for_loop_f32": make(adam={"foreach": False, "fused": False}),
        "adam_foreach_f32": make(adam={"foreach": True, "fused": False}),
        "baseline_bf16": make("bfloat16"),
    }
    return runners


def bench_profile(args):
    arch = dict(PAPER)
    n_steps = max(4, args.steps // 2)
    result = {}
    for precision in ("float32", "bfloat16"):
        try:
            top = profile_step(arch, precision, n_steps)
        except RuntimeError as exc:
            top = {"error": str(exc).splitlines()[0][:200]}
        result[f"paper_{precision}_top_ops_percent"] = top
    data = sines(args.steps * arch["batch_size"])
    runners, errors = warmed_up(variant_runners(arch, data))
    seconds = interleaved_medians(runners, args.repeats)
    result["variant_errors"] = errors
    base = seconds["baseline_f32"]
    result["variants_speedup_vs_baseline_f32"] = {k: base / v for k, v in seconds.items()}
    result["threads"] = thread_scaling(arch, data, args)
    if args.compile:
        result["compile"] = compile_trial(arch, data, args)
    print("\n== profile (paper architecture, % of self CPU time)")
    for prec in ("float32", "bfloat16"):
        top = result[f"paper_{prec}_top_ops_percent"]
        print(prec, ", ".join(f"{k} {v}" for k, v in list(top.items())[:8]))
    print("variants (speed-up vs ours float32):",
          ", ".join(f"{k} {v:.2f}x" for k, v in result["variants_speedup_vs_baseline_f32"].items()))
    print("threads:", result["threads"])
    print("torch.compile:", result.get("compile", "not tried (--compile)"))
    return result


def thread_scaling(arch, data, args):
    """Seconds per step of ours at 1 and 2 threads (few steps: 2 threads can crawl when busy)."""
    n_steps = 2
    runner = step_runners(arch, data[: n_steps * arch["batch_size"]],
                          ("ours_float32",))["ours_float32"]
    out = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        runner()
        out[f"{threads}_threads_seconds_per_step"] = median_time(runner, 2) / n_steps
    torch.set_num_threads(args.threads)
    return out


def compile_trial(arch, data, args):
    """First-epoch (compile) time and steady-state speed-up of ``torch.compile``d networks."""
    tensor = torch.as_tensor(data)
    baseline = build_ours(arch, *data.shape[1:], "float32")
    trainer = build_ours(arch, *data.shape[1:], "float32")
    try:
        trainer.generator = torch.compile(trainer.generator, dynamic=False)
        trainer.discriminator = torch.compile(trainer.discriminator, dynamic=False)
        start = time.perf_counter()
        trainer.run_epoch(tensor, None, 0.0)
        first = time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001 - report why compile is not viable, keep going
        return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    baseline.run_epoch(tensor, None, 0.0)
    seconds = interleaved_medians({
        "compiled": lambda: trainer.run_epoch(tensor, None, 0.0),
        "eager": lambda: baseline.run_epoch(tensor, None, 0.0)}, args.repeats)
    return {"first_epoch_seconds": first,
            "speedup_steady": seconds["eager"] / seconds["compiled"]}


# ------------------------------------------------------------------------------- main
def machine():
    try:
        model = next(line.split(":", 1)[1].strip() for line in
                     subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
                     if line.startswith("Model name"))
    except (OSError, StopIteration):
        model = platform.processor()
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    return {"cpu": model, "logical_cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__, "python": platform.python_version(),
            "avx512_bf16": "avx512_bf16" in flags, "amx_bf16": "amx_bf16" in flags,
            "load_average_at_start": os.getloadavg()}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=None, help="training steps per timing")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--sample-n", type=int, default=None)
    parser.add_argument("--memory-n", type=int, default=None,
                        help="sequences for the sample / iter_samples memory runs")
    parser.add_argument("--compile", action="store_true",
                        help="also try torch.compile in the profile part (slow to compile)")
    parser.add_argument("--out", default=str(HERE / "results" / "speed.json"))
    parser.add_argument("--update", action="store_true",
                        help="keep the parts of --out that this run does not measure")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.steps = args.steps or (6 if args.quick else 20)
    args.repeats = args.repeats or (3 if args.quick else 5)
    args.sample_n = args.sample_n or (5_000 if args.quick else 20_000)
    args.memory_n = args.memory_n or (100_000 if args.quick else 1_000_000)
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return worker(args.worker, args.memory_n, args.threads)
    torch.set_num_threads(args.threads)
    this_run = {"machine": machine(), "quick": args.quick, "steps": args.steps,
                "repeats": args.repeats}
    if args.update:  # the top level keeps describing the run that measured the other parts
        results = json.loads(Path(args.out).read_text())
        results.setdefault("updates", []).append({"parts": args.parts, **this_run})
    else:
        results = {**this_run, "note": "shared, noisy machine; compare ratios"}
    print(this_run["machine"])
    if "gemm" in args.parts:
        gemm = results["gemm"] = bench_gemm(args)
        for dtype, by_threads in gemm.items():
            for threads, rates in by_threads.items():
                if threads != "rate":
                    print(f"GEMM {dtype} {threads}: " + ", ".join(
                        f"{k} {v:.1f}" for k, v in rates.items()) + " GFLOP/s")
        save(results, this_run, args.out)
    else:  # an --update keeps the rates measured before; else fractions are unknown
        gemm = results.get("gemm") or {"float32": {"rate": float("nan")},
                                       "bfloat16": {"rate": float("nan")}}
    for part, fn in (("paper", lambda a: bench_training(a, dict(PAPER), gemm, "paper")),
                     ("default", lambda a: bench_training(a, default_arch()[0], gemm, "default")),
                     ("bolt", bench_bolt), ("sample", lambda a: bench_sample(a, gemm)),
                     ("memory", bench_memory), ("grid", bench_grid),
                     ("profile", bench_profile)):
        if part in args.parts:
            results[part] = fn(args)
            save(results, this_run, args.out)  # after every part: a late failure keeps the rest
    print(f"\nwrote {args.out}")


def save(results, this_run, path):
    this_run["machine"]["load_average_at_end"] = os.getloadavg()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(results, indent=2, default=float))


if __name__ == "__main__":
    main()

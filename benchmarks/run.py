"""`make bench`: rnnlib's forward + BPTT against PyTorch, the matmul peak, the naive loop, memory.

    python benchmarks/run.py              the full run (about a minute or two)
    python benchmarks/run.py --quick      one small case, few repeats (a smoke test for CI)
    python benchmarks/run.py --profile    also: where rnnlib's time goes, case by case
    python benchmarks/run.py --case 50 32 32 64 --sections timing

PyTorch is optional (requirements-torch.txt, `make torch`); without it the script prints rnnlib's
own figures. RNNLIB_BENCH_NO_TORCH=1 hides an installed torch. See benchmarks/README.md.
"""
import os
import sys

# One thread for every BLAS and OpenMP pool. Their sizes are read when NumPy / PyTorch are
# imported, so this must come before those imports. The notebooks section runs with the
# environment as it was (the build's own threads).
ORIGINAL_ENV = dict(os.environ)
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                  "VECLIB_MAXIMUM_THREADS"):
    os.environ[_variable] = "1"
if os.environ.get("RNNLIB_BENCH_NO_TORCH"):
    sys.modules["torch"] = None  # `import torch` now raises ImportError: the run without PyTorch

import argparse  # noqa: E402
import datetime  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(1, os.path.dirname(HERE))  # this repository's rnnlib

import numpy as np  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:
    torch = None
else:
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)

import machine  # noqa: E402
import memory  # noqa: E402
import naive  # noqa: E402
import profile_parts  # noqa: E402
from timing import median_times  # noqa: E402
from workloads import (TorchGatedStep, TorchStep, gated_loss, gated_matmul_flops,  # noqa: E402
                       gated_results, make_data, make_gated_data, matmul_flops,
                       max_relative_difference, rnnlib_loss, rnnlib_results)

CASES = [(20, 1, 10, 16), (50, 32, 32, 64), (100, 64, 64, 128), (200, 128, 128, 256)]
QUICK_CASES = [(20, 1, 10, 16)]
# The targets, float64 and 1 thread: rnnlib time / torch time at most ...
RATIO_TARGETS = {(20, 1, 10, 16): 0.2, (50, 32, 32, 64): 0.7, (200, 128, 128, 256): 0.6}
# ... and at least this fraction of the single-core matmul peak.
PEAK_TARGETS = {(200, 128, 128, 256): 0.70}
# The gated cells (issue #27), float64, 1 thread: rnnlib time / torch time at most ...
GATED_RATIO_TARGETS = {(20, 1, 10, 16): 0.25, (50, 32, 32, 64): 0.8}
DTYPES = {"float64": np.float64, "float32": np.float32}
SECTIONS = ("timing", "gated", "naive", "memory", "notebooks")
# glibc: never give freed memory back to the OS (see README, "Page faults"); --profile only.
KEEP_HEAP = {"MALLOC_MMAP_THRESHOLD_": str(2**32 - 1), "MALLOC_TRIM_THRESHOLD_": str(2**32 - 1)}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="one small case, few repeats, small memory table (CI smoke run)")
    parser.add_argument("--case", nargs=4, type=int, action="append", metavar=("T", "B", "D", "H"),
                        help="a case to run instead of the default ones (repeatable); K = D")
    parser.add_argument("--dtypes", default="float64,float32",
                        help="comma-separated, from float64,float32 (default: both)")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated, from {','.join(SECTIONS)} (default: all)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile each case: rnnlib's time part by part, page faults, "
                             "and rnnlib alone in fresh processes with different heap settings")
    # For the --profile children: matmul peaks given ("float64=52.1,float32=110.3") instead of
    # measured, no settle_heap(), and page faults per call printed.
    parser.add_argument("--given-peaks", help=argparse.SUPPRESS)
    parser.add_argument("--cold-heap", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--faults", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.cases = [tuple(c) for c in args.case] if args.case else (QUICK_CASES if args.quick else CASES)
    args.dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    for d in args.dtypes:
        if d not in DTYPES:
            parser.error(f"unknown dtype {d!r}")
    for s in args.sections:
        if s not in SECTIONS:
            parser.error(f"unknown section {s!r}")
    return args


def title(text):
    print(f"\n== {text} ==")


def settle_heap():
    """Put glibc's malloc in the state any process reaches once it has freed a ~32 MiB block.

    glibc serves blocks above its mmap threshold (128 KiB at first) with mmap and gives them
    back to the OS when freed. When it frees such a block of up to 32 MiB, it raises the
    threshold to that size and keeps up to twice as much freed memory in its heap from then on.
    Before that, a process may give the memory of its arrays back after every call and
    page-fault it in again in the next (see README, "Page faults"), so timings would depend on
    what the process did before. One such block here makes the state explicit, for rnnlib and
    torch alike (both allocate through malloc).
    """
    block = np.empty((32 << 20) - (64 << 10), np.uint8)
    del block


def print_peaks(args):
    if args.given_peaks:
        peaks = {k: float(v) for k, v in (item.split("=") for item in args.given_peaks.split(","))}
        print(f"\nMatmul peaks given, not measured (GFLOP/s): {peaks}")
        return peaks
    title("Single-core matmul peak")
    n, repeats = (1024, 3) if args.quick else (2048, 5)
    print(f"np.matmul of two {n} x {n} matrices (2 n^3 FLOPs), median of {repeats} after a warm-up.")
    print("CPU/wall = process CPU time over wall time while it ran: about 1 means one thread worked.")
    peaks = {}
    for name in [d for d in DTYPES if d in args.dtypes or d == "float64"]:
        peaks[name], threads = machine.numpy_matmul_peak(n, DTYPES[name], repeats)
        line = f"  numpy {name}: {peaks[name]:6.1f} GFLOP/s  (CPU/wall {threads:.2f})"
        if torch is not None:
            tpeak, tthreads = machine.torch_matmul_peak(torch, n, getattr(torch, name), repeats)
            line += f"    torch.mm {name}: {tpeak:6.1f} GFLOP/s  (CPU/wall {tthreads:.2f})"
        print(line)
    return peaks


def timing_section(args, peaks):
    title("Forward + BPTT of RNN + output layer: rnnlib vs torch.nn.RNN + nn.Linear, 1 thread"
          if torch is not None else "Forward + BPTT of RNN + output layer: rnnlib (torch absent)")
    print("K = D outputs. Loss 0.5 * sum of squared errors over all T*B positions, h_0 = 0, tanh;")
    print("both sides return the loss and the gradients of all parameters and of x.")
    print("ms = median wall time of one forward + backward call over `reps` repeats (in alternating blocks).")
    print("MFLOP = matmul FLOPs of forward + backward, 6*T*B*H*(D+H+K) (README); %pk = GFLOP/s over")
    print("numpy's matmul peak above.")
    if torch is not None:
        print("ratio = rnnlib ms / torch ms (< 1: rnnlib faster); diff = largest relative difference")
        print("between the two sides' loss, dx and gradients (max |a-b| / max |b|).")
    header = f"{'dtype':8s} {'(T, B, D, H)':22s} {'MFLOP':>9s} {'reps':>5s} | {'rnnlib ms':>10s} {'GFLOP/s':>8s} {'%pk':>4s}"
    if torch is not None:
        header += f" | {'torch ms':>10s} {'GFLOP/s':>8s} {'%pk':>4s} | {'ratio':>6s} {'diff':>8s}"
    if args.faults:
        header += " | page faults/call"
    print(header)
    results = {}
    budget, lo, hi = (0.5, 3, 50) if args.quick else (6.0, 5, 400)
    for name in args.dtypes:
        for case in args.cases:
            T, B, D, H = case
            K = D
            params, x, y = make_data(T, B, D, H, K, DTYPES[name])
            flops = matmul_flops(T, B, D, H, K)
            fns = {"rnnlib": lambda: rnnlib_loss(params, x, y)}
            if torch is not None:
                step = TorchStep(torch, params, x, y)
                diff = max_relative_difference(rnnlib_results(params, x, y), step.results())
                fns["torch"] = step
            med, reps = median_times(fns, budget=budget, min_repeats=lo, max_repeats=hi)
            rate = flops / med["rnnlib"] / 1e9
            row = (f"{name:8s} {str(case):22s} {flops / 1e6:9.4g} {reps:5d} | "
                   f"{med['rnnlib'] * 1e3:10.3f} {rate:8.2f} {100 * rate / peaks[name]:4.0f}")
            if torch is not None:
                trate = flops / med["torch"] / 1e9
                row += (f" | {med['torch'] * 1e3:10.3f} {trate:8.2f} {100 * trate / peaks[name]:4.0f}"
                        f" | {med['rnnlib'] / med['torch']:6.2f} {diff:8.1e}")
            if args.faults:
                row += " | " + ", ".join(f"{side} {profile_parts.minor_faults_per_call(fn, 5):.0f}"
                                         for side, fn in fns.items())
            print(row, flush=True)
            results[name, case] = med
    print_targets(results, peaks)
    return results


def print_targets(results, peaks):
    rows = [(c, t) for c, t in RATIO_TARGETS.items() if ("float64", c) in results]
    rows += [(c, None) for c in PEAK_TARGETS if ("float64", c) in results]
    if not rows:
        return
    print("\nTargets (float64, 1 thread). 'floor' = the ratio rnnlib would have if every matmul FLOP")
    print("ran at the measured peak and nothing else took time.")
    for case, target in rows:
        med = results["float64", case]
        floor = matmul_flops(*case, case[2]) / (peaks["float64"] * 1e9)
        if target is None:
            share = matmul_flops(*case, case[2]) / med["rnnlib"] / 1e9 / peaks["float64"]
            goal = PEAK_TARGETS[case]
            verdict = "met" if share >= goal else "MISSED"
            print(f"  {str(case):22s} {100 * share:5.1f} % of the matmul peak  (target >= {100 * goal:.0f} %)  {verdict}")
        elif "torch" not in med:
            print(f"  {str(case):22s} ratio to torch: not measured (torch absent)  (target <= {target:.2f})")
        else:
            ratio = med["rnnlib"] / med["torch"]
            verdict = "met" if ratio <= target else "MISSED"
            print(f"  {str(case):22s} ratio {ratio:5.2f}  (target <= {target:.2f})  {verdict:6s}"
                  f"  floor {floor / med['torch']:.2f}")


def gated_section(args, peaks):
    title("Forward + BPTT of LSTM and GRU + output layer: rnnlib vs torch.nn.LSTM / torch.nn.GRU + "
          "nn.Linear, 1 thread" if torch is not None else
          "Forward + BPTT of LSTM and GRU + output layer: rnnlib (torch absent)")
    print("As the RNN table: K = D, loss 0.5 * sum of squared errors, h_0 = c_0 = 0; the timed rnnlib")
    print("call is rnn_loss(params, x, y, cell=...), which checks its arguments once. MFLOP = matmul")
    print("FLOPs, 6*T*B*H*(G*(D+H)+K) with G = 4 gate blocks (LSTM) or 3 (GRU). PyTorch's GRU is the")
    print("variant rnnlib implements (the reset gate applied after the recurrent product).")
    header = f"{'cell':5s} {'dtype':8s} {'(T, B, D, H)':22s} {'MFLOP':>9s} {'reps':>5s} | {'rnnlib ms':>10s} {'GFLOP/s':>8s} {'%pk':>4s}"
    if torch is not None:
        header += f" | {'torch ms':>10s} {'GFLOP/s':>8s} {'%pk':>4s} | {'ratio':>6s} {'diff':>8s}"
    print(header)
    results = {}
    budget, lo, hi = (0.5, 3, 50) if args.quick else (6.0, 3, 400)
    for cell in ("lstm", "gru"):
        for name in args.dtypes:
            for case in args.cases:
                T, B, D, H = case
                params, x, y = make_gated_data(cell, T, B, D, H, D, DTYPES[name])
                flops = gated_matmul_flops(cell, T, B, D, H, D)
                fns = {"rnnlib": lambda: gated_loss(cell, params, x, y)}
                if torch is not None:
                    step = TorchGatedStep(torch, cell, params, x, y)
                    diff = max_relative_difference(gated_results(cell, params, x, y), step.results())
                    fns["torch"] = step
                med, reps = median_times(fns, budget=budget, min_repeats=lo, max_repeats=hi)
                rate = flops / med["rnnlib"] / 1e9
                row = (f"{cell:5s} {name:8s} {str(case):22s} {flops / 1e6:9.4g} {reps:5d} | "
                       f"{med['rnnlib'] * 1e3:10.3f} {rate:8.2f} {100 * rate / peaks[name]:4.0f}")
                if torch is not None:
                    trate = flops / med["torch"] / 1e9
                    row += (f" | {med['torch'] * 1e3:10.3f} {trate:8.2f} {100 * trate / peaks[name]:4.0f}"
                            f" | {med['rnnlib'] / med['torch']:6.2f} {diff:8.1e}")
                print(row, flush=True)
                results[cell, name, case] = med
    rows = [(cell, c, t) for cell in ("lstm", "gru") for c, t in GATED_RATIO_TARGETS.items()
            if (cell, "float64", c) in results]
    if rows:
        print("\nTargets (float64, 1 thread):")
    for cell, case, target in rows:
        med = results[cell, "float64", case]
        if "torch" not in med:
            print(f"  {cell:5s} {str(case):22s} ratio to torch: not measured (torch absent)  (target <= {target:.2f})")
            continue
        ratio = med["rnnlib"] / med["torch"]
        print(f"  {cell:5s} {str(case):22s} ratio {ratio:5.2f}  (target <= {target:.2f})  "
              f"{'met' if ratio <= target else 'MISSED'}")
    return results


def naive_section(args, dtype_name="float64"):
    title(f"Batched BPTT (rnnlib) vs the naive per-example loop (benchmarks/naive.py), {dtype_name}")
    print("naive = one example at a time, one step at a time, vectors of one example, gradient sums")
    print("of outer products (how a hand computation goes). Its loss, dx and gradients are checked")
    print("against rnnlib's first (diff). Repeats fit a time budget: the biggest case gets one.")
    print("Medians; reps = naive repeats (rnnlib: at least 5, timed separately after them).")
    print(f"{'(T, B, D, H)':22s} {'reps':>5s} {'naive ms':>11s} {'rnnlib ms':>10s} {'speedup':>8s} {'diff':>8s}")
    budget, lo, hi = (0.5, 1, 50) if args.quick else (8.0, 1, 300)
    for case in args.cases:
        T, B, D, H = case
        params, x, y = make_data(T, B, D, H, D, DTYPES[dtype_name])
        diff = max_relative_difference(naive.naive_step(params, x, y), rnnlib_results(params, x, y))
        if diff > (1e-10 if dtype_name == "float64" else 1e-4):
            raise AssertionError(f"naive baseline disagrees with rnnlib at {case}: {diff:.2e}")
        # Not interleaved: on this VM, memory left untouched for seconds (during a naive call)
        # is slow to touch again, which would charge rnnlib for the naive call's length.
        slow, reps = median_times({"naive": lambda: naive.naive_step(params, x, y)},
                                  budget=budget, min_repeats=lo, max_repeats=hi, warmup=1)
        fast, _ = median_times({"rnnlib": lambda: rnnlib_loss(params, x, y)},
                               budget=budget / 4, min_repeats=5, max_repeats=400)
        print(f"{str(case):22s} {reps:5d} {slow['naive'] * 1e3:11.2f} {fast['rnnlib'] * 1e3:10.3f} "
              f"{slow['naive'] / fast['rnnlib']:7.1f}x {diff:8.1e}", flush=True)


def memory_section(args):
    B, D, H, K = 32, 32, 64, 32
    steps, k = ((50, 100), 25) if args.quick else ((100, 200, 400, 800), 50)
    title(f"Peak memory of one loss + gradient call (tracemalloc), B={B} D={D} H={H} K={K} float64")
    print("Memory allocated during the call on top of its inputs. Full BPTT keeps every h_t until the")
    print(f"backward pass; truncated BPTT (rnn_loss_truncated, k = {k}) keeps one chunk at a time.")
    print(f"{'T':>5s} {'full BPTT, rnn_loss':>22s} {f'truncated, k = {k}':>22s} {'full / truncated':>17s}")
    rows = memory.bptt_memory(steps, k, B, D, H, K, np.float64)
    for T, full, truncated in rows:
        print(f"{T:5d} {full / 2**20:18.2f} MiB {truncated / 2**20:18.2f} MiB {full / truncated:16.1f}x")
    Ts = np.array([r[0] for r in rows], float)
    for label, column in (("full BPTT", 1), ("truncated", 2)):
        slope = np.polyfit(Ts, [r[column] for r in rows], 1)[0]
        print(f"  {label:10s} grows by {slope / 2**10:7.2f} KiB per time step (least-squares slope)")
    per_step = B * H * 8
    print(f"  for scale: one step's h_t is B*H*8 bytes = {per_step / 2**10:.0f} KiB")


def notebooks_section(args):
    title("Chapter notebooks: execution time against the 30 s budget (benchmarks/notebooks.py)")
    command = [sys.executable, os.path.join(HERE, "notebooks.py")]
    if not args.quick:
        command += ["--repeats", "2"]
    subprocess.run(command, env=ORIGINAL_ENV, check=True)


def profile_section(args, peaks):
    title("Profile: where rnnlib's time goes")
    print(f"one first touch of a fresh 4 KiB page (a minor page fault) costs "
          f"{profile_parts.page_fault_cost() * 1e6:.2f} us here")
    for case in args.cases:
        profile_parts.profile_case(case, np.float64, torch, budget=1.0 if args.quick else 3.0)
        flops = matmul_flops(*case, case[2])
        print(f"  matmul FLOPs at the float64 peak alone would take {flops / peaks['float64'] / 1e9 * 1e6:.1f} us")
    for case in args.cases:
        profile_parts.check_overhead(case, np.float64, budget=1.0 if args.quick else 3.0)
    given = ",".join(f"{k}={v}" for k, v in peaks.items())
    base = [sys.executable, os.path.abspath(__file__), "--sections", "timing", "--dtypes", "float64",
            "--given-peaks", given, "--faults"] + (["--quick"] if args.quick else [])
    alone = {"RNNLIB_BENCH_NO_TORCH": "1"}
    runs = [("without settle_heap(): glibc may give freed memory back to the OS after each call",
             ["--cold-heap"], alone),
            ("without settle_heap(), glibc never giving memory back (" +
             " ".join(f"{k}={v}" for k, v in KEEP_HEAP.items()) + ")", ["--cold-heap"],
             {**alone, **KEEP_HEAP}),
            ("with settle_heap(), as in the tables above", [], alone)]
    for label, extra_args, extra_env in runs:
        title(f"rnnlib alone (float64, torch hidden), each case in a fresh process, {label}")
        for case in args.cases:   # one process per case: each starts with a fresh heap
            command = base + extra_args + ["--case", *map(str, case)]
            out = subprocess.run(command, env={**os.environ, **extra_env}, capture_output=True,
                                 text=True, check=True).stdout
            lines = out[out.index("dtype ", out.index("== Forward")):].splitlines()
            print("\n".join(lines[:2] if case == args.cases[0] else lines[1:2]), flush=True)


def main():
    args = parse_args()
    started = time.perf_counter()
    now = datetime.datetime.now().astimezone()
    print(f"rnnlib benchmarks, {now:%Y-%m-%d %H:%M %Z}: {' '.join(sys.argv)}")
    for line in machine.describe(torch):
        print(line)
    print(f"Load average (1, 5, 15 min) at start: {machine.load_average()}")
    if machine.busy():
        print("WARNING: other processes are using the CPUs (load average above); timings will be "
              "slower and noisier than on an idle machine.")
    if not args.cold_heap:
        settle_heap()
        print("Heap       glibc's mmap threshold raised once at start (settle_heap; README, 'Page faults')")
    peaks = print_peaks(args)
    if "timing" in args.sections:
        timing_section(args, peaks)
    if "gated" in args.sections:
        gated_section(args, peaks)
    if "naive" in args.sections:
        naive_section(args)
    if "memory" in args.sections:
        memory_section(args)
    if "notebooks" in args.sections:
        notebooks_section(args)
    if args.profile:
        profile_section(args, peaks)
    print(f"\nLoad average at end: {machine.load_average()} (this run counts for about 1); "
          f"total {time.perf_counter() - started:.0f} s")
    if machine.busy():
        print("WARNING: the load average rose above the usable CPUs minus one half during the run: "
              "other processes took CPU time, so some timings above are too slow.")


if __name__ == "__main__":
    main()

"""What the benchmark runs on: CPU, library versions, BLAS, machine load, single-core matmul peak."""
import os
import platform
import sys
import time

import numpy as np


def cpu_model():
    """The CPU's model name from /proc/cpuinfo (Linux), else what the platform module knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def numpy_blas():
    """NumPy's BLAS as its build configuration reports it (numpy.show_config)."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # older NumPy or an unusual build: the report is informative only
        return "unknown (numpy.show_config gave no BLAS entry)"
    text = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    config = blas.get("openblas configuration")
    return f"{text} ({' '.join(config.split())})" if config else text


def blas_threads():
    """Threads of each BLAS/OpenMP pool, from threadpoolctl if it happens to be installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return ", ".join(f"{p.get('internal_api')} {p.get('version')}: {p.get('num_threads')} thread(s)"
                     for p in threadpool_info())


def load_average():
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def busy():
    """True when the 1-minute load average says other work competes for the usable CPUs."""
    try:
        return os.getloadavg()[0] > usable_cpus() - 0.5
    except OSError:
        return False


def describe(torch):
    """Lines describing the machine and the software; ``torch`` is the module or None."""
    lines = [
        f"CPU        {cpu_model()} ({os.cpu_count()} logical CPUs, {usable_cpus()} usable); "
        f"{platform.system()} {platform.release()}",
        f"Python     {platform.python_version()} ({sys.executable})",
        f"NumPy      {np.__version__}, BLAS: {numpy_blas()}",
        "Threads    " + ", ".join(f"{v}={os.environ.get(v)}" for v in THREAD_VARIABLES),
    ]
    pools = blas_threads()
    if pools:
        lines.append(f"threadpoolctl  {pools}")
    if torch is None:
        why = ("hidden by RNNLIB_BENCH_NO_TORCH" if os.environ.get("RNNLIB_BENCH_NO_TORCH")
               else "not installed")
        lines.append(f"PyTorch    {why}: rnnlib's own figures only "
                     "(`make torch` installs it from requirements-torch.txt)")
    else:
        blas = "MKL" if torch.backends.mkl.is_available() else "no MKL"
        lines.append(f"PyTorch    {torch.__version__} ({blas}; {torch.get_num_threads()} intra-op, "
                     f"{torch.get_num_interop_threads()} inter-op thread(s))")
    return lines


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS")


def _peak(matmul, n, repeats):
    """GFLOP/s of an n x n by n x n product (2 n^3 FLOPs), median of ``repeats`` after a warm-up,
    and CPU time / wall time over the repeats (about 1.0 when one thread does the work)."""
    matmul()
    times = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        matmul()
        times.append(time.perf_counter() - t0)
    threads = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    return 2 * n**3 / float(np.median(times)) / 1e9, threads


def numpy_matmul_peak(n, dtype, repeats):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    out = np.empty((n, n), dtype)
    return _peak(lambda: np.matmul(a, b, out=out), n, repeats)


def torch_matmul_peak(torch, n, dtype, repeats):
    a, b = (torch.randn(n, n, dtype=dtype) for _ in range(2))
    out = torch.empty(n, n, dtype=dtype)
    return _peak(lambda: torch.mm(a, b, out=out), n, repeats)

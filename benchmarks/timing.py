"""Wall-clock timing: time.perf_counter, warm-up, repeats taken in turn, median."""
import gc
import time

import numpy as np


def time_once(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median_times(fns, *, budget, min_repeats, max_repeats, warmup=2):
    """Median wall time of each function in ``fns`` (a dict name -> callable).

    Each function is first called ``warmup`` (>= 1) times, untimed. The last warm-up's duration
    sets the number of repeats: about ``budget`` seconds for all functions together, clamped to
    [min_repeats, max_repeats]. Repeats are interleaved (a, b, a, b, ...) so that a slow spell
    of the machine hits every function alike; the garbage collector is paused while timing.
    Returns ({name: median seconds}, repeats).
    """
    probe = 0.0
    for fn in fns.values():
        for _ in range(warmup - 1):
            fn()
        probe += time_once(fn)
    repeats = int(min(max_repeats, max(min_repeats, budget // max(probe, 1e-9))))
    times = {name: [] for name in fns}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            for name, fn in fns.items():
                times[name].append(time_once(fn))
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: float(np.median(t)) for name, t in times.items()}, repeats

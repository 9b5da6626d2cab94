"""Wall-clock timing: time.perf_counter, warm-up, repeats in alternating blocks, median."""
import gc
import time

import numpy as np


def time_once(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median_times(fns, *, budget, min_repeats, max_repeats, warmup=2, rounds=8):
    """Median wall time of each function in ``fns`` (a dict name -> callable).

    Each function is first called ``warmup`` (>= 1) times, untimed. The last warm-up's duration
    sets the number of repeats: about ``budget`` seconds for all functions together, clamped to
    [min_repeats, max_repeats]. The repeats are split into up to ``rounds`` blocks taken in turn
    (a a a, b b b, a a a, b b b, ...): a slow spell of the machine hits every function alike,
    and within a block each call finds the caches as the previous call of the same function left
    them, as in a training loop. (Strict a, b, a, b alternation makes every small call start
    with caches filled by the other library: at (20, 1, 10, 16) it slowed rnnlib by ~25 % and
    torch by ~9 % here.) The garbage collector is paused while timing.
    Returns ({name: median seconds}, repeats).
    """
    probe = 0.0
    for fn in fns.values():
        for _ in range(warmup - 1):
            fn()
        probe += time_once(fn)
    repeats = int(min(max_repeats, max(min_repeats, budget // max(probe, 1e-9))))
    times = {name: [] for name in fns}
    blocks = min(rounds, repeats)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for block in range(blocks):
            size = repeats // blocks + (block < repeats % blocks)
            for name, fn in fns.items():
                for _ in range(size):
                    times[name].append(time_once(fn))
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: float(np.median(t)) for name, t in times.items()}, repeats

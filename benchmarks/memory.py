"""Peak memory of one loss-and-gradient call, measured with tracemalloc.

NumPy reports the data buffers of its arrays to tracemalloc, so the traced peak includes every
array allocated during the call (caches, temporaries, gradients). Inputs made before the call
(parameters, x, targets) are not counted: the figure is what the call itself needs on top.
"""
import rnnlib
from rnnlib.chapters.softmax_bptt import peak_memory
from workloads import make_data


def bptt_memory(steps, k, B, D, H, K, dtype):
    """Rows (T, full BPTT peak bytes, truncated-BPTT peak bytes) for each T in ``steps``."""
    rows = []
    for T in steps:
        params, x, y = make_data(T, B, D, H, K, dtype)
        full = peak_memory(lambda: rnnlib.rnn_loss(params, x, y))
        truncated = peak_memory(lambda: rnnlib.rnn_loss_truncated(params, x, y, k))
        rows.append((T, full, truncated))
    return rows

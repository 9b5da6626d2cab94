"""Many-to-one over a batch of sequences of different lengths: each one's own last state.

Sequences of lengths L_1..L_B are padded at the end to T = max L_b and run as one batch by
:func:`rnnlib.rnn_forward`. Sequence b's result is its own last state h_{L_b}, read at index
``L_b - 1``, never h_T, which has read the padding:

    h_last[b] = h_{L_b}[b] = h[L_b - 1, b]                                          (B, H)

The backward puts dh_last[b] at step L_b only (dh_out_t[b] = 0 for t != L_b) and runs
:func:`rnnlib.rnn_backward`. The steps after L_b get no gradient from anywhere, so their da is 0:
they add nothing to the parameters' gradients and dx is 0 there. The result equals running each
sequence alone over its L_b steps.
"""
from typing import NamedTuple

import numpy as np

from ._validate import Dims, _describe, check_params, flag, forward_cache, integer_array
from .rnn import RNN_KEYS, RNNCache, rnn_backward, rnn_forward


class LastStateCache(NamedTuple):
    """What :func:`rnn_last_backward` needs from :func:`rnn_last_forward`."""

    rnn: RNNCache        # the cache of rnn_forward over the padded batch
    lengths: np.ndarray  # (B,) integers in [1, T]


def _sequence_lengths(name, value, T, B):
    """Return ``value`` as a 1-D integer array of B lengths, each in [1, T]."""
    if isinstance(value, (str, bytes, dict, set)) or value is None or np.ndim(value) != 1:
        raise TypeError(f"{name} must be a 1-D integer array of B sequence lengths, got "
                        f"{_describe(value)}")
    arr = integer_array(name, value, "sequence lengths")
    if arr.shape != (B,):
        raise ValueError(f"{name} must have shape (B,) = ({B},) (B from x), got shape {arr.shape}")
    low, high = int(arr.min()), int(arr.max())
    if low < 1 or high > T:
        raise ValueError(f"{name} must lie in [1, T] = [1, {T}] (T from x), got values from {low} "
                         f"to {high}")
    return arr


def rnn_last_forward(x, params, lengths, h0=None, activation="tanh", *, check=True):
    """Run :func:`rnnlib.rnn_forward` over a padded batch and read each sequence's last state.

        h_t = f(x_t W_xh + h_{t-1} W_hh + b_h),  t = 1..T;   h_last[b] = h[L_b - 1, b]

    Parameters
    ----------
    x : (T, B, D), sequence b in ``x[:L_b, b]``, padding after it (any finite values).
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,); other keys are ignored.
    lengths : integer array (B,), each L_b in [1, T].
    h0 : (B, H), optional; zeros when omitted.
    activation : {"tanh", "sigmoid", "relu", "identity"}
    check : bool
        Check the arguments first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    h_last : (B, H), ``h_last[b]`` is h_{L_b} of sequence b.
    cache : LastStateCache, what :func:`rnn_last_backward` needs.
    """
    if flag("check", check):
        dims = Dims()
        x = dims.array("x", x, "T B D")
        params = check_params(params, RNN_KEYS, dims)
        h0 = None if h0 is None else dims.array("h0", h0, "B H")
        lengths = _sequence_lengths("lengths", lengths, x.shape[0], x.shape[1])
    h, cache = rnn_forward(x, params, h0, activation, check=False)
    lengths = np.array(lengths)
    return h[lengths - 1, np.arange(h.shape[1])], LastStateCache(cache, lengths)


def rnn_last_backward(dh_last, cache, *, check=True):
    """Backward of :func:`rnn_last_forward`: dh_last[b] enters at step L_b, then BPTT.

        dh_out_t[b] = dh_last[b] if t = L_b else 0;   (dx, dh0, grads) = rnn_backward(dh_out)

    Parameters
    ----------
    dh_last : (B, H), dL/dh_last.
    cache : from :func:`rnn_last_forward`.
    check : bool
        Check ``cache`` and ``dh_last`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx : (T, B, D), zero at the padded steps t > L_b.
    dh0 : (B, H)
    grads : dict with W_xh (D, H), W_hh (H, H), b_h (H,)
    """
    check = flag("check", check)
    if check:
        forward_cache("cache", cache, LastStateCache, "rnn_last_forward")
    rnn_cache, lengths = cache
    T, B, H = rnn_cache.h.shape
    if check:
        dh_last = Dims().bind("the forward pass", B=B, H=H).array("dh_last", dh_last, "B H")
    dh_out = np.zeros((T, B, H), np.result_type(dh_last, rnn_cache.h))
    dh_out[lengths - 1, np.arange(B)] = dh_last
    return rnn_backward(dh_out, rnn_cache, check=False)

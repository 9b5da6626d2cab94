"""The vanilla RNN: one step, a whole sequence (with backpropagation through time), the output layer.

Time-major, rows are examples (see the package docstring):

    h_t = f(x_t W_xh + h_{t-1} W_hh + b_h)        x_t (B, D), h_t (B, H)
    o_t = h_t W_hy + b_y                           o_t (B, K)

Steps count from 1 in the math and from 0 in the arrays: x_t is ``x[t-1]`` and h_t is
``h[t-1]``. ``dX`` is the total derivative dL/dX, with the shape of X.
"""
from typing import NamedTuple

import numpy as np

from ._validate import Dims, check_params, choice, flag, forward_cache, same_shape
from .activations import ACTIVATIONS
from .layers import AffineCache, affine_backward, affine_forward

RNN_KEYS = ("W_xh", "W_hh", "b_h")
OUTPUT_KEYS = ("W_hy", "b_y")


class StepCache(NamedTuple):
    """What :func:`rnn_step_backward` needs from :func:`rnn_step_forward`."""

    x_t: np.ndarray     # (B, D)
    h_prev: np.ndarray  # h_{t-1}, (B, H)
    h_t: np.ndarray     # (B, H)
    W_xh: np.ndarray    # (D, H)
    W_hh: np.ndarray    # (H, H)
    activation: str


class RNNCache(NamedTuple):
    """What :func:`rnn_backward` needs from :func:`rnn_forward`."""

    x: np.ndarray       # (T, B, D)
    h0: np.ndarray      # (B, H)
    h: np.ndarray       # h_1..h_T, (T, B, H): h[t-1] is h_t
    W_xh: np.ndarray    # (D, H)
    W_hh: np.ndarray    # (H, H)
    activation: str


class OutputCache(NamedTuple):
    """What :func:`output_backward` needs from :func:`output_forward`."""

    h: np.ndarray       # (..., H)
    W_hy: np.ndarray    # (H, K)


def rnn_step_forward(x_t, h_prev, params, activation="tanh", *, check=True):
    """One time step: h_t = f(x_t W_xh + h_prev W_hh + b_h).

    Parameters
    ----------
    x_t : (B, D)
    h_prev : (B, H)
        The previous hidden state h_{t-1}.
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,); other keys are ignored.
    activation : {"tanh", "sigmoid", "relu", "identity"}
    check : bool
        Check x_t, h_prev and the parameters first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    h_t : (B, H)
    cache : StepCache, what :func:`rnn_step_backward` needs.
    """
    choice("activation", activation, ACTIVATIONS)
    if flag("check", check):
        dims = Dims()
        x_t = dims.array("x_t", x_t, "B D")
        params = check_params(params, RNN_KEYS, dims)
        h_prev = dims.array("h_prev", h_prev, "B H")
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    h_t = ACTIVATIONS[activation][0](x_t @ W_xh + h_prev @ W_hh + b_h)
    return h_t, StepCache(x_t, h_prev, h_t, W_xh, W_hh, activation)


def rnn_step_backward(dh_t, cache, *, check=True):
    """Backward of :func:`rnn_step_forward`: step t's part of BPTT.

        da_t = dh_t * f'(a_t)
        dx_t = da_t W_xh^T,  dh_prev = da_t W_hh^T,
        dW_xh = x_t^T da_t,  dW_hh = h_prev^T da_t,  db_h = sum_B da_t

    The three parameter gradients are step t's terms only (dW_hh is h_{t-1}^T da_t, the term
    of the copy of W_hh used at step t); BPTT sums them over the steps. ``dh_prev`` is the
    recurrent part of the gradient reaching h_{t-1}, dh_next_{t-1} = da_t W_hh^T.

    Parameters
    ----------
    dh_t : (B, H)
        dL/dh_t, the total derivative: dh_out_t, from the output at step t, plus dh_next_t,
        from step t+1.
    cache : from :func:`rnn_step_forward`.
    check : bool
        Check ``cache`` and ``dh_t`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx_t : (B, D)
    dh_prev : (B, H)
        da_t W_hh^T, the part of dL/dh_{t-1} that comes through step t.
    grads : dict with W_xh (D, H), W_hh (H, H), b_h (H,): step t's terms.
    """
    if flag("check", check):
        forward_cache("cache", cache, StepCache, "rnn_step_forward")
        dh_t = same_shape("dh_t", dh_t, cache.h_t.shape, "h_t")
    x_t, h_prev, h_t, W_xh, W_hh, activation = cache
    da = dh_t * ACTIVATIONS[activation][1](h_t)
    grads = {"W_xh": x_t.T @ da, "W_hh": h_prev.T @ da, "b_h": da.sum(axis=0)}
    return da @ W_xh.T, da @ W_hh.T, grads


def rnn_forward(x, params, h0=None, activation="tanh", *, check=True):
    """Run the RNN over a whole sequence.

        h_t = f(x_t W_xh + h_{t-1} W_hh + b_h),   t = 1..T

    The input projections x_t W_xh + b_h of all T steps are one matrix product; only the
    recurrent product h_{t-1} W_hh has to wait for the previous step.

    Parameters
    ----------
    x : (T, B, D)
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,); other keys are ignored.
    h0 : (B, H), optional
        The initial state; zeros when omitted.
    activation : {"tanh", "sigmoid", "relu", "identity"}
    check : bool
        Check x, the parameters and h0 first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    h : (T, B, H)
        Every hidden state h_1..h_T: ``h[t-1]`` is h_t.
    cache : RNNCache, what :func:`rnn_backward` needs.
    """
    f = ACTIVATIONS[choice("activation", activation, ACTIVATIONS)][0]
    if flag("check", check):
        dims = Dims()
        x = dims.array("x", x, "T B D")
        params = check_params(params, RNN_KEYS, dims)
        h0 = None if h0 is None else dims.array("h0", h0, "B H")
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    T, B, H = x.shape[0], x.shape[1], W_hh.shape[0]
    dtype = np.result_type(x, W_xh, W_hh, b_h)
    h0 = np.zeros((B, H), dtype) if h0 is None else h0
    # x_t W_xh + b_h for all T steps: one matrix product over the T*B rows, written into h.
    h = np.empty((T, B, H), dtype)
    np.matmul(x.reshape(T * B, x.shape[2]), W_xh, out=h.reshape(T * B, H))
    h += b_h
    # In the loop, np.dot(u, W) is u @ W (the same product for 2-D arrays) with less overhead
    # per call, which counts when B and H are small and T is long.
    h_prev = h0
    for t in range(1, T + 1):
        a_t = h[t - 1]                  # a view into h, which holds x_t W_xh + b_h
        a_t += np.dot(h_prev, W_hh)     # a_t = x_t W_xh + b_h + h_{t-1} W_hh
        h_prev = f(a_t, out=a_t)        # h_t = f(a_t), written over a_t: h[t-1] is h_t
    return h, RNNCache(x, h0, h, W_xh, W_hh, activation)


def rnn_backward(dh_out, cache, *, check=True):
    """Backpropagation through time for :func:`rnn_forward`.

    ``dh_out[t-1]`` is dh_out_t, the gradient reaching h_t from outside the recurrence (from the
    output at step t) only. The recurrent part, dh_next_t, carried back from step t+1, is added
    inside, so the total derivative at h_t is dh_t = dh_out_t + dh_next_t:

        for t = T..1, starting from dh_next_T = 0:
            da_t = (dh_out_t + dh_next_t) * f'(a_t),   dh_next_{t-1} = da_t W_hh^T
        dW_xh = sum_t x_t^T da_t,  dW_hh = sum_t h_{t-1}^T da_t,  db_h = sum_t sum_B da_t
        dx_t = da_t W_xh^T,  dh0 = dh_next_0 = da_1 W_hh^T

    Only the dh_next recursion loops over time; the parameter gradients are one matrix
    product each over all T * B rows.

    Parameters
    ----------
    dh_out : (T, B, H)
        ``dh_out[t-1]`` is the part of dL/dh_t that comes from the output at step t (zeros
        where a step has no output).
    cache : from :func:`rnn_forward`.
    check : bool
        Check ``cache`` and ``dh_out`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx : (T, B, D)
        ``dx[t-1]`` is dL/dx_t.
    dh0 : (B, H)
        dL/dh_0.
    grads : dict with W_xh (D, H), W_hh (H, H), b_h (H,), each summed over the T steps.
    """
    check = flag("check", check)
    if check:
        forward_cache("cache", cache, RNNCache, "rnn_forward")
    x, h0, h, W_xh, W_hh, activation = cache
    if check:
        dims = Dims().bind("the forward pass", T=h.shape[0], B=h.shape[1], H=h.shape[2])
        dh_out = dims.array("dh_out", dh_out, "T B H")
    (T, B, H), D = h.shape, x.shape[2]
    # f'(a_t) of all steps at once (a new array, computed from h); the loop turns it into da_t.
    da = ACTIVATIONS[activation][1](h)
    dh_next, W_hh_T = np.zeros_like(h0), W_hh.T
    # The loop runs over the arrays' indices T-1..0, and index t holds step t+1 of the math:
    # dh_out[t] is dh_out_{t+1}, and dh_next is dh_next_{t+1}, the recurrent part reaching h_{t+1}.
    for t in reversed(range(T)):
        da_t = da[t]                    # a view into da, which holds f'(a) of this step
        da_t *= dh_out[t] + dh_next     # da = (dh_out + dh_next) * f'(a) of this step
        dh_next = np.dot(da_t, W_hh_T)  # da W_hh^T: dh_next of the step before
    da_rows = da.reshape(T * B, H)
    grads = {
        "W_xh": x.reshape(T * B, D).T @ da_rows,
        # sum_t h_{t-1}^T da_t, with h_0 apart: no copy of h_0..h_{T-1} into one array
        "W_hh": h0.T @ da[0] + h[:-1].reshape(-1, H).T @ da[1:].reshape(-1, H),
        "b_h": da_rows.sum(axis=0),
    }
    return (da_rows @ W_xh.T).reshape(T, B, D), dh_next, grads


def output_forward(h, params, *, check=True):
    """Output layer on every given state: o = h W_hy + b_y.

    For regression the prediction is o itself; for classification o holds the logits and the
    prediction is softmax(o).

    Parameters
    ----------
    h : (..., H)
        Hidden states, e.g. (T, B, H) for many-to-many or (B, H) for the last state only.
    params : dict with W_hy (H, K), b_y (K,); other keys are ignored.
    check : bool
        Check h and the parameters first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    o : (..., K)
    cache : OutputCache, what :func:`output_backward` needs.
    """
    if flag("check", check):
        dims = Dims()
        h = dims.array("h", h, "... H")
        params = check_params(params, OUTPUT_KEYS, dims)
    o, (h, W_hy) = affine_forward(h, params["W_hy"], params["b_y"], check=False)
    return o, OutputCache(h, W_hy)


def output_backward(do, cache, *, check=True):
    """Backward of :func:`output_forward`: dh = do W_hy^T, dW_hy = h^T do, db_y = sum do.

    Parameters
    ----------
    do : (..., K)
        Upstream gradient dL/do.
    cache : from :func:`output_forward`.
    check : bool
        Check do first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dh : (..., H)
    grads : dict with W_hy (H, K), b_y (K,)
    """
    check = flag("check", check)
    if check:
        forward_cache("cache", cache, OutputCache, "output_forward")
    h, W_hy = cache
    if check:
        do = same_shape("do", do, h.shape[:-1] + W_hy.shape[1:], "o")
    dh, dW_hy, db_y = affine_backward(do, AffineCache(h, W_hy), check=False)
    return dh, {"W_hy": dW_hy, "b_y": db_y}

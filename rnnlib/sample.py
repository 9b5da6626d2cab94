"""Sampling from a trained RNN with a temperature: the generator of character-level language models.

    p_t = softmax(o_t / tau)                      (B, K)   tau > 0, the temperature
    c_t ~ p_t   (one draw per row from the Generator passed in)
    x_{t+1} = onehot(c_t, D)                      (B, D)   the sampled class becomes the next input

Each step is :func:`rnnlib.rnn_generate`'s step (the cell, then the output layer) run for one
step from the state reached so far; only the feed differs: a draw from p_t instead of the argmax.
As tau -> 0, p_t puts all its mass on argmax_k o_t, and the path is ``rnn_generate``'s
``feed="argmax"`` path; at tau = 1 it samples the model's own distribution; tau > 1 flattens it.
Chapter 5 ("A character-level language model") uses it.
"""
import numpy as np

from ._validate import Dims, check_params, choice, flag, generator, integer, real_number
from .activations import ACTIVATIONS
from .generate import rnn_generate
from .rnn import OUTPUT_KEYS, RNN_KEYS


def sample_step(logits, temperature, rng):
    """Draw one class per row from softmax(logits / temperature).

        p = softmax(o / tau),   c = min{k : p[0] + ... + p[k] > u},   u ~ Uniform[0, 1) from rng

    Parameters
    ----------
    logits : (B, K), the output layer's o_t.
    temperature : float > 0, tau.
    rng : numpy.random.Generator; B uniform numbers are drawn from it.

    Returns
    -------
    c : (B,) int64, the sampled classes in [0, K).
    """
    logits = Dims().array("logits", logits, "B K")
    temperature = real_number("temperature", temperature, low=0, low_open=True)
    rng = generator("rng", rng)
    return _draw(logits, temperature, rng)


def _draw(logits, temperature, rng):
    """sample_step without the checks."""
    e = np.exp((logits - logits.max(axis=1, keepdims=True)) / temperature)  # no overflow for tiny tau
    cdf = np.cumsum(e / e.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(logits))
    return np.minimum((cdf <= u[:, None]).sum(axis=1), logits.shape[1] - 1).astype(np.int64)


def rnn_sample(params, x_1, T, rng, h0=None, temperature=1.0, activation="tanh", *, check=True):
    """Run the RNN for T steps from x_1, feeding each sampled class back as the next input.

        h_t = f(x_t W_xh + h_{t-1} W_hh + b_h),   o_t = h_t W_hy + b_y,          t = 1..T
        c_t ~ softmax(o_t / tau),                 x_{t+1} = onehot(c_t, D)      (K <= D)

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    x_1 : (B, D), the first input (e.g. the one-hot last character of a prompt).
    T : int >= 1, steps to sample.
    rng : numpy.random.Generator; T * B uniform numbers are drawn from it.
    h0 : (B, H), optional, e.g. the state after reading a prompt; zeros when omitted.
    temperature : float > 0, tau.
    activation : {"tanh", "sigmoid", "relu", "identity"}
    check : bool
        Check the arguments first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    c : (T, B) int64, the sampled classes c_1..c_T (c[t-1] is c_t).
    o : (T, B, K), every output o_1..o_T (logits; o[t-1] is o_t).
    h : (T, B, H), every state h_1..h_T (h[t-1] is h_t).
    """
    choice("activation", activation, ACTIVATIONS)
    if flag("check", check):
        dims = Dims()
        x_1 = dims.array("x_1", x_1, "B D")
        params = check_params(params, RNN_KEYS + OUTPUT_KEYS, dims)
        h0 = None if h0 is None else dims.array("h0", h0, "B H")
        T = integer("T", T, low=1)
        temperature = real_number("temperature", temperature, low=0, low_open=True)
        rng = generator("rng", rng)
        D, K = params["W_xh"].shape[0], params["W_hy"].shape[1]
        if K > D:
            raise ValueError(f"sampling feeds class k back as input feature k, so it needs "
                             f"K <= D: params['W_hy'] has K = {K}, params['W_xh'] has D = {D}")
    B, D = x_1.shape
    h_t = np.zeros((B, params["W_hh"].shape[0]), x_1.dtype) if h0 is None else h0
    x_t, classes, outputs, states = x_1, [], [], []
    for _ in range(T):
        o, h = rnn_generate(params, x_t, 1, h_t, activation=activation, check=False)
        c_t = _draw(o[0], temperature, rng)
        h_t, x_t = h[0], np.eye(D)[c_t]
        classes.append(c_t)
        outputs.append(o[0])
        states.append(h_t)
    return np.stack(classes), np.stack(outputs), np.stack(states)

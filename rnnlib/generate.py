"""Generating with the outputs fed back: the decoder loop of one-to-many and encoder-decoder RNNs.

    h_t = f(x_t W_xh + h_{t-1} W_hh + b_h),   o_t = h_t W_hy + b_y,   x_{t+1} = feed(o_t)

feed is ``"argmax"`` (classification: the most likely class k becomes the one-hot input e_k) or
``"output"`` (regression: o_t itself is the next input). Training feeds the targets instead
(teacher forcing) and needs no new code: it is :func:`rnnlib.rnn_loss` on the shifted targets.
Chapter 4 ("The five shapes") uses it at test time for the encoder-decoder's free-running decoder
(its one-to-many network reads zeros after x_1, not its own outputs).
"""
import numpy as np

from ._validate import Dims, check_params, choice, flag, integer
from .activations import ACTIVATIONS
from .rnn import OUTPUT_KEYS, RNN_KEYS, output_forward, rnn_step_forward

FEEDS = ("argmax", "output")


def rnn_generate(params, x_1, T, h0=None, feed="argmax", activation="tanh", *, check=True):
    """Run the RNN for T steps from the first input x_1, each output becoming the next input.

        h_t = f(x_t W_xh + h_{t-1} W_hh + b_h),   o_t = h_t W_hy + b_y,    t = 1..T
        x_{t+1} = onehot(argmax_k o_t, D)  (feed="argmax": class k is input feature k, K <= D)
        x_{t+1} = o_t                      (feed="output": K = D)

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    x_1 : (B, D), the first input (e.g. a start symbol, or the one input of a one-to-many net).
    T : int >= 1, steps to generate.
    h0 : (B, H), optional; zeros when omitted (an encoder's last state in an encoder-decoder).
    feed : {"argmax", "output"}
    activation : {"tanh", "sigmoid", "relu", "identity"}
    check : bool
        Check the arguments first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    o : (T, B, K), every output o_1..o_T (logits for feed="argmax").
    h : (T, B, H), every state h_1..h_T.
    """
    choice("feed", feed, FEEDS)
    choice("activation", activation, ACTIVATIONS)
    if flag("check", check):
        dims = Dims()
        x_1 = dims.array("x_1", x_1, "B D")
        params = check_params(params, RNN_KEYS + OUTPUT_KEYS, dims)
        h0 = None if h0 is None else dims.array("h0", h0, "B H")
        T = integer("T", T, low=1)
        D, K = params["W_xh"].shape[0], params["W_hy"].shape[1]
        if (feed == "argmax" and K > D) or (feed == "output" and K != D):
            need = "K <= D (class k is input feature k)" if feed == "argmax" else "K = D"
            raise ValueError(f"feed={feed!r} needs {need}: params['W_hy'] has K = {K}, "
                             f"params['W_xh'] has D = {D}")
    B, D = x_1.shape
    h_t = np.zeros((B, params["W_hh"].shape[0]), x_1.dtype) if h0 is None else h0
    x_t, outputs, states = x_1, [], []
    for _ in range(T):
        h_t, _ = rnn_step_forward(x_t, h_t, params, activation, check=False)
        o_t, _ = output_forward(h_t, params, check=False)
        outputs.append(o_t)
        states.append(h_t)
        x_t = np.eye(D)[o_t.argmax(axis=1)] if feed == "argmax" else o_t
    return np.stack(outputs), np.stack(states)

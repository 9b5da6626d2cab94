"""Feed-forward pieces: the affine layer and the one-hidden-layer network of chapter 1.

Rows are examples (see the package docstring): an affine layer is ``out = x @ W + b``.
"""
from typing import NamedTuple

import numpy as np

from ._validate import Dims, check_params, choice, flag, forward_cache, same_shape
from .activations import ACTIVATIONS, ActivationCache, activation_backward, activation_forward

FNN_KEYS = ("W_xh", "b_h", "W_hy", "b_y")


class AffineCache(NamedTuple):
    """What :func:`affine_backward` needs from :func:`affine_forward`."""

    x: np.ndarray  # (..., D)
    W: np.ndarray  # (D, M)


class FNNCache(NamedTuple):
    """What :func:`fnn_backward` needs from :func:`fnn_forward`."""

    h: np.ndarray               # the hidden layer f(a), (B, H)
    affine_h: AffineCache       # a = x W_xh + b_h
    act: ActivationCache        # h = f(a)
    affine_y: AffineCache       # o = h W_hy + b_y


def affine_forward(x, W, b, *, check=True):
    """Affine layer on the last axis: out = x W + b.

    Parameters
    ----------
    x : (..., D)
        Any number of leading axes (batch, or time and batch).
    W : (D, M)
    b : (M,)
    check : bool
        Check the inputs' shapes, dtypes and values first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    out : (..., M)
    cache : AffineCache (x, W), what :func:`affine_backward` needs.
    """
    if flag("check", check):
        dims = Dims()
        x, W, b = dims.array("x", x, "... D"), dims.array("W", W, "D M"), dims.array("b", b, "M")
    return x @ W + b, AffineCache(x, W)


def affine_backward(dout, cache, *, check=True):
    """Backward of :func:`affine_forward`.

    dx = dout W^T,  dW = sum over leading axes of x^T dout,  db = sum over leading axes of dout.

    Parameters
    ----------
    dout : (..., M)
        Upstream gradient dL/dout.
    cache : from :func:`affine_forward`.
    check : bool
        Check ``dout`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx : (..., D)
    dW : (D, M)
    db : (M,)
    """
    if flag("check", check):
        forward_cache("cache", cache, AffineCache, "affine_forward")
    x, W = cache
    if check:
        dout = same_shape("dout", dout, x.shape[:-1] + W.shape[1:], "out")
    x_rows = x.reshape(-1, x.shape[-1])
    dout_rows = dout.reshape(-1, dout.shape[-1])
    return dout @ W.T, x_rows.T @ dout_rows, dout_rows.sum(axis=0)


def fnn_forward(x, params, activation="relu", *, check=True):
    """One-hidden-layer feed-forward network (chapter 1).

        h = f(x W_xh + b_h)                      (B, H)
        o = h W_hy + b_y                         (B, K)

    It is the RNN of :func:`rnnlib.rnn_forward` with W_hh = 0, a single time step and the same
    activation f.

    Parameters
    ----------
    x : (B, D)
    params : dict with W_xh (D, H), b_h (H,), W_hy (H, K), b_y (K,)
    activation : {"relu", "tanh", "sigmoid", "identity"}
    check : bool
        Check x and the parameters first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    o : (B, K)
        The output (the prediction, for regression; the logits, for classification).
    cache : FNNCache, what :func:`fnn_backward` needs; ``cache.h`` is the hidden layer (B, H).
    """
    choice("activation", activation, ACTIVATIONS)
    if flag("check", check):
        dims = Dims()
        x = dims.array("x", x, "B D")
        params = check_params(params, FNN_KEYS, dims)
    # checked above, so the layers run with check=False (an overflow gives inf as NumPy does)
    a, affine_h = affine_forward(x, params["W_xh"], params["b_h"], check=False)
    h, act = activation_forward(a, activation, check=False)
    o, affine_y = affine_forward(h, params["W_hy"], params["b_y"], check=False)
    return o, FNNCache(h, affine_h, act, affine_y)


def fnn_backward(do, cache, *, check=True):
    """Backward of :func:`fnn_forward`.

        dh = do W_hy^T,  da = dh * f'(a),  dW_hy = h^T do,  db_y = sum_B do,
        dW_xh = x^T da,  db_h = sum_B da,  dx = da W_xh^T

    Parameters
    ----------
    do : (B, K)
        Upstream gradient dL/do.
    cache : from :func:`fnn_forward`.
    check : bool
        Check ``cache`` and ``do`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx : (B, D)
    grads : dict with the keys and shapes of ``params``.
    """
    if flag("check", check):
        forward_cache("cache", cache, FNNCache, "fnn_forward")
        h, W_hy = cache.affine_y
        do = same_shape("do", do, h.shape[:-1] + W_hy.shape[1:], "o")
    dh, dW_hy, db_y = affine_backward(do, cache.affine_y, check=False)
    da = activation_backward(dh, cache.act, check=False)
    dx, dW_xh, db_h = affine_backward(da, cache.affine_h, check=False)
    return dx, {"W_xh": dW_xh, "b_h": db_h, "W_hy": dW_hy, "b_y": db_y}

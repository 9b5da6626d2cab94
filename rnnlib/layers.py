"""Feed-forward pieces: the affine layer and the one-hidden-layer network of chapter 1.

Rows are examples (see the package docstring): an affine layer is ``out = x @ W + b``.
"""
import numpy as np

from ._validate import Dims, check_params, same_shape
from .activations import activation_backward, activation_forward

FNN_KEYS = ("W_xh", "b_h", "W_hy", "b_y")


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
    cache : (x, W), what :func:`affine_backward` needs.
    """
    if check:
        dims = Dims()
        x, W, b = dims.array("x", x, "... D"), dims.array("W", W, "D M"), dims.array("b", b, "M")
    return x @ W + b, (x, W)


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
    x, W = cache
    if check:
        dout = same_shape("dout", dout, x.shape[:-1] + W.shape[1:], "out")
    x_rows = x.reshape(-1, x.shape[-1])
    dout_rows = dout.reshape(-1, dout.shape[-1])
    return dout @ W.T, x_rows.T @ dout_rows, dout_rows.sum(axis=0)


def fnn_forward(x, params, activation="relu"):
    """One-hidden-layer feed-forward network (chapter 1).

        h = f(x W_xh + b_h)
        y = h W_hy + b_y

    It is the RNN of :func:`rnnlib.rnn_forward` with W_hh = 0 and a single time step.

    Parameters
    ----------
    x : (B, D)
    params : dict with W_xh (D, H), b_h (H,), W_hy (H, K), b_y (K,)
    activation : {"relu", "tanh", "sigmoid", "identity"}

    Returns
    -------
    y : (B, K)
    cache : what :func:`fnn_backward` needs; ``cache["h"]`` is the hidden layer (B, H).
    """
    dims = Dims()
    x = dims.array("x", x, "B D")
    params = check_params(params, FNN_KEYS, dims)
    a, affine_h = affine_forward(x, params["W_xh"], params["b_h"])
    h, act = activation_forward(a, activation)
    y, affine_y = affine_forward(h, params["W_hy"], params["b_y"])
    return y, {"h": h, "affine_h": affine_h, "act": act, "affine_y": affine_y}


def fnn_backward(dy, cache):
    """Backward of :func:`fnn_forward`.

        dh = dy W_hy^T,  da = dh * f'(a),  dW_hy = h^T dy,  dW_xh = x^T da,  dx = da W_xh^T

    Parameters
    ----------
    dy : (B, K)
        Upstream gradient dL/dy.
    cache : from :func:`fnn_forward`.

    Returns
    -------
    dx : (B, D)
    grads : dict with the keys and shapes of ``params``.
    """
    h, W_hy = cache["affine_y"]
    dy = same_shape("dy", dy, h.shape[:-1] + W_hy.shape[1:], "y")
    dh, dW_hy, db_y = affine_backward(dy, cache["affine_y"])
    da = activation_backward(dh, cache["act"])
    dx, dW_xh, db_h = affine_backward(da, cache["affine_h"])
    return dx, {"W_xh": dW_xh, "b_h": db_h, "W_hy": dW_hy, "b_y": db_y}

"""Stacked and bidirectional RNN layers: compositions of :func:`rnn_forward` / :func:`rnn_backward`.

No second RNN: a bidirectional layer runs the same layer twice, once over x_1..x_T and once over
x_T..x_1, and concatenates the states; a stack feeds each layer's states to the next as its input.

    bidirectional:  h_t = [h_t^fwd, h_t^bwd],   h^fwd over x_1..x_T,  h^bwd over x_T..x_1   (B, 2H)
    stacked:        h^[0] = x,   h^[l] = layer_l(h^[l-1]),  l = 1..L;  the output is h^[L]

The backward passes are the same compositions read backwards: the gradient reaching each
layer's states splits by halves (bidirectional) and flows down the stack as that layer's dx.
Chapter 4 ("The five shapes, stacked and bidirectional") uses them.
"""
from typing import NamedTuple

import numpy as np

from ._validate import (PARAM_SHAPES, Dims, _describe, choice, flag, forward_cache, params_dict)
from .activations import ACTIVATIONS
from .rnn import RNN_KEYS, RNNCache, rnn_backward, rnn_forward


class BiRNNCache(NamedTuple):
    """What :func:`birnn_backward` needs from :func:`birnn_forward`."""

    forward: RNNCache    # the pass over x_1..x_T
    backward: RNNCache   # the pass over x_T..x_1 (its x and h in that reversed order)


class StackedCache(NamedTuple):
    """What :func:`stacked_backward` needs from :func:`stacked_forward`."""

    layers: tuple        # one RNNCache (or BiRNNCache when bidirectional) per layer, bottom first
    bidirectional: bool


def _layer_params(name, params, dims):
    """``params`` (W_xh, W_hh, b_h) checked with ``dims``; messages name ``name['W_xh']``."""
    params_dict(params, RNN_KEYS, name)
    return {k: dims.array(f"{name}[{k!r}]", params[k], PARAM_SHAPES[k]) for k in RNN_KEYS}


def birnn_forward(x, params_f, params_b, h0=None, activation="tanh", *, check=True):
    """A bidirectional RNN layer: one pass forward in time, one backward, states concatenated.

        h_t^fwd = f(x_t W_xh^fwd + h_{t-1}^fwd W_hh^fwd + b_h^fwd),   t = 1..T,  h_0^fwd = h0[0]
        h_t^bwd = f(x_t W_xh^bwd + h_{t+1}^bwd W_hh^bwd + b_h^bwd),   t = T..1,  h_{T+1}^bwd = h0[1]
        h_t = [h_t^fwd, h_t^bwd]

    Both passes are :func:`rnnlib.rnn_forward`, the second on ``x[::-1]``.

    Parameters
    ----------
    x : (T, B, D)
    params_f, params_b : dicts with W_xh (D, H), W_hh (H, H), b_h (H,): the forward and the
        backward pass (the same D and H; other keys are ignored).
    h0 : (2, B, H), optional; h0[0] starts the forward pass, h0[1] the backward one (zeros when
        omitted; the layout of PyTorch's h_0 for one bidirectional layer).
    activation : {"tanh", "sigmoid", "relu", "identity"}
    check : bool
        Check x, the parameters and h0 first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    h : (T, B, 2H); h[t-1, :, :H] is h_t^fwd, h[t-1, :, H:] is h_t^bwd.
    cache : BiRNNCache, what :func:`birnn_backward` needs.
    """
    choice("activation", activation, ACTIVATIONS)
    if flag("check", check):
        dims = Dims()
        x = dims.array("x", x, "T B D")
        params_f = _layer_params("params_f", params_f, dims)
        params_b = _layer_params("params_b", params_b, dims)
        h0 = None if h0 is None else dims.array("h0", h0, "2 B H")
    h_f, cache_f = rnn_forward(x, params_f, None if h0 is None else h0[0], activation, check=False)
    h_b, cache_b = rnn_forward(x[::-1], params_b, None if h0 is None else h0[1], activation,
                               check=False)
    return np.concatenate([h_f, h_b[::-1]], axis=2), BiRNNCache(cache_f, cache_b)


def birnn_backward(dh_out, cache, *, check=True):
    """Backward of :func:`birnn_forward`: each half of dh_out goes to its own pass.

        dx_t = dx_t^fwd + dx_t^bwd,   grads of each pass by :func:`rnnlib.rnn_backward`
        (the backward pass gets dh_out[..., H:] reversed in time, as it read x)

    Parameters
    ----------
    dh_out : (T, B, 2H)
        The gradient reaching each h_t = [h_t^fwd, h_t^bwd] from outside the layer.
    cache : from :func:`birnn_forward`.
    check : bool
        Check ``cache`` and ``dh_out`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx : (T, B, D)
    dh0 : (2, B, H); dh0[0] for the forward pass's h_0, dh0[1] for the backward pass's h_{T+1}.
    grads : pair (grads_f, grads_b) of dicts with W_xh (D, H), W_hh (H, H), b_h (H,)
    """
    check = flag("check", check)
    if check:
        forward_cache("cache", cache, BiRNNCache, "birnn_forward")
    cache_f, cache_b = cache
    T, B, H = cache_f.h.shape
    if check:
        dh_out = Dims().bind("the forward pass", T=T, B=B, H2=2 * H).array("dh_out", dh_out,
                                                                             "T B H2")
    dx_f, dh0_f, grads_f = rnn_backward(dh_out[:, :, :H], cache_f, check=False)
    dx_b, dh0_b, grads_b = rnn_backward(dh_out[::-1, :, H:], cache_b, check=False)
    return dx_f + dx_b[::-1], np.stack([dh0_f, dh0_b]), (grads_f, grads_b)


def _check_layers(layers, dims):
    """``layers`` checked: a list of L >= 1 dicts, or of L (params_f, params_b) pairs, each
    layer's input size the previous layer's output size. Returns (checked layers, bidirectional)."""
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(f"layers must be a non-empty list of parameter dicts (or of (params_f, "
                        f"params_b) pairs for bidirectional layers), got {_describe(layers)}")
    bidirectional = not isinstance(layers[0], dict)
    checked = []
    for l, layer in enumerate(layers):
        name = f"layers[{l}]"
        if bidirectional != (not isinstance(layer, dict)):
            raise TypeError(f"{name} must be a {'pair' if bidirectional else 'dict'} like "
                            f"layers[0] (every layer of a stack is of one kind), got "
                            f"{_describe(layer)}")
        if l > 0:  # the input of layer l is the output of layer l - 1
            dims.size["D"] = dims.size["H"] * (2 if bidirectional else 1)
            dims.source["D"] = f"the output size of layers[{l - 1}]"
        if bidirectional:
            if not (isinstance(layer, (list, tuple)) and len(layer) == 2):
                raise TypeError(f"{name} must be a pair (params_f, params_b) of dicts, got "
                                f"{_describe(layer)}")
            checked.append(tuple(_layer_params(f"{name}[{i}]", p, dims)
                                 for i, p in enumerate(layer)))
        else:
            checked.append(_layer_params(name, layer, dims))
    return checked, bidirectional


def stacked_forward(x, layers, h0=None, activation="tanh", *, check=True):
    """L RNN layers stacked: the states of layer l are the inputs of layer l + 1.

        h^[0] = x,   h^[l] = rnn(h^[l-1]; layers[l-1]),   l = 1..L     (T, B, H) or (T, B, 2H)

    (The layer is written [l]: W_hh^(t) is the copy of W_hh used at step t.)

    Each layer is :func:`rnnlib.rnn_forward` (a dict) or :func:`birnn_forward` (a pair).

    Parameters
    ----------
    x : (T, B, D)
    layers : list of L dicts with W_xh, W_hh (H, H), b_h (H,), or of L pairs (params_f, params_b)
        of such dicts for bidirectional layers. Layer 1's W_xh is (D, H); a later layer's is
        (H, H), or (2H, H) when bidirectional. Every layer has the same H.
    h0 : (L, B, H), or (2L, B, H) when bidirectional (h0[2(l-1)] and h0[2(l-1) + 1] start
        layer l's two passes, PyTorch's layout), optional; zeros when omitted.
    activation : {"tanh", "sigmoid", "relu", "identity"}
    check : bool
        Check x, the layers and h0 first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    h : (T, B, H) or (T, B, 2H), the states of the top layer h^[L].
    cache : StackedCache, what :func:`stacked_backward` needs.
    """
    choice("activation", activation, ACTIVATIONS)
    if flag("check", check):
        dims = Dims()
        x = dims.array("x", x, "T B D")
        layers, bidirectional = _check_layers(layers, dims)
        if h0 is not None:
            dims.size["S"] = len(layers) * (2 if bidirectional else 1)
            dims.source["S"] = "layers (one h_0 per layer and direction)"
            h0 = dims.array("h0", h0, "S B H")
    else:
        bidirectional = not isinstance(layers[0], dict)
    per = 2 if bidirectional else 1
    h, caches = x, []
    for l, layer in enumerate(layers):
        start = None if h0 is None else h0[per * l:per * (l + 1)]
        if bidirectional:
            h, cache = birnn_forward(h, *layer, start, activation, check=False)
        else:
            h, cache = rnn_forward(h, layer, None if start is None else start[0], activation,
                                   check=False)
        caches.append(cache)
    return h, StackedCache(tuple(caches), bidirectional)


def stacked_backward(dh_out, cache, *, check=True):
    """Backward of :func:`stacked_forward`: from the top layer down, each layer's dx is the
    dh_out of the layer below.

        dh_out^[L] = dh_out,   (dh_out^[l-1], dh0^[l], grads^[l]) = backward_l(dh_out^[l])

    Parameters
    ----------
    dh_out : (T, B, H) or (T, B, 2H)
        The gradient reaching the top layer's states from outside the stack.
    cache : from :func:`stacked_forward`.
    check : bool
        Check ``cache`` and ``dh_out`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx : (T, B, D)
    dh0 : (L, B, H), or (2L, B, H) when bidirectional, in the layout of ``h0``.
    grads : list of L dicts with W_xh, W_hh, b_h (or of L pairs of them), like ``layers``.
    """
    check = flag("check", check)
    if check:
        forward_cache("cache", cache, StackedCache, "stacked_forward")
    caches, bidirectional = cache
    if check:
        top = caches[-1].forward.h if bidirectional else caches[-1].h
        T, B, H = top.shape
        dh_out = Dims().bind("the forward pass", T=T, B=B, O=H * (2 if bidirectional else 1)
                             ).array("dh_out", dh_out, "T B O")
    grads, dh0 = [], []
    for layer_cache in reversed(caches):
        if bidirectional:
            dh_out, dh0_l, g = birnn_backward(dh_out, layer_cache, check=False)
        else:
            dh_out, dh0_one, g = rnn_backward(dh_out, layer_cache, check=False)
            dh0_l = dh0_one[None]
        grads.append(g)
        dh0.append(dh0_l)
    return dh_out, np.concatenate(dh0[::-1]), grads[::-1]

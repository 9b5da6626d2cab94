"""Shared pieces of the rnnlib tests: hypothesis strategies, random data, an independent gradient check.

The finite-difference check here deliberately does not use rnnlib.gradcheck (which is itself under
test): the function checked receives its arrays as arguments, so it recomputes everything from the
perturbed copy on every call and cannot read a value cached before the perturbation.
"""
import math

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

import rnnlib

PARAM_KEYS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")

size = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)
activations = st.sampled_from(sorted(rnnlib.ACTIVATIONS))
reductions = st.sampled_from(["sum", "mean"])
losses = st.sampled_from(["mse", "cross_entropy"])
outputs = st.sampled_from(["all", "last"])

gradient_settings = settings(max_examples=30)
property_settings = settings(max_examples=40)

# Each activation and its derivative written from the formula, one Python float at a time.
MATH_F = {
    "tanh": math.tanh,
    "sigmoid": lambda a: 1.0 / (1.0 + math.exp(-a)),
    "relu": lambda a: max(a, 0.0),
    "identity": lambda a: a,
}
MATH_DF = {
    "tanh": lambda a: 1.0 - math.tanh(a) ** 2,
    "sigmoid": lambda a: MATH_F["sigmoid"](a) * (1.0 - MATH_F["sigmoid"](a)),
    "relu": lambda a: 1.0 if a > 0 else 0.0,
    "identity": lambda a: 1.0,
}


def random_params(rng, D, H, K, scale=0.5):
    """RNN + output-layer parameters (float64): standard-normal entries times ``scale``, except W_hh.

    W_hh is a random rotation (orthogonal, determinant +1) times a gain of random sign and size in
    [0.8, 1.2]: over T <= 5 steps the influence of h0 then neither vanishes nor explodes, so finite
    differences can resolve dL/dh0 to 1e-7 (with Gaussian W_hh it can fall to 1e-5 of the loss,
    below float64's reach). A rotation is not symmetric for H >= 2, so W_hh-vs-W_hh^T mix-ups show.
    """
    shapes = {"W_xh": (D, H), "b_h": (H,), "W_hy": (H, K), "b_y": (K,)}
    params = {k: scale * rng.standard_normal(s) for k, s in shapes.items()}
    q, r = np.linalg.qr(rng.standard_normal((H, H)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    params["W_hh"] = rng.choice([-1.0, 1.0]) * rng.uniform(0.8, 1.2) * q
    return {k: params[k] for k in PARAM_KEYS}


def random_targets(rng, loss, shape, K):
    """Float targets of ``shape + (K,)`` for "mse", class indices of ``shape`` for "cross_entropy"."""
    if loss == "mse":
        return rng.standard_normal(shape + (K,))
    return rng.integers(0, K, shape)


def clear_of_kink(activation, a, margin=2e-3):
    """False if relu's kink at 0 is within ``margin`` of a pre-activation in ``a``.

    There relu has no derivative, and a finite-difference step (up to 2e-4 times the sensitivity
    of ``a``) could cross it; examples failing this are skipped with ``hypothesis.assume``.
    """
    return activation != "relu" or bool(np.abs(a).min() > margin)


def rnn_preactivations(x, params, h0=None, activation="tanh"):
    """Every a_t = x_t W_xh + h_{t-1} W_hh + b_h of a forward pass, shape (T, B, H)."""
    h, _ = rnnlib.rnn_forward(x, params, h0, activation)
    h0 = np.zeros_like(h[0]) if h0 is None else h0
    return x @ params["W_xh"] + np.concatenate([h0[None], h[:-1]]) @ params["W_hh"] + params["b_h"]


def rnn_input_gradients(params, x, h0, targets, *, loss, reduction, outputs, activation):
    """dL/dx and dL/dh0 for rnn_loss's network, chained from the layer backward functions."""
    h, rnn_cache = rnnlib.rnn_forward(x, params, h0, activation)
    o, out_cache = rnnlib.output_forward(h if outputs == "all" else h[-1], params)
    loss_fn = rnnlib.mse_loss if loss == "mse" else rnnlib.softmax_cross_entropy
    dh_out, _ = rnnlib.output_backward(loss_fn(o, targets, reduction)[1], out_cache)
    dh = dh_out if outputs == "all" else np.concatenate([np.zeros_like(h[:-1]), dh_out[None]])
    dx, dh0, _ = rnnlib.rnn_backward(dh, rnn_cache)
    return dx, dh0


def finite_difference(f, arrays, name, eps=1e-4):
    """dL/d arrays[name] of the scalar L = f(**arrays) by fourth-order centred differences.

        dL/dx_i ~ (8 (f(x + e_i eps) - f(x - e_i eps)) - (f(x + 2 e_i eps) - f(x - 2 e_i eps))) / (12 eps)

    The error is O(eps^4) instead of the O(eps^2) of the two-point formula, so eps can be 1e-4:
    the rounding noise ~ ulp(L) / eps stays ~1e-12 of the loss, and a gradient 1e-4 of the loss is
    still resolved to 1e-7 relative.
    """
    grad = np.zeros_like(arrays[name], dtype=np.float64)
    for i in np.ndindex(grad.shape):
        values = {}
        for step in (-2, -1, 1, 2):
            perturbed = arrays[name].astype(np.float64, copy=True)
            perturbed[i] += step * eps
            values[step] = float(f(**{**arrays, name: perturbed}))
        grad[i] = (8 * (values[1] - values[-1]) - (values[2] - values[-2])) / (12 * eps)
    return grad


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||), 0 when both are zero; shapes must match exactly."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape, f"shapes differ: {a.shape} vs {b.shape}"
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def assert_gradients(f, arrays, analytic, tol=1e-7):
    """Check ``analytic[name]`` against finite differences of ``f(**arrays)`` for EVERY name.

    ``analytic`` must hold exactly the names of ``arrays``, so no input can be left unchecked.
    """
    assert set(analytic) == set(arrays), f"gradients for {sorted(analytic)}, inputs {sorted(arrays)}"
    for name in arrays:
        numeric = finite_difference(f, arrays, name)
        err = rel_error(analytic[name], numeric)
        assert err <= tol, f"d/d{name}: relative error {err:.3g} > {tol}"


def upstream_loss(forward, upstream):
    """L = sum(forward(...) * upstream): its gradient w.r.t. the output is ``upstream`` (cs231n style)."""
    return lambda **arrays: np.sum(forward(**arrays) * upstream)


def identical(a, b):
    """True if nested dicts/tuples/lists of arrays and numbers are equal entry for entry (same shapes)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(identical(u, v) for u, v in zip(a, b))
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))

"""The GRU (PyTorch's variant): one step, the whole sequence (BPTT), against the equations and
finite differences."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import rnnlib
from gated_helpers import random_cell_params, reference_gru
from helpers import assert_gradients, gradient_settings, seeds, size, upstream_loss

KEYS = ("W_xh", "W_hh", "b_h", "b_hn")


def gru_params(rng, D, H):
    return {k: v for k, v in random_cell_params(rng, "gru", D, H, 1).items() if k in KEYS}


@gradient_settings
@given(T=size, B=size, D=size, H=size, seed=seeds)
def test_gru_forward_follows_the_equations(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    params = gru_params(rng, D, H)
    x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    h, cache = rnnlib.gru_forward(x, params, h0)
    np.testing.assert_allclose(h, reference_gru(x, params, h0), rtol=1e-12, atol=1e-14)
    h_prev = np.concatenate([h0[None], h[:-1]])
    np.testing.assert_allclose(cache.hn, h_prev @ params["W_hh"][:, 2 * H:] + params["b_hn"], rtol=1e-12,
                               atol=1e-14)


@gradient_settings
@given(T=size, B=size, D=size, H=size, with_h0=st.booleans(), seed=seeds)
def test_gru_forward_is_repeated_steps(T, B, D, H, with_h0, seed):
    rng = np.random.default_rng(seed)
    params = gru_params(rng, D, H)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((B, H)) if with_h0 else None
    h, _ = rnnlib.gru_forward(x, params, h0)
    h_t = h0 if with_h0 else np.zeros((B, H))
    for t in range(T):
        h_t, _ = rnnlib.gru_step_forward(x[t], h_t, params)
        np.testing.assert_allclose(h[t], h_t, rtol=1e-12, atol=1e-14)


@gradient_settings
@given(T=size, B=size, D=size, H=size, seed=seeds)
def test_gru_backward_is_chained_step_backwards(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    params = gru_params(rng, D, H)
    x, h0, dh = rng.standard_normal((T, B, D)), rng.standard_normal((B, H)), rng.standard_normal((T, B, H))
    caches, h_t = [], h0
    for t in range(T):
        h_t, cache = rnnlib.gru_step_forward(x[t], h_t, params)
        caches.append(cache)
    dx_steps, dh_next = [None] * T, np.zeros((B, H))
    sums = {k: 0.0 for k in KEYS}
    for t in reversed(range(T)):
        dx_steps[t], dh_next, step_grads = rnnlib.gru_step_backward(dh[t] + dh_next, caches[t])
        sums = {k: sums[k] + step_grads[k] for k in sums}
    _, cache = rnnlib.gru_forward(x, params, h0)
    dx, dh0, grads = rnnlib.gru_backward(dh, cache)
    np.testing.assert_allclose(dx, np.stack(dx_steps), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dh0, dh_next, rtol=1e-12, atol=1e-13)
    for k in sums:
        np.testing.assert_allclose(grads[k], sums[k], rtol=1e-12, atol=1e-13, err_msg=k)


@gradient_settings
@given(B=size, D=size, H=size, seed=seeds)
def test_gru_step_backward_matches_finite_differences(B, D, H, seed):
    rng = np.random.default_rng(seed)
    params = gru_params(rng, D, H)
    x_t, h_prev, dh_t = (rng.standard_normal(s) for s in ((B, D), (B, H), (B, H)))
    _, cache = rnnlib.gru_step_forward(x_t, h_prev, params)
    dx_t, dh_prev, grads = rnnlib.gru_step_backward(dh_t, cache)
    f = upstream_loss(lambda x_t, h_prev, **p: rnnlib.gru_step_forward(x_t, h_prev, p)[0], dh_t)
    assert_gradients(f, {"x_t": x_t, "h_prev": h_prev, **params}, {"x_t": dx_t, "h_prev": dh_prev, **grads})


@gradient_settings
@given(T=size, B=size, D=size, H=size, with_h0=st.booleans(), seed=seeds)
def test_gru_backward_matches_finite_differences(T, B, D, H, with_h0, seed):
    rng = np.random.default_rng(seed)
    params = gru_params(rng, D, H)
    x, dh = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, H))
    inputs = {"x": x, **params}
    if with_h0:
        inputs["h0"] = rng.standard_normal((B, H))
    _, cache = rnnlib.gru_forward(x, params, inputs.get("h0"))
    dx, dh0, grads = rnnlib.gru_backward(dh, cache)
    analytic = {"x": dx, **grads, **({"h0": dh0} if with_h0 else {})}
    f = upstream_loss(lambda x, h0=None, **p: rnnlib.gru_forward(x, p, h0)[0], dh)
    assert_gradients(f, inputs, analytic)


def test_saturated_gates_are_finite_forward_and_backward():
    params = {"W_xh": np.array([[1000.0, -1000.0, 1000.0]]), "W_hh": np.array([[0.5, 1.0, -0.25]]),
              "b_h": np.zeros(3), "b_hn": np.array([0.5])}
    x = np.array([[[1.0]], [[-1.0]], [[1.0]]])
    with np.errstate(all="raise"):
        h, cache = rnnlib.gru_forward(x, params)
        dx, dh0, grads = rnnlib.gru_backward(np.full(h.shape, 3.0), cache)
    np.testing.assert_allclose(h, reference_gru(x, params, np.zeros((1, 1))), rtol=1e-14, atol=1e-300)
    for g in (dx, dh0, *grads.values()):
        assert np.all(np.isfinite(g))


def test_the_update_gate_alone_carries_the_state():
    """With z = 1 (a large b_z) h_t = h_{t-1}: the state and its gradient pass unchanged."""
    H, T = 2, 5
    params = {"W_xh": np.ones((1, 3 * H)), "W_hh": np.ones((H, 3 * H)),
              "b_h": np.concatenate([np.zeros(H), np.full(H, 1e3), np.zeros(H)]), "b_hn": np.zeros(H)}
    h0 = np.array([[0.3, -0.7]])
    h, cache = rnnlib.gru_forward(np.ones((T, 1, 1)), params, h0)
    np.testing.assert_allclose(h, np.broadcast_to(h0, h.shape), rtol=1e-15)
    dh_out = np.zeros((T, 1, H))
    dh_out[-1] = [1.0, 2.0]
    _, dh0, _ = rnnlib.gru_backward(dh_out, cache)
    np.testing.assert_allclose(dh0, [[1.0, 2.0]], rtol=1e-15)


def test_init_gru_params_shapes_and_range():
    params = rnnlib.init_gru_params(3, 5, 2, np.random.default_rng(0), np.float32)
    assert {k: v.shape for k, v in params.items()} == {"W_xh": (3, 15), "W_hh": (5, 15), "b_h": (15,),
                                                       "b_hn": (5,), "W_hy": (5, 2), "b_y": (2,)}
    assert all(v.dtype == np.float32 and np.abs(v).max() <= 1 / np.sqrt(5) for v in params.values())


def test_gru_backward_in_several_chunks_is_chained_step_backwards():
    """B = H = 64: the backward computes its gate factors in chunks of 2 steps (256 KiB of da)."""
    rng = np.random.default_rng(5)
    T, B, D, H = 5, 64, 3, 64
    params = gru_params(rng, D, H)
    x, h0, dh = rng.standard_normal((T, B, D)), rng.standard_normal((B, H)), rng.standard_normal((T, B, H))
    _, cache = rnnlib.gru_forward(x, params, h0)
    assert 1 < (256 << 10) // cache.gates[0].nbytes < T
    dx, dh0, grads = rnnlib.gru_backward(dh, cache)
    caches, h_t = [], h0
    for t in range(T):
        h_t, step_cache = rnnlib.gru_step_forward(x[t], h_t, params)
        caches.append(step_cache)
    dh_next, sums = np.zeros((B, H)), {k: 0.0 for k in KEYS}
    for t in reversed(range(T)):
        dx_t, dh_next, step_grads = rnnlib.gru_step_backward(dh[t] + dh_next, caches[t])
        np.testing.assert_allclose(dx[t], dx_t, rtol=1e-12, atol=1e-13)
        sums = {k: sums[k] + step_grads[k] for k in sums}
    np.testing.assert_allclose(dh0, dh_next, rtol=1e-12, atol=1e-13)
    for k in sums:
        np.testing.assert_allclose(grads[k], sums[k], rtol=1e-12, atol=1e-12, err_msg=k)

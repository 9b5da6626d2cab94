"""The LSTM: one step, the whole sequence (BPTT), against the equations and finite differences."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import rnnlib
from gated_helpers import random_cell_params, reference_lstm
from helpers import assert_gradients, gradient_settings, seeds, size, upstream_loss

KEYS = ("W_xh", "W_hh", "b_h")


def lstm_params(rng, D, H):
    return {k: v for k, v in random_cell_params(rng, "lstm", D, H, 1).items() if k in KEYS}


@gradient_settings
@given(T=size, B=size, D=size, H=size, seed=seeds)
def test_lstm_forward_follows_the_equations(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    params = lstm_params(rng, D, H)
    x, h0, c0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    h, cache = rnnlib.lstm_forward(x, params, h0, c0)
    expected_h, expected_c = reference_lstm(x, params, h0, c0)
    np.testing.assert_allclose(h, expected_h, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cache.c, expected_c, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cache.tanh_c, np.tanh(expected_c), rtol=1e-12, atol=1e-14)


@gradient_settings
@given(T=size, B=size, D=size, H=size, with_state=st.booleans(), seed=seeds)
def test_lstm_forward_is_repeated_steps(T, B, D, H, with_state, seed):
    rng = np.random.default_rng(seed)
    params = lstm_params(rng, D, H)
    x = rng.standard_normal((T, B, D))
    h0, c0 = (rng.standard_normal((B, H)), rng.standard_normal((B, H))) if with_state else (None, None)
    h, cache = rnnlib.lstm_forward(x, params, h0, c0)
    h_t, c_t = (h0, c0) if with_state else (np.zeros((B, H)), np.zeros((B, H)))
    for t in range(T):
        (h_t, c_t), _ = rnnlib.lstm_step_forward(x[t], h_t, c_t, params)
        np.testing.assert_allclose(h[t], h_t, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(cache.c[t], c_t, rtol=1e-12, atol=1e-14)


@gradient_settings
@given(T=size, B=size, D=size, H=size, seed=seeds)
def test_lstm_backward_is_chained_step_backwards(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    params = lstm_params(rng, D, H)
    x, h0, c0, dh = (rng.standard_normal(s) for s in ((T, B, D), (B, H), (B, H), (T, B, H)))
    caches, h_t, c_t = [], h0, c0
    for t in range(T):
        (h_t, c_t), cache = rnnlib.lstm_step_forward(x[t], h_t, c_t, params)
        caches.append(cache)
    dx_steps, dh_next, dc_next = [None] * T, np.zeros((B, H)), np.zeros((B, H))
    sums = {k: 0.0 for k in KEYS}
    for t in reversed(range(T)):
        dx_steps[t], dh_next, dc_next, step_grads = rnnlib.lstm_step_backward(dh[t] + dh_next, dc_next,
                                                                              caches[t])
        sums = {k: sums[k] + step_grads[k] for k in sums}
    _, cache = rnnlib.lstm_forward(x, params, h0, c0)
    dx, dh0, dc0, grads = rnnlib.lstm_backward(dh, cache)
    np.testing.assert_allclose(dx, np.stack(dx_steps), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dh0, dh_next, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dc0, dc_next, rtol=1e-12, atol=1e-13)
    for k in sums:
        np.testing.assert_allclose(grads[k], sums[k], rtol=1e-12, atol=1e-13, err_msg=k)


@gradient_settings
@given(B=size, D=size, H=size, seed=seeds)
def test_lstm_step_backward_matches_finite_differences(B, D, H, seed):
    rng = np.random.default_rng(seed)
    params = lstm_params(rng, D, H)
    x_t, h_prev, c_prev, dh_t, dc_t = (rng.standard_normal(s) for s in ((B, D), (B, H), (B, H), (B, H), (B, H)))
    _, cache = rnnlib.lstm_step_forward(x_t, h_prev, c_prev, params)
    dx_t, dh_prev, dc_prev, grads = rnnlib.lstm_step_backward(dh_t, dc_t, cache)

    def f(x_t, h_prev, c_prev, **p):
        (h_t, c_t), _ = rnnlib.lstm_step_forward(x_t, h_prev, c_prev, p)
        return np.sum(h_t * dh_t) + np.sum(c_t * dc_t)

    assert_gradients(f, {"x_t": x_t, "h_prev": h_prev, "c_prev": c_prev, **params},
                     {"x_t": dx_t, "h_prev": dh_prev, "c_prev": dc_prev, **grads})


@gradient_settings
@given(T=size, B=size, D=size, H=size, with_state=st.booleans(), seed=seeds)
def test_lstm_backward_matches_finite_differences(T, B, D, H, with_state, seed):
    rng = np.random.default_rng(seed)
    params = lstm_params(rng, D, H)
    x, dh = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, H))
    inputs = {"x": x, **params}
    if with_state:
        inputs.update(h0=rng.standard_normal((B, H)), c0=rng.standard_normal((B, H)))
    _, cache = rnnlib.lstm_forward(x, params, inputs.get("h0"), inputs.get("c0"))
    dx, dh0, dc0, grads = rnnlib.lstm_backward(dh, cache)
    analytic = {"x": dx, **grads, **({"h0": dh0, "c0": dc0} if with_state else {})}
    f = upstream_loss(lambda x, h0=None, c0=None, **p: rnnlib.lstm_forward(x, p, h0, c0)[0], dh)
    assert_gradients(f, inputs, analytic)


def test_saturated_gates_are_finite_forward_and_backward():
    """Pre-activations of +-1000: sigmoid and tanh saturate without overflow warnings."""
    params = {"W_xh": np.array([[1000.0, -1000.0, 1000.0, -1000.0]]), "W_hh": np.array([[0.5, 0.0, 0.25, 1.0]]),
              "b_h": np.zeros(4)}
    x = np.array([[[1.0]], [[-1.0]], [[1.0]]])
    with np.errstate(all="raise"):
        h, cache = rnnlib.lstm_forward(x, params)
        dx, dh0, dc0, grads = rnnlib.lstm_backward(np.full(h.shape, 3.0), cache)
    expected_h, expected_c = reference_lstm(x, params, np.zeros((1, 1)), np.zeros((1, 1)))
    np.testing.assert_allclose(h, expected_h, rtol=1e-14, atol=1e-300)
    for g in (dx, dh0, dc0, *grads.values()):
        assert np.all(np.isfinite(g))


def test_the_cell_state_carries_the_gradient_through_the_forget_gates():
    """With the input gate shut (i = 0) and output only at T, dL/dc0 = dc_T * prod_t f_t."""
    H, T = 3, 6
    f_bias = np.array([4.0, 0.0, -2.0])
    params = {"W_xh": np.zeros((1, 4 * H)), "W_hh": np.zeros((H, 4 * H)),
              "b_h": np.concatenate([np.full(H, -1e3), f_bias, np.zeros(H), np.zeros(H)])}
    _, cache = rnnlib.lstm_forward(np.zeros((T, 1, 1)), params, c0=np.ones((1, H)))
    dh_out = np.zeros((T, 1, H))
    dh_out[-1] = 1.0
    _, _, dc0, _ = rnnlib.lstm_backward(dh_out, cache)
    f = 1.0 / (1.0 + np.exp(-f_bias))
    c_T = f**T
    dc_T = 0.5 * (1.0 - np.tanh(c_T) ** 2)      # o = sigmoid(0) = 0.5
    np.testing.assert_allclose(dc0[0], dc_T * f**T, rtol=1e-12)


def test_init_lstm_params_shapes_range_and_forget_bias():
    params = rnnlib.init_lstm_params(3, 5, 2, np.random.default_rng(0))
    assert {k: v.shape for k, v in params.items()} == {"W_xh": (3, 20), "W_hh": (5, 20), "b_h": (20,),
                                                       "W_hy": (5, 2), "b_y": (2,)}
    assert all(np.abs(v).max() <= 1 / np.sqrt(5) for v in params.values())
    opened = rnnlib.init_lstm_params(3, 5, 2, np.random.default_rng(0), np.float32, forget_bias=1.0)
    assert opened["b_h"].dtype == np.float32
    np.testing.assert_array_equal(opened["b_h"][5:10], 1.0)
    np.testing.assert_array_equal(opened["b_h"][:5], params["b_h"][:5].astype(np.float32))


def test_lstm_backward_in_several_chunks_is_chained_step_backwards():
    """B = H = 64: the backward computes its gate factors in chunks of 2 steps (256 KiB of da)."""
    rng = np.random.default_rng(5)
    T, B, D, H = 5, 64, 3, 64
    params = lstm_params(rng, D, H)
    x, h0, c0, dh = (rng.standard_normal(s) for s in ((T, B, D), (B, H), (B, H), (T, B, H)))
    _, cache = rnnlib.lstm_forward(x, params, h0, c0)
    assert 1 < (256 << 10) // cache.gates[0].nbytes < T
    dx, dh0, dc0, grads = rnnlib.lstm_backward(dh, cache)
    caches, h_t, c_t = [], h0, c0
    for t in range(T):
        (h_t, c_t), step_cache = rnnlib.lstm_step_forward(x[t], h_t, c_t, params)
        caches.append(step_cache)
    dh_next, dc_next, sums = np.zeros((B, H)), np.zeros((B, H)), {k: 0.0 for k in KEYS}
    for t in reversed(range(T)):
        dx_t, dh_next, dc_next, step_grads = rnnlib.lstm_step_backward(dh[t] + dh_next, dc_next, caches[t])
        np.testing.assert_allclose(dx[t], dx_t, rtol=1e-12, atol=1e-13)
        sums = {k: sums[k] + step_grads[k] for k in sums}
    np.testing.assert_allclose(dh0, dh_next, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dc0, dc_next, rtol=1e-12, atol=1e-13)
    for k in sums:
        np.testing.assert_allclose(grads[k], sums[k], rtol=1e-12, atol=1e-12, err_msg=k)

"""The RNN step, the whole sequence (BPTT) and the output layer."""
import math

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import rnnlib
from helpers import (MATH_F, activations, assert_gradients, clear_of_kink, gradient_settings, random_params,
                     rnn_preactivations, seeds, size, upstream_loss)

# A small network with exact binary-fraction weights: T=3, B=2, D=2, H=2, K=1.
X = [[[1.0, -1.0], [0.5, 2.0]], [[0.0, 1.0], [-1.5, 0.25]], [[2.0, 0.5], [1.0, -1.0]]]
H0 = [[0.0, 0.0], [0.5, -0.5]]
W_XH = [[0.5, -0.25], [0.25, 0.5]]
W_HH = [[0.5, 0.0], [-0.5, 0.25]]
B_H = [0.125, -0.25]
W_HY = [[1.5], [-0.75]]
B_Y = [0.5]


def reference_states(f):
    """h_t = f(x_t W_xh + h_{t-1} W_hh + b_h), one scalar at a time with Python floats."""
    h_prev, states = H0, []
    for x_t in X:
        h_t = [[f(sum(x_t[b][d] * W_XH[d][j] for d in range(2))
                  + sum(h_prev[b][i] * W_HH[i][j] for i in range(2)) + B_H[j])
                for j in range(2)] for b in range(2)]
        states.append(h_t)
        h_prev = h_t
    return states


def fixed_params():
    return {"W_xh": np.array(W_XH), "W_hh": np.array(W_HH), "b_h": np.array(B_H),
            "W_hy": np.array(W_HY), "b_y": np.array(B_Y)}


def test_hand_computable_rnn_forward_for_every_activation():
    for name, f in MATH_F.items():
        expected_h = reference_states(f)
        expected_o = [[[sum(h[b][i] * W_HY[i][0] for i in range(2)) + B_Y[0]] for b in range(2)]
                      for h in expected_h]
        h, _ = rnnlib.rnn_forward(np.array(X), fixed_params(), np.array(H0), name)
        o = rnnlib.rnn_predict(fixed_params(), np.array(X), h0=np.array(H0), activation=name)
        np.testing.assert_allclose(h, expected_h, rtol=1e-14, atol=1e-15, err_msg=name)
        np.testing.assert_allclose(o, expected_o, rtol=1e-14, atol=1e-15, err_msg=name)


def test_rnn_worked_example_of_chapter_1():
    x, W_xh, W_hh, W_hy, b_h, b_y = [0.5, 0.7], 0.5, 0.3, 0.7, 0.1, 0.2
    h1 = math.tanh(x[0] * W_xh + 0.0 * W_hh + b_h)
    h2 = math.tanh(x[1] * W_xh + h1 * W_hh + b_h)
    assert math.isclose(h1, math.tanh(0.35), rel_tol=1e-15)
    params = {"W_xh": np.array([[W_xh]]), "W_hh": np.array([[W_hh]]), "b_h": np.array([b_h]),
              "W_hy": np.array([[W_hy]]), "b_y": np.array([b_y])}
    h, _ = rnnlib.rnn_forward(np.array(x).reshape(2, 1, 1), params, np.zeros((1, 1)), "tanh")
    o = rnnlib.rnn_predict(params, np.array(x).reshape(2, 1, 1))
    np.testing.assert_allclose(h.ravel(), [h1, h2], rtol=1e-15)
    np.testing.assert_allclose(o.ravel(), [h1 * W_hy + b_y, h2 * W_hy + b_y], rtol=1e-15)


def test_saturated_tanh_is_finite_forward_and_backward():
    params = {"W_xh": np.array([[50.0, -50.0]]), "W_hh": np.array([[0.5, 0.0], [0.0, -0.5]]),
              "b_h": np.array([0.25, 0.0])}
    x = np.array([[[1.0]], [[-1.0]], [[1.0]]])
    with np.errstate(all="raise"):
        h, cache = rnnlib.rnn_forward(x, params)
        dx, dh0, grads = rnnlib.rnn_backward(np.full(h.shape, 7.0), cache)
    expected, h_prev = [], [0.0, 0.0]
    for x_t in x[:, 0, 0]:
        h_prev = [math.tanh(x_t * params["W_xh"][0, j]
                            + sum(h_prev[i] * params["W_hh"][i, j] for i in range(2))
                            + params["b_h"][j]) for j in range(2)]
        expected.append([h_prev])
    np.testing.assert_allclose(h, expected, rtol=1e-15)
    for g in (dx, dh0, *grads.values()):
        assert np.all(np.isfinite(g))
        np.testing.assert_allclose(g, 0.0, atol=1e-30)


@gradient_settings
@given(name=activations, T=size, B=size, D=size, H=size, with_h0=st.booleans(), seed=seeds)
def test_rnn_forward_is_repeated_steps(name, T, B, D, H, with_h0, seed):
    rng = np.random.default_rng(seed)
    params = random_params(rng, D, H, 1)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((B, H)) if with_h0 else None
    h, _ = rnnlib.rnn_forward(x, params, h0, name)
    h_t = h0 if with_h0 else np.zeros((B, H))
    for t in range(T):
        h_t, _ = rnnlib.rnn_step_forward(x[t], h_t, params, name)
        np.testing.assert_allclose(h[t], h_t, rtol=1e-12, atol=1e-14)


@gradient_settings
@given(name=activations, T=size, B=size, D=size, H=size, seed=seeds)
def test_rnn_backward_is_chained_step_backwards(name, T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    params = random_params(rng, D, H, 1)
    x, h0, dh = rng.standard_normal((T, B, D)), rng.standard_normal((B, H)), rng.standard_normal((T, B, H))
    caches, h_t = [], h0
    for t in range(T):
        h_t, cache = rnnlib.rnn_step_forward(x[t], h_t, params, name)
        caches.append(cache)
    dx_steps, dh_next = [None] * T, np.zeros((B, H))
    sums = {k: 0.0 for k in ("W_xh", "W_hh", "b_h")}
    for t in reversed(range(T)):
        dx_steps[t], dh_next, step_grads = rnnlib.rnn_step_backward(dh[t] + dh_next, caches[t])
        sums = {k: sums[k] + step_grads[k] for k in sums}
    _, cache = rnnlib.rnn_forward(x, params, h0, name)
    dx, dh0, grads = rnnlib.rnn_backward(dh, cache)
    np.testing.assert_allclose(dx, np.stack(dx_steps), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dh0, dh_next, rtol=1e-12, atol=1e-13)
    for k in sums:
        np.testing.assert_allclose(grads[k], sums[k], rtol=1e-12, atol=1e-13, err_msg=k)


@gradient_settings
@given(name=activations, B=size, D=size, H=size, seed=seeds)
def test_rnn_step_backward_matches_finite_differences(name, B, D, H, seed):
    rng = np.random.default_rng(seed)
    params = {k: v for k, v in random_params(rng, D, H, 1).items() if k in ("W_xh", "W_hh", "b_h")}
    x_t, h_prev, dh_t = (rng.standard_normal(s) for s in ((B, D), (B, H), (B, H)))
    assume(clear_of_kink(name, x_t @ params["W_xh"] + h_prev @ params["W_hh"] + params["b_h"]))
    _, cache = rnnlib.rnn_step_forward(x_t, h_prev, params, name)
    dx_t, dh_prev, grads = rnnlib.rnn_step_backward(dh_t, cache)
    f = upstream_loss(lambda x_t, h_prev, **p: rnnlib.rnn_step_forward(x_t, h_prev, p, name)[0], dh_t)
    assert_gradients(f, {"x_t": x_t, "h_prev": h_prev, **params},
                     {"x_t": dx_t, "h_prev": dh_prev, **grads})


@gradient_settings
@given(name=activations, T=size, B=size, D=size, H=size, with_h0=st.booleans(), seed=seeds)
def test_rnn_backward_matches_finite_differences(name, T, B, D, H, with_h0, seed):
    rng = np.random.default_rng(seed)
    params = {k: v for k, v in random_params(rng, D, H, 1).items() if k in ("W_xh", "W_hh", "b_h")}
    x, dh = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, H))
    inputs = {"x": x, **params}
    if with_h0:
        inputs["h0"] = rng.standard_normal((B, H))
    assume(clear_of_kink(name, rnn_preactivations(x, params, inputs.get("h0"), name)))
    _, cache = rnnlib.rnn_forward(x, params, inputs.get("h0"), name)
    dx, dh0, grads = rnnlib.rnn_backward(dh, cache)
    analytic = {"x": dx, **grads, **({"h0": dh0} if with_h0 else {})}
    f = upstream_loss(lambda x, h0=None, **p: rnnlib.rnn_forward(x, p, h0, name)[0], dh)
    assert_gradients(f, inputs, analytic)


@gradient_settings
@given(lead=st.lists(size, min_size=1, max_size=2), H=size, K=size, seed=seeds)
def test_output_backward_matches_finite_differences(lead, H, K, seed):
    rng = np.random.default_rng(seed)
    inputs = {"h": rng.standard_normal((*lead, H)), "W_hy": rng.standard_normal((H, K)),
              "b_y": rng.standard_normal(K)}
    do = rng.standard_normal((*lead, K))
    _, cache = rnnlib.output_forward(inputs["h"], inputs)
    dh, grads = rnnlib.output_backward(do, cache)
    f = upstream_loss(lambda h, **p: rnnlib.output_forward(h, p)[0], do)
    assert_gradients(f, inputs, {"h": dh, **grads})


@gradient_settings
@given(name=activations, T=size, B=size, D=size, H=size, K=size, seed=seeds)
def test_rnn_predict_is_rnn_forward_then_output_layer(name, T, B, D, H, K, seed):
    rng = np.random.default_rng(seed)
    params = random_params(rng, D, H, K)
    x = rng.standard_normal((T, B, D))
    h, _ = rnnlib.rnn_forward(x, params, activation=name)
    expected = h @ params["W_hy"] + params["b_y"]
    np.testing.assert_allclose(rnnlib.rnn_predict(params, x, activation=name), expected, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(rnnlib.rnn_predict(params, x, outputs="last", activation=name), expected[-1],
                               rtol=1e-13, atol=1e-14)

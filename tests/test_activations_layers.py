"""Activations, the affine layer and the chapter-1 feed-forward network."""
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import rnnlib
from helpers import (MATH_DF, MATH_F, activations, assert_gradients, clear_of_kink, gradient_settings,
                     random_params, seeds, size, upstream_loss)

POINTS = [-3.0, -0.5, 0.0, 0.25, 2.0]


def test_every_activation_has_a_reference():
    assert set(MATH_F) == set(rnnlib.ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(MATH_F))
def test_activation_values_and_derivatives_match_math(name):
    z, cache = rnnlib.activation_forward(np.array(POINTS), name)
    np.testing.assert_allclose(z, [MATH_F[name](a) for a in POINTS], rtol=1e-14, atol=1e-15)
    da = rnnlib.activation_backward(np.ones(len(POINTS)), cache)
    np.testing.assert_allclose(da, [MATH_DF[name](a) for a in POINTS], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_saturated_activations_are_finite(name):
    a = np.array([-800.0, -50.0, 50.0, 800.0])
    with np.errstate(all="raise"):
        z, cache = rnnlib.activation_forward(a, name)
        da = rnnlib.activation_backward(np.full(4, 3.0), cache)
    low = -1.0 if name == "tanh" else 0.0
    np.testing.assert_allclose(z, [low, low, 1.0, 1.0], rtol=0, atol=1e-20)
    np.testing.assert_allclose(da, 0.0, rtol=0, atol=1e-20)


@gradient_settings
@given(name=activations, B=size, H=size, seed=seeds)
def test_activation_backward_matches_finite_differences(name, B, H, seed):
    rng = np.random.default_rng(seed)
    a, dz = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    assume(clear_of_kink(name, a))
    z, cache = rnnlib.activation_forward(a, name)
    f = upstream_loss(lambda a: rnnlib.activation_forward(a, name)[0], dz)
    assert_gradients(f, {"a": a}, {"a": rnnlib.activation_backward(dz, cache)})


def test_affine_forward_by_hand():
    x = [[1.0, 2.0], [-1.0, 0.5]]
    W = [[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]]
    b = [0.5, 0.0, -0.25]
    expected = [[sum(row[d] * W[d][m] for d in range(2)) + b[m] for m in range(3)] for row in x]
    out, _ = rnnlib.affine_forward(np.array(x), np.array(W), np.array(b))
    np.testing.assert_array_equal(out, expected)


@gradient_settings
@given(lead=st.lists(size, max_size=2), D=size, M=size, seed=seeds)
def test_affine_backward_matches_finite_differences(lead, D, M, seed):
    rng = np.random.default_rng(seed)
    arrays = {"x": rng.standard_normal((*lead, D)), "W": rng.standard_normal((D, M)),
              "b": rng.standard_normal(M)}
    dout = rng.standard_normal((*lead, M))
    _, cache = rnnlib.affine_forward(**arrays)
    dx, dW, db = rnnlib.affine_backward(dout, cache)
    f = upstream_loss(lambda **a: rnnlib.affine_forward(**a)[0], dout)
    assert_gradients(f, arrays, {"x": dx, "W": dW, "b": db})


def test_fnn_worked_example_of_chapter_1():
    x, W_xh, b_h, W_hy, b_y = 0.5, 0.4, 0.1, 0.6, 0.2
    h_by_hand = max(x * W_xh + b_h, 0.0)
    o_by_hand = h_by_hand * W_hy + b_y
    params = {"W_xh": np.array([[W_xh]]), "b_h": np.array([b_h]),
              "W_hy": np.array([[W_hy]]), "b_y": np.array([b_y])}
    o, cache = rnnlib.fnn_forward(np.array([[x]]), params, activation="relu")
    assert math.isclose(h_by_hand, 0.3, rel_tol=1e-15) and math.isclose(o_by_hand, 0.38, rel_tol=1e-15)
    np.testing.assert_allclose(cache.h, [[h_by_hand]], rtol=1e-15)
    np.testing.assert_allclose(o, [[o_by_hand]], rtol=1e-15)


@gradient_settings
@given(name=activations, B=size, D=size, H=size, K=size, seed=seeds)
def test_fnn_backward_matches_finite_differences(name, B, D, H, K, seed):
    rng = np.random.default_rng(seed)
    params = random_params(rng, D, H, K)
    del params["W_hh"]
    x, do = rng.standard_normal((B, D)), rng.standard_normal((B, K))
    assume(clear_of_kink(name, x @ params["W_xh"] + params["b_h"]))
    _, cache = rnnlib.fnn_forward(x, params, name)
    dx, grads = rnnlib.fnn_backward(do, cache)
    f = upstream_loss(lambda x, **p: rnnlib.fnn_forward(x, p, name)[0], do)
    assert_gradients(f, {"x": x, **params}, {"x": dx, **grads})


@gradient_settings
@given(name=activations, B=size, D=size, H=size, K=size, seed=seeds)
def test_fnn_is_the_rnn_with_one_step_and_no_recurrence(name, B, D, H, K, seed):
    rng = np.random.default_rng(seed)
    params = random_params(rng, D, H, K)
    params["W_hh"] = np.zeros((H, H))
    x = rng.standard_normal((B, D))
    o_fnn, cache = rnnlib.fnn_forward(x, params, name)
    h, _ = rnnlib.rnn_forward(x[None], params, activation=name)
    o_rnn, _ = rnnlib.output_forward(h[0], params)
    np.testing.assert_allclose(cache.h, h[0], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(o_fnn, o_rnn, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", sorted(MATH_F))
def test_activation_with_out_writes_in_place_and_agrees(name):
    f = rnnlib.ACTIVATIONS[name][0]
    a = np.array([[-3.0, -0.5, 0.0], [0.25, 2.0, 40.0]])
    expected = f(a.copy())
    buffer = a.copy()
    result = f(buffer, out=buffer)
    assert result is buffer
    assert np.array_equal(buffer, expected)

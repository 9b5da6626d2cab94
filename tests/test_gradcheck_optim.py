"""The book's gradient-check tools, gradient clipping, SGD, Adam and initialisation."""
import copy
import math

import numpy as np
import pytest
import hypothesis.extra.numpy as hnp
from hypothesis import assume, given
from hypothesis import strategies as st

import rnnlib
from helpers import (activations, clear_of_kink, gradient_settings, identical, losses, outputs, property_settings,
                     random_params, random_targets, reductions, rnn_preactivations, seeds, size)


def test_numerical_gradient_of_a_known_function_restores_x():
    x = np.random.default_rng(0).standard_normal((3, 4))
    before = x.copy()
    grad = rnnlib.numerical_gradient(lambda: float(np.sum(np.sin(x) * x**2)), x)
    assert rnnlib.relative_error(grad, np.cos(before) * before**2 + 2 * before * np.sin(before)) < 1e-9
    np.testing.assert_array_equal(x, before)


def test_relative_error_values():
    a = np.array([3.0, -4.0])
    assert rnnlib.relative_error(a, a) == 0.0
    assert rnnlib.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert math.isclose(rnnlib.relative_error([1.0, 0.0], [0.0, 1.0]), math.sqrt(2) / 2, rel_tol=1e-15)
    assert math.isclose(rnnlib.relative_error(a, 2 * a), 5.0 / 15.0, rel_tol=1e-15)
    assert rnnlib.relative_error(a, 2 * a) == rnnlib.relative_error(2 * a, a)


def test_relative_error_neither_overflows_nor_underflows():
    """inf / inf = NaN would pass no test written `error > tol`, and 0 / 0 read as 0 would pass
    every `error < tol`: huge and tiny finite arrays give the number the formula gives."""
    a = np.array([3.0, -4.0])
    for scale in (1e300, 1e-300, 1e-320):
        assert math.isclose(rnnlib.relative_error(scale * a, 2 * scale * a), 1 / 3, rel_tol=1e-12)
    assert math.isclose(rnnlib.relative_error(a, 1e300 * a), 1.0, rel_tol=1e-12)
    assert rnnlib.relative_error(1e307 * a, -1e307 * a) == 1.0
    assert rnnlib.relative_error(np.zeros(3), np.array([0.0, 1e-320, 0.0])) == 1.0


def test_check_gradients_fails_a_gradient_scaled_by_a_huge_factor():
    """A gradient 1e300 times too large: each entry is finite, its norm is not; the error must be
    a number that fails the tolerance, whichever key it is under (max() skips a NaN that is not
    first)."""
    rng = np.random.default_rng(3)
    params, x, y = random_params(rng, 2, 3, 2), rng.standard_normal((4, 2, 2)), rng.standard_normal((4, 2, 2))

    def huge(p):
        loss, grads = rnnlib.rnn_loss(p, x, y)
        return loss, {**grads, "b_y": 1e300 * grads["b_y"]}

    errors = rnnlib.check_gradients(huge, params)
    assert not any(math.isnan(e) for e in errors.values()), errors
    assert errors["b_y"] > 0.99
    assert not max(errors.values()) <= 1e-7


def test_check_gradients_says_inf_where_the_finite_differences_overflow():
    params = {"w": np.array([1.0, 2.0])}

    def steep(p):  # f(w0 +- eps) = +-1e308 are finite, their difference is not
        return 1e308 * math.tanh(1e7 * (p["w"][0] - 1.0)), {"w": np.array([1.0, 0.0])}

    errors = rnnlib.check_gradients(steep, params)
    assert errors["w"] == np.inf and not errors["w"] <= 1e-7


@gradient_settings
@given(T=size, B=size, D=size, H=size, K=size, activation=activations, loss=losses,
       reduction=reductions, out=outputs, seed=seeds)
def test_check_gradients_passes_rnn_loss(T, B, D, H, K, activation, loss, reduction, out, seed):
    rng = np.random.default_rng(seed)
    params, x = random_params(rng, D, H, K), rng.standard_normal((T, B, D))
    assume(clear_of_kink(activation, rnn_preactivations(x, params, activation=activation)))
    targets = random_targets(rng, loss, (T, B) if out == "all" else (B,), K)
    before = copy.deepcopy(params)
    errors = rnnlib.check_gradients(
        lambda p: rnnlib.rnn_loss(p, x, targets, loss=loss, reduction=reduction, outputs=out,
                                  activation=activation), params)
    assert set(errors) == set(params)
    assert max(errors.values()) <= 1e-7, errors
    assert identical(params, before)


def test_check_gradients_catches_a_wrong_gradient_and_a_stale_cache():
    rng = np.random.default_rng(1)
    params, x, y = random_params(rng, 2, 3, 2), rng.standard_normal((4, 2, 2)), rng.standard_normal((4, 2, 2))

    def wrong(p):
        loss, grads = rnnlib.rnn_loss(p, x, y)
        return loss, {**grads, "W_hh": grads["W_hh"].T}

    errors = rnnlib.check_gradients(wrong, params)
    assert errors["W_hh"] > 1e-3 and max(e for k, e in errors.items() if k != "W_hh") < 1e-7
    frozen = {k: v.copy() for k, v in params.items()}  # the cs231n trap: f ignores the perturbation
    stale = rnnlib.check_gradients(lambda p: rnnlib.rnn_loss(frozen, x, y), params)
    assert all(e == 1.0 for e in stale.values())


grad_dicts = st.fixed_dictionaries({
    "W": hnp.arrays(np.float64, (3, 2), elements=st.floats(-1e3, 1e3)),
    "b": hnp.arrays(np.float64, (2,), elements=st.floats(-1e3, 1e3)),
})


def independent_norm(grads):
    # math.hypot scales internally, so tiny (1e-187) or huge (1e200) entries neither underflow nor overflow.
    return math.hypot(*(float(v) for g in grads.values() for v in g.ravel()))


@property_settings
@given(grads=grad_dicts, max_norm=st.floats(1e-3, 1e3))
def test_clip_grad_norm_keeps_direction_and_bounds_norm(grads, max_norm):
    before = copy.deepcopy(grads)
    clipped, norm = rnnlib.clip_grad_norm(grads, max_norm)
    assert math.isclose(norm, independent_norm(grads), rel_tol=1e-12, abs_tol=1e-300)
    assert independent_norm(clipped) <= max_norm * (1 + 1e-12)
    if norm <= max_norm:
        assert all(np.array_equal(clipped[k], grads[k]) for k in grads)
    else:
        c = max_norm / norm
        assert 0 < c <= 1
        for k in grads:
            np.testing.assert_allclose(clipped[k], c * grads[k], rtol=1e-15)
    assert identical(grads, before)


def test_clip_grad_norm_by_hand():
    grads = {"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])}  # global norm 5
    clipped, norm = rnnlib.clip_grad_norm(grads, 2.5)
    assert norm == 5.0
    np.testing.assert_allclose(clipped["W"], [[1.5, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(clipped["b"], [2.0], rtol=1e-15)
    zeros, zero_norm = rnnlib.clip_grad_norm({"W": np.zeros((2, 2))}, 1.0)
    assert zero_norm == 0.0 and np.array_equal(zeros["W"], np.zeros((2, 2)))


@property_settings
@given(grads=grad_dicts, max_value=st.floats(1e-3, 1e3))
def test_clip_grad_value_bounds_every_entry(grads, max_value):
    before = copy.deepcopy(grads)
    clipped = rnnlib.clip_grad_value(grads, max_value)
    for k, g in grads.items():
        assert np.all(np.abs(clipped[k]) <= max_value)
        inside = np.abs(g) <= max_value
        np.testing.assert_array_equal(clipped[k][inside], g[inside])
        np.testing.assert_array_equal(clipped[k][~inside], max_value * np.sign(g[~inside]))
    assert identical(grads, before)


def test_sgd_step_by_hand_and_pure():
    params, grads = {"w": np.array([1.0, -2.0]), "b": np.array([0.5])}, {"w": np.array([0.5, 0.25]),
                                                                         "b": np.array([-1.0])}
    before = copy.deepcopy((params, grads))
    new = rnnlib.sgd_step(params, grads, lr=0.1)
    np.testing.assert_allclose(new["w"], [1.0 - 0.1 * 0.5, -2.0 - 0.1 * 0.25], rtol=1e-15)
    np.testing.assert_allclose(new["b"], [0.5 + 0.1], rtol=1e-15)
    assert identical((params, grads), before)


@property_settings
@given(seed=seeds, lr=st.floats(1e-4, 1e-1))
def test_adam_first_step_moves_by_lr_times_sign(seed, lr):
    rng = np.random.default_rng(seed)
    params = random_params(rng, 2, 3, 2)
    grads = {k: np.sign(rng.standard_normal(p.shape)) * rng.uniform(1e-3, 10, p.shape) for k, p in params.items()}
    state = rnnlib.adam_init(params)
    before = copy.deepcopy((params, grads, state))
    new, new_state = rnnlib.adam_step(params, grads, state, lr=lr)
    for k in params:
        np.testing.assert_allclose(params[k] - new[k], lr * np.sign(grads[k]), rtol=1e-4)
    assert new_state["t"] == 1
    assert identical((params, grads, state), before)


def test_adam_two_steps_by_hand():
    lr, b1, b2, eps, p, m, v = 0.01, 0.9, 0.999, 1e-8, 1.0, 0.0, 0.0
    g_seq = [0.5, -2.0]
    expected = []
    for t, g in enumerate(g_seq, 1):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        p -= lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
        expected.append(p)
    params = {"w": np.array([1.0])}
    state = rnnlib.adam_init(params)
    assert state["t"] == 0 and np.array_equal(state["m"]["w"], [0.0]) and np.array_equal(state["v"]["w"], [0.0])
    for g, want in zip(g_seq, expected):
        params, state = rnnlib.adam_step(params, {"w": np.array([g])}, state, lr=lr)
        assert math.isclose(params["w"].item(), want, rel_tol=1e-14)


def test_sgd_on_rnn_loss_decreases_the_loss():
    rng = np.random.default_rng(4)
    params, x = rnnlib.init_rnn_params(2, 4, 3, rng), rng.standard_normal((5, 3, 2))
    targets = rng.integers(0, 3, (5, 3))
    first, _ = rnnlib.rnn_loss(params, x, targets, loss="cross_entropy", reduction="mean")
    for _ in range(50):
        loss, grads = rnnlib.rnn_loss(params, x, targets, loss="cross_entropy", reduction="mean")
        params = rnnlib.sgd_step(params, rnnlib.clip_grad_norm(grads, 5.0)[0], lr=0.5)
    assert loss < 0.8 * first


def test_init_rnn_params_shapes_bounds_dtype_and_determinism():
    params = rnnlib.init_rnn_params(3, 4, 2, np.random.default_rng(7))
    shapes = {"W_xh": (3, 4), "W_hh": (4, 4), "b_h": (4,), "W_hy": (4, 2), "b_y": (2,)}
    assert {k: p.shape for k, p in params.items()} == shapes
    assert all(p.dtype == np.float64 and np.all(np.abs(p) <= 1 / math.sqrt(4)) for p in params.values())
    again = rnnlib.init_rnn_params(3, 4, 2, np.random.default_rng(7))
    assert all(np.array_equal(params[k], again[k]) for k in shapes)
    other = rnnlib.init_rnn_params(3, 4, 2, np.random.default_rng(8))
    assert not np.array_equal(params["W_hh"], other["W_hh"])
    single = rnnlib.init_rnn_params(3, 4, 2, np.random.default_rng(7), dtype=np.float32)
    assert all(p.dtype == np.float32 for p in single.values())


def test_global_norm_survives_exploding_gradients():
    grads = {"W_hh": np.array([3e200, 4e200]), "b_h": np.zeros(3)}
    clipped, norm = rnnlib.clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(5e200, rel=1e-12)
    np.testing.assert_allclose(clipped["W_hh"], [0.6, 0.8], rtol=1e-12)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_clip_grad_norm_rejects_non_finite_gradients(bad):
    with pytest.raises(ValueError, match=r"grads\['W_hh'\] contains NaN or inf"):
        rnnlib.clip_grad_norm({"W_hh": np.array([1.0, bad])}, 1.0)

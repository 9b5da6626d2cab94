"""Networks wired to a loss: rnn_loss and fnn_loss, their values and every gradient."""
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import rnnlib
from gated_helpers import random_cell_params
from helpers import (activations, assert_gradients, clear_of_kink, gradient_settings, identical, losses, outputs,
                     random_params, random_targets, reductions, rnn_input_gradients, rnn_preactivations, seeds,
                     size)

LOSS_FNS = {"mse": rnnlib.mse_loss, "cross_entropy": rnnlib.softmax_cross_entropy}


@gradient_settings
@given(T=size, B=size, D=size, H=size, K=size, activation=activations, loss=losses,
       reduction=reductions, out=outputs, seed=seeds)
def test_rnn_loss_gradients_match_finite_differences(T, B, D, H, K, activation, loss, reduction, out, seed):
    rng = np.random.default_rng(seed)
    params = random_params(rng, D, H, K)
    x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    assume(clear_of_kink(activation, rnn_preactivations(x, params, h0, activation)))
    targets = random_targets(rng, loss, (T, B) if out == "all" else (B,), K)
    options = dict(loss=loss, reduction=reduction, outputs=out, activation=activation)

    def f(x, h0, **p):
        return rnnlib.rnn_loss(p, x, targets, h0=h0, **options)[0]

    _, grads = rnnlib.rnn_loss(params, x, targets, h0=h0, **options)
    assert {k: g.shape for k, g in grads.items()} == {k: p.shape for k, p in params.items()}
    dx, dh0 = rnn_input_gradients(params, x, h0, targets, **options)
    assert_gradients(f, {"x": x, "h0": h0, **params}, {"x": dx, "h0": dh0, **grads})


@gradient_settings
@given(B=size, D=size, H=size, K=size, activation=activations, loss=losses, reduction=reductions,
       seed=seeds)
def test_fnn_loss_gradients_match_finite_differences(B, D, H, K, activation, loss, reduction, seed):
    rng = np.random.default_rng(seed)
    params = {k: v for k, v in random_params(rng, D, H, K).items() if k != "W_hh"}
    x, targets = rng.standard_normal((B, D)), random_targets(rng, loss, (B,), K)
    assume(clear_of_kink(activation, x @ params["W_xh"] + params["b_h"]))
    options = dict(loss=loss, reduction=reduction, activation=activation)
    _, grads = rnnlib.fnn_loss(params, x, targets, **options)
    o, cache = rnnlib.fnn_forward(x, params, activation)
    dx, _ = rnnlib.fnn_backward(LOSS_FNS[loss](o, targets, reduction)[1], cache)
    f = lambda x, **p: rnnlib.fnn_loss(p, x, targets, **options)[0]
    assert_gradients(f, {"x": x, **params}, {"x": dx, **grads})


@gradient_settings
@given(T=size, B=size, D=size, H=size, K=size, loss=losses, out=outputs, seed=seeds)
def test_rnn_loss_mean_is_sum_over_positions(T, B, D, H, K, loss, out, seed):
    rng = np.random.default_rng(seed)
    params, x = random_params(rng, D, H, K), rng.standard_normal((T, B, D))
    targets = random_targets(rng, loss, (T, B) if out == "all" else (B,), K)
    N = T * B if out == "all" else B
    total, g_total = rnnlib.rnn_loss(params, x, targets, loss=loss, reduction="sum", outputs=out)
    mean, g_mean = rnnlib.rnn_loss(params, x, targets, loss=loss, reduction="mean", outputs=out)
    assert math.isclose(mean, total / N, rel_tol=1e-13, abs_tol=1e-300)
    for k in params:
        np.testing.assert_allclose(g_mean[k], g_total[k] / N, rtol=1e-12, atol=1e-15, err_msg=k)


@gradient_settings
@given(T=size, B=size, D=size, H=size, K=size, out=outputs, seed=seeds)
def test_rnn_loss_is_the_loss_of_rnn_predict(T, B, D, H, K, out, seed):
    rng = np.random.default_rng(seed)
    params, x = random_params(rng, D, H, K), rng.standard_normal((T, B, D))
    o = rnnlib.rnn_predict(params, x, outputs=out)
    y = rng.standard_normal(o.shape)
    expected = 0.5 * math.fsum(((o - y) ** 2).ravel())
    assert math.isclose(rnnlib.rnn_loss(params, x, y, outputs=out)[0], expected, rel_tol=1e-13)


def test_rnn_worked_example_gradients_by_hand():
    """Chapter 1's two-step scalar RNN with targets y = (1.0, 0.5): BPTT written out per scalar."""
    x, W_xh, W_hh, W_hy, b_h, b_y, y = [0.5, 0.7], 0.5, 0.3, 0.7, 0.1, 0.2, [1.0, 0.5]
    h1 = math.tanh(x[0] * W_xh + b_h)
    h2 = math.tanh(x[1] * W_xh + h1 * W_hh + b_h)
    e1, e2 = h1 * W_hy + b_y - y[0], h2 * W_hy + b_y - y[1]
    da2 = e2 * W_hy * (1 - h2**2)
    da1 = (e1 * W_hy + da2 * W_hh) * (1 - h1**2)
    expected = {"W_xh": x[0] * da1 + x[1] * da2, "W_hh": 0.0 * da1 + h1 * da2, "b_h": da1 + da2,
                "W_hy": e1 * h1 + e2 * h2, "b_y": e1 + e2}
    params = {"W_xh": np.array([[W_xh]]), "W_hh": np.array([[W_hh]]), "b_h": np.array([b_h]),
              "W_hy": np.array([[W_hy]]), "b_y": np.array([b_y])}
    loss, grads = rnnlib.rnn_loss(params, np.array(x).reshape(2, 1, 1), np.array(y).reshape(2, 1, 1))
    assert math.isclose(loss, 0.5 * (e1**2 + e2**2), rel_tol=1e-15)
    for k, v in expected.items():
        assert math.isclose(grads[k].item(), v, rel_tol=1e-13), k


def test_fnn_worked_example_gradients_by_hand():
    """Chapter 1's FNN (h = 0.3, o = 0.38) with target 1.0 and the half squared error."""
    x, W_xh, b_h, W_hy, b_y, y = 0.5, 0.4, 0.1, 0.6, 0.2, 1.0
    h = max(x * W_xh + b_h, 0.0)
    e = h * W_hy + b_y - y
    da = e * W_hy * (1.0 if x * W_xh + b_h > 0 else 0.0)
    expected = {"W_xh": x * da, "b_h": da, "W_hy": e * h, "b_y": e}
    params = {"W_xh": np.array([[W_xh]]), "b_h": np.array([b_h]),
              "W_hy": np.array([[W_hy]]), "b_y": np.array([b_y])}
    loss, grads = rnnlib.fnn_loss(params, np.array([[x]]), np.array([[y]]))
    assert math.isclose(loss, 0.5 * e**2, rel_tol=1e-15)
    for k, v in expected.items():
        assert math.isclose(grads[k].item(), v, rel_tol=1e-14), k


def test_saturated_tanh_loss_and_gradients_are_finite():
    rng = np.random.default_rng(3)
    params = random_params(rng, 1, 3, 4)
    params["W_xh"] = np.array([[50.0, -50.0, 50.0]])
    x = np.sign(rng.standard_normal((4, 2, 1)))
    targets = rng.integers(0, 4, (4, 2))
    with np.errstate(all="raise"):
        loss, grads = rnnlib.rnn_loss(params, x, targets, loss="cross_entropy")
    assert math.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())
    assert np.all(np.abs(rnnlib.rnn_forward(x, params)[0]) == 1.0)


@gradient_settings
@given(T=size, B=size, D=size, H=size, K=size, activation=activations, loss=losses, reduction=reductions,
       out=outputs, with_h0=st.booleans(), seed=seeds)
def test_rnn_loss_equals_the_checked_layer_calls(T, B, D, H, K, activation, loss, reduction, out, with_h0,
                                                 seed):
    """rnn_loss checks the user's arrays once and chains the layers with check=False: same numbers
    as chaining the public, checking calls."""
    rng = np.random.default_rng(seed)
    params, x = random_params(rng, D, H, K), rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((B, H)) if with_h0 else None
    targets = random_targets(rng, loss, (T, B) if out == "all" else (B,), K)
    h, rnn_cache = rnnlib.rnn_forward(x, params, h0, activation)
    o, out_cache = rnnlib.output_forward(h if out == "all" else h[-1], params)
    value, do = LOSS_FNS[loss](o, targets, reduction)
    dh_out, out_grads = rnnlib.output_backward(do, out_cache)
    dh = dh_out if out == "all" else np.concatenate([np.zeros_like(h[:-1]), dh_out[None]])
    expected = (value, {**rnnlib.rnn_backward(dh, rnn_cache)[2], **out_grads})
    got = rnnlib.rnn_loss(params, x, targets, loss=loss, reduction=reduction, outputs=out, h0=h0,
                          activation=activation)
    assert identical(got, expected)


def test_check_false_skips_the_checks_that_rnn_loss_has_made():
    params, x = random_params(np.random.default_rng(0), 2, 3, 2), np.zeros((4, 1, 2))
    x[1, 0, 1] = np.nan
    with pytest.raises(ValueError, match=r"x contains NaN or inf \(first at index \(1, 0, 1\)"):
        rnnlib.rnn_forward(x, params)
    with pytest.raises(ValueError, match=r"x contains NaN or inf"):
        rnnlib.rnn_loss(params, x, np.zeros((4, 1, 2)))
    h, _ = rnnlib.rnn_forward(x, params, check=False)
    assert np.isnan(h[1:]).all() and np.isfinite(h[0]).all()


# ---- the gated cells through rnn_loss(..., cell=...) --------------------------------------------

gated_cells = st.sampled_from(["lstm", "gru"])
CELL_CALLS = {"lstm": (rnnlib.lstm_forward, rnnlib.lstm_backward), "gru": (rnnlib.gru_forward, rnnlib.gru_backward)}


def _gated_chain(cell, params, x, h0, targets, *, loss, reduction, outputs):
    """(loss, grads, dx, dh0) of the gated cell's network, chained from the public, checking calls."""
    forward, backward = CELL_CALLS[cell]
    h, cache = forward(x, params, h0)
    o, out_cache = rnnlib.output_forward(h if outputs == "all" else h[-1], params)
    value, do = LOSS_FNS[loss](o, targets, reduction)
    dh_out, out_grads = rnnlib.output_backward(do, out_cache)
    dh = dh_out if outputs == "all" else np.concatenate([np.zeros_like(h[:-1]), dh_out[None]])
    dx, dh0, *_, grads = backward(dh, cache)
    return value, {**grads, **out_grads}, dx, dh0


@gradient_settings
@given(cell=gated_cells, T=size, B=size, D=size, H=size, K=size, loss=losses, reduction=reductions,
       out=outputs, seed=seeds)
def test_gated_rnn_loss_gradients_match_finite_differences(cell, T, B, D, H, K, loss, reduction, out, seed):
    rng = np.random.default_rng(seed)
    params = random_cell_params(rng, cell, D, H, K)
    x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    targets = random_targets(rng, loss, (T, B) if out == "all" else (B,), K)
    options = dict(loss=loss, reduction=reduction, outputs=out)

    def f(x, h0, **p):
        return rnnlib.rnn_loss(p, x, targets, h0=h0, cell=cell, **options)[0]

    _, grads = rnnlib.rnn_loss(params, x, targets, h0=h0, cell=cell, **options)
    assert {k: g.shape for k, g in grads.items()} == {k: p.shape for k, p in params.items()}
    _, _, dx, dh0 = _gated_chain(cell, params, x, h0, targets, **options)
    assert_gradients(f, {"x": x, "h0": h0, **params}, {"x": dx, "h0": dh0, **grads})


@gradient_settings
@given(cell=gated_cells, T=size, B=size, D=size, H=size, K=size, loss=losses, reduction=reductions,
       out=outputs, with_h0=st.booleans(), seed=seeds)
def test_gated_rnn_loss_equals_the_checked_layer_calls(cell, T, B, D, H, K, loss, reduction, out, with_h0,
                                                       seed):
    rng = np.random.default_rng(seed)
    params, x = random_cell_params(rng, cell, D, H, K), rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((B, H)) if with_h0 else None
    targets = random_targets(rng, loss, (T, B) if out == "all" else (B,), K)
    options = dict(loss=loss, reduction=reduction, outputs=out)
    value, grads, _, _ = _gated_chain(cell, params, x, h0, targets, **options)
    assert identical(rnnlib.rnn_loss(params, x, targets, h0=h0, cell=cell, **options), (value, grads))
    h, _ = CELL_CALLS[cell][0](x, params, h0)
    o = h @ params["W_hy"] + params["b_y"]
    assert identical(rnnlib.rnn_predict(params, x, outputs=out, h0=h0, cell=cell), o if out == "all" else o[-1])


@gradient_settings
@given(T=size, B=size, D=size, H=size, K=size, activation=activations, loss=losses, out=outputs, seed=seeds)
def test_cell_rnn_is_the_default_bit_for_bit(T, B, D, H, K, activation, loss, out, seed):
    rng = np.random.default_rng(seed)
    params, x = random_params(rng, D, H, K), rng.standard_normal((T, B, D))
    targets = random_targets(rng, loss, (T, B) if out == "all" else (B,), K)
    options = dict(loss=loss, outputs=out, activation=activation)
    assert identical(rnnlib.rnn_loss(params, x, targets, cell="rnn", **options),
                     rnnlib.rnn_loss(params, x, targets, **options))
    assert identical(rnnlib.rnn_predict(params, x, outputs=out, activation=activation, cell="rnn"),
                     rnnlib.rnn_predict(params, x, outputs=out, activation=activation))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_cells_refuse_an_activation_and_the_rnn_parameters(cell):
    rng = np.random.default_rng(0)
    params, x, y = random_cell_params(rng, cell, 2, 3, 2), np.zeros((4, 1, 2)), np.zeros((4, 1, 2))
    with pytest.raises(ValueError, match=rf"activation='relu' applies to cell='rnn' only.*cell='{cell}'"):
        rnnlib.rnn_loss(params, x, y, activation="relu", cell=cell)
    blocks = 4 if cell == "lstm" else 3
    with pytest.raises(ValueError, match=rf"params\['W_xh'\] must have shape \(D, {blocks}H\) = \(2, {blocks}H\), "
                                         rf"got shape \(2, 5\) \(axis 1 holds {blocks} blocks of H"):
        rnnlib.rnn_loss({**params, "W_xh": np.ones((2, 5))}, x, y, cell=cell)
    rnn_params = random_params(rng, 2, 3, 2)
    expected = r"params\['W_xh'\] must have shape" if cell == "lstm" else r"params is missing \['b_hn'\]"
    with pytest.raises(ValueError, match=expected):
        rnnlib.rnn_loss(rnn_params, x, y, cell=cell)

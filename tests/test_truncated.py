"""Truncated BPTT: rnnlib.rnn_loss_truncated against rnn_loss and an independent chunk-by-chunk sum."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlib

size = st.integers(1, 4)
steps = st.integers(1, 9)
chunk = st.integers(1, 10)
seeds = st.integers(0, 2**32 - 1)
activations = st.sampled_from(sorted(rnnlib.ACTIVATIONS))
losses = st.sampled_from(["mse", "cross_entropy"])
reductions = st.sampled_from(["sum", "mean"])
gradient_settings = settings(max_examples=30)


def data(seed, T, B, D, H, K, loss):
    """Parameters 0.5 * standard normal, x, targets (floats or class indices) and h0."""
    rng = np.random.default_rng(seed)
    shapes = {"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,), "W_hy": (H, K), "b_y": (K,)}
    params = {key: 0.5 * rng.standard_normal(shape) for key, shape in shapes.items()}
    x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    targets = rng.standard_normal((T, B, K)) if loss == "mse" else rng.integers(0, K, (T, B))
    return params, x, targets, h0


@gradient_settings
@given(T=steps, B=size, D=size, H=size, K=size, activation=activations, loss=losses,
       reduction=reductions, seed=seeds, extra=st.integers(0, 3))
def test_k_at_least_T_is_exactly_rnn_loss(T, B, D, H, K, activation, loss, reduction, seed, extra):
    params, x, targets, h0 = data(seed, T, B, D, H, K, loss)
    options = dict(loss=loss, reduction=reduction, h0=h0, activation=activation)
    value, grads = rnnlib.rnn_loss(params, x, targets, **options)
    t_value, t_grads = rnnlib.rnn_loss_truncated(params, x, targets, T + extra, **options)
    assert t_value == value
    assert t_grads.keys() == grads.keys()
    for key in grads:
        np.testing.assert_array_equal(t_grads[key], grads[key], err_msg=key)


def chunk_by_chunk(params, x, targets, k, *, loss, reduction, h0, activation):
    """The truncated gradient built from rnn_loss itself: one call per chunk, each starting from
    the previous chunk's last state taken from a full forward pass (so nothing flows back into it).
    """
    T, B = x.shape[:2]
    h, _ = rnnlib.rnn_forward(x, params, h0, activation)
    value, grads = 0.0, {key: np.zeros_like(p) for key, p in params.items()}
    for start in range(0, T, k):
        stop = min(start + k, T)
        h_in = h0 if start == 0 else h[start - 1]
        v, g = rnnlib.rnn_loss(params, x[start:stop], targets[start:stop], loss=loss,
                               reduction="sum", h0=h_in, activation=activation)
        value += v
        for key in grads:
            grads[key] += g[key]
    scale = 1.0 if reduction == "sum" else 1.0 / (T * B)
    return value * scale, {key: g * scale for key, g in grads.items()}


@gradient_settings
@given(T=steps, k=chunk, B=size, D=size, H=size, K=size, activation=activations, loss=losses,
       reduction=reductions, seed=seeds)
def test_gradient_is_the_sum_of_independent_chunk_gradients(T, k, B, D, H, K, activation, loss,
                                                            reduction, seed):
    params, x, targets, h0 = data(seed, T, B, D, H, K, loss)
    options = dict(loss=loss, reduction=reduction, h0=h0, activation=activation)
    value, grads = rnnlib.rnn_loss_truncated(params, x, targets, k, **options)
    e_value, e_grads = chunk_by_chunk(params, x, targets, k, **options)
    full_value, _ = rnnlib.rnn_loss(params, x, targets, **options)
    np.testing.assert_allclose(value, e_value, rtol=1e-12)
    np.testing.assert_allclose(value, full_value, rtol=1e-12)   # the forward pass is not truncated
    for key in grads:
        np.testing.assert_allclose(grads[key], e_grads[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_truncation_drops_exactly_the_cross_chunk_path():
    """T = 2, k = 1, one unit, identity activation: every term can be written out by hand."""
    params = {"W_xh": np.array([[0.5]]), "W_hh": np.array([[0.25]]), "b_h": np.array([0.0]),
              "W_hy": np.array([[2.0]]), "b_y": np.array([0.0])}
    x, y = np.array([[[1.0]], [[2.0]]]), np.array([[[0.0]], [[0.0]]])
    h1 = 0.5 * 1.0                       # 0.5
    h2 = 0.5 * 2.0 + 0.25 * h1           # 1.125
    do1, do2 = 2.0 * h1, 2.0 * h2        # o_t - y_t with y = 0
    da1_own, da2 = do1 * 2.0, do2 * 2.0  # dh_t = do_t W_hy^T, identity: da_t = dh_t
    _, full = rnnlib.rnn_loss(params, x, y, activation="identity")
    loss, trunc = rnnlib.rnn_loss_truncated(params, x, y, 1, activation="identity")
    assert loss == pytest.approx(0.5 * (2 * h1) ** 2 + 0.5 * (2 * h2) ** 2, rel=1e-15)
    # Truncated: da_1 has only its own output's part; full BPTT adds da_2 W_hh^T.
    assert trunc["W_xh"].item() == pytest.approx(1.0 * da1_own + 2.0 * da2, rel=1e-15)
    assert full["W_xh"].item() == pytest.approx(1.0 * (da1_own + 0.25 * da2) + 2.0 * da2, rel=1e-15)
    assert trunc["W_hh"].item() == pytest.approx(h1 * da2, rel=1e-15)   # h_0 = 0
    assert trunc["W_hy"].item() == full["W_hy"].item()                  # not recurrent: unchanged


@pytest.mark.parametrize("k, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError), (1.0, TypeError),
                                      (True, TypeError), ("3", TypeError), (None, TypeError)])
def test_bad_k_raises_a_clear_error(k, error):
    params, x, targets, _ = data(0, 4, 2, 3, 3, 2, "mse")
    with pytest.raises(error, match="^k must be an integer"):
        rnnlib.rnn_loss_truncated(params, x, targets, k)


def test_numpy_integer_k_is_accepted():
    params, x, targets, _ = data(0, 5, 2, 3, 3, 2, "mse")
    a = rnnlib.rnn_loss_truncated(params, x, targets, np.int64(2))
    b = rnnlib.rnn_loss_truncated(params, x, targets, 2)
    assert a[0] == b[0]


def test_targets_with_another_number_of_steps_raise():
    params, x, targets, _ = data(0, 5, 2, 3, 3, 2, "mse")
    with pytest.raises(ValueError, match="targets"):
        rnnlib.rnn_loss_truncated(params, x, targets[:4], 2)
    with pytest.raises(ValueError, match="targets"):
        rnnlib.rnn_loss_truncated(params, x, np.concatenate([targets, targets]), 2)


def test_float32_stays_float32():
    params, x, targets, _ = data(0, 6, 2, 3, 4, 2, "mse")
    params = {key: p.astype(np.float32) for key, p in params.items()}
    value, grads = rnnlib.rnn_loss_truncated(params, x.astype(np.float32),
                                             targets.astype(np.float32), 4)
    assert all(g.dtype == np.float32 for g in grads.values())


def test_targets_are_checked_once_up_front_as_in_rnn_loss():
    params, x, _, _ = data(0, 5, 2, 3, 3, 2, "cross_entropy")
    labels = np.zeros((5, 2), dtype=int)
    labels[4, 1] = 2
    with pytest.raises(ValueError, match=re.escape("targets must lie in [0, K) = [0, 2), got values from 0 to 2")):
        rnnlib.rnn_loss_truncated(params, x, labels, 2, loss="cross_entropy")
    nan_x = x.copy()
    nan_x[3, 0, 0] = np.nan
    with pytest.raises(ValueError, match=re.escape("x contains NaN or inf (first at index (3, 0, 0)")):
        rnnlib.rnn_loss_truncated(params, nan_x, labels.clip(0, 1), 2, loss="cross_entropy")

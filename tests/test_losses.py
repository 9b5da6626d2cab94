"""Softmax, log-softmax and the two losses (half squared error, softmax cross-entropy)."""
import math

import numpy as np
import hypothesis.extra.numpy as hnp
from hypothesis import given
from hypothesis import strategies as st

import rnnlib
from helpers import (assert_gradients, gradient_settings, property_settings, reductions, seeds, size)

leading = st.lists(size, max_size=2)
logit_rows = hnp.arrays(np.float64, st.tuples(size, size), elements=st.floats(-1e3, 1e3))


def math_log_softmax(row):
    """o_k - logsumexp(o) for one row, with Python floats."""
    m = max(row)
    log_total = math.log(sum(math.exp(v - m) for v in row))
    return [(v - m) - log_total for v in row]


def test_softmax_by_hand():
    logits = [2.0, 1.0, 0.1]
    total = sum(math.exp(v) for v in logits)
    np.testing.assert_allclose(rnnlib.softmax(np.array(logits)), [math.exp(v) / total for v in logits],
                               rtol=1e-15)
    np.testing.assert_allclose(rnnlib.log_softmax(np.array(logits)),
                               [v - math.log(total) for v in logits], rtol=1e-15)


def test_softmax_along_another_axis():
    logits = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(rnnlib.softmax(logits, axis=0), rnnlib.softmax(logits.T).T, rtol=1e-15)
    np.testing.assert_allclose(rnnlib.log_softmax(logits, axis=0), rnnlib.log_softmax(logits.T).T,
                               rtol=1e-15)


@property_settings
@given(logits=logit_rows, shift=st.floats(-1e3, 1e3))
def test_softmax_rows_sum_to_one_and_ignore_a_constant(logits, shift):
    p = rnnlib.softmax(logits)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-13)
    shifts = shift * np.arange(1, logits.shape[0] + 1)[:, None]
    np.testing.assert_allclose(rnnlib.softmax(logits + shifts), p, rtol=1e-9, atol=1e-300)


@property_settings
@given(logits=logit_rows)
def test_log_softmax_is_log_of_softmax(logits):
    p, log_p = rnnlib.softmax(logits), rnnlib.log_softmax(logits)
    assert np.all(np.isfinite(log_p))
    normal = p > 1e-300  # where log(p) is finite and not a subnormal
    np.testing.assert_allclose(log_p[normal], np.log(p[normal]), rtol=1e-12, atol=1e-12)
    for row, log_row in zip(logits.tolist(), log_p):
        np.testing.assert_allclose(log_row, math_log_softmax(row), rtol=1e-12, atol=1e-12)


def test_extreme_logits_stay_finite():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    np.testing.assert_allclose(rnnlib.softmax(logits), [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-15)
    np.testing.assert_allclose(rnnlib.log_softmax(logits), [math_log_softmax(r) for r in logits.tolist()],
                               rtol=1e-15)


def test_cross_entropy_at_huge_logits():
    logits = [[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]]
    labels = [1, 0]
    loss, dlogits = rnnlib.softmax_cross_entropy(np.array(logits), np.array(labels))
    expected = sum(-math_log_softmax(row)[y] for row, y in zip(logits, labels))
    assert math.isclose(expected, 2e4, rel_tol=1e-12)
    assert math.isclose(loss, expected, rel_tol=1e-15)
    assert np.all(np.isfinite(dlogits))
    np.testing.assert_allclose(dlogits, [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]], atol=1e-15)


def test_cross_entropy_by_hand():
    logits, labels = [[2.0, 1.0, 0.1], [0.0, 0.0, 0.0], [-1.0, 3.0, 0.5]], [0, 2, 1]
    per_position = [-math_log_softmax(row)[y] for row, y in zip(logits, labels)]
    for reduction, expected in (("sum", math.fsum(per_position)), ("mean", math.fsum(per_position) / 3)):
        loss, dlogits = rnnlib.softmax_cross_entropy(np.array(logits), np.array(labels), reduction)
        assert math.isclose(loss, expected, rel_tol=1e-14)
        scale = 1.0 if reduction == "sum" else 1 / 3
        expected_grad = [[scale * (math.exp(lp) - (k == y)) for k, lp in enumerate(math_log_softmax(row))]
                         for row, y in zip(logits, labels)]
        np.testing.assert_allclose(dlogits, expected_grad, rtol=1e-14, atol=1e-16)


def test_mse_by_hand():
    o, y = [[1.0, 2.0], [3.0, 5.0], [0.0, -1.0]], [[0.0, 2.0], [1.0, 1.0], [0.5, 0.5]]
    total = 0.5 * sum((p - t) ** 2 for rp, rt in zip(o, y) for p, t in zip(rp, rt))
    for reduction, scale in (("sum", 1.0), ("mean", 1 / 3)):
        loss, do = rnnlib.mse_loss(np.array(o), np.array(y), reduction)
        assert math.isclose(loss, scale * total, rel_tol=1e-15)
        np.testing.assert_allclose(do, [[scale * (p - t) for p, t in zip(rp, rt)] for rp, rt in zip(o, y)],
                                   rtol=1e-15)
    assert rnnlib.mse_loss(np.array(o), np.array(y))[0] == rnnlib.mse_loss(np.array(o), np.array(y), "sum")[0]


@property_settings
@given(lead=leading, K=size, reduction=reductions, seed=seeds)
def test_mse_gradient_is_the_scaled_error(lead, K, reduction, seed):
    rng = np.random.default_rng(seed)
    o, y = rng.standard_normal((*lead, K)), rng.standard_normal((*lead, K))
    scale = 1.0 if reduction == "sum" else 1.0 / math.prod(lead)
    loss, do = rnnlib.mse_loss(o, y, reduction)
    np.testing.assert_allclose(do, scale * (o - y), rtol=1e-15)
    assert math.isclose(loss, scale * 0.5 * math.fsum(((o - y) ** 2).ravel()), rel_tol=1e-12)


@property_settings
@given(lead=st.lists(size, min_size=1, max_size=2), K=size, seed=seeds)
def test_mean_is_sum_over_number_of_positions(lead, K, seed):
    rng = np.random.default_rng(seed)
    N = math.prod(lead)
    logits, y, labels = (rng.standard_normal((*lead, K)), rng.standard_normal((*lead, K)),
                         rng.integers(0, K, lead))
    for loss_fn, target in ((rnnlib.mse_loss, y), (rnnlib.softmax_cross_entropy, labels)):
        total, d_total = loss_fn(logits, target, "sum")
        mean, d_mean = loss_fn(logits, target, "mean")
        assert math.isclose(mean, total / N, rel_tol=1e-13, abs_tol=1e-300)
        np.testing.assert_allclose(d_mean, d_total / N, rtol=1e-15)


@gradient_settings
@given(lead=leading, K=size, reduction=reductions, seed=seeds)
def test_mse_backward_matches_finite_differences(lead, K, reduction, seed):
    rng = np.random.default_rng(seed)
    arrays = {"y_pred": rng.standard_normal((*lead, K)), "y": rng.standard_normal((*lead, K))}
    _, dy_pred = rnnlib.mse_loss(**arrays, reduction=reduction)
    f = lambda **a: rnnlib.mse_loss(**a, reduction=reduction)[0]
    assert_gradients(f, arrays, {"y_pred": dy_pred, "y": -dy_pred})


@gradient_settings
@given(lead=leading, K=size, reduction=reductions, seed=seeds)
def test_cross_entropy_backward_matches_finite_differences(lead, K, reduction, seed):
    rng = np.random.default_rng(seed)
    logits, labels = rng.standard_normal((*lead, K)), rng.integers(0, K, lead)
    loss, dlogits = rnnlib.softmax_cross_entropy(logits, labels, reduction)
    np.testing.assert_allclose(dlogits.sum(axis=-1), 0.0, atol=1e-14)
    f = lambda logits: rnnlib.softmax_cross_entropy(logits, labels, reduction)[0]
    assert_gradients(f, {"logits": logits}, {"logits": dlogits})

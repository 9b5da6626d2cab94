"""The self-checking exercises: the reference passes, every known mistake is named, and a
function that raises, returns the wrong things or changes its arguments gets a plain message."""
import numpy as np
import pytest

import rnnlib
from rnnlib import exercises
from rnnlib.exercises import _checker
from rnnlib.exercises import fnn_vs_rnn as ch1

CHECKERS = {
    "rnn_step_backward": (exercises.check_rnn_step_backward, rnnlib.rnn_step_backward, ch1.STEP_MISTAKES),
    "fnn_backward": (exercises.check_fnn_backward, rnnlib.fnn_backward, ch1.FNN_MISTAKES),
}
MISTAKES = [(name, m) for name, (_, _, mistakes) in CHECKERS.items() for m in mistakes]


def named_causes(result, mistakes):
    return [m.name for m in mistakes if f"Most likely cause: {m.name}." in result.message]


@pytest.mark.parametrize("name, cases", [("rnn_step_backward", 4), ("fnn_backward", 5)])
def test_the_reference_passes(name, cases):
    check, reference, _ = CHECKERS[name]
    result = check(reference)
    assert result.passed and bool(result)
    assert f"match the reference on {cases} cases" in result.message
    assert "largest relative error against finite differences" in result.message


@pytest.mark.parametrize("name, mistake", MISTAKES, ids=[f"{n}: {m.name}" for n, m in MISTAKES])
def test_every_known_mistake_fails_and_is_named(name, mistake):
    check, _, mistakes = CHECKERS[name]
    result = check(mistake.fn)
    assert not result.passed
    assert named_causes(result, mistakes) == [mistake.name], result.message


@pytest.mark.parametrize("name", CHECKERS)
def test_the_mistakes_are_told_apart(name):
    """No two mistakes give the same outputs on every case, so a diagnosis is never a guess."""
    check, _, mistakes = CHECKERS[name]
    messages = {m.name: check(m.fn).message for m in mistakes}
    assert len(set(messages.values())) == len(mistakes)


def test_a_wrong_answer_no_mistake_explains_is_still_caught():
    def scaled(dh_t, cache):
        dx_t, dh_prev, grads = rnnlib.rnn_step_backward(dh_t, cache)
        return dx_t, dh_prev, {**grads, "W_xh": 1.5 * grads["W_xh"]}

    result = exercises.check_rnn_step_backward(scaled)
    assert not result.passed
    assert "1 of 5 outputs are wrong: grads['W_xh']" in result.message
    assert "No known mistake gives exactly this. What the computation shows: it is 1.5 times " \
           "the reference" in result.message
    assert "against finite differences" in result.message
    assert "right on" not in result.message  # wrong on every case: nothing to explain


# ---- outputs that overflow, and the relative error --------------------------------------------

def test_the_checkers_relative_error():
    a = np.array([3.0, -4.0])
    assert _checker.relative_error(a, 2 * a) == pytest.approx(1 / 3, rel=1e-14)
    assert _checker.relative_error(1e300 * a, a) == pytest.approx(1.0, rel=1e-12)  # not NaN
    assert _checker.relative_error(1e-300 * a, 2e-300 * a) == pytest.approx(1 / 3, rel=1e-12)
    assert _checker.relative_error([np.nan, 1.0], [np.nan, 1.0]) == 0.0  # the same overflow
    assert _checker.relative_error([np.nan, 1.0], [np.inf, 1.0]) == np.inf
    assert _checker.relative_error([1.0, 2.0], [np.nan, 2.0]) == np.inf
    assert not _checker.close(1e300 * a, a) and not _checker.close([np.nan], [1.0])
    assert _checker.close(a, a * (1 + 1e-9))


def test_a_gradient_scaled_by_a_huge_factor_is_a_mismatch():
    """Each entry finite, the norms inf: inf / inf = NaN once counted as a match."""
    def huge(dh_t, cache):
        dx_t, dh_prev, grads = rnnlib.rnn_step_backward(dh_t, cache)
        return 1e300 * dx_t, dh_prev, grads

    result = exercises.check_rnn_step_backward(huge)
    assert not result.passed
    assert "1 of 5 outputs are wrong: dx_t" in result.message
    assert "relative error 1 against the reference" in result.message
    assert "it is 1e+300 times the reference" in result.message


# ---- the ReLU mask without the bias ----------------------------------------------------------

def relu_mask_without_the_bias(do, cache):
    """As a learner fills in chapter 1's stub, with the mask from x @ W_xh."""
    x, W_xh = cache.affine_h.x, cache.affine_h.W
    h, W_hy = cache.h, cache.affine_y.W
    dh = do @ W_hy.T
    da = dh * (x @ W_xh > 0)
    return da @ W_xh.T, {"W_xh": x.T @ da, "b_h": da.sum(axis=0), "W_hy": h.T @ do,
                         "b_y": do.sum(axis=0)}


def test_a_case_has_a_bias_that_flips_a_unit():
    flips = []
    for case in ch1._fnn_cases():
        cache = case.args[1]
        xw = cache.affine_h.x @ cache.affine_h.W
        flips.append(np.sum((xw > 0) != (cache.h > 0)))
    assert flips[:4] == [0, 0, 0, 0] and flips[4] > 0


def test_a_relu_mask_without_the_bias_is_named():
    result = exercises.check_fnn_backward(relu_mask_without_the_bias)
    assert not result.passed
    assert named_causes(result, ch1.FNN_MISTAKES) == ["ReLU mask taken from x @ W_xh, without the bias"]
    assert "it is wrong only where b_h is large" in result.message


# ---- when no known mistake matches: the diagnosis --------------------------------------------

def test_a_flipped_sign_is_diagnosed():
    def minus(dh_t, cache):
        dx_t, dh_prev, grads = rnnlib.rnn_step_backward(dh_t, cache)
        return -dx_t, dh_prev, grads

    message = exercises.check_rnn_step_backward(minus).message
    assert "dx_t: wrong values" in message
    assert "it is exactly -1 times the reference: a sign is flipped" in message


def test_a_factor_that_is_a_size_is_named_by_the_size():
    def over_H(dh_t, cache):
        dx_t, dh_prev, grads = rnnlib.rnn_step_backward(dh_t, cache)
        return dx_t, dh_prev, {**grads, "W_hh": grads["W_hh"] / grads["W_hh"].shape[0]}

    message = exercises.check_rnn_step_backward(over_H).message
    assert "it is 1/H times the reference (0.25 on B=3, D=2, H=4; 0.25 on B=1, D=3, H=4; " \
           "0.3333 on B=2, D=5, H=3)" in message
    assert "(right on B=4, D=3, H=1, where H = 1 (one hidden unit" in message


def test_a_transpose_hint_only_when_the_transpose_is_what_it_is():
    """A wrong square output that is not the transpose gets no transpose hint."""
    def rotated(dh_t, cache):
        dx_t, dh_prev, grads = rnnlib.rnn_step_backward(dh_t, cache)
        return dx_t, dh_prev, {**grads, "W_hh": grads["W_hh"] + 0.1 * np.eye(len(grads["W_hh"]))}

    message = exercises.check_rnn_step_backward(rotated).message
    assert "No known mistake" in message and "it is the transpose" not in message
    assert "shape under every factor" not in message
    assert "it is not the reference times a constant, its transpose" in message


def test_a_wrong_shape_reversed_says_transpose():
    def reversed_dx(do, cache):
        dx, grads = rnnlib.fnn_backward(do, cache)
        return dx.T, grads

    message = exercises.check_fnn_backward(reversed_dx).message
    assert "dx: wrong shape" in message
    assert "Its shape is the expected one reversed: a transpose" in message


def test_two_mistakes_at_once_are_both_named():
    def two(dh_t, cache):
        da = dh_t * (1 - cache.h_t ** 2)
        return (da @ cache.W_xh.T, da @ cache.W_hh,  # W_hh^T missing
                {"W_xh": cache.x_t.T @ da, "W_hh": cache.h_t.T @ da, "b_h": da.sum(axis=0)})

    result = exercises.check_rnn_step_backward(two)
    assert named_causes(result, ch1.STEP_MISTAKES) == ["h_t used where h_{t-1} belongs",
                                                       "transpose of W_hh missing"]


def stub(dh_t, cache):
    return ..., ..., {"W_xh": ..., "W_hh": ..., "b_h": ...}


def raises(dh_t, cache):
    return dh_t @ cache.W_xh, None, {}


def in_place(dh_t, cache):
    dh_t *= 1 - cache.h_t ** 2
    return rnnlib.rnn_step_backward(dh_t, cache)


def nan_out(dh_t, cache):
    dx_t, dh_prev, grads = rnnlib.rnn_step_backward(dh_t, cache)
    return dx_t / 0.0, dh_prev, grads


@pytest.mark.parametrize("fn, words", [
    (stub, "dx_t is not filled in yet"),
    (raises, "your function raised ValueError in the line `return dh_t @ cache.W_xh, None, {}`"),
    (lambda dh, c: (dh, dh), "it must return (dx_t, dh_prev, grads), 3 values, but returned a tuple of 2"),
    (lambda dh, c: dh, "but returned a ndarray"),
    (lambda dh, c: (dh, dh, [1]), "the last returned value must be the dict grads"),
    (lambda dh, c: (dh, dh, {"W_xh": 1, "W_hh": 1}), "grads has no key 'b_h'"),
    (lambda dh, c: (dh, dh, {"W_xh": "a", "W_hh": 1, "b_h": 1}), "grads['W_xh'] must be a NumPy array"),
    (in_place, "your function changed its argument number 1 in place"),
    (nan_out, "dx_t: wrong values, it contains NaN or inf where the reference is finite"),
], ids=["stub", "raises", "two values", "one array", "grads list", "grads key", "string", "in place", "nan"])
def test_broken_functions_get_a_plain_message(fn, words):
    with np.errstate(all="ignore"):
        result = exercises.check_rnn_step_backward(fn)
    assert not result.passed
    assert words in result.message
    assert "Traceback" not in result.message


def test_fn_must_be_callable():
    with pytest.raises(TypeError, match="fn must be a function, got float"):
        exercises.check_rnn_step_backward(1.0)


def test_result_text_and_html():
    good = exercises.check_fnn_backward(rnnlib.fnn_backward)
    bad = exercises.check_fnn_backward(ch1.FNN_MISTAKES[0].fn)
    assert str(good).startswith("fnn_backward: passed. all 5 outputs")
    assert str(bad).startswith("fnn_backward: not yet. 3 of 5 outputs are wrong: dx, grads['W_xh'], grads['b_h']")
    assert 'class="rnn-check rnn-check-pass"' in good._repr_html_()
    assert "<pre" not in good._repr_html_()  # a one-line report has no empty box under it
    html = bad._repr_html_()
    assert html.count("<pre") == 1
    assert 'class="rnn-check rnn-check-fail"' in html and "ReLU&#x27; missing" in html
    assert exercises.check_fnn_backward(ch1.FNN_MISTAKES[0].fn).message == bad.message

"""The self-checking exercises: the reference passes, every known mistake is named, and a
function that raises, returns the wrong things or changes its arguments gets a plain message."""
import numpy as np
import pytest

import rnnlib
from rnnlib import exercises
from rnnlib.exercises import fnn_vs_rnn as ch1

CHECKERS = {
    "rnn_step_backward": (exercises.check_rnn_step_backward, rnnlib.rnn_step_backward, ch1.STEP_MISTAKES),
    "fnn_backward": (exercises.check_fnn_backward, rnnlib.fnn_backward, ch1.FNN_MISTAKES),
}
MISTAKES = [(name, m) for name, (_, _, mistakes) in CHECKERS.items() for m in mistakes]


def named_causes(result, mistakes):
    return [m.name for m in mistakes if f"Most likely cause: {m.name}." in result.message]


@pytest.mark.parametrize("name", CHECKERS)
def test_the_reference_passes(name):
    check, reference, _ = CHECKERS[name]
    result = check(reference)
    assert result.passed and bool(result)
    assert "match the reference on 4 cases" in result.message
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
    assert "No common mistake gives exactly this" in result.message
    assert "against finite differences" in result.message


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

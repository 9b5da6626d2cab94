"""Chapter 2's self-checking exercise: a right unrolled forward and backward pass (written here,
and the one printed in the chapter's solution) passes; every mistake the checker knows is named
exactly; broken functions get plain messages."""
import json
from pathlib import Path

import numpy as np
import pytest

import rnnlib
from rnnlib import exercises
from rnnlib.exercises import unrolling as ch2

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "02_unrolling.ipynb"
ALL_MISTAKES = ch2.FORWARD_MISTAKES + ch2.BACKWARD_MISTAKES


def unrolled_forward(x, params, h0):
    h_prev, states, caches = h0, [], []
    for t in range(len(x)):
        h_prev, cache = rnnlib.rnn_step_forward(x[t], h_prev, params)
        states.append(h_prev)
        caches.append(cache)
    return np.stack(states), caches


def unrolled_backward(dh_out, caches):
    T = len(caches)
    dx = np.zeros((T,) + caches[0].x_t.shape)
    grads = {k: np.zeros_like(getattr(caches[0], k)) for k in ("W_xh", "W_hh")}
    grads["b_h"] = np.zeros(caches[0].h_t.shape[1])
    dh_next = np.zeros_like(dh_out[0])
    for t in range(T - 1, -1, -1):
        dx[t], dh_next, step = rnnlib.rnn_step_backward(dh_out[t] + dh_next, caches[t])
        for k in grads:
            grads[k] += step[k]
    return dx, dh_next, grads


def named_causes(result):
    return [m.name for m in ALL_MISTAKES if f"Most likely cause: {m.name}." in result.message]


def solution_from_the_chapter():
    """The code of the chapter's solution to the self-checking exercise (the code cell inside its
    gated solution dropdown), run."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = next("".join(c["source"]) for c in cells if c["cell_type"] == "code"
                and "def solved_unrolled_forward" in "".join(c["source"]))
    namespace = {"np": np, "rnnlib": rnnlib}
    exec(code, namespace)  # noqa: S102 - the book's own solution
    return namespace["solved_unrolled_forward"], namespace["solved_unrolled_backward"]


def test_the_reference_passes():
    result = exercises.check_unrolled_rnn(unrolled_forward, unrolled_backward)
    assert result.passed and bool(result)
    assert result.message.startswith("unrolled_forward passed; unrolled_backward passed.")
    assert ("all 6 outputs (h, caches[t].x_t, caches[t].h_prev, caches[t].h_t, caches[t].W_xh, "
            "caches[t].W_hh) match the reference on 4 cases (T=1") in result.message
    assert "all 5 outputs (dx, dh0, grads['W_xh'], grads['W_hh'], grads['b_h']) match" in result.message
    assert "largest relative error against finite differences" in result.message


def test_the_solution_printed_in_the_chapter_passes():
    forward, backward = solution_from_the_chapter()
    assert exercises.check_unrolled_rnn(forward, backward).passed


def test_the_cases_cover_T_1_T_2_B_1_and_H_1():
    forward, backward = ch2._cases()
    shapes = [case.args[0].shape + (case.args[2].shape[1],) for case in forward]  # (T, B, D, H)
    assert {s[0] for s in shapes} >= {1, 2} and 1 in {s[1] for s in shapes}
    assert 1 in {s[3] for s in shapes}
    assert all(np.abs(case.args[2]).min() > 0 for case in forward)  # h0 != 0
    assert [c.label for c in forward] == [c.label for c in backward]


@pytest.mark.parametrize("mistake", ch2.FORWARD_MISTAKES, ids=lambda m: m.name)
def test_every_forward_mistake_is_named(mistake):
    result = exercises.check_unrolled_rnn(mistake.fn, unrolled_backward)
    assert not result.passed
    assert result.message.startswith("unrolled_forward not yet; unrolled_backward passed.")
    assert named_causes(result) == [mistake.name], result.message


@pytest.mark.parametrize("mistake", ch2.BACKWARD_MISTAKES, ids=lambda m: m.name)
def test_every_backward_mistake_is_named(mistake):
    result = exercises.check_unrolled_rnn(unrolled_forward, mistake.fn)
    assert not result.passed
    assert result.message.startswith("unrolled_forward passed; unrolled_backward not yet.")
    assert named_causes(result) == [mistake.name], result.message


def test_the_mistakes_are_told_apart():
    """No two mistakes give the same outputs on every case, so a diagnosis is never a guess."""
    messages = {m.name: exercises.check_unrolled_rnn(m.fn, unrolled_backward).message
                for m in ch2.FORWARD_MISTAKES}
    messages.update({m.name: exercises.check_unrolled_rnn(unrolled_forward, m.fn).message
                     for m in ch2.BACKWARD_MISTAKES})
    assert len(set(messages.values())) == len(ALL_MISTAKES)


def test_the_mistakes_the_chapter_promises_are_known():
    names = " | ".join(m.name for m in ALL_MISTAKES)
    for words in ("not accumulated", "only step T's", "dh_next not added",
                  "added after the step", "run forwards", "cache of step t - 1",
                  "h0 not passed", "the same cache", "caches stored in reverse order"):
        assert words in names


def test_mistakes_that_hide_at_T_1_say_so():
    overwritten = ch2.BACKWARD_MISTAKES[0]
    result = exercises.check_unrolled_rnn(unrolled_forward, overwritten.fn)
    assert ("(right on T=1, B=2, D=3, H=2, where T = 1 (one step, so nothing is summed over "
            "steps, carried from one step to the next, or put in time order))") in result.message


def test_a_mistake_hidden_by_B_1_does_not_say_T_1():
    """The hint names what the right case has and the wrong ones lack: B = 1, not T = 1."""
    def mean_in_db_h(dh_out, caches):
        dx, dh0, grads = unrolled_backward(dh_out, caches)
        return dx, dh0, {**grads, "b_h": grads["b_h"] / dh_out.shape[1]}

    result = exercises.check_unrolled_rnn(unrolled_forward, mean_in_db_h)
    assert ("(right on T=2, B=1, D=2, H=3, where B = 1 (one example, so a sum or a mean over the "
            "batch changes nothing))") in result.message
    assert "T = 1" not in result.message
    assert "it is 1/B times the reference (0.5 on T=1, B=2, D=3, H=2; 0.3333 on T=3" in result.message


def test_a_forward_and_a_backward_mistake_at_once_are_both_named():
    result = exercises.check_unrolled_rnn(ch2.FORWARD_MISTAKES[0].fn, ch2.BACKWARD_MISTAKES[3].fn)
    assert result.message.startswith("unrolled_forward not yet; unrolled_backward not yet.")
    assert named_causes(result) == [ch2.FORWARD_MISTAKES[0].name, ch2.BACKWARD_MISTAKES[3].name]


def test_a_wrong_answer_no_mistake_explains_is_still_caught():
    def doubled(dh_out, caches):
        dx, dh0, grads = unrolled_backward(dh_out, caches)
        return dx, dh0, {**grads, "b_h": 2 * grads["b_h"]}

    result = exercises.check_unrolled_rnn(unrolled_forward, doubled)
    assert not result.passed
    assert "1 of 5 outputs are wrong: grads['b_h']" in result.message
    assert "No known mistake gives exactly this. What the computation shows: it is 2 times the " \
           "reference" in result.message


# ---- caches that are wrong while h is right ---------------------------------------------------

def same_cache_everywhere(x, params, h0):
    """As a learner might write it: the states are right, the list of caches is not."""
    h_prev, states = h0, []
    for t in range(len(x)):
        h_prev, cache = rnnlib.rnn_step_forward(x[t], h_prev, params)
        states.append(h_prev)
    return np.stack(states), [cache] * len(x)


def caches_in_front(x, params, h0):
    h_prev, states, caches = h0, [], []
    for t in range(len(x)):
        h_prev, cache = rnnlib.rnn_step_forward(x[t], h_prev, params)
        states.append(h_prev)
        caches.insert(0, cache)
    return np.stack(states), caches


@pytest.mark.parametrize("forward, mistake", [
    (same_cache_everywhere, "every entry of caches is the same cache (the last step's)"),
    (caches_in_front, "the caches stored in reverse order"),
], ids=["same cache", "reverse order"])
def test_right_states_with_wrong_caches_are_caught_and_named(forward, mistake):
    result = exercises.check_unrolled_rnn(forward, unrolled_backward)
    assert result.message.startswith("unrolled_forward not yet; unrolled_backward passed.")
    assert "Right: h, caches[t].W_xh, caches[t].W_hh." in result.message
    assert named_causes(result) == [mistake], result.message
    # why it matters: a right backward pass fed these caches is far from the reference
    errors = []
    for forward_case, backward_case in list(zip(*ch2._cases()))[1:]:  # T = 2, 3, 4
        caches = forward(*forward_case.args)[1]
        dx = unrolled_backward(backward_case.args[0], caches)[0]
        errors.append(rnnlib.relative_error(dx, backward_case.expected["dx"]))
    assert min(errors) > 0.01 and max(errors) > 0.2, errors


def test_a_cache_field_of_another_shape_gets_a_plain_message():
    def odd(x, params, h0):
        h, caches = unrolled_forward(x, params, h0)
        return h, caches[:-1] + [caches[-1]._replace(x_t=caches[-1].x_t[:, :1])]

    result = exercises.check_unrolled_rnn(odd, unrolled_backward)
    assert ("it returned the wrong kind of result: caches[0].x_t has shape (1, 2) but "
            "caches[1].x_t has shape (1, 1): each entry must be the cache of one step") in result.message


# ---- the diagnosis along time -------------------------------------------------------------------

def test_a_state_wrong_at_the_last_step_only_is_located():
    def last_doubled(x, params, h0):
        h, caches = unrolled_forward(x, params, h0)
        return np.concatenate([h[:-1], 2 * h[-1:]]), caches

    message = exercises.check_unrolled_rnn(last_doubled, unrolled_backward).message
    assert "it is wrong at the last step only, t = T at index T - 1, where it is 2 times the " \
           "reference, and right at every other step" in message


def test_a_dx_wrong_at_the_first_step_only_is_located():
    def first_negated(dh_out, caches):
        dx, dh0, grads = unrolled_backward(dh_out, caches)
        return np.concatenate([-dx[:1], dx[1:]]), dh0, grads

    message = exercises.check_unrolled_rnn(unrolled_forward, first_negated).message
    assert "it is wrong at the first step only, t = 1 at index 0, where it is exactly -1 times " \
           "the reference" in message


def test_a_state_one_step_late_is_seen():
    def late(x, params, h0):
        h, caches = unrolled_forward(x, params, h0)
        return np.concatenate([h0[None] * 0 + 7, h[:-1]]), caches

    message = exercises.check_unrolled_rnn(late, unrolled_backward).message
    assert "it is the reference one step late" in message


def test_a_transposed_dW_hh_is_seen():
    def transposed(dh_out, caches):
        dx, dh0, grads = unrolled_backward(dh_out, caches)
        return dx, dh0, {**grads, "W_hh": grads["W_hh"].T}

    message = exercises.check_unrolled_rnn(unrolled_forward, transposed).message
    assert "grads['W_hh']: wrong values" in message
    assert "it is the transpose of the reference (its shape is right only because the array is " \
           "square)" in message
    assert "where H = 1 (one hidden unit: W_hh is 1 x 1, equal to its transpose" in message


def stub_forward(x, params, h0):
    return ..., []


def stub_backward(dh_out, caches):
    return ..., ..., {"W_xh": ..., "W_hh": ..., "b_h": ...}


def in_place_backward(dh_out, caches):
    dh_next = np.zeros_like(dh_out[0])
    for t in reversed(range(len(caches))):
        dh_out[t] += dh_next
        dh_next = rnnlib.rnn_step_backward(dh_out[t], caches[t])[1]
    return unrolled_backward(dh_out, caches)


def raising_forward(x, params, h0):
    return rnnlib.rnn_step_forward(x, h0, params)


@pytest.mark.parametrize("forward, backward, words", [
    (stub_forward, stub_backward, "unrolled_forward: h is not filled in yet"),
    (stub_forward, stub_backward, "unrolled_backward: dx is not filled in yet"),
    (raising_forward, unrolled_backward, "unrolled_forward: your function raised ValueError in the "
                                         "line `return rnnlib.rnn_step_forward(x, h0, params)`"),
    (lambda x, p, h0: unrolled_forward(x, p, h0)[0], unrolled_backward,
     "it must return (h, caches), 2 values, but returned a ndarray"),
    (lambda x, p, h0: (unrolled_forward(x, p, h0)[0], None), unrolled_backward,
     "caches must be a list of the step caches returned by rnn_step_forward, got a NoneType"),
    (lambda x, p, h0: (unrolled_forward(x, p, h0)[0], unrolled_forward(x, p, h0)[1][:1]),
     unrolled_backward, "caches must hold one step cache per step: h has 2 steps, caches has 1"),
    (lambda x, p, h0: (unrolled_forward(x, p, h0)[0], ["c"] * len(x)), unrolled_backward,
     "each entry of caches must be the cache returned by rnn_step_forward (a StepCache), got a str"),
    (unrolled_forward, in_place_backward, "changed its argument number 1 in place"),
    (unrolled_forward, lambda dh, c: unrolled_backward(dh, c)[:2],
     "it must return (dx, dh0, grads), 3 values, but returned a tuple of 2"),
], ids=["stub forward", "stub backward", "raises", "h only", "caches None", "caches short",
        "caches str", "in place", "two values"])
def test_broken_functions_get_a_plain_message(forward, backward, words):
    result = exercises.check_unrolled_rnn(forward, backward)
    assert not result.passed
    assert words in result.message, result.message
    assert "Traceback" not in result.message


def test_in_place_message_names_the_fix():
    result = exercises.check_unrolled_rnn(unrolled_forward, in_place_backward)
    assert "not `dh_out[t] += dh_next`" in result.message


@pytest.mark.parametrize("which", ["forward", "backward"])
def test_both_must_be_callable(which):
    args = {"forward": unrolled_forward, "backward": unrolled_backward, which: 3}
    with pytest.raises(TypeError, match=f"{which} must be a function, got int"):
        exercises.check_unrolled_rnn(**args)


def test_result_text_and_html():
    good = exercises.check_unrolled_rnn(unrolled_forward, unrolled_backward)
    bad = exercises.check_unrolled_rnn(unrolled_forward, ch2.BACKWARD_MISTAKES[3].fn)
    assert str(good).startswith("unrolled RNN: passed. unrolled_forward passed")
    assert str(bad).startswith("unrolled RNN: not yet. unrolled_forward passed; "
                               "unrolled_backward not yet.")
    assert 'class="rnn-check rnn-check-pass"' in good._repr_html_()
    html = bad._repr_html_()
    assert 'class="rnn-check rnn-check-fail"' in html and "dh_next not added" in html

"""Chapter 4's self-checking exercise: a right encoder-decoder backward (written here, and the one
printed in the chapter's solution) passes; every mistake the checker knows is named exactly;
broken functions get plain messages."""
import json
from pathlib import Path

import numpy as np
import pytest

import rnnlib
from rnnlib import exercises
from rnnlib.exercises import shapes as ch4

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "04_shapes.ipynb"


def seq2seq_backward(do, out_cache, dec_cache, enc_cache):
    dh_dec, g_out = rnnlib.output_backward(do, out_cache)
    _, dh0, g_dec = rnnlib.rnn_backward(dh_dec, dec_cache)
    dh_enc = np.zeros_like(enc_cache.h)
    dh_enc[-1] = dh0
    dx, _, g_enc = rnnlib.rnn_backward(dh_enc, enc_cache)
    grads = {f"enc_{k}": g for k, g in g_enc.items()}
    grads.update({f"dec_{k}": g for k, g in {**g_dec, **g_out}.items()})
    return dx, grads


def named_causes(result):
    return [m.name for m in ch4.MISTAKES if f"Most likely cause: {m.name}." in result.message]


def solution_from_the_chapter():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = next("".join(c["source"]) for c in cells if c["cell_type"] == "code"
                and "def solved_seq2seq_backward" in "".join(c["source"]))
    namespace = {"np": np, "rnnlib": rnnlib}
    exec(code, namespace)  # noqa: S102 - the book's own solution
    return namespace["solved_seq2seq_backward"]


def test_the_reference_passes():
    result = exercises.check_seq2seq_backward(seq2seq_backward)
    assert result.passed, result.message
    assert "all 9 outputs (dx, grads['enc_W_xh']" in result.message
    assert "largest relative error against finite differences" in result.message


def test_the_solution_printed_in_the_chapter_passes():
    assert exercises.check_seq2seq_backward(solution_from_the_chapter()).passed


def test_the_cases_cover_a_one_step_encoder_B_1_and_H_1():
    cases = ch4._cases()
    T = [c.args[3].h.shape[0] for c in cases]
    B = [c.args[0].shape[1] for c in cases]
    H = [c.args[3].h.shape[2] for c in cases]
    assert 1 in T and max(T) >= 3 and 1 in B and 1 in H


@pytest.mark.parametrize("mistake", ch4.MISTAKES, ids=lambda m: m.name)
def test_every_mistake_is_named(mistake):
    result = exercises.check_seq2seq_backward(mistake.fn)
    assert not result.passed
    assert named_causes(result) == [mistake.name], result.message


def test_the_mistakes_the_issue_asks_for_are_known():
    names = " | ".join(m.name for m in ch4.MISTAKES)
    for words in ("every encoder step", "no gradient into the encoder", "dh0 dropped"):
        assert words in names


def test_injecting_at_every_step_hides_on_a_one_step_encoder_and_says_so():
    result = exercises.check_seq2seq_backward(ch4.MISTAKES[0].fn)
    assert "(right on T=1, S=2" in result.message and "happens to change nothing" in result.message


def test_the_mistakes_are_told_apart():
    messages = {exercises.check_seq2seq_backward(m.fn).message for m in ch4.MISTAKES}
    assert len(messages) == len(ch4.MISTAKES)


def stub(do, out_cache, dec_cache, enc_cache):
    return ..., {k: ... for k in ch4.KEYS}


def in_place(do, out_cache, dec_cache, enc_cache):
    do *= 1.0
    enc_cache.h[-1] += 0.0
    enc_cache.h[0, 0, 0] = 5.0
    return seq2seq_backward(do, out_cache, dec_cache, enc_cache)


@pytest.mark.parametrize("fn, words", [
    (stub, "dx is not filled in yet"),
    (lambda *a: seq2seq_backward(*a)[1], "it must return (dx, grads), 2 values, but returned a dict"),
    (lambda *a: (seq2seq_backward(*a)[0], {}), "grads has no key 'enc_W_xh'"),
    (lambda do, oc, dc, ec: rnnlib.rnn_backward(do, ec), "your function raised ValueError"),
    (in_place, "changed its argument number 4 in place"),
], ids=["stub", "grads only", "empty grads", "raises", "in place"])
def test_broken_functions_get_a_plain_message(fn, words):
    result = exercises.check_seq2seq_backward(fn)
    assert not result.passed
    assert words in result.message, result.message
    assert "Traceback" not in result.message


def test_fn_must_be_callable():
    with pytest.raises(TypeError, match="fn must be a function, got int"):
        exercises.check_seq2seq_backward(3)


def test_result_html():
    assert 'rnn-check-pass' in exercises.check_seq2seq_backward(seq2seq_backward)._repr_html_()
    assert 'rnn-check-fail' in exercises.check_seq2seq_backward(ch4.MISTAKES[1].fn)._repr_html_()

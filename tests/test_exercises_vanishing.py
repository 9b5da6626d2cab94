"""Chapter 7's self-checking exercise: a right global-norm clipping (written here, and the one
printed in the chapter's solution) passes; every mistake the checker knows is named exactly;
broken functions get plain messages."""
import json
from pathlib import Path

import numpy as np
import pytest

import rnnlib
from rnnlib import exercises
from rnnlib.exercises import vanishing as ch7

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "07_vanishing.ipynb"


def clip_global(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}


def named_causes(result):
    return [m.name for m in ch7.MISTAKES if f"Most likely cause: {m.name}." in result.message]


def solution_from_the_chapter():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = next("".join(c["source"]) for c in cells if c["cell_type"] == "code"
                and "def solved_clip_global" in "".join(c["source"]))
    namespace = {"np": np, "rnnlib": rnnlib}
    exec(code, namespace)  # noqa: S102 - the book's own solution
    return namespace["solved_clip_global"]


def test_the_reference_passes():
    result = exercises.check_clip_global(clip_global)
    assert result.passed, result.message
    assert "all 3 outputs" in result.message


def test_rnnlibs_clipping_passes():
    assert exercises.check_clip_global(lambda g, c: rnnlib.clip_grad_norm(g, c)[0]).passed


def test_the_solution_printed_in_the_chapter_passes():
    assert exercises.check_clip_global(solution_from_the_chapter()).passed


@pytest.mark.parametrize("mistake", ch7.MISTAKES, ids=lambda m: m.name)
def test_every_mistake_is_named(mistake):
    result = exercises.check_clip_global(mistake.fn)
    assert not result.passed
    assert named_causes(result) == [mistake.name], result.message


def test_the_mistakes_the_issue_asks_for_are_known():
    names = " | ".join(m.name for m in ch7.MISTAKES)
    for words in ("each array clipped by its own norm", "each entry clipped",
                  "also when the norm is below max_norm"):
        assert words in names


def test_the_mistakes_are_told_apart():
    messages = {exercises.check_clip_global(m.fn).message for m in ch7.MISTAKES}
    assert len(messages) == len(ch7.MISTAKES)


def test_the_cases_hold_a_norm_below_and_entries_below_the_threshold():
    norms = [rnnlib.global_norm(c.args[0]) / c.args[1] for c in ch7._cases()]
    assert min(norms) < 1 < max(norms)
    assert any(max(np.abs(g).max() for g in c.args[0].values()) < c.args[1]
               < rnnlib.global_norm(c.args[0]) for c in ch7._cases())


def stub(grads, max_norm):
    return {k: ... for k in grads}


def in_place(grads, max_norm):
    for g in grads.values():
        g *= 0.5
    return clip_global(grads, max_norm)


@pytest.mark.parametrize("fn, words", [
    (stub, "is not filled in yet"),
    (lambda g, c: list(clip_global(g, c).values()), "must return the dict of clipped gradients"),
    (lambda g, c: {}, "the returned dict has no key 'W_xh'"),
    (lambda g, c: rnnlib.clip_grad_norm(g, -c), "your function raised ValueError"),
    (in_place, "in place"),
], ids=["stub", "list", "empty dict", "raises", "in place"])
def test_broken_functions_get_a_plain_message(fn, words):
    result = exercises.check_clip_global(fn)
    assert not result.passed
    assert words in result.message, result.message
    assert "Traceback" not in result.message


def test_fn_must_be_callable():
    with pytest.raises(TypeError, match="fn must be a function, got int"):
        exercises.check_clip_global(3)

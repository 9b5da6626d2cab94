"""Chapter 6's self-checking exercise: a right embedding backward (written here, and the one
printed in the chapter's solution) passes; every mistake the checker knows is named exactly;
broken functions get plain messages."""
import json
from pathlib import Path

import numpy as np
import pytest

import rnnlib
from rnnlib import exercises
from rnnlib.chapters import sentiment as se
from rnnlib.exercises import sentiment as ch6

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "06_sentiment.ipynb"


def embedding_backward(dx, ids, V, padding_idx):
    dW = np.zeros((V, dx.shape[-1]))
    np.add.at(dW, ids, dx)
    if padding_idx is not None:
        dW[padding_idx] = 0.0
    return dW


def named_causes(result):
    return [m.name for m in ch6.MISTAKES if f"Most likely cause: {m.name}." in result.message]


def solution_from_the_chapter():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = next("".join(c["source"]) for c in cells if c["cell_type"] == "code"
                and "def solved_embedding_backward" in "".join(c["source"]))
    namespace = {"np": np, "rnnlib": rnnlib}
    exec(code, namespace)  # noqa: S102 - the book's own solution
    return namespace["solved_embedding_backward"]


def test_the_reference_passes():
    result = exercises.check_embedding_backward(embedding_backward)
    assert result.passed, result.message
    assert "largest relative error against finite differences" in result.message


def test_the_solution_printed_in_the_chapter_passes():
    assert exercises.check_embedding_backward(solution_from_the_chapter()).passed


def test_the_cases_cover_no_repeats_repeats_B_1_and_no_padding():
    cases = ch6._cases()
    ids = [c.args[1] for c in cases]
    assert any(len(set(i.ravel().tolist())) == i.size for i in ids)
    assert any(len(set(i.ravel().tolist())) < i.size for i in ids)
    assert any(i.shape[1] == 1 for i in ids)
    assert any(c.args[3] is None for c in cases)
    assert all(c.args[2] != c.args[0].shape[-1] for c in cases)      # V != D: a transpose shows


@pytest.mark.parametrize("mistake", ch6.MISTAKES, ids=lambda m: m.name)
def test_every_mistake_is_named(mistake):
    result = exercises.check_embedding_backward(mistake.fn)
    assert not result.passed
    assert named_causes(result) == [mistake.name], result.message


def test_the_mistakes_the_issue_asks_for_are_known():
    names = " | ".join(m.name for m in ch6.MISTAKES)
    for words in ("dW[ids] += dx", "padding row", "transposed lookup"):
        assert words in names


def test_plus_equals_hides_without_repeats_and_says_so():
    result = exercises.check_embedding_backward(ch6.MISTAKES[0].fn)
    assert "right on no repeated id" in result.message


def test_the_mistakes_are_told_apart():
    messages = {exercises.check_embedding_backward(m.fn).message for m in ch6.MISTAKES}
    assert len(messages) == len(ch6.MISTAKES)


@pytest.mark.parametrize("returned, words", [
    ((np.zeros((6, 3)), 1), "one array (V, D)"),
    (None, "wrong shape"),
])
def test_wrong_returns_get_plain_messages(returned, words):
    result = exercises.check_embedding_backward(lambda dx, ids, V, padding_idx: returned)
    assert not result.passed and words in result.message


def test_a_function_that_raises_is_reported_not_raised():
    def broken(dx, ids, V, padding_idx):
        raise RuntimeError("not written yet")
    result = exercises.check_embedding_backward(broken)
    assert not result.passed and "RuntimeError" in result.message


def test_the_stub_gets_a_plain_message():
    def stub(dx, ids, V, padding_idx):
        dW = np.zeros((V, dx.shape[-1]))
        return dW
    result = exercises.check_embedding_backward(stub)
    assert not result.passed and "dW_emb" in result.message and "Traceback" not in result.message


# ---- the bag of words ---------------------------------------------------------------------------

def bow(review):
    counts = np.zeros(len(se.VOCAB))
    for w in review.split():
        counts[se.WORD_ID[w]] += 1
    return counts


def bow_solution_from_the_chapter():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = next("".join(c["source"]) for c in cells if c["cell_type"] == "code"
                and "def solved_bow_features" in "".join(c["source"]))
    namespace = {"np": np, "se": se}
    exec(code, namespace)  # noqa: S102 - the book's own solution
    return namespace["solved_bow_features"]


def test_bow_reference_and_chapter_solution_pass_and_say_the_pair_is_one_vector():
    for fn in (bow, bow_solution_from_the_chapter()):
        result = exercises.check_bow_features(fn)
        assert result.passed, result.message
        assert "give the same vector" in result.message


def test_bow_cases_hold_an_identical_bag_pair_and_a_repeated_word():
    a, b = ch6.BOW_CASES[1], ch6.BOW_CASES[2]
    assert sorted(a.split()) == sorted(b.split()) and se.rule_label(a) != se.rule_label(b)
    assert any(len(set(r.split())) < len(r.split()) for r in ch6.BOW_CASES)


@pytest.mark.parametrize("mistake", ch6.BOW_MISTAKES, ids=lambda m: m.name)
def test_every_bow_mistake_is_named(mistake):
    result = exercises.check_bow_features(mistake.fn)
    assert not result.passed
    assert [m.name for m in ch6.BOW_MISTAKES
            if f"Most likely cause: {m.name}." in result.message] == [mistake.name], result.message


def test_bow_stub_and_broken_functions_get_plain_messages():
    stub = exercises.check_bow_features(lambda review: np.zeros(len(se.VOCAB)))
    assert not stub.passed and "counts" in stub.message
    pair = exercises.check_bow_features(lambda review: (bow(review), 1))
    assert not pair.passed and "one array (V,)" in pair.message
    short = exercises.check_bow_features(lambda review: bow(review)[1:])
    assert not short.passed and "wrong shape" in short.message

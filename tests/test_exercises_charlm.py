"""Chapter 5's checker (rnnlib.exercises.charlm.check_sample_step): the reference passes, every
known mistake is named exactly (written as a learner would, with rng.choice or vectorised), and a
stub or a function of the wrong kind gets a plain message."""
import numpy as np
import pytest

from rnnlib import exercises, sample_step
from rnnlib.exercises import charlm as ex


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _cdf_draw(p, rng):
    u = rng.random(len(p))
    return np.minimum((np.cumsum(p, axis=1) <= u[:, None]).sum(axis=1), p.shape[1] - 1)


def _row_draw(p, rng):
    return np.array([rng.choice(p.shape[1], p=row) for row in p])


RIGHT = {
    "rnnlib.sample_step": sample_step,
    "vectorised": lambda o, tau, rng: _cdf_draw(_softmax(o / tau), rng),
    "rng.choice per row": lambda o, tau, rng: _row_draw(_softmax(o / tau), rng),
    "float output": lambda o, tau, rng: _cdf_draw(_softmax(o / tau), rng).astype(float),
}

WRONG = {  # learner's code -> the mistake that must be named
    "no temperature (vectorised)": (lambda o, tau, rng: _cdf_draw(_softmax(o), rng),
                                    "the temperature division missing"),
    "no temperature (rng.choice)": (lambda o, tau, rng: _row_draw(_softmax(o), rng),
                                    "the temperature division missing"),
    "after the softmax (vectorised)": (lambda o, tau, rng: _cdf_draw(_softmax(o) / tau, rng),
                                       "the temperature applied after the softmax"),
    "after the softmax (rng.choice)": (lambda o, tau, rng: _row_draw(_softmax(o) / tau, rng),
                                       "the temperature applied after the softmax"),
    "logits (vectorised)": (lambda o, tau, rng: _cdf_draw(o / tau, rng),
                            "a draw from the logits instead of the probabilities"),
    "logits (rng.choice)": (lambda o, tau, rng: _row_draw(o / tau, rng),
                            "a draw from the logits instead of the probabilities"),
    "argmax": (lambda o, tau, rng: o.argmax(axis=1), "the argmax every time"),
    "argmax of the probabilities": (lambda o, tau, rng: _softmax(o / tau).argmax(axis=1),
                                    "the argmax every time"),
}


@pytest.mark.parametrize("name", list(RIGHT))
def test_right_versions_pass(name):
    result = exercises.check_sample_step(RIGHT[name])
    assert result.passed, result.message
    assert "total-variation distance" in result.message


@pytest.mark.parametrize("name", list(WRONG))
def test_each_mistake_is_named(name):
    fn, mistake = WRONG[name]
    result = exercises.check_sample_step(fn)
    assert not result.passed
    named = [m.name for m in ex.MISTAKES if f"Most likely cause: {m.name}." in result.message]
    assert named == [mistake], result.message


def test_the_mistakes_are_told_apart_by_their_frequencies():
    """Every pair of known mistakes (and the reference) differs by more than twice the match
    threshold on some case, so noise cannot make one pass for another."""
    fns = [("reference", lambda o, tau, seed: ex._inverse_cdf(ex._softmax(o / tau),
                                                               np.random.default_rng(seed)))]
    fns += [(m.name, m.fn) for m in ex.MISTAKES]
    freqs = {}
    for name, fn in fns:
        freqs[name] = []
        for i, (_, rows, tau) in enumerate(ex.CASES):
            rows = np.array(rows)
            c = fn(np.tile(rows, (ex.N, 1)), tau, 100 + i)
            freqs[name].append(ex._frequencies(np.asarray(c), len(rows), rows.shape[1]))
    names = list(freqs)
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            gap = max(ex._tv(fa, fb) for fa, fb in zip(freqs[names[a]], freqs[names[b]]))
            assert gap > 2 * ex.MATCH_TV, (names[a], names[b], gap)


def test_the_stub_gets_a_plain_message():
    result = exercises.check_sample_step(lambda o, tau, rng: None)
    assert not result.passed and "not filled in yet" in result.message


def test_a_function_that_raises_is_reported_with_its_line():
    def broken(logits, temperature, rng):
        return logits @ np.ones(2)

    result = exercises.check_sample_step(broken)
    assert not result.passed and "raised ValueError" in result.message
    assert "logits @ np.ones(2)" in result.message


@pytest.mark.parametrize("returned, words", [
    (lambda o, tau, rng: np.zeros((len(o), 1), int), "shape (B,)"),
    (lambda o, tau, rng: np.full(len(o), 7), "class indices"),
    (lambda o, tau, rng: np.full(len(o), 0.5), "class indices"),
])
def test_wrong_outputs_get_a_plain_message(returned, words):
    result = exercises.check_sample_step(returned)
    assert not result.passed and words in result.message


def test_the_same_class_every_time_is_told():
    result = exercises.check_sample_step(lambda o, tau, rng: np.zeros(len(o), int))
    assert not result.passed and "same class every time" in result.message


def test_a_function_that_changes_the_logits_is_told():
    def in_place(logits, temperature, rng):
        logits /= temperature
        return _cdf_draw(_softmax(logits), rng)

    result = exercises.check_sample_step(in_place)
    assert not result.passed and "in place" in result.message


def test_not_a_function_is_refused():
    with pytest.raises(TypeError, match="fn"):
        exercises.check_sample_step("sample_step")

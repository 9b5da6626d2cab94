"""Chapter 3's self-checking exercise: the reference passes, every known mistake is named, and a
function that raises, returns the wrong things or changes its arguments gets a plain message."""
import numpy as np
import pytest

import rnnlib
from rnnlib import exercises
from rnnlib.exercises import softmax_bptt as ch3

check = exercises.check_softmax_cross_entropy


def named_causes(result):
    return [m.name for m in ch3.MISTAKES if f"Most likely cause: {m.name}." in result.message]


def test_the_reference_passes():
    result = check(rnnlib.softmax_cross_entropy)
    assert result.passed and bool(result)
    assert "all 2 outputs (loss, dlogits) match the reference on 8 cases" in result.message
    assert "largest relative error against finite differences" in result.message


def test_the_cases_cover_what_the_mistakes_need():
    """Several leading shapes, K = 2 and more, both reductions, and logits where exp overflows."""
    cases = ch3._cases()
    shapes = {c.args[0].shape[:-1] for c in cases}
    assert {len(s) for s in shapes} == {1, 2}
    assert {c.args[0].shape[-1] for c in cases} >= {2, 3, 4, 5}
    assert {c.args[2] for c in cases} == {"sum", "mean"}
    assert any(c.args[0].min() > 709.8 for c in cases), "no case where exp(logits) overflows"
    assert any(len(c.args[0].shape) == 3 and c.args[2] == "mean" for c in cases)
    # a position whose true class is 800 below its largest logit (e^-800 underflows to 0)
    gaps = [np.max(c.args[0] - np.take_along_axis(c.args[0], c.args[1][..., None], -1)) for c in cases]
    assert max(gaps) >= 800 and np.exp(-max(gaps)) == 0.0
    # rows whose largest logits differ by more than 745 (exp of the difference is 0)
    assert any(np.ptp(c.args[0].max(axis=-1)) > 745 and c.args[0].ndim == 2 and c.args[2] == "mean"
               for c in cases)
    for c in cases:  # the loss by hand and the finite differences agree with the reference
        assert abs(c.numeric["loss"] - c.expected["loss"]) <= 1e-12 * abs(c.expected["loss"])
        assert rnnlib.relative_error(c.numeric["dlogits"], c.expected["dlogits"]) < 1e-7


@pytest.mark.parametrize("mistake", ch3.MISTAKES, ids=[m.name for m in ch3.MISTAKES])
def test_every_known_mistake_fails_and_is_named(mistake):
    result = check(mistake.fn)
    assert not result.passed
    assert named_causes(result) == [mistake.name], result.message


def test_the_mistakes_are_told_apart():
    """No two mistakes give the same outputs on every case, so a diagnosis is never a guess."""
    messages = {m.name: check(m.fn).message for m in ch3.MISTAKES}
    assert len(set(messages.values())) == len(ch3.MISTAKES)


def test_the_named_mistakes_are_the_issues():
    names = {m.name for m in ch3.MISTAKES}
    assert {"max shift missing", "1/N missing for reduction='mean'",
            "one-hot not subtracted in the gradient", "gradient not divided by N for 'mean'",
            "probability instead of log-probability in the loss", "softmax over the wrong axis",
            "'mean' divides by B, not by all positions", "'mean' divides by N * K",
            "the log of the softmax taken (log(softmax(o)))",
            "max shift taken over the whole array, not each position"} <= names


VARIANTS = [(m, v) for m in ch3.MISTAKES for v in m.variants]


@pytest.mark.parametrize("mistake, variant", VARIANTS,
                         ids=[f"{m.name} {i}" for i, (m, _) in enumerate(VARIANTS)])
def test_every_way_of_writing_a_mistake_is_named(mistake, variant):
    """-sum(onehot * log p) and picking -log p_y differ where they overflow (NaN against inf);
    both are the same mistake."""
    assert named_causes(check(variant)) == [mistake.name]


def first_try(logits, labels, reduction="sum"):  # chapter 3's first try, as the formulas read
    p = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    onehot = np.eye(logits.shape[-1])[labels]
    scale = 1.0 if reduction == "sum" else 1.0 / labels.size
    loss = -scale * np.sum(onehot * np.log(p))
    return loss, scale * (p - onehot)


def log_of_softmax(logits, labels, reduction="sum"):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    onehot = np.eye(logits.shape[-1])[labels]
    scale = 1.0 if reduction == "sum" else 1.0 / labels.size
    return -scale * np.sum(onehot * np.log(p)), scale * (p - onehot)


def shift_over_the_whole_array(logits, labels, reduction="sum"):
    shifted = logits - np.max(logits)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_p, labels[..., None], axis=-1)
    scale = 1.0 if reduction == "sum" else 1.0 / labels.size
    return -scale * picked.sum(), scale * (np.exp(log_p) - np.eye(logits.shape[-1])[labels])


@pytest.mark.parametrize("fn, name, only", [
    (first_try, "max shift missing", None),
    (log_of_softmax, "the log of the softmax taken (log(softmax(o)))", "a logit gap is 800"),
    (shift_over_the_whole_array, "max shift taken over the whole array, not each position",
     "the rows differ in scale by hundreds"),
], ids=["first try", "log of softmax", "global max"])
def test_the_overflows_as_a_learner_writes_them_are_named(fn, name, only):
    result = check(fn)
    assert not result.passed
    assert named_causes(result) == [name], result.message
    if only:
        assert f"it is wrong only where {only}" in result.message


def test_a_missing_max_shift_is_explained_at_the_large_logits():
    result = check(ch3.MISTAKES[0].fn)
    assert "NaN or inf where the reference is finite (case logits near 1000" in result.message
    assert ("where the logits are small (|o| < 10, so exp(o) neither overflows nor underflows)"
            in result.message)


def test_a_wrong_answer_no_mistake_explains_is_still_caught():
    def doubled(logits, labels, reduction):
        loss, dlogits = rnnlib.softmax_cross_entropy(logits, labels, reduction)
        return loss, 2 * dlogits

    result = check(doubled)
    assert not result.passed
    assert "1 of 2 outputs are wrong: dlogits. Right: loss." in result.message
    assert "No known mistake gives exactly this. What the computation shows: it is 2 times the " \
           "reference" in result.message


def test_a_wrong_loss_on_one_case_gives_its_values():
    """A clip of p before the log: wrong only where p_y underflows; a single number has no
    'factor', so the values are given."""
    def clipped(logits, labels, reduction="sum"):
        loss, dlogits = rnnlib.softmax_cross_entropy(logits, labels, reduction)
        p = np.clip(rnnlib.softmax(logits), 1e-12, 1.0)
        scale = 1.0 if reduction == "sum" else 1.0 / labels.size
        return -scale * np.sum(np.eye(logits.shape[-1])[labels] * np.log(p)), dlogits

    message = check(clipped).message
    assert "(right on the other 7 cases: it is wrong only where a logit gap is 800" in message
    assert "What the computation shows: it is 31.0803 where the reference is 803.449" in message
    assert "times the reference" not in message


def test_a_gradient_wrong_only_where_the_softmax_saturates_is_seen():
    def floored(logits, labels, reduction="sum"):
        loss, dlogits = rnnlib.softmax_cross_entropy(logits, labels, reduction)
        p = rnnlib.softmax(logits)
        return loss, np.where(p < 1e-12, dlogits + 0.01, dlogits)

    message = check(floored).message
    assert "it is wrong only where the softmax saturates (a probability below 1e-12" in message
    assert "right on the other 7 cases" in message


def test_a_loss_with_its_sign_flipped_on_one_case_is_still_a_sign():
    def minus(logits, labels, reduction="sum"):
        loss, dlogits = rnnlib.softmax_cross_entropy(logits, labels, reduction)
        return (-loss if reduction == "mean" else loss), dlogits

    message = check(minus).message
    assert "it is exactly -1 times the reference" in message
    assert "where reduction='sum' (nothing is divided" in message


def stub(logits, labels, reduction):
    return ..., ...


def in_place(logits, labels, reduction):
    logits -= logits.max(axis=-1, keepdims=True)
    return rnnlib.softmax_cross_entropy(logits, labels, reduction)


def raises(logits, labels, reduction):
    onehot = np.eye(logits.shape[-1])[labels]
    return 0.0, rnnlib.softmax(logits) - onehot.T


def per_position(logits, labels, reduction):
    log_p = rnnlib.log_softmax(logits)
    return -np.take_along_axis(log_p, labels[..., None], -1)[..., 0], np.exp(log_p)


@pytest.mark.parametrize("fn, words", [
    (stub, "loss is not filled in yet"),
    (in_place, "your function changed its argument number 1 in place"),
    (raises, "your function raised ValueError in the line "
             "`return 0.0, rnnlib.softmax(logits) - onehot.T`"),
    (lambda o, y, r: rnnlib.softmax_cross_entropy(o, y, r)[1],
     "it must return (loss, dlogits), 2 values, but returned a ndarray"),
    (lambda o, y, r: (1.0, 2.0, 3.0), "but returned a tuple of 3 values"),
    (lambda o, y, r: ("a", o), "loss must be a NumPy array of numbers, got str"),
    (per_position, "loss: wrong shape"),
], ids=["stub", "in place", "raises", "one value", "three values", "string", "loss per position"])
def test_broken_functions_get_a_plain_message(fn, words):
    result = check(fn)
    assert not result.passed
    assert words in result.message, result.message
    assert "Traceback" not in result.message


def test_the_in_place_message_speaks_of_the_loss():
    result = check(in_place)
    assert "shifted = logits - logits.max(axis=-1, keepdims=True)" in result.message
    assert "dh_t" not in result.message


def test_the_loss_shape_hint():
    result = check(per_position)
    assert "the loss is one number" in result.message


def test_result_text_and_html():
    no_onehot = next(m for m in ch3.MISTAKES if m.name == "one-hot not subtracted in the gradient")
    good, bad = check(rnnlib.softmax_cross_entropy), check(no_onehot.fn)
    assert str(good).startswith("softmax_cross_entropy: passed.")
    assert str(bad).startswith("softmax_cross_entropy: not yet. 1 of 2 outputs are wrong: dlogits")
    assert 'class="rnn-check rnn-check-fail"' in bad._repr_html_()

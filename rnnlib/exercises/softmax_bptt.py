"""Chapter 3's self-checking exercise: softmax cross-entropy, its loss and its gradient.

The checker runs the learner's ``softmax_cross_entropy(logits, labels, reduction)`` on eight
cases: a batch (B, K), a sequence batch (T, B, K) with both reductions (where dividing by B
instead of T * B shows), two classes (K = 2), logits near 1000 (where a softmax without the max
shift overflows to inf and NaN), a logit gap of 800 (where the true class's probability
underflows to 0, so the log of a softmax is -inf) and rows that differ in scale by hundreds
(where a max shift taken over the whole array instead of each row leaves 0 / 0). It names the
mistake the outputs match.
"""
import functools

import numpy as np

from .._validate import function
from ..losses import log_softmax as rnnlib_log_softmax
from ..losses import softmax_cross_entropy
from ._checker import Case, Mistake, numeric_gradient, run_checks

OUTPUTS = ("loss", "dlogits")


def _unpack(returned):
    """{"loss": ..., "dlogits": ...} from ``(loss, dlogits)``; ValueError in plain words."""
    if not isinstance(returned, tuple) or len(returned) != 2:
        got = (f"a tuple of {len(returned)} values" if isinstance(returned, tuple)
               else f"a {type(returned).__name__}")
        raise ValueError(f"it must return (loss, dlogits), 2 values, but returned {got}.")
    return dict(zip(OUTPUTS, returned))


# ---- the common mistakes, as code ---------------------------------------------------------------

def _onehot(labels, K):
    return (labels[..., None] == np.arange(K)).astype(np.float64)


def _positions(logits):
    return int(np.prod(logits.shape[:-1]))


def _result(logits, labels, reduction, *, log_p=None, p=None, loss_terms=None, grad=None,
            loss_scale=None, grad_scale=None, onehot_sum=False):
    """Loss and gradient from the right pieces unless a piece is given (a wrong version of it).

    ``onehot_sum``: the loss written -sum(onehot * log p), as the formula reads, instead of
    picking -log p_y; the two differ only where log p is -inf or NaN at a class that is not the
    label (0 * -inf is NaN, not 0).
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)
    right_log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    log_p = right_log_p if log_p is None else log_p
    p = np.exp(right_log_p) if p is None else p
    onehot = _onehot(labels, logits.shape[-1])
    scale = 1.0 if reduction == "sum" else 1.0 / _positions(logits)
    if loss_terms is None and onehot_sum:
        loss_terms = -(onehot * log_p)
    elif loss_terms is None:
        loss_terms = -np.take_along_axis(log_p, labels[..., None], axis=-1)
    grad = p - onehot if grad is None else grad
    loss_scale = scale if loss_scale is None else loss_scale
    grad_scale = scale if grad_scale is None else grad_scale
    return float(loss_scale * loss_terms.sum()), grad_scale * grad


def _no_shift(logits, labels, reduction, onehot_sum=False):
    e = np.exp(logits)
    p = e / e.sum(axis=-1, keepdims=True)
    return _result(logits, labels, reduction, log_p=np.log(p), p=p, onehot_sum=onehot_sum)


def _no_shift_logsumexp(logits, labels, reduction):
    e = np.exp(logits)
    log_p = logits - np.log(e.sum(axis=-1, keepdims=True))
    return _result(logits, labels, reduction, log_p=log_p, p=e / e.sum(axis=-1, keepdims=True))


def _mean_as_sum(logits, labels, reduction):
    return _result(logits, labels, reduction, loss_scale=1.0, grad_scale=1.0)


def _mean_over_last_batch_axis(logits, labels, reduction):
    scale = 1.0 if reduction == "sum" else 1.0 / logits.shape[-2]
    return _result(logits, labels, reduction, loss_scale=scale, grad_scale=scale)


def _mean_over_entries(logits, labels, reduction):
    scale = 1.0 if reduction == "sum" else 1.0 / logits.size
    return _result(logits, labels, reduction, loss_scale=scale, grad_scale=scale)


def _grad_not_scaled(logits, labels, reduction):
    return _result(logits, labels, reduction, grad_scale=1.0)


def _no_onehot(logits, labels, reduction):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    return _result(logits, labels, reduction, grad=p)


def _grad_sign(logits, labels, reduction):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    return _result(logits, labels, reduction, grad=_onehot(labels, logits.shape[-1]) - p)


def _probability_not_log(logits, labels, reduction):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    return _result(logits, labels, reduction,
                   loss_terms=-np.take_along_axis(p, labels[..., None], axis=-1))


def _loss_sign(logits, labels, reduction):
    loss, grad = _result(logits, labels, reduction)
    return -loss, grad


def _log_of_softmax(logits, labels, reduction, onehot_sum=False):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    return _result(logits, labels, reduction, log_p=np.log(p), p=p, onehot_sum=onehot_sum)


def _shift_over_all(logits, labels, reduction, onehot_sum=False):
    shifted = logits - logits.max()
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return _result(logits, labels, reduction, log_p=log_p, p=np.exp(log_p),
                   onehot_sum=onehot_sum)


def _shift_over_all_softmax(logits, labels, reduction, onehot_sum=False):
    shifted = logits - logits.max()
    p = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    return _result(logits, labels, reduction, log_p=np.log(p), p=p, onehot_sum=onehot_sum)


def _summed(mistake):
    """The mistake with its loss written -sum(onehot * log p) (see :func:`_result`)."""
    return functools.partial(mistake, onehot_sum=True)


def _wrong_axis(logits, labels, reduction):
    shifted = logits - logits.max(axis=0, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    return _result(logits, labels, reduction, log_p=log_p, p=np.exp(log_p))


MISTAKES = [
    Mistake("max shift missing",
            "exp(o) overflows to inf once a logit passes about 709 (float64), and inf / inf is "
            "NaN. Subtract the largest logit of each position first: shifted = logits - "
            "logits.max(axis=-1, keepdims=True). It changes nothing mathematically, because "
            "exp(-max) cancels between the numerator and the sum.",
            _no_shift, (_summed(_no_shift),)),
    Mistake("max shift missing in the log-sum-exp",
            "log(sum(exp(o))) is inf for logits near 1000, so the loss is inf and the gradient "
            "NaN. Compute it as m + log(sum(exp(o - m))) with m the largest logit of the position.",
            _no_shift_logsumexp),
    Mistake("the log of the softmax taken (log(softmax(o)))",
            "p = softmax(o) is right, but a probability below about 1e-308 underflows to 0 "
            "(e^-800 at a logit gap of 800), and log(0) = -inf, so the loss is inf. Never take "
            "the log of a softmax: log p = o - max(o) - log(sum(exp(o - max(o)))) stays finite.",
            _log_of_softmax, (_summed(_log_of_softmax),)),
    Mistake("max shift taken over the whole array, not each position",
            "logits.max() is one number for all positions; a row far below it (rows that differ "
            "by hundreds) has every exp(o - max) underflow to 0, and log(0) or 0 / 0 follows. "
            "Shift each position by its own largest logit: logits.max(axis=-1, keepdims=True).",
            _shift_over_all, (_summed(_shift_over_all), _shift_over_all_softmax,
                              _summed(_shift_over_all_softmax))),
    Mistake("1/N missing for reduction='mean'",
            "'mean' divides the summed loss by N, the number of positions (all axes but the last: "
            "T * B for a sequence batch), and so the gradient too: dlogits = (p - onehot) / N.",
            _mean_as_sum),
    Mistake("'mean' divides by B, not by all positions",
            "with logits of shape (T, B, K) there are T * B positions; dividing by the batch size "
            "alone leaves the loss T times too large. N = prod(logits.shape[:-1]).",
            _mean_over_last_batch_axis),
    Mistake("'mean' divides by N * K",
            "np.mean over the whole (..., K) array of onehot * log p divides by the K classes too; "
            "the mean is over positions only: sum the K terms of each position, then divide by N.",
            _mean_over_entries),
    Mistake("gradient not divided by N for 'mean'",
            "the loss is divided by N, so its gradient is divided by N too: "
            "dlogits = (p - onehot) / N.",
            _grad_not_scaled),
    Mistake("one-hot not subtracted in the gradient",
            "dL/do_k = p_k - [k == y]: the derivative of -o_y gives the -1 at the true class. "
            "Returning p alone leaves it out (every row of such a gradient sums to 1, not 0).",
            _no_onehot),
    Mistake("gradient sign flipped",
            "dL/do = p - onehot (the loss falls when the true logit rises, so its entry is "
            "negative); onehot - p points uphill.",
            _grad_sign),
    Mistake("probability instead of log-probability in the loss",
            "the loss is -log p_y, the negative log-likelihood; -p_y is bounded and its gradient "
            "is not p - onehot.",
            _probability_not_log),
    Mistake("minus sign of the loss missing",
            "log p_y <= 0, so the loss -log p_y is >= 0; sum(log p_y) is its negative.",
            _loss_sign),
    Mistake("softmax over the wrong axis",
            "the classes are the last axis: logits.max(axis=-1, keepdims=True) and "
            "sum(axis=-1, keepdims=True). axis=0 normalises over the batch (or time) instead.",
            _wrong_axis),
]

SHAPE_HINTS = {
    "loss": "the loss is one number (a float, or an array of shape ()), summed or averaged over "
            "every position.",
    "dlogits": "dlogits has the shape of logits, (..., K): one entry per logit.",
}

# (label, leading shape, K, reduction, scale of the logits, offset of the logits: a number, or
# one per position of a (B, K) batch, or "gap": one position whose true class is 800 below its
# largest logit)
CASES = (
    ("(B, K) = (4, 3), sum", (4,), 3, "sum", 1.5, 0.0),
    ("(B, K) = (5, 4), mean", (5,), 4, "mean", 1.5, 0.0),
    ("(T, B, K) = (3, 2, 5), mean", (3, 2), 5, "mean", 1.5, 0.0),
    ("(T, B, K) = (2, 3, 4), sum", (2, 3), 4, "sum", 1.5, 0.0),
    ("K = 2, (B, K) = (6, 2), mean", (6,), 2, "mean", 2.0, 0.0),
    ("logits near 1000, (B, K) = (3, 4), sum", (3,), 4, "sum", 3.0, 1000.0),
    ("a logit gap of 800, (B, K) = (3, 4), sum", (3,), 4, "sum", 1.5, "gap"),
    ("rows 0, 900, -300, 450, (B, K) = (4, 3), mean", (4,), 3, "mean", 1.5, (0.0, 900.0, -300.0, 450.0)),
)
# What about a case can hide or show a mistake (see Case.traits).
SMALL = ("the logits are small", "|o| < 10, so exp(o) neither overflows nor underflows")
SUM = ("reduction='sum'", "nothing is divided, so a wrong divisor for 'mean' changes nothing")
ONE_AXIS = ("the logits are (B, K)", "B is the number of positions, so dividing by B is right")
LARGE = ("the logits are near 1000", "exp(o) overflows to inf past 709.8 in float64")
GAP = ("a logit gap is 800", "the true class's probability e^-800 underflows to 0 in float64, "
       "and log(0) = -inf")
ROWS = ("the rows differ in scale by hundreds", "exp of a row's logits minus the largest logit "
        "of another row underflows to 0")


def _logits(rng, lead, K, scale, offset, labels):
    """The logits of one case (see CASES)."""
    logits = scale * rng.standard_normal(lead + (K,))
    if isinstance(offset, str):  # "gap": position 0's true class 800 below its largest logit
        logits[0] = 0.0
        logits[0, (labels[0] + 1) % K] = 800.0
        return logits
    return logits + np.reshape(offset, np.shape(offset) + (1,) * (np.ndim(offset) > 0))


def _cases(seed=3):
    rng = np.random.default_rng(seed)
    cases = []
    for label, lead, K, reduction, scale, offset in CASES:
        if isinstance(offset, str):
            labels = rng.integers(0, K, lead)
            logits = _logits(rng, lead, K, scale, offset, labels)
        else:  # the logits first: the draws of the first six cases are as they always were
            logits = _logits(rng, lead, K, scale, offset, None)
            labels = rng.integers(0, K, lead)
        loss, dlogits = softmax_cross_entropy(logits, labels, reduction)
        numeric = {
            # the loss from the definition, position by position in Python floats
            "loss": np.float64(_loss_by_hand(logits, labels, reduction)),
            # a loss of hundreds (the logit gap) leaves round-off of 1e-8 in a step of 1e-6
            "dlogits": numeric_gradient(
                lambda logits: softmax_cross_entropy(logits, labels, reduction)[0],
                {"logits": logits}, eps=1e-4 if np.abs(logits).max() > 100 else 1e-6)["logits"],
        }
        spread = np.ptp(logits.max(axis=-1))
        traits = tuple(trait for trait, holds in (
            (SMALL, np.abs(logits).max() < 10), (SUM, reduction == "sum"),
            (ONE_AXIS, logits.ndim == 2), (LARGE, logits.min() > 709.8),
            (GAP, isinstance(offset, str)), (ROWS, spread > 745)) if holds)
        p = np.exp(rnnlib_log_softmax(logits))
        dims = {"N": int(np.prod(lead)), "K": K} | ({"T": lead[0], "B": lead[1]} if len(lead) == 2
                                                     else {"B": lead[0]})
        cases.append(Case(label, (logits, labels, reduction),
                          {"loss": np.float64(loss), "dlogits": dlogits}, numeric, dims=dims,
                          traits=traits, saturated={"dlogits": (p < 1e-12) | (p > 1 - 1e-12)}))
    return cases


def _loss_by_hand(logits, labels, reduction):
    """-log softmax(o)[y] summed over positions with math.fsum (reduction as asked)."""
    import math

    rows = logits.reshape(-1, logits.shape[-1])
    terms = []
    for row, y in zip(rows, labels.ravel()):
        m = max(row)
        terms.append(-(row[y] - m - math.log(math.fsum(math.exp(v - m) for v in row))))
    total = math.fsum(terms)
    return total if reduction == "sum" else total / len(terms)


IN_PLACE_HINT = ("A loss must leave its inputs as they are: write `shifted = logits - "
                 "logits.max(axis=-1, keepdims=True)`, not `logits -= ...`.")


def check_softmax_cross_entropy(fn):
    """Check a learner's ``softmax_cross_entropy(logits, labels, reduction) -> (loss, dlogits)``.

    ``fn`` gets logits (..., K), integer labels (...) in [0, K) and ``reduction`` ("sum" or
    "mean", over the N = prod(logits.shape[:-1]) positions), as :func:`rnnlib.softmax_cross_entropy`
    does, and must return the loss (a float) and dlogits (..., K):

        log p = o - max(o) - log sum_k exp(o_k - max(o))
        loss = scale * sum over positions of -log p_y,   dlogits = scale * (p - onehot(y))
        scale = 1 ("sum") or 1/N ("mean")

    Returns
    -------
    CheckResult : ``.passed``, ``.message``; shows as an HTML report in a notebook.
    """
    function("fn", fn)  # before the cases are made
    return run_checks(fn, exercise="softmax_cross_entropy", cases=_cases(), unpack=_unpack,
                      mistakes=MISTAKES, shape_hints=SHAPE_HINTS, in_place_hint=IN_PLACE_HINT,
                      saturated_words="the softmax saturates (a probability below 1e-12 or "
                                      "above 1 - 1e-12)")

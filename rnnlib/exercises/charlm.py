"""Chapter 5's self-checking exercise: one sampling step with a temperature.

The learner writes

    sample_step(logits, temperature, rng) -> c
        p = softmax(logits / temperature)          (B, K), each row sums to 1
        c[b] = a draw from p[b] with the Generator rng, for every row b

A draw is random, so no single output can be compared with a reference: the checker calls the
function on many copies of two rows of logits (N draws of each) at several temperatures and
compares the frequencies of the classes with softmax(o / tau) by their total-variation distance
TV(f, p) = (1/2) sum_k |f_k - p_k|. With N = 20 000 draws a right function is within about 0.01
of p; each known mistake (the temperature division missing, the division made after the softmax,
a draw from the logits themselves, the argmax every time) gives frequencies of its own, which the
checker computes by running the mistake as code, and names the one whose frequencies the
learner's match. A mistake that makes NumPy raise (``rng.choice`` refuses probabilities that do
not sum to 1 or are negative) is named from the error.
"""
import numpy as np

from .._validate import function
from ._checker import Case, CheckResult, Mistake, _call, _Wrong

N = 20000          # draws of each row per case
MATCH_TV = 0.03    # a function whose frequencies are this close matches (noise is about 0.01)
# (label, two rows of logits, temperature): tau < 1 and tau > 1 show a wrong temperature; at
# tau = 1 it hides (and a draw from softmax(o) is right there).
CASES = (("tau = 0.5, K = 4", [[1.0, -0.5, 0.4, 0.0], [-1.0, 0.2, 0.1, 0.6]], 0.5),
         ("tau = 2, K = 4", [[1.0, -0.5, 0.4, 0.0], [-1.0, 0.2, 0.1, 0.6]], 2.0),
         ("tau = 1, K = 3", [[0.3, -0.8, 0.5], [1.2, 0.0, -0.4]], 1.0))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _by_rows(p, rng):
    """One rng.choice per row, as a learner would write it."""
    return np.array([rng.choice(len(row), p=row) for row in p])


def _inverse_cdf(p, rng):
    """The same draw by the inverse of the cumulative sum (no check that p is a distribution)."""
    u = rng.random(len(p))
    return np.minimum((np.cumsum(p, axis=1) <= u[:, None]).sum(axis=1), p.shape[1] - 1)


def _reference(logits, temperature, seed):
    return _by_rows(_softmax(logits / temperature), np.random.default_rng(seed))


MISTAKES = [
    Mistake("the temperature division missing",
            "The draw is from softmax(o), the model's own distribution, whatever the temperature; "
            "divide the logits by the temperature first: softmax(logits / temperature).",
            lambda o, tau, seed: _inverse_cdf(_softmax(o), np.random.default_rng(seed)),
            (lambda o, tau, seed: _by_rows(_softmax(o), np.random.default_rng(seed)),)),
    Mistake("the temperature applied after the softmax",
            "softmax(o) / temperature is not a distribution (its rows sum to 1 / temperature), "
            "and no rescaling of the probabilities sharpens or flattens them; the temperature "
            "divides the logits, before the softmax: softmax(logits / temperature).",
            lambda o, tau, seed: _inverse_cdf(_softmax(o) / tau, np.random.default_rng(seed)),
            (lambda o, tau, seed: _by_rows(_softmax(o) / tau, np.random.default_rng(seed)),)),
    Mistake("a draw from the logits instead of the probabilities",
            "Logits are any real numbers (negative ones too) and do not sum to 1; the draw is from "
            "the probabilities softmax(logits / temperature).",
            lambda o, tau, seed: _inverse_cdf(o / tau, np.random.default_rng(seed)),
            (lambda o, tau, seed: _by_rows(o / tau, np.random.default_rng(seed)),
             lambda o, tau, seed: _by_rows(o, np.random.default_rng(seed)))),
    Mistake("the argmax every time",
            "Always taking the most likely class is the limit temperature -> 0 (greedy decoding), "
            "not a draw: sampling picks class k with probability p_k, using the Generator.",
            lambda o, tau, seed: o.argmax(axis=1)),
]


def _frequencies(c, rows, K):
    """(rows, K) class frequencies of the draws c (rows * N,), row r at positions r, r + rows, ..."""
    return np.stack([np.bincount(c[r::rows].astype(np.int64), minlength=K)[:K] / (len(c) // rows)
                     for r in range(rows)])


def _tv(f, p):
    return float(0.5 * np.abs(f - p).sum(axis=1).max())


def check_sample_step(fn):
    """Check a learner's sampling step ``fn(logits, temperature, rng) -> c``.

    logits (B, K), temperature > 0, rng a numpy.random.Generator; c (B,) ints in [0, K), c[b]
    drawn from softmax(logits[b] / temperature). The frequencies of N = 20 000 draws of each of
    two rows are compared with softmax(o / tau) on three cases (tau = 0.5, 2 and 1) by the total
    variation distance, and with the frequencies of each known mistake.

    Returns
    -------
    CheckResult : passed, or the largest distance and the mistake the draws match.
    """
    function("fn", fn)
    exercise = "sample_step"
    learner = lambda o, tau, seed: fn(o, tau, np.random.default_rng(seed))  # noqa: E731
    runs, distances = [], []
    for i, (label, rows, tau) in enumerate(CASES):
        rows = np.array(rows)
        logits = np.tile(rows, (N, 1))
        case = Case(label, (logits, tau, 100 + i), {}, {})
        try:
            c = _call(learner, exercise, case, lambda r: {"c": r}, MISTAKES,
                      "A sampling step must leave the logits as they are: write "
                      "`z = logits / temperature`, not `logits /= temperature`.")["c"]
        except _Wrong as wrong:
            return CheckResult(exercise, False, str(wrong))
        K = rows.shape[1]
        if c.shape != (len(logits),):
            return CheckResult(exercise, False, f"c must have shape (B,) = ({len(logits)},), one "
                               f"class per row of logits; got {c.shape} (case {label}).")
        if not (np.all(c == np.round(c)) and c.min() >= 0 and c.max() < K):
            return CheckResult(exercise, False, f"c must hold class indices, integers in [0, {K}); "
                               f"got values from {c.min():g} to {c.max():g} (case {label}).")
        f = _frequencies(c, len(rows), K)
        distances.append(_tv(f, _softmax(rows / tau)))
        runs.append((case, rows, tau, f))
    if max(distances) <= MATCH_TV:
        return CheckResult(exercise, True, (
            f"the frequencies of {N} draws per row match softmax(logits / temperature) on "
            f"{len(CASES)} cases ({'; '.join(c[0] for c in CASES)}): the largest total-variation "
            f"distance, (1/2) sum_k |frequency_k - p_k|, is {max(distances):.3f} (sampling noise "
            f"alone gives about 0.01)."))
    worst = int(np.argmax(distances))
    message = (f"the frequencies of your draws do not follow softmax(logits / temperature): "
               f"their total-variation distance, (1/2) sum_k |frequency_k - p_k|, is "
               f"{distances[worst]:.3f} on case {CASES[worst][0]} (sampling noise alone gives "
               f"about 0.01).")
    named = _matching(runs)
    if named is not None:
        return CheckResult(exercise, False, f"{message}\nMost likely cause: {named.name}. "
                                            f"{named.cause}")
    right = [c.label for (c, *_), d in zip(runs, distances) if d <= MATCH_TV]
    hint = (f" They are right at {', '.join(right)} and wrong at the others: look at how the "
            "temperature enters." if right else "")
    if all(np.isclose(f.max(axis=1), 1.0).all() for *_, f in runs):
        hint = (" Every row gives the same class every time: nothing is drawn from the Generator "
                "(or the same number is drawn over and over).")
    return CheckResult(exercise, False, message + hint)


def _matching(runs):
    """The mistake whose frequencies are within MATCH_TV of the learner's on every case."""
    for mistake in MISTAKES:
        ok = True
        for case, rows, tau, f in runs:
            expected = None
            for variant in (mistake.fn, *mistake.variants):
                try:
                    with np.errstate(all="ignore"):
                        c = np.asarray(variant(*case.args))
                    expected = _frequencies(c, len(rows), rows.shape[1])
                    break
                except Exception:  # noqa: BLE001 - a variant that cannot run does not match
                    continue
            if expected is None or _tv(f, expected) > MATCH_TV:
                ok = False
                break
        if ok:
            return mistake
    return None

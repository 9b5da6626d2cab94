"""Chapter 7's self-checking exercise: clipping the global gradient norm.

The learner writes

    clip_global(grads, max_norm) -> clipped
        norm = sqrt(sum over every array and entry of g^2)
        clipped[k] = grads[k] * min(1, max_norm / norm)   for every key k

and :func:`check_clip_global` compares the result with :func:`rnnlib.clip_grad_norm` on four
cases: several arrays above the threshold, one array far larger than the others (clipped
alone it shrinks far more than the others), a norm below the threshold (nothing may change),
and entries all below the threshold whose global norm is above it (clipping each entry changes
nothing there).
"""
import numpy as np

from .._validate import function
from ..optim import clip_grad_norm
from ._checker import Case, Mistake, run_checks

IN_PLACE_HINT = ("Clipping must return new arrays and leave grads as it is: write "
                 "`{k: g * scale for k, g in grads.items()}`, not `g *= scale`.")


def _per_array(grads, max_norm):
    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}


def _per_entry(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}


def _always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g * (max_norm / norm) for k, g in grads.items()}


MISTAKES = [
    Mistake("each array clipped by its own norm",
            "Each array was rescaled to its own norm, so arrays are shrunk by different factors "
            "and the whole gradient changes direction; compute one norm over every array and "
            "entry, sqrt(sum_k sum g_k^2), and scale all arrays by the same min(1, max_norm / "
            "norm).", _per_array),
    Mistake("each entry clipped to [-max_norm, max_norm]",
            "Clipping each entry (np.clip) changes the gradient's direction: the large entries "
            "shrink and the small ones stay. Global-norm clipping multiplies every entry by the "
            "same factor min(1, max_norm / norm).", _per_entry),
    Mistake("rescaled also when the norm is below max_norm",
            "The gradient was set to norm max_norm even when it was smaller, which enlarges "
            "small gradients; the factor is min(1, max_norm / norm): a gradient already inside "
            "the ball is left as it is.", _always),
]

KEYS = ("W_xh", "W_hh", "b_h")


def _unpack(returned):
    if not isinstance(returned, dict):
        raise ValueError(f"it must return the dict of clipped gradients, got a "
                         f"{type(returned).__name__}.")
    missing = [k for k in KEYS if k not in returned]
    if missing:
        raise ValueError(f"the returned dict has no key {missing[0]!r}; it needs the keys of "
                         f"grads, {list(KEYS)}.")
    return {f"clipped['{k}']": returned[k] for k in KEYS}


def _case(label, grads, max_norm, traits=()):
    args = (grads, max_norm)
    expected = {f"clipped['{k}']": g for k, g in clip_grad_norm(grads, max_norm)[0].items()}
    return Case(label, args, expected, {}, traits=traits)


def _cases(seed=7):
    rng = np.random.default_rng(seed)
    shapes = {"W_xh": (2, 3), "W_hh": (3, 3), "b_h": (3,)}
    several = {k: c * rng.standard_normal(s) for (k, s), c in zip(shapes.items(), (3.0, 0.2, 0.1))}
    dominated = {k: c * rng.standard_normal(s) for (k, s), c in zip(shapes.items(), (0.01, 5.0, 0.02))}
    small = {k: 0.05 * rng.standard_normal(s) for k, s in shapes.items()}
    spread = {k: 0.4 * np.sign(rng.standard_normal(s)) for k, s in shapes.items()}
    return [
        _case("three arrays, global norm above max_norm = 1", several, 1.0),
        _case("W_hh far larger than the others, global norm above max_norm = 2", dominated, 2.0),
        _case("three arrays, global norm below max_norm = 1", small, 1.0,
              (("norm below max_norm", "below the threshold nothing may change"),)),
        _case("every entry 0.4 in size, global norm above max_norm = 1", spread, 1.0,
              (("entries below max_norm", "np.clip leaves entries inside [-1, 1] alone"),)),
    ]


def check_clip_global(fn):
    """Check a learner's global-norm clipping.

    ``fn(grads, max_norm) -> clipped`` gets a dict of gradient arrays and a float max_norm > 0
    and returns a new dict with the same keys and shapes:

        norm = sqrt(sum_k sum g_k^2),   clipped[k] = g_k * min(1, max_norm / norm)

    Compared with :func:`rnnlib.clip_grad_norm` on four cases (several arrays above the
    threshold, one array far larger than the others, a norm below the threshold, entries all below the threshold but the
    global norm above it); names clipping each array by its own norm, clipping each entry, and
    rescaling a gradient whose norm is already below max_norm.

    Returns
    -------
    CheckResult : passed, or which arrays are wrong and the mistake they match.
    """
    function("fn", fn)
    return run_checks(fn, exercise="clip_global", cases=_cases(), unpack=_unpack,
                      mistakes=MISTAKES, in_place_hint=IN_PLACE_HINT)

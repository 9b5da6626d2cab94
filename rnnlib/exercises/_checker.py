"""The machinery every exercise checker shares: run the learner's function safely on several
cases, compare each output with the reference and with finite differences, and name the mistake.

A checker is a list of :class:`Case` (the arguments, the reference outputs, the finite-difference
outputs) and a list of :class:`Mistake` (common wrong versions of the function, written as code).
:func:`run_checks` calls the learner's function on every case and returns a :class:`CheckResult`.
A wrong output is diagnosed by computation: the mistakes whose outputs equal the learner's on
every case are the candidates, and the one that explains the most wrong outputs is named.
"""
from __future__ import annotations

import copy
import html
import os
import traceback
from typing import Callable, NamedTuple

import numpy as np

from .._validate import function

# Two arrays "match" when their relative error is below this: far above round-off (1e-12),
# far below any real mistake (1e-2 and more).
MATCH = 1e-6
HERE = os.path.dirname(os.path.abspath(__file__))


class Case(NamedTuple):
    """One call of the learner's function and the outputs it should give."""

    label: str       # e.g. "B=1, D=3, H=4", shown in messages
    args: tuple      # the arguments; every call gets a deep copy
    expected: dict   # output name -> reference array
    numeric: dict    # output name -> the same gradient by centred finite differences


class Mistake(NamedTuple):
    """A common wrong version of the function, as code."""

    name: str        # short, e.g. "tanh' missing"
    cause: str       # one or two sentences: what was done and what is right
    fn: Callable     # same signature and outputs as the function under check


class CheckResult:
    """The verdict of a checker: ``passed`` (bool) and ``message`` (plain words).

    ``print(result)`` gives the message; in a notebook the result shows as a short HTML report.
    """

    def __init__(self, exercise: str, passed: bool, message: str):
        self.exercise, self.passed, self.message = exercise, passed, message

    def __bool__(self):
        return self.passed

    def __str__(self):
        return f"{self.exercise}: {'passed' if self.passed else 'not yet'}. {self.message}"

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        colour, mark = ("#1a7f37", "passed") if self.passed else ("#b3261e", "not yet")
        title, _, body = self.message.partition("\n")
        return (f'<div class="rnn-check rnn-check-{"pass" if self.passed else "fail"}" '
                f'style="border-left:4px solid {colour};padding:0.3em 0.8em;margin:0.5em 0">'
                f'<strong style="color:{colour}">{html.escape(self.exercise)}: {mark}.</strong> '
                f'{html.escape(title)}'
                f'<pre style="white-space:pre-wrap;margin:0.4em 0 0">{html.escape(body.strip())}</pre>'
                f"</div>")


class _Wrong(Exception):
    """The learner's function failed in a way that ends the check early; ``str`` says how."""


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||), 0 when both are zero; inf where only one of them is finite,
    and NaN/inf entries compare equal only to the same NaN/inf."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    finite_a, finite_b = np.isfinite(a), np.isfinite(b)
    if not (finite_a.all() and finite_b.all()):
        same = np.array_equal(finite_a, finite_b) and np.array_equal(a[~finite_a], b[~finite_b],
                                                                     equal_nan=True)
        if not same:
            return np.inf
        a, b = a[finite_a], b[finite_b]
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def run_checks(fn, *, exercise, cases, unpack, mistakes, shape_hints=None, in_place_hint=None,
               hidden_hint=None):
    """Run ``fn`` on every case and judge its outputs.

    Parameters
    ----------
    fn : the learner's function.
    exercise : str, its name in messages (e.g. "rnn_step_backward").
    cases : list of :class:`Case`.
    unpack : callable, ``unpack(returned) -> {output name: value}`` in a fixed order; raises
        ``ValueError`` with a plain message if the structure is wrong (wrong count, not a dict).
    mistakes : list of :class:`Mistake`.
    shape_hints : dict, output name -> what to say when its shape is wrong, optional.
    in_place_hint : str, what to say when ``fn`` changes an argument in place, optional (the
        default speaks of a backward function's dh and cache).
    hidden_hint : str, examples of why a mistake can change nothing on some cases, optional (the
        default: a transpose of a 1 x 1 array, a mean over B = 1).

    Returns
    -------
    CheckResult
    """
    function("fn", fn)
    shape_hints = shape_hints or {}
    outputs = {}  # case label -> {name: array}
    try:
        for case in cases:
            outputs[case.label] = _call(fn, exercise, case, unpack, mistakes, in_place_hint)
    except _Wrong as wrong:
        return CheckResult(exercise, False, str(wrong))

    names = list(cases[0].expected)
    problems = {}  # name -> (kind, detail, cases where wrong)
    for name in names:
        bad_shape = [c for c in cases if outputs[c.label][name].shape != c.expected[name].shape]
        if bad_shape:
            c = bad_shape[0]
            problems[name] = ("shape", f"shape {outputs[c.label][name].shape}, expected "
                              f"{c.expected[name].shape} (case {c.label})", bad_shape)
            continue
        errors = {c.label: relative_error(outputs[c.label][name], c.expected[name]) for c in cases}
        wrong = [c for c in cases if errors[c.label] > MATCH]
        if wrong:
            c = wrong[0]
            if not np.isfinite(outputs[c.label][name]).all():
                detail = (f"it contains NaN or inf where the reference is finite (case "
                          f"{c.label})")
            else:
                fd = relative_error(outputs[c.label][name], c.numeric[name])
                detail = (f"relative error {errors[c.label]:.2g} against the reference and "
                          f"{fd:.2g} against finite differences (case {c.label})")
            problems[name] = ("values", detail, wrong)
    if not problems:
        worst = max(relative_error(outputs[c.label][n], c.numeric[n]) for c in cases for n in names)
        labels = "; ".join(c.label for c in cases)
        return CheckResult(exercise, True, (
            f"all {len(names)} outputs ({', '.join(names)}) match the reference on {len(cases)} "
            f"cases ({labels}); the largest relative error against finite differences is "
            f"{worst:.1g}."))
    return CheckResult(exercise, False, _report(exercise, cases, outputs, names, problems,
                                                 mistakes, unpack, shape_hints, hidden_hint))


IN_PLACE_HINT = ("A backward function must leave dh and the cache as they are: write "
                 "`da = dh_t * ...`, not `dh_t *= ...`, and never assign into the cache.")


def _call(fn, exercise, case, unpack, mistakes, in_place_hint=None):
    """The learner's outputs on one case as {name: float array}; _Wrong on any failure."""
    args = copy.deepcopy(case.args)
    before = copy.deepcopy(case.args)
    try:
        with np.errstate(all="ignore"):  # an overflow shows as inf/NaN in the outputs, not as a warning
            returned = fn(*args)
    except Exception as exc:  # noqa: BLE001 - any failure of the learner's code is reported
        raise _Wrong(_raised(exercise, case, exc, mistakes)) from None
    changed = [i for i, (a, b) in enumerate(zip(args, before)) if not _same(a, b)]
    if changed:
        raise _Wrong(
            f"your function changed its argument number {changed[0] + 1} in place (case "
            f"{case.label}).\n{in_place_hint or IN_PLACE_HINT}")
    try:
        values = unpack(returned)
    except ValueError as exc:
        raise _Wrong(f"it returned the wrong kind of result: {exc}") from None
    arrays = {}
    for name, value in values.items():
        if value is None or value is Ellipsis:
            raise _Wrong(f"{name} is not filled in yet: your function returns {value!r} for it.")
        try:
            arrays[name] = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise _Wrong(f"{name} must be a NumPy array of numbers, got "
                         f"{type(value).__name__}.") from None
    return arrays


def _raised(exercise, case, exc, mistakes):
    """A plain account of an exception raised by the learner's code, with the mistake that
    raises the same error on the same case, if one does."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith(HERE)]
    where = ""
    if frames:
        last = frames[-1]
        where = f" in the line `{(last.line or '').strip()}`"
    hint = ""
    text = str(exc)
    same = [m for m in mistakes if _raises_like(m, case, exc)]
    if same:
        hint = f"\nMost likely cause: {same[0].name}. {same[0].cause}"
    elif "matmul" in text or "shapes" in text and "aligned" in text or "broadcast" in text:
        hint = ("\nMost likely cause: a matrix product or a sum of arrays whose shapes do not fit. "
                "Write the shape under each factor: the gradient of X has the shape of X, so a "
                "transpose is usually what is missing.")
    return (f"your function raised {type(exc).__name__}{where} (case {case.label}):\n"
            f"    {text}{hint}")


def _raises_like(mistake, case, exc):
    """True if ``mistake`` raises an exception of the same type and message on ``case``."""
    try:
        with np.errstate(all="ignore"):
            mistake.fn(*copy.deepcopy(case.args))
    except Exception as other:  # noqa: BLE001
        return type(other) is type(exc) and str(other) == str(exc)
    return False


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=True)))
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _matches(mistake, name, cases, outputs, unpack):
    """True if the learner's output ``name`` equals the mistake's on every case."""
    for case in cases:
        try:
            with np.errstate(all="ignore"):
                theirs = np.asarray(unpack(mistake.fn(*copy.deepcopy(case.args)))[name], np.float64)
        except Exception:  # noqa: BLE001 - a mistake that cannot run on this case does not match
            return False
        mine = outputs[case.label][name]
        if theirs.shape != mine.shape or relative_error(theirs, mine) > MATCH:
            return False
    return True


HIDDEN_HINT = "e.g. a transpose of a 1 x 1 array or a mean over B = 1"


def _report(exercise, cases, outputs, names, problems, mistakes, unpack, shape_hints,
            hidden_hint=None):
    """The message for a failed check: each wrong output, and the mistake that explains it."""
    fits = {m.name: {n for n in names if _matches(m, n, cases, outputs, unpack)} for m in mistakes}
    # Name first the mistake that explains the most wrong outputs (ties: the one that also
    # reproduces the most of the learner's right outputs), then the next, ...
    order = sorted(mistakes, key=lambda m: (-len(fits[m.name] & set(problems)), -len(fits[m.name])))
    cause_of, left = {}, set(problems)
    for m in order:
        covered = left & fits[m.name]
        if covered:
            cause_of.update({n: m for n in covered})
            left -= covered
    right = [n for n in names if n not in problems]
    lines = [f"{len(problems)} of {len(names)} outputs are wrong: {', '.join(problems)}."
             + (f" Right: {', '.join(right)}." if right else "")]
    for name, (kind, detail, wrong_cases) in problems.items():
        lines.append("")
        lines.append(f"{name}: wrong {kind}, {detail}.")
        if len(wrong_cases) < len(cases):
            good = [c.label for c in cases if c not in wrong_cases]
            lines.append(f"  (right on {'; '.join(good)}: there the mistake happens to change "
                         f"nothing, {hidden_hint or HIDDEN_HINT})")
        mistake = cause_of.get(name)
        if mistake is not None:
            lines.append(f"  Most likely cause: {mistake.name}. {mistake.cause}")
        elif kind == "shape" and name in shape_hints:
            lines.append(f"  {shape_hints[name]}")
        else:
            lines.append("  No common mistake gives exactly this; compare this line with its "
                         "equation, writing the shape under every factor.")
    return "\n".join(lines)


def numeric_gradient(loss, arrays, eps=1e-6):
    """{name: d loss / d arrays[name]} by centred differences; ``loss(**arrays)`` must return a
    float and is called on perturbed copies (``arrays`` are left as they are)."""
    grads = {}
    for name, value in arrays.items():
        value = np.asarray(value, np.float64)
        grad = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            step = np.zeros_like(value)
            step[i] = eps
            plus = loss(**{**arrays, name: value + step})
            minus = loss(**{**arrays, name: value - step})
            grad[i] = (plus - minus) / (2 * eps)
        grads[name] = grad
    return grads

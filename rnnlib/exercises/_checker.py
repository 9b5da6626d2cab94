"""The machinery every exercise checker shares: run the learner's function safely on several
cases, compare each output with the reference and with finite differences, and name the mistake.

A checker is a list of :class:`Case` (the arguments, the reference outputs, the finite-difference
outputs) and a list of :class:`Mistake` (common wrong versions of the function, written as code).
:func:`run_checks` calls the learner's function on every case and returns a :class:`CheckResult`.
A wrong output is diagnosed by computation: the mistakes whose outputs equal the learner's on
every case are the candidates, and the one that explains the most wrong outputs is named. When no
known mistake matches, :func:`diagnose` says what the difference looks like: on which cases the
output is wrong, whether it is the reference times -1, times a constant (or times 1/B, 1/T, ...),
its transpose, right up to sign, wrong at one time step only or shifted in time, or wrong only
where an activation saturates.

Relative errors are ||a - b|| / (||a|| + ||b||) (:func:`relative_error`); an error that is NaN or
inf is a mismatch, never a match.
"""
from __future__ import annotations

import copy
import html
import os
import sysconfig
import traceback
from typing import Callable, NamedTuple

import numpy as np

from .._validate import function
from ..gradcheck import _relative_error

# Two arrays "match" when their relative error is below this: far above round-off (1e-12),
# far below any real mistake (1e-2 and more).
MATCH = 1e-6
HERE = os.path.dirname(os.path.abspath(__file__))
# Where code that is not the learner's lives: rnnlib itself, installed packages, the standard
# library. An error raised there is reported at the learner's line that led to it.
LIBRARY = tuple({os.path.dirname(HERE), *(sysconfig.get_paths()[k] for k in ("purelib", "platlib",
                                                                              "stdlib"))})
# What a function that changed an argument in place is told, unless told otherwise.
IN_PLACE_HINT = ("A backward function must leave dh and the cache as they are: write "
                 "`da = dh_t * ...`, not `dh_t *= ...`, and never assign into the cache.")


class Case(NamedTuple):
    """One call of the learner's function and the outputs it should give."""

    label: str       # e.g. "B=1, D=3, H=4", shown in messages
    args: tuple      # the arguments; every call gets a deep copy
    expected: dict   # output name -> reference array
    numeric: dict    # output name -> the same gradient by centred finite differences (only
                     # for outputs that are gradients; a forward pass's outputs have none)
    dims: dict = {}  # size letter -> size, e.g. {"B": 1, "H": 4}: a wrong factor is named by them
    traits: tuple = ()  # (condition, fact) pairs that can hide or show a mistake on this case,
                        # e.g. ("B = 1", "one example, so a sum or mean over the batch changes
                        # nothing"); said when the condition separates right cases from wrong
    saturated: dict = {}  # output name -> bool array of its shape, True where an activation
                          # saturates (a probability near 0 or 1, |tanh| near 1)


class Mistake(NamedTuple):
    """A common wrong version of the function, as code."""

    name: str        # short, e.g. "tanh' missing"
    cause: str       # one or two sentences: what was done and what is right
    fn: Callable     # same signature and outputs as the function under check
    variants: tuple = ()  # other ways of writing the same mistake whose outputs differ where
                          # they overflow (NaN in one, inf in another); each is matched too


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
                + (f'<pre style="white-space:pre-wrap;margin:0.4em 0 0">{html.escape(body.strip())}'
                   f'</pre>' if body.strip() else "")
                + "</div>")


class _Wrong(Exception):
    """The learner's function failed in a way that ends the check early; ``str`` says how."""


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||) of two arrays of one shape, in [0, 1]; 0 when both are zero.

    Entries that are NaN or inf compare equal only to the same NaN or inf at the same place
    (a mistake that overflows where the learner's code overflows matches it); anywhere else a
    non-finite entry makes the error inf. Huge or tiny finite entries neither overflow nor
    underflow (see :func:`rnnlib.relative_error`), so the error is never NaN.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    finite_a, finite_b = np.isfinite(a), np.isfinite(b)
    if not (finite_a.all() and finite_b.all()):
        same = np.array_equal(finite_a, finite_b) and np.array_equal(a[~finite_a], b[~finite_b],
                                                                     equal_nan=True)
        if not same:
            return np.inf
        a, b = a[finite_a], b[finite_b]
    return _relative_error(a, b)


def close(a, b):
    """True when ``relative_error(a, b) <= MATCH``; a NaN or inf error is never close."""
    return bool(relative_error(a, b) <= MATCH)


def run_checks(fn, *, exercise, cases, unpack, mistakes, shape_hints=None, in_place_hint=None,
               name="fn", time_axes=None, saturated_words="an activation saturates"):
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
    in_place_hint : str, optional; what to say to a function that changed an argument in place
        (default: :data:`IN_PLACE_HINT`, for a backward function).
    name : str, the name of ``fn`` in the TypeError raised when it is not a function.
    time_axes : dict, output name -> its time axis (e.g. ``{"h": 0}`` for h (T, B, H)), optional:
        :func:`diagnose` looks for wrong steps along it.
    saturated_words : str, what a case's ``saturated`` masks mark, in the sentence "wrong only
        where ...".

    Returns
    -------
    CheckResult
    """
    function(name, fn)
    shape_hints = shape_hints or {}
    outputs = {}  # case label -> {name: array}
    try:
        for case in cases:
            outputs[case.label] = _call(fn, exercise, case, unpack, mistakes,
                                        in_place_hint or IN_PLACE_HINT)
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
        wrong = [c for c in cases if not errors[c.label] <= MATCH]  # NaN and inf are wrong
        if wrong:
            c = wrong[0]
            if not np.isfinite(outputs[c.label][name]).all():
                detail = (f"it contains NaN or inf where the reference is finite (case "
                          f"{c.label})")
            elif name in c.numeric:
                fd = relative_error(outputs[c.label][name], c.numeric[name])
                detail = (f"relative error {errors[c.label]:.2g} against the reference and "
                          f"{fd:.2g} against finite differences (case {c.label})")
            else:
                detail = f"relative error {errors[c.label]:.2g} against the reference (case {c.label})"
            problems[name] = ("values", detail, wrong)
    if not problems:
        labels = "; ".join(c.label for c in cases)
        outputs_match = (f"the output {names[0]} matches" if len(names) == 1 else
                         f"all {len(names)} outputs ({', '.join(names)}) match")
        message = f"{outputs_match} the reference on {len(cases)} cases ({labels})"
        numeric = [relative_error(outputs[c.label][n], c.numeric[n])
                   for c in cases for n in names if n in c.numeric]
        if numeric:
            message += (f"; the largest relative error against finite differences, "
                        f"||yours - finite differences|| / (||yours|| + ||finite differences||), "
                        f"is {max(numeric):.1g}")
        return CheckResult(exercise, True, message + ".")
    return CheckResult(exercise, False, _report(cases, outputs, names, problems, mistakes, unpack,
                                                 shape_hints, time_axes or {}, saturated_words))


def combine(exercise, results):
    """One :class:`CheckResult` for an exercise made of several functions.

    It passes when every part passes; its first line gives each part's verdict, the rest each
    part's message.

    Parameters
    ----------
    exercise : str, the exercise's name in messages.
    results : list of CheckResult, one per function.

    Returns
    -------
    CheckResult
    """
    verdicts = "; ".join(f"{r.exercise} {'passed' if r.passed else 'not yet'}" for r in results)
    body = "\n\n".join(f"{r.exercise}: {r.message}" for r in results)
    return CheckResult(exercise, all(r.passed for r in results), f"{verdicts}.\n{body}")


def unpack_result(returned, names, signature):
    """{name: value} from a result ``(array, ..., grads)``.

    ``names`` lists the outputs in order, the gradients last as ``"grads['W_xh']"``, ...; the
    plain names are the arrays before the dict ``grads``. Raises ValueError in plain words if the
    result does not have the structure ``signature`` describes (e.g. "(dx_t, dh_prev, grads)").
    """
    count = len(names) - len([n for n in names if n.startswith("grads[")]) + 1
    if not isinstance(returned, tuple) or len(returned) != count:
        got = (f"a tuple of {len(returned)} values" if isinstance(returned, tuple)
               else f"a {type(returned).__name__}")
        raise ValueError(f"it must return {signature}, {count} values, but returned {got}.")
    *arrays, grads = returned
    keys = [n[len("grads['"):-2] for n in names if n.startswith("grads[")]
    if not isinstance(grads, dict):
        raise ValueError(f"the last returned value must be the dict grads with keys {keys}, "
                         f"got a {type(grads).__name__}.")
    missing = [k for k in keys if k not in grads]
    if missing:
        raise ValueError(f"grads has no key {missing[0]!r}; it needs {keys}.")
    plain = [n for n in names if not n.startswith("grads[")]
    return {**dict(zip(plain, arrays)), **{f"grads['{k}']": grads[k] for k in keys}}


def _call(fn, exercise, case, unpack, mistakes, in_place_hint=IN_PLACE_HINT):
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
            f"{case.label}).\n{in_place_hint}")
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
              if not f.filename.startswith(LIBRARY)]
    where = ""
    if frames:
        last = frames[-1]
        where = f" in the line `{(last.line or '').strip()}`"
    hint = ""
    text = str(exc)
    same = [m for m in mistakes if _raises_like(m, case, exc)]
    if same:
        hint = f"\nMost likely cause: {same[0].name}. {_sentence(same[0].cause)}"
    elif "matmul" in text or "shapes" in text and "aligned" in text or "broadcast" in text:
        hint = ("\nMost likely cause: a matrix product or a sum of arrays whose shapes do not fit. "
                "Write the shape under each factor: the gradient of X has the shape of X, so a "
                "transpose is usually what is missing.")
    return (f"your function raised {type(exc).__name__}{where} (case {case.label}):\n"
            f"    {text}{hint}")


def _raises_like(mistake, case, exc):
    """True if ``mistake`` raises an exception of the same type and message on ``case``."""
    for fn in (mistake.fn, *mistake.variants):
        try:
            with np.errstate(all="ignore"):
                fn(*copy.deepcopy(case.args))
        except Exception as other:  # noqa: BLE001
            if type(other) is type(exc) and str(other) == str(exc):
                return True
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


def _run(fn, cases, unpack):
    """{case label: {output name: float array}} of ``fn`` (a mistake) on every case; None if it
    cannot run on one of them."""
    runs = {}
    for case in cases:
        try:
            with np.errstate(all="ignore"):
                runs[case.label] = {k: np.asarray(v, np.float64)
                                    for k, v in unpack(fn(*copy.deepcopy(case.args))).items()}
        except Exception:  # noqa: BLE001 - a mistake that cannot run on a case does not match
            return None
    return runs


def _fits(mistake, names, cases, outputs, unpack):
    """The outputs in ``names`` that equal the mistake's (one of its variants') on every case."""
    fits = set()
    for fn in (mistake.fn, *mistake.variants):
        runs = _run(fn, cases, unpack)
        if runs is None:
            continue
        fits |= {n for n in names if all(
            runs[c.label][n].shape == outputs[c.label][n].shape
            and close(runs[c.label][n], outputs[c.label][n]) for c in cases)}
    return fits


def _report(cases, outputs, names, problems, mistakes, unpack, shape_hints, time_axes,
            saturated_words):
    """The message for a failed check: each wrong output, and the mistake that explains it (or,
    when none does, what the difference looks like)."""
    fits = {m.name: _fits(m, names, cases, outputs, unpack) for m in mistakes}
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
    lines = [f"the output {names[0]} is wrong." if len(names) == 1 else
             f"{len(problems)} of {len(names)} outputs are wrong: {', '.join(problems)}."
             + (f" Right: {', '.join(right)}." if right else "")]
    for name, (kind, detail, wrong_cases) in problems.items():
        lines.append("")
        lines.append(f"{name}: wrong {kind}, {detail}.")
        if len(wrong_cases) < len(cases):
            lines.append(f"  ({_right_on(cases, wrong_cases)})")
        mistake = cause_of.get(name)
        if mistake is not None:
            lines.append(f"  Most likely cause: {mistake.name}. {_sentence(mistake.cause)}")
            continue
        if kind == "shape":
            c = wrong_cases[0]
            if outputs[c.label][name].shape == c.expected[name].shape[::-1] != c.expected[name].shape:
                lines.append("  Its shape is the expected one reversed: a transpose, or the "
                             "factors of a product in swapped order.")
            if name in shape_hints:
                lines.append(f"  {shape_hints[name]}")
            continue
        lines.append("  No known mistake gives exactly this. What the computation shows: "
                     + diagnose(name, cases, wrong_cases, outputs, time_axes.get(name),
                                saturated_words))
    if any("relative error" in line for line in lines):
        lines += ["", "A relative error is ||yours - reference|| / (||yours|| + ||reference||): "
                  "0 when they are equal, 1 when one of them is 0 or -1 times the other."]
    return "\n".join(lines)


def _right_on(cases, wrong_cases):
    """Where an output is right although it is wrong elsewhere, and why, from the cases' traits:
    a trait every wrong case has and no right case has ("it is wrong only where ..."), else the
    traits of each right case that no wrong case has ("where B = 1: ...")."""
    wrong_labels = {c.label for c in wrong_cases}  # labels, not cases: a Case holds arrays
    right = [c for c in cases if c.label not in wrong_labels]
    labels = "; ".join(c.label for c in right)
    shows = [(t, fact) for t, fact in wrong_cases[0].traits
             if all(t in dict(c.traits) for c in wrong_cases)
             and not any(t in dict(c.traits) for c in right)]
    if shows:
        where = f"the other {len(right)} cases" if len(right) > 2 else labels
        return f"right on {where}: it is wrong only where {shows[0][0]} ({shows[0][1]})"
    wrong_traits = {t for c in wrong_cases for t, _ in c.traits}
    groups = {}  # the traits a right case has and no wrong case has -> those right cases
    for c in right:
        own = tuple((t, fact) for t, fact in c.traits if t not in wrong_traits)
        groups.setdefault(own, []).append(c.label)
    if list(groups) == [()]:
        return f"right on {labels}: there the mistake happens to change nothing"
    return "right on " + "; ".join(
        "; ".join(group) + (f", where {' and '.join(f'{t} ({fact})' for t, fact in own)}"
                            if own else "")
        for own, group in groups.items())


def diagnose(name, cases, wrong_cases, outputs, time_axis=None,
             saturated_words="an activation saturates"):
    """A sentence on what is wrong with output ``name``, found by computation, for a learner to
    act on: whether it is all zeros, the reference times -1, times one constant, times a size
    (1/B, T, ...), its transpose, wrong at a few time steps only (along ``time_axis``) or shifted
    in time, right up to sign, wrong only where an activation saturates, NaN or inf, or (for a
    single number) which value it has. A claim is made only when it holds on every case where
    the output is wrong. (On which cases it is wrong, and what those cases have that the others
    lack, is said by the report's "(right on ...)" line.)

    Parameters
    ----------
    name : str, the output.
    cases : list of :class:`Case`; ``wrong_cases`` the ones where ``name`` is wrong (same shape
        as the reference there).
    outputs : dict, case label -> {output name: the learner's float array}.
    time_axis : int or None, the axis of ``name`` that is time.
    saturated_words : str, what the cases' ``saturated`` masks mark.

    Returns
    -------
    str, one or more sentences ending with a full stop.
    """
    pairs = [(c, outputs[c.label][name], c.expected[name]) for c in wrong_cases]
    if all(np.isfinite(y).all() for _, y, _ in pairs):
        shape = _whole(pairs, cases, wrong_cases)
        if shape is None and time_axis is not None:
            shape = _in_time(pairs, time_axis)
        if shape is None:
            shape = _entrywise(name, pairs, saturated_words)
    else:
        counts = "; ".join(f"{int((~np.isfinite(y)).sum())} of {y.size} entries on {c.label}"
                           for c, y, _ in pairs)
        shape = (f"it holds NaN or inf ({counts}) where the reference is finite: a number "
                 "overflowed (exp of a large number, a division by 0, a log of 0) on the way; "
                 "print the intermediate arrays on an input like that case's to find the first "
                 "inf")
    if shape is None and all(y.size == 1 for _, y, _ in pairs):
        values = "; ".join(f"{y.item():.6g} where the reference is {r.item():.6g} on {c.label}"
                           for c, y, r in pairs)
        shape = (f"it is {values}: print your function's intermediate values on an input like "
                 "that case's; the first one that differs from its equation is the line to fix")
    if shape is None:
        errors = "; ".join(f"{relative_error(y, r):.2g} on {c.label}" for c, y, r in pairs)
        tried = ("the reference times a constant, its transpose, the reference up to sign"
                 + (", or wrong at a few time steps only" if time_axis is not None else ""))
        shape = (f"it is not {tried}; its relative error is {errors}. Compare each term of this "
                 "line with its equation, on the smallest case where it is wrong")
    return shape + "."


def _factor(y, r):
    """c with y = c r (to MATCH), or None."""
    rr = float(np.vdot(r, r))
    if rr == 0:
        return None
    c = float(np.vdot(y, r)) / rr
    return c if close(y, c * r) else None


def _sizes(dims):
    """{name: value} of the case's sizes, their products by two and their squares."""
    letters = list(dims)
    sizes = dict(dims)
    sizes.update({f"{a}*{b}": dims[a] * dims[b] for i, a in enumerate(letters)
                  for b in letters[i + 1:]})
    sizes.update({f"{a}**2": dims[a] ** 2 for a in letters})
    return sizes


def _size_names(c, dims):
    """The names of the factor c among the case's sizes and their inverses, in order, e.g.
    ['1/B'] for c = 1/3 and B = 3."""
    names = []
    for n, v in _sizes(dims).items():
        if v > 1 and abs(c - v) <= 1e-9 * v:
            names.append(n)
        elif v > 1 and abs(c - 1 / v) <= 1e-9 / v:
            names.append(f"1/({n})" if "*" in n.replace("**", "") else f"1/{n}")
    return names


def _whole(pairs, cases, wrong_cases):
    """What the whole wrong output is (zero, a multiple or the transpose of the reference), when
    one account fits every wrong case; None otherwise."""
    factors = [_factor(y, r) for _, y, r in pairs]
    if all(f is not None for f in factors):
        if all(f == 0 for f in factors):
            return ("it is all zeros where the reference is not: nothing reaches it (a term "
                    "left out, or an array created with zeros and never filled)")
        if all(abs(f + 1) <= 1e-9 for f in factors):
            return ("it is exactly -1 times the reference: a sign is flipped (a minus sign "
                    "dropped or added, or a - b written as b - a)")
        # one number is always a multiple of another: a factor says something only when it
        # holds for two entries or more
        if sum(np.count_nonzero(r) for _, _, r in pairs) < 2:
            return None
        if all(abs(f - factors[0]) <= 1e-9 * abs(factors[0]) for f in factors):
            return (f"it is {factors[0]:.6g} times the reference: look for a factor of "
                    f"{factors[0]:.6g} that the equation does not have (or a term counted twice, "
                    "or a division missing)")
        # a factor that changes from case to case: a size? It must also explain the right cases
        # (where the size is 1).
        common = _size_names(factors[0], pairs[0][0].dims)
        for f, (c, _, _) in zip(factors[1:], pairs[1:]):
            common = [n for n in common if n in _size_names(f, c.dims)]
        # the same size must be 1 on the cases where the output is right
        common = [n for n in common if all(
            _sizes(c.dims).get(n.removeprefix("1/").strip("()")) == 1
            for c in cases if c.label not in {w.label for w in wrong_cases})]
        each = "; ".join(f"{f:.4g} on {c.label}" for f, (c, _, _) in zip(factors, pairs))
        if common:
            return (f"it is {common[0]} times the reference ({each}): a factor that depends on "
                    "the case's sizes; check each sum and mean over an axis against the "
                    "equation (a shared weight's gradient sums, it does not average)")
        return (f"it is the reference times a factor that changes from case to case ({each}): "
                "a factor that depends on the data or the sizes, such as a sum or mean over "
                "an axis")
    if all(y.ndim >= 2 and y.shape[-1] == y.shape[-2] and close(y, np.swapaxes(r, -1, -2))
           for _, y, r in pairs):
        return ("it is the transpose of the reference (its shape is right only because the "
                "array is square): the factors of a product "
                "are in swapped order, e.g. da.T @ x where x.T @ da belongs, or a weight "
                "used where its transpose belongs")
    return None


def _entrywise(name, pairs, saturated_words):
    """Which entries are wrong: right up to sign, or wrong only where an activation saturates
    (the cases' ``saturated`` masks for ``name``); None if neither fits every wrong case."""
    if all(close(np.abs(y), np.abs(r)) for _, y, r in pairs):
        flipped = "; ".join(f"{int(np.sum(np.sign(y) != np.sign(r)))} of {y.size} entries on "
                            f"{c.label}" for c, y, r in pairs)
        return (f"it is right up to sign: every magnitude is right and the sign is flipped in "
                f"{flipped}; look for a sign that depends on the entry, such as a mask or an "
                "absolute value, or a factor of -1 on one term")
    masks = [c.saturated.get(name) for c, _, _ in pairs]
    if all(m is not None and m.any() for m in masks):
        off = [np.abs(y - r) > MATCH * np.abs(r).max() for _, y, r in pairs]
        if all(not np.any(o & ~m) for o, m in zip(off, masks)):
            return (f"it is wrong only where {saturated_words}, and right everywhere else: the "
                    "formula is right in the middle of the activation's range and breaks at its "
                    "ends, e.g. a clip, a log of a probability that underflowed to 0, or a "
                    "difference of two numbers that are both almost 1")
    return None


def _in_time(pairs, axis):
    """Where along the time axis the output is wrong: one step, a shift, the reverse order, or
    a run of steps; None if it is wrong at every step and shows no order."""
    ys = [(c, np.moveaxis(y, axis, 0), np.moveaxis(r, axis, 0)) for c, y, r in pairs]
    long = [(c, y, r) for c, y, r in ys if len(y) > 1]  # where an order in time can show
    if long and all(close(y[1:], r[:-1]) for _, y, r in long):
        return ("it is the reference one step late: its entry for step t holds step t - 1's "
                "value; store each step's result at its own index")
    if long and all(close(y[:-1], r[1:]) for _, y, r in long):
        return ("it is the reference one step early: its entry for step t holds step t + 1's "
                "value; store each step's result at its own index")
    if len(long) == len(ys) and all(close(y, r[::-1]) for _, y, r in ys):
        return ("it is the reference in reverse time order (its entry for step t holds step "
                "T + 1 - t's value): a backward loop visits t = T..1, so store by index, not by "
                "appending")
    steps = {c.label: [t for t in range(len(y)) if not close(y[t], r[t])] for c, y, r in ys}
    if all(len(s) == len(y) for (c, y, _), s in zip(ys, steps.values())):
        return None
    if all(len(s) == 1 for s in steps.values()):
        first = all(s[0] == 0 for s in steps.values())
        last = all(s[0] == len(y) - 1 for (_, y, _), s in zip(ys, steps.values()))
        at = "; ".join(f"t = {s[0] + 1} (index {s[0]}) on {label}" for label, s in steps.items())
        what = _whole([(c, y[s[0]], r[s[0]]) for (c, y, r), s in zip(ys, steps.values())], [], [])
        what = f", where {what.split(':')[0]}" if what else ""
        if first and not last:
            return (f"it is wrong at the first step only, t = 1 at index 0{what}, and right at "
                    "every other step: look at what the loop does differently at its first step, "
                    "e.g. the initial state h0, or a value read at index t - 1 = -1 (Python's "
                    "last entry)")
        if last and not first:
            return (f"it is wrong at the last step only, t = T at index T - 1{what}, and right "
                    "at every other step: look at what the loop does differently at step T, "
                    "e.g. a range that stops one step early or a step handled outside the loop")
        return f"it is wrong at one time step only ({at}){what}, and right at the others"
    parts = "; ".join(f"t = {', '.join(str(t + 1) for t in s)} of {len(y)} on {c.label}"
                      for (c, y, _), s in zip(ys, steps.values()))
    return (f"it is wrong at some time steps and right at others ({parts}); the first wrong "
            "step (going forward for a forward pass, backward for a backward pass) is where to "
            "look, since a wrong value is carried on from there")


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


def _sentence(text):
    """``text`` as a sentence: its first letter upper-case unless it starts with code (``dh_dec``)."""
    word = text.split(" ", 1)[0]
    if word[:1].islower() and word.isalpha():
        return text[0].upper() + text[1:]
    return text

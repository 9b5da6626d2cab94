"""Every public function of rnnlib, fed one bad argument at a time, raises a clear error.

The walk: every function (and class) defined in any public module of the ``rnnlib`` package,
core and ``rnnlib.chapters``/``rnnlib.exercises``/... alike, whose name does not start with
``_``. "Public module": a ``.py`` file under rnnlib/ with no path part starting with ``_``
(``__init__.py`` counts as its package). NamedTuple classes are result/cache types, not
functions, and need no entry; every other public function or class must have one in
SIGNATURES, or ``test_every_public_function_has_an_entry`` fails, naming it.

HOW TO ADD A FUNCTION: one entry in SIGNATURES, keyed by the function, one spec per argument
(every argument of the signature), each spec holding a good value:

    mod.my_function: dict(x=arr(X, "T B D"), params=params(P), k=integer(2, low=1),
                          name=choice("tanh"), rng=generator(), check=flag()),

Specs (see their docstrings below): ``arr`` (float array; letters name its axes, so a size
shared with another argument gets a wrong-size case), ``labels``, ``num``, ``integer``,
``choice``, ``flag``, ``text``, ``seq`` (numbers), ``generator``, ``dtype``, ``func``
(a callable; ``raises=True`` adds "the learner's function raises": it must propagate and leave
every argument as it was; ``raises=False`` for a checker, which reports what the learner's
function does instead of raising), ``cache`` (the named forward's cache), ``params`` (dict of
arrays), ``listed`` (any good value with a list of bad ones written out), ``made`` (the same
for a good value a function makes: a matplotlib Axes, Figure or Animation, which are not
copied), ``plus`` (a spec's bad values and more written out, for a range its family does not
know), ``unknown`` (a keyword the function must refuse, for ``**kwargs``). A function of
``**values`` (``display.show``) gets one spec per keyword it is tried with. A spec lists the bad
values of each family its kind has (wrong types, NaN/inf, wrong shapes, empty, out of range,
unhashable choices, missing or extra keys, caches of other forwards, ...).

For each (function, argument, bad value) ``test_bad_argument`` asserts (the rules of the
package docstring, "Input checks"):
  * a TypeError or ValueError (or subclass) is raised, never KeyError/IndexError/..., and its
    message names the argument as the signature spells it (``params['W_hh']`` for a dict
    entry), with no NumPy/Python internals ("unhashable", "broadcast", ...);
  * a learner's function that raises: its own exception comes through unchanged;
  * every argument, the bad one included, is unchanged afterwards (deep comparison);
  * no matplotlib figure is left open or closed by the failed call (checks come before drawing).
``test_good_call`` checks that the good values pass, return no NaN/inf, are left unchanged,
and that the call closes no figure of the caller's. ``test_bad_argument_drawn`` (hypothesis)
draws further bad values at random for each function: NaN/inf at random places, random wrong
sizes, random out-of-range numbers, random objects of the wrong type.

``python tests/test_bad_input_property.py`` prints how many functions and bad arguments the
suite covers (the README quotes it); ``test_bad_argument`` has one test per bad argument.
"""
import copy
import importlib
import inspect
import math
import pathlib
import re
import sys
from typing import NamedTuple

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlib
from rnnlib._validate import PARAM_SHAPES
from rnnlib.gru import GRU_SHAPES
from rnnlib.lstm import LSTM_SHAPES
from rnnlib.chapters import display
from rnnlib import datasets, exercises
from rnnlib.chapters import fnn_vs_rnn as ex
from rnnlib.chapters import sentiment as se
from rnnlib.chapters import shapes as sh
from rnnlib.chapters import softmax_bptt as sb
from rnnlib.chapters import unrolling as un
from rnnlib.chapters import vanishing as va
from rnnlib.chapters import charlm as cl

matplotlib.use("Agg")


# ---- the bad values ---------------------------------------------------------------------------

class LearnerError(Exception):
    """What a learner's function raises in the "raises" family; it must come through unchanged."""


class Bad(NamedTuple):
    label: str                  # the family, e.g. "nan at (0, 1)"
    value: object               # the bad value (built fresh for each test)
    names: tuple                # substrings the message must contain (the argument's name...)
    error: tuple = (TypeError, ValueError)


# Words of an error message that come from Python or NumPy internals, not from rnnlib's checks.
INTERNALS = ("unhashable", "broadcast", "ufunc", "not supported between", "object is not callable",
             "cannot unpack", "not subscriptable", "has no attribute", "could not convert string",
             "index out of bounds", "takes from", "positional argument")


class Spec:
    """One argument's good value and its bad values. Subclasses fill in the families."""

    optional = False            # None is a good value
    passed = True               # the good call passes it (``unknown`` is never passed)
    consumed = False            # a successful call may change it (a Generator draws numbers)

    def good(self):
        return _fresh(self.value)

    def letters(self):
        """The dimension letters this argument uses (for the shared sizes of an entry)."""
        return []

    def fixed(self, name, bound):
        """The bad values: a list of Bad. ``bound``: letters whose size another argument fixes."""
        raise NotImplementedError

    def drawn(self, name, bound):
        """A hypothesis strategy of Bad: random variants of the families."""
        return st.sampled_from(self.fixed(name, bound))


def _fresh(value):
    """A deep copy (arrays, dicts, lists, tuples, NamedTuples); functions and modules as they are."""
    try:
        return copy.deepcopy(value)
    except TypeError:
        return value


def _junk(name, *, none=True, text=True, dicts=True):
    """Values of the wrong type for any argument that is not itself a str/dict/None."""
    out = [Bad("None", None, (name,))] if none else []
    if text:
        out += [Bad("str", "abc", (name,))]
    out += [Bad("list of str", ["a", "b"], (name,)), Bad("complex", 1 + 2j, (name,)),
            Bad("set", {1, 2}, (name,)), Bad("object", object(), (name,))]
    if dicts:
        out += [Bad("dict", {"a": 1.0}, (name,))]
    return out


def junk_strategy(*, text=True, dicts=True, none=True):
    """Random objects of the wrong type (hypothesis)."""
    parts = [st.binary(min_size=1, max_size=3), st.complex_numbers(min_magnitude=1e-3, allow_nan=False,
                                                                   allow_infinity=False),
             st.lists(st.text(max_size=2), min_size=1, max_size=3),
             st.sets(st.integers(), min_size=1, max_size=2)]
    if text:
        parts.append(st.text(max_size=4))
    if dicts:
        parts.append(st.dictionaries(st.text(max_size=2), st.text(max_size=2), min_size=1, max_size=2))
    if none:
        parts.append(st.none())
    return st.one_of(parts)


def _with(value, index, entry):
    arr = np.array(value, dtype=np.float64)
    arr[index] = entry
    return arr


def _array_families(name, good, spec, bound, names=None):
    """Bad values of a float array ``good`` whose axes have ``spec`` letters (``...`` first: any
    leading axes)."""
    names = names or (name,)
    out = [Bad(label, value, names) for label, value in (
        ("None", None), ("str", "abc"), ("list of str", ["a", "b"]), ("dict", {"a": 1.0}),
        ("complex", good.astype(complex)), ("object", good.astype(object)),
        ("strings", good.astype(str)), ("ragged", [[1.0], [1.0, 2.0]]))]
    if good.size:
        first, last = (0,) * good.ndim, tuple(s - 1 for s in good.shape)
        middle = np.unravel_index(good.size // 2, good.shape)
        out += [Bad(f"nan at {first}", _with(good, first, np.nan), names),
                Bad(f"inf at {last}", _with(good, last, np.inf), names),
                Bad(f"-inf at {tuple(map(int, middle))}", _with(good, middle, -np.inf), names)]
    letters = spec.split()
    if letters[:1] != ["..."]:
        out.append(Bad("one more axis", good[None], names))
        if good.ndim:
            out.append(Bad("one axis less", good[0], names))
    named = letters[1:] if letters[:1] == ["..."] else letters
    for axis, letter in enumerate(named, start=good.ndim - len(named)):
        if letter in bound:
            grown = np.concatenate([good, good.take([0], axis=axis)], axis=axis)
            out.append(Bad(f"{letter} one larger (axis {axis})", grown, names))
    return out


def _array_strategy(name, good, spec, bound, names=None):
    names = names or (name,)
    parts = [junk_strategy(dicts=False).map(lambda v: Bad("junk", v, names))]
    if good.size:
        parts.append(st.tuples(st.integers(0, good.size - 1),
                               st.sampled_from([np.nan, np.inf, -np.inf])).map(
            lambda ib: Bad("random nan/inf", _with(good, np.unravel_index(ib[0], good.shape), ib[1]),
                           names)))
    letters = spec.split()
    lead = letters[:1] == ["..."]
    named = letters[1:] if lead else letters
    axes = [axis for axis, letter in enumerate(named, start=good.ndim - len(named)) if letter in bound]
    if axes:
        def resize(axis, size):
            return Bad(f"axis {axis} size {size}", np.resize(good, good.shape[:axis] + (size,) +
                                                            good.shape[axis + 1:]), names)
        parts.append(st.sampled_from(axes).flatmap(lambda axis: st.integers(
            0, good.shape[axis] + 3).filter(lambda size: size != good.shape[axis]).map(
            lambda size: resize(axis, size))))
    if not lead:
        parts.append(st.integers(1, 3).map(lambda n: Bad(f"{n} more axes", good.reshape(
            (1,) * n + good.shape), names)))
    return st.one_of(parts)


class arr(Spec):
    """A float array: ``arr(good, "T B D")``. ``"..."`` first allows any leading axes;
    ``bound=True``: every letter's size is fixed elsewhere (by a cache); ``allow_empty``: a size 0
    is fine; ``optional``: None is fine."""

    def __init__(self, value, spec="...", *, bound=False, allow_empty=False, optional=False):
        self.value, self.spec, self.bound = np.asarray(value, dtype=np.float64), spec, bound
        self.allow_empty, self.optional = allow_empty, optional

    def letters(self):
        letters = [l for l in self.spec.split() if l != "..."]
        return letters * 2 if self.bound else letters   # counted twice: bound on its own

    def fixed(self, name, bound):
        out = [b for b in _array_families(name, self.value, self.spec, bound)
               if not (self.optional and b.value is None)]
        if not self.allow_empty:
            out.append(Bad("empty", self.value.take([], axis=0), (name,)))
        return out

    def drawn(self, name, bound):
        return _array_strategy(name, self.value, self.spec, bound).filter(
            lambda b: not (self.optional and b.value is None))


class labels(Spec):
    """Integer class labels in [0, K): ``labels(good, "T B", K)``; all letters bound (the logits)."""

    def __init__(self, value, spec, K):
        self.value, self.spec, self.K = np.asarray(value), spec, K

    def letters(self):
        return self.spec.split() * 2

    def fixed(self, name, bound):
        g, n = self.value, (name,)
        out = _junk(name) + [Bad("floats", g.astype(float), n), Bad("bools", g > 0, n),
                             Bad("strings", g.astype(str), n), Bad("label K", _set_int(g, self.K), n),
                             Bad("label -1", _set_int(g, -1), n), Bad("one more axis", g[None], n),
                             Bad("one axis less", g[0], n)]
        return out + [Bad(f"axis {a} one larger", np.concatenate([g, g.take([0], axis=a)], axis=a), n)
                      for a in range(g.ndim)]

    def drawn(self, name, bound):
        n = (name,)
        return st.one_of(
            st.sampled_from(self.fixed(name, bound)),
            st.one_of(st.integers(-2**63, -1), st.integers(self.K, 2**63 - 1)).map(  # int64
                lambda v: Bad(f"label {v}", _set_int(self.value, v), n)))


def _set_int(value, entry):
    out = np.array(value, dtype=np.int64)
    out.flat[0] = entry
    return out


class num(Spec):
    """A finite real number: ``num(0.1, low=0)``; ``low_open``/``high_open`` exclude the bound;
    ``finite=False``: NaN/inf are good (a display shows them); ``optional``: None is good."""

    def __init__(self, value, *, low=None, high=None, low_open=False, high_open=False,
                 finite=True, optional=False):
        self.value, self.low, self.high = value, low, high
        self.low_open, self.high_open, self.finite, self.optional = low_open, high_open, finite, optional

    def out_of_range(self):
        out = []
        if self.low is not None:
            out += [self.low - 1.0] + ([float(self.low)] if self.low_open else [])
        if self.high is not None:
            out += [self.high + 1.0] + ([float(self.high)] if self.high_open else [])
        return out

    def fixed(self, name, bound):
        n = (name,)
        out = _junk(name, none=not self.optional) + [
            Bad("str number", str(self.value), n), Bad("list", [self.value], n),
            Bad("1-D array", np.array([self.value]), n), Bad("bool", True, n)]
        if self.finite:
            out += [Bad(repr(v), v, n) for v in (math.nan, math.inf, -math.inf)]
        return out + [Bad(f"out of range {v!r}", v, n) for v in self.out_of_range()]

    def drawn(self, name, bound):
        n = (name,)
        parts = [junk_strategy(none=not self.optional).map(lambda v: Bad("junk", v, n))]
        if self.finite:
            parts.append(st.sampled_from([math.nan, math.inf, -math.inf]).map(lambda v: Bad("non-finite", v, n)))
        if self.low is not None:
            parts.append(st.floats(max_value=self.low, exclude_max=not self.low_open,
                                   allow_nan=False, allow_infinity=False).map(lambda v: Bad("below", v, n)))
        if self.high is not None:
            parts.append(st.floats(min_value=self.high, exclude_min=not self.high_open,
                                   allow_nan=False, allow_infinity=False).map(lambda v: Bad("above", v, n)))
        return st.one_of(parts)


class integer(Spec):
    """An integer (not a bool): ``integer(3, low=1)``."""

    def __init__(self, value, *, low=None, high=None, optional=False):
        self.value, self.low, self.high, self.optional = value, low, high, optional

    def fixed(self, name, bound):
        n = (name,)
        out = _junk(name, none=not self.optional) + [
            Bad("str", str(self.value), n), Bad("float", float(self.value), n),
            Bad("fraction", self.value + 0.5, n), Bad("bool", True, n), Bad("list", [self.value], n),
            Bad("nan", math.nan, n)]
        if self.low is not None:
            out.append(Bad(f"{self.low - 1}", self.low - 1, n))
        if self.high is not None:
            out.append(Bad(f"{self.high + 1}", self.high + 1, n))
        return out

    def drawn(self, name, bound):
        n = (name,)
        parts = [junk_strategy(none=not self.optional).map(lambda v: Bad("junk", v, n)),
                 st.floats().map(lambda v: Bad("float", v, n))]
        if self.low is not None:
            parts.append(st.integers(max_value=self.low - 1).map(lambda v: Bad("below", v, n)))
        if self.high is not None:
            parts.append(st.integers(min_value=self.high + 1).map(lambda v: Bad("above", v, n)))
        return st.one_of(parts)


class choice(Spec):
    """One of a few strings: ``choice("tanh")``; every other value of any type is bad."""

    def __init__(self, value, *, optional=False):
        self.value, self.optional = value, optional

    def fixed(self, name, bound):
        n, v = (name,), self.value
        return ([] if self.optional else [Bad("None", None, n)]) + [
            Bad("list", [v], n), Bad("set", {v}, n), Bad("tuple", (v,), n), Bad("dict", {v: 1}, n),
            Bad("int", 1, n), Bad("bytes", v.encode(), n), Bad("upper case", v.upper(), n),
            Bad("typo", v + "_", n), Bad("empty str", "", n)]

    def drawn(self, name, bound):
        n, v = (name,), self.value
        return st.one_of(junk_strategy(text=False, none=not self.optional),
                         st.text(max_size=8).filter(lambda t: not _valid_choice(t, v)),
                         st.integers()).map(lambda value: Bad("drawn", value, n))


def _valid_choice(text, good):
    return text in {"tanh", "sigmoid", "relu", "identity", "sum", "mean", "mse", "cross_entropy",
                    "rnn", "lstm", "gru",
                    "all", "last", "sgd", "adam", "adagrad", "left", "center", "right", "once", "loop",
                    "reflect", *sb.BPTT_QUOTES, good}


class flag(Spec):
    """True or False (a NumPy bool too); nothing else."""

    def __init__(self, value=True):
        self.value = value

    def fixed(self, name, bound):
        n = (name,)
        return [Bad(repr(v), v, n) for v in (None, "yes", "False", 1, 0, [True], 1.0)]

    def drawn(self, name, bound):
        return st.one_of(junk_strategy(), st.integers(), st.floats()).map(lambda v: Bad("drawn", v, (name,)))


class text(Spec):
    """A str."""

    def __init__(self, value):
        self.value = value

    def fixed(self, name, bound):
        return _junk(name, text=False) + [Bad("int", 1, (name,)), Bad("bytes", b"abc", (name,))]

    def drawn(self, name, bound):
        return st.one_of(junk_strategy(text=False), st.integers()).map(lambda v: Bad("drawn", v, (name,)))


class seq(Spec):
    """A non-empty 1-D sequence of finite numbers: ``seq((0.5, 0.7))``; ``same_length_as``: the
    argument whose length it must have (adds a longer-by-one case)."""

    def __init__(self, value, *, same_length_as=None, length=None):
        self.value, self.same_length_as, self.length = value, same_length_as, length

    def fixed(self, name, bound):
        n, v = (name,), list(self.value)
        out = _junk(name, text=False, dicts=False) + [
            Bad("str", "0.5", n), Bad("dict", {"a": 0.5}, n), Bad("number", 0.5, n),
            Bad("empty", [], n), Bad("nested", [v], n), Bad("strings", [str(x) for x in v], n),
            Bad("complex", [complex(x, 1) for x in v], n), Bad("nan", [math.nan] + v[1:], n),
            Bad("inf", v[:-1] + [math.inf], n), Bad("ragged", [[1.0], [1.0, 2.0]], n)]
        if self.same_length_as or self.length:
            out.append(Bad("one longer", v + [0.1], n))
        return out

    def drawn(self, name, bound):
        n = (name,)
        return st.one_of(
            st.sampled_from(self.fixed(name, bound)),
            st.integers(0, len(self.value) - 1).flatmap(lambda i: st.sampled_from(
                [math.nan, math.inf, -math.inf]).map(lambda e: Bad("random non-finite", [
                    e if j == i else x for j, x in enumerate(self.value)], n))))


class generator(Spec):
    """A numpy.random.Generator (a fresh one, seed 0, for each call). A successful call draws
    from it; a failed one must not."""

    consumed = True

    def good(self):
        return np.random.default_rng(0)

    def fixed(self, name, bound):
        n = (name,)
        return [Bad(label, v, n) for label, v in (
            ("None", None), ("seed", 0), ("RandomState", np.random.RandomState(0)), ("str", "seed"),
            ("module", np.random), ("SeedSequence", np.random.SeedSequence(0)))]

    def drawn(self, name, bound):
        return st.one_of(junk_strategy(), st.integers()).map(lambda v: Bad("drawn", v, (name,)))


class dtype(Spec):
    """A floating-point dtype."""

    def __init__(self, value=np.float64):
        self.value = value

    def fixed(self, name, bound):
        n = (name,)
        return [Bad(repr(v), v, n) for v in (None, np.int64, int, bool, np.complex128, "banana",
                                              object, "int32", np.dtype("U3"))]

    def drawn(self, name, bound):
        return st.sampled_from(self.fixed(name, bound))


class func(Spec):
    """A callable: ``func(good, raises=True, returns={"label": (result, names[, at])})``.

    ``raises``: a family where the function raises LearnerError at its ``raise_at``-th call (the
    drawn test: at any call up to that one; the good call must make that many); the error must
    come through unchanged and every argument be as before. ``returns``: families
    where the function returns ``result`` (a value, or a function of what ``good`` returns) from
    its ``at``-th call on (1 by default; earlier calls return what ``good`` returns); the message
    must name the argument and ``names``.
    """

    def __init__(self, value, *, raises=True, raise_at=3, returns=None):
        self.value, self.raises, self.raise_at = value, raises, raise_at
        self.returns = returns or {}

    def good(self):
        return self.value

    def fixed(self, name, bound):
        n = (name,)
        out = [Bad(label, v, n) for label, v in (("None", None), ("number", 1.0), ("str", "f"),
                                                 ("list", [self.value]), ("dict", {}))]
        if self.raises:
            out.append(Bad(f"raises at call {self.raise_at}", _raising(self.value, self.raise_at), n,
                           (LearnerError,)))
        for label, (result, extra, *at) in self.returns.items():
            at = at[0] if at else 1
            out.append(Bad(f"returns {label} at call {at}", _returning(self.value, at, result),
                           n + tuple(extra)))
        return out

    def drawn(self, name, bound):
        n = (name,)
        parts = [junk_strategy().map(lambda v: Bad("junk", v, n))]
        if self.raises:
            parts.append(st.integers(1, self.raise_at).map(lambda k: Bad(f"raises at {k}", _raising(self.value, k), n,
                                                             (LearnerError,))))
        return st.one_of(parts)


def _raising(good, at):
    calls = []

    def learner_function(*args, **kwargs):
        calls.append(1)
        if len(calls) >= at:
            raise LearnerError(f"the learner's function fails at call {len(calls)}")
        return good(*args, **kwargs)
    return learner_function


def _returning(good, at, result):
    calls = []

    def learner_function(*args, **kwargs):
        calls.append(1)
        value = good(*args, **kwargs)
        return _fresh(result(value) if callable(result) else result) if len(calls) >= at else value
    return learner_function


# Each forward's cache, made fresh: the backward functions are given the others'.
CACHES = {}


class cache(Spec):
    """The cache of ``forward``: ``cache("rnn_forward", lambda: rnnlib.rnn_forward(X, P)[1])``."""

    def __init__(self, forward, make):
        self.forward, self.make = forward, make
        CACHES[forward] = make

    def good(self):
        return self.make()

    def fixed(self, name, bound):
        n = (name, self.forward)
        good = self.make()
        out = [Bad(label, v, n) for label, v in (
            ("None", None), ("str", "cache"), ("dict", {}), ("plain tuple", tuple(good)),
            ("list", list(good)), ("array", np.ones(3)))]
        return out + [Bad(f"cache of {other}", make(), n) for other, make in CACHES.items()
                      if other != self.forward]


class params(Spec):
    """A dict of float arrays: ``params(P)``. Entries are checked with the letters of
    PARAM_SHAPES (or ``letters``); ``required``: the keys that must be there (default: all of the
    good dict's); ``exact``: no other key allowed; ``perturbable``: each entry must be a writeable
    float64 ndarray (the gradient checks perturb them in place)."""

    def __init__(self, value, *, letters=None, required=None, exact=False, perturbable=False):
        self.value = {k: np.asarray(v, dtype=np.float64) for k, v in value.items()}
        self.letter_map = letters if letters is not None else PARAM_SHAPES
        self.required = list(self.value) if required is None else list(required)
        self.exact, self.perturbable = exact, perturbable

    def letters(self):
        return [l for k in self.value for l in self.letter_map.get(k, "").split()]

    def fixed(self, name, bound):
        n = (name,)
        good = self.value
        out = [Bad(label, v, n) for label, v in (
            ("None", None), ("list of arrays", list(good.values())), ("str", name),
            ("number", 1.0), ("items", tuple(good.items())))]
        for key in self.required:
            out.append(Bad(f"{key} missing", {k: v for k, v in good.items() if k != key}, (name, key)))
        if self.exact:
            out.append(Bad("extra key", {**good, "W_extra": np.ones(2)}, (name, "W_extra")))
        for key, entry in good.items():
            label = f"{name}[{key!r}]"
            spec = self.letter_map.get(key, "...")
            for b in _array_families(label, entry, spec, bound if key in self.letter_map else set()):
                out.append(Bad(f"{key}: {b.label}", {**good, key: b.value}, b.names))
            if self.exact and spec == "...":
                out.append(Bad(f"{key}: one more axis", {**good, key: entry[None]}, (label,)))
            if self.perturbable:
                out += [Bad(f"{key}: float32", {**good, key: entry.astype(np.float32)}, (label, "float64")),
                        Bad(f"{key}: list", {**good, key: entry.tolist()}, (label,)),
                        Bad(f"{key}: int", {**good, key: entry.astype(int)}, (label,)),
                        Bad(f"{key}: read-only", {**good, key: _read_only(entry)}, (label,))]
        return out

    def drawn(self, name, bound):
        good = self.value

        def entry_bad(key):
            label = f"{name}[{key!r}]"
            spec = self.letter_map.get(key, "...")
            return _array_strategy(label, good[key], spec, bound if key in self.letter_map else set()
                                   ).map(lambda b: Bad(f"{key}: {b.label}", {**good, key: b.value}, b.names))
        return st.one_of(junk_strategy(dicts=False).map(lambda v: Bad("junk", v, (name,))),
                         st.sampled_from(sorted(good)).flatmap(entry_bad))


def _read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


class listed(Spec):
    """Any good value, with its bad values written out: ``listed(good, {"label": bad, ...})``.
    A bad value may be ``(value, names)`` when the message must name more (a key)."""

    def __init__(self, value, bad, *, optional=False):
        self.value, self.bad, self.optional = value, bad, optional

    def fixed(self, name, bound):
        out = []
        for label, value in self.bad.items():
            value, extra = value if isinstance(value, Cases) else (value, ())
            out.append(Bad(label, value, (name,) + tuple(extra)))
        return out


class made(listed):
    """``made(make, {"label": bad, ...})``: the good value ``make()`` returns for each call (a
    matplotlib Axes, Figure or Animation, which are not copied), bad values as for ``listed``."""

    def __init__(self, make, bad, *, optional=False):
        super().__init__(None, bad, optional=optional)
        self.make = make

    def good(self):
        return self.make()


class plus(Spec):
    """``plus(spec, {"label": bad, ...})``: the bad values of ``spec`` and these, written out as for
    ``listed``: a range its family does not know (T not a multiple of k, a tau of 0 in an array)."""

    def __init__(self, spec, bad):
        self.spec, self.more = spec, listed(None, bad)
        self.optional, self.consumed = spec.optional, spec.consumed

    def good(self):
        return self.spec.good()

    def letters(self):
        return self.spec.letters()

    def fixed(self, name, bound):
        return self.spec.fixed(name, bound) + self.more.fixed(name, bound)

    def drawn(self, name, bound):
        return st.one_of(self.spec.drawn(name, bound), self.more.drawn(name, bound))


class Cases(tuple):
    """``Cases((value, ("names",)))``: a bad value of ``listed`` with more names its message needs."""


def naming(value, *names):
    return Cases((value, names))


class unknown(Spec):
    """A keyword the function must refuse (a typo given to a ``**kwargs`` function)."""

    passed = False

    def __init__(self, value=0.5):
        self.value = value

    def fixed(self, name, bound):
        return [Bad("unknown keyword", self.value, (name,))]


# ---- the good values ------------------------------------------------------------------------

RNG = np.random.default_rng(0)
T, B, D, H, K = 4, 2, 3, 5, 6
P = {k: 0.3 * RNG.standard_normal(s) for k, s in
     {"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,), "W_hy": (H, K), "b_y": (K,)}.items()}
RNN_P = {k: P[k] for k in ("W_xh", "W_hh", "b_h")}
OUT_P = {k: P[k] for k in ("W_hy", "b_y")}
FNN_P = {k: P[k] for k in ("W_xh", "b_h", "W_hy", "b_y")}
X, H0, Y = RNG.standard_normal((T, B, D)), RNG.standard_normal((B, H)), RNG.standard_normal((T, B, K))
HS, LABELS = RNG.standard_normal((T, B, H)), RNG.integers(0, K, (T, B))
GRADS = {"W": RNG.standard_normal((3, 2)), "b": RNG.standard_normal(2)}
V = {k: g**2 for k, g in GRADS.items()}     # Adam's second moments: >= 0
TRACE = ex.trace_rnn(**ex.RNN_EXAMPLE)
ROWS = ex.compare_with_article(TRACE, ex.ARTICLE_RNN_QUOTED, ex.redo_rnn_from_quoted(),
                               ex.ARTICLE_RNN_OMITTED)
SLIDERS = {"W_hh": display.Slider(0.3, -2.0, 2.0, 0.05), "x_1": display.Slider(1, 0, 3, 1)}


def _loss(p):
    return rnnlib.rnn_loss(p, X, Y)


def _affine_loss(p):
    out, cache_ = rnnlib.affine_forward(X, p["W"], p["b"])
    return 0.5 * float(np.sum(out**2)), dict(zip(("W", "b"), rnnlib.affine_backward(out, cache_)[1:]))


def _row(**changes):
    return [{**ROWS[0], **changes}]


def _without(d, key):
    return {k: v for k, v in d.items() if k != key}


FNN_CACHE = cache("fnn_forward", lambda: rnnlib.fnn_forward(X[0], FNN_P)[1])
STEP_CACHE = cache("rnn_step_forward", lambda: rnnlib.rnn_step_forward(X[0], H0, RNN_P)[1])
RNN_CACHE = cache("rnn_forward", lambda: rnnlib.rnn_forward(X, RNN_P)[1])
OUT_CACHE = cache("output_forward", lambda: rnnlib.output_forward(HS, OUT_P)[1])
AFFINE_CACHE = cache("affine_forward", lambda: rnnlib.affine_forward(X, P["W_xh"], P["b_h"])[1])
ACT_CACHE = cache("activation_forward", lambda: rnnlib.activation_forward(H0)[1])
BI_CACHE = cache("birnn_forward", lambda: rnnlib.birnn_forward(X, RNN_P, RNN_P)[1])
STACKED_CACHE = cache("stacked_forward", lambda: rnnlib.stacked_forward(X, [RNN_P, RNN_P2])[1])

# The gated cells' parameters (gate blocks stacked: 4H columns for the LSTM, 3H for the GRU) and
# caches, drawn from their own generator so that the values above stay as they were.
GATED_RNG = np.random.default_rng(27)
LSTM_P = {k: 0.3 * GATED_RNG.standard_normal(s) for k, s in
          {"W_xh": (D, 4 * H), "W_hh": (H, 4 * H), "b_h": (4 * H,)}.items()}
GRU_P = {k: 0.3 * GATED_RNG.standard_normal(s) for k, s in
         {"W_xh": (D, 3 * H), "W_hh": (H, 3 * H), "b_h": (3 * H,), "b_hn": (H,)}.items()}
C0 = GATED_RNG.standard_normal((B, H))
LSTM_STEP_CACHE = cache("lstm_step_forward", lambda: rnnlib.lstm_step_forward(X[0], H0, C0, LSTM_P)[1])
LSTM_CACHE = cache("lstm_forward", lambda: rnnlib.lstm_forward(X, LSTM_P, H0, C0)[1])
GRU_STEP_CACHE = cache("gru_step_forward", lambda: rnnlib.gru_step_forward(X[0], H0, GRU_P)[1])
GRU_CACHE = cache("gru_forward", lambda: rnnlib.gru_forward(X, GRU_P, H0)[1])

# For the learner's functions: what a bad return is, and what the message must name besides.
LOSS_RETURNS = {
    "only the loss": (lambda r: r[0], ()),
    "a list": (lambda r: list(r), ()),
    "grads without W_hh": (lambda r: (r[0], _without(r[1], "W_hh")), ("W_hh",)),
    "grads as a list": (lambda r: (r[0], list(r[1].values())), ()),
    "a str loss": (lambda r: ("0.5", r[1]), ()),
    "an array loss": (lambda r: (np.ones(2), r[1]), ()),
    "a wrong-shape gradient": (lambda r: (r[0], {**r[1], "W_hh": np.ones(3)}), ("W_hh",)),
}
GRADCHECK_RETURNS = {
    **LOSS_RETURNS, "a nan loss": (lambda r: (math.nan, r[1]), ()),
    "a nan gradient": (lambda r: (r[0], {**r[1], "W_hh": r[1]["W_hh"] * np.nan}), ("W_hh",)),
    # while an entry is perturbed (the calls after the first)
    "a nan loss later": (lambda r: (math.nan, r[1]), ("params['W_xh'][0, 0]",), 3),
    "only the loss later": (lambda r: r[0], (), 5),
    "an array loss later": (lambda r: (np.ones(2), r[1]), ("params['W_xh'][0, 1]",), 4)}
TRAIN_RETURNS = {label: (result, names, 2) for label, (result, names) in {   # (keys W and b)
    **{k: v for k, v in LOSS_RETURNS.items() if "W_hh" not in v[1]},
    "a wrong-shape gradient": (lambda r: (r[0], {**r[1], "W": np.ones(3)}), ("W",)),
    "grads without b": (lambda r: (r[0], _without(r[1], "b")), ("b",))}.items()}


# Good values of the chapter helpers, the data sets and the exercise checkers.
_AXES = []


def _axes():
    """The caller's matplotlib Axes, made once (an Axes costs 20 ms) without pyplot, so there is
    nothing to close; the good calls draw on it."""
    if not _AXES:
        from matplotlib.figure import Figure
        _AXES.append(Figure(figsize=(2, 1.5)).add_subplot())
    return _AXES[0]


def _figure():
    from matplotlib.figure import Figure
    fig = Figure(figsize=(1, 1))
    fig.text(0.5, 0.5, "figure")
    return fig


def _animation():
    """A two-frame animation of a bare figure (no pyplot, no axes: it costs well under 1 ms)."""
    from matplotlib.animation import FuncAnimation
    fig = _figure()
    label = fig.texts[0]
    return FuncAnimation(fig, lambda i: [label.set_text(f"frame {i}")], frames=2, interval=100)


def _unrolled_forward(x, params, h0):
    h_prev, states, caches = h0, [], []
    for x_t in x:
        h_prev, step_cache = rnnlib.rnn_step_forward(x_t, h_prev, params)
        states.append(h_prev)
        caches.append(step_cache)
    return np.stack(states), caches


def _unrolled_backward(dh_out, caches):
    dh_next, dx, grads = np.zeros_like(dh_out[0]), [None] * len(caches), {}
    for t in reversed(range(len(caches))):
        dx[t], dh_next, step_grads = rnnlib.rnn_step_backward(dh_out[t] + dh_next, caches[t])
        grads = {k: grads.get(k, 0.0) + g for k, g in step_grads.items()}
    return np.stack(dx), dh_next, grads


def _rows_with(rows, **changes):
    return [{**rows[0], **changes}, *rows[1:]]


NOT_AN_AXES = {"a str": "ax", "a number": 1, "an array": np.ones(2), "a list": [], "a dict": {}}
SHOW_BAD = {"None": None, "a str": "0.3", "two entries": np.zeros((2, 1)), "empty": np.zeros(0),
            "bool": True, "complex": 1 + 2j, "object": object(), "dict": {"a": 1.0},
            "ragged": [[1.0], [1.0, 2.0]], "list of str": ["a"]}
GRAPH_VALUES = {"h_0": "0.000", "x_1": "0.50", "h_1": "0.336", "L_2": "0.0600"}
PANELS = {"a": {"up": np.arange(1.0, 5.0), "down": -np.arange(1.0, 5.0)}, "b": {"": np.ones(4)}}
ORBIT_W = un.ORBIT_REGIMES["oscillating"]
H0_RING = 0.9 * np.stack([np.cos([0.3, 2.0, 4.0]), np.sin([0.3, 2.0, 4.0])], axis=1)  # (B, H) (3, 2)
ORBITS = [un.free_orbits(ORBIT_W, H0_RING, 5), un.free_orbits(ORBIT_W, H0_RING[:2], 3)]
COPIES = un.unrolled_network(RNN_P, T)
STEP_CACHES = un.copies_forward(X, COPIES)[1]
TERMS = un.path_terms(P, X, Y, H0)
TERMS_BAD = {"None": None, "a tuple": tuple(TERMS), "a dict": TERMS._asdict(), "a str": "terms",
             "a step cache": STEP_CACHES[0]}
SIZES = {"a": np.linspace(1.0, 2.0, 4), "b": np.linspace(1.0, 3.0, 3)}
DISTANCES = [np.arange(4.0), np.arange(3.0)]
P1 = ex.scalar_params(**{k: v for k, v in ex.RNN_EXAMPLE.items() if k in PARAM_SHAPES})   # one unit
X1, Y1 = ex.scalar_sequence([0.5, 0.7]), ex.scalar_sequence([0.8, 0.9])                  # (T, 1, 1)
PROBS = rnnlib.softmax(Y)
PROBS_BAD = {"negative": naming(-PROBS, "p"), "above 1": naming(PROBS + 1.0, "p")}
ARTICLE_P = rnnlib.softmax(np.array(sb.ARTICLE_LOGITS))
OVERFLOW_ROWS = sb.softmax_overflow(sb.ARTICLE_LOGITS, [0.0, 100.0])   # naive NaN at float32
PRINTED_ROWS = sb.compare_printed(ARTICLE_P, sb.ARTICLE_SOFTMAX_QUOTED)
COST = {"T": np.array([2, 3]), "full_bytes": np.array([1000.0, 1500.0]),
        "truncated_bytes": np.array([900.0, 900.0]), "full_seconds": np.array([1e-4, 2e-4]),
        "truncated_seconds": np.array([1e-4, 1e-4])}
CHUNKS_BAD = {"None": None, "a str": "abc", "strings": X.astype(str), "complex": X.astype(complex),
              "object": X.astype(object), "bools": X > 0, "ragged": [[1.0], [1.0, 2.0]],
              "a dict": {"a": 1.0}, "1-D": X[:, 0, 0], "empty": X[:, :0],
              "nan": _with(X, (0, 0, 0), np.nan), "inf": _with(X, (3, 1, 2), np.inf)}
LENGTHS_BAD = {"None": None, "an int": 2, "a str": "12", "a set": {1, 2}, "a dict": {1: 1},
               "a 2-D array": np.ones((1, 2), int), "empty": []}


# Chapter 4 and the stacked / bidirectional layers: one more layer (H, H), a pair of directions,
# an encoder-decoder (D = 4 inputs, E = 5 decoder inputs, S = 2 decoder steps) and a tagger.
RNN_P2 = {"W_xh": 0.3 * RNG.standard_normal((H, H)), "W_hh": P["W_hh"], "b_h": P["b_h"]}
LAYERS = [RNN_P, RNN_P2]
H0_2 = RNG.standard_normal((2, B, H))
GEN_P = {**P, "W_xh": 0.3 * RNG.standard_normal((K, H))}      # D = K: argmax classes fed back
LAYERS_BAD = {
    "None": None, "empty": [], "a dict": RNN_P, "a str": "layers",
    "a layer of another kind": naming([(RNN_P, RNN_P), RNN_P2], "layers[1]"),
    "a pair of three": naming([(RNN_P, RNN_P, RNN_P)], "layers[0]"),
    "layer 2 of the wrong input size": naming([RNN_P, RNN_P], "layers[1]['W_xh']"),
    "W_hh missing": naming([RNN_P, _without(RNN_P2, "W_hh")], "layers[1]", "W_hh"),
    "nan": naming([RNN_P, {**RNN_P2, "b_h": _with(RNN_P2["b_h"], (0,), np.nan)}],
                  "layers[1]['b_h']"),
    "a str entry": naming([{**RNN_P, "W_hh": "abc"}, RNN_P2], "layers[0]['W_hh']")}
SEQ_LETTERS = {"enc_W_xh": "D H", "enc_W_hh": "H H", "enc_b_h": "H", "dec_W_xh": "E H",
               "dec_W_hh": "H H", "dec_b_h": "H", "dec_W_hy": "H K", "dec_b_y": "K"}
SEQ_SIZES = {"D": 4, "E": 5, "H": 3, "K": 4}
SEQ_P = {k: 0.5 * RNG.standard_normal(tuple(SEQ_SIZES[l] for l in s.split()))
         for k, s in SEQ_LETTERS.items()}
SEQ_X, SEQ_XD = RNG.standard_normal((3, B, 4)), RNG.standard_normal((2, B, 5))
SEQ_Y = RNG.integers(0, 4, (2, B))
BI_LETTERS = {**{f"{d}_{k}": s for d in ("fwd", "bwd") for k, s in
                 (("W_xh", "D H"), ("W_hh", "H H"), ("b_h", "H"))}, "W_hy": "H2 K", "b_y": "K"}
BI_P = {**{f"fwd_{k}": v for k, v in RNN_P.items()}, **{f"bwd_{k}": v for k, v in RNN_P.items()},
        "W_hy": 0.3 * RNG.standard_normal((2 * H, K)), "b_y": P["b_y"]}


# Chapter 6 (rnnlib.chapters.sentiment), the embedding and many-to-one over lengths: word ids
# (T, B) = (4, 2) in [0, V) with V = 6, D = 3 (X's), lengths in [1, T].
V_EMB = 6
W_EMB = 0.5 * RNG.standard_normal((V_EMB, D))
IDS = np.array([[1, 2], [3, 3], [0, 5], [4, 0]])
IDS_BAD = {"None": None, "floats": IDS.astype(float), "bools": IDS > 2, "strings": IDS.astype(str),
           "a str": "12", "id V": np.where(IDS == 5, V_EMB, IDS), "id -1": np.where(IDS == 0, -1, IDS),
           "empty": np.zeros((0, 2), int), "a dict": {"a": 1}}
EMB_CACHE = cache("embedding_forward", lambda: rnnlib.embedding_forward(IDS, W_EMB, 0)[1])
LEN = np.array([4, 2])
LEN_BAD = {"None": None, "an int": 2, "a str": "12", "floats": LEN.astype(float), "zero": np.array([0, 2]),
           "longer than T": np.array([T + 1, 2]), "one more": np.array([4, 2, 1]), "2-D": LEN[None],
           "a dict": {1: 1}}
LAST_CACHE = cache("rnn_last_forward", lambda: rnnlib.rnn_last_forward(X, RNN_P, LEN)[1])
SE_P = se.init_sentiment_params(3, 4, np.random.default_rng(0))
SE_IDS, SE_LEN = se.encode(["this movie is not good", "the plot was bad"])
SE_MODEL = se.SentimentModel(SE_P, np.zeros(1), 0.0)
TEXTS_BAD = {"None": None, "a str": "this movie is good", "empty": [], "a dict": {"a": "b"},
             "a number": naming([1.0], "texts[0]"), "no words": naming([""], "texts[0]"),
             "an unknown word": naming(["this movie is fantastic"], "texts[0]", "fantastic"),
             "padding as a word": naming(["this movie is <pad>"], "texts[0]", "<pad>")}
REVIEW_BAD = {"an unknown word": naming("this movie is fantastic", "fantastic"), "no words": " "}
MODEL_BAD = {"None": None, "params": SE_P, "a tuple": tuple(SE_MODEL), "a str": "model"}


def _embedding_backward(dx, ids, V, padding_idx):
    dW = np.zeros((V, dx.shape[-1]))
    np.add.at(dW, ids, dx)
    if padding_idx is not None:
        dW[padding_idx] = 0.0
    return dW


def _seq2seq_backward(do, out_cache, dec_cache, enc_cache):
    dh_dec, g_out = rnnlib.output_backward(do, out_cache)
    _, dh0, g_dec = rnnlib.rnn_backward(dh_dec, dec_cache)
    dh_enc = np.zeros_like(enc_cache.h)
    dh_enc[-1] = dh0
    dx, _, g_enc = rnnlib.rnn_backward(dh_enc, enc_cache)
    return dx, {**{f"enc_{k}": g for k, g in g_enc.items()},
                **{f"dec_{k}": g for k, g in {**g_dec, **g_out}.items()}}


# ---- the table: every public function, one spec per argument -----------------------------------

# chapter 5 (rnnlib.chapters.charlm, rnnlib.sample): character indices, a character model
CL_IDS = cl.encode("the state is (b, h).\nthe loss of the model, summed over the steps; and the")
CL_TEST = cl.encode("the loss (of it).\n")
CL_S = cl.streams(CL_IDS, 2)
CL_P = rnnlib.init_rnn_params(cl.V, 3, cl.V, np.random.default_rng(5))
CL_TEXT = "ab (cd) e\nf. g"
CL_H = np.tanh(np.random.default_rng(6).standard_normal((len(CL_TEXT), 3)))


def _ids_bad(good, *, least=2):
    """Bad values of an int array of character indices (ndim 1 unless ``good`` has 2 axes)."""
    bad = {"None": None, "a str": "abc", "a dict": {"a": 1}, "a number": 3, "floats": good.astype(float),
           "bools": good > 3, "one more axis": good[None], "index V": np.where(good == good.flat[0], cl.V, good),
           "index -1": np.where(good == good.flat[0], -1, good), "empty": good[:0],
           "strings": good.astype(str), "ragged": [[1], [1, 2]]}
    if least > 1:
        bad["too short"] = good[:least - 1]
    return bad


SIGNATURES = {
    # activations, layers
    rnnlib.activation_forward: dict(a=arr(H0), name=choice("tanh"), check=flag()),
    rnnlib.activation_backward: dict(dz=arr(H0, "B H", bound=True), cache=ACT_CACHE, check=flag()),
    rnnlib.affine_forward: dict(x=arr(X, "... D"), W=arr(P["W_xh"], "D M"), b=arr(P["b_h"], "M"),
                                check=flag()),
    rnnlib.affine_backward: dict(dout=arr(HS, "T B H", bound=True), cache=AFFINE_CACHE, check=flag()),
    rnnlib.fnn_forward: dict(x=arr(X[0], "B D"), params=params(FNN_P), activation=choice("relu"),
                             check=flag()),
    rnnlib.fnn_backward: dict(do=arr(Y[0], "B K", bound=True), cache=FNN_CACHE, check=flag()),
    # rnn
    rnnlib.rnn_step_forward: dict(x_t=arr(X[0], "B D"), h_prev=arr(H0, "B H"), params=params(RNN_P),
                                  activation=choice("tanh"), check=flag()),
    rnnlib.rnn_step_backward: dict(dh_t=arr(H0, "B H", bound=True), cache=STEP_CACHE, check=flag()),
    rnnlib.rnn_forward: dict(x=arr(X, "T B D"), params=params(RNN_P), h0=arr(H0, "B H", optional=True),
                             activation=choice("tanh"), check=flag()),
    rnnlib.rnn_backward: dict(dh_out=arr(HS, "T B H", bound=True), cache=RNN_CACHE, check=flag()),
    rnnlib.output_forward: dict(h=arr(HS, "... H"), params=params(OUT_P), check=flag()),
    # gated cells
    rnnlib.lstm_step_forward: dict(x_t=arr(X[0], "B D"), h_prev=arr(H0, "B H"), c_prev=arr(C0, "B H"),
                                   params=params(LSTM_P, letters=LSTM_SHAPES), check=flag()),
    rnnlib.lstm_step_backward: dict(dh_t=arr(H0, "B H", bound=True), dc_t=arr(C0, "B H", bound=True),
                                    cache=LSTM_STEP_CACHE, check=flag()),
    rnnlib.lstm_forward: dict(x=arr(X, "T B D"), params=params(LSTM_P, letters=LSTM_SHAPES),
                              h0=arr(H0, "B H", optional=True), c0=arr(C0, "B H", optional=True),
                              check=flag()),
    rnnlib.lstm_backward: dict(dh_out=arr(HS, "T B H", bound=True), cache=LSTM_CACHE, check=flag()),
    rnnlib.init_lstm_params: dict(D=integer(3, low=1), H=integer(4, low=1), K=integer(2, low=1),
                                  rng=generator(), dtype=dtype(), forget_bias=num(1.0, optional=True)),
    rnnlib.gru_step_forward: dict(x_t=arr(X[0], "B D"), h_prev=arr(H0, "B H"),
                                  params=params(GRU_P, letters=GRU_SHAPES), check=flag()),
    rnnlib.gru_step_backward: dict(dh_t=arr(H0, "B H", bound=True), cache=GRU_STEP_CACHE, check=flag()),
    rnnlib.gru_forward: dict(x=arr(X, "T B D"), params=params(GRU_P, letters=GRU_SHAPES),
                             h0=arr(H0, "B H", optional=True), check=flag()),
    rnnlib.gru_backward: dict(dh_out=arr(HS, "T B H", bound=True), cache=GRU_CACHE, check=flag()),
    rnnlib.init_gru_params: dict(D=integer(3, low=1), H=integer(4, low=1), K=integer(2, low=1),
                                 rng=generator(), dtype=dtype()),
    rnnlib.output_backward: dict(do=arr(Y, "T B K", bound=True), cache=OUT_CACHE, check=flag()),
    # losses
    rnnlib.softmax: dict(logits=arr(Y, "... K"),
                         axis=listed(-1, {"1.5": 1.5, "'1'": "1", "None": None, "True": True, "[0]": [0],
                                         "3": 3, "-4": -4})),
    rnnlib.log_softmax: dict(logits=arr(Y, "... K"),
                             axis=listed(-1, {"1.5": 1.5, "None": None, "3": 3, "-4": -4, "(0, 1)": (0, 1)}),
                             check=flag()),
    rnnlib.mse_loss: dict(y_pred=arr(Y, "... K"), y=arr(Y, "T B K", bound=True), reduction=choice("sum"),
                          check=flag()),
    rnnlib.softmax_cross_entropy: dict(logits=arr(Y, "... K"), labels=labels(LABELS, "T B", K),
                                       reduction=choice("mean"), check=flag()),
    # networks with a loss
    rnnlib.fnn_loss: dict(params=params(FNN_P), x=arr(X[0], "B D"), targets=arr(Y[0], "B K"),
                          loss=choice("mse"), reduction=choice("sum"), activation=choice("relu")),
    rnnlib.rnn_loss: dict(params=params(P), x=arr(X, "T B D"), targets=arr(Y, "T B K"),
                          loss=choice("mse"), reduction=choice("sum"), outputs=choice("all"),
                          h0=arr(H0, "B H", optional=True), activation=choice("tanh"), cell=choice("rnn")),
    rnnlib.rnn_predict: dict(params=params(P), x=arr(X, "T B D"), outputs=choice("last"),
                             h0=arr(H0, "B H", optional=True), activation=choice("tanh"), cell=choice("rnn")),
    rnnlib.rnn_loss_truncated: dict(params=params(P), x=arr(X, "T B D"), targets=labels(LABELS, "T B", K),
                                    k=integer(2, low=1), loss=choice("cross_entropy"),
                                    reduction=choice("mean"), h0=arr(H0, "B H", optional=True),
                                    activation=choice("tanh")),
    # gradient checks
    rnnlib.numerical_gradient: dict(
        f=func(lambda: 1.0, returns={"None": (None, ()), "nan": (math.nan, ("x[0, 0]",), 2),
                                     "an array": (np.ones(2), ("x[0, 1]",), 3), "a str": ("1.0", ()),
                                     "a bool": (True, ()), "inf": (math.inf, ())}),
        x=listed(GRADS["W"], {"list": GRADS["W"].tolist(), "ints": np.arange(6).reshape(3, 2),
                             "float32": naming(GRADS["W"].astype(np.float32), "float64"),
                             "read-only": _read_only(GRADS["W"]), "nan": _with(GRADS["W"], (1, 1), np.nan),
                             "None": None, "number": 0.5, "complex": GRADS["W"].astype(complex)}),
        eps=num(1e-6, low=0, low_open=True)),
    rnnlib.relative_error: dict(a=arr(GRADS["W"], "R C", allow_empty=True),
                                b=arr(GRADS["W"], "R C", allow_empty=True)),
    rnnlib.check_gradients: dict(
        loss_and_grads=func(_loss, raise_at=5, returns=GRADCHECK_RETURNS),
        params=params(P, letters={}, perturbable=True), eps=num(1e-6, low=0, low_open=True)),
    # clipping, optimizers, initialisation, training
    rnnlib.global_norm: dict(grads=params(GRADS, letters={}, required=())),
    rnnlib.clip_grad_norm: dict(grads=params(GRADS, letters={}, required=()),
                                max_norm=num(1.0, low=0, low_open=True)),
    rnnlib.clip_grad_value: dict(grads=params(GRADS, letters={}, required=()),
                                 max_value=num(1.0, low=0, low_open=True)),
    rnnlib.sgd_step: dict(params=params(GRADS, letters={"W": "R C", "b": "C"}, exact=True),
                          grads=params(GRADS, letters={"W": "R C", "b": "C"}, exact=True), lr=num(0.1, low=0)),
    rnnlib.adam_init: dict(params=params(GRADS, letters={}, required=())),
    rnnlib.adam_step: dict(
        params=params(GRADS, letters={"W": "R C", "b": "C"}, exact=True),
        grads=params(GRADS, letters={"W": "R C", "b": "C"}, exact=True),
        state=listed({"m": GRADS, "v": V, "t": 3}, {
            "None": None, "list": [GRADS, V, 3],
            "no m": naming({"v": V, "t": 3}, "m"),
            "no v": naming({"m": GRADS, "t": 3}, "v"),
            "no t": naming({"m": GRADS, "v": V}, "t"),
            "m missing b": naming({"m": _without(GRADS, "b"), "v": V, "t": 3}, "state['m']"),
            "m['W'] shape": naming({"m": {**GRADS, "W": GRADS["W"].T}, "v": V, "t": 3}, "state['m']['W']"),
            "m['W'] nan": naming({"m": {**GRADS, "W": GRADS["W"] * np.nan}, "v": V, "t": 3}, "state['m']['W']"),
            "v['b'] negative": naming({"m": GRADS, "v": {**V, "b": -np.ones(2)}, "t": 3}, "state['v']['b']"),
            "v a list": naming({"m": GRADS, "v": list(V.values()), "t": 3}, "state['v']"),
            "t = -1": naming({"m": GRADS, "v": V, "t": -1}, "state['t']"),
            "t = 1.5": naming({"m": GRADS, "v": V, "t": 1.5}, "state['t']"),
            "t = True": naming({"m": GRADS, "v": V, "t": True}, "state['t']"),
            "t = None": naming({"m": GRADS, "v": V, "t": None}, "state['t']")}),
        lr=num(1e-3, low=0), beta1=num(0.9, low=0, high=1, high_open=True),
        beta2=num(0.999, low=0, high=1, high_open=True), eps=num(1e-8, low=0, low_open=True)),
    rnnlib.init_rnn_params: dict(D=integer(3, low=1), H=integer(4, low=1), K=integer(2, low=1),
                                 rng=generator(), dtype=dtype()),
    rnnlib.train: dict(loss_and_grads=func(_affine_loss, returns=TRAIN_RETURNS),
                       params=params(GRADS, letters={}, required=()), steps=integer(3, low=0),
                       lr=num(0.01, low=0), optimizer=choice("adam"),
                       max_norm=num(1.0, low=0, low_open=True, optional=True), keep_path=flag(False)),
    # chapter 1 helpers (rnnlib.chapters.fnn_vs_rnn)
    ex.scalar_params: dict(**{k: num(v) for k, v in ex.RNN_EXAMPLE.items() if k in PARAM_SHAPES},
                           W_hx=unknown(), x=unknown()),
    ex.scalar_sequence: dict(values=seq((0.5, 0.7))),
    ex.trace_fnn: dict(**{k: num(v, low=0 if k == "lr" else None) for k, v in ex.FNN_EXAMPLE.items()},
                       activation=choice("relu")),
    ex.trace_rnn: dict(x=seq((0.5, 0.7), same_length_as="y"), y=seq((0.8, 0.9), same_length_as="x"),
                       **{k: num(v, low=0 if k == "lr" else None) for k, v in ex.RNN_EXAMPLE.items()
                          if k not in ("x", "y")},
                       activation=choice("tanh")),
    ex.sweep: dict(trace_fn=func(ex.trace_rnn, raise_at=2, returns={"None": (None, ()), "a list": ([1.0], ())}),
                   name=listed("W_hh", {"typo": "W_hx", "None": None, "int": 1, "list": ["W_hh"]}),
                   values=seq((0.1, 0.2, 0.3)), lr=num(0.1, low=0), W_xh=num(0.5), W_hx=unknown()),
    ex.redo_rnn_from_quoted: dict(
        quoted=listed(ex.ARTICLE_RNN_QUOTED, {
            "None": None, "list": list(ex.ARTICLE_RNN_QUOTED.values()),
            "h_2 missing": naming(_without(ex.ARTICLE_RNN_QUOTED, "h_2"), "h_2"),
            "h_1 not a number": naming({**ex.ARTICLE_RNN_QUOTED, "h_1": "abc"}, "quoted['h_1']"),
            "h_1 None": naming({**ex.ARTICLE_RNN_QUOTED, "h_1": None}, "quoted['h_1']"),
            "h_1 nan": naming({**ex.ARTICLE_RNN_QUOTED, "h_1": "nan"}, "quoted['h_1']")}),
        example=listed(ex.RNN_EXAMPLE, {
            "None": None, "W_hh missing": naming(_without(ex.RNN_EXAMPLE, "W_hh"), "W_hh"),
            "x of 3 steps": naming({**ex.RNN_EXAMPLE, "x": (0.5, 0.7, 0.2)}, "example['x']"),
            "x a number": naming({**ex.RNN_EXAMPLE, "x": 0.5}, "example['x']"),
            "W_hh nan": naming({**ex.RNN_EXAMPLE, "W_hh": math.nan}, "example['W_hh']"),
            "W_hh str": naming({**ex.RNN_EXAMPLE, "W_hh": "0.3"}, "example['W_hh']"),
            "lr < 0": naming({**ex.RNN_EXAMPLE, "lr": -0.1}, "example['lr']")})),
    ex.redo_fnn_from_quoted: dict(
        quoted=listed(ex.ARTICLE_FNN_QUOTED, {
            "None": None, "o missing": naming(_without(ex.ARTICLE_FNN_QUOTED, "o"), "o"),
            "a not a number": naming({**ex.ARTICLE_FNN_QUOTED, "a": "0,3"}, "quoted['a']"),
            "a inf": naming({**ex.ARTICLE_FNN_QUOTED, "a": math.inf}, "quoted['a']")}),
        example=listed(ex.FNN_EXAMPLE, {
            "None": None, "x missing": naming(_without(ex.FNN_EXAMPLE, "x"), "x"),
            "x a tuple": naming({**ex.FNN_EXAMPLE, "x": (0.5,)}, "example['x']"),
            "W_xh nan": naming({**ex.FNN_EXAMPLE, "W_xh": math.nan}, "example['W_xh']")})),
    ex.compare_with_article: dict(
        trace=listed(TRACE, {"None": None, "list": list(TRACE.values()),
                            "h_1 missing": naming(_without(TRACE, "h_1"), "h_1"),
                            "h_1 nan": naming({**TRACE, "h_1": math.nan}, "trace['h_1']"),
                            "h_1 str": naming({**TRACE, "h_1": "0.3"}, "trace['h_1']")}),
        quoted=listed(ex.ARTICLE_RNN_QUOTED, {
            "None": None, "h_1 a float": naming({**ex.ARTICLE_RNN_QUOTED, "h_1": 0.337}, "quoted['h_1']"),
            "h_1 not a number": naming({**ex.ARTICLE_RNN_QUOTED, "h_1": "abc"}, "quoted['h_1']"),
            "unknown key": naming({**ex.ARTICLE_RNN_QUOTED, "zz": "1.0"}, "zz")}),
        redone=listed(ex.redo_rnn_from_quoted(), {
            "None": None, "h_1 missing": naming(_without(ex.redo_rnn_from_quoted(), "h_1"), "h_1"),
            "h_1 nan": naming({**ex.redo_rnn_from_quoted(), "h_1": math.nan}, "redone['h_1']")}),
        omitted=listed(ex.ARTICLE_RNN_OMITTED, {"a str": "dW_xh", "None": None,
                                               "unknown key": naming(("zz",), "zz"),
                                               "a number": naming((1,), "omitted[0]")}),
        causes=listed(ex.ARTICLE_CAUSES, {"None": None, "list": ["a"],
                                         "h_1 a number": naming({"h_1": 1}, "causes['h_1']")})),
    ex.describe: dict(key=text("dh_next_1")),
    ex.trace_table_html: dict(
        trace=listed(TRACE, {"None": None, "empty": {}, "list": list(TRACE.items()),
                            "h_1 str": naming({**TRACE, "h_1": "0.3"}, "trace['h_1']"),
                            "h_1 None": naming({**TRACE, "h_1": None}, "trace['h_1']"),
                            "int key": {1: 0.5}}),
        digits=integer(4, low=0), columns=integer(2, low=1)),
    ex.comparison_table_html: dict(
        rows=listed(ROWS, {"None": None, "a dict": ROWS[0], "a list of str": ["a"],
                          "no verdict": naming([_without(ROWS[0], "verdict")], "rows[0]", "verdict"),
                          "correct a str": naming(_row(correct="0.3"), "rows[0]['correct']"),
                          "article a number": naming(_row(article=0.3), "rows[0]['article']")}),
        digits=integer(5, low=0)),
    ex.trace_view: dict(x_1=num(0.5), x_2=num(0.7), W_xh=num(0.5), W_hh=num(0.3), h_0=num(0.1)),
    ex.rnn_trace_widget: dict(),
    ex.unshared_rnn_loss: dict(
        step_params=listed([P] * T, {
            "None": None, "a dict": P, "a str": "P", "T - 1 dicts": [P] * (T - 1),
            "W_hh missing": naming([P, P, _without(P, "W_hh"), P], "step_params[2]", "W_hh"),
            "W_hh shape": naming([P, {**P, "W_hh": P["W_hh"][:2]}, P, P], "step_params[1]['W_hh']"),
            "b_y nan": naming([P, P, P, {**P, "b_y": P["b_y"] * np.nan}], "step_params[3]['b_y']"),
            "W_xh a str": naming([{**P, "W_xh": "abc"}, P, P, P], "step_params[0]['W_xh']"),
            "an entry a list": naming([P, P, P, list(P.values())], "step_params[3]")}),
        x=arr(X, "T B D"), targets=arr(Y, "T B K"), h0=arr(H0, "B H", optional=True)),
    ex.rnn_loss_step1_dW_hy: dict(params=params(P), x=arr(X, "T B D"), targets=arr(Y, "T B K")),
    # display helpers shared by the chapters (rnnlib.chapters.display)
    display.format_number: dict(value=num(0.5, finite=False), digits=integer(3, low=0)),
    display.html_table: dict(
        header=listed(["a", "b"], {"a str": "ab", "empty": [], "None": None,
                                  "a number title": naming(["a", 1], "header[1]")}),
        rows=listed([[1, 2], ["x", "y"]], {"None": None, "a str row": naming(["ab"], "rows[0]"),
                                          "a short row": naming([[1, 2], ["x"]], "rows[1]"),
                                          "a long row": naming([[1, 2, 3]], "rows[0]")}),
        align=listed(["left", "right"], {"a str": "left", "too short": ["left"],
                                        "unknown": naming(["left", "middle"], "align[1]"),
                                        "a list entry": naming(["left", ["right"]], "align[1]")},
                    optional=True)),
    display.interactive: dict(
        view=func(ex.trace_view, raise_at=1, returns={"None": (None, ()), "a number": (1.0, ())}),
        sliders=listed(SLIDERS, {
            "None": None, "empty": {}, "a list": list(SLIDERS.values()),
            "a pair": naming({"W_hh": (0.3, 1.0)}, "sliders['W_hh']"),
            "value above high": naming({"W_hh": display.Slider(3.0, -2.0, 2.0, 0.05)}, "sliders['W_hh']"),
            "step 0": naming({"W_hh": display.Slider(0.3, -2.0, 2.0, 0.0)}, "sliders['W_hh']"),
            "nan": naming({"W_hh": display.Slider(math.nan, -2.0, 2.0, 0.1)}, "sliders['W_hh']"),
            "a str value": naming({"W_hh": display.Slider("0.3", -2.0, 2.0, 0.1)}, "sliders['W_hh']"),
            "int key": {1: display.Slider(0.3, -2.0, 2.0, 0.1)},
            "key not a name": {"W hh": display.Slider(0.3, -2.0, 2.0, 0.1)}}),
        per_row=integer(2, low=1)),
    display.sgd_animation: dict(
        losses=arr(np.array([1.0, 0.5, 0.2]), "S"), predictions=arr(np.zeros((3, 2)), "S T"),
        targets=arr(np.ones(2), "T"),
        frames=listed([0, 2], {"out of range": [0, 3], "negative": [-1], "floats": [0.0, 1.5],
                              "a str": "0", "empty": [], "nested": [[0, 1]]}, optional=True),
        dpi=num(40, low=0, low_open=True),
        figsize=listed((6, 3), {"one entry": (6,), "zero": naming((0, 3), "figsize[0]"), "a str": "6x3",
                               "None": None})),
    display.show: dict(h=listed(np.array([[0.3]]), SHOW_BAD), o=listed(0.38, SHOW_BAD)),
    display.unrolled_graph: dict(T=integer(3, low=1), losses=flag()),
    display.gradient_paths: dict(T=integer(3, low=1), k=integer(1, low=1, high=3)),
    display.draw_unrolled_graph: dict(
        T=integer(2, low=1), ax=made(_axes, NOT_AN_AXES, optional=True),
        values=listed(GRAPH_VALUES, {
            "a list": ["h_1"], "a str": "h_1", "int key": {1: "0.5"},
            "unknown node": naming({"h_9": "0.5"}, "h_9"),
            "a number value": naming({"h_1": 0.336}, "values['h_1']")}, optional=True),
        paths=listed(display.gradient_paths(2, 1), {
            "None": None, "a str": "L_1", "a number": 1,
            "a path, not a list of paths": ["L_1", "o_1"],
            "unknown node": naming([["L_1", "o_3"]], "paths[0]"),
            "a node not a str": naming([["L_1", 1]], "paths[0]"),
            "a list as node": naming([[["L_1"]]], "paths[0]"),
            "not along an edge": naming([["L_2", "o_2"], ["L_1", "h_1"]], "paths[1]")}),
        path_labels=listed(["out", "rec"], {
            "a str": "ab", "a number": 1, "too short": ["out"],
            "a number label": naming(["out", 1], "path_labels[1]")}, optional=True),
        losses=flag(), edge_labels=flag(),
        highlight=listed(("W_hh",), {"None": None, "a str": "W_hh", "a number": 1,
                                    "a set": {"W_hh"}, "unknown": ("W_zz",), "nested": [["W_hh"]]})),
    display.figure_html: dict(
        fig=made(_figure, {"None": None, "a str": "fig", "a number": 1, "an array": np.ones((2, 2)),
                           "a dict": {}}),
        dpi=num(30, low=0, low_open=True)),
    display.animation_html: dict(
        anim=made(_animation, {"None": None, "a str": "anim", "a number": 1, "a list": [],
                               "a function": _animation}),
        default_mode=choice("once"), fps=num(5.0, low=0, low_open=True, optional=True)),
    display.plot_panels: dict(
        x=plus(arr(np.linspace(1.0, 2.0, 4), "N"),
               {"one longer": naming(np.linspace(1.0, 2.0, 5), "panels['a']['up']")}),
        panels=listed(PANELS, {
            "None": None, "empty": {}, "a list": [np.ones(4)], "int title": {1: {"up": np.ones(4)}},
            "curves a list": naming({"a": [np.ones(4)]}, "panels['a']"),
            "no curve": naming({"a": {}}, "panels['a']"),
            "int label": naming({"a": {1: np.ones(4)}}, "panels['a']"),
            "wrong length": naming({"a": {"up": np.ones(3)}}, "panels['a']['up']"),
            "nan": naming({"a": {"up": _with(np.ones(4), 1, np.nan)}}, "panels['a']['up']"),
            "str entries": naming({"a": {"up": ["a"] * 4}}, "panels['a']['up']")}),
        xlabel=text("x"), logx=flag(False),
        logy=listed(("a",), {"None": None, "a str": "a", "a number": 1,
                            "unknown title": naming(("c",), "logy[0]"),
                            "a number title": naming((1,), "logy[0]"),
                            "a list title": naming([["a"]], "logy[0]")}),
        marks=listed([("m", 1.5)], {"None": None, "a str": "m", "a pair, not a list": ("m", 1.5),
                                   "one entry": [("m",)],
                                   "nan": naming([("m", math.nan)], "marks[0][1]"),
                                   "number label": naming([(1, 1.5)], "marks[0][0]")}),
        figsize=listed((4, 2), {"one entry": (4,), "zero": naming((0, 2), "figsize[0]"),
                               "a str": "4x2", "nan": naming((math.nan, 2), "figsize[0]")},
                       optional=True)),
    # chapter 2 helpers (rnnlib.chapters.unrolling)
    un.free_orbits: dict(W_hh=arr(ORBIT_W, "H H"), h0=arr(H0_RING, "B H"), T=integer(5, low=1),
                         activation=choice("tanh")),
    un.step_jacobians: dict(h=arr(np.tanh(HS), "T B H"), W_hh=arr(P["W_hh"], "H H"),
                            activation=choice("tanh")),
    un.jacobian_product_norms: dict(J=arr(un.step_jacobians(np.tanh(HS), P["W_hh"]), "T B H H")),
    un.plot_orbits: dict(
        orbits=listed(ORBITS, {
            "None": None, "empty": [], "an array": ORBITS[0],
            "3 units": naming([np.ones((3, 2, 3)), ORBITS[1]], "orbits[0]"),
            "nan": naming([ORBITS[0], _with(ORBITS[1], (0, 0, 0), np.nan)], "orbits[1]"),
            "a str entry": naming(["abc", ORBITS[1]], "orbits[0]")}),
        titles=listed(["a", "b"], {"None": None, "a str": "ab", "one title": ["a"],
                                  "a number title": naming(["a", 1], "titles[1]")}),
        figsize=listed((4, 2), {"None": None, "one entry": (4,), "a str": "4x2",
                               "zero": naming((0, 2), "figsize[0]")})),
    un.plot_unrolling: dict(
        shown_T=listed((1, 2), {"None": None, "an int": 2, "empty": (),
                                "zero": naming((1, 0), "shown_T[1]"),
                                "too long": naming((13,), "shown_T[0]"),
                                "a str entry": naming(("a", 2), "shown_T[0]")}),
        figsize=listed((6, 3), {"one entry": (4,), "a str": "4x2",
                               "zero": naming((0, 2), "figsize[0]")}, optional=True)),
    un.unrolled_network: dict(params=params(RNN_P), T=integer(3, low=1)),
    un.copies_forward: dict(
        x=arr(X, "T B D"),
        copies=listed(COPIES, {
            "None": None, "empty": [], "a dict": RNN_P, "T - 1 copies": COPIES[:-1],
            "W_hh missing": naming([COPIES[0], _without(RNN_P, "W_hh"), *COPIES[2:]], "copies[1]",
                                   "W_hh"),
            "W_hh shape": naming([*COPIES[:2], {**RNN_P, "W_hh": RNN_P["W_hh"][:2]}, COPIES[3]],
                                 "copies[2]['W_hh']"),
            "b_h nan": naming([{**RNN_P, "b_h": RNN_P["b_h"] * np.nan}, *COPIES[1:]],
                              "copies[0]['b_h']"),
            "an entry a list": naming([list(RNN_P.values()), *COPIES[1:]], "copies[0]")}),
        h0=arr(H0, "B H", optional=True), activation=choice("tanh")),
    un.copies_backward: dict(
        dh_out=arr(HS, "T B H", bound=True),
        caches=listed(STEP_CACHES, {
            "None": None, "a str": "caches", "empty": [], "one cache": STEP_CACHES[0],
            "an RNNCache": RNN_CACHE.make(), "a list of RNNCache": [RNN_CACHE.make()],
            "a None entry": naming([STEP_CACHES[0], None, *STEP_CACHES[2:]], "caches[1]"),
            "another size": naming(
                [*STEP_CACHES[:3], rnnlib.rnn_step_forward(X[0, :1], H0[:1], RNN_P)[1]], "caches[3]")})),
    un.parameter_counts: dict(T=integer(4, low=1), D=integer(1, low=1), H=integer(8, low=1),
                              K=integer(1, low=1)),
    un.parameter_count: dict(params=params(P, letters={}, required=())),
    un.path_terms: dict(params=params(P), x=arr(X, "T B D"), y=arr(Y, "T B K"),
                        h0=arr(H0, "B H", optional=True), t=integer(2, low=1, high=T, optional=True),
                        activation=choice("tanh")),
    un.path_terms_html: dict(terms=listed(TERMS, TERMS_BAD), digits=integer(4, low=1)),
    un.step_ratios: dict(terms=listed(TERMS, TERMS_BAD), W_hh=arr(P["W_hh"], "H H", bound=True)),
    un.term_sizes: dict(terms=listed(TERMS, TERMS_BAD)),
    un.with_eigenvalues: dict(eigenvalues=arr([0.9, 0.5, -0.3], "H"), rng=generator()),
    un.with_singular_values: dict(gain=num(0.8, low=0, low_open=True), H=integer(3, low=1),
                                  rng=generator()),
    un.plot_term_sizes: dict(
        distance_sets=listed(DISTANCES, {
            "None": None, "an array": DISTANCES[0], "one set": [DISTANCES[0]],
            "wrong length": naming([np.arange(5.0), DISTANCES[1]], "distance_sets[0]"),
            "nan": naming([DISTANCES[0], _with(DISTANCES[1], 0, np.nan)], "distance_sets[1]"),
            "a str entry": naming(["abc", DISTANCES[1]], "distance_sets[0]")}),
        labels=listed(SIZES, {
            "None": None, "a list": list(SIZES.values()), "one curve": {"a": SIZES["a"]},
            "int key": {1: SIZES["a"], "b": SIZES["b"]},
            "wrong length": naming({"a": SIZES["a"], "b": np.ones(4)}, "labels['b']"),
            "nan": naming({"a": SIZES["a"] * np.nan, "b": SIZES["b"]}, "labels['a']")}),
        xlabel=text("k"), ax=made(_axes, NOT_AN_AXES, optional=True),
        styles=listed(["o-", "s--"], {"a str": "o-", "one style": ["o-"],
                                     "not a format": naming(["o-", "zz"], "styles[1]"),
                                     "a number style": naming([1, "o-"], "styles[0]")},
                      optional=True),
        ylabel=text("size")),
    un.step_through_frames: dict(params=params(P1), x=arr(X1, "T B D"), y=arr(Y1, "T B K"),
                                 h0=arr([[0.1]], "B H", optional=True)),
    # (its params, x, y, h0 are step_through_frames's, tried above by every family: a few here)
    un.step_through_animation: dict(
        params=listed(P1, {"None": None,
                           "W_hh missing": naming(_without(P1, "W_hh"), "params", "W_hh"),
                           "W_hh nan": naming({**P1, "W_hh": P1["W_hh"] * np.nan},
                                              "params['W_hh']"),
                           "two units": naming({**P1, "W_hh": np.ones((2, 2))}, "params['W_hh']")}),
        x=listed(X1, {"None": None, "a str": "abc", "nan": _with(X1, (1, 0, 0), np.nan),
                      "two examples": np.ones((2, 2, 1))}),
        y=listed(Y1, {"None": None, "inf": _with(Y1, (0, 0, 0), np.inf),
                      "one step more": ex.scalar_sequence([0.8, 0.9, 1.0])}),
        h0=listed([[0.1]], {"a str": "abc", "two units": np.ones((1, 2)), "inf": [[np.inf]]},
                  optional=True),
        dpi=integer(20, low=10), interval=integer(900, low=1)),
    un.unrolled_view: dict(T=integer(2, low=1, high=12)),
    un.unrolled_widget: dict(),
    # chapter 3 helpers (rnnlib.chapters.softmax_bptt)
    sb.naive_softmax: dict(logits=arr(Y, "... K")),
    sb.compare_printed: dict(
        values=arr(ARTICLE_P, "K"),
        printed=listed(sb.ARTICLE_SOFTMAX_QUOTED, {
            "None": None, "a str": "0.66", "a set": {"0.66"}, "one short": ("0.66", "0.242"),
            "a number": ("0.66", 0.242, "0.09"),
            "not a number": naming(("0.66", "abc", "0.09"), "printed[1]"),
            "nan": naming(("nan", "0.242", "0.09"), "printed[0]")})),
    sb.softmax_overflow: dict(
        logits=arr(sb.ARTICLE_LOGITS, "K"), shifts=seq((0.0, 10.0)),
        dtypes=listed(("float32", "float64"), {
            "None": None, "a str": "float32", "a number": 1, "empty": (),
            "an int dtype": naming(("float32", "int32"), "dtypes[1]"),
            "a dtype object": naming((np.float32,), "dtypes[0]")})),
    sb.overflow_table_html: dict(
        rows=listed(OVERFLOW_ROWS, {
            "None": None, "a dict": OVERFLOW_ROWS[0],
            "a row a list": naming([list(OVERFLOW_ROWS[0].values())], "rows[0]"),
            "no naive": naming([_without(OVERFLOW_ROWS[0], "naive")], "rows[0]", "naive"),
            "shift nan": naming(_rows_with(OVERFLOW_ROWS, shift=math.nan), "rows[0]['shift']"),
            "dtype a number": naming(_rows_with(OVERFLOW_ROWS, dtype=32), "rows[0]['dtype']"),
            "largest_exp nan": naming(_rows_with(OVERFLOW_ROWS, largest_exp=math.nan),
                                      "rows[0]['largest_exp']"),
            "largest_exp a str": naming(_rows_with(OVERFLOW_ROWS, largest_exp="inf"),
                                        "rows[0]['largest_exp']"),
            "stable a str": naming(_rows_with(OVERFLOW_ROWS, stable="abc"), "rows[0]['stable']"),
            "stable 2-D": naming(_rows_with(OVERFLOW_ROWS, stable=np.ones((1, 3)) / 3),
                                 "rows[0]['stable']"),
            "naive a str": naming(_rows_with(OVERFLOW_ROWS, naive="abc"), "rows[0]['naive']"),
            "naive short": naming(_rows_with(OVERFLOW_ROWS, naive=np.ones(2) / 2),
                                  "rows[0]['naive']")}),
        digits=integer(4, low=0)),
    sb.softmax_temperature: dict(logits=arr(Y, "... K"), tau=num(2.0, low=0, low_open=True)),
    sb.entropy: dict(p=plus(arr(PROBS, "... K"), PROBS_BAD)),
    sb.temperature_sweep: dict(
        logits=arr(sb.ARTICLE_LOGITS, "K"),
        taus=plus(arr([0.5, 1.0, 2.0], "N"), {"a zero": naming([0.5, 0.0], "taus"),
                                              "negative": naming([-1.0, 1.0], "taus")})),
    sb.temperature_view: dict(tau=num(2.0, low=0, low_open=True),
                              logits=arr(sb.ARTICLE_LOGITS, "K")),
    sb.temperature_widget: dict(),
    sb.softmax_jacobian: dict(p=plus(arr(PROBS, "... K"), PROBS_BAD)),
    sb.softmax_mse: dict(logits=arr(Y, "... K"), labels=labels(LABELS, "T B", K),
                         reduction=choice("sum")),
    sb.confidently_wrong: dict(margins=arr(np.linspace(-2.0, 8.0, 5), "N"), K=integer(3, low=2)),
    sb.goodfellow_params: dict(params=params(P)),
    sb.goodfellow_bptt: dict(params=params(P), x=arr(X[:, :1], "T B D"),
                             labels=labels(LABELS[:, :1], "T B", K), recurrent=flag()),
    sb.hidden_jacobian: dict(params=params(RNN_P), x_t=arr(X[0, :1], "B D"),
                             h_prev=arr(H0[:1], "B H"),
                             eps=num(1e-6, low=0, low_open=True, optional=True)),
    sb.source_lines: dict(source=listed(rnnlib.rnn_forward, {
        "None": None, "a str": "rnn_forward", "a number": 1, "a builtin": len,
        "a class": rnnlib.rnn.StepCache, "a lambda": lambda: 0, "numpy's": np.linalg.norm})),
    sb.quote: dict(label=choice("eq-ch3-dh")),
    sb.flat_gradient: dict(grads=params(P, letters={})),
    sb.truncation_sweep: dict(
        params=params(P), x=arr(X, "T B D"), targets=labels(LABELS, "T B", K),
        ks=listed([1, 3], {**LENGTHS_BAD, "zero": naming([0, 2], "ks[0]"),
                           "a float": naming([1, 2.0], "ks[1]"), "a bool": naming([True], "ks[0]"),
                           "nested": naming([[1]], "ks[0]")}),
        loss=choice("cross_entropy"), reduction=choice("mean")),
    sb.reset_chunks: dict(a=listed(X, {**CHUNKS_BAD, "T not a multiple of k": X[:3]}),
                          k=plus(integer(2, low=1), {"3 (T = 4)": 3})),
    sb.merge_chunks: dict(
        chunks=listed(sb.reset_chunks(X, 2),
                      {**CHUNKS_BAD, "B not a whole number": np.ones((2, 3, 3))}),
        T=plus(integer(4, low=1), {"3 (k = 2)": 3})),
    sb.echo_accuracy: dict(params=params(P), x=arr(X, "T B D"), targets=labels(LABELS, "T B", K),
                           delay=integer(1, low=0, high=T - 1),
                           reset_every=plus(integer(2, low=1, optional=True), {"3 (T = 4)": 3}),
                           chunk=integer(2, low=1, high=T - 1, optional=True)),
    sb.peak_memory: dict(fn=func(lambda: np.ones(100).sum(), raise_at=1)),
    sb.best_time: dict(fn=func(lambda: None, raise_at=2), repeats=integer(2, low=1)),
    sb.bptt_cost: dict(
        Ts=listed([2, 3], {**LENGTHS_BAD, "zero": naming([0, 2], "Ts[0]"),
                           "a float": naming([2.0], "Ts[0]")}),
        k=integer(2, low=1), rng=generator(), B=integer(1, low=1), D=integer(1, low=1),
        H=integer(2, low=1), K=integer(2, low=1), repeats=integer(1, low=1)),
    sb.printed_table_html: dict(rows=listed(PRINTED_ROWS, {
        "None": None, "a dict": PRINTED_ROWS[0],
        "a row a list": naming([list(PRINTED_ROWS[0].values())], "rows[0]"),
        "no verdict": naming([_without(PRINTED_ROWS[0], "verdict")], "rows[0]", "verdict"),
        "exact nan": naming(_rows_with(PRINTED_ROWS, exact=math.nan), "rows[0]['exact']"),
        "exact a str": naming(_rows_with(PRINTED_ROWS, exact="0.66"), "rows[0]['exact']"),
        "printed a number": naming(_rows_with(PRINTED_ROWS, printed=0.66), "rows[0]['printed']")})),
    sb.cost_table_html: dict(cost=listed(COST, {
        "None": None, "a list": list(COST.values()),
        "no T": naming(_without(COST, "T"), "cost", "T"),
        "T floats": naming({**COST, "T": np.array([2.0, 3.0])}, "cost['T']"),
        "T zero": naming({**COST, "T": np.array([0, 3])}, "cost['T']"),
        "nan": naming({**COST, "full_seconds": np.array([math.nan, 1.0])}, "cost['full_seconds']"),
        "negative": naming({**COST, "full_bytes": np.array([-1.0, 1.0])}, "cost['full_bytes']"),
        "wrong length": naming({**COST, "truncated_seconds": np.ones(3)},
                               "cost['truncated_seconds']"),
        "a str entry": naming({**COST, "full_bytes": "abc"}, "cost['full_bytes']")})),
    # stacked and bidirectional layers, generation (rnnlib/stacked.py, rnnlib/generate.py)
    rnnlib.birnn_forward: dict(x=arr(X, "T B D"), params_f=params(RNN_P), params_b=params(RNN_P),
                               h0=arr(H0_2, "2 B H", optional=True), activation=choice("tanh"),
                               check=flag()),
    rnnlib.birnn_backward: dict(dh_out=arr(np.concatenate([HS, HS], axis=2), "T B H2", bound=True),
                                cache=BI_CACHE, check=flag()),
    rnnlib.stacked_forward: dict(x=arr(X, "T B D"), layers=listed(LAYERS, LAYERS_BAD),
                                 h0=arr(H0_2, "S B H", optional=True), activation=choice("tanh"),
                                 check=flag()),
    rnnlib.stacked_backward: dict(dh_out=arr(HS, "T B H", bound=True), cache=STACKED_CACHE,
                                  check=flag()),
    rnnlib.rnn_generate: dict(params=params(GEN_P), x_1=arr(np.eye(K)[[1, 3]], "B D"),
                              T=integer(3, low=1), h0=arr(H0, "B H", optional=True),
                              feed=choice("argmax"), activation=choice("tanh"), check=flag()),
    # chapter 4 (rnnlib.chapters.shapes)
    sh.make_data: dict(task=choice("reverse"), B=integer(2, low=1), rng=generator(),
                       T=integer(3, low=1, optional=True)),
    sh.part: dict(params=params(SEQ_P, letters={}, required=()), prefix=text("enc")),
    sh.seq2seq_loss: dict(params=params(SEQ_P, letters=SEQ_LETTERS), x=arr(SEQ_X, "T B D"),
                          x_dec=arr(SEQ_XD, "S B E"), y=labels(SEQ_Y, "S B", 4),
                          reduction=choice("sum")),
    sh.seq2seq_accuracy: dict(params=params(SEQ_P, letters=SEQ_LETTERS), x=arr(SEQ_X, "T B D"),
                              x_dec=arr(SEQ_XD, "S B E"), y=labels(SEQ_Y, "S B", 4)),
    sh.birnn_loss: dict(params=params(BI_P, letters=BI_LETTERS), x=arr(X, "T B D"),
                        y=labels(LABELS, "T B", K), reduction=choice("sum")),
    sh.train_shape: dict(shape=choice("one-to-one"), seed=integer(0, low=0)),
    sh.shape_graph: dict(shape=choice("encoder-decoder"), T=integer(3, low=1, high=8)),
    sh.draw_shape: dict(shape=choice("many-to-one"), T=integer(3, low=1, high=8),
                        ax=made(_axes, NOT_AN_AXES, optional=True)),
    sh.shape_view: dict(shape=integer(0, low=0, high=4)),
    sh.shape_widget: dict(),
    # chapter 7 (rnnlib.chapters.vanishing)
    va.hidden_gradients: dict(dh_out=arr(HS, "T B H", bound=True), cache=RNN_CACHE),
    va.recurrent_setup: dict(activation=choice("sigmoid"), lam=num(1.1, low=0, low_open=True),
                             T=integer(3, low=2), seed=integer(0, low=0), H=integer(3, low=1),
                             B=integer(2, low=1), input_scale=num(0.1, low=0)),
    va.gradient_norms: dict(activation=choice("relu"), lam=num(0.9, low=0, low_open=True),
                            T=integer(3, low=2), seed=integer(0, low=0), H=integer(3, low=1),
                            B=integer(2, low=1), input_scale=num(0.1, low=0)),
    va.rate_table: dict(T=integer(3, low=2), seed=integer(0, low=0)),
    va.draw_norms: dict(T=integer(3, low=2), seed=integer(0, low=0)),
    va.train_lag: dict(lag=integer(2, low=1), seed=integer(0, low=0), cell=choice("gru"),
                       max_norm=num(1.0, low=0, low_open=True, optional=True),
                       H=integer(3, low=1, optional=True), steps=integer(2, low=0, optional=True),
                       lr=num(0.01, low=0, optional=True)),
    va.saved_sweep: dict(),
    va.cliff_loss: dict(w=listed(5.0, {"None": None, "str": "5", "nan": math.nan, "bool": True,
                                       "array with inf": np.array([np.inf]),
                                       "shape unlike b": np.ones(2)}),
                        b=listed(-2.5, {"None": None, "str": "-2", "inf": math.inf,
                                        "array with nan": np.array([np.nan])}),
                        steps=integer(5, low=1), x0=num(0.5), target=num(0.7)),
    va.cliff_descent: dict(w=num(6.5), b=num(-4.0), lr=num(2.0, low=0), steps=integer(3, low=0),
                           clip=choice("norm"), threshold=num(0.5, low=0, low_open=True)),
    va.draw_cliff: dict(w=num(6.5), b=num(-4.0), lr=num(2.0, low=0), steps=integer(3, low=0),
                        threshold=num(0.5, low=0, low_open=True), n=integer(5, low=2)),
    va.draw_lag: dict(),
    va.norms_view: dict(radius=integer(10, low=5, high=15), activation=integer(0, low=0, high=2),
                        T=integer(10, low=10, high=80)),
    va.norms_widget: dict(),
    # word ids and many-to-one over lengths (rnnlib/embedding.py, rnnlib/lengths.py)
    rnnlib.embedding_forward: dict(ids=listed(IDS, IDS_BAD), W_emb=arr(W_EMB, "V D"),
                                   padding_idx=integer(0, low=0, high=V_EMB - 1, optional=True),
                                   check=flag()),
    rnnlib.embedding_backward: dict(dx=arr(X, "T B D", bound=True), cache=EMB_CACHE, check=flag()),
    rnnlib.rnn_last_forward: dict(x=arr(X, "T B D"), params=params(RNN_P), lengths=listed(LEN, LEN_BAD),
                                  h0=arr(H0, "B H", optional=True), activation=choice("tanh"),
                                  check=flag()),
    rnnlib.rnn_last_backward: dict(dh_last=arr(H0, "B H", bound=True), cache=LAST_CACHE, check=flag()),
    # chapter 6 (rnnlib.chapters.sentiment)
    se.make_reviews: dict(split=choice("train"), n=integer(5, low=1), rng=generator(),
                          exclude=listed((), {"None": None, "a str": "abc", "a number": 1.0})),
    se.identical_bag_pairs: dict(n=integer(3, low=1), rng=generator()),
    se.distance_reviews: dict(k=integer(2, low=0), n=integer(3, low=1), rng=generator()),
    se.rule_label: dict(review=plus(text("this movie is not good"), {
        **REVIEW_BAD, "and between opposite clauses": "the plot is good and the acting is bad",
        "no adjective": "the plot is"})),
    se.encode: dict(texts=listed(["this movie is good", "the plot was bad"], TEXTS_BAD)),
    se.bow_features: dict(texts=listed(["this movie is good"], TEXTS_BAD)),
    se.train_bow: dict(counts=arr(se.bow_features(["this movie is good", "the plot was bad"]), "N V"),
                       labels=labels(np.array([1, 0]), "N", 2), steps=integer(3, low=1),
                       lr=num(0.5, low=0, low_open=True)),
    se.init_sentiment_params: dict(D=integer(3, low=1), H=integer(4, low=1), rng=generator()),
    se.sentiment_loss: dict(params=params(SE_P, letters=se.SENTIMENT_SHAPES),
                            ids=listed(SE_IDS, {**IDS_BAD, "id V": SE_IDS + len(se.VOCAB) - 1,
                                                "1-D": SE_IDS[:, 0]}),
                            lengths=listed(SE_LEN, {**LEN_BAD, "zero": np.array([0, 4]),
                                                    "longer than T": np.array([6, 4]),
                                                    "one more": np.array([5, 4, 1])}),
                            labels=labels(np.array([0, 0]), "B", 2), reduction=choice("mean")),
    se.train_sentiment_rnn: dict(seed=integer(0, low=0)),
    se.predict_sentiment: dict(model=listed(SE_MODEL, MODEL_BAD),
                               texts=listed(["this movie is good"], TEXTS_BAD)),
    se.read_review: dict(model=listed(SE_MODEL, MODEL_BAD),
                         review=plus(text("this movie is good"), REVIEW_BAD)),
    se.accuracy: dict(model=listed(SE_MODEL, MODEL_BAD), texts=listed(["this movie is good"], TEXTS_BAD),
                      labels=labels(np.array([1]), "N", 2)),
    se.running_table_html: dict(model=listed(SE_MODEL, MODEL_BAD),
                                review=plus(text("this movie is good"), REVIEW_BAD),
                                words=integer(2, low=1, optional=True)),
    se.sentiment_view: dict(review=integer(0, low=0, high=len(se.EXAMPLES) - 1),
                            words=integer(5, low=1)),
    se.sentiment_widget: dict(),
    # chapter 5 (rnnlib.sample, rnnlib.chapters.charlm)
    rnnlib.sample_step: dict(logits=arr(np.random.default_rng(1).standard_normal((B, K)), "B K"),
                             temperature=num(0.7, low=0, low_open=True), rng=generator()),
    rnnlib.rnn_sample: dict(params=params(GEN_P), x_1=arr(np.eye(K)[[1, 3]], "B D"),
                            T=integer(3, low=1), rng=generator(), h0=arr(H0, "B H", optional=True),
                            temperature=num(0.7, low=0, low_open=True), activation=choice("tanh"),
                            check=flag()),
    cl.load_text: dict(),
    cl.encode: dict(text=text("the loss")),
    cl.decode: dict(ids=listed(CL_TEST, _ids_bad(CL_TEST, least=1))),
    cl.ngram_bpc: dict(train=listed(CL_IDS, _ids_bad(CL_IDS)), test=listed(CL_TEST, _ids_bad(CL_TEST)),
                       n=integer(2, low=1, high=3), beta=num(1.0, low=0, low_open=True)),
    cl.streams: dict(ids=listed(CL_IDS, _ids_bad(CL_IDS)), B=integer(2, low=1)),
    cl.chunk: dict(s=listed(CL_S, {k: v for k, v in _ids_bad(CL_S).items() if k != "too short"}
                            | {"1-D": CL_IDS, "one row": CL_S[:1]}),
                   i=integer(0, low=0), k=integer(2, low=1)),
    cl.heldout_bpc: dict(params=params(CL_P), ids=listed(CL_TEST, _ids_bad(CL_TEST))),
    cl.train_run: dict(train=listed(CL_IDS, _ids_bad(CL_IDS)), test=listed(CL_TEST, _ids_bad(CL_TEST)),
                       steps=integer(2, low=1), seed=integer(0, low=0), H=integer(3, low=1),
                       B=integer(2, low=1), k=integer(3, low=1), lr=num(3e-3, low=0, low_open=True),
                       max_norm=num(5.0, low=0, low_open=True), eval_every=integer(1, low=1),
                       optimizer=choice("adam")),
    cl.continue_text: dict(params=params(CL_P), prompt=text("the "), n=integer(5, low=1),
                           temperature=num(0.5, low=0, low_open=True), seed=integer(0, low=0)),
    cl.distinct_ngrams: dict(text=text("abcabc"), n=integer(2, low=1)),
    cl.features: dict(text=text(CL_TEXT)),
    cl.best_unit: dict(h=arr(CL_H, "N H"), text=text(CL_TEXT)),
    cl.unit_strips: dict(text=text(CL_TEXT), h=arr(CL_H, "N H"), units=seq((0, 2))),
    cl.saved_run: dict(),
    cl.saved_adagrad: dict(),
    cl.saved_short_k: dict(),
    cl.continuation_view: dict(prompt=integer(0, low=0, high=len(cl.PROMPTS) - 1),
                               temperature=num(0.5, low=0, low_open=True), seed=integer(0, low=0)),
    cl.continuation_widget: dict(),
    # data sets (rnnlib.datasets)
    datasets.delayed_echo: dict(T=integer(4, low=1), B=integer(2, low=1), delay=integer(1, low=0),
                                rng=generator(), classes=integer(3, low=2, optional=True)),
    datasets.first_symbol_recall: dict(lag=integer(3, low=1), B=integer(2, low=1), rng=generator(),
                                       symbols=integer(3, low=2)),
    # exercise checkers (rnnlib.exercises): what the learner's function does wrong is reported in
    # the CheckResult, not raised, so only a non-function is a bad argument
    exercises.check_rnn_step_backward: dict(fn=func(rnnlib.rnn_step_backward, raises=False)),
    exercises.check_fnn_backward: dict(fn=func(rnnlib.fnn_backward, raises=False)),
    exercises.check_unrolled_rnn: dict(forward=func(_unrolled_forward, raises=False),
                                       backward=func(_unrolled_backward, raises=False)),
    exercises.check_softmax_cross_entropy: dict(
        fn=func(rnnlib.softmax_cross_entropy, raises=False)),
    exercises.check_seq2seq_backward: dict(fn=func(_seq2seq_backward, raises=False)),
    exercises.check_clip_global: dict(fn=func(lambda g, c: rnnlib.clip_grad_norm(g, c)[0],
                                              raises=False)),
    exercises.check_embedding_backward: dict(fn=func(_embedding_backward, raises=False)),
    exercises.check_bow_features: dict(fn=func(lambda review: se.bow_features([review])[0], raises=False)),
    exercises.check_sample_step: dict(fn=func(rnnlib.sample_step, raises=False)),
}


# ---- the walk --------------------------------------------------------------------------------

def public_modules():
    """Every public module of the rnnlib package, found on disk (so a new module is walked)."""
    root = pathlib.Path(rnnlib.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(part.startswith("_") for part in parts) or "__pycache__" in path.parts:
            continue
        names.append(".".join(("rnnlib",) + parts))
    return [importlib.import_module(name) for name in names]


def is_record_type(obj):
    """A NamedTuple class: a result or cache type, not a function."""
    return inspect.isclass(obj) and issubclass(obj, tuple) and hasattr(obj, "_fields")


def public_functions():
    """{qualified name: function or class} of every public function and non-record class."""
    found = {}
    for module in public_modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj) or (inspect.isclass(obj) and not is_record_type(obj)):
                found[f"{module.__name__}.{name}"] = obj
    for name in rnnlib.__all__:
        obj = getattr(rnnlib, name)
        if callable(obj) and not is_record_type(obj):
            found.setdefault(f"{obj.__module__}.{obj.__name__}", obj)
    return found


def qualified(fn):
    return f"{fn.__module__}.{fn.__name__}"


ENTRIES = {qualified(fn): (fn, spec) for fn, spec in SIGNATURES.items()}


def bound_letters(entry):
    """Letters used by two or more argument axes of an entry: their sizes must agree."""
    counts = {}
    for spec in entry.values():
        for letter in spec.letters():
            counts[letter] = counts.get(letter, 0) + 1
    return {letter for letter, n in counts.items() if n >= 2}


def bad_values(key, arg):
    entry = ENTRIES[key][1]
    return entry[arg].fixed(arg, bound_letters(entry))


def cases():
    """(function key, argument, index of the bad value, label) for every bad argument."""
    out = []
    for key in sorted(ENTRIES):
        for arg in ENTRIES[key][1]:
            out += [(key, arg, i, b.label) for i, b in enumerate(bad_values(key, arg))]
    return out


CASES = cases()


CORE_MODULES = {f"rnnlib.{name}" for name in ("activations", "layers", "rnn", "lstm", "gru", "losses", "model",
                                               "truncated", "gradcheck", "optim", "init", "train")}


def census():
    """Functions covered and bad arguments tried, split core / the rest (chapter helpers, the
    exercise checkers, the data sets)."""
    core = [k for k in ENTRIES if k.rsplit(".", 1)[0] in CORE_MODULES]
    return {"functions": len(ENTRIES), "core functions": len(core),
            "helper functions": len(ENTRIES) - len(core), "bad arguments": len(CASES),
            "bad arguments to core functions": sum(1 for c in CASES if c[0] in core)}


# ---- the checks ------------------------------------------------------------------------------

def snapshot(value):
    """A deep copy to compare with after the call; a Generator is represented by its state."""
    if isinstance(value, np.random.Generator):
        return ("Generator", copy.deepcopy(value.bit_generator.state))
    if isinstance(value, dict):
        return {k: snapshot(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(snapshot(v) for v in value) if not hasattr(value, "_fields") \
            else type(value)(*(snapshot(v) for v in value))
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def unchanged(before, after):
    """True if ``after`` (the argument now) equals its ``before`` snapshot, arrays entry for entry."""
    if isinstance(after, np.random.Generator):
        return before == ("Generator", after.bit_generator.state)
    if isinstance(before, dict):
        return isinstance(after, dict) and before.keys() == after.keys() and all(
            unchanged(before[k], after[k]) for k in before)
    if isinstance(before, (list, tuple)):
        return type(before) is type(after) and len(before) == len(after) and all(
            unchanged(b, a) for b, a in zip(before, after))
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.dtype == after.dtype and before.shape == after.shape
                and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")))
    if isinstance(before, float) and math.isnan(before):
        return isinstance(after, float) and math.isnan(after)
    return before is after or before == after


def good_args(entry):
    return {name: spec.good() for name, spec in entry.items() if spec.passed}


def named(message, name):
    """True if ``name`` appears in ``message`` as a name (not inside a longer identifier)."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", message) is not None \
        if re.fullmatch(r"\w+", name) else name in message


def check_bad(fn, entry, arg, bad):
    args = good_args(entry)
    args[arg] = bad.value
    before = snapshot(args)
    figures = plt.get_fignums()
    with pytest.raises(bad.error) as info:
        fn(**args)
    message = str(info.value)
    assert plt.get_fignums() == figures, f"the failed call opened or closed a figure ({message})"
    if bad.error != (LearnerError,):
        assert type(info.value) not in (KeyError, IndexError, AttributeError, ZeroDivisionError)
        missing = [n for n in bad.names if not named(message, n)]
        assert not missing, f"message does not name {missing}: {message!r}"
        leaked = [w for w in INTERNALS if w in message]
        assert not leaked, f"message shows internals {leaked}: {message!r}"
    changed = [name for name in args if not unchanged(before[name], args[name])]
    assert not changed, f"{changed} changed by the failed call ({message})"


@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
@pytest.mark.parametrize("key, arg, index, label", CASES, ids=[f"{k.rsplit('.', 1)[1]}-{a}-{l}"
                                                              for k, a, _, l in CASES])
def test_bad_argument(key, arg, index, label):
    fn, entry = ENTRIES[key]
    bad = bad_values(key, arg)[index]
    assert bad.label == label
    check_bad(fn, entry, arg, bad)


def finite_everywhere(value):
    """No NaN or inf in a result (numbers, arrays, dicts, tuples, lists)."""
    if isinstance(value, dict):
        return all(finite_everywhere(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(finite_everywhere(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return bool(np.isfinite(value).all())
    if isinstance(value, (float, np.floating)):
        return bool(np.isfinite(value))
    return True


@pytest.mark.parametrize("key", sorted(ENTRIES), ids=[k.rsplit(".", 1)[1] for k in sorted(ENTRIES)])
@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
def test_good_call(key):
    """The good values pass, give no NaN/inf, and are unchanged afterwards (success too)."""
    fn, entry = ENTRIES[key]
    args = good_args(entry)
    before = snapshot(args)
    callers = plt.figure()          # a figure of the caller's, which no call may close
    result = fn(**args)
    assert plt.fignum_exists(callers.number), "the call closed a figure of the caller's"
    assert finite_everywhere(result)
    changed = [name for name in args if not unchanged(before[name], args[name])
               and not entry[name].consumed]
    assert not changed, f"{changed} changed by a successful call"
    plt.close("all")


WITH_ARGUMENTS = sorted(k for k, (fn, entry) in ENTRIES.items() if entry)


@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
@pytest.mark.parametrize("key", WITH_ARGUMENTS, ids=[k.rsplit(".", 1)[1] for k in WITH_ARGUMENTS])
@settings(max_examples=25)
@given(data=st.data())
def test_bad_argument_drawn(key, data):
    """Random bad values of every family, one argument at a time (hypothesis)."""
    fn, entry = ENTRIES[key]
    bound = bound_letters(entry)
    arg = data.draw(st.sampled_from(sorted(entry)), label="argument")
    bad = data.draw(entry[arg].drawn(arg, bound), label="bad value")
    check_bad(fn, entry, arg, bad)


def test_every_public_function_has_an_entry():
    missing = sorted(set(public_functions()) - set(ENTRIES))
    assert not missing, (f"public functions without an entry in SIGNATURES of {__file__}: {missing}. "
                         f"Add one line per function (see the module docstring), or start the "
                         f"name with _ if it is not public.")
    assert "rnnlib.chapters.fnn_vs_rnn.trace_rnn" in public_functions()   # the walk reaches helpers


def test_every_argument_has_a_spec():
    for key, (fn, entry) in ENTRIES.items():
        parameters = inspect.signature(fn).parameters
        plain = {n for n, p in parameters.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        assert plain <= set(entry), f"{key}: no spec for {sorted(plain - set(entry))}"
        takes_kwargs = any(p.kind == p.VAR_KEYWORD for p in parameters.values())
        extra = {n for n, s in entry.items() if n not in plain and s.passed}
        assert takes_kwargs or not extra, f"{key}: specs for arguments it does not take: {extra}"


def test_the_checks_fail_a_function_that_breaks_the_rules():
    """check_bad itself: an unnamed argument, an internal error, a changed argument all fail."""
    entry = {"params": params(GRADS, letters={}), "lr": num(0.1, low=0)}
    bad = Bad("str", "0.1", ("lr",))

    def unnamed(params, lr):
        raise ValueError("bad learning rate")

    def internal(params, lr):
        raise TypeError("lr: operands could not be broadcast together with shapes (2,) (3,)")

    def key_error(params, lr):
        raise KeyError("lr")

    def mutates(params, lr):
        params["W"][0, 0] = 0.0
        raise ValueError("lr must be a real number")

    for broken in (unnamed, internal, mutates):
        with pytest.raises(AssertionError):
            check_bad(broken, entry, "lr", bad)
    with pytest.raises(KeyError):
        check_bad(key_error, entry, "lr", bad)
    check_bad(lambda params, lr: rnnlib.sgd_step(params, params, lr), entry, "lr", bad)


def test_census():
    counts = census()
    print("\nbad-input census:", counts)
    assert counts["functions"] == len(public_functions())
    assert counts["bad arguments"] == len(CASES) > 0


if __name__ == "__main__":
    counts = census()
    print(f"{counts['bad arguments']} bad arguments over {counts['functions']} public functions "
          f"({counts['core functions']} core, {counts['helper functions']} chapter helpers, "
          f"exercise checkers and data sets; "
          f"{counts['bad arguments to core functions']} of the bad arguments go to core functions)")
    sys.exit(0)

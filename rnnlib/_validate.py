"""Input checks shared by every public function.

Each check names the argument, the expected shape (in the dimension letters of the package
docstring) and the actual shape, so a learner sees at once which array is wrong and why.

The checks run on every call, so the common case is made cheap without weakening them: an
argument that is already a float ndarray whose shape fits is checked by a fast path (the shape
against the letters parsed once, finiteness by one dot product); anything else, and anything the
fast path doubts, takes the full path, which alone writes the error messages.
"""
import numpy as np


class Dims:
    """Binds dimension letters (T, B, D, H, K) to sizes as arrays are checked.

    The first array that uses a letter fixes its size; later arrays must agree, and the
    error message says which argument fixed it.
    """

    def __init__(self, **known):
        self.size, self.source = {}, {}
        if known:
            self.bind("the call", **known)

    def bind(self, source, **sizes):
        """Fix letters to sizes read from ``source``, the name error messages will give for them."""
        for letter, size in sizes.items():
            self.size[letter], self.source[letter] = size, source
        return self

    def array(self, name, value, letters, *, allow_empty=False):
        """Return ``value`` as a finite float array whose shape matches ``letters``.

        ``letters`` is a space-separated string such as ``"T B D"``; ``"..."`` first allows any
        leading axes; ``"4H"`` is an axis of 4 * H (the four gate blocks of an LSTM). Raises
        TypeError for non-numeric data, ValueError for a shape mismatch, an empty axis or a
        NaN/inf entry.
        """
        if type(value) is np.ndarray and value.dtype.kind == "f" and value.size:
            # The fast path (see the module docstring): it binds letters only if all is well.
            leading, axes = _PARSED.get(letters) or _parse(letters)
            shape = value.shape
            first = len(shape) - len(axes)
            if first == 0 or (first > 0 and leading):
                size, new = self.size, None
                for (times, letter), actual in zip(axes, shape[first:]):
                    if letter is None:
                        if actual != times:
                            break
                        continue
                    known = size.get(letter)
                    if known is None and new:
                        known = new.get(letter)
                    if known is None:
                        if actual % times:
                            break
                        if new is None:
                            new = {}
                        new[letter] = actual // times
                    elif actual != times * known:
                        break
                else:
                    if _all_finite(value):
                        if new:
                            for letter, n in new.items():
                                size[letter], self.source[letter] = n, name
                        return value
        arr = self.shape(name, as_float_array(name, value), letters)
        if arr.size == 0 and not allow_empty:
            spec = [l for l in letters.split() if l != "..."]
            actual = arr.shape[arr.ndim - len(spec):]
            empty = ", ".join(f"{l} = 0" for l, s in zip(spec, actual) if s == 0) or "size 0"
            raise ValueError(f"{name} is empty: shape {arr.shape} ({empty})")
        check_finite(name, arr)
        return arr

    def labels(self, name, value, letters):
        """Return integer class labels whose shape matches ``letters``, each in [0, K)."""
        arr = self.shape(name, integer_array(name, value), letters)
        return labels_array(name, arr, self.size["K"], arr.shape)

    def shape(self, name, arr, letters):
        """Return ``arr`` after checking its shape against ``letters``, binding new letters."""
        spec = letters.split()
        leading = spec[0] == "..."
        if leading:
            spec = spec[1:]
        if (arr.ndim < len(spec)) if leading else (arr.ndim != len(spec)):
            raise ValueError(
                f"{name} must have shape {self.describe(spec, leading)}, got shape {arr.shape} "
                f"({arr.ndim} axes instead of {'at least ' if leading else ''}{len(spec)})"
            )
        first = arr.ndim - len(spec)
        for axis, ((times, letter), size) in enumerate(zip(_parse(" ".join(spec))[1],
                                                          arr.shape[first:]), first):
            token = spec[axis - first]
            if letter is None:
                expected, reason = times, f"axis {axis} must have size {times}"
            elif letter in self.size:
                expected = times * self.size[letter]
                reason = f"{letter} = {self.size[letter]} from {self.source.get(letter, 'its definition')}"
            elif size % times:
                raise ValueError(
                    f"{name} must have shape {self.describe(spec, leading)}, got shape {arr.shape}"
                    f" (axis {axis} holds {times} blocks of {letter}: its size {size} is not a "
                    f"multiple of {times})"
                )
            else:
                self.size[letter], self.source[letter] = size // times, name
                continue
            if size != expected:
                raise ValueError(
                    f"{name} must have shape {self.describe(spec, leading)}, got shape {arr.shape}"
                    f" ({reason}{'' if times == 1 or letter is None else f', so {token} = {expected}'})"
                )
        return arr

    def describe(self, spec, leading=False):
        """Render an expected shape, e.g. ``(T, B, D) = (T, 4, 3)`` or ``(H,) = (5,)``."""
        names = (["..."] if leading else []) + spec
        sizes = (["..."] if leading else []) + [self._size_of(l) for l in spec]
        comma = "," if len(names) == 1 else ""
        named, sized = f"({', '.join(names)}{comma})", f"({', '.join(sizes)}{comma})"
        return f"{named} = {sized}" if names != sizes else named

    def _size_of(self, token):
        """``token``'s size if known (``"4H"`` with H = 5: ``"20"``), else the token itself."""
        ((times, letter),) = _parse(token)[1]
        if letter is None:
            return token
        return str(times * self.size[letter]) if letter in self.size else token


_PARSED = {}


def _parse(letters):
    """``"... D 4H"`` -> (True, ((1, "D"), (4, "H"))): leading ``...``, then per axis (times,
    letter), or (size, None) for a fixed size. Parsed once per string (checks run on every call)."""
    parsed = _PARSED.get(letters)
    if parsed is None:
        spec = letters.split()
        leading = spec[:1] == ["..."]
        axes = []
        for token in spec[leading:]:
            digits = len(token) - len(token.lstrip("0123456789"))
            if digits == len(token):
                axes.append((int(token), None))
            else:
                axes.append((int(token[:digits]) if digits else 1, token[digits:]))
        parsed = _PARSED[letters] = (leading, tuple(axes))
    return parsed


def _all_finite(arr):
    """True if every entry of the float array ``arr`` is finite.

    The sum of squares (one BLAS dot product, no temporary array) is finite when every entry is,
    unless it overflows (entries beyond ~1e154); a NaN or inf entry makes it NaN or inf. So a
    finite sum settles it, and only a non-finite one needs the entry-by-entry test.
    """
    squares = float(np.vdot(arr, arr))
    return squares - squares == 0.0 or bool(np.isfinite(arr).all())   # x - x is NaN for inf, NaN


def as_float_array(name, value):
    """Convert ``value`` to a floating-point ndarray; integers and booleans become float64."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        why = ("its nested sequences have different lengths" if "inhomogeneous" in str(exc)
               else str(exc))
        raise TypeError(f"{name} must be a numeric array, could not convert it: {why} "
                        f"(got {_describe(value)})") from None
    if arr.dtype.kind in "iub":
        return arr.astype(np.float64)
    if arr.dtype.kind != "f":
        raise TypeError(f"{name} must be a real numeric array, got {_array_description(value, arr)}")
    return arr


def _array_description(value, arr):
    """What came instead of a numeric array: its dtype, and for a non-array its type."""
    if isinstance(value, np.ndarray):
        return f"dtype {arr.dtype}"
    if arr.ndim == 0:
        return _describe(value)
    return f"{_describe(value)} (dtype {arr.dtype})"


def check_finite(name, arr, hint=""):
    """Raise ValueError naming the first NaN or inf entry of ``arr``; ``hint`` ends the message."""
    if not _all_finite(arr):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {bad}: {arr[bad]}){hint}")


def integer_array(name, value, what="class indices"):
    """Convert ``value`` to an ndarray of integers (``what``: class indices); anything else is a
    TypeError."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an integer array of {what}, could not convert "
                        f"{_describe(value)}") from None
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array of {what}, got "
                        f"{_array_description(value, arr)}")
    return arr


def labels_array(name, value, num_classes, shape):
    """Return integer class labels of the given shape, each in ``[0, num_classes)``."""
    arr = integer_array(name, value)
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} (the logits without K), got shape {arr.shape}")
    if arr.size and (np.minimum.reduce(arr, axis=None) < 0
                     or np.maximum.reduce(arr, axis=None) >= num_classes):
        raise ValueError(
            f"{name} must lie in [0, K) = [0, {num_classes}), got values from {arr.min()} to {arr.max()}"
        )
    return arr


def same_shape(name, value, shape, of):
    """Return ``value`` as a finite float array of exactly ``shape``, the shape of ``of``."""
    arr = as_float_array(name, value)
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have the shape of {of} {tuple(shape)}, got shape {arr.shape}")
    check_finite(name, arr)
    return arr


def choice(name, value, allowed):
    """Return ``value`` if it is one of the strings ``allowed``, else raise ValueError.

    Any other value, of any type (a list, None, an int), gets the same message.
    """
    if not (isinstance(value, str) and value in allowed):
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {_short(value)}")
    return value


def flag(name, value):
    """Return ``value`` as a bool if it is True or False (a NumPy bool too); anything else is a TypeError.

    A truthy string or None would silently mean True or False, so neither is accepted.
    """
    if value is True or value is False or isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {_describe(value)}")


def text(name, value):
    """Return ``value`` if it is a str."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {_describe(value)}")
    return value


def float_dtype(name, value):
    """Return ``np.dtype(value)`` if it is a floating-point type (np.float64, "float32", ...)."""
    try:
        dtype = None if value is None else np.dtype(value)
    except (TypeError, ValueError):
        dtype = None
    if dtype is None or dtype.kind != "f":
        raise TypeError(f"{name} must be a floating-point dtype such as np.float64 or np.float32, "
                        f"got {_short(value)}")
    return dtype


def axis(name, value, ndim, of):
    """Return ``value`` as an int if it is an axis of an array ``of`` with ``ndim`` axes."""
    value = integer(name, value)
    if not -ndim <= value < ndim:
        raise ValueError(f"{name} must be an axis of {of}, an integer in [{-ndim}, {ndim - 1}] "
                         f"({of} has {ndim} axes), got {value}")
    return value


def number_sequence(name, value, *, length=None):
    """Return ``value`` as a 1-D float64 array of finite numbers, non-empty (or of ``length``)."""
    arr = None if isinstance(value, (str, bytes, dict, set)) else as_float_array(name, value)
    if arr is None or arr.ndim != 1:
        raise TypeError(f"{name} must be a sequence of numbers (a list, tuple or 1-D array), "
                        f"got {_describe(value)}")
    if arr.size == 0 or (length is not None and arr.size != length):
        want = "at least one number" if length is None else f"{length} numbers"
        raise ValueError(f"{name} must hold {want}, got {arr.size}")
    check_finite(name, arr)
    return arr


def number_dict(name, value, *, keys=(), finite=True):
    """``{key: float}`` from the dict ``value`` of real numbers, keyed by str, holding ``keys``.

    Each entry is checked by :func:`real_number` under the name ``name['key']``; with
    ``finite=False`` NaN and inf are allowed (a display shows them as they are).
    """
    params_dict(value, keys, name, "a dict of numbers")
    checked = {}
    for key, entry in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{name} must have str keys, got the key {_short(key)}")
        label = f"{name}[{key!r}]"
        if finite:
            checked[key] = real_number(label, entry)
        elif isinstance(entry, (bool, np.bool_)) or not isinstance(entry, (int, float, np.integer,
                                                                           np.floating)):
            raise TypeError(f"{label} must be a real number, got {_describe(entry)}")
        else:
            checked[key] = float(entry)
    return checked


def array_dict(name, value, *, like=None, like_name="params", finite=True, hint="", where=""):
    """``{key: float array}`` from the dict ``value``, each entry checked and named ``name['key']``.

    Entries become float arrays (integers float64) as in :meth:`Dims.array`; with ``finite``,
    NaN and inf are refused (``hint`` ends that message). With ``like`` (a dict already checked),
    ``value`` must have exactly its keys and each entry its shape. Empty arrays are allowed.
    ``where`` follows each entry's name in messages, e.g. " (returned by loss_and_grads)".
    """
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict of arrays, got {_describe(value)}")
    if like is not None and value.keys() != like.keys():
        missing = [k for k in like if k not in value]
        extra = [k for k in value if k not in like]
        raise ValueError(
            f"{name} must have the keys of {like_name} {sorted(like, key=str)}, got "
            f"{sorted(value, key=str)}" + (f"; missing {missing}" if missing else "")
            + (f"; unexpected {extra}" if extra else ""))
    checked = {}
    for key, entry in value.items():
        label = f"{name}[{key!r}]{where}"
        arr = as_float_array(label, entry)
        if like is not None and arr.shape != like[key].shape:
            raise ValueError(f"{label} must have the shape of {like_name}[{key!r}] "
                             f"{like[key].shape}, got shape {arr.shape}")
        if finite:
            check_finite(label, arr, hint)
        checked[key] = arr
    return checked


def forward_cache(name, value, cache_type, forward):
    """Return ``value`` if it is a ``cache_type``, the cache that ``forward`` returns."""
    if not isinstance(value, cache_type):
        raise TypeError(
            f"{name} must be the cache returned by {forward} (its {cache_type.__name__}), "
            f"got {_describe(value)}"
        )
    return value


def _describe(value):
    """A short description of a value for an error message: its type, and its shape if any."""
    kind = type(value).__name__
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple):
        return f"{kind} of shape {shape}"
    if isinstance(value, (tuple, list, dict, set)):
        return f"{kind} of length {len(value)}"
    return f"{kind} {_short(value)}"


def _short(value):
    """``repr(value)``, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def real_number(name, value, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float if it is a finite real number in the given range.

    ``low``/``high`` bound it (``low_open``/``high_open`` exclude the bound itself). A bool,
    a string, None or an array is a TypeError; NaN, inf or a value out of range a ValueError.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value}")
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        lo = "" if low is None else f"{'(' if low_open else '['}{low}"
        hi = "" if high is None else f"{high}{')' if high_open else ']'}"
        where = (f"in {lo}, {hi}" if low is not None and high is not None
                 else f"{'>' if low_open else '>='} {low}" if low is not None
                 else f"{'<' if high_open else '<='} {high}")
        raise ValueError(f"{name} must be {where}, got {value}")
    return value


def integer(name, value, *, low=None, high=None):
    """Return ``value`` as an int if it is an integer (not a bool) in [low, high]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        where = (f"in [{low}, {high}]" if low is not None and high is not None
                 else f">= {low}" if low is not None else f"<= {high}")
        raise ValueError(f"{name} must be an integer {where}, got {value}")
    return value


def generator(name, value):
    """Return ``value`` if it is a ``numpy.random.Generator``."""
    if not isinstance(value, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {_describe(value)}"
        )
    return value


def function(name, value):
    """Return ``value`` if it can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {_describe(value)}")
    return value


# The shape of every parameter, in the dimension letters of the package docstring (the RNN's;
# rnnlib.lstm and rnnlib.gru give the shapes of their stacked gate weights, e.g. "D 4H").
PARAM_SHAPES = {"W_xh": "D H", "W_hh": "H H", "b_h": "H", "W_hy": "H K", "b_y": "K"}
# ... and its name in messages, as the caller wrote it (made once: checks run on every call).
PARAM_NAMES = {key: f"params[{key!r}]" for key in (*PARAM_SHAPES, "b_hn")}


def check_params(params, keys, dims, shapes=PARAM_SHAPES):
    """``{key: params[key]}`` for each key, checked against ``shapes`` (letters) with ``dims``.

    Messages name each array as the caller wrote it: ``params['W_hh']``.
    """
    params_dict(params, keys)
    return {key: dims.array(PARAM_NAMES[key], params[key], shapes[key]) for key in keys}


def params_dict(params, keys, name="params", what="a dict of arrays"):
    """Raise a clear error if ``params`` is not a dict (``what``) holding every key in ``keys``."""
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be {what}, got {_describe(params)}")
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"{name} is missing {missing}; it needs {list(keys)}")


def loss_and_grads_result(name, result, keys, where=""):
    """Return ``(float(loss), grads)`` from what the function ``name`` returned.

    It must be a pair: a real scalar loss and a dict holding a gradient for every key in
    ``keys`` (the keys of the parameters it was given). ``where`` ends each message, e.g.
    " (called with params['W_hh'][0, 1] + eps)".
    """
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError(f"{name} must return a pair (loss, grads) as rnnlib.rnn_loss does, got "
                        f"{_describe(result)}{where}")
    loss, grads = result
    if np.ndim(loss) != 0 or not isinstance(np.asarray(loss).item(), (int, float)) \
            or isinstance(loss, (bool, np.bool_)):
        raise TypeError(f"{name} must return a real scalar loss first, got {_describe(loss)}{where}")
    if not isinstance(grads, dict):
        raise TypeError(f"{name} must return a dict of gradients second (grads['W_hh'] is "
                        f"dL/dW_hh), got {_describe(grads)}{where}")
    missing = [k for k in keys if k not in grads]
    if missing:
        raise ValueError(f"{name} must return a gradient for every key of params "
                         f"{list(keys)}; the grads it returned are missing {missing}{where}")
    return float(loss), grads

"""Input checks shared by every public function.

Each check names the argument, the expected shape (in the dimension letters of the package
docstring) and the actual shape, so a learner sees at once which array is wrong and why.
"""
import numpy as np


class Dims:
    """Binds dimension letters (T, B, D, H, K) to sizes as arrays are checked.

    The first array that uses a letter fixes its size; later arrays must agree, and the
    error message says which argument fixed it.
    """

    def __init__(self, **known):
        self.size, self.source = {}, {}
        self.bind("the call", **known)

    def bind(self, source, **sizes):
        """Fix letters to sizes read from ``source``, the name error messages will give for them."""
        for letter, size in sizes.items():
            self.size[letter], self.source[letter] = size, source
        return self

    def array(self, name, value, letters, *, allow_empty=False):
        """Return ``value`` as a finite float array whose shape matches ``letters``.

        ``letters`` is a space-separated string such as ``"T B D"``; ``"..."`` first allows any
        leading axes. Raises TypeError for non-numeric data, ValueError for a shape mismatch,
        an empty axis or a NaN/inf entry.
        """
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
        for axis, (letter, size) in enumerate(zip(spec, arr.shape[first:]), first):
            if letter.isdigit():
                expected, reason = int(letter), f"axis {axis} must have size {letter}"
            elif letter in self.size:
                expected = self.size[letter]
                reason = f"{letter} = {expected} from {self.source.get(letter, 'its definition')}"
            else:
                self.size[letter], self.source[letter] = size, name
                continue
            if size != expected:
                raise ValueError(
                    f"{name} must have shape {self.describe(spec, leading)}, got shape {arr.shape}"
                    f" ({reason})"
                )
        return arr

    def describe(self, spec, leading=False):
        """Render an expected shape, e.g. ``(T, B, D) = (T, 4, 3)`` or ``(H,) = (5,)``."""
        names = (["..."] if leading else []) + spec
        sizes = (["..."] if leading else []) + [
            str(self.size[l]) if l in self.size else l for l in spec
        ]
        comma = "," if len(names) == 1 else ""
        named, sized = f"({', '.join(names)}{comma})", f"({', '.join(sizes)}{comma})"
        return f"{named} = {sized}" if names != sizes else named


def as_float_array(name, value):
    """Convert ``value`` to a floating-point ndarray; integers and booleans become float64."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, could not convert it: {exc}") from None
    if arr.dtype.kind in "iub":
        return arr.astype(np.float64)
    if arr.dtype.kind != "f":
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    return arr


def check_finite(name, arr):
    """Raise ValueError naming the first NaN or inf entry of ``arr``."""
    if not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {bad}: {arr[bad]})")


def integer_array(name, value):
    """Convert ``value`` to an ndarray of integers (class indices); anything else is a TypeError."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an integer array of class indices, could not convert it: {exc}") from None
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array of class indices, got dtype {arr.dtype}")
    return arr


def labels_array(name, value, num_classes, shape):
    """Return integer class labels of the given shape, each in ``[0, num_classes)``."""
    arr = integer_array(name, value)
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} (the logits without K), got shape {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
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
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value


def forward_cache(name, value, cache_type, forward):
    """Return ``value`` if it is a ``cache_type``, the cache that ``forward`` returns."""
    if not isinstance(value, cache_type):
        raise TypeError(
            f"{name} must be the cache returned by {forward} (a {cache_type.__name__} tuple), "
            f"got {_describe(value)}"
        )
    return value


def _describe(value):
    """A short description of a value for an error message: its type, and its shape if any."""
    kind = type(value).__name__
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple):
        return f"{kind} of shape {shape}"
    if isinstance(value, (tuple, list, dict)):
        return f"{kind} of length {len(value)}"
    text = repr(value)
    return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


def real_number(name, value, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float if it is a finite real number in the given range.

    ``low``/``high`` bound it (``low_open``/``high_open`` exclude the bound itself). A bool,
    a string, None or an array is a TypeError; NaN, inf or a value out of range a ValueError.
    """
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
            f"got {type(value).__name__}"
        )
    return value


def function(name, value):
    """Return ``value`` if it can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {_describe(value)}")
    return value


# The shape of every parameter, in the dimension letters of the package docstring.
PARAM_SHAPES = {"W_xh": "D H", "W_hh": "H H", "b_h": "H", "W_hy": "H K", "b_y": "K"}


def check_params(params, keys, dims):
    """``{key: params[key]}`` for each key, checked against :data:`PARAM_SHAPES` with ``dims``."""
    params_dict(params, keys)
    return {key: dims.array(key, params[key], PARAM_SHAPES[key]) for key in keys}


def params_dict(params, keys, name="params"):
    """Raise a clear error if ``params`` is not a dict holding every key in ``keys``."""
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"{name} is missing {missing}; it needs {list(keys)}")


def loss_and_grads_result(name, result, keys):
    """Return ``(float(loss), grads)`` from what the function ``name`` returned.

    It must be a pair: a real scalar loss and a dict holding a gradient for every key in
    ``keys`` (the keys of the parameters it was given).
    """
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError(
            f"{name} must return a pair (loss, grads) as rnnlib.rnn_loss does, got {_describe(result)}"
        )
    loss, grads = result
    if np.ndim(loss) != 0 or not isinstance(np.asarray(loss).item(), (int, float)) \
            or isinstance(loss, (bool, np.bool_)):
        raise TypeError(f"{name} must return a real scalar loss first, got {_describe(loss)}")
    params_dict(grads, keys, f"the grads returned by {name}")
    return float(loss), grads

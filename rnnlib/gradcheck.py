"""Finite-difference gradient checks, usable from notebooks and tests.

Run them in float64: with eps = 1e-6 a centred difference is accurate to about 1e-10 relative,
which is what separates a right backward pass (error ~1e-9 or less) from a wrong one (~1e-2).

Both checks perturb the caller's arrays in place, one entry at a time, and put every entry back,
also when the function raises. They refuse float32 and float16 arrays rather than report a
wrong figure. Their spacing near 1 is 1.2e-7 and 1e-3: stored in float16, x + 1e-6 is x again;
stored in float32, the step is rounded by up to 6 %, and a right backward pass of rnn_loss
checks with relative errors from 1e-3 (float64 data) to 0.3 (float32 data) instead of 1e-9.
Checking on a float64 copy instead would check another computation than the one the caller
runs (and the function could not see the perturbation of a copy it was not given); the message
says how to make that copy and pass it.
"""
import numpy as np

from ._validate import (_describe, as_float_array, check_finite, function, loss_and_grads_result,
                        real_number)


def numerical_gradient(f, x, eps=1e-6):
    """Centred finite differences: df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).

    ``x`` is perturbed in place, one entry at a time, and restored afterwards (also when ``f``
    raises); ``f()`` must recompute its result from ``x`` every call (no value computed before
    the perturbation).

    Parameters
    ----------
    f : callable with no arguments returning a finite real number.
    x : float64 ndarray, any shape (the array ``f`` reads); float32/float16 are refused (see the
        module docstring).
    eps : float > 0, the step.

    Returns
    -------
    grad : float64 array, shape of ``x``
    """
    function("f", f)
    _perturbable("x", x, "f")
    eps = real_number("eps", eps, low=0, low_open=True)
    return _numerical_gradient(lambda where: f(), x, eps, "f", "x")


def _perturbable(name, x, reader):
    """Raise unless ``x`` is a finite, writeable float64 (or wider) ndarray (read by ``reader``)."""
    if not (isinstance(x, np.ndarray) and x.dtype.kind == "f"):
        try:
            dtype = np.asarray(x).dtype
        except (TypeError, ValueError):
            dtype = "object"
        raise TypeError(
            f"{name} must be a float ndarray that {reader} reads (it is perturbed in place), "
            f"got {type(x).__name__} of dtype {dtype}"
        )
    if x.dtype.itemsize < 8:
        copy = ("{k: v.astype(np.float64) for k, v in params.items()}" if reader == "loss_and_grads"
                else f"{name}.astype(np.float64)")
        raise TypeError(
            f"{name} has dtype {x.dtype}: finite differences need float64 (a step of 1e-6 is lost "
            f"in {x.dtype}'s rounding, so even a right gradient would look wrong); check a float64 "
            f"copy that {reader} reads: {copy}"
        )
    if not x.flags.writeable:
        raise ValueError(f"{name} must be writeable (it is perturbed in place), got a read-only array")
    check_finite(name, x)


def _numerical_gradient(value_of, x, eps, f_name, x_name):
    """The loop of :func:`numerical_gradient`; ``value_of(where)`` returns the function's value
    (``where`` names the perturbation, for its messages).

    Messages name the function ``f_name`` and the entry being perturbed, ``x_name[i]``.
    """
    grad = np.empty(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        entry = f"{x_name}[{', '.join(map(str, i))}]" if i else x_name
        saved = x[i]
        try:
            x[i] = saved + eps
            if x[i] == saved:
                raise ValueError(
                    f"eps = {eps} is lost in rounding at {entry} = {saved} (the perturbed entry "
                    f"equals the original): use a larger eps"
                )
            f_plus = _real_value(f_name, value_of(f"{entry} + eps"), f"{entry} + eps")
            x[i] = saved - eps
            f_minus = _real_value(f_name, value_of(f"{entry} - eps"), f"{entry} - eps")
        finally:
            x[i] = saved
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _real_value(f_name, value, where):
    """``value`` as a float if it is a finite real scalar, else an error naming ``f_name`` and ``where``."""
    if (isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0
            or np.asarray(value).dtype.kind not in "iuf"):
        raise TypeError(f"{f_name} must return a real number, got {_describe(value)} "
                        f"(called with {where})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{f_name} returned {value} with {where}: it must return a finite "
                         f"number at every perturbed point")
    return value


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): one number in [0, 1], 0 for identical arrays (and for two zero
    arrays), 1 when one of them is zero or they point in opposite directions.

    Norms over the whole array, so a gradient whose entries are all tiny is not flagged for
    rounding noise in one entry. ``a`` and ``b`` must be finite real arrays of the same shape
    (no broadcasting). Both are scaled by the same power of two before the norms are taken, so
    the result is the same number computed without scaling, except that entries near 1e300 (or
    1e-300) neither overflow to inf / inf = NaN nor underflow to 0 / 0: a gradient a huge finite
    factor away from the other gives about 1, a mismatch, never NaN.
    """
    a, b = as_float_array("a", a), as_float_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got shapes {a.shape} and {b.shape}")
    check_finite("a", a)
    check_finite("b", b)
    return _relative_error(a.astype(np.float64, copy=False), b.astype(np.float64, copy=False))


def _relative_error(a, b):
    """:func:`relative_error` of two finite float64 arrays of one shape, without the checks."""
    largest = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    if largest == 0:
        return 0.0
    exponent = int(np.frexp(largest)[1])  # largest = m * 2**exponent with 0.5 <= m < 1
    a, b = np.ldexp(a, -exponent), np.ldexp(b, -exponent)  # exact: powers of two
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def check_gradients(loss_and_grads, params, eps=1e-6):
    """Compare analytic gradients with finite differences for every array in ``params``.

        error[key] = relative_error(grads[key], numerical gradient of the loss w.r.t. params[key])

    Parameters
    ----------
    loss_and_grads : callable, ``loss_and_grads(params) -> (loss, grads)``
        ``loss`` a finite real number, ``grads`` a dict holding dL/dp for (at least) every key
        of ``params``, each with the shape of ``params[key]``; e.g. ``lambda p: rnnlib.rnn_loss(p,
        x, targets)``.
    params : dict of float64 ndarrays; each is perturbed in place and restored (also when
        ``loss_and_grads`` raises). float32/float16 are refused (see the module docstring).
    eps : float > 0, the step.

    Returns
    -------
    errors : dict, key -> :func:`relative_error` between analytic and numerical gradient, a
        number in [0, 1] (never NaN, so ``max(errors.values()) <= tol`` is a sound test); inf
        where the finite differences themselves overflow, which fails every tolerance too.
    """
    function("loss_and_grads", loss_and_grads)
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of float64 arrays, got {_describe(params)}")
    for key, p in params.items():
        _perturbable(f"params[{key!r}]", p, "loss_and_grads")
    eps = real_number("eps", eps, low=0, low_open=True)
    loss, grads = loss_and_grads_result("loss_and_grads", loss_and_grads(params), params)
    if not np.isfinite(loss):
        raise ValueError(f"loss_and_grads returned a loss of {loss} at params: it must be finite")
    analytic = {}
    for key, p in params.items():
        label = f"grads[{key!r}] (returned by loss_and_grads)"
        g = as_float_array(label, grads[key])
        if g.shape != p.shape:
            raise ValueError(f"{label} must have the shape of params[{key!r}] {p.shape}, "
                             f"got shape {g.shape}")
        check_finite(label, g)
        analytic[key] = g

    def loss_only(where):
        return loss_and_grads_result("loss_and_grads", loss_and_grads(params), params,
                                     f" (called with {where})")[0]

    errors = {}
    for key, p in params.items():
        numeric = _numerical_gradient(loss_only, p, eps, "loss_and_grads", f"params[{key!r}]")
        errors[key] = (_relative_error(analytic[key], numeric) if np.isfinite(numeric).all()
                       else np.inf)
    return errors

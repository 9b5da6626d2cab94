"""Finite-difference gradient checks, usable from notebooks and tests.

Run them in float64: with eps = 1e-6 a centred difference is accurate to about 1e-10 relative,
which is what separates a right backward pass (error ~1e-9 or less) from a wrong one (~1e-2).
"""
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Centred finite differences: df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).

    ``x`` is perturbed in place, one entry at a time, and restored afterwards; ``f()`` must
    recompute its result from ``x`` every call (no value computed before the perturbation).

    Parameters
    ----------
    f : callable with no arguments returning a float.
    x : float ndarray, any shape (the array ``f`` reads); float64 for a meaningful check.
    eps : float

    Returns
    -------
    grad : array, shape of ``x``
    """
    if not (isinstance(x, np.ndarray) and x.dtype.kind == "f"):
        raise TypeError(
            f"x must be a float ndarray that f reads (it is perturbed in place), got "
            f"{type(x).__name__} of dtype {np.asarray(x).dtype}"
        )
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + eps
        f_plus = f()
        x[i] = saved - eps
        f_minus = f()
        x[i] = saved
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / max(||a|| + ||b||, 1e-300): one number, 0 for identical arrays.

    Norms over the whole array, so a gradient whose entries are all tiny is not flagged for
    rounding noise in one entry. ``a`` and ``b`` must have the same shape (no broadcasting).
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got shapes {a.shape} and {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def check_gradients(loss_and_grads, params, eps=1e-6):
    """Compare analytic gradients with finite differences for every array in ``params``.

    Parameters
    ----------
    loss_and_grads : callable, ``loss_and_grads(params) -> (loss, grads)``
        ``grads`` holds dL/dp for (at least) every key of ``params``.
    params : dict of float64 arrays; each is perturbed in place and restored.
    eps : float

    Returns
    -------
    errors : dict, key -> :func:`relative_error` between analytic and numerical gradient.
    """
    _, grads = loss_and_grads(params)
    return {
        key: relative_error(
            grads[key], numerical_gradient(lambda: loss_and_grads(params)[0], params[key], eps)
        )
        for key in params
    }

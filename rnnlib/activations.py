"""Elementwise activations, each with its derivative written in terms of its output.

For every activation here the derivative can be computed from the output ``z = f(a)`` alone,
so a backward pass only needs to keep ``z`` in its cache:

=========  ==========================  =============================
name       f(a)                        f'(a) as a function of z
=========  ==========================  =============================
tanh       tanh(a)                     1 - z**2
sigmoid    1 / (1 + exp(-a))           z * (1 - z)
relu       max(a, 0)                   1 where z > 0, else 0
identity   a                           1
=========  ==========================  =============================
"""
from typing import NamedTuple

import numpy as np

from ._validate import Dims, choice, flag, forward_cache, same_shape


def _sigmoid(a, out=None):
    # 0.5 * (1 + tanh(a / 2)) equals 1 / (1 + exp(-a)) but never overflows for large |a|.
    z = np.tanh(np.multiply(a, 0.5, out=out), out=out)
    z += 1.0
    z *= 0.5
    return z


def _relu(a, out=None):
    return np.maximum(a, 0.0, out=out)


# name -> (f, f' from z). Each f takes ``out=`` as NumPy's ufuncs do (np.positive is the
# identity), so that rnn_forward can write h_t over a_t.
ACTIVATIONS = {
    "tanh": (np.tanh, lambda z: 1.0 - z * z),
    "sigmoid": (_sigmoid, lambda z: z * (1.0 - z)),
    "relu": (_relu, lambda z: (z > 0).astype(z.dtype)),
    "identity": (np.positive, np.ones_like),
}


class ActivationCache(NamedTuple):
    """What :func:`activation_backward` needs from :func:`activation_forward`."""

    z: np.ndarray  # the output f(a), any shape
    name: str      # the activation's name, a key of ACTIVATIONS


def activation_forward(a, name="tanh", *, check=True):
    """Apply an activation elementwise: z = f(a).

    Parameters
    ----------
    a : array, any shape
        Pre-activations; integers are converted to float64.
    name : {"tanh", "sigmoid", "relu", "identity"}
    check : bool
        Check ``a`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    z : array, shape of ``a``
    cache : ActivationCache (z, name), what :func:`activation_backward` needs.
    """
    choice("name", name, ACTIVATIONS)
    if flag("check", check):
        a = Dims().array("a", a, "...")
    z = ACTIVATIONS[name][0](a)
    return z, ActivationCache(z, name)


def activation_backward(dz, cache, *, check=True):
    """Backward of :func:`activation_forward`: da = dz * f'(a), with f'(a) computed from z.

    Parameters
    ----------
    dz : array, shape of z
        Upstream gradient dL/dz.
    cache : from :func:`activation_forward`.
    check : bool
        Check ``cache`` and ``dz`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    da : array, shape of z
    """
    if flag("check", check):
        forward_cache("cache", cache, ActivationCache, "activation_forward")
        dz = same_shape("dz", dz, cache.z.shape, "z")
    z, name = cache
    return dz * ACTIVATIONS[name][1](z)

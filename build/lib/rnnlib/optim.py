"""Gradient clipping and optimizer steps on dicts: ``grads`` always mirrors ``params``.

All functions are pure: they return new dicts and leave their arguments unchanged.
"""
import numpy as np

from ._validate import check_finite, params_dict


def global_norm(grads):
    """sqrt(sum over every array and entry of g^2): the norm of all gradients as one vector.

    Computed as m * sqrt(sum (g / m)^2) with m the largest |g|, so exploding gradients of
    size 1e200 give their true norm instead of overflowing to inf.
    """
    params_dict(grads, (), "grads")
    for k, g in grads.items():
        check_finite(f"grads[{k!r}]", np.asarray(g))
    m = max((float(np.max(np.abs(g), initial=0.0)) for g in grads.values()), default=0.0)
    if m == 0.0:
        return 0.0
    return m * float(np.sqrt(sum(np.sum(np.square(np.asarray(g) / m)) for g in grads.values())))


def clip_grad_norm(grads, max_norm):
    """Rescale all gradients together so their global norm is at most ``max_norm``.

        g <- g * min(1, max_norm / ||g||)

    The direction of the whole gradient is kept (Pascanu et al., 2013).

    Returns
    -------
    clipped : dict, same keys and shapes as ``grads``
    norm : float, the global norm before clipping
    """
    params_dict(grads, (), "grads")
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    norm = global_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}, norm


def clip_grad_value(grads, max_value):
    """Clip every entry to [-max_value, max_value]; this can change the gradient's direction."""
    params_dict(grads, (), "grads")
    if not max_value > 0:
        raise ValueError(f"max_value must be positive, got {max_value}")
    return {k: np.clip(g, -max_value, max_value) for k, g in grads.items()}


def sgd_step(params, grads, lr):
    """Plain gradient descent: p <- p - lr * dp for every key.

    Parameters
    ----------
    params, grads : dicts with the same keys and shapes
    lr : float, the learning rate (eta)

    Returns
    -------
    new_params : dict
    """
    _same_keys(params, grads)
    return {k: params[k] - lr * grads[k] for k in params}


def adam_init(params):
    """Adam's state: zero first and second moments for every parameter, step 0."""
    return {"m": {k: np.zeros_like(p) for k, p in params.items()},
            "v": {k: np.zeros_like(p) for k, p in params.items()}, "t": 0}


def adam_step(params, grads, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step (Kingma & Ba, 2015) with bias-corrected moments.

        m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
        p <- p - lr * m_hat / (sqrt(v_hat) + eps),   m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)

    Returns
    -------
    new_params : dict
    new_state : dict, to pass to the next call
    """
    _same_keys(params, grads)
    t = state["t"] + 1
    m = {k: beta1 * state["m"][k] + (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * state["v"][k] + (1 - beta2) * grads[k] ** 2 for k in params}
    new = {k: params[k] - lr * (m[k] / (1 - beta1**t)) / (np.sqrt(v[k] / (1 - beta2**t)) + eps)
           for k in params}
    return new, {"m": m, "v": v, "t": t}


def _same_keys(params, grads):
    params_dict(params, ())
    params_dict(grads, (), "grads")
    if set(params) != set(grads):
        raise ValueError(f"grads must have the keys of params {sorted(params)}, got {sorted(grads)}")
    for k in params:
        if np.shape(params[k]) != np.shape(grads[k]):
            raise ValueError(f"grads[{k!r}] must have shape {np.shape(params[k])}, got {np.shape(grads[k])}")

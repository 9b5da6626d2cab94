"""Gradient clipping and optimizer steps on dicts: ``grads`` always mirrors ``params``.

All functions are pure: they return new dicts and leave their arguments unchanged. Each checks
its dicts as the layers check their arrays (real numbers, integers become float64, no NaN or
inf, the keys and shapes of ``params``) and refuses a NaN or inf gradient: that is how a
diverging training run shows itself, and a step with it would silently turn every parameter
into NaN.
"""
import numpy as np

from ._validate import array_dict, integer, params_dict, real_number

# Ends the message for a NaN/inf gradient given to an optimizer step.
DIVERGED = (": the gradient overflowed, so training has diverged and this step would make the "
            "parameters NaN. Lower the learning rate, or clip the gradients before each step "
            "(rnnlib.clip_grad_norm(grads, max_norm)) so that they never grow this large")
# ... and to a clipping function.
CANNOT_CLIP = (": clipping cannot rescale NaN or inf, the gradient has already overflowed and "
               "training has diverged. Clip from the first step on, before the gradients grow "
               "this large, or lower the learning rate")


def global_norm(grads):
    """sqrt(sum over every array and entry of g^2): the norm of all gradients as one vector.

    Computed as m * sqrt(sum (g / m)^2) with m the largest |g|, so exploding gradients of
    size 1e200 give their true norm instead of overflowing to inf.

    Parameters
    ----------
    grads : dict of finite arrays, any shapes.

    Returns
    -------
    norm : float
    """
    return _global_norm(array_dict("grads", grads, hint=CANNOT_CLIP))


def _global_norm(grads):
    m = max((float(np.max(np.abs(g), initial=0.0)) for g in grads.values()), default=0.0)
    if m == 0.0:
        return 0.0
    return m * float(np.sqrt(sum(np.sum(np.square(g / m)) for g in grads.values())))


def clip_grad_norm(grads, max_norm):
    """Rescale all gradients together so their global norm is at most ``max_norm``.

        g <- g * min(1, max_norm / ||g||)

    The direction of the whole gradient is kept (Pascanu et al., 2013).

    Parameters
    ----------
    grads : dict of finite arrays, any shapes.
    max_norm : float > 0

    Returns
    -------
    clipped : dict, same keys and shapes as ``grads``
    norm : float, the global norm before clipping
    """
    grads = array_dict("grads", grads, hint=CANNOT_CLIP)
    max_norm = real_number("max_norm", max_norm, low=0, low_open=True)
    norm = _global_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}, norm


def clip_grad_value(grads, max_value):
    """Clip every entry to [-max_value, max_value]; this can change the gradient's direction.

    Parameters
    ----------
    grads : dict of finite arrays, any shapes.
    max_value : float > 0

    Returns
    -------
    clipped : dict, same keys and shapes as ``grads``
    """
    grads = array_dict("grads", grads, hint=CANNOT_CLIP)
    max_value = real_number("max_value", max_value, low=0, low_open=True)
    return {k: np.clip(g, -max_value, max_value) for k, g in grads.items()}


def sgd_step(params, grads, lr):
    """Plain gradient descent: p <- p - lr * dp for every key.

    Parameters
    ----------
    params, grads : dicts of finite arrays with the same keys and shapes
    lr : float >= 0, the learning rate (eta)

    Returns
    -------
    new_params : dict
    """
    params, grads = _params_and_grads(params, grads)
    lr = real_number("lr", lr, low=0)
    return {k: params[k] - lr * grads[k] for k in params}


def adam_init(params):
    """Adam's state: zero first and second moments for every parameter, step 0.

    Parameters
    ----------
    params : dict of finite arrays

    Returns
    -------
    state : dict with "m" and "v" (dicts of zeros shaped like ``params``) and "t" = 0.
    """
    params = array_dict("params", params)
    return {"m": {k: np.zeros_like(p) for k, p in params.items()},
            "v": {k: np.zeros_like(p) for k, p in params.items()}, "t": 0}


def adam_step(params, grads, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step (Kingma & Ba, 2015) with bias-corrected moments.

        m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
        p <- p - lr * m_hat / (sqrt(v_hat) + eps),   m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)

    Parameters
    ----------
    params, grads : dicts of finite arrays with the same keys and shapes
    state : dict from :func:`adam_init` or the previous call: "m" and "v" shaped like
        ``params`` (v >= 0), "t" the number of steps taken, an integer >= 0.
    lr : float >= 0
    beta1, beta2 : floats in [0, 1), the decay rates of m and v (PyTorch's ranges).
    eps : float > 0. PyTorch allows 0, but then a gradient entry that has been 0 at every step
        gives 0 / 0 = NaN.

    Returns
    -------
    new_params : dict
    new_state : dict, to pass to the next call
    """
    params, grads = _params_and_grads(params, grads)
    params_dict(state, ("m", "v", "t"), "state", "a dict with m, v and t (from adam_init)")
    m_prev = array_dict("state['m']", state["m"], like=params)
    v_prev = array_dict("state['v']", state["v"], like=params)
    for k, v in v_prev.items():
        if v.size and v.min() < 0:
            bad = tuple(int(i) for i in np.unravel_index(np.argmin(v), v.shape))
            raise ValueError(f"state['v'][{k!r}] must be >= 0 (a running mean of squared "
                             f"gradients), got {v[bad]} at index {bad}")
    t = integer("state['t']", state["t"], low=0) + 1
    lr = real_number("lr", lr, low=0)
    beta1 = real_number("beta1", beta1, low=0, high=1, high_open=True)
    beta2 = real_number("beta2", beta2, low=0, high=1, high_open=True)
    eps = real_number("eps", eps, low=0, low_open=True)
    m = {k: beta1 * m_prev[k] + (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * v_prev[k] + (1 - beta2) * grads[k] ** 2 for k in params}
    new = {k: params[k] - lr * (m[k] / (1 - beta1**t)) / (np.sqrt(v[k] / (1 - beta2**t)) + eps)
           for k in params}
    return new, {"m": m, "v": v, "t": t}


def _params_and_grads(params, grads):
    """``params`` and ``grads`` checked: finite float arrays, the same keys and shapes."""
    params = array_dict("params", params)
    return params, array_dict("grads", grads, like=params, hint=DIVERGED)

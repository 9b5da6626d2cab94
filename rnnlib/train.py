"""The training loop every chapter shares: a loss function, an optimizer, a number of steps.

    for s = 1..steps:   L, g = loss_and_grads(p);  g <- clip(g);  p <- step(p, g)

It stops early, and says at which step, when the loss or a gradient stops being finite: an
exploding run is reported, never continued on NaN.
"""
from typing import NamedTuple

import numpy as np

from ._validate import (array_dict, check_finite, choice, flag, function, integer,
                        loss_and_grads_result, real_number)
from .optim import adam_init, adam_step, clip_grad_norm, global_norm, sgd_step

OPTIMIZERS = ("sgd", "adam")


class Training(NamedTuple):
    """What :func:`train` returns."""

    params: dict         # the parameters after the last step taken
    losses: np.ndarray   # (S + 1,): the loss before each of the S steps taken and after the last
    grad_norms: np.ndarray  # (S,): the global gradient norm at each step, before clipping
    path: list           # the S + 1 parameter dicts (empty unless keep_path=True)
    diverged: int        # the step whose loss or gradient was NaN/inf (then S = diverged), or -1


def train(loss_and_grads, params, steps, *, lr, optimizer="sgd", max_norm=None,
          keep_path=False):
    """Run ``steps`` optimizer steps on ``loss_and_grads`` from ``params``.

    Parameters
    ----------
    loss_and_grads : callable, ``loss_and_grads(params) -> (loss, grads)``, e.g.
        ``lambda p: rnnlib.rnn_loss(p, x, targets)``.
    params : dict of finite arrays, left unchanged.
    steps : int >= 0
    lr : float >= 0, the learning rate.
    optimizer : {"sgd", "adam"}; Adam with its default betas and eps (:func:`rnnlib.adam_step`).
    max_norm : float > 0, optional; clip the global gradient norm to it
        (:func:`rnnlib.clip_grad_norm`) before each step.
    keep_path : bool; keep the parameters after every step in ``path``.

    Returns
    -------
    Training (params, losses, grad_norms, path, diverged). If the loss or a gradient becomes
    NaN or inf at step s, training stops there: ``diverged == s``, ``losses[s]`` is that loss,
    and ``params`` are those of step s, the last finite ones. A step whose finite gradient times
    ``lr`` overflows the parameters raises a ValueError naming lr (it cannot be reported as a
    loss: the loss function would refuse those parameters).
    """
    function("loss_and_grads", loss_and_grads)
    checked = array_dict("params", params)
    if any(checked[k] is not p for k, p in params.items()):
        params = checked    # lists or integer arrays converted; else the caller's dict is path[0]
    steps = integer("steps", steps, low=0)
    lr = real_number("lr", lr, low=0)
    choice("optimizer", optimizer, OPTIMIZERS)
    if max_norm is not None:
        max_norm = real_number("max_norm", max_norm, low=0, low_open=True)
    keep_path = flag("keep_path", keep_path)
    state = adam_init(params) if optimizer == "adam" else None
    losses, norms, path, diverged = [], [], [params] if keep_path else [], -1
    for s in range(steps + 1):
        loss, grads = loss_and_grads_result("loss_and_grads", loss_and_grads(params), params)
        # only the gradients of params; NaN/inf is the divergence handled below
        grads = array_dict("grads", {k: grads[k] for k in params}, like=params, finite=False,
                           where=" (returned by loss_and_grads)")
        losses.append(loss)
        finite = np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())
        if not finite:
            diverged = s
            break
        if s == steps:
            break
        norms.append(global_norm(grads))
        if max_norm is not None:
            grads, _ = clip_grad_norm(grads, max_norm)
        if optimizer == "sgd":
            params = sgd_step(params, grads, lr)
        else:
            params, state = adam_step(params, grads, state, lr=lr)
        for k, p in params.items():
            check_finite(f"params[{k!r}] after step {s + 1}", p,
                         f": lr = {lr} times a finite gradient overflowed; lower lr")
        if keep_path:
            path.append(params)
    return Training(params, np.array(losses), np.array(norms), path, diverged)

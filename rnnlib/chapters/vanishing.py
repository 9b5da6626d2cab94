"""Chapter 7 (Vanishing and exploding gradients, measured): the per-step gradients, their norms
against distance, the lag task and its training loop (chapter 8 imports both), Pascanu's cliff,
the figures and the widget.

The RNN is that of chapters 1-3 (rows are examples, time-major):

    h_t = f(a_t),  a_t = x_t W_xh + h_{t-1} W_hh + b_h,   dh_t = dh_out_t + dh_next_t,
    dh_next_{t-1} = (dh_t * f'(a_t)) W_hh^T,   so  ||dh_k|| <= (lambda_1 gamma)^(T-k) ||dh_T||

when only step T has an output (lambda_1 the largest singular value of W_hh, gamma = max |f'|:
1 for tanh and ReLU, 1/4 for the sigmoid). Only NumPy is imported at module level; the
functions that draw import matplotlib themselves.
"""
from typing import NamedTuple

import numpy as np

from .. import datasets
from .._validate import Dims, choice, forward_cache, integer, real_number
from ..activations import ACTIVATIONS
from ..init import init_rnn_params
from ..model import CELLS, rnn_loss, rnn_predict
from ..rnn import RNNCache, rnn_forward
from ..train import train
from .display import Slider, figure_html, html_table, interactive

GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}   # max |f'(a)| of each activation
NORM_ACTIVATIONS = tuple(GAMMA)
LAMBDA_GAMMA = (0.9, 1.0, 1.1)    # lambda_1 gamma below, at and above 1 (the table's rows)
LAGS = (4, 8, 16, 24, 32, 48)     # the lag task's lags
SEEDS = (0, 1, 2)                 # seeds per lag
LAG_SETTINGS = dict(H=16, B=128, steps=150, lr=0.02, symbols=4, test_B=256)
SUCCESS = 0.9                     # held-out accuracy that counts as solving the lag task
CLIP = 1.0                        # max_norm of the clipped runs
SWEEP_MODULE = "vanishing_sweep.py"   # the saved sweep, written by ``python -m rnnlib.chapters.vanishing``


# ---------------------------------------------------------------- per-step gradients

def hidden_gradients(dh_out, cache):
    """dL/dh_t for every t: the total gradient reaching each hidden state, by BPTT.

        dh_T = dh_out_T,   dh_{t-1} = dh_out_{t-1} + (dh_t * f'(a_t)) W_hh^T,   t = T..2

    The same recursion as :func:`rnnlib.rnn_backward`, which keeps only the running dh_next;
    here every dh_t = dh_out_t + dh_next_t is kept.

    Parameters
    ----------
    dh_out : (T, B, H)
        ``dh_out[t-1]`` is the part of dL/dh_t from the output at step t.
    cache : RNNCache, from :func:`rnnlib.rnn_forward`.

    Returns
    -------
    dh : (T, B, H)
        ``dh[t-1]`` is dL/dh_t (total).
    """
    forward_cache("cache", cache, RNNCache, "rnn_forward")
    h, W_hh = cache.h, cache.W_hh
    dims = Dims().bind("the forward pass", T=h.shape[0], B=h.shape[1], H=h.shape[2])
    dh_out = dims.array("dh_out", dh_out, "T B H")
    fprime = ACTIVATIONS[cache.activation][1](h)
    dh = np.empty_like(fprime)
    dh[-1] = dh_out[-1]
    for t in range(h.shape[0] - 1, 0, -1):         # index t holds step t+1
        dh[t - 1] = dh_out[t - 1] + (dh[t] * fprime[t]) @ W_hh.T
    return dh


class NormRun(NamedTuple):
    """What :func:`gradient_norms` returns."""

    distance: np.ndarray   # (T,): T - k for k = T..1, i.e. 0..T-1
    ratio: np.ndarray      # (T,): geometric mean over the B sequences of ||dh_k|| / ||dh_T||
    bound: np.ndarray      # (T,): (lambda_1 gamma)^(T - k)
    rate: float            # least-squares slope of log ratio against distance
    saturation: float      # mean of f'(a_t) / gamma over every step and unit


# Each activation's operating point h*, where f'(a*) = gamma: tanh at a* = 0, the sigmoid at
# a* = 0 (h* = 1/2), ReLU at a* = 1 (any a* > 0 would do).
OPERATING_POINT = {"tanh": (0.0, 0.0), "sigmoid": (0.0, 0.5), "relu": (1.0, 1.0)}   # (a*, h*)


def recurrent_setup(activation, lam, T, seed=0, H=32, B=8, input_scale=0.01):
    """The chapter's measurement setting: W_hh = lam Q (Q orthogonal), inputs, the loss at step T.

        W_hh = lam Q  (so lambda_1 = rho = lam),  h_0 = h* 1,  b_h = a* 1 - h* 1 W_hh,
        so h* 1 is a fixed point where f'(a*) = gamma (tanh: a* = h* = 0; sigmoid: a* = 0,
        h* = 1/2; ReLU: a* = h* = 1);  W_xh ~ input_scale N(0, 1) (4, H),
        x_t ~ N(0, 1) (T, B, 4),  dh_out = 0 except dh_out_T = unit vectors (B, H)

    Small inputs keep the states near the fixed point, where the bound (lam gamma)^(T-k) is
    nearly tight; large inputs drive them away, into saturation.

    Parameters
    ----------
    activation : {"tanh", "sigmoid", "relu"}
    lam : float > 0, the largest singular value of W_hh.
    T : int >= 2, steps.
    seed : int >= 0
    H, B : int >= 1, hidden units and sequences.
    input_scale : float >= 0, the size of x_t W_xh per unit.

    Returns
    -------
    x (T, B, 4), params dict (W_xh (4, H), W_hh (H, H), b_h (H,)), h0 (B, H), dh_out (T, B, H)
    """
    choice("activation", activation, NORM_ACTIVATIONS)
    lam = real_number("lam", lam, low=0, low_open=True)
    T = integer("T", T, low=2)
    rng = np.random.default_rng(integer("seed", seed, low=0))
    H, B = integer("H", H, low=1), integer("B", B, low=1)
    input_scale = real_number("input_scale", input_scale, low=0)
    Q, R = np.linalg.qr(rng.standard_normal((H, H)))
    W_hh = lam * Q * np.sign(np.diag(R))
    a_star, h_star = OPERATING_POINT[activation]
    params = {"W_xh": input_scale * rng.standard_normal((4, H)), "W_hh": W_hh,
              "b_h": a_star - h_star * W_hh.sum(axis=0)}
    x = rng.standard_normal((T, B, 4))
    dh_out = np.zeros((T, B, H))
    u = rng.standard_normal((B, H))
    dh_out[-1] = u / np.linalg.norm(u, axis=1, keepdims=True)
    return x, params, np.full((B, H), h_star), dh_out


def gradient_norms(activation, lam, T, seed=0, H=32, B=8, input_scale=0.01):
    """||dh_k|| / ||dh_T|| against T - k in the setting of :func:`recurrent_setup`.

    The bound is (lam gamma)^(T - k); the rate is the least-squares slope of the log of the
    measured ratio against T - k (per step: ratio ~ exp(rate (T - k))).

    Parameters are those of :func:`recurrent_setup`.

    Returns
    -------
    NormRun
    """
    x, params, h0, dh_out = recurrent_setup(activation, lam, T, seed, H, B, input_scale)
    h, cache = rnn_forward(x, params, h0, activation=activation)
    dh = hidden_gradients(dh_out, cache)[::-1]                  # dh_T, dh_{T-1}, ..., dh_1
    logs = np.log(np.linalg.norm(dh, axis=2)).mean(axis=1)      # mean over B of log ||dh_k||
    distance = np.arange(T, dtype=float)
    ratio = np.exp(logs - logs[0])
    rate = float(np.polyfit(distance, np.log(ratio), 1)[0])
    saturation = float(np.mean(ACTIVATIONS[activation][1](h)) / GAMMA[activation])
    return NormRun(distance, ratio, (lam * GAMMA[activation]) ** distance, rate, saturation)


def rate_table(T=60, seed=0):
    """Fitted rate against log(lambda_1 gamma), for each activation and lambda_1 gamma.

    Parameters
    ----------
    T : int >= 2, steps;  seed : int >= 0 (:func:`recurrent_setup`).

    Returns
    -------
    list of rows (activation, gamma, lambda_1, log(lambda_1 gamma), fitted rate), floats.
    """
    T, seed = integer("T", T, low=2), integer("seed", seed, low=0)
    rows = []
    for act in NORM_ACTIVATIONS:
        for lg in LAMBDA_GAMMA:
            lam = lg / GAMMA[act]
            rows.append((act, GAMMA[act], float(lam), float(np.log(lg)),
                         gradient_norms(act, lam, T, seed).rate))
    return rows


def draw_norms(T=60, seed=0):
    """Three panels (tanh, sigmoid, ReLU): ||dh_k||/||dh_T|| against T - k, bounds dashed.

    Parameters
    ----------
    T : int >= 2;  seed : int >= 0 (:func:`recurrent_setup`).

    Returns
    -------
    matplotlib Figure
    """
    T, seed = integer("T", T, low=2), integer("seed", seed, low=0)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharey=True)
    for ax, act in zip(axes, NORM_ACTIVATIONS):
        for lg, colour in zip(LAMBDA_GAMMA, ("C0", "C1", "C3")):
            run = gradient_norms(act, lg / GAMMA[act], T, seed)
            ax.semilogy(run.distance, run.ratio, color=colour,
                        label=f"λ₁γ = {lg:g}")
            ax.semilogy(run.distance, run.bound, color=colour, ls="--", lw=0.8)
        ax.set_title(f"{act} (γ = {GAMMA[act]:g})")
        ax.set_xlabel("distance T − k")
    axes[0].set_ylabel("‖dh_k‖ / ‖dh_T‖")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the lag task

class LagRun(NamedTuple):
    """What :func:`train_lag` returns."""

    accuracy: float       # held-out accuracy after training
    losses: np.ndarray    # (steps + 1,) training loss (mean over the batch)
    params: dict          # the trained parameters
    diverged: int         # the step where training diverged, or -1


def train_lag(lag, seed=0, cell="rnn", *, max_norm=None, H=None, steps=None, lr=None):
    """Train a cell on :func:`rnnlib.datasets.first_symbol_recall` with the fixed budget.

    Adam for ``steps`` steps on one batch of B sequences (mean cross-entropy at the last step,
    ``rnn_loss(..., outputs="last", cell=cell)``), then the accuracy on ``test_B`` new ones.
    The budget is :data:`LAG_SETTINGS` unless H, steps or lr are given; chapter 8 runs the LSTM
    and GRU through the same function.

    Parameters
    ----------
    lag : int >= 1
    seed : int >= 0, for the data and the initial parameters.
    cell : {"rnn", "lstm", "gru"}
    max_norm : float > 0, optional; clip the global gradient norm (:func:`rnnlib.train`).
    H, steps, lr : optional overrides of the budget.

    Returns
    -------
    LagRun
    """
    lag = integer("lag", lag, low=1)
    seed = integer("seed", seed, low=0)
    choice("cell", cell, CELLS)
    s = dict(LAG_SETTINGS)
    if H is not None:
        s["H"] = integer("H", H, low=1)
    if steps is not None:
        s["steps"] = integer("steps", steps, low=0)
    if lr is not None:
        s["lr"] = real_number("lr", lr, low=0)
    if max_norm is not None:
        max_norm = real_number("max_norm", max_norm, low=0, low_open=True)
    rng = np.random.default_rng(seed)
    S = s["symbols"]
    x, y = datasets.first_symbol_recall(lag, s["B"], rng, S)
    xt, yt = datasets.first_symbol_recall(lag, s["test_B"], rng, S)
    params = _init_cell(cell, S, s["H"], S, rng)

    def loss(p):
        return rnn_loss(p, x, y, loss="cross_entropy", reduction="mean", outputs="last",
                        cell=cell)

    run = train(loss, params, s["steps"], lr=s["lr"], optimizer="adam", max_norm=max_norm)
    o = rnn_predict(run.params, xt, outputs="last", cell=cell)
    accuracy = float(np.mean(o.argmax(axis=1) == yt))
    return LagRun(accuracy, run.losses, run.params, int(run.diverged))


def _init_cell(cell, D, H, K, rng):
    if cell == "rnn":
        return init_rnn_params(D, H, K, rng)
    from .. import init_gru_params, init_lstm_params
    return (init_lstm_params if cell == "lstm" else init_gru_params)(D, H, K, rng)


def _lag_sweep(lags=LAGS, seeds=SEEDS, cell="rnn"):
    """Held-out accuracies of :func:`train_lag` for every lag and seed, without and with clipping.

    Returns
    -------
    dict: "lags", "seeds" (lists of ints), "plain" and "clipped" (lists of lists of floats,
    [lag][seed]), "success" (float), "clip" (the max_norm), "cell".
    """
    lags = [integer("lags", k, low=1) for k in lags]
    seeds = [integer("seeds", k, low=0) for k in seeds]
    choice("cell", cell, CELLS)
    return {"lags": lags, "seeds": seeds, "cell": cell, "success": SUCCESS, "clip": CLIP,
            "plain": [[train_lag(k, s, cell).accuracy for s in seeds] for k in lags],
            "clipped": [[train_lag(k, s, cell, max_norm=CLIP).accuracy for s in seeds]
                        for k in lags]}


def saved_sweep():
    """The sweep of :func:`_lag_sweep` saved in :data:`SWEEP_MODULE` (``SWEEP`` there)."""
    from . import vanishing_sweep
    return vanishing_sweep.SWEEP


def _write_sweep():
    """Run :func:`_lag_sweep` and save it as rnnlib/chapters/vanishing_sweep.py."""
    import pprint
    from pathlib import Path

    sweep = _lag_sweep()
    path = Path(__file__).with_name(SWEEP_MODULE)
    path.write_text('"""Chapter 7\'s lag-task sweep, written by ``python -m rnnlib.chapters.vanishing``: '
                    'held-out\naccuracies [lag][seed] of train_lag, without and with clipping."""\n'
                    f"SWEEP = {pprint.pformat(sweep, width=96)}\n")
    return path


# ---------------------------------------------------------------- Pascanu's cliff

def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def cliff_loss(w, b, steps=50, x0=0.5, target=0.7):
    """Pascanu et al.'s one-unit RNN: loss and gradient, elementwise over arrays of (w, b).

        x_t = w sigma(x_{t-1}) + b,  t = 1..steps,   L = (sigma(x_steps) - target)^2
        dx_steps = 2 (sigma(x_steps) - target) sigma'(x_steps),
        dw = sum_t dx_t sigma(x_{t-1}),  db = sum_t dx_t,  dx_{t-1} = dx_t w sigma'(x_{t-1})

    Parameters
    ----------
    w, b : float or arrays of one shape (any).
    steps : int >= 1;  x0, target : floats.

    Returns
    -------
    loss, dw, db : arrays of the shape of w (floats for scalars)
    """
    w = np.asarray(real_number("w", w) if np.ndim(w) == 0 else w, dtype=float)
    b = np.asarray(real_number("b", b) if np.ndim(b) == 0 else b, dtype=float)
    if w.shape != b.shape or not (np.isfinite(w).all() and np.isfinite(b).all()):
        raise ValueError(f"w and b must be finite arrays of one shape, got shapes {w.shape} "
                         f"and {b.shape}")
    steps = integer("steps", steps, low=1)
    x0, target = real_number("x0", x0), real_number("target", target)
    xs = [np.full(w.shape, x0)]
    for _ in range(steps):
        xs.append(w * _sigmoid(xs[-1]) + b)
    s = _sigmoid(xs[-1])
    loss = (s - target) ** 2
    dx = 2 * (s - target) * s * (1 - s)
    dw, db = np.zeros_like(w), np.zeros_like(w)
    for t in range(steps, 0, -1):
        sp = _sigmoid(xs[t - 1])
        dw += dx * sp
        db += dx
        dx = dx * w * sp * (1 - sp)
    if w.ndim == 0:
        return float(loss), float(dw), float(db)
    return loss, dw, db


def cliff_descent(w, b, lr, steps, clip="none", threshold=1.0):
    """Gradient descent on :func:`cliff_loss` from (w, b), optionally clipped.

    Parameters
    ----------
    w, b : floats, the start.
    lr : float >= 0;  steps : int >= 0
    clip : {"none", "norm", "value"}: none, :func:`rnnlib.clip_grad_norm` (global norm) or
        :func:`rnnlib.clip_grad_value` (each entry), at ``threshold``.
    threshold : float > 0

    Returns
    -------
    path : (steps + 1, 2) the (w, b) visited;  losses : (steps + 1,)
    """
    from ..optim import clip_grad_norm, clip_grad_value

    w, b = real_number("w", w), real_number("b", b)
    lr, steps = real_number("lr", lr, low=0), integer("steps", steps, low=0)
    choice("clip", clip, ("none", "norm", "value"))
    threshold = real_number("threshold", threshold, low=0, low_open=True)
    path, losses = [(w, b)], []
    for _ in range(steps):
        loss, dw, db = cliff_loss(w, b)
        losses.append(loss)
        g = {"w": np.array(dw), "b": np.array(db)}
        if clip == "norm":
            g = clip_grad_norm(g, threshold)[0]
        elif clip == "value":
            g = clip_grad_value(g, threshold)
        w, b = w - lr * float(g["w"]), b - lr * float(g["b"])
        path.append((w, b))
    losses.append(cliff_loss(w, b)[0])
    return np.array(path), np.array(losses)


W_RANGE, B_RANGE = (-2.0, 14.0), (-10.0, 6.0)


def draw_cliff(w=6.5, b=-4.0, lr=2.0, steps=100, threshold=0.5, n=121):
    """The cliff's loss over (w, b) (log colour scale) with three descent runs from (w, b).

    The runs are :func:`cliff_descent` unclipped, clipped to the global norm ``threshold`` and
    clipped entry by entry to ``threshold``.

    Parameters
    ----------
    w, b : floats, the start;  lr : float >= 0;  steps : int >= 0;  threshold : float > 0
    n : int >= 2, grid points per axis.

    Returns
    -------
    matplotlib Figure
    """
    runs = [cliff_descent(w, b, lr, steps, clip, threshold)[0] for clip in ("none", "norm", "value")]
    n = integer("n", n, low=2)
    import matplotlib.pyplot as plt

    W, Bg = np.meshgrid(np.linspace(*W_RANGE, n), np.linspace(*B_RANGE, n))
    loss = cliff_loss(W, Bg)[0]
    fig, ax = plt.subplots(figsize=(6, 4))
    cs = ax.contourf(W, Bg, np.log10(loss + 1e-6), levels=30, cmap="viridis")
    fig.colorbar(cs, ax=ax, label="log10 loss")
    labels = ("no clipping", f"global norm {threshold:g}", f"each entry {threshold:g}")
    for path, label, colour in zip(runs, labels, ("w", "r", "orange")):
        ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, color=colour, label=label)
    ax.set_xlim(*W_RANGE)
    ax.set_ylim(*B_RANGE)
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def draw_lag():
    """Success rate against lag (log2 axis), with and without clipping, from :func:`saved_sweep`.

    Returns
    -------
    matplotlib Figure
    """
    sweep = saved_sweep()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    for key, style, label in (("plain", "o-", "RNN"),
                              ("clipped", "s--", f"RNN, global norm clipped to {sweep['clip']:g}")):
        rates = np.mean(np.array(sweep[key]) >= sweep["success"], axis=1)
        ax.plot(sweep["lags"], rates, style, label=label)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("lag k (distractors)")
    ax.set_ylabel(f"success rate (accuracy ≥ {sweep['success']:g})")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the widget

NORM_SLIDERS = {"radius": Slider(10, 5, 15, 1), "activation": Slider(0, 0, 2, 1),
                "T": Slider(40, 10, 80, 10)}


def norms_view(radius=10, activation=0, T=40):
    """The widget's view: ||dh_k||/||dh_T|| against T - k with its bound, and the fitted rate.

    Parameters
    ----------
    radius : int in [5, 15], lambda_1 gamma in tenths (W_hh = (radius / 10 / gamma) Q).
    activation : int in [0, 2], tanh, sigmoid or ReLU.
    T : int in [10, 80], steps.

    Returns
    -------
    str : HTML, the plot (an inline PNG) beside a table (lambda_1, log(lambda_1 gamma), rate).
    """
    radius = integer("radius", radius, low=5, high=15)
    activation = integer("activation", activation, low=0, high=2)
    T = integer("T", T, low=10, high=80)
    act = NORM_ACTIVATIONS[activation]
    lg = radius / 10
    run = gradient_norms(act, lg / GAMMA[act], T)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3))
    ax.semilogy(run.distance, run.ratio, label="measured")
    ax.semilogy(run.distance, run.bound, "--", label="bound (λ₁γ)^(T−k)")
    ax.set_xlabel("distance T − k")
    ax.set_ylabel("‖dh_k‖ / ‖dh_T‖")
    ax.legend(fontsize=8)
    fig.tight_layout()
    picture = figure_html(fig, dpi=70)
    plt.close(fig)
    rows = [("activation", act), ("λ₁", f"{lg / GAMMA[act]:.2f}"), ("λ₁γ", f"{lg:.1f}"),
            ("log(λ₁γ), bound's rate", f"{np.log(lg):.3f}"), ("fitted rate", f"{run.rate:.3f}"),
            (f"‖dh_1‖/‖dh_T‖, T = {T}", f"{run.ratio[-1]:.2e}"),
            ("mean f′/γ (1: no saturation)", f"{run.saturation:.3f}")]
    return (f'<div style="display:flex;gap:1.5em;align-items:flex-start"><div>{picture}</div>'
            f'<div>{html_table(["quantity", "value"], rows)}</div></div>')


def norms_widget():
    """Sliders over lambda_1 gamma, the activation and T, showing :func:`norms_view`."""
    return interactive(norms_view, NORM_SLIDERS)


if __name__ == "__main__":
    print("wrote", _write_sweep())

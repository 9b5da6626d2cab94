"""Chapter 3 (softmax, cross-entropy and backpropagation through time): the chapter's examples,
experiments, tables, figures and widget.

* Softmax: the worked example o = [2.0, 1.0, 0.1] of a widely read blog post and its printed
  values (:data:`ARTICLE_LOGITS`, :data:`ARTICLE_SOFTMAX_QUOTED`), the softmax without the max
  shift and where it overflows, temperature (the widget's view).
* Cross-entropy against squared error on a softmax output (what another post does), and their
  gradients when the model is confidently wrong.
* BPTT written in Goodfellow et al.'s column notation, equation by equation (10.8-10.28), and the
  lines of rnnlib that implement each equation, read from rnnlib's own source
  (:func:`quote`), so the chapter shows the code that runs, not a copy of it.
* Truncated BPTT: its gradient against the full one as the chunk length k grows, chunks with the
  state reset, and the peak memory and time of full and truncated BPTT.

Conventions are the book's (see :mod:`rnnlib`): rows are examples, time-major (T, B, ...), ``dX``
is dL/dX. Goodfellow et al. write columns: U = W_xh^T, W = W_hh^T, V = W_hy^T, b = b_h, c = b_y.
"""
import inspect
import math
import time
import tracemalloc
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

from .. import activations, layers, losses, rnn
from .._validate import (Dims, _describe, _short, as_float_array, check_finite, check_params,
                         choice, flag, function, generator, integer, integer_array, labels_array,
                         number_sequence, params_dict, real_number, text)
from ..init import init_rnn_params
from ..losses import mse_loss, softmax, softmax_cross_entropy
from ..model import rnn_loss, rnn_predict
from ..truncated import rnn_loss_truncated
from .display import Slider, _sequence, format_number, html_table, interactive

PARAM_KEYS = rnn.RNN_KEYS + rnn.OUTPUT_KEYS  # W_xh, W_hh, b_h, W_hy, b_y

# ---- softmax ----------------------------------------------------------------------------------

# The blog post's example (its o^(t), a column there; one row of logits here) and the three
# probabilities it prints, as printed (the strings keep their precision).
ARTICLE_LOGITS = (2.0, 1.0, 0.1)
ARTICLE_SOFTMAX_QUOTED = ("0.66", "0.242", "0.09")


def _softmax(z):
    """:func:`rnnlib.softmax` on the last axis without its input check, for arrays made here from
    checked ones (o / tau, o + c in float32), where an overflow gives NaN as NumPy does."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def naive_softmax(logits):
    """Softmax computed literally, without the max shift: p_k = exp(o_k) / sum_j exp(o_j).

    The dtype of ``logits`` is kept (float32 stays float32), so each dtype overflows where it
    does: exp(o) is inf once o exceeds log of the largest float (about 88.7 in float32, 709.8 in
    float64), and inf / inf is NaN; far negative logits underflow to 0 / 0, NaN too. NumPy warns
    about both unless the caller silences it (``np.errstate``). :func:`rnnlib.softmax` is the
    stable version.

    Parameters
    ----------
    logits : (..., K)

    Returns
    -------
    p : (..., K), the dtype of ``logits``; inf/NaN where exp overflows or every term underflows.
    """
    return _naive_softmax(Dims().array("logits", logits, "... K"))


def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def compare_printed(values, printed):
    """Each printed value beside the exact one: rounded right, truncated, or wrong?

    A printed value with d decimals *agrees* if it is the exact value rounded (half up) to d
    decimals; it is *truncated* if instead it equals the exact value cut after d decimals;
    otherwise it is *wrong*.

    Parameters
    ----------
    values : (K,) floats, the exact values.
    printed : K strings, the printed values, each a finite number (e.g. ``"0.09"``).

    Returns
    -------
    rows : list of dicts with keys printed, exact, rounded, truncated (strings with the printed
        number of decimals) and verdict ("agrees", "truncated" or "wrong").
    """
    values = Dims().array("values", values, "K")
    if (not isinstance(printed, (tuple, list)) or len(printed) != len(values)
            or not all(isinstance(p, str) for p in printed)):
        raise ValueError(f"printed must be {len(values)} strings (one per value), got "
                         f"{_short(printed)}")
    for i, shown in enumerate(printed):
        _printed_number(f"printed[{i}]", shown)
    rows = []
    for exact, shown in zip(values, printed):
        decimals = len(shown.split(".")[1]) if "." in shown else 0
        unit = Decimal(1).scaleb(-decimals)
        exact_decimal = Decimal(repr(float(exact)))
        rounded = str(exact_decimal.quantize(unit, rounding=ROUND_HALF_UP))
        truncated = str(exact_decimal.quantize(unit, rounding=ROUND_DOWN))
        verdict = "agrees" if shown == rounded else "truncated" if shown == truncated else "wrong"
        rows.append({"printed": shown, "exact": float(exact), "rounded": rounded,
                     "truncated": truncated, "verdict": verdict})
    return rows


def _printed_number(name, value):
    """``value`` checked: a str holding a finite number as printed, such as "0.09"."""
    text(name, value)
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number as printed, such as '0.09', got "
                         f"{value!r}")
    return value


def softmax_overflow(logits, shifts, dtypes=("float32", "float64")):
    """Softmax of o + c for each shift c and dtype, without and with the max shift.

    Mathematically softmax(o + c) = softmax(o) for every constant c (exp(c) cancels). In floating
    point, :func:`naive_softmax` overflows once max(o + c) passes log of the largest float, and
    underflows to 0 / 0 once every o_k + c is far below it; :func:`rnnlib.softmax`, which
    subtracts max(o) first, gives the same result for every c. Overflow warnings are silenced
    here: the inf/NaN are in the returned rows, which is the point.

    Parameters
    ----------
    logits : (K,)
    shifts : (S,) finite floats c (a list, tuple or 1-D array), S >= 1.
    dtypes : list or tuple of float dtype names ("float16", "float32", "float64"), at least one.

    Returns
    -------
    rows : list of dicts with keys shift, dtype, largest_exp (float: max_k exp(o_k + c) in that
        dtype, inf once it overflows), naive (K,) and stable (K,) arrays (of that dtype), finite
        (bool: the naive result is finite).
    """
    logits = Dims().array("logits", logits, "K")
    shifts = number_sequence("shifts", shifts).tolist()
    _sequence("dtypes", dtypes)
    if not dtypes:
        raise ValueError("dtypes must name at least one float dtype, got an empty sequence")
    for i, name in enumerate(dtypes):
        choice(f"dtypes[{i}]", name, ("float16", "float32", "float64"))
    rows = []
    with np.errstate(over="ignore", invalid="ignore"):
        for c in shifts:
            for name in dtypes:
                shifted = (logits + c).astype(name)
                naive = _naive_softmax(shifted)
                rows.append({"shift": c, "dtype": name, "largest_exp": float(np.exp(shifted).max()),
                             "naive": naive,
                             "stable": _softmax(shifted), "finite": bool(np.isfinite(naive).all())})
    return rows


def overflow_table_html(rows, digits=4):
    """The rows of :func:`softmax_overflow` as an HTML table (NaN and inf spelled as NumPy does).

    Parameters
    ----------
    rows : list or tuple of dicts from :func:`softmax_overflow` (keys shift, dtype, largest_exp,
        naive, stable; naive and stable may hold NaN and largest_exp be inf, as they come).
    digits : int >= 0, decimals of the probabilities.

    Returns
    -------
    html : str
    """
    _check_rows("rows", rows, "softmax_overflow", ("shift", "dtype", "largest_exp", "naive",
                                                   "stable"))
    for i, row in enumerate(rows):
        label = f"rows[{i}]"
        real_number(f"{label}['shift']", row["shift"])
        text(f"{label}['dtype']", row["dtype"])
        largest = row["largest_exp"]
        if isinstance(largest, (bool, np.bool_)) or not isinstance(largest, (int, float, np.integer,
                                                                              np.floating)):
            raise TypeError(f"{label}['largest_exp'] must be a real number, got "
                            f"{_describe(largest)}")
        if not largest >= 0:
            raise ValueError(f"{label}['largest_exp'] must be >= 0 (inf once exp overflows), got "
                             f"{largest}")
        # NaN/inf where the naive softmax overflowed (the stable one too, past float32's range)
        stable = Dims().shape(f"{label}['stable']", as_float_array(f"{label}['stable']",
                                                                   row["stable"]), "K")
        naive = as_float_array(f"{label}['naive']", row["naive"])
        if naive.shape != stable.shape:
            raise ValueError(f"{label}['naive'] must have the shape of {label}['stable'] "
                             f"{stable.shape}, got shape {naive.shape}")
    digits = integer("digits", digits, low=0)

    def vector(p):
        return "[" + ", ".join(format_number(float(v), digits) if np.isfinite(v) else str(v)
                               for v in p) + "]"

    body = [(format_number(r["shift"], 0), r["dtype"], f"{r['largest_exp']:.3g}",
             vector(r["naive"]), vector(r["stable"])) for r in rows]
    header = ("shift c", "dtype", "largest exp(o + c)", "exp(o + c) / sum exp(o + c)",
              "with the max subtracted first")
    return html_table(header, body, ("right", "left", "right", "left", "left"))


def _check_rows(name, rows, source, keys):
    """``rows`` checked: a list or tuple of dicts holding ``keys``, as ``source`` makes them."""
    if not isinstance(rows, (list, tuple)):
        raise TypeError(f"{name} must be a list of dicts from {source}, got {_describe(rows)}")
    for i, row in enumerate(rows):
        params_dict(row, keys, f"{name}[{i}]", f"a dict from {source}")


# ---- temperature -------------------------------------------------------------------------------

def softmax_temperature(logits, tau):
    """Softmax at temperature tau: p = softmax(o / tau), the *logits* divided by tau.

    tau -> 0 puts all the probability on the largest logit (argmax); tau = 1 is the plain
    softmax; tau -> infinity tends to the uniform distribution 1/K.

    Parameters
    ----------
    logits : (..., K)
    tau : float > 0

    Returns
    -------
    p : (..., K)
    """
    tau = real_number("tau", tau, low=0, low_open=True)
    logits = Dims().array("logits", logits, "... K")
    return _softmax(logits / tau)


def _probabilities(name, p):
    """``p`` checked: a finite (..., K) array of probabilities, each in [0, 1]."""
    p = Dims().array(name, p, "... K")
    if p.min() < 0 or p.max() > 1:
        raise ValueError(f"{name} must hold probabilities in [0, 1], got values from {p.min()} "
                         f"to {p.max()}")
    return p


def entropy(p):
    """Entropy in nats along the last axis: H(p) = -sum_k p_k log p_k, with 0 log 0 = 0.

    Between 0 (one class certain) and log K (uniform).

    Parameters
    ----------
    p : (..., K), probabilities (each in [0, 1]).

    Returns
    -------
    H : (...) array (a float for a single distribution).
    """
    return _entropy(_probabilities("p", p))


def _entropy(p):
    terms = np.where(p == 0, 0.0, -p * np.log(np.where(p > 0, p, 1.0)))   # NaN stays NaN
    h = terms.sum(axis=-1)
    return float(h) if h.ndim == 0 else h


def temperature_sweep(logits, taus):
    """Probabilities and entropy of :func:`softmax_temperature` for each tau.

    Parameters
    ----------
    logits : (K,)
    taus : (N,) floats > 0

    Returns
    -------
    probs : (N, K)
    entropies : (N,) in nats
    """
    logits = Dims().array("logits", logits, "K")
    taus = Dims().array("taus", taus, "N")
    if taus.min() <= 0:
        raise ValueError(f"taus must all be > 0, got {taus.min()} at index {int(taus.argmin())}")
    probs = np.array([softmax_temperature(logits, float(tau)) for tau in taus])
    return probs, _entropy(probs)


def temperature_view(tau=1.0, logits=ARTICLE_LOGITS):
    """The widget's view: the article's logits at temperature tau, as an HTML table.

    One row per class: the logit o_k, o_k / tau, the probability softmax(o / tau)_k and a bar of
    it; then the entropy against its maximum log K. Text only, so it reads the same in any
    browser and the live test can compare it.

    Parameters
    ----------
    tau : float > 0
    logits : (K,)

    Returns
    -------
    html : str
    """
    logits = Dims().array("logits", logits, "K")
    p = softmax_temperature(logits, tau)
    rows = [(f"{k + 1}", format_number(o, 2), format_number(o / tau, 3), format_number(pk, 4),
             "\u2588" * int(round(40 * pk)) if np.isfinite(pk) else "")
            for k, (o, pk) in enumerate(zip(logits, p))]
    table = html_table(("class k", "logit o_k", "o_k / tau", "probability", ""), rows,
                       ("right", "right", "right", "right", "left"))
    line = (f"tau = {tau:.2f}: entropy {_entropy(p):.4f} nats of at most log {len(p)} = "
            f"{math.log(len(p)):.4f}; the largest probability is {p.max():.4f}.")
    return f'<div class="rnn-temperature"><p>{line}</p>{table}</div>'


# name -> (start value, low, high, step); the start is the plain softmax (tau = 1).
TEMPERATURE_SLIDERS = {"tau": Slider(1.0, 0.1, 5.0, 0.1)}


def temperature_widget():
    """A slider for the temperature tau over the live table of :func:`temperature_view`."""
    return interactive(temperature_view, TEMPERATURE_SLIDERS)


# ---- cross-entropy against squared error on a softmax output ------------------------------------

def softmax_jacobian(p):
    """Jacobian of the softmax from its output: J[..., i, j] = dp_i / do_j = p_i (delta_ij - p_j).

    In matrix form J = diag(p) - p^T p for a row p; it is symmetric.

    Parameters
    ----------
    p : (..., K), softmax probabilities (each in [0, 1]).

    Returns
    -------
    J : (..., K, K)
    """
    p = _probabilities("p", p)
    return p[..., :, None] * (np.eye(p.shape[-1]) - p[..., None, :])


def softmax_mse(logits, labels, reduction="sum"):
    """Half squared error of softmax(o) against onehot(y): a softmax output trained as a regression.

        p = softmax(o),  L = scale * sum over positions of 1/2 ||p - onehot(y)||^2
        dL/do = dL/dp J = p * (g - sum_k g_k p_k),   g = dL/dp = scale * (p - onehot(y))

    (J = diag(p) - p^T p, symmetric.) scale = 1 for ``"sum"``, 1/N for ``"mean"`` over N positions.

    Parameters
    ----------
    logits : (..., K)
    labels : integer array of the shape of ``logits`` without its last axis, values in [0, K).
    reduction : {"sum", "mean"}

    Returns
    -------
    loss : float
    dlogits : (..., K)
    """
    logits = Dims().array("logits", logits, "... K")
    labels = labels_array("labels", labels, logits.shape[-1], logits.shape[:-1])
    choice("reduction", reduction, losses.REDUCTIONS)
    p = softmax(logits)
    onehot = (labels[..., None] == np.arange(logits.shape[-1])).astype(p.dtype)
    loss, dp = mse_loss(p, onehot, reduction, check=False)
    return loss, p * (dp - np.sum(dp * p, axis=-1, keepdims=True))


def confidently_wrong(margins, K=2):
    """Both losses and their gradients when the model is wrong with growing confidence.

    The logits are o = [m, 0, ..., 0] (class 0 ahead by the margin m) and the true class is the
    last one, so for large m the model is confidently wrong. For each m: the probability of the
    true class, and the loss and the norm of dL/do of cross-entropy and of squared error on the
    softmax output (:func:`softmax_mse`), one position, ``reduction="sum"``.

    Parameters
    ----------
    margins : (N,) floats
    K : int >= 2, classes.

    Returns
    -------
    curves : dict of (N,) arrays: p_true, ce_loss, ce_grad, mse_loss, mse_grad.
    """
    margins = Dims().array("margins", margins, "N")
    K = integer("K", K, low=2)
    label = np.array([K - 1])
    out = {key: [] for key in ("p_true", "ce_loss", "ce_grad", "mse_loss", "mse_grad")}
    for m in margins:
        logits = np.zeros((1, K))
        logits[0, 0] = m
        ce, dce = softmax_cross_entropy(logits, label)
        se, dse = softmax_mse(logits, label)
        out["p_true"].append(softmax(logits)[0, -1])
        out["ce_loss"].append(ce)
        out["ce_grad"].append(np.linalg.norm(dce))
        out["mse_loss"].append(se)
        out["mse_grad"].append(np.linalg.norm(dse))
    return {key: np.array(values) for key, values in out.items()}


# ---- BPTT in Goodfellow et al.'s notation, beside rnnlib's lines ---------------------------------

def goodfellow_params(params):
    """The book's parameters in Goodfellow et al.'s column convention (chapter 10).

        U = W_xh^T (H, D),  W = W_hh^T (H, H),  b = b_h as a column (H, 1),
        V = W_hy^T (K, H),  c = b_y as a column (K, 1)

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)

    Returns
    -------
    dict with U, W, b, V, c (new arrays).
    """
    p = check_params(params, PARAM_KEYS, Dims())
    return {"U": p["W_xh"].T.copy(), "W": p["W_hh"].T.copy(), "b": p["b_h"][:, None].copy(),
            "V": p["W_hy"].T.copy(), "c": p["b_y"][:, None].copy()}


def goodfellow_bptt(params, x, labels, *, recurrent=True):
    """Loss and gradients of the tanh RNN with softmax outputs, written as Goodfellow et al.
    write them: column vectors, one sequence, equations 10.8-10.28 line by line.

    Forward, t = 1..T, h^(0) = 0 (eqs. 10.8-10.11), and the loss (10.12-10.14):

        a^(t) = b + W h^(t-1) + U x^(t),  h^(t) = tanh(a^(t)),  o^(t) = c + V h^(t),
        y_hat^(t) = softmax(o^(t)),       L = -sum_t log y_hat^(t)_{y^(t)}

    Backward (eqs. 10.17-10.28), with the factors of 10.21 in the order that type-checks:

        grad_o^(t) = y_hat^(t) - 1_{y^(t)}                                   (10.17, 10.18)
        grad_h^(T) = V^T grad_o^(T)                                          (10.19)
        grad_h^(t) = W^T diag(1 - h^(t+1)^2) grad_h^(t+1) + V^T grad_o^(t)   (10.20, 10.21)
        grad_c = sum_t grad_o^(t),  grad_b = sum_t diag(1 - h^(t)^2) grad_h^(t)   (10.22, 10.23)
        grad_V = sum_t grad_o^(t) h^(t)T                                      (10.24)
        grad_W = sum_t diag(1 - h^(t)^2) grad_h^(t) h^(t-1)T                  (10.25, 10.26)
        grad_U = sum_t diag(1 - h^(t)^2) grad_h^(t) x^(t)T                    (10.27, 10.28)

    Shapes: x^(t) (D, 1), a, h (H, 1), o, y_hat (K, 1); U (H, D), W (H, H), V (K, H).
    The result is returned in the book's names and shapes (grad_U^T is dW_xh, ...), so it can be
    compared with :func:`rnnlib.rnn_loss` entry by entry.

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    x : (T, 1, D), one sequence (B = 1) in the book's layout.
    labels : (T, 1) integer class indices in [0, K).
    recurrent : bool; False drops the term W^T diag(1 - h^(t+1)^2) grad_h^(t+1) of eq. 10.21
        (the gradient arriving from step t + 1), to show what that costs.

    Returns
    -------
    loss : float, summed over the T steps.
    grads : dict with the keys and shapes of ``params``.
    """
    dims = Dims().bind("goodfellow_bptt (one sequence)", B=1)
    x = dims.array("x", x, "T B D")
    g = goodfellow_params(check_params(params, PARAM_KEYS, dims))
    labels = dims.labels("labels", labels, "T B")
    recurrent = flag("recurrent", recurrent)
    U, W, b, V, c = g["U"], g["W"], g["b"], g["V"], g["c"]
    T, H, K = x.shape[0], W.shape[0], V.shape[0]
    xs = {t: x[t - 1].T for t in range(1, T + 1)}                 # x^(t): (D, 1)
    h, y_hat, loss = {0: np.zeros((H, 1))}, {}, 0.0
    for t in range(1, T + 1):
        a_t = b + W @ h[t - 1] + U @ xs[t]                           # (10.8)
        h[t] = np.tanh(a_t)                                          # (10.9)
        o_t = c + V @ h[t]                                           # (10.10)
        y_hat[t] = softmax(o_t, axis=0)                              # (10.11)
        loss -= float(np.log(y_hat[t][labels[t - 1, 0], 0]))        # (10.12)-(10.14)
    grad_o = {t: y_hat[t] - np.eye(K)[:, [labels[t - 1, 0]]] for t in range(1, T + 1)}  # (10.18)
    grad_h = {T: V.T @ grad_o[T]}                                    # (10.19)
    for t in range(T - 1, 0, -1):
        from_next = W.T @ np.diag(1 - h[t + 1][:, 0] ** 2) @ grad_h[t + 1]
        grad_h[t] = (from_next if recurrent else 0.0) + V.T @ grad_o[t]   # (10.21), reordered
    steps = range(1, T + 1)
    tanh_grad = {t: np.diag(1 - h[t][:, 0] ** 2) @ grad_h[t] for t in steps}  # diag(1 - h^2) grad_h
    grad_c = sum(grad_o[t] for t in steps)                           # (10.22)
    grad_b = sum(tanh_grad[t] for t in steps)                        # (10.23)
    grad_V = sum(grad_o[t] @ h[t].T for t in steps)                  # (10.24)
    grad_W = sum(tanh_grad[t] @ h[t - 1].T for t in steps)           # (10.26)
    grad_U = sum(tanh_grad[t] @ xs[t].T for t in steps)              # (10.28)
    return loss, {"W_xh": grad_U.T, "W_hh": grad_W.T, "b_h": grad_b[:, 0],
                  "W_hy": grad_V.T, "b_y": grad_c[:, 0]}


def hidden_jacobian(params, x_t, h_prev, eps=None):
    """The Jacobian of one step, J = dh_t / dh_{t-1}, with J[i, j] = dh_{t,i} / dh_{t-1,j}.

    With h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h) (rows, B = 1):

        J = diag(1 - h_t^2) W_hh^T          (H, H)

    so that the gradient passed back is dh_{t-1} = dh_t J = (dh_t * (1 - h_t^2)) W_hh^T. With
    ``eps`` the Jacobian is computed instead by centred finite differences, column by column.

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,)
    x_t : (1, D)
    h_prev : (1, H)
    eps : float > 0, optional; finite differences with this step instead of the formula.

    Returns
    -------
    J : (H, H)
    """
    dims = Dims().bind("hidden_jacobian (one example)", B=1)
    x_t = dims.array("x_t", x_t, "B D")
    p = check_params(params, rnn.RNN_KEYS, dims)
    h_prev = dims.array("h_prev", h_prev, "B H")

    def step(h):
        return np.tanh(x_t @ p["W_xh"] + h @ p["W_hh"] + p["b_h"])[0]

    if eps is None:
        return np.diag(1 - step(h_prev) ** 2) @ p["W_hh"].T
    eps = real_number("eps", eps, low=0, low_open=True)
    H = h_prev.shape[1]
    columns = [(step(h_prev + eps * np.eye(H)[j]) - step(h_prev - eps * np.eye(H)[j])) / (2 * eps)
               for j in range(H)]
    return np.stack(columns, axis=1)


# Each equation of the chapter's BPTT derivation (by its label in the notebook) and the rnnlib
# lines that implement it: (function, a fragment that occurs on exactly one of its lines).
BPTT_QUOTES = {
    "eq-ch3-forward": [
        (rnn.rnn_forward, "np.matmul(x.reshape(T * B"),
        (rnn.rnn_forward, "h += b_h"),
        (rnn.rnn_forward, "a_t += np.dot(h_prev, W_hh)"),
        (rnn.rnn_forward, "h_prev = f(a_t, out=a_t)"),
        (layers.affine_forward, "return x @ W + b"),
        (losses.log_softmax, "shifted = logits - logits.max"),
        (losses.log_softmax, "return shifted - np.log"),
    ],
    "eq-ch3-loss": [
        (losses.softmax_cross_entropy, "picked = np.take_along_axis"),
        (losses.softmax_cross_entropy, "return float(-scale * picked.sum())"),
    ],
    "eq-ch3-do": [
        (losses.softmax_cross_entropy, "scale = 1.0 / _positions"),
        (losses.softmax_cross_entropy, "onehot = labels[..., None]"),
        (losses.softmax_cross_entropy, "return float(-scale * picked.sum())"),
    ],
    "eq-ch3-dh-last": [
        (layers.affine_backward, "return dout @ W.T"),
        (rnn.rnn_backward, "dh_next, W_hh_T = np.zeros_like(h0)"),
    ],
    "eq-ch3-dh": [
        (activations, '"tanh": (np.tanh'),
        (rnn.rnn_backward, "da = ACTIVATIONS[activation][1](h)"),
        (rnn.rnn_backward, "da_t *= dh_out[t] + dh_next"),
        (rnn.rnn_backward, "dh_next = np.dot(da_t, W_hh_T)"),
    ],
    "eq-ch3-dparams": [
        (layers.affine_backward, "return dout @ W.T"),
        (rnn.rnn_backward, '"W_xh": x.reshape(T * B, D).T @ da_rows'),
        (rnn.rnn_backward, '"W_hh": h0.T @ da[0]'),
        (rnn.rnn_backward, '"b_h": da_rows.sum(axis=0)'),
    ],
    "eq-ch3-truncated": [
        (rnn_loss_truncated, "h, rnn_cache = rnn_forward(x[start:stop], params, h_prev"),
        (rnn_loss_truncated, "its dh0 is dropped"),
        (rnn_loss_truncated, "h_prev = h[-1].copy()"),
    ],
}


def source_lines(source, *fragments):
    """The line of ``source``'s code that contains each fragment, stripped of its indentation.

    Read with :func:`inspect.getsource`, so what the chapter shows is the code that runs. Each
    fragment must occur on exactly one line: if rnnlib changes so that a fragment is gone or
    ambiguous, this raises, and the chapter fails to build instead of quoting stale code.

    Parameters
    ----------
    source : a function or a module of rnnlib.
    fragments : str, each a piece of one line.

    Returns
    -------
    lines : list of str, one per fragment.
    """
    if not (inspect.isfunction(source) or inspect.ismodule(source)):
        raise TypeError(f"source must be a function or a module of rnnlib, got {_describe(source)}")
    module = source.__name__ if inspect.ismodule(source) else source.__module__
    if module != rnn.__package__ and not module.startswith(rnn.__package__ + "."):
        raise ValueError(f"source must be a function or a module of rnnlib, got "
                         f"{_describe(source)} from {module!r}")
    lines = inspect.getsource(source).splitlines()
    found = []
    for fragment in fragments:
        if not isinstance(fragment, str) or not fragment:
            raise TypeError(f"each fragment must be a non-empty string, got {fragment!r}")
        hits = [line.strip() for line in lines if fragment in line]
        if len(hits) != 1:
            raise ValueError(f"{fragment!r} occurs on {len(hits)} lines of {_where(source)}, "
                             f"not on exactly one: rnnlib changed, update the quote")
        found.append(hits[0])
    return found


def _where(source):
    """``rnnlib/rnn.py, rnn_backward`` for a function, ``rnnlib/activations.py`` for a module."""
    path = Path(inspect.getsourcefile(source)).resolve()
    package = Path(rnn.__file__).resolve().parent
    name = f"{package.name}/{path.relative_to(package).as_posix()}"
    return name if inspect.ismodule(source) else f"{name}, {source.__name__}"


def quote(label):
    """The rnnlib lines behind the equation ``label`` of :data:`BPTT_QUOTES`, grouped by function.

    Returns
    -------
    text : str, e.g. ``"rnnlib/rnn.py, rnn_backward:\\n    dh_next = np.dot(da_t, W_hh_T) ..."``
    """
    choice("label", label, BPTT_QUOTES)
    groups = {}
    for source, fragment in BPTT_QUOTES[label]:
        groups.setdefault(_where(source), []).extend(source_lines(source, fragment))
    return "\n".join(f"{where}:\n" + "\n".join(f"    {line}" for line in lines)
                     for where, lines in groups.items())


# ---- truncated BPTT -----------------------------------------------------------------------------

def flat_gradient(grads):
    """All gradients as one vector, in the order W_xh, W_hh, b_h, W_hy, b_y (each flattened).

    Parameters
    ----------
    grads : dict of finite arrays (of any shapes) holding W_xh, W_hh, b_h, W_hy, b_y; other keys
        are ignored.

    Returns
    -------
    g : (n,), n the total size of the five arrays.
    """
    params_dict(grads, PARAM_KEYS, "grads")
    return _flat({k: Dims().array(f"grads[{k!r}]", grads[k], "...") for k in PARAM_KEYS})


def _flat(grads, keys=PARAM_KEYS):
    return np.concatenate([grads[k].ravel() for k in keys])


def _lengths(name, value, what):
    """``value`` as a list of ints >= 1: a non-empty list, tuple, range or 1-D array of them."""
    if not (isinstance(value, (list, tuple, range)) or isinstance(value, np.ndarray)
            and value.ndim == 1):
        raise TypeError(f"{name} must be a sequence of {what} (a list, tuple, range or 1-D array "
                        f"of ints), got {_describe(value)}")
    if not len(value):
        raise ValueError(f"{name} must hold at least one of the {what}, got none")
    return [integer(f"{name}[{i}]", v, low=1) for i, v in enumerate(value)]


def truncation_sweep(params, x, targets, ks, *, loss="cross_entropy", reduction="mean"):
    """The truncated-BPTT gradient g_k (:func:`rnnlib.rnn_loss_truncated`) against the full one g.

    For each chunk length k:

        cosine_k = g_k . g / (||g_k|| ||g||),    error_k = ||g_k - g|| / ||g||,
        boundaries_k = ceil(T / k) - 1  (chunk boundaries, each one cuts every path across it)

    over all parameters at once (:func:`flat_gradient`), and the same two for the recurrent
    parameters W_xh, W_hh, b_h alone. The output layer's gradients (W_hy, b_y) need no path
    through time: with the state carried, the forward pass is the full one, so they are exact
    for every k (``error_output`` is round-off), and ``output_share`` = ||g_out|| / ||g|| says how
    much of the full gradient's norm they hold. At k >= T there is one chunk: cosine 1, error 0.

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    x : (T, B, D)
    targets : (T, B) class indices (cross_entropy) or (T, B, K) floats (mse)
    ks : non-empty sequence (list, tuple, range, 1-D array) of ints >= 1
    loss, reduction : as in :func:`rnnlib.rnn_loss`.

    Returns
    -------
    sweep : dict of (len(ks),) arrays k, cosine, error, cosine_recurrent, error_recurrent
        (W_xh, W_hh, b_h only), error_output (||g_k - g|| / ||g|| over W_hy, b_y only),
        boundaries; and output_share, a float in [0, 1].
    """
    ks = _lengths("ks", ks, "chunk lengths")
    full_grads = rnn_loss(params, x, targets, loss=loss, reduction=reduction)[1]
    groups = {"": PARAM_KEYS, "_recurrent": rnn.RNN_KEYS, "_output": rnn.OUTPUT_KEYS}
    full = {name: _flat(full_grads, keys) for name, keys in groups.items()}
    T = np.shape(x)[0]
    out = {f"{what}{name}": [] for what in ("cosine", "error") for name in groups}
    for k in ks:
        grads = rnn_loss_truncated(params, x, targets, k, loss=loss, reduction=reduction)[1]
        for name, keys in groups.items():
            g, ref = _flat(grads, keys), full[name]
            out[f"cosine{name}"].append(g @ ref / (np.linalg.norm(g) * np.linalg.norm(ref)))
            out[f"error{name}"].append(np.linalg.norm(g - ref) / np.linalg.norm(ref))
    del out["cosine_output"]
    return {"k": np.array(ks), **{key: np.array(v) for key, v in out.items()},
            "boundaries": np.array([math.ceil(T / k) - 1 for k in ks]),
            "output_share": float(np.linalg.norm(full["_output"]) / np.linalg.norm(full[""]))}


def _time_major(name, value):
    """``value`` as an array of real numbers (dtype kept: class indices stay integers), finite,
    with at least two axes (T, B, ...) and no empty one."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a numeric array of shape (T, B, ...), could not convert "
                        f"{_describe(value)}") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers (floats or class indices), got "
                        f"{_describe(value)} of dtype {arr.dtype}")
    if arr.ndim < 2 or arr.size == 0:
        raise ValueError(f"{name} must have shape (T, B, ...) with no empty axis, got shape "
                         f"{arr.shape}")
    if arr.dtype.kind == "f":
        check_finite(name, arr)
    return arr


def reset_chunks(a, k):
    """Cut a time-major array into its chunks of k steps, each a sequence of its own.

    Chunk j (steps jk+1 .. (j+1)k) becomes the batch columns j*B .. (j+1)*B - 1: run through
    :func:`rnnlib.rnn_loss`, every chunk starts from h_0 = 0, i.e. the state is *reset* at each
    chunk boundary (truncated BPTT without carrying the state).

        a : (T, B, ...)  ->  (k, (T / k) * B, ...)

    Parameters
    ----------
    a : (T, B, ...) finite array of numbers (inputs x, or targets: floats or class indices,
        whose dtype is kept), T a multiple of k.
    k : int >= 1

    Returns
    -------
    chunks : (k, (T / k) * B, ...)
    """
    a = _time_major("a", a)
    k = integer("k", k, low=1)
    if a.shape[0] % k:
        raise ValueError(f"a must have shape (T, B, ...) with T a multiple of k = {k}, "
                         f"got shape {a.shape}")
    n, rest = a.shape[0] // k, a.shape[1:]
    return a.reshape(n, k, *rest).swapaxes(0, 1).reshape(k, n * rest[0], *rest[1:])


def merge_chunks(chunks, T):
    """Inverse of :func:`reset_chunks`: (k, (T / k) * B, ...) back to (T, B, ...).

    Parameters
    ----------
    chunks : (k, (T / k) * B, ...) finite array of numbers (its dtype is kept).
    T : int >= 1, a multiple of k.

    Returns
    -------
    a : (T, B, ...)
    """
    chunks = _time_major("chunks", chunks)
    T = integer("T", T, low=1)
    if T % chunks.shape[0] or chunks.shape[1] % (T // chunks.shape[0]):
        raise ValueError(f"chunks must have shape (k, (T / k) * B, ...) for T = {T}, "
                         f"got shape {chunks.shape}")
    k, n = chunks.shape[0], T // chunks.shape[0]
    rest = chunks.shape[2:]
    return chunks.reshape(k, n, chunks.shape[1] // n, *rest).swapaxes(0, 1).reshape(T, -1, *rest)


def echo_accuracy(params, x, targets, delay, *, reset_every=None, chunk=None):
    """Fraction of the steps t > delay (1-based) whose class argmax(o_t) is the target.

    Those are the steps whose target is an input ``delay`` steps back, never the blank class 0
    (see :func:`rnnlib.datasets.delayed_echo`). With ``reset_every=k`` the network runs as it was
    trained with the state reset: every chunk of k steps starts from h_0 = 0. With ``chunk=k``
    the accuracy is given by position in the chunk: entry j - 1 is the accuracy over the scored
    steps t > delay with t = j (mod k), the j-th step of a chunk of k steps.

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    x : (T, B, D)
    targets : (T, B) class indices
    delay : int >= 0, smaller than T
    reset_every : int >= 1, optional; a divisor of T.
    chunk : int >= 1, optional, at most T - delay (every position then has a scored step).

    Returns
    -------
    accuracy : float in [0, 1]; with ``chunk``, a (chunk,) array of them.
    """
    dims = Dims()
    x = dims.array("x", x, "T B D")
    params = check_params(params, PARAM_KEYS, dims)
    targets = dims.labels("targets", targets, "T B")
    T = x.shape[0]
    delay = integer("delay", delay, low=0, high=T - 1)
    if chunk is not None:
        chunk = integer("chunk", chunk, low=1, high=T - delay)
    if reset_every is None:
        o = rnn_predict(params, x)
    else:
        reset_every = integer("reset_every", reset_every, low=1)
        if T % reset_every:
            raise ValueError(f"reset_every must divide T = {T} (from x), got {reset_every}")
        o = merge_chunks(rnn_predict(params, reset_chunks(x, reset_every)), T)
    right = o.argmax(axis=-1)[delay:] == targets[delay:]    # (T - delay, B), steps delay+1..T
    if chunk is None:
        return float(np.mean(right))
    position = np.arange(delay, T) % chunk                  # 0 for the first step of a chunk
    return np.array([right[position == j].mean() for j in range(chunk)])


# ---- what full and truncated BPTT cost -----------------------------------------------------------

def peak_memory(fn):
    """Bytes allocated at the peak of ``fn()`` beyond what was allocated before the call.

    Measured with :mod:`tracemalloc`, which sees NumPy's array buffers. For the same code path and
    sizes the result is the same on every run, unlike a time.
    """
    function("fn", fn)
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        if not tracing:
            tracemalloc.stop()


def best_time(fn, repeats=3):
    """The shortest wall-clock time of ``repeats`` calls of ``fn()``, in seconds."""
    function("fn", fn)
    repeats = integer("repeats", repeats, low=1)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bptt_cost(Ts, k, rng, *, B=16, D=8, H=64, K=8, repeats=3):
    """Peak memory and time of one loss-and-gradient call, full BPTT against truncated, as T grows.

    For each T: random parameters and a random (x, labels) of T steps, then
    :func:`rnnlib.rnn_loss` (full BPTT keeps all T hidden states until the backward pass) and
    :func:`rnnlib.rnn_loss_truncated` with chunks of k steps (keeps one chunk's states),
    cross-entropy, summed.

    Parameters
    ----------
    Ts : non-empty sequence (list, tuple, range, 1-D array) of ints >= 1
    k : int >= 1, the chunk length.
    rng : numpy.random.Generator
    B, D, H, K : ints >= 1, sizes.
    repeats : int >= 1, calls per time measurement (the shortest counts).

    Returns
    -------
    cost : dict of (len(Ts),) arrays: T, full_bytes, truncated_bytes, full_seconds,
        truncated_seconds.
    """
    Ts = _lengths("Ts", Ts, "sequence lengths")
    k = integer("k", k, low=1)
    generator("rng", rng)
    B, D, H, K = (integer(name, size, low=1) for name, size in zip("BDHK", (B, D, H, K)))
    repeats = integer("repeats", repeats, low=1)
    params = init_rnn_params(D, H, K, rng)
    rows = []
    for T in Ts:
        x, labels = rng.standard_normal((T, B, D)), rng.integers(0, K, (T, B))
        calls = (lambda: rnn_loss(params, x, labels, loss="cross_entropy"),
                 lambda: rnn_loss_truncated(params, x, labels, k, loss="cross_entropy"))
        rows.append((T, *(peak_memory(call) for call in calls),
                     *(best_time(call, repeats) for call in calls)))
    names = ("T", "full_bytes", "truncated_bytes", "full_seconds", "truncated_seconds")
    return {name: np.array(column) for name, column in zip(names, zip(*rows))}


# ---- tables ------------------------------------------------------------------------------------

PRINTED_KEYS = ("printed", "exact", "rounded", "truncated", "verdict")
COST_KEYS = ("T", "full_bytes", "truncated_bytes", "full_seconds", "truncated_seconds")


def printed_table_html(rows):
    """The rows of :func:`compare_printed` as an HTML table.

    Parameters
    ----------
    rows : list or tuple of dicts from :func:`compare_printed`: printed, rounded, truncated and
        verdict str, exact a finite real number.

    Returns
    -------
    html : str
    """
    _check_rows("rows", rows, "compare_printed", PRINTED_KEYS)
    for i, row in enumerate(rows):
        for key in ("printed", "rounded", "truncated", "verdict"):
            text(f"rows[{i}][{key!r}]", row[key])
        real_number(f"rows[{i}]['exact']", row["exact"])
    body = [(f"{i + 1}", r["printed"], format_number(r["exact"], 6), r["rounded"], r["truncated"],
             r["verdict"]) for i, r in enumerate(rows)]
    header = ("class k", "printed", "exact", "exact rounded", "exact truncated", "verdict")
    return html_table(header, body, ("right", "right", "right", "right", "right", "left"))


def cost_table_html(cost):
    """Peak memory (MiB) and time (ms) of :func:`bptt_cost`, one row per T.

    Parameters
    ----------
    cost : dict from :func:`bptt_cost`: T (N,) ints >= 1, and full_bytes, truncated_bytes,
        full_seconds, truncated_seconds (N,) finite numbers >= 0, N >= 1.

    Returns
    -------
    html : str
    """
    params_dict(cost, COST_KEYS, "cost", "a dict of arrays from bptt_cost")
    dims = Dims()
    for key in COST_KEYS:
        column = dims.array(f"cost[{key!r}]", cost[key], "N")
        if column.min() < 0:
            raise ValueError(f"cost[{key!r}] must hold numbers >= 0, got {column.min()}")
    T = integer_array("cost['T']", cost["T"], "sequence lengths")
    if T.min() < 1:
        raise ValueError(f"cost['T'] must hold sequence lengths >= 1, got {T.min()}")
    body = [(str(T), f"{fb / 2**20:.2f}", f"{tb / 2**20:.2f}", f"{1e3 * fs:.1f}", f"{1e3 * ts:.1f}")
            for T, fb, tb, fs, ts in zip(cost["T"], cost["full_bytes"], cost["truncated_bytes"],
                                         cost["full_seconds"], cost["truncated_seconds"])]
    header = ("T", "full: peak MiB", "truncated: peak MiB", "full: ms", "truncated: ms")
    return html_table(header, body, ("right",) * 5)

"""Chapter 1 (FNN vs RNN): the worked example traced value by value, the published hand
computation it checks, and the chapter's tables and widget.

The example is a one-unit feed-forward network and a one-unit RNN (D = H = K = 1, B = 1) with
the numbers of a widely shared blog post's worked example:

* FNN: x = 0.5, y = 0.8, W_xh = 0.4, b_h = 0.1, W_hy = 0.6, b_y = 0.2, ReLU;
* RNN: x = [0.5, 0.7], y = [0.8, 0.9], W_xh = 0.5, W_hh = 0.3, b_h = 0.1, W_hy = 0.7,
  b_y = 0.2, tanh, h_0 = 0;
* loss 1/2 (o - y)^2 (o the output, y the target) summed over time steps, one SGD step with
  learning rate 0.1.

:func:`trace_fnn` and :func:`trace_rnn` return every intermediate value as a flat dict of
floats, computed with rnnlib's own layers, so a table, a widget or a test can show any of them.
Key names follow the code: ``dX`` is dL/dX, the total derivative; ``_t`` is the time step
(1-based, as in the equations: ``h_1`` is h_1, which rnnlib's arrays hold at index 0);
``dh_out_t`` and ``dh_next_t`` are the two parts of dh_t (from the output at step t, and from
step t+1); ``dW_hh_t`` is step t's term of dW_hh, the math's dW_hh^(t); ``_new`` is the value
after one SGD step.
"""
import inspect

import numpy as np

from .._validate import (PARAM_SHAPES, Dims, _describe, choice, function, integer, number_dict,
                         number_sequence, params_dict, real_number, text)
from ..activations import ACTIVATIONS, ActivationCache, activation_backward, activation_forward
from ..layers import affine_backward, affine_forward
from ..losses import mse_loss
from ..model import rnn_loss
from ..rnn import (OUTPUT_KEYS, RNN_KEYS, output_backward, output_forward, rnn_forward,
                   rnn_step_backward, rnn_step_forward)
from .display import Slider, format_number, html_table, interactive

FNN_EXAMPLE = {"x": 0.5, "y": 0.8, "W_xh": 0.4, "b_h": 0.1, "W_hy": 0.6, "b_y": 0.2, "lr": 0.1}
RNN_EXAMPLE = {"x": (0.5, 0.7), "y": (0.8, 0.9), "W_xh": 0.5, "W_hh": 0.3, "b_h": 0.1,
               "W_hy": 0.7, "b_y": 0.2, "h0": 0.0, "lr": 0.1}

# The values the blog post prints, as printed (the string keeps its precision). They are the
# article's data, quoted so the chapter can check them; keys use this book's names (the post's
# W_ih, W_ho, b_o are our W_xh, W_hy, b_y; its y_pred is our o; dh_out_t is dL_t/dh_t).
ARTICLE_FNN_QUOTED = {
    "a": "0.3", "h": "0.3", "o": "0.38", "L": "0.0882", "do": "-0.42",
    "dW_hy": "-0.126", "dW_xh": "-0.126", "W_hy_new": "0.6126", "W_xh_new": "0.4126",
}
ARTICLE_RNN_QUOTED = {
    "a_1": "0.35", "h_1": "0.337", "o_1": "0.4359", "a_2": "0.5511", "h_2": "0.500", "o_2": "0.55",
    "L_1": "0.0613", "L_2": "0.0600", "L": "0.1213", "do_1": "-0.3641", "do_2": "-0.35",
    "dh_out_1": "-0.2549", "dh_out_2": "-0.245", "dW_hy": "-0.122", "dW_hh": "-0.0525",
    "W_hy_new": "0.7122", "W_hh_new": "0.30525",
}

# Why a quoted value differs from the correct one (only for values that do differ); the
# chapter explains each at length.
ARTICLE_CAUSES = {
    "h_1": "rounding: tanh(a_1) rounded up, not down",
    "o_1": "inherits h_1", "a_2": "inherits h_1", "do_1": "inherits h_1",
    "dh_out_1": "inherits h_1",
    "h_2": "wrong third decimal: no rounding of tanh(a_2) gives it",
    "dh_out_2": "inherits h_2",
    "L_1": "arithmetic slip", "L_2": "arithmetic slip",
    "L": "sum of the wrong L_1 and L_2",
    "dW_hy": "t = 2 term of the sum over time dropped (the t = 1 term truncated, not rounded)",
    "dW_hh": "wrong chain-rule factors",
    "W_hy_new": "inherits dW_hy", "W_hh_new": "inherits dW_hh",
}

# Gradients and updates the article does not compute at all.
ARTICLE_FNN_OMITTED = ("db_h", "db_y", "b_h_new", "b_y_new")
ARTICLE_RNN_OMITTED = ("dW_xh", "db_h", "db_y", "W_xh_new", "b_h_new", "b_y_new")


def scalar_params(**values):
    """Parameters of a one-unit network: ``W_*`` become (1, 1) arrays, biases (1,) arrays.

    Each keyword is a parameter name (W_xh, W_hh, b_h, W_hy, b_y) and a finite real number.
    """
    for key in values:
        if key not in PARAM_SHAPES:
            raise TypeError(f"{key} is not a parameter: scalar_params takes W_xh, W_hh, b_h, "
                            f"W_hy, b_y, got {key}={_describe(values[key])}")
    return {k: np.full((1, 1) if k.startswith("W") else (1,), real_number(k, v))
            for k, v in values.items()}


def scalar_sequence(values):
    """A scalar sequence [v_1, ..., v_T] (T >= 1 finite numbers) as a (T, B, D) = (T, 1, 1) array."""
    return number_sequence("values", values).reshape(-1, 1, 1)


def _check_numbers(**numbers):
    """Each keyword a finite real number (``lr`` also >= 0), checked under its own name."""
    return {k: real_number(k, v, low=0 if k == "lr" else None) for k, v in numbers.items()}


def _f(array):
    """The single entry of a one-unit array as a Python float (-0.0 becomes 0.0)."""
    return float(np.asarray(array).item()) + 0.0


def trace_fnn(x=0.5, y=0.8, W_xh=0.4, b_h=0.1, W_hy=0.6, b_y=0.2, lr=0.1, activation="relu"):
    """Every value of one forward pass, backward pass and SGD step of the one-unit FNN.

        a = x W_xh + b_h,  h = f(a),  o = h W_hy + b_y,  L = 1/2 (o - y)^2
        do = o - y,  dh = do W_hy^T,  da = dh f'(a)
        dW_hy = h^T do,  db_y = do,  dW_xh = x^T da,  db_h = da

    (every size is 1, so each transpose changes nothing here; it is written as in the matrix
    equations).

    The same layers as :func:`rnnlib.fnn_forward` and :func:`rnnlib.fnn_backward`, spelled out
    so that a, dh and da can be reported.

    Returns
    -------
    trace : dict of floats: the inputs, then a, h, o, L, do, dh, da, the four gradients and the
        four parameters after one SGD step (``W_xh_new`` ...). Finite inputs whose values overflow
        give inf/NaN entries, as NumPy does.
    """
    x, y, lr = _check_numbers(x=x, y=y, lr=lr).values()
    choice("activation", activation, ACTIVATIONS)
    params = scalar_params(W_xh=W_xh, b_h=b_h, W_hy=W_hy, b_y=b_y)
    # checked above: the layers run with check=False (an overflow gives inf as NumPy does)
    a, cache_a = affine_forward(np.array([[x]]), params["W_xh"], params["b_h"], check=False)
    h, cache_h = activation_forward(a, activation, check=False)
    o, cache_o = affine_forward(h, params["W_hy"], params["b_y"], check=False)
    L, do = mse_loss(o, np.array([[y]]), reduction="sum", check=False)
    dh, dW_hy, db_y = affine_backward(do, cache_o, check=False)
    da = activation_backward(dh, cache_h, check=False)
    _, dW_xh, db_h = affine_backward(da, cache_a, check=False)
    grads = {"W_xh": dW_xh, "b_h": db_h, "W_hy": dW_hy, "b_y": db_y}
    new = _sgd(params, grads, lr)
    trace = {"x": x, "y": y, "W_xh": W_xh, "b_h": b_h, "W_hy": W_hy, "b_y": b_y, "lr": lr}
    trace.update(a=_f(a), h=_f(h), o=_f(o), L=L, do=_f(do), dh=_f(dh), da=_f(da))
    trace.update({f"d{k}": _f(g) for k, g in grads.items()})
    trace.update({f"{k}_new": _f(p) for k, p in new.items()})
    return {k: float(v) for k, v in trace.items()}


def trace_rnn(x=(0.5, 0.7), y=(0.8, 0.9), W_xh=0.5, W_hh=0.3, b_h=0.1, W_hy=0.7, b_y=0.2,
              h0=0.0, lr=0.1, activation="tanh"):
    """Every value of the one-unit RNN's forward pass, BPTT and one SGD step, step by step.

    Forward, for t = 1..T (:func:`rnnlib.rnn_step_forward`, :func:`rnnlib.output_forward`):

        a_t = x_t W_xh + h_{t-1} W_hh + b_h,  h_t = f(a_t),  o_t = h_t W_hy + b_y,
        L_t = 1/2 (o_t - y_t)^2,  L = sum_t L_t

    Backward, for t = T..1 (:func:`rnnlib.output_backward`, :func:`rnnlib.rnn_step_backward`):

        do_t = o_t - y_t,  dh_out_t = do_t W_hy^T,  dh_next_t = da_{t+1} W_hh^T (0 at t = T),
        dh_t = dh_out_t + dh_next_t,  da_t = dh_t f'(a_t)

    and each parameter gradient is a sum over steps of per-step terms ``dW_xh_t = x_t^T da_t``,
    ``dW_hh_t = h_{t-1}^T da_t``, ``db_h_t = da_t``, ``dW_hy_t = h_t^T do_t``, ``db_y_t = do_t``
    (one unit, so the transposes change nothing here).

    Parameters
    ----------
    x, y : sequences of T floats, the inputs and targets.
    W_xh, W_hh, b_h, W_hy, b_y, h0 : floats, the one-unit parameters and initial state.
    lr : float, the SGD learning rate.
    activation : hidden activation, tanh by default.

    Returns
    -------
    trace : dict of floats, in reading order: the inputs (``x_1``, ``y_1``, ..., ``h_0``,
        parameters, ``lr``), the forward values (``a_t``, ``h_t``, ``o_t``, ``L_t``, ``L``), the
        backward values from t = T down to 1, the per-step gradient terms, the gradients
        (``dW_xh`` ...) and the parameters after one SGD step (``W_xh_new`` ...). Finite inputs
        whose values overflow give inf/NaN entries, as NumPy does.
    """
    params = scalar_params(W_xh=W_xh, W_hh=W_hh, b_h=b_h, W_hy=W_hy, b_y=b_y)
    h0, lr = _check_numbers(h0=h0, lr=lr).values()
    choice("activation", activation, ACTIVATIONS)
    xs = number_sequence("x", x).reshape(-1, 1, 1)
    ys = number_sequence("y", y).reshape(-1, 1, 1)
    if xs.shape != ys.shape:
        raise ValueError(f"x and y must have the same length, got {len(xs)} and {len(ys)}")
    T = len(xs)
    trace = {f"x_{t}": _f(xs[t - 1]) for t in range(1, T + 1)}
    trace.update({f"y_{t}": _f(ys[t - 1]) for t in range(1, T + 1)})
    trace.update(h_0=h0, W_xh=W_xh, W_hh=W_hh, b_h=b_h, W_hy=W_hy, b_y=b_y, lr=lr)

    h, steps, outs, do = [np.array([[h0]], dtype=np.float64)], [], [], []
    for t in range(1, T + 1):
        a_t = xs[t - 1] @ params["W_xh"] + h[-1] @ params["W_hh"] + params["b_h"]
        # checked above: the layers run with check=False (an overflow gives inf as NumPy does)
        h_t, cache = rnn_step_forward(xs[t - 1], h[-1], params, activation, check=False)
        o_t, out_cache = output_forward(h_t, params, check=False)
        L_t, do_t = mse_loss(o_t, ys[t - 1], reduction="sum", check=False)
        h.append(h_t), steps.append(cache), outs.append(out_cache), do.append(do_t)
        trace.update({f"a_{t}": _f(a_t), f"h_{t}": _f(h_t), f"o_{t}": _f(o_t), f"L_{t}": L_t})
    trace["L"] = sum(trace[f"L_{t}"] for t in range(1, T + 1))

    terms, dh_next = {}, np.zeros_like(h[0])
    for t in range(T, 0, -1):
        dh_out, out_grads = output_backward(do[t - 1], outs[t - 1], check=False)
        dh_t = dh_out + dh_next
        da_t = activation_backward(dh_t, ActivationCache(h[t], activation), check=False)
        trace.update({f"do_{t}": _f(do[t - 1]), f"dh_out_{t}": _f(dh_out),
                      f"dh_next_{t}": _f(dh_next), f"dh_{t}": _f(dh_t), f"da_{t}": _f(da_t)})
        _, dh_next, step_grads = rnn_step_backward(dh_t, steps[t - 1], check=False)
        terms[t] = {**step_grads, **out_grads}
    keys = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
    for key in keys:
        trace.update({f"d{key}_{t}": _f(terms[t][key]) for t in range(1, T + 1)})
    grads = {key: sum(terms[t][key] for t in range(1, T + 1)) for key in keys}
    trace.update({f"d{key}": _f(grads[key]) for key in keys})
    trace.update({f"{k}_new": _f(p) for k, p in _sgd(params, grads, lr).items()})
    return {k: float(v) for k, v in trace.items()}


def _sgd(params, grads, lr):
    # rnnlib.sgd_step without its checks: a trace shows an overflowed gradient, it does not refuse it
    return {k: p - lr * grads[k] for k, p in params.items()}


def sweep(trace_fn, name, values, **fixed):
    """Trace the example once per value of one input: ``{key: array over values}``.

        result[key][i] = trace_fn(**fixed, name=values[i])[key]

    Example: ``sweep(trace_rnn, "W_hh", np.linspace(-1, 1, 41))["dW_hh"]``.

    Parameters
    ----------
    trace_fn : callable returning a dict of numbers (a trace), e.g. :func:`trace_rnn`.
    name : str, the argument of ``trace_fn`` to sweep.
    values : (N,) finite numbers, N >= 1.
    fixed : the other arguments of ``trace_fn``.

    Returns
    -------
    scan : dict, key -> (N,) array, one entry per key of the trace.
    """
    function("trace_fn", trace_fn)
    text("name", name)
    try:
        signature = inspect.signature(trace_fn).parameters
    except (TypeError, ValueError):
        signature = {}
    if signature and not any(p.kind == p.VAR_KEYWORD for p in signature.values()):
        choice("name", name, signature)
        for key in fixed:
            if key not in signature:
                raise TypeError(f"{key} is not an argument of trace_fn; its arguments are "
                                f"{list(signature)}")
    values = number_sequence("values", values)
    traces = []
    for value in values:
        trace = trace_fn(**{**fixed, name: value})
        if not isinstance(trace, dict) or (traces and trace.keys() != traces[0].keys()):
            raise TypeError(f"trace_fn must return a dict with the same keys for every value, got "
                            f"{_describe(trace)} for {name} = {value}")
        traces.append(trace)
    return {key: np.array([tr[key] for tr in traces]) for key in traces[0]}


def _decimals(text):
    return len(text.split(".")[1]) if "." in text else 0


def redo_rnn_from_quoted(quoted=ARTICLE_RNN_QUOTED, example=RNN_EXAMPLE):
    """Each quoted RNN quantity recomputed with the right formula from the article's own
    (rounded) upstream values: what the article should have written given its earlier lines.

    Plain scalar arithmetic, independent of rnnlib. A quoted value that matches this but not
    the exact value only carries an earlier slip; one that matches neither is a new mistake.

    Parameters
    ----------
    quoted : dict, every key of :data:`ARTICLE_RNN_QUOTED` -> the value as printed (a str such
        as "0.337", or a number).
    example : dict, every key of :data:`RNN_EXAMPLE`: finite numbers, x and y two each.

    Returns
    -------
    redone : dict, the keys of :data:`ARTICLE_RNN_QUOTED` -> float.
    """
    q = _quoted_numbers("quoted", quoted, ARTICLE_RNN_QUOTED)
    g = _example("example", example, RNN_EXAMPLE)
    (x1, x2), (y1, y2) = g["x"], g["y"]
    da_2 = q["dh_out_2"] * (1 - q["h_2"] ** 2)
    da_1 = (q["dh_out_1"] + da_2 * g["W_hh"]) * (1 - q["h_1"] ** 2)
    return {
        "a_1": x1 * g["W_xh"] + g["h0"] * g["W_hh"] + g["b_h"],
        "h_1": float(np.tanh(q["a_1"])),
        "o_1": q["h_1"] * g["W_hy"] + g["b_y"],
        "a_2": x2 * g["W_xh"] + q["h_1"] * g["W_hh"] + g["b_h"],
        "h_2": float(np.tanh(q["a_2"])),
        "o_2": q["h_2"] * g["W_hy"] + g["b_y"],
        "L_1": 0.5 * (q["o_1"] - y1) ** 2,
        "L_2": 0.5 * (q["o_2"] - y2) ** 2,
        "L": q["L_1"] + q["L_2"],
        "do_1": q["o_1"] - y1,
        "do_2": q["o_2"] - y2,
        "dh_out_1": q["do_1"] * g["W_hy"],
        "dh_out_2": q["do_2"] * g["W_hy"],
        "dW_hy": q["h_1"] * q["do_1"] + q["h_2"] * q["do_2"],
        "dW_hh": g["h0"] * da_1 + q["h_1"] * da_2,
        "W_hy_new": g["W_hy"] - g["lr"] * q["dW_hy"],
        "W_hh_new": g["W_hh"] - g["lr"] * q["dW_hh"],
    }


def redo_fnn_from_quoted(quoted=ARTICLE_FNN_QUOTED, example=FNN_EXAMPLE):
    """The FNN counterpart of :func:`redo_rnn_from_quoted` (ReLU, so h = max(a, 0)).

    ``quoted`` holds every key of :data:`ARTICLE_FNN_QUOTED`, ``example`` every key of
    :data:`FNN_EXAMPLE` (finite numbers).
    """
    q = _quoted_numbers("quoted", quoted, ARTICLE_FNN_QUOTED)
    g = _example("example", example, FNN_EXAMPLE)
    relu_slope = 1.0 if q["a"] > 0 else 0.0
    return {
        "a": g["x"] * g["W_xh"] + g["b_h"],
        "h": max(q["a"], 0.0),
        "o": q["h"] * g["W_hy"] + g["b_y"],
        "L": 0.5 * (q["o"] - g["y"]) ** 2,
        "do": q["o"] - g["y"],
        "dW_hy": q["h"] * q["do"],
        "dW_xh": g["x"] * q["do"] * g["W_hy"] * relu_slope,
        "W_hy_new": g["W_hy"] - g["lr"] * q["dW_hy"],
        "W_xh_new": g["W_xh"] - g["lr"] * q["dW_xh"],
    }


def _quoted_numbers(name, quoted, like):
    """``{key: float}`` of a dict of printed values (str or number) holding every key of ``like``."""
    params_dict(quoted, list(like), name, "a dict of values as printed")
    numbers = {}
    for key, value in quoted.items():
        label = f"{name}[{key!r}]"
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ValueError(f"{label} must be a number as printed, such as '0.337', got "
                                 f"{value!r}") from None
        numbers[key] = real_number(label, value)
    return numbers


def _example(name, example, like):
    """``example`` checked: a dict with every key of ``like``, finite numbers; x and y sequences of
    the same length as ``like``'s when those are sequences."""
    params_dict(example, list(like), name, "a dict of the example's values")
    checked = dict(example)
    for key, default in like.items():
        label = f"{name}[{key!r}]"
        if isinstance(default, tuple):
            checked[key] = tuple(number_sequence(label, example[key], length=len(default)))
        else:
            checked[key] = real_number(label, example[key], low=0 if key == "lr" else None)
    return checked


def compare_with_article(trace, quoted, redone, omitted=(), causes=ARTICLE_CAUSES):
    """One row per quoted value: the article's number beside the correct one, with a verdict.

    A quoted value with d decimals *agrees* if it is the correct value rounded to d decimals
    (within half a unit of its last digit). Otherwise it is *inherited* if it agrees with
    ``redone`` (the right formula applied to the article's earlier, already wrong, numbers),
    and *wrong* if it matches neither. Keys in ``omitted`` get the verdict *not given*.

    Returns
    -------
    rows : list of dicts with keys quantity, article (str or None), correct, redone (float or
        None), verdict, cause.

    Parameters
    ----------
    trace : dict of finite numbers (from :func:`trace_rnn` or :func:`trace_fnn`) holding every
        key of ``quoted`` and ``omitted``.
    quoted : dict, key -> the value as printed, a str such as "0.337".
    redone : dict of finite numbers holding every key of ``quoted``.
    omitted : list or tuple of keys of ``trace``.
    causes : dict, key -> str.
    """
    trace = number_dict("trace", trace)
    params_dict(quoted, (), "quoted", "a dict of values as printed")
    for key, value in quoted.items():
        if not isinstance(value, str):
            raise TypeError(f"quoted[{key!r}] must be the value as printed, a str such as "
                            f"'0.337', got {_describe(value)}")
    _quoted_numbers("quoted", quoted, ())
    unknown = [key for key in quoted if key not in trace]
    if unknown:
        raise ValueError(f"quoted holds {unknown}, which trace lacks: every quoted value must be "
                         f"a value of trace")
    redone = number_dict("redone", redone, keys=list(quoted))
    if not isinstance(omitted, (list, tuple)):
        raise TypeError(f"omitted must be a list or tuple of keys, got {_describe(omitted)}")
    for i, key in enumerate(omitted):
        if text(f"omitted[{i}]", key) not in trace:
            raise ValueError(f"omitted[{i}] = {key!r} is not a value of trace")
    params_dict(causes, (), "causes", "a dict of str")
    for key, cause in causes.items():
        text(f"causes[{key!r}]", cause)
    rows = []
    for key, printed in quoted.items():
        value, tol = float(printed), 0.5 * 10.0 ** -_decimals(printed) + 1e-12
        if abs(value - trace[key]) <= tol:
            verdict = "agrees"
        elif abs(value - redone[key]) <= tol:
            verdict = "inherited"
        else:
            verdict = "wrong"
        rows.append({"quantity": key, "article": printed, "correct": trace[key],
                     "redone": redone[key], "verdict": verdict,
                     "cause": "" if verdict == "agrees" else causes.get(key, "")})
    rows += [{"quantity": key, "article": None, "correct": trace[key], "redone": None,
              "verdict": "not given", "cause": ""} for key in omitted]
    return rows


ROW_KEYS = ("quantity", "article", "correct", "redone", "verdict", "cause")


def _check_rows(name, rows):
    """Rows as :func:`compare_with_article` makes them: the keys, str texts and real numbers."""
    if not isinstance(rows, (list, tuple)):
        raise TypeError(f"{name} must be a list of dicts from compare_with_article, got "
                        f"{_describe(rows)}")
    for i, row in enumerate(rows):
        label = f"{name}[{i}]"
        params_dict(row, ROW_KEYS, label, "a dict from compare_with_article")
        for key in ("quantity", "verdict", "cause"):
            text(f"{label}[{key!r}]", row[key])
        if row["article"] is not None:
            text(f"{label}['article']", row["article"])
        real_number(f"{label}['correct']", row["correct"])
        if row["redone"] is not None:
            real_number(f"{label}['redone']", row["redone"])


def unshared_rnn_loss(step_params, x, targets, h0=None):
    """The RNN's loss with a separate copy of the parameters at every step (tanh, summed half
    squared error):

        a_t = x_t W_xh^(t) + h_{t-1} W_hh^(t) + b_h^(t),  h_t = tanh(a_t),
        o_t = h_t W_hy^(t) + b_y^(t),  L = sum_t 1/2 ||o_t - y_t||^2

    With every copy equal to ``params`` this is ``rnnlib.rnn_loss(params, x, targets)[0]``. The
    copies are separate arrays, so a finite difference that nudges only step t's copy measures
    dW^(t) = dL/dW^(t) (the other copies held fixed), step t's term of the shared parameter's
    gradient (chapter 1: why a shared parameter's gradient is the sum over its copies).

    Parameters
    ----------
    step_params : list of T dicts, step t's parameters: W_xh (D, H), W_hh (H, H), b_h (H,),
        W_hy (H, K), b_y (K,). They are read, never modified.
    x : (T, B, D)
    targets : (T, B, K)
    h0 : (B, H), optional; zeros when omitted.

    Returns
    -------
    loss : float
    """
    dims = Dims()
    x = dims.array("x", x, "T B D")
    if not isinstance(step_params, (list, tuple)):
        raise TypeError(f"step_params must be a list of T = {len(x)} parameter dicts, one per "
                        f"step, got {type(step_params).__name__}")
    if len(step_params) != len(x):
        raise ValueError(f"step_params must hold one parameter dict per step, T = {len(x)} "
                         f"from x, got {len(step_params)}")
    keys = (*RNN_KEYS, *OUTPUT_KEYS)
    checked = []
    for t, params in enumerate(step_params):
        params_dict(params, keys, f"step_params[{t}]")
        checked.append({key: dims.array(f"step_params[{t}]['{key}']", params[key],
                                        PARAM_SHAPES[key]) for key in keys})
    targets = dims.array("targets", targets, "T B K")
    h = np.zeros((x.shape[1], dims.size["H"])) if h0 is None else dims.array("h0", h0, "B H")
    loss = 0.0
    # checked above: the layers run with check=False (an overflow gives inf as NumPy does)
    for x_t, y_t, params in zip(x, targets, checked):
        h, _ = rnn_step_forward(x_t, h, params, check=False)
        o_t, _ = output_forward(h, params, check=False)
        loss += mse_loss(o_t, y_t, reduction="sum", check=False)[0]
    return loss


def rnn_loss_step1_dW_hy(params, x, targets):
    """``rnnlib.rnn_loss(params, x, targets)`` with the article's mistake: dW_hy replaced by its
    step-1 term alone, h_1^T do_1 (H, K), the step-2 term h_2^T do_2 dropped.

    The loss and the other four gradients are right; a gradient check of this function fails
    on W_hy only (chapter 1's exercise on the gradient check).

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    x : (T, B, D)
    targets : (T, B, K)

    Returns
    -------
    loss : float
    grads : dict with the keys and shapes of ``params``
    """
    loss, grads = rnn_loss(params, x, targets)  # checks every argument
    h, _ = rnn_forward(x, params)
    do_1 = output_forward(h[0], params)[0] - np.asarray(targets, np.float64)[0]
    return loss, {**grads, "W_hy": h[0].T @ do_1}


# ---- views: tables and the widget ------------------------------------------------------------

# What each key of a trace means. Keys with a time step ("h_2") use STEP_MEANINGS, where
# {t} is that step, {p} the previous one and {n} the next; keys without one use MEANINGS.
MEANINGS = {
    "x": "input", "y": "target", "lr": "learning rate eta",
    "W_xh": "input-to-hidden weight", "W_hh": "hidden-to-hidden weight", "b_h": "hidden bias",
    "W_hy": "hidden-to-output weight", "b_y": "output bias",
    "a": "pre-activation x W_xh + b_h", "h": "hidden layer f(a)", "o": "output h W_hy + b_y",
    "L": "loss (summed over the steps of a sequence)", "do": "dL/do = o - y",
    "dh": "dL/dh = do W_hy^T", "da": "dL/da = dh f'(a)",
    "dW_xh": "dL/dW_xh", "dW_hh": "dL/dW_hh", "db_h": "dL/db_h", "dW_hy": "dL/dW_hy",
    "db_y": "dL/db_y",
}
STEP_MEANINGS = {
    "x": "input at step {t}", "y": "target at step {t}", "h": "hidden state h_{t}",
    "a": "pre-activation x_{t} W_xh + h_{p} W_hh + b_h", "o": "output h_{t} W_hy + b_y",
    "L": "loss 1/2 (o_{t} - y_{t})^2", "do": "dL/do_{t} = o_{t} - y_{t}",
    "dh_out": "part of dL/dh_{t} through the output: do_{t} W_hy^T",
    "dh_next": "part of dL/dh_{t} through the next step: da_{n} W_hh^T (0 at the last step)",
    "dh": "dL/dh_{t} = dh_out_{t} + dh_next_{t}", "da": "dL/da_{t} = dh_{t} f'(a_{t})",
    "dW_xh": "dW_xh^({t}), step {t}'s term of dL/dW_xh: x_{t}^T da_{t}",
    "dW_hh": "dW_hh^({t}), step {t}'s term of dL/dW_hh: h_{p}^T da_{t}",
    "db_h": "db_h^({t}), step {t}'s term of dL/db_h: da_{t}",
    "dW_hy": "dW_hy^({t}), step {t}'s term of dL/dW_hy: h_{t}^T do_{t}",
    "db_y": "db_y^({t}), step {t}'s term of dL/db_y: do_{t}",
}


def describe(key):
    """A short meaning of a trace key: ``describe("dh_next_1")`` is 'part of dL/dh_1 through
    the next step: da_2 W_hh^T (0 at the last step)'; unknown keys give ''."""
    text("key", key)
    if key.endswith("_new"):
        return f"{key[:-4]} after one SGD step"
    stem, _, step = key.rpartition("_")
    if step.isdigit() and stem in STEP_MEANINGS:
        t = int(step)
        return STEP_MEANINGS[stem].format(t=t, p=t - 1, n=t + 1)
    return MEANINGS.get(key, "")


def trace_table_html(trace, digits=4, columns=1):
    """Every entry of a trace as an HTML table: name, meaning, value with ``digits`` decimals.

    ``columns`` > 1 splits the rows into that many tables side by side (same order, read down
    each column), which keeps a long trace on one screen.

    Parameters
    ----------
    trace : non-empty dict, str -> real number (NaN and inf are shown as they are).
    digits : int >= 0
    columns : int >= 1

    Returns
    -------
    html : str
    """
    trace = number_dict("trace", trace, finite=False)
    if not trace:
        raise ValueError("trace must hold at least one value, got an empty dict")
    digits = integer("digits", digits, low=0)
    columns = integer("columns", columns, low=1)
    rows = [(key, describe(key), format_number(value, digits)) for key, value in trace.items()]
    per = -(-len(rows) // columns)
    header, align = ("quantity", "meaning", "value"), ("left", "left", "right")
    tables = [html_table(header, rows[i:i + per], align) for i in range(0, len(rows), per)]
    if len(tables) == 1:
        return tables[0]
    cells = "".join(f'<div style="flex:1 1 0">{t}</div>' for t in tables)
    return f'<div style="display:flex;gap:1.5em;align-items:flex-start">{cells}</div>'


def comparison_table_html(rows, digits=5):
    """The rows of :func:`compare_with_article` as an HTML table.

    Column *redone* is the right formula applied to the article's own earlier numbers.

    Parameters
    ----------
    rows : list or tuple of dicts with the keys of :func:`compare_with_article`'s rows.
    digits : int >= 0

    Returns
    -------
    html : str
    """
    _check_rows("rows", rows)
    digits = integer("digits", digits, low=0)

    def num(v):
        return "" if v is None else format_number(v, digits)

    body = [(r["quantity"], r["article"] or "", num(r["correct"]), num(r["redone"]), r["verdict"],
             r["cause"]) for r in rows]
    header = ("quantity", "article", "correct", "redone", "verdict", "cause")
    return html_table(header, body, ("left", "right", "right", "right", "left", "left"))


def trace_view(x_1=RNN_EXAMPLE["x"][0], x_2=RNN_EXAMPLE["x"][1], W_xh=RNN_EXAMPLE["W_xh"],
               W_hh=RNN_EXAMPLE["W_hh"], h_0=RNN_EXAMPLE["h0"]):
    """The widget's view: the trace table of the worked example with these five inputs changed.

    Returns :func:`trace_table_html` of :func:`trace_rnn` (4 decimals, two columns); every other
    input is the worked example's. Each argument is a finite real number. With ``h_0`` = 0 (the
    example) the step-1 term of dW_hh, ``dW_hh_1 = h_0^T da_1``, is 0; any other h_0 makes it
    appear.
    """
    _check_numbers(x_1=x_1, x_2=x_2, W_xh=W_xh, W_hh=W_hh, h_0=h_0)
    trace = trace_rnn(**{**RNN_EXAMPLE, "x": (x_1, x_2), "W_xh": W_xh, "W_hh": W_hh, "h0": h_0})
    return trace_table_html(trace, digits=4, columns=2)


# The widget's sliders: name -> (start value, low, high, step); the start is the worked example.
# h_0 stays inside (-1, 1), where every later state of a tanh RNN lies.
TRACE_SLIDERS = {
    "x_1": Slider(RNN_EXAMPLE["x"][0], -2.0, 2.0, 0.05),
    "x_2": Slider(RNN_EXAMPLE["x"][1], -2.0, 2.0, 0.05),
    "W_xh": Slider(RNN_EXAMPLE["W_xh"], -2.0, 2.0, 0.05),
    "W_hh": Slider(RNN_EXAMPLE["W_hh"], -2.0, 2.0, 0.05),
    "h_0": Slider(RNN_EXAMPLE["h0"], -0.95, 0.95, 0.05),
}


def rnn_trace_widget():
    """Sliders for x_1, x_2, W_xh, W_hh and h_0 over the live table of :func:`trace_view`."""
    return interactive(trace_view, TRACE_SLIDERS)

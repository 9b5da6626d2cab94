"""Chapter 2 (Unrolling in time): the recurrence as a dynamical system, the unrolled network of
T weight copies, the T = 4 chain rule as a sum over paths, and the chapter's figures and widget.

Everything follows the book's convention (rows are examples, time-major):

    a_t = x_t W_xh + h_{t-1} W_hh + b_h,   h_t = f(a_t),   o_t = h_t W_hy + b_y
    J_t = dh_t/dh_{t-1} = diag(f'(a_t)) W_hh^T        (H, H) for each example

A gradient is a row; the part of dh_{t-1} that comes back from step t is
dh_{t-1}^next = dh_t J_t, which is ``(dh_t * f'(a_t)) @ W_hh.T`` in code. dX is the total
derivative dL/dX; the term of copy t of a shared weight is dW_hh^(t) = h_{t-1}^T da_t.
Only NumPy is imported at module level; the functions that draw import matplotlib themselves.
"""
from typing import NamedTuple

import numpy as np

from .._validate import (PARAM_SHAPES, Dims, _describe, array_dict, check_params, choice,
                         forward_cache, generator, integer, params_dict, real_number, text)
from ..activations import ACTIVATIONS
from ..rnn import (OUTPUT_KEYS, RNN_KEYS, StepCache, output_forward, rnn_backward, rnn_forward,
                   rnn_step_backward, rnn_step_forward)
from .display import (Slider, _figsize, _sequence, draw_unrolled_graph, figure_html, html_table,
                      interactive, unrolled_graph)


def _rotation(angle):
    """The 2 x 2 matrix that turns a row vector by ``angle`` (counter-clockwise): h @ R."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, s], [-s, c]])


# The three recurrent matrices of the chapter's orbit figure (2 units, tanh, no input, no bias).
ORBIT_REGIMES = {
    "contracting": 0.6 * _rotation(np.pi / 5),    # every singular value 0.6: h_t -> 0
    "oscillating": 1.3 * _rotation(np.pi / 6),    # a turn of 30 degrees, gain 1.3: a cycle
    "saturating": np.array([[2.5, 0.0], [0.0, 2.0]]),  # gains > 1 per unit: h_t -> a corner
}


# ---- the recurrence as a dynamical system ----------------------------------------------------

def free_orbits(W_hh, h0, T, activation="tanh"):
    """The states of the RNN run with no input and no bias: h_t = f(h_{t-1} W_hh), t = 1..T.

    Computed by :func:`rnnlib.rnn_forward` with x = 0 (D = 1), W_xh = 0 and b_h = 0.

    Parameters
    ----------
    W_hh : (H, H)
    h0 : (B, H), one initial state per row (one orbit each).
    T : int >= 1, steps.
    activation : {"tanh", "sigmoid", "relu", "identity"}

    Returns
    -------
    orbits : (T + 1, B, H), h_0 first, then h_1..h_T.
    """
    choice("activation", activation, ACTIVATIONS)
    T = integer("T", T, low=1)
    dims = Dims()
    W_hh = dims.array("W_hh", W_hh, "H H")
    h0 = dims.array("h0", h0, "B H")
    B, H = h0.shape
    params = {"W_xh": np.zeros((1, H)), "W_hh": W_hh, "b_h": np.zeros(H)}
    h, _ = rnn_forward(np.zeros((T, B, 1)), params, h0, activation, check=False)
    return np.concatenate([h0[None], h])


def step_jacobians(h, W_hh, activation="tanh"):
    """The Jacobian of every step, example by example: J_t = diag(f'(a_t)) W_hh^T.

    J_t is the partial derivative of one step's h_t with respect to h_{t-1}, x_t and the weights
    held fixed: entry [t-1, b, i, m] is that of h_t[b, i] by h_{t-1}[b, m] (output unit i, input
    unit m), so a row gradient travels back one step as dh_{t-1}^next = dh_t J_t. f'(a_t) is
    computed from the output h_t, as the backward passes of rnnlib do.

    Parameters
    ----------
    h : (T, B, H), the states h_1..h_T that the steps produced.
    W_hh : (H, H)
    activation : {"tanh", "sigmoid", "relu", "identity"}

    Returns
    -------
    J : (T, B, H, H)
    """
    choice("activation", activation, ACTIVATIONS)
    dims = Dims()
    h = dims.array("h", h, "T B H")
    W_hh = dims.array("W_hh", W_hh, "H H")
    slope = ACTIVATIONS[activation][1](h)            # f'(a_t), (T, B, H)
    return slope[..., :, None] * W_hh.T              # diag(f'(a_t)) W_hh^T


def jacobian_product_norms(J):
    """The largest singular value of P_t = J_t J_{t-1} ... J_1 for t = 0..T (P_0 = I).

    ||P_t||_2 = ||dh_t/dh_0||_2 says how strongly the initial state is still visible in h_t:
    a change u of h_0 changes h_t by u P_t^T to first order, at most ||u|| ||P_t||_2.

    Parameters
    ----------
    J : (T, B, H, H), from :func:`step_jacobians`.

    Returns
    -------
    norms : (T + 1, B)
    """
    J = Dims().array("J", J, "T B H H")
    T, B, H, _ = J.shape
    product = np.broadcast_to(np.eye(H), (B, H, H))
    norms = [np.ones(B)]
    for t in range(T):
        product = J[t] @ product                     # P_t = J_t P_{t-1}
        norms.append(np.linalg.norm(product, ord=2, axis=(1, 2)))
    return np.array(norms)


def plot_orbits(orbits, titles, figsize=(9, 3.2)):
    """Orbits of 2-unit networks in the plane, one panel per network.

    Parameters
    ----------
    orbits : list or tuple of (T + 1, B, 2) arrays, from :func:`free_orbits` (T and B may
        differ from one array to the next).
    titles : list or tuple of str, one per panel.
    figsize : (width, height) in inches.

    Returns
    -------
    fig : matplotlib Figure; each initial state h_0 is a circle, each final state h_T a dot.
    """
    _sequence("orbits", orbits)
    if not orbits:
        raise ValueError("orbits must hold at least one orbit array, got an empty sequence")
    orbits = [Dims().array(f"orbits[{i}]", states, "T B 2") for i, states in enumerate(orbits)]
    _sequence("titles", titles, len(orbits), "one per orbit array")
    for i, title in enumerate(titles):
        text(f"titles[{i}]", title)
    figsize = _figsize("figsize", figsize)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(orbits), figsize=figsize, layout="constrained")
    for ax, states, title in zip(np.atleast_1d(axes), orbits, titles):
        for b in range(states.shape[1]):
            colour = f"C{b % 10}"
            ax.plot(states[:, b, 0], states[:, b, 1], "-", color=colour, lw=0.9, alpha=0.8)
            ax.plot(*states[0, b], "o", mfc="none", mec=colour, ms=5)
            ax.plot(*states[-1, b], "o", color=colour, ms=4)
        ax.add_patch(plt.Rectangle((-1, -1), 2, 2, fill=False, ls=":", ec="0.6"))
        ax.set(title=title, xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), aspect="equal",
               xlabel="$h[0]$", ylabel="$h[1]$")
    return fig


# ---- the unrolled network: T copies of the step, each with its own weights -------------------

_NODE_FACE = {"x": "#e8f0fe", "h": "#fff4d6", "o": "#e6f4ea", "L": "#fde7e7"}


def _draw_copies(T, ax):
    """The unrolled graph of ``display.draw_unrolled_graph`` with each edge labelled by the copy
    of the weight it carries: W_xh^(t), W_hh^(t), W_hy^(t) at step t (labels where that
    function writes its own)."""
    draw_unrolled_graph(T, ax, edge_labels=False)
    for t in range(1, T + 1):
        for (x, y, ha, va), name in (((t + 0.1, 0.45, "left", "center"), "xh"),
                                     ((t - 0.5, 1.1, "center", "bottom"), "hh"),
                                     ((t + 0.1, 1.62, "left", "center"), "hy")):
            ax.text(x, y, f"$W_{{{name}}}^{{({t})}}$", fontsize=9, color="0.3", ha=ha, va=va)


def _draw_folded(ax):
    """The RNN as a loop: x_t -> h_t -> o_t -> L_t, and h_t fed back to the next step through
    the one array W_hh (the self-loop), in the node style of ``draw_unrolled_graph``."""
    from matplotlib.patches import FancyArrowPatch

    nodes = {"x": (0, 0, "$x_t$"), "h": (0, 1, "$h_t$"), "o": (0, 2, "$o_t$"),
             "L": (0, 3, "$L_t$")}
    for (a, b), label in ((("x", "h"), "$W_{xh}$"), (("h", "o"), "$W_{hy}$"), (("o", "L"), "")):
        (x0, y0, _), (x1, y1, _) = nodes[a], nodes[b]
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=15, shrinkB=15, color="0.35", lw=1.2))
        if label:
            ax.text(x0 + 0.1, (y0 + y1) / 2, label, fontsize=9, color="0.3", va="center")
    ax.add_patch(FancyArrowPatch((0.2, 1.1), (0.2, 0.9), arrowstyle="-|>", mutation_scale=12,
                                 connectionstyle="arc,angleA=0,angleB=0,armA=38,armB=38,rad=6",
                                 color="0.35", lw=1.2))
    ax.text(0.88, 1.0, "$W_{hh}$", fontsize=9, color="0.3", va="center")
    ax.text(0.45, -0.5, "one $W_{hh}$, read\nback at every step", fontsize=7.5, color="0.35",
            va="center", ha="center")
    for name, (x, y, label) in nodes.items():
        ax.text(x, y, label, ha="center", va="center", fontsize=11, zorder=3,
                bbox=dict(boxstyle="circle,pad=0.35", fc=_NODE_FACE[name], ec="0.3", lw=1))
    ax.set(xlim=(-0.5, 1.45), ylim=(-0.75, 3.5), aspect="equal")
    ax.axis("off")


def plot_unrolling(shown_T=(1, 2, 4), figsize=None):
    """The folded RNN (one step, W_hh on a loop) beside its unrolled graphs for each T in
    ``shown_T``, where every copy of a weight is labelled with its step: W_xh^(t), W_hh^(t),
    W_hy^(t), as in h_t = f(x_t W_xh^(t) + h_{t-1} W_hh^(t) + b_h^(t)).

    Parameters
    ----------
    shown_T : list or tuple of ints in [1, 12], one unrolled panel each.
    figsize : (width, height) in inches, optional; sized to the panels when omitted.

    Returns
    -------
    fig : matplotlib Figure, the folded loop first, then one panel per T titled "T = ...".
    """
    _sequence("shown_T", shown_T)
    if not shown_T:
        raise ValueError("shown_T must hold at least one T, got an empty sequence")
    shown_T = [integer(f"shown_T[{i}]", T, low=1, high=12) for i, T in enumerate(shown_T)]
    widths = [1.95] + [T + 1.25 for T in shown_T]
    figsize = (0.75 * sum(widths), 3.4) if figsize is None else _figsize("figsize", figsize)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(widths), figsize=figsize, layout="constrained",
                             width_ratios=widths)
    _draw_folded(axes[0])
    axes[0].set_title("folded: one step", fontsize=10)
    for ax, T in zip(axes[1:], shown_T):
        _draw_copies(T, ax)
        ax.set_title(f"unrolled, T = {T}", fontsize=10)
    return fig


def unrolled_network(params, T):
    """T independent copies of the step's weights, one parameter dict per step.

    ``copies[t - 1]`` holds W_xh (D, H), W_hh (H, H) and b_h (H,) of step t, as arrays of their
    own (changing one copy changes no other and not ``params``).

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,); other keys are ignored.
    T : int >= 1

    Returns
    -------
    copies : list of T dicts
    """
    T = integer("T", T, low=1)
    params = check_params(params, RNN_KEYS, Dims())
    return [{k: params[k].copy() for k in RNN_KEYS} for _ in range(T)]


def _check_copies(copies, dims):
    if not isinstance(copies, (list, tuple)) or not copies:
        raise TypeError(f"copies must be a non-empty list of parameter dicts (from "
                        f"unrolled_network), got {type(copies).__name__}")
    checked = []
    for t, params in enumerate(copies):
        params_dict(params, RNN_KEYS, f"copies[{t}]")
        checked.append({k: dims.array(f"copies[{t}]['{k}']", params[k], PARAM_SHAPES[k])
                        for k in RNN_KEYS})
    return checked


def copies_forward(x, copies, h0=None, activation="tanh"):
    """Forward pass of the unrolled network: step t runs :func:`rnnlib.rnn_step_forward` with
    its own weights ``copies[t - 1]``, from h_0 to h_T.

        h_t = f(x_t W_xh^(t) + h_{t-1} W_hh^(t) + b_h^(t)),   t = 1..T

    With T equal copies this is :func:`rnnlib.rnn_forward`, written as a chain of T layers.

    Parameters
    ----------
    x : (T, B, D)
    copies : list of T dicts with W_xh (D, H), W_hh (H, H), b_h (H,), e.g. from
        :func:`unrolled_network`.
    h0 : (B, H), optional; zeros when omitted.
    activation : {"tanh", "sigmoid", "relu", "identity"}

    Returns
    -------
    h : (T, B, H), h_1..h_T
    caches : list of T StepCache, one per step, for :func:`copies_backward`.
    """
    choice("activation", activation, ACTIVATIONS)
    dims = Dims()
    x = dims.array("x", x, "T B D")
    copies = _check_copies(copies, dims)
    if len(copies) != x.shape[0]:
        raise ValueError(f"copies must hold one parameter dict per step, T = {x.shape[0]} "
                         f"from x, got {len(copies)}")
    h_prev = np.zeros((x.shape[1], dims.size["H"])) if h0 is None else dims.array("h0", h0, "B H")
    states, caches = [], []
    for x_t, params_t in zip(x, copies):  # checked above: an overflow gives inf/NaN as NumPy does
        h_prev, cache = rnn_step_forward(x_t, h_prev, params_t, activation, check=False)
        states.append(h_prev)
        caches.append(cache)
    return np.stack(states), caches


def copies_backward(dh_out, caches):
    """Backward pass of the unrolled network: one gradient dict per copy, none of them summed.

        dh_t = dh_t^out + dh_t^next
        (dx_t, dh_{t-1}^next, grads^(t)) = rnn_step_backward(dh_t, cache_t)

    for t = T..1, starting from dh_T^next = 0 (``dh_out[t - 1]`` is dh_t^out). ``grads[t - 1]``
    is the gradient of copy t's weights alone, e.g. dW_hh^(t) = h_{t-1}^T da_t; for the RNN,
    whose T copies are one weight, dW = sum_t dW^(t). (The chapter's exercise asks the learner
    to write this loop; the notebook uses this function only in hidden checks.)

    Parameters
    ----------
    dh_out : (T, B, H), ``dh_out[t - 1]`` the gradient reaching h_t from outside the chain (its
        output).
    caches : the list of T step caches from :func:`copies_forward`.

    Returns
    -------
    dx : (T, B, D)
    dh0 : (B, H)
    grads : list of T dicts with W_xh (D, H), W_hh (H, H), b_h (H,)
    """
    if not isinstance(caches, (list, tuple)) or not caches:
        raise TypeError(f"caches must be the list of step caches returned by copies_forward, "
                        f"got {type(caches).__name__}")
    for t, cache in enumerate(caches):
        forward_cache(f"caches[{t}]", cache, StepCache, "rnn_step_forward")
    B, H = caches[0].h_t.shape
    for t, cache in enumerate(caches):
        if cache.h_t.shape != (B, H) or cache.x_t.shape != caches[0].x_t.shape:
            raise ValueError(f"caches must come from one copies_forward: caches[{t}] holds x_t "
                             f"{cache.x_t.shape} and h_t {cache.h_t.shape}, caches[0] x_t "
                             f"{caches[0].x_t.shape} and h_t {(B, H)}")
    dh_out = Dims().bind("the caches", T=len(caches), B=B, H=H).array("dh_out", dh_out, "T B H")
    dh_next = np.zeros((B, H))
    dxs, grads = [None] * len(caches), [None] * len(caches)
    for t in reversed(range(len(caches))):
        dxs[t], dh_next, grads[t] = rnn_step_backward(dh_out[t] + dh_next, caches[t], check=False)
    return np.stack(dxs), dh_next, grads


def parameter_counts(T, D, H, K):
    """How many numbers the RNN with its output layer stores, and how many T free copies of it
    (one per step, as in the unrolled graph) would hold.

        n = D H + H H + H + H K + K        (W_xh, W_hh, b_h, W_hy, b_y)

    Parameters
    ----------
    T, D, H, K : int >= 1

    Returns
    -------
    dict : "rnn" -> n (the same for every T), "copies" -> T n
    """
    T, D, H, K = (integer(name, value, low=1) for name, value in zip("TDHK", (T, D, H, K)))
    n = D * H + H * H + H + H * K + K
    return {"rnn": n, "copies": T * n}


def parameter_count(params):
    """How many numbers the parameter arrays hold: sum of their sizes.

    Parameters
    ----------
    params : dict of finite arrays (any keys).

    Returns
    -------
    int
    """
    params = array_dict("params", params)
    return int(sum(v.size for v in params.values()))


# ---- the T = 4 chain rule: one term per path -------------------------------------------------

class PathTerms(NamedTuple):
    """The gradient of one loss L_t as a sum over the steps k = 1..t that use the weights."""

    dh: np.ndarray         # (t, B, H): [k-1] is dL_t/dh_k = dL_t/dh_t J_t J_{t-1} ... J_{k+1}
    W_xh: np.ndarray       # (t, D, H): [k-1] is x_k^T (dL_t/dh_k * f'(a_k))
    W_hh: np.ndarray       # (t, H, H): [k-1] is h_{k-1}^T (dL_t/dh_k * f'(a_k))
    b_h: np.ndarray        # (t, H): [k-1] is sum over the batch of dL_t/dh_k * f'(a_k)
    jacobians: np.ndarray  # (t, B, H, H): [k-1] is J_k = diag(f'(a_k)) W_hh^T
    slope: np.ndarray      # (t, B, H): [k-1] is f'(a_k)


def path_terms(params, x, y, h0=None, t=None, activation="tanh"):
    """The gradient of the single loss L_t = 1/2 ||o_t - y_t||^2 (summed over the batch) with
    respect to the shared weights, as one term per step k = 1..t, each computed on its own:

        dL_t/dh_k = dL_t/dh_t J_t J_{t-1} ... J_{k+1},     dL_t/dh_t = (o_t - y_t) W_hy^T
        dL_t/dW_hh = sum_k h_{k-1}^T (dL_t/dh_k * f'(a_k)),  dL_t/dW_xh = sum_k x_k^T (...)

    Term k is the path from L_t back to the copy of the weights used at step k. The product of
    Jacobians is formed explicitly, matrix by matrix, for every k (no BPTT recursion), so the
    terms can be checked against :func:`rnnlib.rnn_backward`.

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    x : (T, B, D)
    y : (T, B, K), targets; only y_t is used.
    h0 : (B, H), optional; zeros when omitted.
    t : int in [1, T], optional; the loss L_t to expand (the last step T when omitted).
    activation : {"tanh", "sigmoid", "relu", "identity"}

    Returns
    -------
    PathTerms (dh, W_xh, W_hh, b_h, jacobians, slope), each indexed by k - 1 for k = 1..t.
    """
    choice("activation", activation, ACTIVATIONS)
    dims = Dims()
    x = dims.array("x", x, "T B D")
    params = check_params(params, RNN_KEYS + OUTPUT_KEYS, dims)
    y = dims.array("y", y, "T B K")
    h0 = np.zeros((x.shape[1], dims.size["H"])) if h0 is None else dims.array("h0", h0, "B H")
    T = x.shape[0]
    t = T if t is None else integer("t", t, low=1, high=T)
    h, _ = rnn_forward(x[:t], params, h0, activation, check=False)
    h_prev = np.concatenate([h0[None], h[:-1]])                  # h_0..h_{t-1}
    slope = ACTIVATIONS[activation][1](h)                       # f'(a_1)..f'(a_t)
    J = slope[..., :, None] * params["W_hh"].T                  # J_1..J_t (step_jacobians)
    o_t, _ = output_forward(h[-1], params, check=False)
    dh_t = (o_t - y[t - 1]) @ params["W_hy"].T                  # dL_t/dh_t, (B, H)
    B, H = h0.shape
    dh = np.empty((t, B, H))
    product = np.broadcast_to(np.eye(H), (B, H, H))             # J_t ... J_{k+1}, I for k = t
    for k in range(t, 0, -1):
        dh[k - 1] = np.einsum("bi,bij->bj", dh_t, product)
        product = product @ J[k - 1]
    da = dh * slope                                             # dL_t/da_k, (t, B, H)
    return PathTerms(
        dh=dh,
        W_xh=np.einsum("kbd,kbh->kdh", x[:t], da),
        W_hh=np.einsum("kbi,kbh->kih", h_prev, da),
        b_h=da.sum(axis=1),
        jacobians=J,
        slope=slope,
    )


def step_ratios(terms, W_hh):
    """How much each step back scales the gradient, and the two bounds on it.

        r_k = ||dL_t/dh_k|| / ||dL_t/dh_{k+1}|| <= ||J_{k+1}||_2 <= max_i f'(a_{k+1, i}) sigma_max(W_hh)

    for k = 1..t-1 (norms over the whole (B, H) array; the spectral norm of the largest of the B
    Jacobians). The first bound holds because dL_t/dh_k = dL_t/dh_{k+1} J_{k+1}; the second
    because ||diag(v) A||_2 <= max |v| ||A||_2 and W_hh^T has the singular values of W_hh.

    Parameters
    ----------
    terms : PathTerms, from :func:`path_terms`.
    W_hh : (H, H), the recurrent weights ``terms`` were computed with.

    Returns
    -------
    ratios : (t - 1,), r_1..r_{t-1}
    jacobian_norms : (t - 1,), ||J_2||_2..||J_t||_2
    slope_bounds : (t - 1,), max f'(a_2)..max f'(a_t), each times sigma_max(W_hh)
    """
    if not isinstance(terms, PathTerms):
        raise TypeError(f"terms must be the PathTerms returned by path_terms, got "
                        f"{type(terms).__name__}")
    H = terms.dh.shape[2]
    W_hh = Dims().bind("terms", H=H).array("W_hh", W_hh, "H H")
    sizes = np.linalg.norm(terms.dh.reshape(len(terms.dh), -1), axis=1)
    jacobian_norms = np.linalg.norm(terms.jacobians[1:], ord=2, axis=(2, 3)).max(axis=1)
    slope_max = terms.slope[1:].reshape(len(jacobian_norms), -1).max(axis=1)
    return sizes[:-1] / sizes[1:], jacobian_norms, slope_max * np.linalg.norm(W_hh, 2)


def term_sizes(terms):
    """The size (Frobenius norm) of every path term, k = 1..t.

    Parameters
    ----------
    terms : PathTerms, from :func:`path_terms`.

    Returns
    -------
    dict : "dh" -> (t,) ||dL_t/dh_k||, "W_hh" -> (t,), "W_xh" -> (t,), "b_h" -> (t,), the sizes
        of the terms of each gradient.
    """
    if not isinstance(terms, PathTerms):
        raise TypeError(f"terms must be the PathTerms returned by path_terms, got "
                        f"{type(terms).__name__}")
    t = len(terms.dh)
    return {name: np.linalg.norm(getattr(terms, name).reshape(t, -1), axis=1)
            for name in ("dh", "W_hh", "W_xh", "b_h")}


def path_terms_html(terms, digits=4):
    """The path terms as an HTML table: one row per step k, with T - k, ||dL_T/dh_k||,
    ||J_k||_2 and the sizes (Frobenius norms) of the terms of dL_T/dW_hh and dL_T/dW_xh.

    Parameters
    ----------
    terms : PathTerms, from :func:`path_terms`.
    digits : int, significant digits of the sizes.

    Returns
    -------
    str : HTML
    """
    digits = integer("digits", digits, low=1)
    size = term_sizes(terms)
    t = len(terms.dh)
    J = np.linalg.norm(terms.jacobians, ord=2, axis=(2, 3)).max(axis=1)
    rows = [(k, t - k, f"{size['dh'][k - 1]:.{digits}g}", f"{J[k - 1]:.{digits}g}",
             f"{size['W_hh'][k - 1]:.{digits}g}", f"{size['W_xh'][k - 1]:.{digits}g}")
            for k in range(1, t + 1)]
    header = ("step k", "T - k", "|dL_T/dh_k|", "|J_k|", "|term k of dL_T/dW_hh|",
              "|term k of dL_T/dW_xh|")
    return html_table(header, rows, ("right",) * 6)


def with_eigenvalues(eigenvalues, rng):
    """A random (H, H) matrix S diag(eigenvalues) S^{-1}: its eigenvalues are the given ones.

    S has standard-normal entries, so S is not orthogonal and the matrix is non-normal
    (W W^T != W^T W): its singular values differ from the absolute eigenvalues, and the largest
    singular value exceeds the largest |eigenvalue|. (A normal matrix, e.g. a rotation, which is
    not symmetric either, has singular values equal to its absolute eigenvalues.)

    Parameters
    ----------
    eigenvalues : (H,) real, distinct.
    rng : numpy.random.Generator

    Returns
    -------
    W : (H, H)
    """
    eigenvalues = Dims().array("eigenvalues", eigenvalues, "H")
    generator("rng", rng)
    S = rng.standard_normal((eigenvalues.size, eigenvalues.size))
    return S @ np.diag(eigenvalues) @ np.linalg.inv(S)


def with_singular_values(gain, H, rng):
    """A random (H, H) matrix gain * Q with Q orthogonal: every singular value equals ``gain``.

    Parameters
    ----------
    gain : float > 0
    H : int >= 1
    rng : numpy.random.Generator

    Returns
    -------
    W : (H, H)
    """
    gain = real_number("gain", gain, low=0, low_open=True)
    H = integer("H", H, low=1)
    generator("rng", rng)
    Q, R = np.linalg.qr(rng.standard_normal((H, H)))
    return gain * Q * np.sign(np.diag(R))


def plot_term_sizes(distance_sets, labels, xlabel, ax=None, styles=None, ylabel="size (norm)"):
    """Sizes of gradient terms against their distance in steps, on a log scale.

    Parameters
    ----------
    distance_sets : list or tuple of (N,) arrays, the distances (e.g. T - k) of each curve.
    labels : dict, legend label (str) -> (N,) array of sizes (norms), one per distance set, in
        order (N may differ from curve to curve).
    xlabel : str
    ax : matplotlib Axes, optional; a new figure when omitted.
    styles : list or tuple of matplotlib format strings (e.g. "o-"), one per curve, optional.
    ylabel : str

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.axes._base import _process_plot_format
    from matplotlib.ticker import MaxNLocator

    _sequence("distance_sets", distance_sets)
    params_dict(labels, (), "labels", "a dict, legend label -> (N,) array of sizes")
    if len(distance_sets) != len(labels) or not labels:
        raise ValueError(f"labels must hold one curve per entry of distance_sets "
                         f"({len(distance_sets)}), at least one, got {len(labels)}")
    curves = []
    for i, (label, sizes) in enumerate(labels.items()):
        dims = Dims()
        curves.append((text("each key of labels (a legend label)", label),
                       dims.array(f"distance_sets[{i}]", distance_sets[i], "N"),
                       dims.array(f"labels[{label!r}]", sizes, "N")))
    text("xlabel", xlabel)
    text("ylabel", ylabel)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {_describe(ax)}")
    if styles is not None:
        _sequence("styles", styles, len(labels), "one format string per curve")
        for i, style in enumerate(styles):
            try:
                _process_plot_format(text(f"styles[{i}]", style))
            except ValueError as error:
                raise ValueError(f"styles[{i}] must be a matplotlib format string such as "
                                 f"'o-': {error}") from None
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3), layout="constrained")
    styles = styles or ["o-"] * len(labels)
    for (label, distance, sizes), style in zip(curves, styles):
        ax.semilogy(distance, sizes, style, ms=3, lw=1.2, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, loc="best")
    return ax.figure


# ---- the step-through animation --------------------------------------------------------------

class StepFrame(NamedTuple):
    """One frame of :func:`step_through_animation`."""

    title: str      # what is computed in this frame (matplotlib mathtext)
    values: dict    # forward value ("h_0", "x_1", "y_1", "h_1", "o_1", "L_1", ...) -> text
    grads: dict     # backward value ("do_t", "dh_out_t", "dh_next_t", "dh_t", "da_t", "dW_hh_t",
                    # and "dW_hh", the sum of the copies' terms so far) -> text
    paths: list     # node-name lists, each in the direction the value flows, to highlight
    copy: int       # the step t whose copy W_hh^(t) gets its term dW_hh^(t) here, 0 for none


def step_through_frames(params, x, y, h0=None):
    """The frames of a forward pass, then the backward pass, of a one-unit RNN over the graph.

    One unit (B = D = H = K = 1), tanh, squared-error losses L_t = 1/2 (o_t - y_t)^2, L = sum L_t.

        forward, t = 1..T:   h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h), o_t = h_t W_hy + b_y, L_t
        backward, t = T..1:  do_t = o_t - y_t,  dh_t^out = do_t W_hy^T,
                             dh_t^next = da_{t+1} W_hh^T (0 for t = T),
                             dh_t = dh_t^out + dh_t^next,  da_t = dh_t (1 - h_t^2),
                             dW_hh^(t) = h_{t-1}^T da_t,  dW_hh = sum_t dW_hh^(t)

    Forward, h_t, o_t and L_t appear one frame each; backward, one frame per step t adds step
    t's gradients and the term dW_hh^(t) of copy t to the running sum; the last frame gives
    dW_hh.

    Parameters
    ----------
    params : dict with W_xh, W_hh, W_hy of shape (1, 1), b_h, b_y of shape (1,)
    x : (T, 1, 1)
    y : (T, 1, 1)
    h0 : (1, 1), optional; zeros when omitted.

    Returns
    -------
    frames : list of :class:`StepFrame`, 3 T + T + 2 of them.
    shown : dict of floats: every value shown (h_t, o_t, L_t, do_t, dh_out_t, dh_next_t, dh_t,
        da_t, dW_hh_t for each t) and the gradients dW_xh, dW_hh, db_h, dW_hy, db_y (sums over
        the steps).
    """
    dims = Dims().bind("a one-unit network", B=1, D=1, H=1, K=1)
    x = dims.array("x", x, "T B D")
    params = check_params(params, RNN_KEYS + OUTPUT_KEYS, dims)
    y = dims.array("y", y, "T B K")
    h0 = np.zeros((1, 1)) if h0 is None else dims.array("h0", h0, "B H")
    T = x.shape[0]
    w = {k: float(v.item()) for k, v in params.items()}
    xs, ys = [None] + [float(v) for v in x.ravel()], [None] + [float(v) for v in y.ravel()]
    h = [float(h0.item())] + [float(v) for v in rnn_forward(x, params, h0, check=False)[0].ravel()]
    o = [None] + [h[t] * w["W_hy"] + w["b_y"] for t in range(1, T + 1)]
    # (o - y) * (o - y), not ** 2: on overflow a float's ** raises, * gives inf as NumPy does
    L = [None] + [0.5 * (o[t] - ys[t]) * (o[t] - ys[t]) for t in range(1, T + 1)]
    shown = {**{f"h_{t}": h[t] for t in range(T + 1)}, **{f"o_{t}": o[t] for t in range(1, T + 1)},
             **{f"L_{t}": L[t] for t in range(1, T + 1)}}

    values = {"h_0": f"{h[0]:.3f}", **{f"x_{t}": f"{xs[t]:.2f}" for t in range(1, T + 1)},
              **{f"y_{t}": f"{ys[t]:.2f}" for t in range(1, T + 1)}}
    grads = {}
    frames = [StepFrame("forward: the inputs $x_t$, the targets $y_t$ and $h_0$ are given",
                        dict(values), {}, [], 0)]
    for t in range(1, T + 1):
        values[f"h_{t}"] = f"{h[t]:.3f}"
        frames.append(StepFrame(
            rf"forward: $h_{t} = \tanh(x_{t} W_{{xh}} + h_{t - 1} W_{{hh}} + b_h)$",
            dict(values), {}, [[f"h_{t - 1}", f"h_{t}"], [f"x_{t}", f"h_{t}"]], 0))
        values[f"o_{t}"] = f"{o[t]:.3f}"
        frames.append(StepFrame(rf"forward: $o_{t} = h_{t} W_{{hy}} + b_y$", dict(values), {},
                                [[f"h_{t}", f"o_{t}"]], 0))
        values[f"L_{t}"] = f"{L[t]:.4f}"
        frames.append(StepFrame(rf"forward: $L_{t} = \frac{{1}}{{2}}(o_{t} - y_{t})^2$",
                                dict(values), {}, [[f"o_{t}", f"L_{t}"]], 0))

    da_next, sums = 0.0, dict.fromkeys(("W_xh", "W_hh", "b_h", "W_hy", "b_y"), 0.0)
    for t in range(T, 0, -1):
        do = o[t] - ys[t]
        dh_out, dh_next = do * w["W_hy"], da_next * w["W_hh"]
        dh = dh_out + dh_next
        da = dh * (1 - h[t] ** 2)
        sums["W_hy"] += h[t] * do
        sums["b_y"] += do
        sums["W_xh"] += xs[t] * da
        sums["W_hh"] += h[t - 1] * da
        sums["b_h"] += da
        step = {"do": do, "dh_out": dh_out, "dh_next": dh_next, "dh": dh, "da": da,
                "dW_hh": h[t - 1] * da}
        shown.update({f"{name}_{t}": value for name, value in step.items()})
        grads.update({f"{name}_{t}": f"{value + 0.0:+.4f}" for name, value in step.items()})
        grads["dW_hh"] = f"{sums['W_hh']:+.4f}"
        paths = [[f"L_{t}", f"o_{t}", f"h_{t}"]] + ([[f"h_{t + 1}", f"h_{t}"]] if t < T else [])
        later = (rf"\mathrm{{d}}a_{t + 1} W_{{hh}}^\top" if t < T else "0")
        frames.append(StepFrame(
            rf"backward, step {t}: $\mathrm{{d}}h_{t} = \mathrm{{d}}o_{t} W_{{hy}}^\top + {later}$,"
            rf"  $\mathrm{{d}}a_{t} = \mathrm{{d}}h_{t}\,(1 - h_{t}^2)$"
            "\n"
            rf"copy {t}'s term $\mathrm{{d}}W_{{hh}}^{{({t})}} = h_{t - 1}^\top \mathrm{{d}}a_{t}$"
            rf" is added to $\mathrm{{d}}W_{{hh}}$",
            dict(values), dict(grads), paths, t))
        da_next = da
    shown.update({f"d{k}": v for k, v in sums.items()})
    frames.append(StepFrame(
        rf"backward done: $\mathrm{{d}}W_{{hh}} = \sum_t \mathrm{{d}}W_{{hh}}^{{(t)}} = "
        rf"\sum_t h_{{t-1}}^\top \mathrm{{d}}a_t = {sums['W_hh']:.4f}$",
        dict(values), dict(grads), [], 0))
    return frames, shown


# The columns of the animation's table: (heading, the key of row t's value, with {t}).
_TABLE_COLUMNS = (
    ("$t$", None), ("$x_t$", "x_{t}"), ("$y_t$", "y_{t}"), ("$h_t$", "h_{t}"),
    ("$o_t$", "o_{t}"), ("$L_t$", "L_{t}"), (r"$\mathrm{d}o_t$", "do_{t}"),
    (r"$\mathrm{d}h_t^{\mathrm{out}}$", "dh_out_{t}"),
    (r"$\mathrm{d}h_t^{\mathrm{next}}$", "dh_next_{t}"), (r"$\mathrm{d}h_t$", "dh_{t}"),
    (r"$\mathrm{d}a_t$", "da_{t}"), (r"$\mathrm{d}W_{hh}^{(t)}$", "dW_hh_{t}"),
)


def step_through_animation(params, x, y, h0=None, dpi=110, interval=1100):
    """:func:`step_through_frames` as a matplotlib animation: the unrolled graph above, a table
    of every value below.

    The graph (each copy of a weight labelled W^(t)) and the table's headings are drawn once and
    kept as a background image; each frame draws only what changes: the edges the frame computes
    along (in red, in the direction the value flows), the copy W_hh^(t) whose term dW_hh^(t) is
    added (in blue), the table's filled cells (the ones new in this frame in red), the running
    sum dW_hh and the title. No value is written on the graph, so no label overlaps another. The
    figure is made without pyplot, so a notebook shows only the animation.

    Parameters
    ----------
    params, x, y, h0 : as for :func:`step_through_frames` (one unit, T steps).
    dpi : int, resolution of the frames (every frame is stored in the page).
    interval : int, milliseconds between frames.

    Returns
    -------
    anim : matplotlib.animation.FuncAnimation
    """
    from matplotlib.animation import FuncAnimation
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch

    dpi = integer("dpi", dpi, low=10)
    interval = integer("interval", interval, low=1)
    frames, _ = step_through_frames(params, x, y, h0)
    T = np.shape(x)[0]
    columns = len(_TABLE_COLUMNS)
    width = max(8.0, 1.2 + 1.6 * T)
    graph_height, row_height = 3.2, 0.24
    table_height = row_height * (T + 3)
    height = 0.75 + graph_height + table_height
    fig = Figure(figsize=(width, height), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    # Animation.save draws each frame once for the file and once more through draw_idle, which
    # on this canvas (no window) draws at once: the second drawing is wasted work.
    canvas.draw_idle = lambda *args, **kwargs: None
    graph_ax = fig.add_axes((0.02, (table_height + 0.05) / height, 0.96, graph_height / height))
    _draw_copies(T, graph_ax)
    table_ax = fig.add_axes((0.02, 0.02, 0.96, table_height / height),
                            xlim=(0, columns), ylim=(T + 2.6, -0.5))
    table_ax.set_axis_off()
    for j, (heading, _) in enumerate(_TABLE_COLUMNS):
        table_ax.text(j + 0.5, 0, heading, ha="center", va="center", fontsize=9.5)
    table_ax.axhline(0.5, color="0.5", lw=0.8)
    table_ax.plot([6, 6], [-0.5, T + 1.55], color="0.5", lw=0.8)
    for t in range(T + 1):
        table_ax.text(0.5, t + 1, str(t), ha="center", va="center", fontsize=9)
    table_ax.axhline(T + 1.55, color="0.5", lw=0.8)
    table_ax.text(columns - 1.1, T + 2.1, r"$\mathrm{d}W_{hh}$ so far, the sum of the column "
                  r"$\mathrm{d}W_{hh}^{(t)}$:", ha="right", va="center", fontsize=9.5)
    canvas.draw()
    background = np.asarray(canvas.buffer_rgba()).copy()
    places = [(ax.get_position(), ax.get_xlim(), ax.get_ylim()) for ax in (graph_ax, table_ax)]
    fig.clear()
    image_ax = fig.add_axes((0, 0, 1, 1))
    image_ax.imshow(background, interpolation="none")
    image_ax.set_axis_off()
    graph_ax, table_ax = (fig.add_axes(where, xlim=xlim, ylim=ylim, facecolor="none")
                          for where, xlim, ylim in places)
    graph_ax.set_axis_off()
    table_ax.set_axis_off()
    nodes = unrolled_graph(T).nodes
    title = fig.suptitle("", fontsize=10.5, y=0.985, va="top")
    cells = {}  # the table's cell of each value: key -> (column, row)
    for j, (_, key) in enumerate(_TABLE_COLUMNS):
        for t in range(T + 1):
            if key is not None:
                cells[key.format(t=t)] = (j, t + 1)
    cells["dW_hh"] = (columns - 1, T + 2.1)
    drawn = []

    def arrow(source, target, colour, offset=0.0):
        (x0, y0, _), (x1, y1, _) = nodes[source], nodes[target]
        return graph_ax.add_patch(FancyArrowPatch(
            (x0, y0 + offset), (x1, y1 + offset), arrowstyle="-|>", mutation_scale=14,
            shrinkA=15, shrinkB=15, color=colour, lw=2.6, alpha=0.85))

    def draw(i):
        for artist in drawn:
            artist.remove()
        drawn.clear()
        frame = frames[i]
        before = frames[i - 1] if i else frame._replace(values={}, grads={})
        title.set_text(frame.title)
        for path in frame.paths:
            for source, target in zip(path, path[1:]):
                drawn.append(arrow(source, target, "#c62828"))
        if frame.copy:
            drawn.append(arrow(f"h_{frame.copy - 1}", f"h_{frame.copy}", "#1565c0", -0.07))
        for shown_now, shown_before in ((frame.values, before.values),
                                        (frame.grads, before.grads)):
            for key, text_ in shown_now.items():
                new = shown_before.get(key) != text_
                column, row = cells[key]
                drawn.append(table_ax.text(
                    column + 0.5, row, text_, ha="center", va="center", fontsize=9,
                    color="#c62828" if new and i else "0.1"))
        return drawn

    return FuncAnimation(fig, draw, frames=len(frames), interval=interval, blit=False)


# ---- the widget -----------------------------------------------------------------------------

# The sizes of the chapter's delayed-echo network, which the widget counts: D = K = 1, H = 8.
WIDGET_SIZES = {"D": 1, "H": 8, "K": 1}


def _widget_check(T):
    """Whether T copies reproduce rnn_forward and the summed copy gradients rnn_backward's."""
    rng = np.random.default_rng(T)
    D, H = WIDGET_SIZES["D"], WIDGET_SIZES["H"]
    params = {"W_xh": rng.standard_normal((D, H)), "W_hh": rng.standard_normal((H, H)) / np.sqrt(H),
              "b_h": 0.1 * rng.standard_normal(H)}
    x, h0 = rng.standard_normal((T, 2, D)), 0.5 * rng.standard_normal((2, H))
    dh_out = rng.standard_normal((T, 2, H))
    h, cache = rnn_forward(x, params, h0)
    h_copies, caches = copies_forward(x, unrolled_network(params, T), h0)
    _, _, grads = rnn_backward(dh_out, cache)
    _, _, copy_grads = copies_backward(dh_out, caches)
    same_h = np.abs(h - h_copies).max() <= 1e-12
    same_grads = all(np.abs(grads[k] - sum(g[k] for g in copy_grads)).max()
                     <= 1e-12 * (1 + np.abs(grads[k]).max()) for k in RNN_KEYS)
    return bool(same_h), bool(same_grads)


def unrolled_view(T=3):
    """The widget's view: the RNN unrolled over T steps, drawn with each copy of a weight
    labelled by its step (W_hh^(t)), and what it holds, as text.

    The table gives T, the copies of each weight in the graph, the numbers the RNN stores (the
    same for every T) against the numbers T independent copies would hold, and whether, for a
    random sequence of length T, the T copies reproduce :func:`rnnlib.rnn_forward` and the sum
    of their gradients :func:`rnnlib.rnn_backward` (to round-off, 1e-12).

    Parameters
    ----------
    T : int in [1, 12]

    Returns
    -------
    str : HTML, the figure (an inline PNG) above the table.
    """
    T = integer("T", T, low=1, high=12)
    D, H, K = WIDGET_SIZES["D"], WIDGET_SIZES["H"], WIDGET_SIZES["K"]
    counts = parameter_counts(T, D, H, K)
    same_h, same_grads = _widget_check(T)
    rows = [
        ("time steps T", T),
        ("copies of W_xh, of W_hh and of W_hy in the unrolled graph", f"{T} each"),
        (f"numbers the RNN stores (D = {D}, H = {H}, K = {K})", f"{counts['rnn']}, for every T"),
        ("numbers T independent copies would hold", f"{T} x {counts['rnn']} = {counts['copies']}"),
        ("T copies give rnn_forward's states h_1..h_T", "yes" if same_h else "NO"),
        ("sum of the T copies' gradients = rnn_backward's", "yes" if same_grads else "NO"),
    ]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.0 + 1.7 * T, 4.0), layout="constrained")
    _draw_copies(T, ax)
    figure = figure_html(fig, dpi=72)
    plt.close(fig)
    return (f'<div class="rnn-unrolled-view">{figure}'
            f'{html_table(("quantity", "value"), rows, ("left", "right"))}</div>')


UNROLLED_SLIDERS = {"T": Slider(3, 1, 8, 1)}


def unrolled_widget():
    """A slider for T over the live view of :func:`unrolled_view`."""
    return interactive(unrolled_view, UNROLLED_SLIDERS)

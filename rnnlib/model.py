"""Whole networks wired to a loss: ``loss, grads = *_loss(params, x, targets, ...)``.

These are the functions to hand to :func:`rnnlib.check_gradients` and to a training loop.
"""
import numpy as np

from ._validate import PARAM_SHAPES, Dims, check_params, choice
from .activations import ACTIVATIONS
from .gru import GRU_KEYS, GRU_SHAPES, gru_backward, gru_forward
from .layers import FNN_KEYS, fnn_backward, fnn_forward
from .losses import REDUCTIONS, mse_loss, softmax_cross_entropy
from .lstm import LSTM_KEYS, LSTM_SHAPES, lstm_backward, lstm_forward
from .rnn import OUTPUT_KEYS, RNN_KEYS, output_backward, output_forward, rnn_backward, rnn_forward

LOSSES = {"mse": mse_loss, "cross_entropy": softmax_cross_entropy}
# cell -> (the keys of its parameters, their shapes in letters, its forward, its backward).
CELLS = {"rnn": (RNN_KEYS + OUTPUT_KEYS, PARAM_SHAPES, rnn_forward, rnn_backward),
         "lstm": (LSTM_KEYS + OUTPUT_KEYS, LSTM_SHAPES, lstm_forward, lstm_backward),
         "gru": (GRU_KEYS + OUTPUT_KEYS, GRU_SHAPES, gru_forward, gru_backward)}


def _check_choices(loss, reduction):
    choice("loss", loss, LOSSES)
    choice("reduction", reduction, REDUCTIONS)


def _targets(targets, loss, letters, dims):
    """``targets`` checked against ``letters`` (e.g. "T B K"); class indices drop the K."""
    if loss == "cross_entropy":
        return dims.labels("targets", targets, letters.rsplit(" ", 1)[0])
    return dims.array("targets", targets, letters)


def _check_cell(cell, activation):
    """``cell`` one of CELLS, and ``activation`` one of ACTIVATIONS, "tanh" for a gated cell."""
    choice("cell", cell, CELLS)
    choice("activation", activation, ACTIVATIONS)
    if cell != "rnn" and activation != "tanh":
        raise ValueError(f"activation={activation!r} applies to cell='rnn' only: the {cell.upper()}'s "
                         f"nonlinearities are fixed (sigmoid gates, tanh); leave activation='tanh' "
                         f"with cell={cell!r}")


def _check_rnn_inputs(x, params, h0, targets, loss, target_letters, cell="rnn"):
    """The user's arrays of an RNN loss, checked once and against each other (see rnn_loss)."""
    keys, shapes = CELLS[cell][:2]
    dims = Dims()
    x = dims.array("x", x, "T B D")
    params = check_params(params, keys, dims, shapes)
    h0 = None if h0 is None else dims.array("h0", h0, "B H")
    # rnn_predict has no targets: target_letters None.
    return x, params, h0, None if target_letters is None else _targets(targets, loss, target_letters, dims)


def _cell_forward(cell, x, params, h0, activation):
    """(h, cache) of the cell's forward pass, unchecked."""
    if cell == "rnn":
        return rnn_forward(x, params, h0, activation, check=False)
    return CELLS[cell][2](x, params, h0, check=False)


def fnn_loss(params, x, targets, *, loss="mse", reduction="sum", activation="relu"):
    """Loss and gradients of the feed-forward network :func:`rnnlib.fnn_forward`.

    Parameters
    ----------
    params : dict with W_xh (D, H), b_h (H,), W_hy (H, K), b_y (K,)
    x : (B, D)
    targets : (B, K) floats for ``loss="mse"``; (B,) class indices for ``"cross_entropy"``.
    loss : {"mse", "cross_entropy"}
    reduction : {"sum", "mean"}, over the B examples; "sum" (the default) adds their losses.
    activation : hidden activation.

    Returns
    -------
    loss : float
    grads : dict with the keys and shapes of ``params``
    """
    _check_choices(loss, reduction)
    choice("activation", activation, ACTIVATIONS)
    # The user's arrays are checked here, once; the layers run with check=False, so an overflow
    # from finite inputs gives inf/NaN as NumPy does instead of an error about o or do.
    dims = Dims()
    x = dims.array("x", x, "B D")
    params = check_params(params, FNN_KEYS, dims)
    targets = _targets(targets, loss, "B K", dims)
    o, cache = fnn_forward(x, params, activation, check=False)
    value, do = LOSSES[loss](o, targets, reduction, check=False)
    return value, fnn_backward(do, cache, check=False)[1]


def rnn_loss(params, x, targets, *, loss="mse", reduction="sum", outputs="all",
             h0=None, activation="tanh", cell="rnn"):
    """Loss and gradients (by BPTT) of the RNN with its output layer.

        h_t = f(x_t W_xh + h_{t-1} W_hh + b_h),   o_t = h_t W_hy + b_y,   L = sum or mean of L_t

    The loss is summed over positions unless ``reduction="mean"``.

    ``outputs="all"`` is many-to-many (an output and a target at every step);
    ``outputs="last"`` is many-to-one (only o_T = h_T W_hy + b_y has a target).

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    x : (T, B, D)
    targets : for ``outputs="all"``: (T, B, K) floats (mse) or (T, B) class indices
        (cross_entropy); for ``outputs="last"``: (B, K) or (B,).
    loss : {"mse", "cross_entropy"}
    reduction : {"sum", "mean"}, over the positions that have a target; "sum" (the default)
        adds their losses.
    outputs : {"all", "last"}
    h0 : (B, H), optional; zeros when omitted.
    activation : hidden activation, tanh by default.
    cell : {"rnn", "lstm", "gru"}
        The recurrent cell: the RNN above (the default), or in its place the LSTM
        (:mod:`rnnlib.lstm`; params W_xh (D, 4H), W_hh (H, 4H), b_h (4H,), with c_0 = 0) or the
        GRU (:mod:`rnnlib.gru`; params W_xh (D, 3H), W_hh (H, 3H), b_h (3H,), b_hn (H,)), each
        with the same output layer W_hy, b_y; ``activation`` then stays "tanh".

    Returns
    -------
    loss : float
    grads : dict with the keys and shapes of ``params``
    """
    choice("outputs", outputs, ("all", "last"))
    _check_choices(loss, reduction)
    _check_cell(cell, activation)
    # The user's arrays are checked here, once; h, o, do and dh are made below and need no check.
    x, params, h0, targets = _check_rnn_inputs(x, params, h0, targets, loss,
                                               "T B K" if outputs == "all" else "B K", cell)
    h, rnn_cache = _cell_forward(cell, x, params, h0, activation)
    o, out_cache = output_forward(h if outputs == "all" else h[-1], params, check=False)
    value, do = LOSSES[loss](o, targets, reduction, check=False)
    dh_out, out_grads = output_backward(do, out_cache, check=False)
    if outputs == "last":
        dh_last, dh_out = dh_out, np.zeros_like(h)
        dh_out[-1] = dh_last
    rnn_grads = CELLS[cell][3](dh_out, rnn_cache, check=False)[-1]
    return value, {**rnn_grads, **out_grads}


def rnn_predict(params, x, *, outputs="all", h0=None, activation="tanh", cell="rnn"):
    """Outputs o of the RNN with its output layer: (T, B, K) for ``"all"``, (B, K) for ``"last"``.

        h_t = f(x_t W_xh + h_{t-1} W_hh + b_h),   o_t = h_t W_hy + b_y

    Parameters are those of :func:`rnn_loss` without the targets: params (all five arrays),
    x (T, B, D), outputs {"all", "last"}, h0 (B, H) or None, activation, cell {"rnn", "lstm",
    "gru"} (as for :func:`rnn_loss`).
    """
    choice("outputs", outputs, ("all", "last"))
    _check_cell(cell, activation)
    x, params, h0, _ = _check_rnn_inputs(x, params, h0, None, None, None, cell)
    h, _ = _cell_forward(cell, x, params, h0, activation)
    return output_forward(h if outputs == "all" else h[-1], params, check=False)[0]

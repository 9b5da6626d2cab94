"""The work that is timed: forward + BPTT of the RNN and its output layer, in rnnlib and in PyTorch.

Both sides compute the same thing from the same numbers: h_0 = 0, tanh,
L = 0.5 * sum over all T*B positions of ||o_t - y_t||^2, and the gradients of every parameter
and of the input x.
"""
import numpy as np

import rnnlib

PARAM_KEYS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


def matmul_flops(T, B, D, H, K):
    """FLOPs (2 per multiply-add) of the matrix products of one forward + backward pass.

    With N = T*B rows (one per example and step):

        forward    x W_xh: 2NDH      h_{t-1} W_hh (all t): 2NHH      h W_hy: 2NHK
        backward   do W_hy^T: 2NKH   h^T do (dW_hy): 2NHK
                   da_t W_hh^T (all t): 2NHH   h_{t-1}^T da (dW_hh): 2NHH
                   x^T da (dW_xh): 2NDH        da W_xh^T (dx): 2NHD

    in total 6 N H (D + H + K). Elementwise work (tanh, its derivative, the loss, biases) is not
    counted: it is O(N (H + K)), against O(N H (D + H + K)) for the products.
    """
    return 6 * T * B * H * (D + H + K)


def make_data(T, B, D, H, K, dtype, seed=0):
    """Parameters as nn.RNN initialises them (rnnlib.init_rnn_params), x and y standard normal."""
    rng = np.random.default_rng(seed)
    params = {k: v.astype(dtype) for k, v in rnnlib.init_rnn_params(D, H, K, rng).items()}
    x = rng.standard_normal((T, B, D)).astype(dtype)
    y = rng.standard_normal((T, B, K)).astype(dtype)
    return params, x, y


def rnnlib_loss(params, x, y):
    """The timed rnnlib call: ``rnn_loss``, which checks the user's arrays once and runs the forward
    pass and BPTT. Its rnn_backward computes dL/dx as well (as torch does for x.requires_grad);
    rnn_loss does not return it. Returns (loss, grads)."""
    return rnnlib.rnn_loss(params, x, y)


def rnnlib_step(params, x, y):
    """rnn_loss's computation chained from the public layer calls, each checking its inputs,
    so that dL/dx is returned too. Returns (loss, dx, grads)."""
    h, rnn_cache = rnnlib.rnn_forward(x, params)
    o, out_cache = rnnlib.output_forward(h, params)
    loss, do = rnnlib.mse_loss(o, y, reduction="sum")
    dh, out_grads = rnnlib.output_backward(do, out_cache)
    dx, _, rnn_grads = rnnlib.rnn_backward(dh, rnn_cache)
    return loss, dx, {**rnn_grads, **out_grads}


def rnnlib_results(params, x, y):
    """(loss, dx, grads) to compare with torch: rnn_loss's loss and gradients, dx from rnnlib_step."""
    loss, grads = rnnlib_loss(params, x, y)
    return loss, rnnlib_step(params, x, y)[1], grads


class TorchStep:
    """``torch.nn.RNN`` + ``nn.Linear`` holding rnnlib's parameters (bias_hh = 0), one call = one
    forward + backward pass. Gradients are set to None before each pass, as
    ``optimizer.zero_grad()`` does."""

    def __init__(self, torch, params, x, y):
        self.torch = torch
        dtype = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}[x.dtype]
        D, H = params["W_xh"].shape
        K = params["W_hy"].shape[1]
        self.rnn = torch.nn.RNN(D, H, nonlinearity="tanh", dtype=dtype)
        self.linear = torch.nn.Linear(H, K, dtype=dtype)
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.from_numpy(params["W_xh"].T.copy()))
            self.rnn.weight_hh_l0.copy_(torch.from_numpy(params["W_hh"].T.copy()))
            self.rnn.bias_ih_l0.copy_(torch.from_numpy(params["b_h"]))
            self.rnn.bias_hh_l0.zero_()
            self.linear.weight.copy_(torch.from_numpy(params["W_hy"].T.copy()))
            self.linear.bias.copy_(torch.from_numpy(params["b_y"]))
        self.x = torch.from_numpy(x).requires_grad_()
        self.y = torch.from_numpy(y)
        self.leaves = [*self.rnn.parameters(), *self.linear.parameters(), self.x]

    def __call__(self):
        for leaf in self.leaves:
            leaf.grad = None
        out, _ = self.rnn(self.x)
        loss = 0.5 * self.torch.nn.functional.mse_loss(self.linear(out), self.y, reduction="sum")
        loss.backward()
        return loss

    def results(self):
        """(loss, dx, grads) of one pass, in rnnlib's layout (rows are examples)."""
        loss = self().item()
        rnn, lin = self.rnn, self.linear
        grads = {"W_xh": rnn.weight_ih_l0.grad.T, "W_hh": rnn.weight_hh_l0.grad.T,
                 "b_h": rnn.bias_ih_l0.grad, "W_hy": lin.weight.grad.T, "b_y": lin.bias.grad}
        return loss, self.x.grad.numpy(), {k: g.numpy() for k, g in grads.items()}


def max_relative_difference(a, b):
    """Largest |a - b| / max|b| over the loss, dx and every gradient of two (loss, dx, grads)."""
    assert a[2].keys() == b[2].keys(), f"gradients of {sorted(a[2])} against {sorted(b[2])}"
    pairs = [(np.array(a[0]), np.array(b[0])), (a[1], b[1])] + [(a[2][k], b[2][k]) for k in b[2]]
    worst = 0.0
    for p, q in pairs:
        p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
        worst = max(worst, float(np.max(np.abs(p - q)) / max(float(np.max(np.abs(q))), 1e-300)))
    return worst


# ---- the gated cells: rnnlib's LSTM / GRU against torch.nn.LSTM / torch.nn.GRU ----------------

GATES = {"lstm": 4, "gru": 3}
INIT = {"lstm": rnnlib.init_lstm_params, "gru": rnnlib.init_gru_params}


def gated_matmul_flops(cell, T, B, D, H, K):
    """matmul_flops with G = 4 (LSTM) or 3 (GRU) gate blocks: x W_xh and h_{t-1} W_hh have G*H
    columns, so 6 N G H (D + H) for the cell and 6 N H K for the output layer."""
    G = GATES[cell]
    return 6 * T * B * H * (G * (D + H) + K)


def make_gated_data(cell, T, B, D, H, K, dtype, seed=0):
    """Parameters as nn.LSTM / nn.GRU initialise them (rnnlib.init_*_params), x and y standard normal."""
    rng = np.random.default_rng(seed)
    params = {k: v.astype(dtype) for k, v in INIT[cell](D, H, K, rng).items()}
    x = rng.standard_normal((T, B, D)).astype(dtype)
    y = rng.standard_normal((T, B, K)).astype(dtype)
    return params, x, y


def gated_loss(cell, params, x, y):
    """The timed rnnlib call: ``rnn_loss(..., cell=cell)`` (checks once, forward, BPTT)."""
    return rnnlib.rnn_loss(params, x, y, cell=cell)


def gated_results(cell, params, x, y):
    """(loss, dx, grads) of rnnlib's gated network, dx from the public layer calls chained."""
    loss, grads = gated_loss(cell, params, x, y)
    forward, backward = {"lstm": (rnnlib.lstm_forward, rnnlib.lstm_backward),
                         "gru": (rnnlib.gru_forward, rnnlib.gru_backward)}[cell]
    h, cache = forward(x, params)
    o, out_cache = rnnlib.output_forward(h, params)
    dh, _ = rnnlib.output_backward(rnnlib.mse_loss(o, y)[1], out_cache)
    return loss, backward(dh, cache)[0], grads


class TorchGatedStep:
    """``torch.nn.LSTM`` / ``torch.nn.GRU`` + ``nn.Linear`` holding rnnlib's parameters, one call =
    one forward + backward pass (gradients set to None first). LSTM: bias_hh = 0; GRU:
    bias_hh = [0 | 0 | b_hn]."""

    def __init__(self, torch, cell, params, x, y):
        self.torch, self.cell = torch, cell
        dtype = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}[x.dtype]
        D, GH = params["W_xh"].shape
        H, K = params["W_hh"].shape[0], params["W_hy"].shape[1]
        self.rnn = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H, dtype=dtype)
        self.linear = torch.nn.Linear(H, K, dtype=dtype)
        bias_hh = (np.zeros(GH, x.dtype) if cell == "lstm"
                   else np.concatenate([np.zeros(2 * H, x.dtype), params["b_hn"]]))
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.from_numpy(params["W_xh"].T.copy()))
            self.rnn.weight_hh_l0.copy_(torch.from_numpy(params["W_hh"].T.copy()))
            self.rnn.bias_ih_l0.copy_(torch.from_numpy(params["b_h"]))
            self.rnn.bias_hh_l0.copy_(torch.from_numpy(bias_hh))
            self.linear.weight.copy_(torch.from_numpy(params["W_hy"].T.copy()))
            self.linear.bias.copy_(torch.from_numpy(params["b_y"]))
        self.x = torch.from_numpy(x).requires_grad_()
        self.y = torch.from_numpy(y)
        self.leaves = [*self.rnn.parameters(), *self.linear.parameters(), self.x]

    def __call__(self):
        for leaf in self.leaves:
            leaf.grad = None
        out, _ = self.rnn(self.x)
        loss = 0.5 * self.torch.nn.functional.mse_loss(self.linear(out), self.y, reduction="sum")
        loss.backward()
        return loss

    def results(self):
        """(loss, dx, grads) of one pass, in rnnlib's layout (rows are examples)."""
        loss = self().item()
        rnn, lin = self.rnn, self.linear
        grads = {"W_xh": rnn.weight_ih_l0.grad.T, "W_hh": rnn.weight_hh_l0.grad.T,
                 "b_h": rnn.bias_ih_l0.grad, "W_hy": lin.weight.grad.T, "b_y": lin.bias.grad}
        if self.cell == "gru":
            grads["b_hn"] = rnn.bias_hh_l0.grad[2 * rnn.hidden_size:]
        return loss, self.x.grad.numpy(), {k: g.numpy() for k, g in grads.items()}

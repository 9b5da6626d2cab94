"""Random parameters for the gated cells (LSTM, GRU) and their reference equations, one Python
float at a time, written from the equations of rnnlib.lstm and rnnlib.gru (not from their code)."""
import math

import numpy as np

from helpers import random_params

GATE_COUNT = {"rnn": 1, "lstm": 4, "gru": 3}


def random_cell_params(rng, cell, D, H, K, scale=0.5):
    """Parameters of ``cell`` with its output layer (float64).

    The RNN's are helpers.random_params. For a gated cell every block of W_hh is a random
    rotation times a gain in [0.8, 1.2] of random sign (so the influence of h0 neither vanishes
    nor explodes over T <= 5 steps, and finite differences resolve dL/dh0), the other arrays are
    standard normal times ``scale``.
    """
    if cell == "rnn":
        return random_params(rng, D, H, K, scale)
    G = GATE_COUNT[cell]
    out = random_params(rng, D, H, K, scale)
    blocks = [random_params(rng, 1, H, 1)["W_hh"] for _ in range(G)]
    params = {"W_xh": scale * rng.standard_normal((D, G * H)), "W_hh": np.concatenate(blocks, axis=1),
              "b_h": scale * rng.standard_normal(G * H)}
    if cell == "gru":
        params["b_hn"] = scale * rng.standard_normal(H)
    return {**params, "W_hy": out["W_hy"], "b_y": out["b_y"]}


def cell_keys(cell):
    return {"rnn": ("W_xh", "W_hh", "b_h"), "lstm": ("W_xh", "W_hh", "b_h"),
            "gru": ("W_xh", "W_hh", "b_h", "b_hn")}[cell]


def _sigmoid(a):
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    return math.exp(a) / (1.0 + math.exp(a))


def _affine(x_row, h_row, params, column):
    """x W_xh[:, column] + h W_hh[:, column] + b_h[column] for one example (Python floats)."""
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    return (math.fsum(x_row[d] * W_xh[d, column] for d in range(len(x_row)))
            + math.fsum(h_row[k] * W_hh[k, column] for k in range(len(h_row))) + b_h[column])


def reference_lstm(x, params, h0, c0):
    """h (T, B, H) and c (T, B, H) of the LSTM equations, one scalar at a time."""
    T, B, _ = x.shape
    H = params["W_hh"].shape[0]
    h, c = np.zeros((T, B, H)), np.zeros((T, B, H))
    for b in range(B):
        h_prev, c_prev = list(h0[b]), list(c0[b])
        for t in range(T):
            h_new, c_new = [], []
            for j in range(H):
                i = _sigmoid(_affine(x[t, b], h_prev, params, j))
                f = _sigmoid(_affine(x[t, b], h_prev, params, H + j))
                g = math.tanh(_affine(x[t, b], h_prev, params, 2 * H + j))
                o = _sigmoid(_affine(x[t, b], h_prev, params, 3 * H + j))
                c_new.append(f * c_prev[j] + i * g)
                h_new.append(o * math.tanh(c_new[-1]))
            h[t, b], c[t, b] = h_new, c_new
            h_prev, c_prev = h_new, c_new
    return h, c


def reference_gru(x, params, h0):
    """h (T, B, H) of the GRU equations (PyTorch's variant), one scalar at a time."""
    T, B, D = x.shape
    H = params["W_hh"].shape[0]
    W_xh, W_hh, b_h, b_hn = params["W_xh"], params["W_hh"], params["b_h"], params["b_hn"]
    h = np.zeros((T, B, H))
    for b in range(B):
        h_prev = list(h0[b])
        for t in range(T):
            h_new = []
            for j in range(H):
                r = _sigmoid(_affine(x[t, b], h_prev, params, j))
                z = _sigmoid(_affine(x[t, b], h_prev, params, H + j))
                x_n = math.fsum(x[t, b, d] * W_xh[d, 2 * H + j] for d in range(D)) + b_h[2 * H + j]
                h_n = math.fsum(h_prev[k] * W_hh[k, 2 * H + j] for k in range(H)) + b_hn[j]
                n = math.tanh(x_n + r * h_n)
                h_new.append((1 - z) * n + z * h_prev[j])
            h[t, b] = h_new
            h_prev = h_new
    return h

"""Optional cross-check against PyTorch in float64: same outputs, losses and gradients to 1e-10.

The mapping (see the package docstring): weight_ih_l0 = W_xh^T, weight_hh_l0 = W_hh^T,
bias_ih_l0 = b_h, bias_hh_l0 = 0, Linear.weight = W_hy^T, Linear.bias = b_y.
"""
import numpy as np
import pytest

import rnnlib
from helpers import random_params, random_targets, rnn_input_gradients

torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional: make torch); cross-check skipped")
F = torch.nn.functional

TOL = dict(rtol=1e-10, atol=1e-12)
SHAPES = [(1, 1, 1, 1, 1), (3, 2, 4, 5, 3), (5, 4, 2, 3, 6), (7, 1, 3, 2, 2)]  # T, B, D, H, K


def torch_network(params, nonlinearity):
    D, H = params["W_xh"].shape
    K = params["W_hy"].shape[1]
    rnn = torch.nn.RNN(D, H, nonlinearity=nonlinearity, batch_first=False, dtype=torch.float64)
    linear = torch.nn.Linear(H, K, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params["W_xh"].T))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params["W_hh"].T))
        rnn.bias_ih_l0.copy_(torch.from_numpy(params["b_h"]))
        rnn.bias_hh_l0.zero_()
        linear.weight.copy_(torch.from_numpy(params["W_hy"].T))
        linear.bias.copy_(torch.from_numpy(params["b_y"]))
    return rnn, linear


def torch_loss(o, targets, loss, reduction):
    if loss == "cross_entropy":
        return F.cross_entropy(o.reshape(-1, o.shape[-1]), targets.reshape(-1), reduction=reduction)
    half_sse = 0.5 * ((o - targets) ** 2).sum()
    return half_sse if reduction == "sum" else half_sse / (o.numel() // o.shape[-1])


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}-B{}-D{}-H{}-K{}".format(*s))
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("out", ["all", "last"])
@pytest.mark.parametrize("loss, reduction", [("mse", "sum"), ("mse", "mean"),
                                             ("cross_entropy", "sum"), ("cross_entropy", "mean")])
def test_rnn_matches_torch(shape, nonlinearity, out, loss, reduction):
    T, B, D, H, K = shape
    rng = np.random.default_rng(sum(shape))
    params, x, h0 = random_params(rng, D, H, K), rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    targets = random_targets(rng, loss, (T, B) if out == "all" else (B,), K)

    rnn, linear = torch_network(params, nonlinearity)
    x_t = torch.tensor(x, requires_grad=True)
    h0_t = torch.tensor(h0[None], requires_grad=True)
    h_t, _ = rnn(x_t, h0_t)
    o_t = linear(h_t if out == "all" else h_t[-1])
    loss_t = torch_loss(o_t, torch.from_numpy(targets), loss, reduction)
    loss_t.backward()

    options = dict(loss=loss, reduction=reduction, outputs=out, activation=nonlinearity)
    h, _ = rnnlib.rnn_forward(x, params, h0, nonlinearity)
    np.testing.assert_allclose(h, h_t.detach().numpy(), **TOL)
    np.testing.assert_allclose(rnnlib.rnn_predict(params, x, outputs=out, h0=h0, activation=nonlinearity),
                               o_t.detach().numpy(), **TOL)
    value, grads = rnnlib.rnn_loss(params, x, targets, h0=h0, **options)
    np.testing.assert_allclose(value, loss_t.item(), **TOL)

    torch_grads = {"W_xh": rnn.weight_ih_l0.grad.T, "W_hh": rnn.weight_hh_l0.grad.T, "b_h": rnn.bias_ih_l0.grad,
                   "W_hy": linear.weight.grad.T, "b_y": linear.bias.grad}
    for k, g in torch_grads.items():
        np.testing.assert_allclose(grads[k], g.numpy(), **TOL, err_msg=k)
    np.testing.assert_allclose(grads["b_h"], rnn.bias_hh_l0.grad.numpy(), **TOL)

    dx, dh0 = rnn_input_gradients(params, x, h0, targets, **options)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), **TOL)
    np.testing.assert_allclose(dh0, h0_t.grad[0].numpy(), **TOL)


@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
def test_softmax_and_log_softmax_match_torch(scale):
    logits = scale * np.random.default_rng(5).standard_normal((4, 3, 6))
    np.testing.assert_allclose(rnnlib.softmax(logits), torch.softmax(torch.from_numpy(logits), -1).numpy(), **TOL)
    np.testing.assert_allclose(rnnlib.log_softmax(logits), torch.log_softmax(torch.from_numpy(logits), -1).numpy(),
                               **TOL)


# ---- the gated cells: torch.nn.LSTM / torch.nn.GRU + nn.Linear ----------------------------------
# LSTM: weight_ih_l0 = W_xh^T, weight_hh_l0 = W_hh^T, bias_ih_l0 = b_h, bias_hh_l0 = 0 (gates i, f, g, o).
# GRU: weight_ih_l0 = W_xh^T, weight_hh_l0 = W_hh^T, bias_ih_l0 = b_h, bias_hh_l0 = [0 | 0 | b_hn]
# (gates r, z, n; PyTorch's n = tanh(x W_xn + b_xn + r * (h W_hn + b_hn))).

def torch_gated_network(cell, params):
    D, GH = params["W_xh"].shape
    H, K = params["W_hh"].shape[0], params["W_hy"].shape[1]
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H, dtype=torch.float64)
    linear = torch.nn.Linear(H, K, dtype=torch.float64)
    bias_hh = np.zeros(GH) if cell == "lstm" else np.concatenate([np.zeros(2 * H), params["b_hn"]])
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(params["W_xh"].T))
        module.weight_hh_l0.copy_(torch.from_numpy(params["W_hh"].T))
        module.bias_ih_l0.copy_(torch.from_numpy(params["b_h"]))
        module.bias_hh_l0.copy_(torch.from_numpy(bias_hh))
        linear.weight.copy_(torch.from_numpy(params["W_hy"].T))
        linear.bias.copy_(torch.from_numpy(params["b_y"]))
    return module, linear


def torch_gated_grads(cell, module, linear):
    """The gradients of a torch pass in rnnlib's keys and layout."""
    H = module.hidden_size
    grads = {"W_xh": module.weight_ih_l0.grad.T, "W_hh": module.weight_hh_l0.grad.T,
             "b_h": module.bias_ih_l0.grad, "W_hy": linear.weight.grad.T, "b_y": linear.bias.grad}
    if cell == "gru":
        grads["b_hn"] = module.bias_hh_l0.grad[2 * H:]
    return grads


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}-B{}-D{}-H{}-K{}".format(*s))
@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("out", ["all", "last"])
@pytest.mark.parametrize("loss, reduction", [("mse", "sum"), ("mse", "mean"),
                                             ("cross_entropy", "sum"), ("cross_entropy", "mean")])
def test_gated_cells_match_torch(shape, cell, out, loss, reduction):
    from gated_helpers import random_cell_params

    T, B, D, H, K = shape
    rng = np.random.default_rng(sum(shape) + len(cell))
    params, x = random_cell_params(rng, cell, D, H, K), rng.standard_normal((T, B, D))
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    targets = random_targets(rng, loss, (T, B) if out == "all" else (B,), K)

    module, linear = torch_gated_network(cell, params)
    x_t = torch.tensor(x, requires_grad=True)
    h0_t, c0_t = torch.tensor(h0[None], requires_grad=True), torch.tensor(c0[None], requires_grad=True)
    h_t, _ = module(x_t, (h0_t, c0_t) if cell == "lstm" else h0_t)
    o_t = linear(h_t if out == "all" else h_t[-1])
    loss_t = torch_loss(o_t, torch.from_numpy(targets), loss, reduction)
    loss_t.backward()

    # rnnlib: the layer calls chained (with c0 for the LSTM), and rnn_loss (c0 = 0) against a second
    # torch pass with c0 = 0.
    if cell == "lstm":
        h, cache = rnnlib.lstm_forward(x, params, h0, c0)
    else:
        h, cache = rnnlib.gru_forward(x, params, h0)
    np.testing.assert_allclose(h, h_t.detach().numpy(), **TOL)
    o, out_cache = rnnlib.output_forward(h if out == "all" else h[-1], params)
    np.testing.assert_allclose(o, o_t.detach().numpy(), **TOL)
    value, do = (rnnlib.mse_loss if loss == "mse" else rnnlib.softmax_cross_entropy)(o, targets, reduction)
    np.testing.assert_allclose(value, loss_t.item(), **TOL)
    dh_out, out_grads = rnnlib.output_backward(do, out_cache)
    dh = dh_out if out == "all" else np.concatenate([np.zeros_like(h[:-1]), dh_out[None]])
    if cell == "lstm":
        dx, dh0, dc0, grads = rnnlib.lstm_backward(dh, cache)
        np.testing.assert_allclose(dc0, c0_t.grad[0].numpy(), **TOL)
    else:
        dx, dh0, grads = rnnlib.gru_backward(dh, cache)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), **TOL)
    np.testing.assert_allclose(dh0, h0_t.grad[0].numpy(), **TOL)
    torch_grads = torch_gated_grads(cell, module, linear)
    grads = {**grads, **out_grads}
    assert grads.keys() == torch_grads.keys()
    for k, g in torch_grads.items():
        np.testing.assert_allclose(grads[k], g.numpy(), **TOL, err_msg=k)
    # PyTorch's bias_hh of r, z (LSTM: of every gate) gets the same gradient as bias_ih's.
    np.testing.assert_allclose(module.bias_hh_l0.grad[:2 * H if cell == "gru" else 4 * H].numpy(),
                               grads["b_h"][:2 * H if cell == "gru" else 4 * H], **TOL)

    for p in (*module.parameters(), *linear.parameters(), x_t, h0_t):
        p.grad = None
    c0_zero = torch.zeros_like(c0_t)
    h_t, _ = module(x_t, (h0_t, c0_zero) if cell == "lstm" else h0_t)
    loss_t = torch_loss(linear(h_t if out == "all" else h_t[-1]), torch.from_numpy(targets), loss, reduction)
    loss_t.backward()
    value, grads = rnnlib.rnn_loss(params, x, targets, loss=loss, reduction=reduction, outputs=out, h0=h0,
                                   cell=cell)
    np.testing.assert_allclose(value, loss_t.item(), **TOL)
    for k, g in torch_gated_grads(cell, module, linear).items():
        np.testing.assert_allclose(grads[k], g.numpy(), **TOL, err_msg=k)


# ---- stacked and bidirectional layers ---------------------------------------------------------
# torch.nn.RNN(num_layers=L, bidirectional=True) holds, for layer l = 0..L-1 (our layer l + 1),
# weight_ih_l{l} = W_xh^T of the forward pass (H, D) for l = 0, (H, 2H) above it, weight_hh_l{l}
# = W_hh^T, bias_ih_l{l} + bias_hh_l{l} = b_h, and the same with the suffix _reverse for the
# backward pass; h_0 is (2L, B, H) with index 2l + d (d = 0 forward, 1 backward), as in
# rnnlib.stacked_forward. Its output [h_t^fwd, h_t^bwd] of the top layer is ours.

def torch_stack(layers, bidirectional, nonlinearity):
    first = layers[0][0] if bidirectional else layers[0]
    D, H = first["W_xh"].shape
    rnn = torch.nn.RNN(D, H, num_layers=len(layers), nonlinearity=nonlinearity,
                       bidirectional=bidirectional, dtype=torch.float64)
    with torch.no_grad():
        for l, layer in enumerate(layers):
            for suffix, p in zip(("", "_reverse"), layer if bidirectional else (layer,)):
                getattr(rnn, f"weight_ih_l{l}{suffix}").copy_(torch.from_numpy(p["W_xh"].T))
                getattr(rnn, f"weight_hh_l{l}{suffix}").copy_(torch.from_numpy(p["W_hh"].T))
                getattr(rnn, f"bias_ih_l{l}{suffix}").copy_(torch.from_numpy(p["b_h"]))
                getattr(rnn, f"bias_hh_l{l}{suffix}").zero_()
    return rnn


@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (5, 3, 2, 4), (4, 2, 3, 1)], ids=lambda s: "T{}-B{}-D{}-H{}".format(*s))
def test_stacked_bidirectional_rnn_matches_torch(shape, nonlinearity, bidirectional):
    T, B, D, H = shape
    L, per = 2, 2 if bidirectional else 1
    rng = np.random.default_rng(sum(shape) + per)

    def layer(D_in):
        p = random_params(rng, D_in, H, 1)
        return {k: p[k] for k in ("W_xh", "W_hh", "b_h")}
    layers = [tuple(layer(D if l == 0 else per * H) for _ in range(per)) if bidirectional
              else layer(D if l == 0 else H) for l in range(L)]
    x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((per * L, B, H))
    upstream = rng.standard_normal((T, B, per * H))

    rnn = torch_stack(layers, bidirectional, nonlinearity)
    x_t, h0_t = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    out_t, _ = rnn(x_t, h0_t)
    (out_t * torch.from_numpy(upstream)).sum().backward()

    h, cache = rnnlib.stacked_forward(x, layers, h0, nonlinearity)
    np.testing.assert_allclose(h, out_t.detach().numpy(), **TOL)
    dx, dh0, grads = rnnlib.stacked_backward(upstream, cache)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), **TOL)
    np.testing.assert_allclose(dh0, h0_t.grad.numpy(), **TOL)
    for l, g in enumerate(grads):
        for suffix, gd in zip(("", "_reverse"), g if bidirectional else (g,)):
            for ours, theirs in (("W_xh", "weight_ih"), ("W_hh", "weight_hh")):
                np.testing.assert_allclose(gd[ours], getattr(rnn, f"{theirs}_l{l}{suffix}").grad.numpy().T,
                                           **TOL, err_msg=f"{ours} layer {l}{suffix}")
            for bias in ("bias_ih", "bias_hh"):
                np.testing.assert_allclose(gd["b_h"], getattr(rnn, f"{bias}_l{l}{suffix}").grad.numpy(),
                                           **TOL, err_msg=f"b_h layer {l}{suffix}")


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_hidden_gradients_of_chapter_7_against_autograd(activation):
    """dL/dh_t for every t (rnnlib.chapters.vanishing.hidden_gradients) against autograd on an
    unrolled torch loop with every h_t kept (retain_grad), L = sum_t <dh_out_t, h_t>."""
    from rnnlib.chapters import vanishing as va

    x, params, h0, dh_out = va.recurrent_setup(activation, 1.2, 7, seed=2, H=5, B=3,
                                               input_scale=0.5)
    dh_out = dh_out + np.random.default_rng(0).standard_normal(dh_out.shape)
    _, cache = rnnlib.rnn_forward(x, params, h0, activation)
    f = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[activation]
    W_xh, W_hh, b_h = (torch.from_numpy(params[k]) for k in ("W_xh", "W_hh", "b_h"))
    h, hs = torch.from_numpy(h0).requires_grad_(), []
    for t in range(x.shape[0]):
        h = f(torch.from_numpy(x[t]) @ W_xh + h @ W_hh + b_h)
        h.retain_grad()
        hs.append(h)
    sum((torch.from_numpy(dh_out[t]) * hs[t]).sum() for t in range(len(hs))).backward()
    expected = np.stack([h.grad.numpy() for h in hs])
    np.testing.assert_allclose(va.hidden_gradients(dh_out, cache), expected, **TOL)
@pytest.mark.parametrize("padding_idx", [None, 0])
def test_embedding_matches_torch(padding_idx):
    rng = np.random.default_rng(3)
    V, D = 5, 3
    ids, W = rng.integers(0, V, (4, 3)), rng.standard_normal((V, D))
    dx = rng.standard_normal((4, 3, D))
    emb = torch.nn.Embedding(V, D, padding_idx=padding_idx, dtype=torch.float64)
    with torch.no_grad():
        emb.weight.copy_(torch.from_numpy(W))
    out = emb(torch.from_numpy(ids))
    (out * torch.from_numpy(dx)).sum().backward()
    x, cache = rnnlib.embedding_forward(ids, W, padding_idx)
    np.testing.assert_allclose(x, out.detach().numpy(), **TOL)
    np.testing.assert_allclose(rnnlib.embedding_backward(dx, cache), emb.weight.grad.numpy(), **TOL)


def test_last_state_matches_torch_packed_sequences():
    rng = np.random.default_rng(4)
    T, B, D, H = 5, 3, 2, 4
    params = random_params(rng, D, H, 2)
    x, lengths = rng.standard_normal((T, B, D)), np.array([5, 2, 3])
    dh_last = rng.standard_normal((B, H))
    rnn, _ = torch_network(params, "tanh")
    xt = torch.from_numpy(x).requires_grad_()
    packed = torch.nn.utils.rnn.pack_padded_sequence(xt, torch.from_numpy(lengths), enforce_sorted=False)
    _, h_n = rnn(packed)
    (h_n[0] * torch.from_numpy(dh_last)).sum().backward()
    h_last, cache = rnnlib.rnn_last_forward(x, params, lengths)
    dx, _, grads = rnnlib.rnn_last_backward(dh_last, cache)
    np.testing.assert_allclose(h_last, h_n[0].detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["W_hh"], rnn.weight_hh_l0.grad.numpy().T, **TOL)

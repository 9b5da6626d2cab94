"""Chapter 4 (The five shapes, stacked and bidirectional): the tasks, the training runs, the
encoder-decoder's reference loss, the diagrams and the widget.

Every network is the RNN of chapters 1-3 (rows are examples, time-major):

    h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h),   o_t = h_t W_hy + b_y

and a shape says where the inputs enter and where the outputs leave:

    one-to-one       T = 1: one input, one output (the FNN of chapter 1)
    one-to-many      an input at step 1 only (zeros after it), an output at every step
    many-to-one      an input at every step, an output at step T only
    many-to-many     an input and an output at every step
    encoder-decoder  an encoder reads x_1..x_T, its last state h_T is the decoder's h_0; the
                     decoder reads a start symbol, then the previous target (teacher forcing) or
                     its own previous answer (free running), and outputs a sequence

Parameters of two-part networks are one flat dict (what :func:`rnnlib.train` updates), the parts
named by a prefix: ``enc_W_xh``, ``dec_W_hy``, ``fwd_W_hh``, ...; :func:`part` takes one part out.
Only NumPy is imported at module level; the functions that draw import matplotlib themselves.
"""
from typing import NamedTuple

import numpy as np

from .. import datasets
from .._validate import (Dims, _describe, array_dict, check_params, choice, generator, integer,
                         params_dict, text)
from ..generate import rnn_generate
from ..init import init_rnn_params
from ..losses import softmax_cross_entropy
from ..model import rnn_loss, rnn_predict
from ..rnn import OUTPUT_KEYS, RNN_KEYS, output_backward, output_forward, rnn_backward, rnn_forward
from ..stacked import birnn_backward, birnn_forward
from ..train import train
from .display import Graph, Slider, figure_html, html_table, interactive

SHAPES = ("one-to-one", "one-to-many", "many-to-one", "many-to-many", "encoder-decoder")
# The task that needs the future, trained one-directional and bidirectional.
RUNS = SHAPES + ("one-directional", "bidirectional")
TASKS = ("quadrants", "sine", "two-frequencies", "delayed-copy", "reverse", "next-larger")
TASK_OF = dict(zip(RUNS, TASKS[:5] + ("next-larger", "next-larger")))
V = 8            # the encoder-decoder's symbols 0..7; the decoder's start symbol is V
START = V
TRAIN_LENGTHS = tuple(range(1, 9))   # the encoder-decoder sees lengths 1..8 in training
ED_BATCH = 64    # the encoder-decoder's sequences per Adam step, drawn from its pool of one length
MAX_NORM = 5.0   # the encoder-decoder's gradient norm is clipped to this

# The tasks' settings (make_data): steps T by task, and the parameters of the waves and the copy.
TASK_T = {"sine": 15, "two-frequencies": 16, "delayed-copy": 12, "reverse": 5, "next-larger": 10}
SINE_W = (0.3, 0.8)          # one-to-many: the frequency w ~ U(SINE_W)
SLOW, FAST = 0.6, 1.2        # many-to-one: the two frequencies, each times a factor ~ U(FACTOR)
FACTOR = (0.8, 1.2)
NOISE = 0.3                  # many-to-one: standard deviation of the Gaussian noise
DELAY = 2                    # many-to-many: the target is the symbol DELAY steps back

# One training run per shape: hidden units, training examples, Adam steps, learning rate.
SETTINGS = {
    "one-to-one": dict(H=16, B=200, steps=300, lr=0.05),
    "one-to-many": dict(H=24, B=128, steps=500, lr=0.01),
    "many-to-one": dict(H=16, B=200, steps=300, lr=0.02),
    "many-to-many": dict(H=16, B=100, steps=300, lr=0.02),
    "encoder-decoder": dict(H=32, B=256, steps=2000, lr=0.01),
    "one-directional": dict(H=16, B=256, steps=600, lr=0.02),
    "bidirectional": dict(H=8, B=256, steps=600, lr=0.02),
}
TEST_B = 500     # held-out examples per run


def make_data(task, B, rng, T=None):
    """A batch of one of the chapter's tasks, in the book's layout (time-major).

        quadrants        x (1, B, 2) uniform in [-1, 1]^2;  y (B,) = 1 if x_1 x_2 > 0 else 0
        sine             x (T, B, 3): x_1 = (cos phi, sin phi, w), x_t = 0 for t > 1;
                         y (T, B, 1) = sin(w t + phi), w ~ U(SINE_W), phi ~ U(0, 2 pi)
        two-frequencies  x (T, B, 1) = sin(w t + phi) + noise;  y (B,) = 1 if w is the fast one
                         (w ~ FAST U(FACTOR)) else 0 (w ~ SLOW U(FACTOR)); noise sd NOISE
        delayed-copy     x (T, B, 4) one-hot symbols 1..3;  y (T, B) = the symbol DELAY steps
                         back (0, blank, at t <= DELAY): :func:`rnnlib.datasets.delayed_echo`
        reverse          x (T, B, V) one-hot digits v_1..v_T;  y (T, B) = v_T..v_1;  x_dec
                         (T, B, V + 1) = the start symbol, then y_1..y_{T-1} one-hot
        next-larger      x (T, B, 1) uniform in [0, 1] (x_{T+1} drawn too);  y (T, B) = 1 if
                         x_t > x_{t+1} else 0

    Parameters
    ----------
    task : one of :data:`TASKS`.
    B : int >= 1, examples.
    rng : numpy.random.Generator
    T : int >= 1, optional; steps (default :data:`TASK_T` of the task; "quadrants" has T = 1).

    Returns
    -------
    dict with "x" and "y" (and "x_dec" for "reverse"), shapes as above.
    """
    choice("task", task, TASKS)
    B = integer("B", B, low=1)
    generator("rng", rng)
    if T is not None:
        T = integer("T", T, low=1)
        if task == "quadrants" and T != 1:
            raise ValueError(f"T must be 1 for task 'quadrants' (one-to-one), got {T}")
    if task == "quadrants":
        x = rng.uniform(-1.0, 1.0, (B, 2))
        return {"x": x[None], "y": (x[:, 0] * x[:, 1] > 0).astype(np.int64)}
    if task == "sine":
        T = T or TASK_T[task]
        w, phi = rng.uniform(*SINE_W, B), rng.uniform(0.0, 2 * np.pi, B)
        x = np.zeros((T, B, 3))
        x[0] = np.stack([np.cos(phi), np.sin(phi), w], axis=1)
        t = np.arange(1, T + 1)[:, None]
        return {"x": x, "y": np.sin(w * t + phi)[..., None]}
    if task == "two-frequencies":
        T = T or TASK_T[task]
        y = rng.integers(0, 2, B)
        w = np.where(y == 1, FAST, SLOW) * rng.uniform(*FACTOR, B)
        t = np.arange(1, T + 1)[:, None]
        x = np.sin(w * t + rng.uniform(0.0, 2 * np.pi, B)) + NOISE * rng.standard_normal((T, B))
        return {"x": x[..., None], "y": y}
    if task == "delayed-copy":
        x, y = datasets.delayed_echo(T or TASK_T[task], B, DELAY, rng, classes=4)
        return {"x": x, "y": y}
    if task == "reverse":
        T = T or TASK_T[task]
        s = rng.integers(0, V, (T, B))
        y = s[::-1].copy()
        shifted = np.concatenate([np.full((1, B), START), y[:-1]])
        return {"x": np.eye(V)[s], "x_dec": np.eye(V + 1)[shifted], "y": y}
    T = T or TASK_T[task]
    u = rng.uniform(0.0, 1.0, (T + 1, B))
    return {"x": u[:T, :, None], "y": (u[:T] > u[1:]).astype(np.int64)}


def part(params, prefix):
    """The arrays of ``params`` whose key starts with ``prefix + "_"``, the prefix removed.

    ``part({"enc_W_xh": A, "dec_W_xh": C}, "enc")`` is ``{"W_xh": A}``.

    Parameters
    ----------
    params : dict, str -> array.
    prefix : str, e.g. "enc", "dec", "fwd", "bwd".

    Returns
    -------
    dict, the arrays (as float arrays) under the shorter keys.
    """
    text("prefix", prefix)
    params = array_dict("params", params)
    picked = {k[len(prefix) + 1:]: v for k, v in params.items()
              if isinstance(k, str) and k.startswith(prefix + "_")}
    if not picked:
        raise ValueError(f"params has no key starting with {prefix + '_'!r}, got "
                         f"{sorted(params, key=str)}")
    return picked


def _check_seq2seq(params, x, x_dec, y):
    """The encoder-decoder's arrays, checked once: (enc, dec, x, x_dec, y)."""
    params_dict(params, [f"enc_{k}" for k in RNN_KEYS] + [f"dec_{k}" for k in RNN_KEYS + OUTPUT_KEYS])
    dims = Dims()
    x = dims.array("x", x, "T B D")
    enc = {k: dims.array(f"params['enc_{k}']", params[f"enc_{k}"], s) for k, s in
           (("W_xh", "D H"), ("W_hh", "H H"), ("b_h", "H"))}
    dec = {k: dims.array(f"params['dec_{k}']", params[f"dec_{k}"], s) for k, s in
           (("W_xh", "E H"), ("W_hh", "H H"), ("b_h", "H"), ("W_hy", "H K"), ("b_y", "K"))}
    x_dec = dims.array("x_dec", x_dec, "S B E")
    y = dims.labels("y", y, "S B")
    return enc, dec, x, x_dec, y


def seq2seq_loss(params, x, x_dec, y, reduction="sum"):
    """Loss and gradients of the encoder-decoder, trained with teacher forcing.

        encoder:  h_t = tanh(x_t W_xh^enc + h_{t-1} W_hh^enc + b_h^enc),  t = 1..T,  h_0 = 0
        decoder:  s_0 = h_T,  s_u = tanh(x_dec_u W_xh^dec + s_{u-1} W_hh^dec + b_h^dec),
                  o_u = s_u W_hy + b_y,  L = sum (or mean) over u and B of cross-entropy(o_u, y_u)
        backward: the decoder's dh0 = dL/ds_0 = dL/dh_T enters the encoder at its last step only

    Parameters
    ----------
    params : dict with enc_W_xh (D, H), enc_W_hh (H, H), enc_b_h (H,), dec_W_xh (E, H),
        dec_W_hh (H, H), dec_b_h (H,), dec_W_hy (H, K), dec_b_y (K,)
    x : (T, B, D), the encoder's inputs.
    x_dec : (S, B, E), the decoder's inputs (start symbol, then the targets shifted by one).
    y : (S, B) class indices in [0, K), the targets.
    reduction : {"sum", "mean"}, over the S * B positions.

    Returns
    -------
    loss : float
    grads : dict with the keys and shapes of ``params`` (those eight)
    """
    choice("reduction", reduction, ("sum", "mean"))
    enc, dec, x, x_dec, y = _check_seq2seq(params, x, x_dec, y)
    h_enc, enc_cache = rnn_forward(x, enc, check=False)
    h_dec, dec_cache = rnn_forward(x_dec, dec, h_enc[-1], check=False)
    o, out_cache = output_forward(h_dec, dec, check=False)
    loss, do = softmax_cross_entropy(o, y, reduction, check=False)
    dh_dec, g_out = output_backward(do, out_cache, check=False)
    _, dh0_dec, g_dec = rnn_backward(dh_dec, dec_cache, check=False)
    dh_enc = np.zeros_like(h_enc)
    dh_enc[-1] = dh0_dec
    _, _, g_enc = rnn_backward(dh_enc, enc_cache, check=False)
    return loss, {**{f"enc_{k}": g for k, g in g_enc.items()},
                  **{f"dec_{k}": g for k, g in {**g_dec, **g_out}.items()}}


def seq2seq_accuracy(params, x, x_dec, y):
    """Accuracies of the encoder-decoder, teacher-forced and free-running.

    Teacher-forced: the decoder reads x_dec (the true previous symbols). Free-running: it reads
    the start symbol, then its own previous answer (:func:`rnnlib.rnn_generate`, feed="argmax").
    A sequence counts as right when all its S symbols are.

    Parameters are those of :func:`seq2seq_loss` without ``reduction``.

    Returns
    -------
    dict with "teacher_token", "teacher_sequence", "free_token", "free_sequence", each a
    fraction in [0, 1].
    """
    enc, dec, x, x_dec, y = _check_seq2seq(params, x, x_dec, y)
    h_enc, _ = rnn_forward(x, enc, check=False)
    h_dec, _ = rnn_forward(x_dec, dec, h_enc[-1], check=False)
    teacher = output_forward(h_dec, dec, check=False)[0].argmax(axis=2) == y
    o_free, _ = rnn_generate(dec, x_dec[0], len(y), h_enc[-1], check=False)
    free = o_free.argmax(axis=2) == y
    return {"teacher_token": float(teacher.mean()), "teacher_sequence": float(teacher.all(0).mean()),
            "free_token": float(free.mean()), "free_sequence": float(free.all(0).mean())}


def birnn_loss(params, x, y, reduction="sum"):
    """Loss and gradients of a bidirectional RNN tagger: a class at every step from both states.

        h_t = [h_t^fwd, h_t^bwd] (:func:`rnnlib.birnn_forward`),  o_t = h_t W_hy + b_y,
        L = sum (or mean) over t and B of cross-entropy(o_t, y_t)

    Parameters
    ----------
    params : dict with fwd_W_xh (D, H), fwd_W_hh (H, H), fwd_b_h (H,), the same with bwd_, and
        W_hy (2H, K), b_y (K,)
    x : (T, B, D)
    y : (T, B) class indices in [0, K).
    reduction : {"sum", "mean"}

    Returns
    -------
    loss : float
    grads : dict with the keys and shapes of ``params``
    o : (T, B, K), the logits.
    """
    choice("reduction", reduction, ("sum", "mean"))
    keys = [f"{d}_{k}" for d in ("fwd", "bwd") for k in RNN_KEYS] + list(OUTPUT_KEYS)
    params_dict(params, keys)
    dims = Dims()
    x = dims.array("x", x, "T B D")
    checked = {}
    for d in ("fwd", "bwd"):
        for k, s in (("W_xh", "D H"), ("W_hh", "H H"), ("b_h", "H")):
            checked[f"{d}_{k}"] = dims.array(f"params['{d}_{k}']", params[f"{d}_{k}"], s)
    dims.size["H2"], dims.source["H2"] = 2 * dims.size["H"], "twice H (both directions)"
    checked["W_hy"] = dims.array("params['W_hy']", params["W_hy"], "H2 K")
    checked["b_y"] = dims.array("params['b_y']", params["b_y"], "K")
    y = dims.labels("y", y, "T B")
    h, cache = birnn_forward(x, part(checked, "fwd"), part(checked, "bwd"), check=False)
    o, out_cache = output_forward(h, checked, check=False)
    loss, do = softmax_cross_entropy(o, y, reduction, check=False)
    dh, g_out = output_backward(do, out_cache, check=False)
    _, _, (g_f, g_b) = birnn_backward(dh, cache, check=False)
    return loss, {**{f"fwd_{k}": g for k, g in g_f.items()},
                  **{f"bwd_{k}": g for k, g in g_b.items()}, **g_out}, o


class ShapeRun(NamedTuple):
    """What :func:`train_shape` returns."""

    shape: str           # one of RUNS
    train: dict          # the training data (for the encoder-decoder: length -> data)
    test: dict           # held-out data from the same task (encoder-decoder: its default length)
    training: object     # the rnnlib.Training of the run (params, losses, ...)
    score: float         # held-out: accuracy, or for one-to-many the variance explained
    chance: float        # what guessing gets: the majority class, or 0 (predicting the mean)


_RUNS = {}


def _init(shape, H, rng):
    """Initial parameters of a run (the flat dict :func:`rnnlib.train` updates)."""
    if shape == "encoder-decoder":
        enc = init_rnn_params(V, H, 1, rng)
        dec = init_rnn_params(V + 1, H, V, rng)
        return {**{f"enc_{k}": enc[k] for k in RNN_KEYS}, **{f"dec_{k}": v for k, v in dec.items()}}
    if shape == "bidirectional":
        f, b = init_rnn_params(1, H, 2, rng), init_rnn_params(1, H, 2, rng)
        return {**{f"fwd_{k}": f[k] for k in RNN_KEYS}, **{f"bwd_{k}": b[k] for k in RNN_KEYS},
                "W_hy": rng.uniform(-1, 1, (2 * H, 2)) / np.sqrt(2 * H), "b_y": np.zeros(2)}
    D, K = {"one-to-one": (2, 2), "one-to-many": (3, 1), "many-to-one": (1, 2),
            "many-to-many": (4, 4), "one-directional": (1, 2)}[shape]
    return init_rnn_params(D, H, K, rng)


def _shape_loss(shape, params, data):
    """The loss a run of ``shape`` minimises on ``data`` (mean over the positions with a target).

        one-to-one, many-to-one    rnn_loss(..., loss="cross_entropy", outputs="last")
        one-to-many                rnn_loss(..., loss="mse")            (outputs at every step)
        many-to-many, one-dir.     rnn_loss(..., loss="cross_entropy")  (outputs at every step)
        encoder-decoder            seq2seq_loss;  bidirectional  birnn_loss

    Parameters
    ----------
    shape : one of :data:`RUNS`.
    params : dict, the run's parameters (see :func:`train_shape`).
    data : dict from :func:`make_data` for the shape's task.

    Returns
    -------
    loss : float
    grads : dict with the keys and shapes of ``params``
    """
    choice("shape", shape, RUNS)
    params_dict(data, ("x", "y") + (("x_dec",) if shape == "encoder-decoder" else ()), "data",
                "a dict of arrays from make_data")
    x, y = data["x"], data["y"]
    if shape == "encoder-decoder":
        return seq2seq_loss(params, x, data["x_dec"], y, reduction="mean")
    if shape == "bidirectional":
        return birnn_loss(params, x, y, reduction="mean")[:2]
    if shape == "one-to-many":
        return rnn_loss(params, x, y, loss="mse", reduction="mean")
    outputs = "last" if shape in ("one-to-one", "many-to-one") else "all"
    return rnn_loss(params, x, y, loss="cross_entropy", reduction="mean", outputs=outputs)


def _predict(shape, params, data):
    """Held-out predictions: class indices, or the outputs for one-to-many."""
    if shape == "bidirectional":
        return birnn_loss(params, data["x"], data["y"])[2].argmax(axis=2)
    outputs = "last" if shape in ("one-to-one", "many-to-one") else "all"
    o = rnn_predict(params, data["x"], outputs=outputs)
    return o if shape == "one-to-many" else o.argmax(axis=-1)


def train_shape(shape, seed=0):
    """Train the network of one shape on its task, and score it on held-out data.

    Data from :func:`make_data` (the task of :data:`TASK_OF`), parameters from
    :func:`rnnlib.init_rnn_params`, then :func:`rnnlib.train` with Adam on the shape's loss
    (sizes in :data:`SETTINGS`); one Generator seeded with ``seed`` draws everything. The
    encoder-decoder trains on lengths 1..8, one length per step in turn (:data:`ED_BATCH`
    sequences drawn from a pool of B per length, the gradient norm clipped to :data:`MAX_NORM`),
    and is scored on length ``TASK_T["reverse"]``. The score: accuracy on the positions with a
    target (many-to-many: after the DELAY blank steps); for one-to-many the variance
    explained, 1 - MSE / Var(y). Runs are remembered: a second call with the same arguments
    returns the same ShapeRun.

    Parameters
    ----------
    shape : one of :data:`RUNS`.
    seed : int >= 0

    Returns
    -------
    ShapeRun
    """
    choice("shape", shape, RUNS)
    seed = integer("seed", seed, low=0)
    if (shape, seed) in _RUNS:
        return _RUNS[shape, seed]
    s = SETTINGS[shape]
    rng = np.random.default_rng(seed)
    task = TASK_OF[shape]
    params = _init(shape, s["H"], rng)
    if shape == "encoder-decoder":
        pool = {T: make_data(task, s["B"], rng, T) for T in TRAIN_LENGTHS}
        step = [0]

        def loss_fn(p):
            T = TRAIN_LENGTHS[step[0] % len(TRAIN_LENGTHS)]
            step[0] += 1
            pick = rng.integers(0, s["B"], ED_BATCH)
            return _shape_loss(shape, p, {k: a[:, pick] for k, a in pool[T].items()})
        data, test = pool, make_data(task, TEST_B, rng)   # length TASK_T["reverse"]
        training = train(loss_fn, params, s["steps"], lr=s["lr"], optimizer="adam",
                         max_norm=MAX_NORM)
    else:
        data, test = make_data(task, s["B"], rng), make_data(task, TEST_B, rng)
        training = train(lambda p: _shape_loss(shape, p, data), params, s["steps"], lr=s["lr"],
                         optimizer="adam")
    score, chance = _score(shape, training.params, test)
    _RUNS[shape, seed] = ShapeRun(shape, data, test, training, score, chance)
    return _RUNS[shape, seed]


def _score(shape, params, test):
    """(held-out score, what guessing gets) of a run."""
    y = test["y"]
    if shape == "encoder-decoder":
        return seq2seq_accuracy(params, test["x"], test["x_dec"], y)["free_sequence"], 0.0
    pred = _predict(shape, params, test)
    if shape == "one-to-many":
        return float(1 - np.mean((pred - y) ** 2) / np.var(y)), 0.0
    if shape == "many-to-many":
        pred, y = pred[DELAY:], y[DELAY:]   # steps 1..DELAY are blanks: nothing to copy yet
    chance = np.bincount(y.ravel()).max() / y.size
    return float(np.mean(pred == y)), float(chance)


# ---- the diagrams ----------------------------------------------------------------------------

DIAGRAMS = SHAPES + ("bidirectional",)


def shape_graph(shape, T=3):
    """Nodes and edges of one shape unrolled over T steps (the encoder-decoder: T + T).

    Inputs sit at y = 0, states at y = 1, outputs at y = 2 (display.unrolled_graph's layout);
    the bidirectional layer has its backward states at y = 2 and its outputs at y = 3. The
    encoder-decoder's decoder states are s_1..s_T at x = T + 1..2T, its inputs z_1 (the start
    symbol) and z_2..z_T; the dotted edges o_{u-1} -> z_u say that, free-running, z_u is the
    one-hot of the answer argmax o_{u-1} (teacher-forced, of the target y_{u-1}).

    Parameters
    ----------
    shape : one of :data:`DIAGRAMS`.
    T : int in [1, 8], steps; 1 for "one-to-one" whatever is given.

    Returns
    -------
    display.Graph : ``nodes`` (name -> (x, y, TeX label)), ``edges`` ((source, target, label)).
    """
    choice("shape", shape, DIAGRAMS)
    T = 1 if shape == "one-to-one" else integer("T", T, low=1, high=8)
    nodes, edges = {}, []

    def node(name, x, y, label):
        nodes[name] = (x, y, label)

    if shape == "bidirectional":
        for t in range(1, T + 1):
            node(f"x_{t}", t, 0, f"$x_{{{t}}}$")
            node(f"f_{t}", t, 1, rf"$\overrightarrow{{h}}_{{{t}}}$")
            node(f"b_{t}", t, 2, rf"$\overleftarrow{{h}}_{{{t}}}$")
            node(f"o_{t}", t, 3, f"$o_{{{t}}}$")
            edges += [(f"x_{t}", f"f_{t}", ""), (f"x_{t}", f"b_{t}", ""),
                      (f"f_{t}", f"o_{t}", ""), (f"b_{t}", f"o_{t}", "")]
            if t > 1:
                edges += [(f"f_{t - 1}", f"f_{t}", "$W_{hh}^{fwd}$"),
                          (f"b_{t}", f"b_{t - 1}", "$W_{hh}^{bwd}$")]
        return Graph(nodes, edges)
    inputs = {"one-to-one": [1], "one-to-many": [1], "many-to-one": range(1, T + 1),
              "many-to-many": range(1, T + 1), "encoder-decoder": range(1, T + 1)}[shape]
    outputs = {"one-to-one": [1], "one-to-many": range(1, T + 1), "many-to-one": [T],
               "many-to-many": range(1, T + 1), "encoder-decoder": []}[shape]
    for t in range(1, T + 1):
        node(f"h_{t}", t, 1, f"$h_{{{t}}}$")
        if t > 1:
            edges.append((f"h_{t - 1}", f"h_{t}", "$W_{hh}$"))
    for t in inputs:
        node(f"x_{t}", t, 0, f"$x_{{{t}}}$")
        edges.append((f"x_{t}", f"h_{t}", "$W_{xh}$"))
    for t in outputs:
        node(f"o_{t}", t, 2, f"$o_{{{t}}}$")
        edges.append((f"h_{t}", f"o_{t}", "$W_{hy}$"))
    if shape == "encoder-decoder":
        for u in range(1, T + 1):
            node(f"s_{u}", T + u, 1, f"$s_{{{u}}}$")
            node(f"d_{u}", T + u, 0, r"$\langle s \rangle$" if u == 1 else f"$z_{{{u}}}$")
            node(f"o_{u}", T + u, 2, f"$o_{{{u}}}$")
            edges += [(f"h_{T}" if u == 1 else f"s_{u - 1}", f"s_{u}",
                       "$h_T$" if u == 1 else ""), (f"d_{u}", f"s_{u}", ""),
                      (f"s_{u}", f"o_{u}", "")]
            if u > 1:
                edges.append((f"o_{u - 1}", f"d_{u}", "feed"))
    return Graph(nodes, edges)


def draw_shape(shape, T=3, ax=None):
    """Draw :func:`shape_graph` in the style of ``display.draw_unrolled_graph``.

    Parameters
    ----------
    shape : one of :data:`DIAGRAMS`.
    T : int in [1, 8], steps.
    ax : matplotlib Axes, optional; a new figure when omitted.

    Returns
    -------
    fig : matplotlib Figure
    """
    graph = shape_graph(shape, T)
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.patches import FancyArrowPatch

    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {_describe(ax)}")
    xs = [p[0] for p in graph.nodes.values()]
    ys = [p[1] for p in graph.nodes.values()]
    if ax is None:
        _, ax = plt.subplots(figsize=(0.6 + 1.1 * (max(xs) - min(xs) + 1), 0.6 + 0.9 * (max(ys) + 1)),
                             layout="constrained")
    for source, target, label in graph.edges:
        (x0, y0, _), (x1, y1, _) = graph.nodes[source], graph.nodes[target]
        feed = label == "feed"
        # feed-back edges curve; an edge that skips a row (x_t -> backward state, forward state
        # -> o_t) bends round the node in between, to the left or to the right
        bend = -0.25 if feed else {(0, 2): 0.45, (1, 3): -0.45}.get((y0, y1), 0.0)
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10,
                                     shrinkA=13, shrinkB=13, color="#1f5fa8" if feed else "0.35",
                                     lw=1.1, ls=":" if feed else "-",
                                     connectionstyle=f"arc3,rad={bend}"))
        if label == "$h_T$":
            ax.text((x0 + x1) / 2, y0 + 0.16, r"$s_0 = h_T$", fontsize=8, color="#8b1a1a",
                    ha="center")
    for name, (x, y, label) in graph.nodes.items():
        face = {"x": "#e8f0fe", "d": "#e8f0fe", "h": "#fff4d6", "s": "#fdebd0", "f": "#fff4d6",
                "b": "#fdebd0", "o": "#e6f4ea"}[name[0]]
        ax.text(x, y, label, ha="center", va="center", fontsize=9, zorder=3,
                bbox=dict(boxstyle="circle,pad=0.3", fc=face, ec="0.3", lw=1))
    ax.set(xlim=(min(xs) - 0.6, max(xs) + 0.6), ylim=(-0.5, max(ys) + 0.5), aspect="equal")
    ax.set_title(shape, fontsize=10)
    ax.axis("off")
    return ax.figure


# ---- the widget ------------------------------------------------------------------------------

SHAPE_SLIDERS = {"shape": Slider(0, 0, len(SHAPES) - 1, 1)}


def _array_rows(shape, run):
    """(array, shape) rows for the widget's table: the held-out data and the parameters."""
    rows = [(f"{name} (held-out)", str(a.shape)) for name, a in run.test.items()]
    return rows + [(f"params['{k}']", str(p.shape)) for k, p in run.training.params.items()]


def shape_view(shape=0):
    """The widget's view: one shape's diagram, its arrays' shapes and its held-out result.

    Parameters
    ----------
    shape : int in [0, 4], the index in :data:`SHAPES` (one-to-one .. encoder-decoder).

    Returns
    -------
    str : HTML, the diagram (an inline PNG) beside a table (task, score, shapes).
    """
    shape = integer("shape", shape, low=0, high=len(SHAPES) - 1)
    name = SHAPES[shape]
    run = train_shape(name)
    import matplotlib.pyplot as plt

    fig = draw_shape(name, 3)
    picture = figure_html(fig, dpi=70)
    plt.close(fig)
    what = "variance explained" if name == "one-to-many" else "accuracy"
    if name == "encoder-decoder":
        what = f"whole-sequence accuracy, free-running, length {TASK_T['reverse']}"
    rows = [("shape", name), ("task", TASK_OF[name]), (f"held-out {what}", f"{run.score:.3f}"),
            ("chance", f"{run.chance:.3f}")] + _array_rows(name, run)
    return (f'<div style="display:flex;gap:1.5em;align-items:flex-start"><div>{picture}</div>'
            f'<div>{html_table(["quantity", "value"], rows)}</div></div>')


def shape_widget():
    """A slider over the five shapes, showing :func:`shape_view`."""
    return interactive(shape_view, SHAPE_SLIDERS)

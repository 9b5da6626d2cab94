"""Chapter 5's helpers: the book's prose as a text, n-gram baselines, the training run's plumbing,
samples, hidden-unit strips and the widget.

The text is the book's own prose (intro, notation, the markdown cells of chapters 1-4), extracted
once by ``python -m rnnlib.chapters.charlm extract`` (run from the repository's root) to
``charlm_prose.txt`` beside this module: lower case, markup, code and display math dropped,
inline math reduced to its letters and digits, the alphabet :data:`ALPHABET` (V = 47: newline,
space, ' ( ) , - . : ; ?, the digits and a-z). The last 10 % is held out. The text is committed,
so the chapter's numbers do not move when the prose is edited.

``python -m rnnlib.chapters.charlm train`` makes ``charlm_model.npz``: a longer run of the
chapter's recipe with early stopping (its curves and its best parameters), which the widget and
the chapter's "longer run" figure read; ``... adagrad`` saves the same loop's curves with
min-char-rnn's Adagrad (``charlm_adagrad.npz``) and ``... short-k`` two models trained with
chunks of k = 4 and k = 32 (``charlm_short_k.npz``). tests/test_chapter_charlm.py checks the
numbers of all three files.

Bits per character (bpc) of a model on a text c_1..c_N: -(1/N) sum_t log2 p(c_t | c_<t).
"""
from __future__ import annotations

import json
import math
import re
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .._validate import Dims, check_params, choice, integer, real_number, text as check_text
from ..init import init_rnn_params
from ..losses import softmax_cross_entropy
from ..optim import adam_init, adam_step, clip_grad_norm
from ..rnn import OUTPUT_KEYS, RNN_KEYS, output_backward, output_forward, rnn_backward, rnn_forward
from ..sample import rnn_sample

ALPHABET = "\n '(),-.:;?0123456789abcdefghijklmnopqrstuvwxyz"
V = len(ALPHABET)
INDEX = {c: i for i, c in enumerate(ALPHABET)}
HERE = Path(__file__).resolve().parent
TEXT_FILE = HERE / "charlm_prose.txt"
MODEL_FILE = HERE / "charlm_model.npz"
HELD_OUT = 0.1
# The chapter's recipe: H units, B streams, chunks of k steps, Adam's lr, clipping at max_norm.
RECIPE = dict(H=128, B=32, k=32, lr=3e-3, max_norm=5.0)
ADAGRAD_LRS = (0.1, 0.01)
PROMPTS = ("the gradient ", "a recurrent network ", "the loss ", "chapter ", "(")
LN2 = math.log(2.0)


# ---- the text ----------------------------------------------------------------------------------

def _strip_markup(md):
    """Plain lower-case text over ALPHABET from MyST markdown."""
    md = re.sub(r"```.*?```", "\n", md, flags=re.S)                      # code, directives
    md = re.sub(r":::.*?:::", "\n", md, flags=re.S)
    md = re.sub(r"\$\$.*?\$\$(\s*\([\w-]+\))?", "\n", md, flags=re.S)     # display math
    md = re.sub(r"<[^>]+>", " ", md)                                        # html
    md = re.sub(r"\{glue:text\}`[^`]*`|\{glue\}`[^`]*`", "", md)         # glued numbers
    md = re.sub(r"\{[\w:-]+\}`([^`<]*?)(?:<[^`]*>)?`", r"\1", md)         # roles: their text
    md = re.sub(r"\$([^$]+)\$", lambda m: "".join(re.findall(
        r"[A-Za-z0-9]", m.group(1).replace("\\mathrm", "").replace("\\text", ""))), md)
    md = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", md)                      # links: their text
    md = re.sub(r"^\s*\|.*$", "", md, flags=re.M)                           # tables
    md = re.sub(r"^\s*[#>*-]+\s*", "", md, flags=re.M)                     # headings, bullets
    md = md.replace("–", "-").replace("—", " - ").replace("’", "'")
    md = "".join(c if c in INDEX else (" " if c.isspace() else "") for c in md.lower())
    md = re.sub(r" *\n *", "\n", re.sub(r"[ ]+", " ", md))
    return re.sub(r"\n+", "\n", md).strip() + "\n"


def _extract_prose(root):
    """The book's prose (intro, notation, chapters 1-4's markdown cells) as one plain text."""
    root = Path(root)
    parts = [_strip_markup((root / "book" / name).read_text()) for name in ("intro.md",
                                                                             "notation.md")]
    for name in ("01_fnn_vs_rnn", "02_unrolling", "03_softmax_bptt", "04_shapes"):
        cells = json.loads((root / "book" / f"{name}.ipynb").read_text())["cells"]
        parts.append(_strip_markup("\n\n".join("".join(c["source"]) for c in cells
                                               if c["cell_type"] == "markdown")))
    return "".join(parts)


def load_text():
    """The committed text (str over ALPHABET)."""
    return TEXT_FILE.read_text()


def encode(text):
    """The characters of ``text`` as indices into ALPHABET: (N,) int64."""
    text = check_text("text", text)
    bad = sorted(set(text) - set(INDEX))
    if bad or not text:
        raise ValueError(f"text must be a non-empty str over ALPHABET, got "
                         f"{'an empty str' if not text else 'the characters ' + repr(''.join(bad[:5]))}")
    return np.array([INDEX[c] for c in text], dtype=np.int64)


def decode(ids):
    """The characters of indices (a 1-D int array in [0, V)) as a str."""
    return "".join(ALPHABET[i] for i in _ids("ids", ids, least=1))


def _ids(name, ids, least=2, ndim=1):
    """An int array of ``ndim`` axes of indices in [0, V) with at least ``least`` rows."""
    arr = None
    if isinstance(ids, np.ndarray) or (isinstance(ids, (list, tuple)) and ids):
        try:
            arr = np.asarray(ids)
        except ValueError:
            arr = None
    if arr is None or arr.dtype.kind not in "iu" or arr.ndim != ndim:
        raise TypeError(f"{name} must be a {ndim}-D int array of character indices, got "
                        f"{type(ids).__name__}" + (f" of dtype {arr.dtype} with shape {arr.shape}"
                                                   if arr is not None else ""))
    if len(arr) < least or arr.size == 0:
        raise ValueError(f"{name} must have at least {least} characters, got {len(arr)}")
    if arr.min() < 0 or arr.max() >= V:
        raise ValueError(f"{name} must hold indices in [0, {V}), got {arr.min()}..{arr.max()}")
    return arr


def _model(params):
    """``params`` checked as a character model's: D = K = V."""
    params = check_params(params, RNN_KEYS + OUTPUT_KEYS, Dims())
    for key, axis in (("W_xh", 0), ("W_hy", 1)):
        if params[key].shape[axis] != V:
            raise ValueError(f"params[{key!r}] must have {V} {'rows' if axis == 0 else 'columns'}"
                             f" (V, the alphabet's size), got shape {params[key].shape}")
    return params


# ---- baselines ---------------------------------------------------------------------------------

def ngram_bpc(train, test, n, beta=1.0):
    """Bits per character on ``test`` of the n-gram model counted on ``train`` (n = 1, 2, 3).

        p_1(c) = (N(c) + beta / V) / (N + beta)                              (unigram, add-beta)
        p_n(c | u) = (N(u c) + beta p_{n-1}(c | u')) / (N(u) + beta)     (u' = u without its
                                                                               first character)

    Each order backs off to the one below by a Dirichlet prior of weight beta (interpolated
    smoothing), so an unseen context u falls back to p_{n-1}. The first n - 1 characters of
    ``test`` are scored with the lower orders.

    Parameters
    ----------
    train, test : (N,), (M,) int arrays of character indices in [0, V), M, N >= 2.
    n : int in [1, 3].
    beta : float > 0.

    Returns
    -------
    bpc : float
    """
    train, test = _ids("train", train), _ids("test", test)
    n = integer("n", n, low=1, high=3)
    beta = real_number("beta", beta, low=0, low_open=True)
    p = _ngram_tables(train, n, beta)
    if n == 1:
        logp = np.log(p[0][test])
    elif n == 2:
        logp = np.log(np.r_[p[0][test[0]], p[1][test[:-1], test[1:]]])
    else:
        logp = np.log(np.r_[p[0][test[0]], p[1][test[0], test[1]],
                            p[2][test[:-2], test[1:-1], test[2:]]])
    return float(-logp.sum() / len(test) / LN2)


def _ngram_tables(train, n, beta):
    """[p_1 (V,), p_2 (V, V), p_3 (V, V, V)] up to order n: p_m[u..., c] = p_m(c | u)."""
    p = np.bincount(train, minlength=V).astype(float)
    tables = [(p + beta / V) / (p.sum() + beta)]
    for m in range(2, n + 1):
        index = np.zeros(len(train) - m + 1, dtype=np.int64)
        for j in range(m):
            index = index * V + train[j:len(train) - m + 1 + j]
        counts = np.bincount(index, minlength=V ** m).astype(float).reshape((V,) * m)
        lower = tables[-1] if m == 2 else np.broadcast_to(tables[-1], (V,) * m)
        tables.append((counts + beta * lower) / (counts.sum(axis=-1, keepdims=True) + beta))
    return tables


# ---- the RNN's data and evaluation ---------------------------------------------------------------

def streams(ids, B):
    """The text cut into B parallel streams read side by side: (L, B) with column b the b-th
    L = N // B characters (the last N mod B characters dropped)."""
    ids = _ids("ids", ids)
    B = integer("B", B, low=1, high=len(ids) // 2)
    L = len(ids) // B
    return ids[:B * L].reshape(B, L).T.copy()


def chunk(s, i, k):
    """Chunk i of k steps of the streams s (L, B): inputs x (k, B, V) one-hot and targets
    y (k, B), the next characters (y_t = the character after x_t). Chunks wrap around the text."""
    s = _ids("s", s, least=2, ndim=2)
    i = integer("i", i, low=0)
    k = integer("k", k, low=1, high=len(s) - 1)
    n = (len(s) - 1) // k
    start = (i % n) * k
    x = np.eye(V)[s[start:start + k]]
    return x, s[start + 1:start + k + 1]


def heldout_bpc(params, ids):
    """Bits per character of the RNN on the text ``ids`` read as one stream from h_0 = 0:
    -(1/N) sum_t log2 softmax(o_t)[c_{t+1}] over the N = len(ids) - 1 predicted characters."""
    params, ids = _model(params), _ids("ids", ids)
    h, total = None, 0.0
    for start in range(0, len(ids) - 1, 2000):
        piece = ids[start:start + 2001]
        hs, _ = rnn_forward(np.eye(V)[piece[:-1, None]], params, h)
        o, _ = output_forward(hs, params)
        total += softmax_cross_entropy(o, piece[1:, None])[0]
        h = hs[-1]
    return total / (len(ids) - 1) / LN2


def _bits(params, ids):
    """(N - 1,) bits the model spends on each next character of ids, read as one stream."""
    hs, _ = rnn_forward(np.eye(V)[ids[:-1, None]], params)
    o, _ = output_forward(hs[:, 0], params)
    z = o - o.max(axis=1, keepdims=True)
    logp = z[np.arange(len(z)), ids[1:]] - np.log(np.exp(z).sum(axis=1))
    return -logp / LN2


def _short_k(train, test):
    """Chunks of k = 4 against k = 32, the same characters seen: best held-out bpc, and the bits
    spent on ')' (a pattern that needs the '(' seen many characters before)."""
    out = {}
    for k in (4, 32):
        run = train_run(train, test, steps=32 * 1000 // k, seed=0, H=128, B=32, k=k,
                        eval_every=32 * 125 // k)
        bits = _bits(run.params, test)
        out.update({f"k{k}_{key}": np.float32(v) for key, v in run.params.items()})
        out[f"k{k}_bpc"] = bits.mean()
        out[f"k{k}_close_bpc"] = bits[test[1:] == INDEX[")"]].mean()
    return out


class Run(NamedTuple):
    """A training run: the best parameters (by held-out bpc) and the curves."""

    params: dict          # the parameters at the best held-out point
    steps: np.ndarray     # (E,) update counts where the held-out text was read
    train_bpc: np.ndarray  # (E,) mean training bpc of the updates since the last evaluation
    test_bpc: np.ndarray  # (E,) held-out bpc at those counts
    best_step: int        # the update count of the best held-out bpc
    seconds: float        # training time (the evaluations excluded)


def train_run(train, test, steps, seed, H=128, B=32, k=32, lr=3e-3, max_norm=5.0,
              eval_every=100, optimizer="adam"):
    """The chapter's training loop, as a reference: truncated BPTT over B streams with the state
    carried across chunks of k steps (also where the streams wrap around), clipping, Adam; the held-out bpc every ``eval_every``
    updates, the best parameters kept (early stopping).

    Parameters
    ----------
    train, test : int arrays of character indices.
    steps, seed, H, B, k, eval_every : ints (steps, H, B, k, eval_every >= 1; seed >= 0).
    lr, max_norm : floats > 0.
    optimizer : {"adam", "adagrad"}; Adagrad is min-char-rnn's:
        m <- m + g * g,   p <- p - lr * g / sqrt(m + 1e-8)   (entrywise, m = 0 at the start)

    Returns
    -------
    Run
    """
    train, test = _ids("train", train), _ids("test", test)
    steps, H, k = integer("steps", steps, low=1), integer("H", H, low=1), integer("k", k, low=1)
    seed, eval_every = integer("seed", seed, low=0), integer("eval_every", eval_every, low=1)
    B = integer("B", B, low=1, high=max(1, (len(train) - 1) // (k + 1)))
    lr = real_number("lr", lr, low=0, low_open=True)
    max_norm = real_number("max_norm", max_norm, low=0, low_open=True)
    choice("optimizer", optimizer, ("adam", "adagrad"))
    params = init_rnn_params(V, H, V, np.random.default_rng(seed))
    state = adam_init(params) if optimizer == "adam" else {k: np.zeros_like(v)
                                                           for k, v in params.items()}
    s, h = streams(train, B), np.zeros((B, H))
    best, curve, seconds, losses = (np.inf, params, 0), [], 0.0, []
    for step in range(1, steps + 1):
        t0 = time.perf_counter()
        x, y = chunk(s, step - 1, k)
        hs, cache = rnn_forward(x, params, h)
        o, out_cache = output_forward(hs, params)
        loss, do = softmax_cross_entropy(o, y)
        dh_out, g_out = output_backward(do, out_cache)
        _, _, grads = rnn_backward(dh_out, cache)
        grads, _ = clip_grad_norm({**grads, **g_out}, max_norm)
        if optimizer == "adam":
            params, state = adam_step(params, grads, state, lr)
        else:
            state = {key: state[key] + grads[key] ** 2 for key in state}
            params = {key: params[key] - lr * grads[key] / np.sqrt(state[key] + 1e-8)
                      for key in params}
        h = hs[-1]
        seconds += time.perf_counter() - t0
        losses.append(loss / y.size / LN2)
        if step % eval_every == 0 or step == steps:
            curve.append((step, float(np.mean(losses)), heldout_bpc(params, test)))
            losses = []
            if curve[-1][2] < best[0]:
                best = (curve[-1][2], params, step)
    steps_, train_bpc, test_bpc = (np.array(c) for c in zip(*curve))
    return Run(best[1], steps_.astype(int), train_bpc, test_bpc, int(best[2]), seconds)


# ---- sampling --------------------------------------------------------------------------------

def continue_text(params, prompt, n, temperature, seed):
    """Read ``prompt``, then sample n characters at ``temperature`` (Generator seeded ``seed``).

    Returns
    -------
    text : str, the n sampled characters.
    bpc : float, their bits per character under the model itself (temperature 1):
        -(1/n) sum_t log2 softmax(o_t)[c_t].
    """
    params, ids = _model(params), encode(check_text("prompt", prompt))
    n = integer("n", n, low=1)
    temperature = real_number("temperature", temperature, low=0, low_open=True)
    seed = integer("seed", seed, low=0)
    h0 = None
    if len(ids) > 1:
        hs, _ = rnn_forward(np.eye(V)[ids[:-1, None]], params)
        h0 = hs[-1]
    c, o, _ = rnn_sample(params, np.eye(V)[ids[-1:]], n, np.random.default_rng(seed), h0,
                         temperature)
    z = o[:, 0] - o[:, 0].max(axis=1, keepdims=True)
    logp = z[np.arange(n), c[:, 0]] - np.log(np.exp(z).sum(axis=1))
    return decode(c[:, 0]), float(-logp.mean() / LN2)


def distinct_ngrams(text, n):
    """The fraction of the n-grams of ``text`` (overlapping) that are distinct, in (0, 1]."""
    text = check_text("text", text)
    n = integer("n", n, low=1)
    if len(text) < n:
        raise ValueError(f"text must have at least n = {n} characters, got {len(text)}")
    grams = [text[i:i + n] for i in range(len(text) - n + 1)]
    return len(set(grams)) / len(grams)


# ---- what the hidden units track ---------------------------------------------------------------

FEATURES = ("inside parentheses", "start of a line", "inside a word", "after a space",
            "after a period")


def features(text):
    """{name: (N,) 0/1 array} of nameable properties of each character of ``text`` (the state
    h_t after reading character t can know them): inside ( ... ), the first line of ... ."""
    text = check_text("text", text)
    depth, inside = 0, []
    for c in text:
        depth = depth + 1 if c == "(" else max(depth - 1, 0) if c == ")" else depth
        inside.append(float(depth > 0 or c == ")"))
    prev = "\n" + text[:-1]
    line_start = [float(p == "\n") for p in prev]
    word = [float(c.isalnum()) for c in text]
    return {"inside parentheses": np.array(inside), "start of a line": np.array(line_start),
            "inside a word": np.array(word),
            "after a space": np.array([float(p == " ") for p in prev]),
            "after a period": np.array([float(p == ".") for p in prev])}


def best_unit(h, text):
    """The unit and feature with the largest |correlation| between h[:, unit] (N, H) and the
    feature over the characters of ``text``: (unit, feature name, r)."""
    h = Dims().array("h", h, "N H")
    feats = features(text)
    if len(h) != len(text):
        raise ValueError(f"h must have shape (N, H) with N = len(text) = {len(text)}, got "
                         f"{h.shape}")
    best = (0, FEATURES[0], 0.0)
    hz = (h - h.mean(0)) / (h.std(0) + 1e-12)
    for name in FEATURES:
        f = feats[name]
        r = hz.T @ ((f - f.mean()) / (f.std() + 1e-12)) / len(f)
        u = int(np.argmax(np.abs(r)))
        if abs(r[u]) > abs(best[2]):
            best = (u, name, float(r[u]))
    return best


def unit_strips(text, h, units):
    """HTML: ``text`` once per unit, each character's background coloured by h[t, unit] in
    [-1, 1] (blue negative, red positive). h: (N, H), N = len(text); units: unit indices."""
    text = check_text("text", text)
    h = Dims().array("h", h, "N H")
    if len(h) != len(text):
        raise ValueError(f"h must have N = len(text) = {len(text)} rows, got {h.shape}")
    if not isinstance(units, (list, tuple)) or not units:
        raise TypeError(f"units must be a non-empty list of unit indices, got "
                        f"{type(units).__name__}")
    units = [integer(f"units[{j}]", u, low=0, high=h.shape[1] - 1) for j, u in enumerate(units)]
    rows = []
    for u in units:
        spans = "".join(
            f'<span style="background:{_colour(h[t, u])}">{_esc(c)}</span>'
            for t, c in enumerate(text))
        rows.append(f'<div style="margin:0.3em 0"><div style="font-size:0.8em">unit {u}</div>'
                    f'<div style="font-family:monospace;white-space:pre-wrap;line-height:1.6">'
                    f'{spans}</div></div>')
    return '<div class="rnn-unit-strips">' + "".join(rows) + "</div>"


def _colour(v):
    a = min(abs(float(v)), 1.0)
    return f"rgba(214,39,40,{a:.2f})" if v > 0 else f"rgba(31,119,180,{a:.2f})"


def _esc(c):
    return {"\n": "⏎\n", "<": "&lt;", ">": "&gt;", "&": "&amp;"}.get(c, c)


# ---- the saved longer run, and the widget ------------------------------------------------------

@lru_cache(maxsize=1)
def _saved():
    with np.load(MODEL_FILE) as f:
        return {k: f[k].astype(np.float64) for k in f.files}


def saved_run():
    """The longer run of ``python -m rnnlib.chapters.charlm train``: (params, info) where info
    holds its curves (steps, train_bpc, test_bpc), best_step, seconds and H."""
    f = _saved()
    params = {k: f[k].copy() for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")}
    info = {k: f[k].copy() for k in ("steps", "train_bpc", "test_bpc")}
    info.update(best_step=int(f["best_step"]), seconds=float(f["seconds"]), H=int(f["H"]))
    return params, info


def saved_adagrad():
    """The Adagrad runs of ``python -m rnnlib.chapters.charlm adagrad`` (min-char-rnn's
    optimizer, with its lr = 0.1 and with 0.01; otherwise the chapter's recipe, 1000 updates,
    seed 0): {"steps": (E,), "lr": (R,), "train_bpc": (R, E), "test_bpc": (R, E)}."""
    with np.load(HERE / "charlm_adagrad.npz") as f:
        return {key: f[key].copy() for key in ("steps", "lr", "train_bpc", "test_bpc")}


def saved_short_k():
    """The comparison of ``python -m rnnlib.chapters.charlm short-k``: for k = 4 and k = 32
    (the same characters seen, seed 0), {k: {"params": dict, "bpc": held-out bpc,
    "close_bpc": the mean bits spent on the held-out ')' characters}}."""
    with np.load(HERE / "charlm_short_k.npz") as f:
        return {k: {"params": {key: f[f"k{k}_{key}"].astype(np.float64)
                               for key in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")},
                    "bpc": float(f[f"k{k}_bpc"]), "close_bpc": float(f[f"k{k}_close_bpc"])}
                for k in (4, 32)}


def continuation_view(prompt=0, temperature=0.5, seed=0):
    """The widget's view: prompt ``PROMPTS[prompt]`` continued by the saved model for 120
    characters at ``temperature`` with Generator seed ``seed``, as HTML with its bpc."""
    prompt = integer("prompt", prompt, low=0, high=len(PROMPTS) - 1)
    temperature = real_number("temperature", temperature, low=0, low_open=True)
    seed = integer("seed", seed, low=0)
    text, bpc = continue_text(saved_run()[0], PROMPTS[prompt], 120, temperature, seed)
    return (f'<div class="rnn-continuation"><p>temperature {temperature:.2f}, seed {seed}: '
            f'{bpc:.3f} bits per character under the model</p>'
            f'<pre style="white-space:pre-wrap"><b>{_escape(PROMPTS[prompt])}</b>'
            f'{_escape(text)}</pre></div>')


def _escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def continuation_widget():
    """Sliders (prompt, temperature, seed) over :func:`continuation_view`."""
    from . import display
    return display.interactive(continuation_view, {
        "prompt": display.Slider(0, 0, len(PROMPTS) - 1, 1),
        "temperature": display.Slider(0.5, 0.1, 1.5, 0.1),
        "seed": display.Slider(0, 0, 9, 1)})


def _main(argv):
    """``extract`` writes the text; ``train`` the longer run (run from the repository root)."""
    root = Path.cwd()
    if argv[:1] == ["extract"]:
        TEXT_FILE.write_text(_extract_prose(root))
    elif argv[:1] == ["short-k"]:
        ids = encode(load_text())
        cut = int(len(ids) * (1 - HELD_OUT))
        np.savez_compressed(HERE / "charlm_short_k.npz", **_short_k(ids[:cut], ids[cut:]))
    elif argv[:1] == ["adagrad"]:
        ids = encode(load_text())
        cut = int(len(ids) * (1 - HELD_OUT))
        runs = [train_run(ids[:cut], ids[cut:], steps=1000, seed=0, eval_every=125,
                          **{**RECIPE, "lr": lr}, optimizer="adagrad") for lr in ADAGRAD_LRS]
        np.savez_compressed(HERE / "charlm_adagrad.npz", steps=runs[0].steps,
                            train_bpc=np.stack([r.train_bpc for r in runs]),
                            test_bpc=np.stack([r.test_bpc for r in runs]), lr=ADAGRAD_LRS)
    elif argv[:1] == ["train"]:
        ids = encode(load_text())
        cut = int(len(ids) * (1 - HELD_OUT))
        run = train_run(ids[:cut], ids[cut:], steps=5000, seed=0, eval_every=250, **RECIPE)
        np.savez_compressed(MODEL_FILE, **{k: v.astype(np.float32) for k, v in run.params.items()},
                            steps=run.steps, train_bpc=run.train_bpc, test_bpc=run.test_bpc,
                            best_step=run.best_step, seconds=run.seconds, H=RECIPE["H"])
    else:
        raise SystemExit("usage: python -m rnnlib.chapters.charlm extract|train|short-k|adagrad")


if __name__ == "__main__":
    _main(sys.argv[1:])

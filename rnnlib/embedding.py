"""Word ids as input: an embedding layer, rows of a matrix looked up.

    x_t = W_emb[w_t]      w_t in [0, V): the id of the word at step t;  W_emb (V, D)

No one-hot matrix is built: row w of W_emb is the vector of word w, and ``W_emb[ids]`` reads all
of them at once. The backward adds each position's gradient to the row of its word, once per
occurrence:

    dW_emb[v] = sum over positions p with ids[p] = v of dx[p]

``np.add.at(dW_emb, ids, dx)`` does that. ``dW_emb[ids] += dx`` does not: with a word that occurs
twice in ``ids``, NumPy's buffered ``+=`` writes the row twice, and the second write replaces the
first, so only one occurrence counts. A ``padding_idx`` (PyTorch's ``nn.Embedding`` argument of
that name) gets no gradient: its row stays as it was.
"""
from typing import NamedTuple

import numpy as np

from ._validate import Dims, _describe, flag, forward_cache, integer, integer_array


class EmbeddingCache(NamedTuple):
    """What :func:`embedding_backward` needs from :func:`embedding_forward`."""

    ids: np.ndarray      # (...,) integer word ids in [0, V)
    V: int               # the number of rows of W_emb
    D: int               # its number of columns
    padding_idx: object  # int or None: the id whose row gets no gradient


def _word_ids(name, value, V):
    """Return ``value`` as a non-empty integer array of ids, each in [0, V)."""
    arr = integer_array(name, value, "word ids")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: shape {arr.shape}")
    low, high = int(arr.min()), int(arr.max())
    if low < 0 or high >= V:
        raise ValueError(f"{name} must lie in [0, V) = [0, {V}) (V: the rows of W_emb), got "
                         f"values from {low} to {high}")
    return arr


def embedding_forward(ids, W_emb, padding_idx=None, *, check=True):
    """Look up the rows of ``W_emb``: x[..., :] = W_emb[ids[...]].

    Parameters
    ----------
    ids : integer array (...,), e.g. (T, B), each id in [0, V).
    W_emb : (V, D), one row per word.
    padding_idx : int in [0, V), optional; the id of padding, whose row gets no gradient.
    check : bool
        Check the arguments first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    x : (..., D), ``x[t-1, b]`` is the vector of word ``ids[t-1, b]`` (a new array).
    cache : EmbeddingCache, what :func:`embedding_backward` needs.
    """
    if flag("check", check):
        W_emb = Dims().array("W_emb", W_emb, "V D")
        ids = _word_ids("ids", ids, W_emb.shape[0])
        if padding_idx is not None:
            padding_idx = integer("padding_idx", padding_idx, low=0, high=W_emb.shape[0] - 1)
    return W_emb[ids], EmbeddingCache(np.array(ids), *W_emb.shape, padding_idx)


def embedding_backward(dx, cache, *, check=True):
    """Backward of :func:`embedding_forward`: each position's gradient added to its word's row.

        dW_emb[v] = sum_{p: ids[p] = v} dx[p],   dW_emb[padding_idx] = 0

    Parameters
    ----------
    dx : (..., D), dL/dx, the shape of the forward's x.
    cache : from :func:`embedding_forward`.
    check : bool
        Check ``cache`` and ``dx`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dW_emb : (V, D)
    """
    check = flag("check", check)
    if check:
        forward_cache("cache", cache, EmbeddingCache, "embedding_forward")
    ids, V, D, padding_idx = cache
    if check:
        dx = Dims().bind("the forward pass", D=D).array("dx", dx, "... D")
        if dx.shape[:-1] != ids.shape:
            raise ValueError(f"dx must have shape ids.shape + (D,) = {ids.shape} + (D,) (the "
                             f"forward's x), got shape {dx.shape}")
    dW = np.zeros((V, D), dx.dtype)
    np.add.at(dW, ids, dx)    # once per occurrence; dW[ids] += dx would count a repeated id once
    if padding_idx is not None:
        dW[padding_idx] = 0.0
    return dW

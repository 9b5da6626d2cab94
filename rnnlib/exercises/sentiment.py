"""Chapter 6's self-checking exercises: the embedding's backward pass, and a review's bag of words.

The learner writes

    embedding_backward(dx, ids, V, padding_idx) -> dW_emb (V, D)
        dW_emb = zeros (V, D);  np.add.at(dW_emb, ids, dx)      # once per occurrence
        if padding_idx is not None: dW_emb[padding_idx] = 0     # padding learns nothing

and :func:`check_embedding_backward` compares dW_emb with the reference
(:func:`rnnlib.embedding_backward`) and with finite differences of L = sum(W_emb[ids] * dx)
(the padding row held fixed) on four cases: ids with no repeated word (where ``dW[ids] += dx``
happens to be right), ids with repeats, B = 1, and no padding_idx (where a gradient for the
padding row changes nothing). V != D in every case, so a transposed (D, V) result shows in its
shape.

:func:`check_bow_features` checks ``bow_features(review) -> counts (V,)`` on four reviews, two of
them an identical-bag pair, and names presence instead of counts, frequencies, and ids off by one.
"""
import numpy as np

from .._validate import function
from ..embedding import embedding_backward, embedding_forward
from ._checker import Case, Mistake, numeric_gradient, run_checks

OUTPUTS = ("dW_emb",)


def _unpack(returned):
    if isinstance(returned, tuple):
        raise ValueError(f"it must return dW_emb, one array (V, D), but returned a tuple of "
                         f"{len(returned)} values.")
    return {"dW_emb": np.asarray(returned)}


def _reference(dx, ids, V, padding_idx):
    W = np.zeros((V, dx.shape[-1]))
    return embedding_backward(dx, embedding_forward(ids, W, padding_idx)[1])


def _plus_equals(dx, ids, V, padding_idx):
    dW = np.zeros((V, dx.shape[-1]))
    dW[ids] += dx
    if padding_idx is not None:
        dW[padding_idx] = 0.0
    return dW


def _padding_learns(dx, ids, V, padding_idx):
    dW = np.zeros((V, dx.shape[-1]))
    np.add.at(dW, ids, dx)
    return dW


def _transposed(dx, ids, V, padding_idx):
    dW = np.zeros((dx.shape[-1], V))
    for v, d in zip(ids.ravel(), dx.reshape(-1, dx.shape[-1])):
        dW[:, v] += d
    if padding_idx is not None:
        dW[:, padding_idx] = 0.0
    return dW


MISTAKES = [
    Mistake("dW[ids] += dx counts a repeated word once",
            "With fancy indexing, dW[ids] += dx reads the rows, adds and writes them back, so a "
            "word that occurs several times is written several times and only the last write "
            "stays: its gradient counts once. np.add.at(dW, ids, dx) adds once per occurrence.",
            _plus_equals),
    Mistake("a gradient for the padding row",
            "Padding is not a word: the row of padding_idx must get no gradient "
            "(dW[padding_idx] = 0 after adding), as PyTorch's nn.Embedding(padding_idx=...) does.",
            _padding_learns),
    Mistake("a transposed lookup: dW of shape (D, V)",
            "W_emb is (V, D), one ROW per word: x = W_emb[ids], so the gradient of word v is "
            "added to row dW[v], not to column dW[:, v].",
            _transposed),
]

SHAPE_HINTS = {"dW_emb": "dW_emb has the shape of W_emb, (V, D): one row per word."}

# (label, ids, V, D, padding_idx)
CASES = (("no repeated id, T=2, B=2, V=6, D=3", [[1, 2], [3, 4]], 6, 3, 0),
         ("repeats and padding, T=4, B=3, V=5, D=2", [[1, 2, 1], [3, 1, 2], [1, 0, 2], [0, 0, 4]],
          5, 2, 0),
         ("B = 1, T=5, V=4, D=3", [[2], [2], [1], [3], [0]], 4, 3, 0),
         ("no padding_idx, T=3, B=2, V=3, D=2", [[0, 1], [1, 2], [0, 0]], 3, 2, None))


def _cases(seed=6):
    rng = np.random.default_rng(seed)
    cases = []
    for label, ids, V, D, padding_idx in CASES:
        ids = np.array(ids)
        dx = rng.standard_normal(ids.shape + (D,))
        W = rng.standard_normal((V, D))
        fd = numeric_gradient(lambda W_emb: float(np.sum(W_emb[ids] * dx)), {"W_emb": W})["W_emb"]
        if padding_idx is not None:
            fd[padding_idx] = 0.0     # the padding row is held fixed
        traits = ((("no repeated id", "every id occurs once, so dW[ids] += dx adds each once"),)
                  if len(set(ids.ravel().tolist())) == ids.size else ())
        cases.append(Case(label, (dx, ids, V, padding_idx),
                          {"dW_emb": _reference(dx, ids, V, padding_idx)}, {"dW_emb": fd},
                          {"T": ids.shape[0], "B": ids.shape[1], "V": V, "D": D}, traits))
    return cases


def check_embedding_backward(fn):
    """Check a learner's embedding backward.

    ``fn(dx, ids, V, padding_idx) -> dW_emb`` gets dx (T, B, D), the gradient reaching the looked-up
    vectors x = W_emb[ids], the integer ids (T, B) in [0, V), V, and padding_idx (an int or None).
    It must return dW_emb (V, D): row v the sum of dx over the positions where ids is v, once
    per occurrence, and the row padding_idx zero.

    Returns
    -------
    CheckResult : passed, or what is wrong and the mistake it matches.
    """
    function("fn", fn)
    return run_checks(fn, exercise="embedding_backward", cases=_cases(), unpack=_unpack,
                      mistakes=MISTAKES, shape_hints=SHAPE_HINTS,
                      in_place_hint="The backward must leave dx and ids as they are: build dW_emb "
                                    "with np.zeros, never write into dx.")


# ---- the bag of words ------------------------------------------------------------------------------

def _bow_reference(review):
    from ..chapters.sentiment import bow_features
    return bow_features([review])[0]


def _presence(review):
    from ..chapters.sentiment import VOCAB, WORD_ID
    counts = np.zeros(len(VOCAB))
    for w in review.split():
        counts[WORD_ID[w]] = 1.0
    return counts


def _frequencies(review):
    return _bow_reference(review) / len(review.split())


def _ids_without_padding(review):
    from ..chapters.sentiment import VOCAB, WORD_ID
    counts = np.zeros(len(VOCAB))
    for w in review.split():
        counts[WORD_ID[w] - 1] += 1.0
    return counts


BOW_MISTAKES = [
    Mistake("presence instead of counts",
            "counts[v] = 1 marks that word v occurs; the bag of words counts how often: "
            "counts[v] += 1 for every occurrence (\"the\" twice in a two-clause review).",
            _presence),
    Mistake("frequencies instead of counts",
            "Dividing by the review's length gives frequencies; the chapter's features are the "
            "counts themselves.", _frequencies),
    Mistake("word ids off by one",
            "Word v's count goes to counts[se.WORD_ID[v]]: id 0 is padding, so the words start "
            "at 1, and se.WORD_ID already gives each word its id.", _ids_without_padding),
]

BOW_CASES = ("this movie is not good",
             "the plot is good but the acting is not good",
             "the plot is not good but the acting is good",
             "this film was never very boring")


def check_bow_features(fn):
    """Check a learner's bag-of-words feature vector.

    ``fn(review) -> counts`` gets one review text and must return its counts (V,) with
    V = len(se.VOCAB): ``counts[se.WORD_ID[w]]`` is how often word w occurs. The cases include
    the two reviews of an identical-bag pair, which must give the same vector.

    Returns
    -------
    CheckResult : passed, or what is wrong and the mistake it matches.
    """
    function("fn", fn)
    from ..chapters.sentiment import VOCAB
    cases = [Case(f"{review!r}", (review,), {"counts": _bow_reference(review)}, {},
                  {"V": len(VOCAB)},
                  ((("no repeated word", "every word occurs once, so presence and counts agree"),)
                   if len(set(review.split())) == len(review.split()) else ()))
             for review in BOW_CASES]
    result = run_checks(fn, exercise="bow_features", cases=cases, unpack=_unpack_counts,
                        mistakes=BOW_MISTAKES,
                        shape_hints={"counts": f"counts has one entry per word of se.VOCAB, "
                                               f"({len(VOCAB)},)."},
                        in_place_hint="The function must leave the review as it is.")
    if result.passed:
        same = np.array_equal(np.asarray(fn(BOW_CASES[1])), np.asarray(fn(BOW_CASES[2])))
        result.message += (" The two reviews of the identical-bag pair ('the plot is good but the "
                           "acting is not good', negative, and 'the plot is not good but the "
                           f"acting is good', positive) give {'the same' if same else 'different'} "
                           "vector, so a bag of words cannot tell them apart.")
    return result


def _unpack_counts(returned):
    if isinstance(returned, tuple):
        raise ValueError(f"it must return counts, one array (V,), but returned a tuple of "
                         f"{len(returned)} values.")
    return {"counts": np.asarray(returned, dtype=float) if np.ndim(returned) else np.asarray(returned)}

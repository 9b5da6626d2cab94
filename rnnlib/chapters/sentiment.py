"""Chapter 6 (Many-to-one sentiment): a small language of reviews, its splits, the bag-of-words
baseline, the many-to-one RNN on word ids, and the widget.

The language (generated here, no download). A review is one clause, or two joined by "and" or
"but". A clause is

    determiner noun verb [negator] [filler words] [intensifier] adjective

with determiner in {the, this}, noun in {movie, film, plot, acting, ending, music}, verb in
{is, was}, negator in {not, never}, intensifier in {very, really}, adjective positive
{good, great, excellent, wonderful} or negative {bad, terrible, awful, boring}. Filler words
(FILLERS: i, must, say, after, all, to, be, honest, in, my, opinion, as, expected) may stand after
the verb, between a negator and its adjective; they carry no sentiment.

The rule: a clause's polarity is its adjective's, flipped by a negator (intensifiers and fillers
change nothing); "and" joins clauses of the same polarity, "but" clauses of opposite polarity, and
the last clause decides the review (label 1 positive, 0 negative). :func:`rule_label` applies it
to a text.

Splits: ``train`` and ``test`` (no held-out combination, at most MAX_TRAIN_FILLERS fillers);
``held_out``: the last clause negates an adjective with a negator it is never negated by in
training (HELD_OUT); ``pairs``: two reviews with the same bag of words and opposite labels (the
negator-intensifier-adjective tails of a "but" review's clauses swapped); ``distance``: one
negated clause with exactly k fillers between negator and adjective.

The model: word ids -> embedding (V, D) -> tanh RNN, each review's own last state -> o = h W_hy
+ b_y (2 classes) -> softmax cross-entropy, mean over the reviews of the batch.
"""
import time
from typing import NamedTuple

import numpy as np

from .._validate import (Dims, _describe, array_dict, choice, generator, integer, params_dict,
                         real_number, text)
from ..embedding import _word_ids, embedding_backward, embedding_forward
from ..lengths import _sequence_lengths, rnn_last_backward, rnn_last_forward
from ..losses import softmax, softmax_cross_entropy
from ..optim import adam_init, adam_step, clip_grad_norm
from ..rnn import output_backward, output_forward, rnn_forward

DETERMINERS = ("the", "this")
NOUNS = ("movie", "film", "plot", "acting", "ending", "music")
VERBS = ("is", "was")
NEGATORS = ("not", "never")
INTENSIFIERS = ("very", "really")
POSITIVE = ("good", "great", "excellent", "wonderful")
NEGATIVE = ("bad", "terrible", "awful", "boring")
JOINERS = ("and", "but")
FILLERS = ("i", "must", "say", "after", "all", "to", "be", "honest", "in", "my", "opinion", "as",
           "expected")
PAD = "<pad>"
# Every word, padding first (id 0): the embedding's padding_idx.
VOCAB = (PAD,) + tuple(sorted(set(DETERMINERS + NOUNS + VERBS + NEGATORS + INTENSIFIERS + POSITIVE
                                  + NEGATIVE + JOINERS + FILLERS)))
WORD_ID = {w: i for i, w in enumerate(VOCAB)}
# Negator-adjective combinations never seen in training (each adjective is negated by the other
# negator there, and each negator negates other adjectives).
HELD_OUT = (("not", "wonderful"), ("never", "great"), ("not", "awful"), ("never", "boring"))
MAX_TRAIN_FILLERS = 2
SPLITS = ("train", "test", "held_out")
# The chapter's RNN and its training: sizes, data, Adam steps.
SETTINGS = dict(D=8, H=32, n_train=3000, batch=64, steps=500, lr=0.01, max_norm=5.0)


class SentimentModel(NamedTuple):
    """What :func:`train_sentiment_rnn` returns."""

    params: dict         # W_emb (V, D), W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, 2), b_y (2,)
    losses: np.ndarray   # (steps,): the training loss of each step's batch
    seconds: float       # the training time (wall clock)


# ---- the language ------------------------------------------------------------------------------

def _clause(rng, *, held_out, fillers):
    """One clause as a list of words and its polarity (+1 / -1). ``held_out``: True for a negated
    HELD_OUT combination, False for none of them; ``fillers``: the number of filler words."""
    while True:
        adjective = rng.choice(POSITIVE + NEGATIVE)
        negator = rng.choice(NEGATORS) if (held_out or rng.random() < 0.5) else None
        if ((negator, adjective) in HELD_OUT) == held_out:
            break
    words = [rng.choice(DETERMINERS), rng.choice(NOUNS), rng.choice(VERBS)]
    words += [negator] if negator else []
    words += [str(w) for w in rng.choice(FILLERS, size=fillers)]
    words += [rng.choice(INTENSIFIERS)] if rng.random() < 0.3 else []
    polarity = (1 if adjective in POSITIVE else -1) * (-1 if negator else 1)
    return [str(w) for w in words + [adjective]], polarity


def _fillers(rng, max_fillers):
    return int(rng.integers(1, max_fillers + 1)) if max_fillers and rng.random() < 0.3 else 0


def _review(rng, *, held_out=False, max_fillers=MAX_TRAIN_FILLERS):
    """One review (text, label) of the language; ``held_out``: its last clause is a HELD_OUT
    combination (and the first, if any, is not)."""
    first, p1 = _clause(rng, held_out=False, fillers=_fillers(rng, max_fillers))
    if rng.random() < 0.4 and not held_out:
        return " ".join(first), int(p1 > 0)
    second, p2 = _clause(rng, held_out=held_out, fillers=_fillers(rng, max_fillers))
    if held_out and rng.random() < 0.4:
        return " ".join(second), int(p2 > 0)
    joiner = "and" if p1 == p2 else "but"
    return " ".join(first + [joiner] + second), int(p2 > 0)


def make_reviews(split, n, rng, exclude=()):
    """``n`` distinct reviews of ``split`` ("train", "test" or "held_out") and their labels.

    Parameters
    ----------
    split : {"train", "test", "held_out"}; train and test draw from the same distribution (no
        HELD_OUT combination); held_out reviews end in a clause that negates an adjective with a
        HELD_OUT negator.
    n : int >= 1
    rng : numpy.random.Generator
    exclude : collection of str, texts not to return (the training set, for a test split).

    Returns
    -------
    texts : list of n distinct str
    labels : integer array (n,), 1 positive, 0 negative (the rule, :func:`rule_label`)
    """
    choice("split", split, SPLITS)
    n = integer("n", n, low=1)
    generator("rng", rng)
    if isinstance(exclude, (str, bytes)) or not hasattr(exclude, "__iter__"):
        raise TypeError(f"exclude must be a collection of review texts, got {_describe(exclude)}")
    seen = set(exclude)
    texts, labels = [], []
    while len(texts) < n:
        review, label = _review(rng, held_out=split == "held_out")
        if review not in seen:
            seen.add(review)
            texts.append(review)
            labels.append(label)
    return texts, np.array(labels)


def identical_bag_pairs(n, rng):
    """``n`` pairs of reviews with the same bag of words and opposite labels.

    Each pair is a "but" review and the same review with the clauses' tails (negator, fillers,
    intensifier, adjective) swapped: "the plot is good but the acting is not good" (negative)
    and "the plot is not good but the acting is good" (positive). Swapping swaps the clauses'
    polarities, which stay opposite, so "but" still fits and the deciding clause flips.

    Returns
    -------
    first, second : lists of n str; ``sorted(first[i].split()) == sorted(second[i].split())``
    labels_first, labels_second : integer arrays (n,), labels_second = 1 - labels_first
    """
    n = integer("n", n, low=1)
    generator("rng", rng)
    first, second = [], []
    while len(first) < n:
        (c1, p1), (c2, p2) = (_clause(rng, held_out=False, fillers=0) for _ in range(2))
        if p1 == p2:
            continue
        first.append(" ".join(c1 + ["but"] + c2))
        second.append(" ".join(c1[:3] + c2[3:] + ["but"] + c2[:3] + c1[3:]))
    labels_first = np.array([rule_label(t) for t in first])
    return first, second, labels_first, np.array([rule_label(t) for t in second])


def distance_reviews(k, n, rng):
    """``n`` one-clause negated reviews with exactly ``k`` filler words between the negator and
    its adjective ("the movie is not i must say good"), half with a positive adjective.

    Returns
    -------
    texts : list of n str;  labels : integer array (n,)
    """
    k = integer("k", k, low=0)
    n = integer("n", n, low=1)
    generator("rng", rng)
    texts = []
    for i in range(n):
        adjective = rng.choice(POSITIVE if i % 2 else NEGATIVE)
        words = [rng.choice(DETERMINERS), rng.choice(NOUNS), rng.choice(VERBS), rng.choice(NEGATORS)]
        texts.append(" ".join(str(w) for w in words + list(rng.choice(FILLERS, size=k)) + [adjective]))
    return texts, np.array([rule_label(t) for t in texts])


def _words(name, review):
    """The words of a review text, each one of VOCAB (a ValueError names the unknown ones)."""
    words = text(name, review).split()
    if not words:
        raise ValueError(f"{name} must hold at least one word, got {review!r}")
    unknown = sorted({w for w in words if w not in WORD_ID or w == PAD})
    if unknown:
        raise ValueError(f"{name} holds words the model does not know: {unknown}. Known words: "
                         f"{' '.join(VOCAB[1:])}")
    return words


def _texts(name, texts):
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)) or not texts:
        raise TypeError(f"{name} must be a non-empty list of review texts (str), got "
                        f"{_describe(texts)}")
    return [_words(f"{name}[{i}]", t) for i, t in enumerate(texts)]


def rule_label(review):
    """The label the rule gives a review text: 1 positive, 0 negative.

    Split at "and"/"but"; each clause's polarity is its adjective's times -1 per negator; the
    last clause decides. A ValueError if a joiner does not fit ("and" between clauses of
    opposite polarity, "but" between clauses of the same) or a clause has no adjective.
    """
    words = _words("review", review)
    clauses, joiners, current = [], [], []
    for w in words:
        if w in JOINERS:
            clauses.append(current)
            joiners.append(w)
            current = []
        else:
            current.append(w)
    clauses.append(current)
    polarities = []
    for clause in clauses:
        adjectives = [w for w in clause if w in POSITIVE + NEGATIVE]
        if len(adjectives) != 1:
            raise ValueError(f"review must have one adjective per clause, got {review!r}")
        negations = sum(w in NEGATORS for w in clause)
        polarities.append((1 if adjectives[0] in POSITIVE else -1) * (-1) ** negations)
    for joiner, a, b in zip(joiners, polarities, polarities[1:]):
        if (joiner == "and") != (a == b):
            raise ValueError(f"review joins clauses of {'opposite' if a != b else 'the same'} "
                             f"polarity with {joiner!r}: {review!r}")
    return int(polarities[-1] > 0)


def encode(texts):
    """Word ids of a list of reviews, padded at the end with id 0 (PAD), and their lengths.

    Returns
    -------
    ids : integer array (T, B), T the longest review; ``ids[t-1, b]`` is word t of review b.
    lengths : integer array (B,)
    """
    words = _texts("texts", texts)
    lengths = np.array([len(w) for w in words])
    ids = np.zeros((lengths.max(), len(words)), dtype=np.int64)
    for b, ws in enumerate(words):
        ids[:len(ws), b] = [WORD_ID[w] for w in ws]
    return ids, lengths


def bow_features(texts):
    """Bag-of-words counts: ``counts[b, v]`` is how often word v occurs in review b (N, V).

    The order of the words is gone: two reviews with the same words have the same row.
    """
    words = _texts("texts", texts)
    counts = np.zeros((len(words), len(VOCAB)))
    for b, ws in enumerate(words):
        for w in ws:
            counts[b, WORD_ID[w]] += 1
    return counts


# ---- the models --------------------------------------------------------------------------------

def train_bow(counts, labels, steps=300, lr=0.5):
    """Logistic regression on bag-of-words counts, full-batch gradient descent on the mean loss.

        p = sigmoid(counts w + c),   L = -mean(y log p + (1 - y) log(1 - p)),
        dw = counts^T (p - y) / N,   dc = mean(p - y)

    Parameters
    ----------
    counts : (N, V);  labels : integer array (N,) of 0/1;  steps : int >= 1;  lr : float > 0

    Returns
    -------
    dict with w (V,) and c (1,)
    """
    counts = Dims().array("counts", counts, "N V")
    labels = _labels01("labels", labels, counts.shape[0], "counts")
    steps = integer("steps", steps, low=1)
    lr = real_number("lr", lr, low=0, low_open=True)
    w, c = np.zeros(counts.shape[1]), np.zeros(1)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(counts @ w + c)))
        w = w - lr * counts.T @ (p - labels) / len(labels)
        c = c - lr * np.mean(p - labels, keepdims=True)
    return {"w": w, "c": c}


def _labels01(name, labels, N, source):
    arr = np.asarray(labels) if not isinstance(labels, (str, dict, set)) else None
    if arr is None or arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array of 0/1 labels, got {_describe(labels)}")
    if arr.shape != (N,):
        raise ValueError(f"{name} must have shape ({N},), one label per review ({N} from "
                         f"{source}), got shape {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() > 1):
        raise ValueError(f"{name} must hold 0 or 1, got values from {arr.min()} to {arr.max()}")
    return arr


def init_sentiment_params(D, H, rng):
    """The chapter's parameters: W_emb (V, D) ~ N(0, 1), W_xh (D, H) ~ N(0, 1/D), W_hh (H, H) ~
    N(0, 1/H), W_hy (H, 2) ~ N(0, 1/H), biases 0; V = len(VOCAB)."""
    D, H = integer("D", D, low=1), integer("H", H, low=1)
    generator("rng", rng)
    V = len(VOCAB)
    return {"W_emb": rng.standard_normal((V, D)),
            "W_xh": rng.standard_normal((D, H)) / np.sqrt(D),
            "W_hh": rng.standard_normal((H, H)) / np.sqrt(H), "b_h": np.zeros(H),
            "W_hy": rng.standard_normal((H, 2)) / np.sqrt(H), "b_y": np.zeros(2)}


SENTIMENT_SHAPES = {"W_emb": "V D", "W_xh": "D H", "W_hh": "H H", "b_h": "H", "W_hy": "H K",
                    "b_y": "K"}


def _check_model_params(params, dims):
    params_dict(params, SENTIMENT_SHAPES)
    return {k: dims.array(f"params[{k!r}]", params[k], s) for k, s in SENTIMENT_SHAPES.items()}


def sentiment_loss(params, ids, lengths, labels, reduction="mean"):
    """The many-to-one network's loss and gradients on a padded batch of word ids.

        x = W_emb[ids],  h_last[b] = h_{L_b}[b],  o = h_last W_hy + b_y,
        L = sum_b -log softmax(o_b)[y_b]   (divided by B when reduction="mean", the default here)

    Parameters
    ----------
    params : dict with W_emb (V, D), W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, 2), b_y (2,)
    ids : integer array (T, B) in [0, V);  lengths : integer array (B,) in [1, T]
    labels : integer array (B,) of 0/1;  reduction : {"mean", "sum"}

    Returns
    -------
    loss : float;  grads : dict with the keys and shapes of params (W_emb's PAD row 0)
    """
    dims = Dims()
    params = _check_model_params(params, dims)
    choice("reduction", reduction, ("sum", "mean"))
    ids = _word_ids("ids", ids, params["W_emb"].shape[0])
    if ids.ndim != 2:
        raise ValueError(f"ids must have shape (T, B), got shape {ids.shape}")
    lengths = _sequence_lengths("lengths", lengths, *ids.shape)
    labels = _labels01("labels", labels, ids.shape[1], "ids")
    # checked once above; the layers run with check=False on what they are given
    x, emb_cache = embedding_forward(ids, params["W_emb"], padding_idx=0, check=False)
    h_last, rnn_cache = rnn_last_forward(x, params, lengths, check=False)
    o, out_cache = output_forward(h_last, params, check=False)
    loss, do = softmax_cross_entropy(o, labels, reduction, check=False)
    dh_last, grads = output_backward(do, out_cache, check=False)
    dx, _, rnn_grads = rnn_last_backward(dh_last, rnn_cache, check=False)
    return loss, {**grads, **rnn_grads, "W_emb": embedding_backward(dx, emb_cache, check=False)}


def train_sentiment_rnn(seed=0):
    """Train the chapter's RNN exactly as the chapter does and return it.

    SETTINGS: n_train reviews of the train split drawn with ``np.random.default_rng(seed)``,
    parameters from :func:`init_sentiment_params` (same Generator), ``steps`` Adam steps on
    random batches of ``batch`` reviews, the global gradient norm clipped to ``max_norm``.

    Returns
    -------
    SentimentModel (params, losses, seconds)
    """
    seed = integer("seed", seed, low=0)
    s = SETTINGS
    rng = np.random.default_rng(seed)
    texts, labels = make_reviews("train", s["n_train"], rng)
    params = init_sentiment_params(s["D"], s["H"], rng)
    state, losses = adam_init(params), []
    start = time.perf_counter()
    for _ in range(s["steps"]):
        batch = rng.choice(len(texts), size=s["batch"], replace=False)
        ids, lengths = encode([texts[i] for i in batch])
        loss, grads = sentiment_loss(params, ids, lengths, labels[batch])
        grads, _ = clip_grad_norm(grads, s["max_norm"])
        params, state = adam_step(params, grads, state, lr=s["lr"])
        losses.append(loss)
    return SentimentModel(params, np.array(losses), time.perf_counter() - start)


def _model(name, model):
    if not isinstance(model, SentimentModel):
        raise TypeError(f"{name} must be the SentimentModel train_sentiment_rnn returns, got "
                        f"{_describe(model)}")
    return model


def predict_sentiment(model, texts):
    """P(positive) of each review text (lower case, words separated by spaces) (B,).

    A ValueError names any word the model does not know, and lists the words it knows.
    """
    _model("model", model)
    ids, lengths = encode(texts)
    p = model.params
    x, _ = embedding_forward(ids, p["W_emb"])
    h_last, _ = rnn_last_forward(x, p, lengths)
    return softmax(output_forward(h_last, p)[0])[:, 1]


def read_review(model, review):
    """Read one review word by word: every hidden state h_t (T, H) and P(positive) after each
    word (T,), the prediction the network would give if the review ended there."""
    _model("model", model)
    ids = np.array([[WORD_ID[w]] for w in _words("review", review)])     # (T, 1)
    p = model.params
    h, _ = rnn_forward(embedding_forward(ids, p["W_emb"])[0], p)
    return h[:, 0], softmax(output_forward(h[:, 0], p)[0])[:, 1]


def accuracy(model, texts, labels):
    """Fraction of reviews whose predicted class (P(positive) > 1/2) is the label."""
    p = predict_sentiment(model, texts)
    labels = _labels01("labels", labels, len(p), "texts")
    return float(np.mean((p > 0.5) == labels))


# ---- the widget ----------------------------------------------------------------------------------

EXAMPLES = ("this movie is not good", "the plot is really good", "the acting was never boring",
            "the plot is good but the acting is not good",
            "the plot is not good but the acting is good",
            "the music is not wonderful", "the ending was not i must say good")
_CACHE = {}


def _chapter_model():
    if "model" not in _CACHE:
        _CACHE["model"] = train_sentiment_rnn(0)
    return _CACHE["model"]


def running_table_html(model, review, words=None):
    """HTML table: each word of ``review`` (the first ``words`` of them) and P(positive) after it."""
    from .display import html_table

    _model("model", model)
    _, p = read_review(model, review)
    ws = review.split()
    words = len(ws) if words is None else integer("words", words, low=1)
    rows = [[str(t), w, f"{p[t - 1]:.3f}", "positive" if p[t - 1] > 0.5 else "negative"]
            for t, w in enumerate(ws[:words], start=1)]
    return html_table(["t", "word", "P(positive) after it", "reads as"], rows)


def sentiment_view(review=0, words=5):
    """The widget's view: example review number ``review`` of EXAMPLES read up to word
    ``words`` (cut to its length), by the chapter's model (train_sentiment_rnn(0))."""
    review = integer("review", review, low=0, high=len(EXAMPLES) - 1)
    words = integer("words", words, low=1)
    text_ = EXAMPLES[review]
    shown = min(words, len(text_.split()))
    return (f"<p>Review: <em>{text_}</em> (words 1..{shown} read)</p>"
            + running_table_html(_chapter_model(), text_, shown))


def sentiment_widget():
    """The widget: sliders over example review and words read (:func:`sentiment_view`)."""
    from .display import Slider, interactive

    return interactive(sentiment_view, {"review": Slider(0, 0, len(EXAMPLES) - 1, 1),
                                        "words": Slider(5, 1, 12, 1)})

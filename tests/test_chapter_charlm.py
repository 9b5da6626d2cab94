"""Chapter 5's helpers (rnnlib.chapters.charlm): the text, the baselines, the training reference,
sampling, the hidden-unit measurement, the saved longer run and the widget's view; the chapter's
claims on other seeds and at small sizes."""
import math
import re

import numpy as np
import pytest

import rnnlib
from rnnlib.chapters import charlm

TEXT = charlm.load_text()
IDS = charlm.encode(TEXT)
CUT = int(len(IDS) * (1 - charlm.HELD_OUT))
TRAIN, TEST = IDS[:CUT], IDS[CUT:]


def test_the_committed_text_is_the_extraction_of_the_books_prose_over_the_alphabet():
    assert set(TEXT) <= set(charlm.ALPHABET) and len(charlm.ALPHABET) == charlm.V == 47
    assert 30_000 < len(TEXT) < 100_000
    assert "backpropagation through time" in TEXT and "```" not in TEXT and "$" not in TEXT
    assert charlm.decode(IDS) == TEXT


def test_markup_is_stripped():
    md = ("# Title\n\nThe *state* $h_t$ is {glue:text}`x:.4f` and {eq}`eq-a`; see [here](u).\n"
          "```{code-cell}\nprint(1)\n```\n$$\na = b\n$$ (eq-a)\n| a | b |\n- one–two\n")
    out = charlm._strip_markup(md)
    assert out == "title\nthe state ht is and eq-a; see here.\none-two\n"


def _ngram_bpc_by_counting(train, test, n, beta):
    """The smoothed n-gram of ngram_bpc, by explicit counting (the slow way)."""
    V = charlm.V

    def p(u, c, m):
        if m == 1:
            return (np.sum(train == c) + beta / V) / (len(train) + beta)
        u = u[-(m - 1):]
        count_uc = sum(1 for i in range(len(train) - m + 1)
                       if tuple(train[i:i + m - 1]) == u and train[i + m - 1] == c)
        count_u = sum(1 for i in range(len(train) - m + 1) if tuple(train[i:i + m - 1]) == u)
        return (count_uc + beta * p(u[1:] if m > 2 else (), c, m - 1)) / (count_u + beta)

    total = 0.0
    for t in range(len(test)):
        m = min(n, t + 1)
        total += math.log2(p(tuple(test[t - m + 1:t]), test[t], m))
    return -total / len(test)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("beta", [0.5, 2.0])
def test_ngram_bpc_matches_explicit_counting(n, beta):
    rng = np.random.default_rng(n)
    train = rng.integers(0, 4, 60) * 3
    test = np.r_[rng.integers(0, 4, 20) * 3, [46, 1]]   # characters never seen in training
    assert charlm.ngram_bpc(train, test, n, beta) == pytest.approx(
        _ngram_bpc_by_counting(train, test, n, beta), rel=1e-12)


def test_ngram_probabilities_sum_to_one():
    for n in (1, 2, 3):
        p = charlm._ngram_tables(TRAIN[:5000], n, 1.0)[-1]
        np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=1e-12)


def test_each_order_of_context_helps_on_the_held_out_text():
    bpc = [charlm.ngram_bpc(TRAIN, TEST, n) for n in (1, 2, 3)]
    assert math.log2(charlm.V) > bpc[0] > bpc[1] > bpc[2]


def test_streams_and_chunks():
    s = charlm.streams(np.arange(23) % charlm.V, 4)
    assert s.shape == (5, 4) and s[:, 1].tolist() == [5, 6, 7, 8, 9]
    x, y = charlm.chunk(s, 0, 2)
    assert x.shape == (2, 4, charlm.V) and y.tolist() == s[1:3].tolist()
    np.testing.assert_array_equal(x.argmax(axis=2), s[0:2])
    x2, y2 = charlm.chunk(s, 2, 2)          # two chunks fit in 5 steps: chunk 2 wraps to chunk 0
    np.testing.assert_array_equal(y2, y)


def test_heldout_bpc_is_the_summed_cross_entropy_over_ln2():
    params = rnnlib.init_rnn_params(charlm.V, 6, charlm.V, np.random.default_rng(0))
    ids = TEST[:4500]                        # longer than one piece of 2000: the state carried
    x = np.eye(charlm.V)[ids[:-1, None]]
    loss, _ = rnnlib.rnn_loss(params, x, ids[1:, None], loss="cross_entropy")
    assert charlm.heldout_bpc(params, ids) == pytest.approx(loss / (len(ids) - 1) / np.log(2),
                                                            rel=1e-10)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_small_rnn_beats_the_bigram_on_other_seeds(seed):
    run = charlm.train_run(TRAIN, TEST, steps=300, seed=seed, H=48, B=16, k=16, eval_every=100)
    assert run.test_bpc.min() < charlm.ngram_bpc(TRAIN, TEST, 2, 10.0)
    assert run.best_step == run.steps[np.argmin(run.test_bpc)]
    assert charlm.heldout_bpc(run.params, TEST) == pytest.approx(run.test_bpc.min(), rel=1e-12)


def test_the_first_update_is_rnn_loss_and_adam():
    """train_run's update is rnn_loss's loss and gradient, clipped, then adam_step."""
    p0 = rnnlib.init_rnn_params(charlm.V, 8, charlm.V, np.random.default_rng(3))
    x, y = charlm.chunk(charlm.streams(TRAIN, 4), 0, 5)
    loss, grads = rnnlib.rnn_loss(p0, x, y, loss="cross_entropy", h0=np.zeros((4, 8)))
    grads, _ = rnnlib.clip_grad_norm(grads, 5.0)
    p1, _ = rnnlib.adam_step(p0, grads, rnnlib.adam_init(p0), 3e-3)
    run = charlm.train_run(TRAIN, TEST, steps=1, seed=3, H=8, B=4, k=5, eval_every=1)
    for key in p1:
        np.testing.assert_allclose(run.params[key], p1[key], rtol=0, atol=1e-14)


def test_the_saved_longer_run_has_the_numbers_it_claims():
    params, info = charlm.saved_run()
    best = int(np.argmin(info["test_bpc"]))
    assert info["best_step"] == info["steps"][best]
    assert charlm.heldout_bpc(params, TEST) == pytest.approx(info["test_bpc"][best], abs=1e-3)
    assert info["test_bpc"][best] < min(charlm.ngram_bpc(TRAIN, TEST, 3, b)
                                        for b in (0.5, 1, 2, 5, 10))
    assert info["train_bpc"][-1] < info["test_bpc"][-1] - 0.5   # trained long, it memorises
    assert params["W_hh"].shape == (info["H"], info["H"])


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_temperature_trades_diversity_for_likelihood_on_other_seeds(seed):
    params, _ = charlm.saved_run()
    cold = charlm.continue_text(params, "the ", 400, 0.2, seed)
    hot = charlm.continue_text(params, "the ", 400, 1.5, seed)
    assert charlm.distinct_ngrams(cold[0], 4) < 0.75 * charlm.distinct_ngrams(hot[0], 4)
    assert cold[1] < 0.5 * hot[1]


def test_continue_text_is_sampling_after_reading_the_prompt():
    params, _ = charlm.saved_run()
    text, bpc = charlm.continue_text(params, "the loss ", 30, 0.7, 11)
    assert text == charlm.continue_text(params, "the loss ", 30, 0.7, 11)[0]
    prompt = charlm.encode("the loss ")
    hs, _ = rnnlib.rnn_forward(np.eye(charlm.V)[prompt[:-1, None]], params)
    c, o, _ = rnnlib.rnn_sample(params, np.eye(charlm.V)[prompt[-1:]], 30,
                                np.random.default_rng(11), hs[-1], 0.7)
    assert charlm.decode(c[:, 0]) == text
    logp = o[:, 0] - np.log(np.exp(o[:, 0]).sum(axis=1, keepdims=True))
    assert bpc == pytest.approx(-logp[np.arange(30), c[:, 0]].mean() / np.log(2), rel=1e-10)


def test_distinct_ngrams():
    assert charlm.distinct_ngrams("abab", 2) == pytest.approx(2 / 3)
    assert charlm.distinct_ngrams("aaaa", 1) == 0.25


def test_features_and_best_unit():
    text = "ab (cd) e\nf"
    f = charlm.features(text)
    assert f["inside parentheses"].tolist() == [0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]
    assert f["start of a line"].tolist() == [1] + [0] * 9 + [1]
    h = np.random.default_rng(0).standard_normal((len(text), 3))
    h[:, 2] = f["inside parentheses"] * 0.8 - 0.1
    assert charlm.best_unit(h, text)[:2] == (2, "inside parentheses")
    assert charlm.best_unit(h, text)[2] == pytest.approx(1.0)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_unit_of_the_saved_model_tracks_a_nameable_property(seed):
    params, _ = charlm.saved_run()
    start = 1000 * seed
    ids = TEST[start:start + 3000]
    h, _ = rnnlib.rnn_forward(np.eye(charlm.V)[ids[:, None]], params)
    assert abs(charlm.best_unit(h[:, 0], charlm.decode(ids))[2]) > 0.5


def test_unit_strips_colour_every_character():
    h = np.tanh(np.random.default_rng(0).standard_normal((5, 3)))
    out = charlm.unit_strips("a(b)\n", h, [0, 2])
    assert out.count("<span") == 10 and "unit 2" in out


@pytest.mark.parametrize("prompt, temperature, seed", [(0, 0.5, 0), (4, 1.2, 3), (2, 0.1, 9)])
def test_the_widget_view_is_the_saved_models_continuation(prompt, temperature, seed):
    out = charlm.continuation_view(prompt, temperature, seed)
    text, bpc = charlm.continue_text(charlm.saved_run()[0], charlm.PROMPTS[prompt], 120,
                                     temperature, seed)
    plain = re.sub(r"<[^>]+>", "", out).replace("&amp;", "&").replace("&lt;", "<")
    assert charlm.PROMPTS[prompt] + text in plain and f"{bpc:.3f} bits per character" in plain
    assert out == charlm.continuation_view(prompt, temperature, seed)


def test_the_widget_has_the_views_sliders():
    widget = charlm.continuation_widget()
    names = [c.description for row in widget.children[:-1] for c in row.children]
    assert names == ["prompt", "temperature", "seed"]
    assert widget.children[-1].value == charlm.continuation_view(0, 0.5, 0)


def test_the_saved_short_k_comparison_has_the_numbers_it_claims():
    short = charlm.saved_short_k()
    for k in (4, 32):
        bits = charlm._bits(short[k]["params"], TEST)
        assert bits.mean() == pytest.approx(short[k]["bpc"], abs=1e-3)
        assert bits[TEST[1:] == charlm.INDEX[")"]].mean() == pytest.approx(short[k]["close_bpc"],
                                                                          abs=1e-3)
    assert short[4]["bpc"] < short[32]["bpc"] and short[4]["close_bpc"] > short[32]["close_bpc"]
    assert charlm.heldout_bpc(short[4]["params"], TEST) == pytest.approx(short[4]["bpc"], abs=1e-3)


def test_the_saved_adagrad_run_is_the_scripts():
    saved = charlm.saved_adagrad()
    assert saved["lr"].tolist() == list(charlm.ADAGRAD_LRS)
    run = charlm.train_run(TRAIN, TEST, steps=125, seed=0, eval_every=125,
                           **{**charlm.RECIPE, "lr": saved["lr"][1]}, optimizer="adagrad")
    assert run.test_bpc[0] == pytest.approx(saved["test_bpc"][1, 0], rel=1e-9)
    assert saved["steps"].tolist() == list(range(125, 1001, 125))


def test_adagrad_is_min_char_rnns_update():
    p0 = rnnlib.init_rnn_params(charlm.V, 8, charlm.V, np.random.default_rng(3))
    x, y = charlm.chunk(charlm.streams(TRAIN, 4), 0, 5)
    _, grads = rnnlib.rnn_loss(p0, x, y, loss="cross_entropy")
    grads, _ = rnnlib.clip_grad_norm(grads, 5.0)
    run = charlm.train_run(TRAIN, TEST, steps=1, seed=3, H=8, B=4, k=5, lr=0.1, eval_every=1,
                           optimizer="adagrad")
    for key in p0:
        np.testing.assert_allclose(run.params[key],
                                   p0[key] - 0.1 * grads[key] / np.sqrt(grads[key] ** 2 + 1e-8),
                                   rtol=0, atol=1e-14)

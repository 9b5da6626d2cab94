"""Self-checking exercises: each ``check_*`` runs the learner's function and says what is wrong.

A checker calls the learner's function on several cases (shapes where a missing transpose or a
missing sum over the batch hides, B = 1 and H = 1, and shapes where it shows), compares every
output with the reference and with centred finite differences, and returns a
:class:`CheckResult`: ``.passed``, ``.message`` in plain words (which output is wrong, its
expected and actual shape, the relative error ||yours - reference|| / (||yours|| +
||reference||), the most likely cause). In a notebook it shows as a short HTML report; ``print``
gives the text. The causes are found by computation: each checker holds the common mistakes as
code and names the one whose outputs match the learner's; when none matches, it says what the
difference looks like (on which cases, times -1 or a constant or a size, the transpose, right up
to sign, wrong at one time step, wrong only where an activation saturates). A NaN or inf
relative error is a mismatch.

One module per chapter, named like its notebook:

fnn_vs_rnn   check_rnn_step_backward, check_fnn_backward (chapter 1)
unrolling    check_unrolled_rnn (chapter 2): the unrolled forward and backward loops
softmax_bptt check_softmax_cross_entropy (chapter 3)
shapes       check_seq2seq_backward (chapter 4): the encoder-decoder's backward, dh0 into the encoder
charlm       check_sample_step (chapter 5): one sampling step with a temperature
sentiment    check_embedding_backward, check_bow_features (chapter 6): the embedding's backward,
             once per occurrence; a review's bag-of-words counts
vanishing    check_clip_global (chapter 7): global-norm gradient clipping
"""
from ._checker import CheckResult
from .fnn_vs_rnn import check_fnn_backward, check_rnn_step_backward
from .softmax_bptt import check_softmax_cross_entropy
from .sentiment import check_bow_features, check_embedding_backward
from .shapes import check_seq2seq_backward
from .unrolling import check_unrolled_rnn
from .vanishing import check_clip_global
from .charlm import check_sample_step

__all__ = ["CheckResult", "check_rnn_step_backward", "check_fnn_backward", "check_unrolled_rnn",
           "check_softmax_cross_entropy", "check_seq2seq_backward",
           "check_embedding_backward", "check_bow_features", "check_clip_global",
           "check_sample_step"]

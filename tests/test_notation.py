"""The book's one notation (book/notation.md, issue #21), checked where it is defined.

- d and ∂: ``dX`` / $\\mathrm{d}X$ is the total derivative dL/dX; ∂ is a partial derivative (the
  function's other arguments held fixed). A total derivative is never written with ∂: no page
  that defines the notation (notation.md, a chapter's first cell, the README, CONTRIBUTING.md)
  and no docstring of rnnlib says "dX is ∂L/∂X" or "the total derivative ∂L/∂X".
- one name per quantity: the recurrent part of the gradient reaching h_t is ``dh_next``
  (``dh_rec`` is gone everywhere).
- 1-based time in the math, 0-based arrays: h_t is ``h[t-1]``, ``hs[t-1]``, ``output[t-1]``;
  no text maps ``X[t]`` to a 1-based ``x_t``.
- losses say their default: every public function with ``reduction="sum"`` says so in words.

A learner's read stays the real check; these catch the phrasings that slipped in before.
"""
import ast
import inspect
import json
import re
from pathlib import Path

import pytest

import rnnlib

ROOT = Path(__file__).resolve().parents[1]

# Chapters whose first cell is checked for the d/∂ definition. Chapters 2 and 3 join once their
# opening cells follow notation.md (issue #21, section 1); every chapter should be here.
FIRST_CELL_CHECKED = tuple(sorted(p.stem for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")))

PARTIAL = r"(?:∂|\\partial|\\frac\s*\{\s*\\partial)"
D_SYMBOL = r"(?:`d[A-Za-z]\w*`|\$\\mathrm\{d\}\s*[A-Za-z]\w*\$|\bd[A-Z]\w*)"
TOTAL_WITH_PARTIAL = [
    # "dX is ∂L/∂X", "$\mathrm{d}X$ is the *total* derivative $\partial L/\partial X$"
    re.compile(D_SYMBOL + r"\s+(?:always\s+)?(?:is|means|denotes|stands\s+for)\s+(?:the\s+)?"
               r"(?:\*?total\*?\s+)?(?:derivative\s+|gradient\s+)?\$?\s*" + PARTIAL),
    # "the total derivative ∂L/∂X", "total derivative $\frac{\partial L}{...}$"
    re.compile(r"\*?total\*?\s+derivative\s+\$?\s*" + PARTIAL),
]
ZERO_BASED_AS_ONE_BASED = re.compile(
    r"`*\b(?:h|hs|ys|x|xs|o|output|dh_out|dx)\[t\]`*\s+(?:is|reaches)\s+(?:the\s+gradient\s+"
    r"reaching\s+)?\$?[a-z]_t\b")


def notebook_cells(path):
    return json.loads(path.read_text())["cells"]


def defining_texts():
    """(where, text) of every place that defines the notation."""
    texts = [(name, (ROOT / name).read_text())
             for name in ("book/notation.md", "book/intro.md", "README.md", "CONTRIBUTING.md")]
    for stem in FIRST_CELL_CHECKED:
        first = notebook_cells(ROOT / "book" / f"{stem}.ipynb")[0]
        texts.append((f"book/{stem}.ipynb, first cell", "".join(first["source"])))
    return texts


def docstrings():
    """(where, docstring) of every module, class and function under rnnlib/, read with ast (no
    import, so modules that need matplotlib or ipywidgets are read too)."""
    found = []
    for path in sorted((ROOT / "rnnlib").rglob("*.py")):
        tree = ast.parse(path.read_text())
        where = path.relative_to(ROOT).as_posix()
        nodes = [tree, *(n for n in ast.walk(tree)
                         if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))]
        for node in nodes:
            doc = ast.get_docstring(node)
            if doc:
                found.append((where if node is tree else f"{where}:{node.name}", doc))
    return found


def offending(text, patterns):
    return [m.group(0) for p in patterns for m in p.finditer(text)]


@pytest.mark.parametrize("phrase", [
    r"and $\mathrm{d}X$ is $\partial L / \partial X$ with the shape of $X$",
    r"$\mathrm{d}X$ is the *total* derivative $\partial L/\partial X$",
    "`dX` always means ∂L/∂X",
    "dX is the total derivative ∂L/∂X",
    r"the total derivative $\frac{\partial L}{\partial h_1}$",
])
def test_the_patterns_catch_a_total_written_with_partial(phrase):
    assert offending(phrase, TOTAL_WITH_PARTIAL), phrase


@pytest.mark.parametrize("phrase", [
    r"$\mathrm{d}X$ (`dX` in code) is the **total** derivative $\mathrm{d}L/\mathrm{d}X$",
    r"$\partial f/\partial X$ is a **partial** derivative",
    r"A total derivative is never written with $\partial$.",
    "``dX`` means dL/dX, the *total* derivative of the loss",
])
def test_the_patterns_pass_the_notation_of_the_book(phrase):
    assert not offending(phrase, TOTAL_WITH_PARTIAL), phrase


@pytest.mark.parametrize("where, text", defining_texts(), ids=lambda v: v if len(v) < 60 else "")
def test_no_page_that_defines_the_notation_writes_a_total_with_partial(where, text):
    assert not offending(text, TOTAL_WITH_PARTIAL), f"{where} writes a total derivative with ∂"


def test_no_docstring_writes_a_total_with_partial():
    bad = [(where, hit) for where, doc in docstrings() for hit in offending(doc, TOTAL_WITH_PARTIAL)]
    assert not bad, f"docstrings that write a total derivative with ∂: {bad}"


def test_the_recurrent_part_of_dh_has_one_name():
    files = [*sorted((ROOT / "rnnlib").rglob("*.py")), *sorted((ROOT / "book").glob("*.md")),
             *sorted((ROOT / "book").glob("[0-9]*.ipynb")), *sorted((ROOT / "tests").glob("*.py")),
             ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
    this = Path(__file__).resolve()
    bad = [p.relative_to(ROOT).as_posix() for p in files
           if p.resolve() != this and re.search(r"dh_?rec|\{rec\}|\\text\{rec\}", p.read_text())]
    assert not bad, f"dh_rec (now dh_next) in {bad}"


def test_arrays_count_from_zero_in_the_rosetta_tables():
    notation = (ROOT / "book/notation.md").read_text()
    for text, where in ((notation, "notation.md"), (rnnlib.__doc__, "rnnlib's docstring")):
        for entry in ("hs[t-1]", "ys[t-1]", "output[t-1]", "Linear(output)[t-1]"):
            assert entry in text, f"{where} lacks {entry}"
        assert not re.search(r"\b(?:hs|ys|output)\[t\]", text), f"{where} maps h_t to a [t] index"


def test_no_text_maps_a_zero_based_index_to_a_one_based_step():
    texts = [*defining_texts(), *docstrings()]
    markdown = "\n".join("".join(c["source"]) for c in notebook_cells(ROOT / "book/01_fnn_vs_rnn.ipynb")
                         if c["cell_type"] == "markdown")
    texts.append(("book/01_fnn_vs_rnn.ipynb", markdown))
    bad = [(where, hit) for where, text in texts for hit in offending(text, [ZERO_BASED_AS_ONE_BASED])]
    assert not bad, f"0-based index read as the 1-based step: {bad}"
    assert offending("``dh_out[t]`` is the gradient reaching h_t", [ZERO_BASED_AS_ONE_BASED])
    assert offending("h[t] is h_t", [ZERO_BASED_AS_ONE_BASED])


def test_losses_say_their_default_reduction_in_words():
    defaults = []
    for name in rnnlib.__all__:
        fn = getattr(rnnlib, name)
        if not callable(fn) or not inspect.isfunction(fn):
            continue
        parameter = inspect.signature(fn).parameters.get("reduction")
        if parameter is not None and parameter.default == "sum":
            defaults.append(name)
            assert re.search(r'"sum"[^.]*default|default[^.]*"sum"|summed over positions unless',
                             fn.__doc__), f"{name}'s docstring does not say that 'sum' is the default"
    assert {"mse_loss", "softmax_cross_entropy", "rnn_loss", "fnn_loss"} <= set(defaults)
    notation = (ROOT / "book/notation.md").read_text()
    assert "Nothing is summed or averaged implicitly" not in notation
    assert 'unless `reduction="mean"`' in notation

"""The chapter checklist of CONTRIBUTING.md, checked on every notebook (nbval runs them; this
reads them).

- the first code cell is the Colab setup cell: it installs rnnlib from the repository named in
  ``_config.yml`` only on Colab (Colab, unlike Binder and ``make lab``, installs nothing from the
  repository), prints nothing elsewhere, and is tagged ``remove-cell``;
- no stale outputs: every code cell ran once, in order, in one fresh kernel (execution counts
  1, 2, 3, ...), and no cell stores an error;
- the chapter is in ``_toc.yml``, has its helper module ``rnnlib/chapters/<name>.py`` and its
  tests ``tests/test_chapter_<name>.py``;
- its first lines link the notation page; it states learning goals, has a summary and a
  "Sources" section with citations;
- every exercise has a solution, folded in a dropdown; at least one exercise checks itself
  (a call of a checker from ``rnnlib.exercises``, whose stored output is a pass);
- at least one widget, marked for the live test (cell metadata ``live_widget`` naming a view
  function that exists).
"""
import importlib
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9]*.ipynb"))
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
TOC = (ROOT / "_toc.yml").read_text()


def cells(path):
    return json.loads(path.read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def markdown(path):
    return "\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown")


def chapter_name(path):
    """``01_fnn_vs_rnn.ipynb`` -> ``fnn_vs_rnn``: the name of its helper module and tests."""
    return path.stem.split("_", 1)[1]


def test_the_book_has_notebooks():
    assert NOTEBOOKS, "no chapter notebook in book/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_installs_rnnlib_on_colab_only(path):
    first = next(c for c in cells(path) if c["cell_type"] == "code")
    text = source(first)
    assert 'if "google.colab" in sys.modules:' in text, f"{path.name}: first code cell is not the Colab setup"
    assert f'"rnnlib @ git+{REPOSITORY}"' in text, f"{path.name}: does not install rnnlib from {REPOSITORY}"
    assert "remove-cell" in first["metadata"].get("tags", []), f"{path.name}: setup cell not tagged remove-cell"
    assert first.get("outputs") == [], f"{path.name}: the setup cell printed something outside Colab"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_from_one_run_top_to_bottom(path):
    code = [c for c in cells(path) if c["cell_type"] == "code" and source(c).strip()]
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(code)}: the stored outputs are not "
        f"from one run top to bottom; run `make outputs NB=book/{path.name}`")
    errors = [i for i, c in enumerate(code, 1) if any(o.get("output_type") == "error" for o in c["outputs"])
              and "raises-exception" not in c["metadata"].get("tags", [])]
    assert not errors, f"{path.name}: code cells {errors} store an error"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbval_markers_are_bare(path):
    """nbval reads a marker only when the comment holds the marker alone (``# NBVAL_IGNORE_OUTPUT``):
    ``# NBVAL_IGNORE_OUTPUT: why`` is silently not a marker. The reason goes on the next line."""
    for cell in cells(path):
        for line in source(cell).splitlines():
            if "NBVAL_" in line and line.lstrip().startswith("#"):
                assert re.fullmatch(r"\s*#\s*NBVAL_[A-Z_]+\s*", line), \
                    f"{path.name}: {line.strip()!r} is not a bare nbval marker (reason on the next line)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_has_toc_entry_helper_module_and_tests(path):
    name = chapter_name(path)
    assert f"file: book/{path.stem}\n" in TOC, f"{path.name} is not in _toc.yml"
    assert (ROOT / "rnnlib" / "chapters" / f"{name}.py").is_file(), f"no rnnlib/chapters/{name}.py"
    assert (ROOT / "tests" / f"test_chapter_{name}.py").is_file(), f"no tests/test_chapter_{name}.py"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_parts(path):
    text = markdown(path)
    first = source(cells(path)[0])
    assert re.search(r"\{(ref|doc)\}`[^`]*notation`", first), f"{path.name}: first cell does not link the notation page"
    assert "you will be able to" in first.lower(), f"{path.name}: first cell states no learning goals"
    assert re.search(r"^## Summary", text, re.M), f"{path.name}: no '## Summary' section"
    sources = re.search(r"^## Sources\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert sources, f"{path.name}: no '## Sources' section"
    assert "{cite" in sources.group(1), f"{path.name}: the Sources section cites nothing"


def exercise_labels(text):
    return re.findall(r"```+\{exercise\}[^\n]*\n(?::[^\n]*\n)*?:label: ([\w-]+)", text)


def solutions(text):
    """label -> the options of its solution ({solution} or gated {solution-start})."""
    found = re.findall(r"```+\{solution(?:-start)?\} ([\w-]+)\n((?::[^\n]*\n)*)", text)
    return dict(found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_has_a_folded_solution(path):
    text = markdown(path)
    labels = exercise_labels(text)
    assert labels, f"{path.name}: no exercise"
    found = solutions(text)
    for label in labels:
        assert label in found, f"{path.name}: exercise {label} has no solution"
        assert ":class: dropdown" in found[label], f"{path.name}: the solution of {label} is not a dropdown"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_self_checking_exercise_passes_its_check(path):
    checks = [c for c in cells(path) if c["cell_type"] == "code"
              and re.search(r"\bexercises\.check_\w+\(", source(c))]
    assert checks, f"{path.name}: no call of a checker from rnnlib.exercises"
    passed = [c for c in checks for o in c["outputs"]
              if "rnn-check-pass" in "".join(o.get("data", {}).get("text/html", ""))]
    assert passed, f"{path.name}: no stored checker output is a pass (run the checker on the solution)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widgets_are_marked_for_the_live_test(path):
    marked = [c["metadata"]["live_widget"] for c in cells(path)
              if c["cell_type"] == "code" and "live_widget" in c["metadata"]]
    assert marked, f"{path.name}: no widget cell carries live_widget metadata"
    for spec in marked:
        module, _, function = spec["view"].partition(":")
        assert callable(getattr(importlib.import_module(module), function, None)), \
            f"{path.name}: live_widget view {spec['view']} does not exist"
        assert spec.get("control") and spec.get("keys"), f"{path.name}: live_widget {spec} names no control or keys"

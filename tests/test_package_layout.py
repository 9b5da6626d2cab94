"""The package's parts stay apart: the core imports only NumPy and itself, never the chapter
helpers, the exercises or the datasets; importing any part pulls in no plotting or widget library."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import rnnlib

PACKAGE = Path(rnnlib.__file__).parent
CORE = sorted(p for p in PACKAGE.glob("*.py") if p.name != "datasets.py")
OUTSIDE_CORE = ("chapters", "exercises", "datasets")


def imported_modules(path):
    """Every module a file imports, relative imports spelled with their dots (".rnn")."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_imports_only_numpy_and_the_core(path):
    for name in imported_modules(path):
        top = name.lstrip(".").split(".")[0]
        if name.startswith("."):
            assert top not in OUTSIDE_CORE, f"{path.name} imports {name}: the core must not"
        else:
            assert top in {"numpy", "typing", "__future__"}, f"{path.name} imports {name}"


@pytest.mark.parametrize("module", ["rnnlib", "rnnlib.chapters.display", "rnnlib.chapters.fnn_vs_rnn",
                                    "rnnlib.exercises", "rnnlib.datasets"])
def test_importing_pulls_in_no_plotting_or_widget_library(module):
    code = (f"import sys, {module}; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"import {module} loaded {out.stdout.strip()}"


def test_core_namespace_holds_no_chapter_helper():
    assert not {"chapters", "exercises", "datasets"} & set(rnnlib.__all__)
    assert all(hasattr(rnnlib, name) for name in rnnlib.__all__)


def test_every_subpackage_is_installed():
    """A wheel (what Colab's setup cell installs) holds every folder of rnnlib with code."""
    from setuptools import find_packages

    folders = {".".join(p.relative_to(PACKAGE.parent).parts) for p in
               {f.parent for f in PACKAGE.rglob("*.py") if "__pycache__" not in f.parts}}
    found = set(find_packages(str(PACKAGE.parent), include=["rnnlib", "rnnlib.*"]))
    assert folders <= found, f"not installed (no __init__.py?): {sorted(folders - found)}"


def test_every_data_file_is_installed():
    """Data files the helpers read (chapter 5's text and saved runs) are package data of their
    subpackage in pyproject.toml, so that a wheel (Colab's install) holds them too."""
    import fnmatch
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    package_data = config["tool"]["setuptools"].get("package-data", {})
    missing = []
    for f in PACKAGE.rglob("*"):
        if f.is_dir() or f.suffix in (".py", ".pyc") or "__pycache__" in f.parts:
            continue
        package = ".".join(f.parent.relative_to(PACKAGE.parent).parts)
        if not any(fnmatch.fnmatch(f.name, pattern) for pattern in package_data.get(package, [])):
            missing.append(str(f.relative_to(PACKAGE.parent)))
    assert not missing, f"not in [tool.setuptools.package-data] of pyproject.toml: {missing}"

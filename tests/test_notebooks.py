"""Static checks of the chapter notebooks that nbval (which runs them) does not make.

Colab, unlike Binder and ``make lab``, installs nothing from the repository: every chapter must
start with a setup cell that installs rnnlib from the repository named in ``_config.yml`` when it
runs on Colab (and does nothing elsewhere, which nbval then checks by running it), tagged
``remove-cell`` so the HTML book does not show it.
"""
import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def test_the_book_has_notebooks():
    assert NOTEBOOKS, "no notebook in book/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_installs_rnnlib_on_colab_only(path):
    cells = json.loads(path.read_text())["cells"]
    first = next(c for c in cells if c["cell_type"] == "code")
    source = "".join(first["source"])
    assert 'if "google.colab" in sys.modules:' in source, f"{path.name}: first code cell is not the Colab setup"
    assert f'"rnnlib @ git+{REPOSITORY}"' in source, f"{path.name}: does not install rnnlib from {REPOSITORY}"
    assert "remove-cell" in first["metadata"].get("tags", []), f"{path.name}: setup cell not tagged remove-cell"
    assert first.get("outputs") == [], f"{path.name}: the setup cell printed something outside Colab"

"""The book as one PDF (``make pdf``, also run by ``make book``), checked from its text with pypdf.

- every document of ``_toc.yml`` starts under its title, in the order of ``_toc.yml``, the
  chapters numbered; the contents list each with the page it starts on, as a link;
- a sample of each chapter's glued numbers, read from the executed notebook's glue outputs and
  formatted as the ``{glue:text}`` role in its prose formats them, printed in that chapter;
- every folded solution printed (its "Solution to Exercise" heading), in a Solutions section;
- no widget repr (``VBox(``) or widget error, no ``<IPython`` object repr, no raw ``$$`` or ``\\frac`` that
  MathJax left untypeset;
- every page carries its number ("n / total", Chromium's footer);
- the built HTML offers the PDF: the introduction's download link names the copy in
  ``_build/html``, the same file.

Needs ``make pdf`` first: without the PDF the tests fail, saying so.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# book/_ext/pdf.py, the script that writes the PDF: its file names and its reading of the config
_spec = importlib.util.spec_from_file_location("book_pdf", ROOT / "book" / "_ext" / "pdf.py")
book_pdf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(book_pdf)

CONFIG, TOC = book_pdf.load_config(ROOT)
PDF = Path(os.environ.get("BOOK_PDF", ROOT / "_build" / "pdf" / book_pdf.pdf_name(CONFIG)))
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
GLUE_SAMPLE = 12  # glued numbers checked per chapter, spread over the chapter


def normalise(text: str) -> str:
    """Whitespace collapsed and typographic ligatures split (the PDF's text has "ﬁ" for "fi")."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@functools.cache
def reader():
    from pypdf import PdfReader

    if not PDF.is_file():
        pytest.fail(f"no PDF at {PDF}: run `make pdf` first (or point BOOK_PDF at one)",
                    pytrace=False)
    return PdfReader(PDF)


@functools.cache
def page_texts() -> tuple[str, ...]:
    return tuple(normalise(page.extract_text() or "") for page in reader().pages)


def documents() -> list[dict]:
    """The documents of _toc.yml in order: docname, source, title, chapter number or None."""
    docs, number = [], 0
    for part in TOC["parts"]:
        for entry in part["chapters"]:
            docname = entry["file"]
            source = next(ROOT.glob(docname + ".*"))
            if part.get("numbered"):
                number += 1
            docs.append({"docname": docname, "source": source, "title": title_of(source),
                         "number": number if part.get("numbered") else None})
    return docs


def title_of(source: Path) -> str:
    if source.suffix == ".ipynb":
        cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = source.read_text(encoding="utf-8")
    match = re.search(r"^# (.+)$", text, re.M)
    assert match, f"{source}: no '# title' line"
    return normalise(match.group(1))


def heading(doc: dict) -> str:
    return f"{doc['number']}. {doc['title']}" if doc["number"] else doc["title"]


@functools.cache
def contents() -> dict[str, int]:
    """Heading -> page number, as the contents pages print them ("Title ..... 12")."""
    texts = page_texts()
    toc_pages = [i for i, t in enumerate(texts[:6]) if i == 1 or t.startswith("Contents")]
    found = {}
    for doc in documents():
        for i in range(1, 6):
            match = re.search(re.escape(heading(doc)) + r" (\d+)\b", texts[i])
            if match:
                found[heading(doc)] = int(match.group(1))
                break
    assert toc_pages, "no Contents page after the title page"
    return found


def test_title_page_from_config():
    first = page_texts()[0]
    for field in ("title", "author"):
        assert normalise(CONFIG[field]) in first, f"title page lacks the {field} {CONFIG[field]!r}"
    assert "CC BY 4.0" in first and "MIT" in first, f"title page lacks the licence: {first!r}"
    assert page_texts()[1].startswith("Contents"), "page 2 is not the contents"


def test_every_document_in_order_under_its_title_at_its_contents_page():
    texts, toc = page_texts(), contents()
    missing = [heading(d) for d in documents() if heading(d) not in toc]
    assert not missing, f"not in the contents (with a page number): {missing}"
    pages = [toc[heading(d)] for d in documents()]
    assert pages == sorted(pages) and len(set(pages)) == len(pages), \
        f"contents pages out of order: {list(zip(map(heading, documents()), pages))}"
    for doc, page in zip(documents(), pages):
        # (the bibliography's label column comes first in its page's text)
        assert heading(doc) in texts[page - 1], (
            f"the contents put {heading(doc)!r} on page {page}, which reads "
            f"{texts[page - 1][:80]!r}")


def test_contents_entries_are_links_to_their_pages():
    reader_ = reader()
    toc = contents()
    targets = set()
    for page in reader_.pages[1:4]:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
                dest = annotation["/Dest"]
                if isinstance(dest, str) or not hasattr(dest, "__getitem__"):
                    dest = reader_.named_destinations[str(dest)]
                    targets.add(reader_.get_destination_page_number(dest) + 1)
                else:
                    targets.add(reader_.get_page_number(dest[0].get_object()) + 1)
    missing = sorted(set(toc.values()) - targets)
    assert not missing, f"no contents link leads to pages {missing}"


def chapter_ranges() -> dict[str, range]:
    """Docname -> its pages (0-based) from its first page to the next document's."""
    toc = contents()
    docs = documents()
    starts = [toc[heading(d)] - 1 for d in docs] + [len(page_texts())]
    return {d["docname"]: range(starts[i], starts[i + 1]) for i, d in enumerate(docs)}


def glued_numbers(source: Path) -> list[str]:
    """Each {glue:text}`name:fmt` of the prose, formatted from the notebook's glue output."""
    from myst_nb.core.variables import format_plain_text

    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    values = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                values[record["name"]] = output["data"].get(record["mime_prefix"] + "text/plain")
    shown = []
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for key in re.findall(r"\{glue:text\}`([^`]+)`", "".join(cell["source"])):
                name, _, fmt = key.partition(":")
                if values.get(name) is not None:
                    text = format_plain_text(values[name], fmt)
                    if len(re.findall(r"\d", text)) >= 3:  # "6" would be found anywhere
                        shown.append(text)
    return shown


NOTEBOOK_DOCS = [d for d in documents() if d["source"].suffix == ".ipynb"]


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS, ids=[d["docname"] for d in NOTEBOOK_DOCS])
def test_a_sample_of_glued_numbers_printed_in_its_chapter(doc):
    numbers = glued_numbers(doc["source"])
    assert numbers, f"{doc['source']}: no glued number found in the prose"
    step = max(1, len(numbers) // GLUE_SAMPLE)
    sample = numbers[::step][:GLUE_SAMPLE]
    text = " ".join(page_texts()[i] for i in chapter_ranges()[doc["docname"]])
    missing = [n for n in sample if n not in text]
    assert not missing, f"{heading(doc)}: glued numbers not printed in its pages: {missing}"


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS, ids=[d["docname"] for d in NOTEBOOK_DOCS])
def test_every_solution_printed_in_its_chapters_solutions(doc):
    cells = json.loads(doc["source"].read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    expected = len(re.findall(r"^`{3,}\{solution(?:-start)?\}", source, re.M))
    pages = [page_texts()[i] for i in chapter_ranges()[doc["docname"]]]
    text = " ".join(pages)
    printed = len(re.findall(r"Solution to Exercise " + str(doc["number"]) + r"\.\d+", text))
    assert printed == expected, f"{heading(doc)}: {printed} solutions printed of {expected}"
    first_solution = next(i for i, t in enumerate(pages) if "Solution to Exercise" in t)
    assert "Solutions" in pages[first_solution][:200], \
        f"{heading(doc)}: the solutions do not start a Solutions section"


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS, ids=[d["docname"] for d in NOTEBOOK_DOCS])
def test_chapter_equations_numbered(doc):
    """A labelled equation prints its number "(N.k)" beside it, N the chapter's number."""
    text = " ".join(page_texts()[i] for i in chapter_ranges()[doc["docname"]])
    numbers = set(re.findall(r"\(" + str(doc["number"]) + r"\.(\d+)\)", text))
    assert {"1", "2"} <= numbers, f"{heading(doc)}: equation numbers printed: {sorted(numbers)}"


def test_pdf_title_is_the_books():
    assert reader().metadata.title == CONFIG["title"], reader().metadata


@pytest.mark.parametrize("raw", ["VBox(", "<IPython", "$$", "\\frac", "Error displaying widget"])
def test_no_repr_or_raw_math(raw):
    pages = [i + 1 for i, text in enumerate(page_texts()) if raw in text]
    assert not pages, f"{raw!r} printed on pages {pages}"


def test_every_page_has_its_number():
    texts = page_texts()
    total = len(texts)
    assert total > 10, f"only {total} pages"
    unnumbered = [i + 1 for i, text in enumerate(texts) if f"{i + 1} / {total}" not in text]
    assert not unnumbered, f"pages without 'n / {total}': {unnumbered}"


def test_the_html_book_offers_the_pdf():
    intro = HTML / (TOC["root"] + ".html")
    if not intro.is_file():
        pytest.fail(f"no built book at {HTML}: run `make book` first", pytrace=False)
    name = book_pdf.slug(CONFIG["title"]) + ".pdf"
    links = re.findall(r'href="([^"]*\.pdf)"', intro.read_text(encoding="utf-8"))
    assert links, f"{intro} has no link to a PDF"
    target = (intro.parent / links[0]).resolve()
    assert target == (HTML / name).resolve(), f"the download link names {target}"
    assert target.is_file() and target.read_bytes() == PDF.read_bytes(), \
        f"{target} is missing or not the PDF at {PDF}: run `make pdf` (make book does)"

"""No broken internal link in the built book.

Every HTML page of ``_build/html`` (or of ``$BOOK_HTML``) is parsed; every relative ``href``,
``src`` and ``srcset`` (links, scripts, stylesheets, images, the .ipynb downloads, index.html's
redirect) must name a file inside the build, and every ``#fragment`` an ``id`` in the page it
points to. Links with a scheme (https:, mailto:, ...) leave the book and are not followed here;
the browser test checks that the book itself fetches nothing outside. The landing page must
link to every chapter. Needs ``make book`` first: without a build the tests fail, saying so.
"""
from __future__ import annotations

import functools
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()

URL_ATTRIBUTES = {"href", "src", "poster"}
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class Page(HTMLParser):
    """The ids of one page, its links, and the links inside its article (the page's own text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.article_links: list[str] = []
        self.numbered_title = False
        self._article_depth = 0
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "article":
            self._article_depth += 1
        for attribute in URL_ATTRIBUTES & attrs.keys():
            if attrs[attribute] is not None:
                self.links.append((tag, attribute, attrs[attribute].strip()))
        if attrs.get("srcset"):
            for candidate in attrs["srcset"].split(","):
                if candidate.strip():
                    self.links.append((tag, "srcset", candidate.split()[0]))
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            match = re.search(r"url\s*=\s*(\S+)", attrs.get("content") or "", re.I)
            if match:
                self.links.append((tag, "refresh", match.group(1).strip("'\"")))
        if tag == "a" and self._article_depth and attrs.get("href"):
            self.article_links.append(attrs["href"])
        if tag == "h1":
            self._in_h1 = True
        elif tag == "span" and self._in_h1 and "section-number" in (attrs.get("class") or ""):
            self.numbered_title = True

    def handle_endtag(self, tag):
        if tag == "article" and self._article_depth:
            self._article_depth -= 1
        elif tag == "h1":
            self._in_h1 = False


@functools.cache
def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return page


def book_pages() -> list[str]:
    if not (BUILD / "index.html").is_file():
        return ["index.html"]  # the build fixture fails with a clear message
    return sorted(p.relative_to(BUILD).as_posix() for p in BUILD.rglob("*.html")
                  if p.relative_to(BUILD).parts[0] != "_static"
                  and not p.relative_to(BUILD).parts[0].startswith("."))


@pytest.fixture(scope="module")
def build() -> Path:
    if not (BUILD / "index.html").is_file():
        pytest.fail(f"no built book at {BUILD}: run `make book` first "
                    "(or point BOOK_HTML at a build's html folder)", pytrace=False)
    return BUILD


def resolve(build: Path, page: Path, url: str) -> tuple[Path | None, str]:
    """The file a relative URL names (None if it leaves the book) and its fragment."""
    parts = urlsplit(url)
    if not parts.path:
        return page, unquote(parts.fragment)
    target = (page.parent / unquote(parts.path)).resolve()
    if url.endswith("/") or target.is_dir():
        target = target / "index.html"
    if build != target and build not in target.parents:
        return None, ""
    return target, unquote(parts.fragment)


def broken_links(build: Path, page_path: str) -> list[str]:
    page = build / page_path
    problems = []
    for tag, attribute, url in parse(page).links:
        if not url or url == "#" or SCHEME.match(url) or url.startswith("//"):
            continue  # the page itself, or outside the book
        target, fragment = resolve(build, page, url)
        where = f"<{tag} {attribute}={url!r}>"
        if target is None:
            problems.append(f"{where} leaves the build folder")
        elif not target.is_file():
            problems.append(f"{where}: no file {target.relative_to(build)}")
        elif fragment and target.suffix == ".html" and fragment not in parse(target).ids:
            problems.append(f"{where}: no id {fragment!r} in {target.relative_to(build)}")
    return problems


@pytest.mark.parametrize("page_path", book_pages())
def test_internal_links_resolve(build, page_path):
    problems = broken_links(build, page_path)
    assert not problems, f"{page_path}: broken internal links:\n  " + "\n  ".join(problems)


def test_landing_page_links_every_chapter(build):
    redirect = [url for tag, attribute, url in parse(build / "index.html").links
                if attribute == "refresh"]
    landing = build / (redirect[0] if redirect else "index.html")
    assert landing.is_file(), f"index.html redirects to a missing page {redirect}"
    chapters = {p for p in map(Path, book_pages()) if parse(build / p).numbered_title}
    assert chapters, "no numbered chapter in the build"
    linked = set()
    for url in parse(landing).article_links:
        if not SCHEME.match(url) and not url.startswith("#"):
            target, _ = resolve(build, landing, url)
            if target is not None:
                linked.add(target.relative_to(build))
    missing = sorted(str(p) for p in chapters - linked)
    assert not missing, (f"the landing page {landing.relative_to(build)} does not link to "
                         f"every chapter; missing: {missing}")


# The works the book's apparatus must cite (the reader's-book issue), by a surname each.
REQUIRED_WORKS = ["Elman", "Werbos", "Bengio", "Hochreiter", "Pascanu", "Goodfellow", "Karpathy"]


def test_bibliography_lists_the_required_works(build):
    pages = [p for p in book_pages() if Path(p).stem == "bibliography"]
    assert pages, "no bibliography page in the build"
    text = (build / pages[0]).read_text(encoding="utf-8")
    entries = re.findall(r'<div class="citation" id="[^"]+"[^>]*>(.*?)</div>', text, flags=re.S)
    assert entries, f"{pages[0]} lists no citation"
    missing = [name for name in REQUIRED_WORKS if not any(name in entry for entry in entries)]
    assert not missing, f"{pages[0]}: no entry for {missing} (cite them from a chapter)"

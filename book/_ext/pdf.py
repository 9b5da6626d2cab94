"""Print the book as one PDF: ``make pdf`` (after the single-page build) runs this script.

    python book/_ext/pdf.py [--single _build/singlehtml] [--out _build/pdf] [--html _build/html]

The input is Jupyter Book's single-page HTML build (``jupyter-book build . --builder
singlehtml``; ``book/_ext/single_page.py`` gives it every chapter's widget state). Debian's
Chromium, driven by Playwright with every request off the machine refused, opens it and prints it
with ``page.pdf`` once MathJax has typeset every formula and the widgets have rendered. No LaTeX.

- ``print.js`` (run before the page's own scripts) adds a title page (title, author, copyright
  and licence from ``_config.yml``) and a table of contents (parts and documents from
  ``_toc.yml``, each document's sections), starts each document on a new page, and moves every
  folded solution, unfolded, into a "Solutions" section at its chapter's end.
- ``print.css`` hides the site's navigation and buttons and everything marked
  ``rnn-screen-only``, shows everything marked ``rnn-print-only``, and keeps code, tables and
  figures inside the page.
- Page numbers: Chromium's footer template. The contents' page numbers: the page is printed
  once with placeholders; Chromium writes a named destination for every element a link points
  at, so pypdf reads the page of each entry's target; the numbers are filled in and the page is
  printed again (the placeholders are as wide as any number, so nothing moves; the script checks
  that, and repeats if it did).

Writes ``<out>/<title>.pdf`` and, if the HTML build exists, a copy at
``<html>/<slug of the title>.pdf``, which the book's introduction links to. Exits non-zero with the
reason on any page error, blocked request, formula MathJax could not typeset or unresolved link.
"""
from __future__ import annotations

import argparse
import datetime
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 180_000
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}


def slug(title: str) -> str:
    """'Recurrent Neural Networks, Executed' -> 'recurrent-neural-networks-executed'."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def pdf_name(config: dict) -> str:
    return f"{config['title']}.pdf"


def load_config(root: Path = ROOT) -> tuple[dict, dict]:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return config, toc


def print_settings(config: dict, toc: dict, root: Path = ROOT) -> dict:
    """What print.js needs: the title page's lines and the parts of the table of contents."""
    parts = [{"caption": part.get("caption", ""),
              "docs": [entry["file"] for entry in part.get("chapters", [])]}
             for part in toc.get("parts", [])]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    built = ", ".join(filter(None, [f"commit {commit}" if commit else "",
                                    datetime.date.today().isoformat()]))
    return {
        "title": config["title"],
        "author": config.get("author", ""),
        "copyright": str(config.get("copyright", "")),
        "licence_html": (config.get("html", {}) or {}).get("extra_footer", ""),
        "repository": (config.get("repository", {}) or {}).get("url", ""),
        "built": built,
        "root": toc["root"],
        "root_page": f"{toc['root']}.html",
        "parts": parts,
    }


def footer(title: str) -> str:
    # Chromium renders the templates in their own document: styles must be inline, and the
    # default font size is tiny.
    return (
        '<div style="font-size:8pt;color:#555;width:100%;margin:0 16mm;display:flex;'
        'justify-content:space-between;font-family:sans-serif">'
        f"<span>{html.escape(title)}</span>"
        '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
    )


def destinations(pdf: bytes) -> dict[str, int]:
    """Named destination (an element id) -> 1-based page number."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {name.lstrip("/"): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


def render(single: Path, settings: dict, title: str) -> tuple[bytes, dict]:
    from playwright.sync_api import sync_playwright

    # singlehtml writes the root document's page in its folder (book/intro.html) with URLs
    # relative to the build root: a copy at the root resolves them.
    page_file = single / "print.html"
    shutil.copyfile(single / settings["root_page"], page_file)
    problems: list[str] = []
    stats: dict = {}
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        raise SystemExit("pdf.py: Chromium not found; the PDF is printed by Debian's chromium "
                         "(apt-get install chromium, as .ci/run does; or set CHROMIUM=/path)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.set_default_timeout(TIMEOUT_MS)

        def route(r):
            if r.request.url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            else:
                problems.append(f"request off the machine refused: {r.request.url}")
                r.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda r: problems.append(
            f"request failed: {r.url} ({r.failure})") if not r.url.endswith("searchindex.js")
            else None)
        page.add_init_script(f"window.RNN_PDF = {json.dumps(settings)};")
        page.add_init_script(path=str(HERE / "print.js"))
        start = time.monotonic()
        page.goto(page_file.as_uri(), wait_until="load")
        error = page.evaluate("window.RNN_PDF_ERROR || null")
        if error:
            raise SystemExit(f"pdf.py: print.js failed: {error}")
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")
        # The widget manager replaces each saved view's <script> with the rendered widget.
        page.wait_for_function("""() => [...document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-view+json"]')].every(
            s => s.parentElement.querySelector('.jupyter-widgets'))""")
        page.add_style_tag(path=str(HERE / "print.css"))
        # widget outputs arrived after the first typeset; fonts and images must be in
        page.evaluate("""async () => {
            await MathJax.typesetPromise();
            await document.fonts.ready;
            await Promise.all([...document.images].map(img => img.complete ? null :
                new Promise(done => { img.onload = img.onerror = done; })));
        }""")
        stats["load_s"] = round(time.monotonic() - start, 1)
        untypeset = page.evaluate("""() => [...document.querySelectorAll('.math')]
            .filter(m => !m.querySelector('mjx-container') && !m.closest('mjx-container'))
            .map(m => m.textContent.slice(0, 80))""")
        problems += [f"formula not typeset by MathJax: {t!r}" for t in untypeset]
        broken = page.evaluate("""() => [...document.querySelectorAll('a[href^="#"]')]
            .map(a => a.getAttribute('href').slice(1)).filter(id => id &&
            !document.getElementById(decodeURIComponent(id)))""")
        problems += [f"link to a missing id: #{i}" for i in sorted(set(broken))]
        images = page.evaluate("[...document.images].filter(i => !i.naturalWidth).map(i => i.src.slice(0, 80))")
        problems += [f"image not loaded: {src}" for src in images]
        if problems:
            raise SystemExit("pdf.py: the page is not ready to print:\n  " + "\n  ".join(problems))

        options = dict(format="A4", print_background=True, display_header_footer=True,
                       header_template="<span></span>", footer_template=footer(title),
                       margin=MARGIN, outline=True, tagged=True)
        targets = page.evaluate(
            "[...new Set([...document.querySelectorAll('.rnn-pageref')].map(s => s.dataset.target))]")
        pages: dict[str, int] = {}
        for attempt in range(1, 4):
            pdf = page.pdf(**options)
            found = destinations(pdf)
            missing = [t for t in targets if t not in found]
            if missing:
                raise SystemExit(f"pdf.py: no page found for {missing} (named destinations)")
            current = {t: found[t] for t in targets}
            if current == pages:
                break
            pages = current
            page.evaluate("""pages => document.querySelectorAll('.rnn-pageref').forEach(
                s => { s.textContent = String(pages[s.dataset.target]); })""", pages)
        else:
            raise SystemExit("pdf.py: the contents' page numbers did not settle in 3 prints")
        stats.update(prints=attempt, print_s=round(time.monotonic() - start - stats["load_s"], 1))
        browser.close()
    page_file.unlink()
    return pdf, stats


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--single", type=Path, default=ROOT / "_build" / "singlehtml")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    args = parser.parse_args(argv)
    config, toc = load_config()
    settings = print_settings(config, toc)
    if not (args.single / settings["root_page"]).is_file():
        raise SystemExit(f"pdf.py: no single-page build at {args.single}: run `make pdf`")
    pdf, stats = render(args.single, settings, config["title"])
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / pdf_name(config)
    target.write_bytes(pdf)
    from pypdf import PdfReader

    count = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"PDF: {target} ({count} pages, {len(pdf) / 1e6:.1f} MB; page ready in "
          f"{stats['load_s']} s, {stats['prints']} prints in {stats['print_s']} s)")
    if args.html.is_dir():
        copy = args.html / f"{slug(config['title'])}.pdf"
        shutil.copyfile(target, copy)
        print(f"     copied to {copy} (the introduction's download link)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

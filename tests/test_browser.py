"""Browser test of the built book: every page renders fully with the network blocked.

Debian's Chromium, driven by Playwright, opens every page of ``_build/html`` (or of
``$BOOK_HTML``), once served over HTTP on 127.0.0.1 as ``make serve`` does and once as a file://
URL as a reader who opens index.html does. Any request that leaves the book is aborted and
counts as a failure, and so does every console error, failed request or HTTP error. On each page:
MathJax typeset every formula, every image decoded, widgets from the saved state rendered (if
any), the static widgets set up, animation players step (button and frame slider), and the
footer carries the copyright and licence line. Chapter pages also carry an exercise with a
solution dropdown, a numbered equation with a cross-reference, a citation, the Binder and Colab
launch links and the .ipynb download. Screenshots of every page go to ``_build/screenshots/``
(beside the html folder).

Widgets without a kernel: each chapter's marked widgets (cell metadata ``live_widget``, the
marks the live JupyterLab test moves, see tests/test_live_lab.py) are found in the built page by
their view (``data-rnn-view`` of the static widget that ``rnnlib.chapters.display.interactive``
writes) and moved with the same keys, on a desktop and on a phone-width (390 px) viewport; the
shown output must equal the view's output for the values the page reports, and on the phone
every slider must fit the screen and be wide enough to drag. Screenshots of one widget before
and after a move go to ``_build/screenshots/``. In print (CSS media "print") the static forms
replace the moving ones: widgets show their start state without sliders and a link to the live
notebook, animations a strip of frames. Each chapter page, HTML plus its images, is within
``PAGE_BUDGET_BYTES``.

Needs ``make book`` first (the test fails without a build) and Chromium (the test skips, saying
so, only when no Chromium is installed: ``apt-get install chromium``; .ci/run does it).
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = BUILD.parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
TIMEOUT_MS = 20_000
# Waiting for the network to fall quiet after "load" (MathJax fonts, the widget manager, images):
# a few seconds on an idle machine, but under `make test` the live JupyterLab test shares the two
# cores, and a heavy page then needs far longer. A long wait costs nothing when all is well; if
# it runs out, the requests still pending are reported.
QUIET_TIMEOUT_S = 90
QUIET_S = 0.5  # no request in flight for this long: the page is quiet


def book_pages() -> list[str]:
    """Every HTML page of the build, as paths relative to it (support folders _static etc. aside)."""
    if not (BUILD / "index.html").is_file():
        return ["index.html"]  # the book_dir fixture fails with a clear message
    return sorted(
        p.relative_to(BUILD).as_posix()
        for p in BUILD.rglob("*.html")
        if not p.relative_to(BUILD).parts[0].startswith(("_", "."))
    )


def chapter_pages() -> list[str]:
    """Pages whose title carries a chapter number (the numbered parts of _toc.yml)."""
    heading = re.compile(r"<h1[^>]*>\s*<span class=\"section-number\">", re.I)
    pages = [p for p in book_pages() if (BUILD / p).is_file()
             and heading.search((BUILD / p).read_text(encoding="utf-8"))]
    return pages or ["<no chapter found>"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def book_dir() -> Path:
    if not (BUILD / "index.html").is_file():
        pytest.fail(f"no built book at {BUILD}: run `make book` first "
                    "(or point BOOK_HTML at a build's html folder)", pytrace=False)
    for old in SCREENSHOTS.glob("*.png"):  # pages removed from the book leave no stale pictures
        old.unlink()
    return BUILD


@pytest.fixture(scope="module")
def server(book_dir):
    """The build served on 127.0.0.1 (an ephemeral port), like `make serve`."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(book_dir)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(book_dir):
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium not found (apt-get install chromium, as .ci/run does; "
                    "or set CHROMIUM=/path/to/chromium): browser test not run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """One page opened with every request outside the book blocked and every problem recorded."""

    def __init__(self, browser, base: str, page_path: str, width: int = 1280):
        self.base, self.problems, self.in_flight = base, [], {}
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        page = self.page = self.context.new_page()
        page.route("**/*", self._route)
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(
            f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"HTTP {r.status}: {r.url}"))
        page.on("request", lambda r: self.in_flight.__setitem__(id(r), r.url))
        page.on("requestfinished", lambda r: self.in_flight.pop(id(r), None))
        page.on("requestfailed", lambda r: self.in_flight.pop(id(r), None))
        page.goto(base + page_path, wait_until="load")
        self.wait_until_quiet()
        page.evaluate("""() => (window.MathJax && MathJax.startup && MathJax.startup.promise)
                               ? MathJax.startup.promise.then(() => true) : false""")

    def wait_until_quiet(self):
        """Wait until no request has been in flight for QUIET_S (as Playwright's "networkidle",
        but saying which requests are still pending when QUIET_TIMEOUT_S runs out)."""
        deadline, quiet_since = time.monotonic() + QUIET_TIMEOUT_S, None
        while time.monotonic() < deadline:
            if self.in_flight:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= QUIET_S:
                return
            self.page.wait_for_timeout(100)
        pending = sorted(set(self.in_flight.values()))
        self.problems.append(f"the page did not fall quiet within {QUIET_TIMEOUT_S} s; "
                             f"{len(pending)} request(s) pending: {[u[:120] for u in pending[:5]]}")

    def _route(self, route):
        url = route.request.url
        inside = url.startswith(self.base) if self.base.startswith("http") else \
            url.startswith("file://")
        if inside or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.problems.append(f"external request blocked: {url}")
            route.abort()

    def close(self):
        self.context.close()


BASES = ["http", "file"]


@pytest.mark.parametrize("mode", BASES)
@pytest.mark.parametrize("page_path", book_pages())
def test_page_renders_offline(browser, server, book_dir, page_path, mode):
    base = server if mode == "http" else book_dir.as_uri() + "/"
    visit = Visit(browser, base, page_path)
    page, problems = visit.page, visit.problems
    try:
        problems += check_math(page)
        problems += check_widgets(page)
        problems += check_static_widgets(page)
        problems += check_animations(page)
        problems += check_images(page)
        problems += check_fonts(page)
        problems += check_footer(page, page_path)
        if mode == "http":
            screenshot(page, page_path)
    finally:
        visit.close()
    assert not problems, f"{page_path} ({mode}):\n  " + "\n  ".join(problems)


def screenshot(page, page_path: str) -> None:
    """The whole page in one picture: the viewport grows to the page's height first, because a
    stitched full-page capture draws the theme's sticky header over the middle of the page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    height = page.evaluate("() => Math.max(document.documentElement.scrollHeight, "
                           "document.body.scrollHeight)")
    page.set_viewport_size({"width": 1280, "height": min(max(height, 900), 30_000)})
    page.wait_for_timeout(200)  # let the theme re-lay out for the new height
    shot = SCREENSHOTS / (page_path.removesuffix(".html").replace("/", "__") + ".png")
    page.screenshot(path=str(shot))


# ---- checks; each returns a list of problems -------------------------------------------------

def check_math(page) -> list[str]:
    """Every formula typeset by MathJax, no raw TeX left in the visible text."""
    found = page.evaluate(r"""() => {
        const formulas = [...document.querySelectorAll('.math')];
        const untypeset = formulas.filter(m => !m.querySelector('mjx-container'))
                                  .map(m => m.textContent.trim().slice(0, 60));
        const skip = 'script, style, pre, code, textarea, noscript, mjx-container, .highlight';
        const raw = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode, parent = node.parentElement;
            if (!parent || parent.closest(skip)) continue;
            if (/\$\$|\\frac|\\begin\{|\\\(|\\\[/.test(node.textContent))
                raw.push(node.textContent.trim().slice(0, 80));
        }
        return {formulas: formulas.length, typeset: document.querySelectorAll('mjx-container').length,
                untypeset, raw, mathjax: !!(window.MathJax && MathJax.version)};
    }""")
    problems = []
    if found["formulas"] and not found["mathjax"]:
        problems.append(f"{found['formulas']} formulas but MathJax did not load")
    if found["formulas"] and not found["typeset"]:
        problems.append("no MathJax output (mjx-container) on a page with math")
    problems += [f"formula not typeset: {text!r}" for text in found["untypeset"]]
    problems += [f"raw TeX in the page text: {text!r}" for text in found["raw"]]
    return problems


def check_widgets(page) -> list[str]:
    """Pages that store widget state show every widget view, at its saved value."""
    state_json = page.evaluate("""() => { const s = document.querySelector(
        'script[type="application/vnd.jupyter.widget-state+json"]'); return s && s.textContent; }""")
    if not state_json:
        return []
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if not views:
        return ["widget state saved but no widget view on the page"]
    try:
        page.wait_for_function(
            """n => [...document.querySelectorAll('.widget-subarea')].filter(
                   s => s.querySelector('.jupyter-widgets')).length >= n""", arg=views)
    except Exception:  # noqa: BLE001 - reported as a page problem below
        pass
    rendered = page.evaluate("""() => [...document.querySelectorAll('.widget-subarea')].map(s => {
        const w = s.querySelector('.jupyter-widgets'), r = w && w.getBoundingClientRect();
        return {visible: !!(r && r.width > 0 && r.height > 0),
                error: /Error displaying widget|widget-error/.test(s.innerHTML)};
    })""")
    problems = []
    if len(rendered) < views:
        problems.append(f"{views} widget views saved, {len(rendered)} rendered by the HTML manager")
    problems += ["a widget view is not visible" for r in rendered if not r["visible"]]
    problems += ["a widget view shows an error" for r in rendered if r["error"]]
    # sliders show their saved values, not defaults
    models = json.loads(state_json).get("state", {})
    saved = [m["state"]["value"] for m in models.values()
             if m.get("model_name", "").endswith("SliderModel")
             and isinstance(m.get("state", {}).get("value"), (int, float))]
    shown = page.evaluate("""() => [...document.querySelectorAll('.widget-slider .noUi-handle')]
                                   .map(h => Number(h.getAttribute('aria-valuenow')))""")
    for value in shown:
        if not any(abs(value - s) <= 1e-9 + 1e-6 * abs(s) for s in saved):
            problems.append(f"a slider shows {value}, not a saved value {saved}")
    return problems


def check_static_widgets(page) -> list[str]:
    """Widgets that move without a kernel: each one's script ran (it reports its slider values),
    its output is shown, and the page loads no widget manager it does not use."""
    found = page.evaluate("""() => [...document.querySelectorAll('.rnn-static-widget')].map(w => ({
        view: w.dataset.rnnView, ready: w.hasAttribute('data-rnn-ready'),
        values: w.dataset.rnnValues || null,
        sliders: w.querySelectorAll('input.rnn-static-input').length,
        shown: (w.querySelector('.rnn-static-view') || {innerHTML: ''}).innerHTML.length}))""")
    problems = []
    for widget in found:
        where = f"static widget {widget['view']}"
        if not (widget["ready"] and widget["values"]):
            problems.append(f"{where}: its script did not set it up")
        if not widget["sliders"] or not widget["shown"]:
            problems.append(f"{where}: {widget['sliders']} sliders, {widget['shown']} characters "
                            "of output")
    manager = page.locator('script[src*="embed-amd"]').count()
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if manager and not views:
        problems.append("the page loads the ipywidgets HTML manager but shows no widget view")
    return problems


def check_animations(page) -> list[str]:
    """matplotlib to_jshtml players: icons shown, 'Next frame' and the frame slider change the
    frame."""
    problems = []
    players = page.locator("div.animation")
    for i in range(players.count()):
        player = players.nth(i)
        player.scroll_into_view_if_needed()
        image = player.locator("img").first
        try:
            page.wait_for_function("img => !!img.getAttribute('src')", arg=image.element_handle())
        except Exception:  # noqa: BLE001
            problems.append(f"animation {i + 1}: no frame shown")
            continue
        before = image.get_attribute("src")
        player.locator("button[title='Next frame']").click()
        try:
            page.wait_for_function("([img, src]) => img.getAttribute('src') !== src",
                                   arg=[image.element_handle(), before], timeout=5_000)
        except Exception:  # noqa: BLE001
            problems.append(f"animation {i + 1}: 'Next frame' did not change the frame")
        slider = player.locator("input[type='range']").first
        before = image.get_attribute("src")
        slider.focus()
        page.keyboard.press("End")  # the last frame: different from the second one shown now
        try:
            page.wait_for_function("([img, src]) => img.getAttribute('src') !== src",
                                   arg=[image.element_handle(), before], timeout=5_000)
        except Exception:  # noqa: BLE001
            problems.append(f"animation {i + 1}: moving the frame slider did not change the frame")
        iconless = player.evaluate("""p => [...p.querySelectorAll('.anim-buttons button')].filter(b => {
            const svg = b.querySelector('svg');
            if (svg) return !(svg.getBoundingClientRect().width > 0);
            const icon = b.querySelector('i.fa');
            return !(icon && icon.getBoundingClientRect().width > 0
                     && document.fonts.check('14px FontAwesome'));
        }).map(b => b.title)""")
        if iconless:
            problems.append(f"animation {i + 1}: buttons without an icon: {iconless}")
    return problems


def check_images(page) -> list[str]:
    """Every <img> decoded (naturalWidth > 0); lazy images are loaded first."""
    broken = page.evaluate("""async () => {
        const images = [...document.images];
        images.forEach(img => { if (img.loading === 'lazy') img.loading = 'eager'; });
        await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
            img.addEventListener('load', done); img.addEventListener('error', done);
            setTimeout(done, 10000);
        })));
        return images.filter(img => !(img.complete && img.naturalWidth > 0))
                     .map(img => (img.getAttribute('src') || '(no src)').slice(0, 100));
    }""")
    return [f"image not loaded: {src}" for src in broken]


def check_fonts(page) -> list[str]:
    """No web font (theme, MathJax, icons) failed to load."""
    failed = page.evaluate("""() => [...document.fonts].filter(f => f.status === 'error')
                                    .map(f => f.family)""")
    return [f"font failed to load: {family}" for family in failed]


def check_footer(page, page_path: str) -> list[str]:
    footer = page.locator("footer.bd-footer-content")
    text = footer.inner_text() if footer.count() else ""
    needed = ["©", "CC BY 4.0", "MIT"]
    missing = [word for word in needed if word not in text]
    return [f"footer lacks {missing} (copyright and licence line)"] if missing else []


# ---- chapter apparatus -----------------------------------------------------------------------

@pytest.mark.parametrize("page_path", chapter_pages())
def test_chapter_apparatus(browser, server, book_dir, page_path):
    """Exercises with solution dropdowns, numbered equations cited, a citation, launch links."""
    assert page_path != "<no chapter found>", "no numbered chapter page in the build"
    visit = Visit(browser, server, page_path)
    page, problems = visit.page, []
    try:
        found = page.evaluate(r"""() => {
            const article = document.querySelector('article.bd-article') || document.body;
            const links = [...document.querySelectorAll('a[href]')].map(a => a.href);
            return {
                exercises: article.querySelectorAll('.exercise').length,
                solutions: article.querySelectorAll('.solution.dropdown').length,
                equations: article.querySelectorAll('.math .eqno, .eqno').length,
                eqrefs: [...article.querySelectorAll('a.reference[href*="#equation-"]')]
                         .filter(a => !a.closest('.eqno')).length,
                citations: article.querySelectorAll('.bibtex-citation a[href*="bibliography"]').length,
                binder: links.some(h => h.startsWith('https://mybinder.org/v2/gh/rnn-book/rnn-book/main')),
                colab: links.some(h => h.startsWith(
                    'https://colab.research.google.com/github/rnn-book/rnn-book/blob/main/')),
                ipynb: [...document.querySelectorAll('a.btn-download-source-button')]
                        .some(a => a.getAttribute('href').endsWith('.ipynb')),
            };
        }""")
        for key, what in [("exercises", "an exercise"), ("solutions", "a solution dropdown"),
                          ("equations", "a numbered equation"),
                          ("eqrefs", "a cross-reference to an equation"),
                          ("citations", "a citation of the bibliography")]:
            if not found[key]:
                problems.append(f"missing {what}")
        for key, what in [("binder", "the Binder launch link"), ("colab", "the Colab launch link"),
                          ("ipynb", "the .ipynb download link")]:
            if not found[key]:
                problems.append(f"missing {what}")
        if found["solutions"]:
            problems += check_solution_dropdown(page)
    finally:
        visit.close()
    assert not problems, f"{page_path}:\n  " + "\n  ".join(problems)


def check_solution_dropdown(page) -> list[str]:
    """The first solution is folded until its toggle button is clicked."""
    solution = page.locator(".solution.dropdown").first
    body = solution.locator(":scope > :not(.admonition-title)").first
    solution.scroll_into_view_if_needed()
    if not body.count():
        return ["the solution dropdown is empty"]
    if body.is_visible():
        return ["the solution is visible before the reader opens it"]
    solution.locator("button.toggle-button").first.click()
    try:
        body.wait_for(state="visible", timeout=5_000)
    except Exception:  # noqa: BLE001
        return ["clicking the solution's toggle button does not show the solution"]
    return []


# ---- widgets without a kernel ------------------------------------------------------------------

PHONE_WIDTH = 390  # CSS pixels of a phone's screen (portrait)
MIN_SLIDER_PX = 100  # narrower than this, a slider cannot be set by dragging on a phone


def chapter_notebooks() -> list[str]:
    return sorted(p.stem for p in (ROOT / "book").glob("[0-9]*.ipynb"))


def widget_marks(stem: str) -> list[dict]:
    """The chapter's widgets marked for the live test (the same marks, read the same way)."""
    from test_live_lab import chapter_cells, marked_widgets  # imports this module: not at the top

    return marked_widgets(chapter_cells(ROOT / "book" / f"{stem}.ipynb"))


# An element's text as its text nodes, whitespace-normalised, joined by one space, and its HTML
# as the browser serialises it; the same functions read the page and the view's HTML parsed by
# the browser (tests/test_live_lab.py compares text the same way).
SHOWN_JS = """e => { const parts = [], walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) { const t = walk.currentNode.textContent.trim().replace(/\\s+/g, ' ');
                              if (t) parts.push(t); }
    return {text: parts.join(' '), html: e.innerHTML}; }"""


def shown(locator) -> dict:
    return locator.evaluate(SHOWN_JS)


def shown_of_html(page, html: str) -> dict:
    return page.evaluate(f"html => {{ const d = document.createElement('div'); "
                         f"d.innerHTML = html; return ({SHOWN_JS})(d); }}", html)


def move_static_widget(page, box, view, control: str, keys: list[str], where: str) -> list[str]:
    """Press ``keys`` on the slider ``control`` of the static widget ``box``; the output shown
    must then be ``view`` of the values the widget reports, and differ from before."""
    output = box.locator(".rnn-static-view")
    slider = box.locator(f"input.rnn-static-input[data-rnn-name='{control}']")
    if slider.count() != 1:
        names = box.locator("input.rnn-static-input").evaluate_all(
            "inputs => inputs.map(i => i.dataset.rnnName)")
        return [f"{where}: no slider named {control!r}; sliders: {names}"]
    before_values = json.loads(box.get_attribute("data-rnn-values"))
    before = shown(output)
    slider.focus()  # a click would set the value under the pointer
    for key in keys:
        page.keyboard.press(key)
    values = json.loads(box.get_attribute("data-rnn-values"))
    move = f"{where}: {control} {before_values.get(control)!r} -> {values.get(control)!r} with {keys}"
    problems = []
    if values.get(control) == before_values.get(control):
        problems.append(f"{move}: the slider did not move")
    after = shown(output)
    if after["text"] == before["text"]:
        problems.append(f"{move}: the output did not change")
    expected = shown_of_html(page, view(**values))
    for part in ("text", "html"):
        if after[part] != expected[part]:
            problems.append(f"{move}: the page's {part} is not the view's for {values}: "
                            f"{difference(after[part], expected[part])}")
    readout = slider.locator("xpath=following-sibling::output").inner_text()
    try:
        if abs(float(readout) - values[control]) > 1e-9 + 1e-6 * abs(values[control]):
            problems.append(f"{move}: the readout shows {readout!r}")
    except ValueError:
        problems.append(f"{move}: the readout shows {readout!r}")
    return problems


def difference(shown_text: str, expected: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(shown_text, expected)) if a != b),
              min(len(shown_text), len(expected)))
    start = max(0, at - 60)
    return (f"from character {at}: shown ...{shown_text[start:at + 60]!r}..., "
            f"expected ...{expected[start:at + 60]!r}...")


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH], ids=["desktop", "phone"])
@pytest.mark.parametrize("stem", chapter_notebooks())
def test_widgets_move_without_a_kernel(browser, server, book_dir, stem, width):
    from test_live_lab import load_view

    page_path = f"book/{stem}.html"
    assert (book_dir / page_path).is_file(), f"{page_path} is not in the build"
    marks = widget_marks(stem)
    assert marks, f"{stem}: no widget marked (cell metadata live_widget)"
    visit = Visit(browser, server, page_path, width=width)
    page, problems = visit.page, visit.problems
    try:
        for number, mark in enumerate(marks):
            where = f"widget of cell {mark['cell']} ({mark['view']})"
            boxes = page.locator(f".rnn-static-widget[data-rnn-view='{mark['view']}']")
            if boxes.count() <= mark["widget"]:
                problems.append(f"{where}: {boxes.count()} static widget(s) of this view on the "
                                f"page, no widget {mark['widget']}")
                continue
            box = boxes.nth(mark["widget"])
            box.scroll_into_view_if_needed()
            if width == PHONE_WIDTH:
                problems += check_fits_phone(page, box, where)
            shot = SCREENSHOTS / f"{stem}__static-widget{number + 1}__{'phone' if width < 1000 else 'desktop'}"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            box.screenshot(path=f"{shot}__before.png")
            for control, keys in mark["moves"]:
                problems += move_static_widget(page, box, load_view(mark["view"]), control, keys,
                                               where)
            box.screenshot(path=f"{shot}__after.png")
    finally:
        visit.close()
    assert not problems, f"{page_path} at {width} px:\n  " + "\n  ".join(problems)


def check_fits_phone(page, box, where: str) -> list[str]:
    """On a phone-width screen: the widget within the screen, every slider on it and wide enough
    to drag, the output no wider than the widget (it scrolls inside it)."""
    found = box.evaluate("""w => ({
        screen: document.documentElement.clientWidth,
        box: w.getBoundingClientRect().right,
        sliders: [...w.querySelectorAll('input.rnn-static-input')].map(i => {
            const r = i.getBoundingClientRect();
            return {name: i.dataset.rnnName, left: r.left, right: r.right, width: r.width}; }),
        view: w.querySelector('.rnn-static-view').getBoundingClientRect().width,
        width: w.getBoundingClientRect().width})""")
    problems = []
    if found["box"] > found["screen"] + 1:
        problems.append(f"{where}: the widget ends at {found['box']:.0f} px, beyond the "
                        f"{found['screen']} px screen")
    for s in found["sliders"]:
        if s["left"] < 0 or s["right"] > found["screen"] + 1 or s["width"] < MIN_SLIDER_PX:
            problems.append(f"{where}: slider {s['name']} spans {s['left']:.0f}..{s['right']:.0f} "
                            f"px on a {found['screen']} px screen (at least {MIN_SLIDER_PX} px wide)")
    if found["view"] > found["width"] + 1:
        problems.append(f"{where}: the output is {found['view']:.0f} px wide in a "
                        f"{found['width']:.0f} px widget")
    return problems


@pytest.mark.parametrize("page_path", chapter_pages())
def test_print_shows_the_static_forms(browser, server, book_dir, page_path):
    """With the print stylesheet: each widget shows its start state's output, no slider, and a
    link to the live notebook; each animation a strip of frames instead of its player. On
    screen the print-only parts are hidden."""
    assert page_path != "<no chapter found>", "no numbered chapter page in the build"
    visit = Visit(browser, server, page_path)
    page, problems = visit.page, visit.problems
    state_js = """() => {
        const seen = e => !!e && getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0;
        const all = s => [...document.querySelectorAll(s)];
        return {
            widgets: all('.rnn-static-widget').map(w => ({
                view: seen(w.querySelector('.rnn-static-view'))
                      && w.querySelector('.rnn-static-view').textContent.trim().length > 0,
                sliders: all('.rnn-static-widget input.rnn-static-input').some(seen),
                link: seen(w.querySelector('.rnn-print-only a.rnn-live-notebook'))
                      ? w.querySelector('.rnn-print-only a.rnn-live-notebook').href : null})),
            players: all('div.animation').filter(seen).length,
            strips: all('.rnn-animation-strip').map(s => [...s.querySelectorAll('img')]
                        .filter(i => seen(i) && i.naturalWidth > 0).length),
            printOnly: all('.rnn-print-only').filter(seen).length,
            screenOnly: all('.rnn-screen-only').filter(seen).length};
    }"""
    try:
        screen = page.evaluate(state_js)
        page.emulate_media(media="print")
        paper = page.evaluate(state_js)
    finally:
        visit.close()
    if screen["printOnly"]:
        problems.append(f"{screen['printOnly']} print-only element(s) shown on screen")
    if not paper["widgets"]:
        problems.append("no static widget on the page")
    for i, widget in enumerate(paper["widgets"], 1):
        if not widget["view"]:
            problems.append(f"widget {i}: its output is not printed")
        if widget["sliders"]:
            problems.append(f"widget {i}: its sliders are printed")
        if not (widget["link"] or "").startswith("https://colab.research.google.com/github/"):
            problems.append(f"widget {i}: no printed link to the live notebook on Colab "
                            f"(found {widget['link']!r})")
    if paper["screenOnly"] or paper["players"]:
        problems.append(f"printed: {paper['screenOnly']} screen-only element(s), "
                        f"{paper['players']} animation player(s)")
    for i, frames in enumerate(paper["strips"], 1):
        if frames < 2:
            problems.append(f"animation {i}: {frames} frame(s) printed, not a strip")
    assert not problems, f"{page_path}:\n  " + "\n  ".join(problems)


# ---- the page-size budget --------------------------------------------------------------------

PAGE_BUDGET_BYTES = 3_000_000  # a chapter's page: its HTML and the images it shows


@pytest.mark.parametrize("page_path", chapter_pages())
def test_chapter_page_within_size_budget(book_dir, page_path):
    """HTML (inline images and widget states included) plus each distinct image file it shows;
    the book's shared styles, scripts and fonts are not counted (read once for every page)."""
    assert page_path != "<no chapter found>", "no numbered chapter page in the build"
    page = book_dir / page_path
    html = page.read_text(encoding="utf-8")
    images = set()
    for src in re.findall(r"""<img\b[^>]*?\ssrc\s*=\s*["']([^"']+)["']""", html):
        if not src.startswith(("data:", "http:", "https:", "//")):
            images.add((page.parent / src.split("?")[0].split("#")[0]).resolve())
    missing = sorted(str(p) for p in images if not p.is_file())
    assert not missing, f"{page_path}: images not in the build: {missing}"
    sizes = {"html": page.stat().st_size, "images": sum(p.stat().st_size for p in images)}
    total = sum(sizes.values())
    assert total <= PAGE_BUDGET_BYTES, (
        f"{page_path}: {total / 1e6:.2f} MB (HTML {sizes['html'] / 1e6:.2f} MB, "
        f"{len(images)} images {sizes['images'] / 1e6:.2f} MB) > {PAGE_BUDGET_BYTES / 1e6:.1f} MB")

"""Live test: every chapter run in JupyterLab as a learner runs it, and its widgets moved.

JupyterLab (``python -m jupyterlab`` from the environment running the tests, i.e. the project's
``.venv`` under ``make test``) serves a temporary copy of ``book/`` on 127.0.0.1, on a free
port, with a random token, the project's lab settings (``book/.jupyter/``, as ``make lab``) and
temporary Jupyter config, data, runtime, IPython and matplotlib folders, so nothing in the
repository or of the user's is read or written. Debian's Chromium, driven by Playwright, loads
JupyterLab once, then does for each chapter ``book/[0-9]*.ipynb`` what a learner does:

1. opens the notebook from the file browser (a double click) and waits for its kernel;
2. clicks *Run > Run All Cells* and waits until the kernel has answered every cell;
3. asserts that no cell failed or wrote to stderr (read from the kernel's replies and from the
   page), that the page logged no console error, that every request the page made went to
   the loopback server (any other request is aborted and fails the test), and that every
   animation player the kernel sent is on the page, steps, and shows an icon on every button;
4. moves each widget that the chapter marks (below) with the keyboard, as a learner does: clicks
   the slider's handle, presses the keys; then reads every slider value of that widget as the
   kernel received it, calls the widget's view function with them in this process and asserts
   that the widget's output (the element with CSS class ``rnn-live-view``) changed and now shows
   exactly what the view gives, both as HTML in the kernel's widget model and as text on the
   page; a screenshot of the widget goes to ``_build/live-screenshots/``;
5. closes the notebook without saving it (its kernel is shut down), so the next chapter has
   the CPU and a page with only its own notebook in it.

The slider values and the kernel's answers are read from the Jupyter messages on the page's
kernel WebSocket (the messaging protocol, not JupyterLab internals): each value is exactly the
float the frontend sent and the kernel's view was called with, so float steps (0.3 + 2 * 0.05)
need no rounding rule. The times of each chapter (open, run all, widgets) and every URL the
page requested go to ``_build/live-screenshots/report.json`` (and ``report.txt``, which
conftest.py prints at the end of the run); timings are reported, never asserted.

Marking a widget for this test (cell metadata ``live_widget`` of the cell that displays it,
built with ``rnnlib.chapters.display.interactive``)::

    "live_widget": {"view": "rnnlib.chapters.fnn_vs_rnn:trace_view",
                    "control": "W_hh", "keys": ["ArrowRight", "ArrowRight"]}

- ``view``: "module:function", the pure view function the widget shows;
- ``control``: the description (label) of the slider to move; ``keys``: the key presses sent
  to its focused handle (Playwright key names: ArrowRight, ArrowLeft, PageUp, Home, End...);
- or, instead of ``control``/``keys``, ``moves``: a list of ``{"control": ..., "keys": [...]}``
  made one after the other, each checked;
- ``widget`` (optional, default 0): which of the widgets the cell displays, in display order;
- ``live_widget`` may also be a list of such objects (a cell that shows several widgets).

Skips (saying so) only when Chromium is absent; anything else that goes wrong fails, with the
JupyterLab server's log attached.
"""
from __future__ import annotations

import importlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_browser import CHROMIUM_ARGS, chromium_path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
LAB_SETTINGS = BOOK / ".jupyter"  # the project's lab settings, also used by `make lab`
CHAPTERS = sorted(BOOK.glob("[0-9]*.ipynb"))
OUTPUT = ROOT / "_build" / "live-screenshots"
START_TIMEOUT_S = 120  # server up; notebook open with an idle kernel
RUN_TIMEOUT_S = 150  # Run All Cells, for one chapter (they run in <= 30 s on the project's VM)
MOVE_TIMEOUT_S = 30  # one widget move answered by the kernel and shown
UI_TIMEOUT_MS = 30_000
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


# ---- the chapters and their marked widgets -------------------------------------------------

def chapter_cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def marked_widgets(cells: list[dict]) -> list[dict]:
    """Every widget check of a chapter: {cell, widget, view, moves: [(control, keys)]}."""
    found = []
    for index, cell in enumerate(cells):
        marks = cell.get("metadata", {}).get("live_widget")
        if marks is None:
            continue
        for mark in marks if isinstance(marks, list) else [marks]:
            where = f"cell {index} live_widget {mark!r}"
            assert cell["cell_type"] == "code", f"{where}: not a code cell"
            assert isinstance(mark, dict) and isinstance(mark.get("view"), str) \
                and ":" in mark["view"], f"{where}: needs 'view': 'module:function'"
            moves = mark.get("moves", [{"control": mark.get("control"),
                                        "keys": mark.get("keys")}])
            assert isinstance(moves, list) and moves, f"{where}: 'moves' must be a non-empty list"
            for move in moves:
                keys = move.get("keys")
                assert isinstance(move.get("control"), str) and isinstance(keys, list) and keys \
                    and all(isinstance(k, str) for k in keys), \
                    f"{where}: each move needs 'control' (a slider's name) and 'keys' (a list)"
            found.append({"cell": index, "widget": int(mark.get("widget", 0)),
                          "view": mark["view"],
                          "moves": [(m["control"], m["keys"]) for m in moves]})
    return found


def load_view(spec: str):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


# ---- the JupyterLab server -------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """``jupyter lab`` on 127.0.0.1 serving ``root``, isolated from the user's Jupyter files."""

    def __init__(self, root: Path, home: Path):
        self.root, self.token, self.port = root, secrets.token_hex(24), free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = home / "server.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
        for name in ("config", "data", "runtime", "ipython", "settings", "workspaces", "mpl"):
            (home / name).mkdir()
        env.update(
            JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"),
            JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), MPLCONFIGDIR=str(home / "mpl"),
            JUPYTER_CONFIG_PATH=str(LAB_SETTINGS),
        )
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root}", "--ServerApp.allow_root=True",
        ]
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def log_tail(self, lines: int = 60) -> str:
        self.log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def get(self, path: str, method: str = "GET") -> str:
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read().decode()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"jupyter lab exited with code {self.process.returncode} at start:\n"
                            f"{self.log_tail()}", pytrace=False)
            try:
                self.get("api/status")
                return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"jupyter lab did not answer on {self.url} within {START_TIMEOUT_S} s:\n"
                    f"{self.log_tail()}", pytrace=False)

    def stop(self) -> None:
        """SIGTERM (the server shuts its kernels down), then SIGKILL to the whole group."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # kernels left behind, if any
        except ProcessLookupError:
            pass
        self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def executable() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium not found (apt-get install chromium, as .ci/run does; "
                    "or set CHROMIUM=/path/to/chromium): live JupyterLab test not run")
    return path


@pytest.fixture(scope="module")
def lab(executable, tmp_path_factory):
    base = tmp_path_factory.mktemp("live-lab")
    root = base / "book"
    shutil.copytree(BOOK, root, ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__", "_build", ".jupyter"))
    (base / "home").mkdir()
    server = LabServer(root, base / "home")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(executable):
    """One browser context, in which JupyterLab is loaded once and the chapters are opened one
    after the other, as a learner works through the book."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(UI_TIMEOUT_MS)
        yield context
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def session(lab, browser, report):
    """JupyterLab loaded once, in one tab, for every chapter."""
    session = Session(browser, lab)
    try:
        open_lab(session, report)
        yield session
    finally:
        session.close()


@pytest.fixture(scope="module")
def report(lab):
    """Per-chapter times and every URL requested, written to OUTPUT when the module ends."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in [*OUTPUT.glob("*.png"), *OUTPUT.glob("report.*")]:
        old.unlink()
    data = {"server": lab.url, "chapters": {}}
    yield data
    data["server_log_tail"] = lab.log_tail(20).splitlines()
    (OUTPUT / "report.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    (OUTPUT / "report.txt").write_text(summary(data), encoding="utf-8")


def summary(data: dict) -> str:
    lines = ["live JupyterLab test (tests/test_live_lab.py), seconds per chapter:"]
    urls: dict[str, int] = {}
    if "lab" in data:
        lines.append(f"  JupyterLab loaded once: {data['lab']['seconds']:.1f} s; "
                     f"{data['lab']['requests']} requests")
        for url, count in data["lab"]["urls"].items():
            urls[url] = urls.get(url, 0) + count
    for name, chapter in data["chapters"].items():
        t = chapter["seconds"]
        lines.append(f"  {name}: {t.get('total', 0):.1f} s (open {t.get('open', 0):.1f}, run all "
                     f"{t.get('run_all', 0):.1f}, widgets {t.get('widgets', 0):.1f}); "
                     f"{chapter['requests']} requests")
        for url, count in chapter["urls"].items():
            urls[url] = urls.get(url, 0) + count
    outside = [u for u in urls if classify(u, data["server"]) == u]
    kinds: dict[str, int] = {}
    for url, count in urls.items():
        kind = classify(url, data["server"])
        kinds[kind] = kinds.get(kind, 0) + count
    lines.append(f"  requests: {sum(urls.values())} in all, {len(outside)} outside the loopback "
                 f"server {data['server']}; by path: " + ", ".join(
                     f"{kind} {count}" for kind, count in sorted(kinds.items())))
    return "\n".join(lines) + "\n"


def classify(url: str, server: str) -> str:
    """A URL's path with the long tails grouped (the URL itself when not to the server)."""
    origin = server.rstrip("/")
    origins = [o for o in (origin, "ws" + origin[4:]) if url.startswith(o + "/")]
    if not origins:
        return url
    path = ("ws " if origins[0].startswith("ws") else "") + url[len(origins[0]):]
    for prefix in ("/static/lab/", "/lab/extensions/", "/lab/api/settings", "/lab/api/themes",
                   "/lab/api/translations", "/lab/api/workspaces", "/api/contents",
                   "/api/kernels", "/api/sessions", "ws /api/kernels", "/static/favicons/"):
        if path.startswith(prefix):
            return prefix + "*" if prefix.endswith("/") else prefix + "..."
    return path


# ---- kernel messages, read from the page's WebSocket ---------------------------------------

def decode_frame(payload) -> dict | None:
    """One Jupyter message from a kernel WebSocket frame.

    JupyterLab 4 speaks ``v1.kernel.websocket.jupyter.org`` when the server offers it: binary
    frames of [n: uint64][n uint64 offsets][channel][header][parent_header][metadata][content]
    [buffers...], little-endian; the legacy protocol sends one JSON text frame per message.
    """
    if isinstance(payload, str):
        message = json.loads(payload)
        return message if isinstance(message, dict) and "header" in message else None
    count = int.from_bytes(payload[:8], "little")
    offsets = [int.from_bytes(payload[8 + 8 * i:16 + 8 * i], "little") for i in range(count)]
    if offsets[-1] != len(payload):
        offsets.append(len(payload))
    parts = [payload[a:b] for a, b in zip(offsets, offsets[1:])]
    header, parent, metadata, content = (json.loads(p) if p else {} for p in parts[1:5])
    return {"channel": parts[0].decode(), "header": header, "parent_header": parent,
            "metadata": metadata, "content": content}


class KernelTraffic:
    """Every Jupyter message the page sends to and receives from its kernels."""

    def __init__(self):
        self.messages: list[tuple[str, dict]] = []

    def attach(self, ws) -> None:
        if "/api/kernels/" in ws.url and "/channels" in ws.url:
            ws.on("framesent", lambda payload: self._add("sent", payload))
            ws.on("framereceived", lambda payload: self._add("received", payload))

    def _add(self, direction: str, payload) -> None:
        message = decode_frame(payload)
        if message is not None:
            self.messages.append((direction, message))

    def of_type(self, msg_type: str, direction: str | None = None) -> list[dict]:
        return [m for d, m in self.messages if m["header"].get("msg_type") == msg_type
                and (direction is None or d == direction)]

    def execution(self) -> tuple[list[dict], dict[str, dict]]:
        """The execute requests sent, and the replies received by request id."""
        requests = self.of_type("execute_request", "sent")
        replies = {m["parent_header"].get("msg_id"): m
                   for m in self.of_type("execute_reply", "received")}
        return requests, replies

    def idle_after(self, msg_id: str) -> bool:
        return any(m["content"].get("execution_state") == "idle"
                   and m["parent_header"].get("msg_id") == msg_id
                   for m in self.of_type("status", "received"))

    def problems(self, parents: dict[str, str]) -> list[str]:
        """Failures, tracebacks and stderr the kernel reported in answer to ``parents``
        (msg_id -> what the message was: a cell, a widget move)."""
        found = []
        for reply in self.of_type("execute_reply", "received"):
            what = parents.get(reply["parent_header"].get("msg_id"))
            status = reply["content"].get("status")
            if what and status != "ok":
                found.append(f"{what}: {status} {reply['content'].get('ename', '')}: "
                             f"{reply['content'].get('evalue', '')}")
        for message in [*self.of_type("error", "received"), *self.of_type("stream", "received")]:
            what = parents.get(message["parent_header"].get("msg_id"))
            content = message["content"]
            if what and message["header"]["msg_type"] == "error":
                found.append(f"{what} raised {content.get('ename')}: {content.get('evalue')}")
            elif what and content.get("name") == "stderr":
                found.append(f"{what} wrote to stderr: {content.get('text', '')[:300]!r}")
        return found

    def html_outputs(self, marker: str) -> int:
        """How many HTML outputs the kernel sent that contain ``marker``."""
        return sum(marker in m["content"].get("data", {}).get("text/html", "")
                   for kind in ("display_data", "execute_result")
                   for m in self.of_type(kind, "received"))

    def cells_run(self) -> dict[str, str]:
        """The execute requests sent, msg_id -> "cell '<its first line>'"."""
        labels = {}
        for request in self.of_type("execute_request", "sent"):
            lines = request["content"].get("code", "").strip().splitlines()
            labels[request["header"]["msg_id"]] = f"cell {lines[0][:70]!r}" if lines else "a cell"
        return labels

    def widget_models(self) -> dict[str, dict]:
        """The kernel's widget models (state by model id), with every update since they opened."""
        models: dict[str, dict] = {}
        for _, message in self.messages:
            kind, content = message["header"].get("msg_type"), message["content"]
            if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                models[content["comm_id"]] = dict(content["data"].get("state", {}))
            elif kind == "comm_msg" and content.get("comm_id") in models and \
                    content.get("data", {}).get("method") in ("update", "echo_update"):
                models[content["comm_id"]].update(content["data"].get("state", {}))
        return models

    def displayed_widgets(self, source: str) -> list[str]:
        """Model ids of the widgets that the execution of ``source`` displayed, in order."""
        ids = {r["header"]["msg_id"] for r in self.of_type("execute_request", "sent")
               if r["content"].get("code") == source}
        shown = []
        for direction, m in self.messages:
            data = m["content"].get("data", {})
            if direction == "received" and m["parent_header"].get("msg_id") in ids \
                    and m["header"].get("msg_type") in ("display_data", "execute_result") \
                    and WIDGET_VIEW in data:
                shown.append(data[WIDGET_VIEW]["model_id"])
        return shown


def widget_parts(models: dict[str, dict], root: str) -> tuple[list[tuple[str, dict]], list[str]]:
    """The sliders (model id, state) under the widget ``root`` and its rnn-live-view outputs."""
    seen, stack, sliders, outputs = set(), [root], [], []
    while stack:
        model_id = stack.pop()
        if model_id in seen or model_id not in models:
            continue
        seen.add(model_id)
        state = models[model_id]
        if state.get("_model_name", "").endswith("SliderModel"):
            sliders.append((model_id, state))
        if "rnn-live-view" in state.get("_dom_classes", []):
            outputs.append(model_id)
        for value in state.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item.startswith("IPY_MODEL_"):
                    stack.append(item.removeprefix("IPY_MODEL_"))
    return sliders, outputs


# ---- one chapter in the browser ----------------------------------------------------------------

class Session:
    """JupyterLab in one browser tab, where the chapters are opened one after the other; every
    problem and request is recorded, per chapter from :meth:`begin` on."""

    def __init__(self, context, lab: LabServer):
        self.lab, self.problems, self.urls, self.closing = lab, [], {}, False
        self.traffic = KernelTraffic()
        page = self.page = context.new_page()
        page.route("**/*", self._route)
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        page.on("requestfailed", lambda r: self.closing or self.problems.append(
            f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"HTTP {r.status}: {r.url}"))
        page.on("websocket", self._websocket)

    def _inside(self, url: str) -> bool:
        origin = self.lab.url.rstrip("/")
        return any(url == o or url.startswith(o + "/") for o in (origin, "ws" + origin[4:]))

    def _record(self, url: str) -> None:
        key = url.split("?")[0]
        self.urls[key] = self.urls.get(key, 0) + 1

    def _route(self, route):
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")):
            route.continue_()
            return
        self._record(url)
        if self._inside(url):
            route.continue_()
        else:
            self.problems.append(f"request outside the loopback server, aborted: {url}")
            route.abort()

    def _websocket(self, ws):
        self._record(ws.url)
        if not self._inside(ws.url):
            self.problems.append(f"WebSocket outside the loopback server: {ws.url}")
        self.traffic.attach(ws)

    def wait(self, condition, timeout_s: float, what: str) -> None:
        """Poll ``condition`` (Python, over the recorded traffic) while the page runs."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: not done within {timeout_s} s")
            if self.lab.process.poll() is not None:
                raise RuntimeError(f"{what}: the JupyterLab server exited")
            self.page.wait_for_timeout(100)

    def begin(self) -> None:
        """Start a chapter's record: its own problems, requests and kernel messages."""
        self.problems, self.urls, self.traffic.messages = [], {}, []

    def close(self) -> None:
        self.closing = True
        self.page.close()


def open_lab(session: Session, report: dict) -> None:
    """Load JupyterLab in the session's tab with a fresh workspace, showing the file browser."""
    start = time.monotonic()
    session.page.goto(f"{session.lab.url}lab?reset&token={session.lab.token}")
    session.page.locator(".jp-DirListing-content").get_by_text(CHAPTERS[0].name, exact=True) \
        .wait_for(timeout=START_TIMEOUT_S * 1000)
    report["lab"] = {"seconds": round(time.monotonic() - start, 2),
                     "requests": sum(session.urls.values()), "urls": dict(sorted(session.urls.items())),
                     "problems": list(session.problems)}


def close_notebook(session: Session, path: Path) -> None:
    """File > Close Tab, discarding the run's changes; then shut its kernel down."""
    page = session.page
    kernels = {m.group(1) for u in session.urls
               for m in [re.search(r"/api/kernels/([0-9a-f-]{36})/channels", u)] if m}
    page.keyboard.press("Escape")  # out of a focused slider or menu
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.locator(".lm-Menu-item[data-command='application:close']").click()
    discard = page.locator(".jp-Dialog").get_by_role("button", name="Discard")
    try:
        discard.click(timeout=10_000)
    except Exception:  # noqa: BLE001 - no dialog: nothing to discard
        pass
    page.locator(".jp-NotebookPanel:visible").wait_for(state="detached", timeout=30_000)
    for kernel in kernels:  # the next chapter gets the CPU
        try:
            session.lab.get(f"api/kernels/{kernel}", method="DELETE")
        except OSError:
            pass


def run_chapter(session: Session, lab, path: Path, report: dict) -> list[str]:
    """Open, run all, move the widgets, close; return the problems found."""
    cells = chapter_cells(path)
    code_cells = [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    widgets = marked_widgets(cells)
    session.begin()
    page, traffic, times, moves = session.page, session.traffic, {}, []
    panel = page.locator(".jp-NotebookPanel:visible")
    start = time.monotonic()
    try:
        page.locator(".jp-DirListing-content").get_by_text(path.name, exact=True).dblclick()
        session.wait(lambda: traffic.of_type("kernel_info_reply", "received"), START_TIMEOUT_S,
                     f"the kernel of {path.name} to start")
        times["kernel_ready"] = time.monotonic() - start
        panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
        times["open"] = time.monotonic() - start

        clicked = time.monotonic()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()

        def all_answered():
            requests, replies = traffic.execution()
            aborted = any(r["content"].get("status") != "ok" for r in replies.values())
            return (len(requests) >= len(code_cells) or aborted) and requests and \
                all(r["header"]["msg_id"] in replies for r in requests)

        session.wait(all_answered, RUN_TIMEOUT_S, f"Run All Cells of {path.name}")
        times["run_all"] = time.monotonic() - clicked
        panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
        # the notebook attaches its cells a batch at a time: all of them by now
        try:
            page.wait_for_function("([panel, n]) => panel.querySelectorAll('.jp-Notebook .jp-Cell')"
                                   ".length === n", arg=[panel.element_handle(), len(cells)],
                                   timeout=START_TIMEOUT_S * 1000)
        except Exception:  # noqa: BLE001 - reported
            shown = panel.locator(".jp-Notebook .jp-Cell").count()
            session.problems.append(f"the notebook shows {shown} cells, the file has {len(cells)}")
        requests, _ = traffic.execution()
        if len(requests) != len(code_cells):
            session.problems.append(f"{len(requests)} cells were run, the notebook has "
                                    f"{len(code_cells)} code cells")
        session.problems += traffic.problems(traffic.cells_run())
        shown_errors = panel.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").count()
        if shown_errors:
            session.problems.append(f"{shown_errors} error or stderr outputs shown in the notebook")
        session.problems += check_players(page, panel, traffic.html_outputs('<div class="animation">'))
        toasts = page.locator(".Toastify__toast").all_inner_texts()
        if toasts:  # e.g. JupyterLab asking to fetch its news feed: the lab settings are off
            session.problems.append(f"notification(s) shown: {toasts}")

        moved = time.monotonic()
        if not widgets:
            session.problems.append("no cell marks a widget (cell metadata live_widget)")
        for number, widget in enumerate(widgets, 1):
            session.problems += check_widget(session, panel, cells, widget,
                                             f"{path.stem}__widget{number}", moves)
        times["widgets"] = time.monotonic() - moved
    except Exception as error:  # noqa: BLE001 - reported with the server log below
        session.problems.append(f"{type(error).__name__}: {error}")
        shot = OUTPUT / f"{path.stem}__failure.png"
        try:
            page.screenshot(path=str(shot))
            session.problems.append(f"screenshot of the page: {shot}")
        except Exception:  # noqa: BLE001
            pass
    finally:
        times["total"] = time.monotonic() - start
        try:
            close_notebook(session, path)
        except Exception as error:  # noqa: BLE001 - reported
            session.problems.append(f"closing {path.name}: {type(error).__name__}: {error}")
        report["chapters"][path.stem] = {
            "seconds": {k: round(v, 2) for k, v in times.items()},
            "requests": sum(session.urls.values()),
            "moves": moves,
            "urls": dict(sorted(session.urls.items())),
            "problems": session.problems,
        }
    return session.problems


def check_players(page, panel, expected: int) -> list[str]:
    """matplotlib ``to_jshtml`` players: as many in the notebook ``panel`` as the kernel sent,
    each showing a frame, stepping on 'Next frame' and showing an icon on every button."""
    players = panel.locator("div.animation")
    try:
        page.wait_for_function("([panel, n]) => panel.querySelectorAll('div.animation').length >= n",
                               arg=[panel.element_handle(), expected])
    except Exception:  # noqa: BLE001 - reported
        return [f"the kernel sent {expected} animation player(s), the page shows {players.count()}"]
    problems = []
    for i in range(players.count()):
        player, what = players.nth(i), f"animation player {i + 1}"
        image = player.locator("img").first
        player.scroll_into_view_if_needed()  # cells off screen are not laid out
        box = image.bounding_box()
        if not (box and box["width"] > 0 and box["height"] > 0):
            problems.append(f"{what}: no frame shown")
            continue
        image.click()  # a first click makes the cell active, and JupyterLab may scroll it
        page.wait_for_timeout(300)
        before = image.get_attribute("src")
        player.locator("button[title='Next frame']").click()
        try:
            page.wait_for_function("([img, src]) => img.getAttribute('src') !== src",
                                   arg=[image.element_handle(), before], timeout=5_000)
        except Exception:  # noqa: BLE001 - reported
            problems.append(f"{what}: 'Next frame' did not change the frame")
        iconless = player.evaluate("""p => [...p.querySelectorAll('.anim-buttons button')]
                                          .filter(b => {
            const svg = b.querySelector('svg'), icon = b.querySelector('i.fa');
            const shown = e => e && e.getBoundingClientRect().width > 0;
            return !(shown(svg) || (shown(icon) && getComputedStyle(icon, '::before').content
                                    .replace(/["']/g, '').trim().length === 1
                                    && document.fonts.check('14px ' +
                                        getComputedStyle(icon).fontFamily.split(',')[0])));
        }).map(b => b.title)""")
        if iconless:
            problems.append(f"{what}: buttons without an icon: {iconless}")
    return problems


def check_widget(session: Session, panel, cells: list[dict], widget: dict, name: str,
                 log: list[dict]) -> list[str]:
    """Move each control of one marked widget and compare its output with the view's; each
    move is appended to ``log``."""
    page, traffic = session.page, session.traffic
    where = f"widget in cell {widget['cell']} ({widget['view']})"
    view = load_view(widget["view"])
    source = "".join(cells[widget["cell"]]["source"])
    shown = traffic.displayed_widgets(source)
    if len(shown) <= widget["widget"]:
        return [f"{where}: the cell displayed {len(shown)} widget(s), no widget {widget['widget']}"]
    root = shown[widget["widget"]]
    cell = panel.locator(".jp-Notebook .jp-Cell").nth(widget["cell"])
    dom = cell.locator(".jp-OutputArea-output:has(> .jupyter-widgets)").nth(widget["widget"])
    dom.scroll_into_view_if_needed()
    output = dom.locator(".rnn-live-view")
    problems = []
    for control, keys in widget["moves"]:
        sliders, outputs = widget_parts(traffic.widget_models(), root)
        values = {s["description"]: s["value"] for _, s in sliders}
        if len(outputs) != 1 or output.count() != 1:
            return problems + [f"{where}: {len(outputs)} rnn-live-view output(s) in the kernel's "
                               f"models, {output.count()} on the page; expected one"]
        if control not in values:
            return problems + [f"{where}: no slider named {control!r}; sliders: {sorted(values)}"]
        before_text, before_value = text_of(output), values[control]
        slider = dom.locator(".widget-slider").filter(
            has=page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(control)}$")))
        handle = slider.locator(".noUi-handle")
        if handle.count() != 1:
            return problems + [f"{where}: {handle.count()} slider handles labelled {control!r}"]
        sent_before = len(traffic.of_type("comm_msg", "sent"))
        handle.click()
        for key in keys:
            page.keyboard.press(key)

        def answered():  # the kernel got the move and handled every message it caused
            sent = traffic.of_type("comm_msg", "sent")[sent_before:]
            return bool(sent) and all(traffic.idle_after(m["header"]["msg_id"]) for m in sent)

        try:
            session.wait(answered, MOVE_TIMEOUT_S,
                         f"{where}: the kernel's answer to {control} moved with {keys}")
            page.wait_for_timeout(300)  # a last key's message may still be on its way
            session.wait(answered, MOVE_TIMEOUT_S, f"{where}: the kernel's answer")
        except TimeoutError as error:
            problems.append(str(error))
        sent = traffic.of_type("comm_msg", "sent")[sent_before:]
        problems += traffic.problems({m["header"]["msg_id"]: f"{where}, moving {control}"
                                      for m in sent})  # a callback that raised
        models = traffic.widget_models()
        sliders, outputs = widget_parts(models, root)
        values = {s["description"]: s["value"] for _, s in sliders}
        expected = view(**values)
        expected_text = text_of_html(page, expected)
        try:  # the page renders the kernel's update
            session.wait(lambda: text_of(output) == expected_text, 5, "the page's update")
        except TimeoutError:
            pass  # reported below, with the difference
        shown_text = text_of(output)
        readout = slider.locator(".widget-readout").inner_text()
        step = next(s.get("step", 0) for _, s in sliders if s["description"] == control)
        move = f"{where}: {control} {before_value!r} -> {values[control]!r} with {keys}"
        log.append({"cell": widget["cell"], "view": widget["view"], "control": control,
                    "keys": keys, "from": before_value, "to": values[control],
                    "readout": readout})
        if values[control] == before_value:
            problems.append(f"{move}: the slider did not move")
        if shown_text == before_text:
            problems.append(f"{move}: the output did not change")
        kernel_html = models[outputs[0]].get("value")
        if kernel_html != expected:
            problems.append(f"{move}: the kernel's output HTML is not {widget['view']}"
                            f"(**{values}): {difference(kernel_html, expected)}")
        if shown_text != expected_text:
            problems.append(f"{move}: the page does not show what the view gives: "
                            f"{difference(shown_text, expected_text)}")
        if not _readout_matches(readout, values[control], step):
            problems.append(f"{move}: the slider's readout shows {readout!r}")
    screenshot(page, cell, OUTPUT / f"{name}.png")
    return problems


def screenshot(page, element, path: Path) -> None:
    """``element`` whole: the window grows to its height first (JupyterLab fills the window, so
    a cell taller than the notebook's scroll area would be cut)."""
    size = page.viewport_size
    height = min(max(size["height"], element.bounding_box()["height"] + 300), 8000)
    page.set_viewport_size({"width": size["width"], "height": int(height)})
    element.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    element.screenshot(path=str(path))
    page.set_viewport_size(size)


def _readout_matches(readout: str, value: float, step: float) -> bool:
    try:
        return abs(float(readout) - value) <= max(abs(step) / 2, 1e-12)
    except ValueError:
        return False


def difference(shown, expected) -> str:
    """Where two strings first differ, with some context."""
    shown, expected = str(shown), str(expected)
    at = next((i for i, (a, b) in enumerate(zip(shown, expected)) if a != b),
              min(len(shown), len(expected)))
    start = max(0, at - 60)
    return (f"from character {at}: shown ...{shown[start:at + 60]!r}..., "
            f"expected ...{expected[start:at + 60]!r}...")


# An element's text as its text nodes, whitespace-normalised, joined by one space (table cells
# stay apart); the same function reads the page and the view's HTML parsed by the browser.
TEXT_JS = """e => { const parts = [], walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) { const t = walk.currentNode.textContent.trim().replace(/\\s+/g, ' ');
                              if (t) parts.push(t); }
    return parts.join(' '); }"""


def text_of(locator) -> str:
    return locator.evaluate(TEXT_JS)


def text_of_html(page, html: str) -> str:
    """The text of ``html`` parsed by the browser, as :func:`text_of` reads the page."""
    return page.evaluate(f"html => {{ const d = document.createElement('div'); "
                         f"d.innerHTML = html; return ({TEXT_JS})(d); }}", html)


# ---- the test ------------------------------------------------------------------------------------

def test_lab_settings_switch_off_network_features():
    """The lab settings that make `make lab` quiet offline exist and say what they should."""
    server = json.loads((LAB_SETTINGS / "jupyter_server_config.json").read_text())["LabApp"]
    assert server["news_url"] is None
    assert server["check_for_updates_class"].endswith("NeverCheckForUpdate")
    assert server["extension_manager"] == "readonly"
    page = json.loads((LAB_SETTINGS / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True


def test_the_chapters_mark_their_widgets():
    assert CHAPTERS, "no chapter book/[0-9]*.ipynb"
    for path in CHAPTERS:
        widgets = marked_widgets(chapter_cells(path))
        assert widgets, f"{path.name}: no cell carries live_widget metadata"
        for widget in widgets:
            assert callable(load_view(widget["view"])), f"{path.name}: {widget['view']}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_live(lab, session, report, path):
    problems = run_chapter(session, lab, path, report)
    log = lab.log_tail()
    assert not problems, (f"{path.name} in JupyterLab:\n  " + "\n  ".join(problems)
                          + f"\n--- JupyterLab server log (last lines) ---\n{log}")


def test_lab_settings_applied(lab, report):
    """Run after the chapters: the server read the project's lab settings (news off, no update
    check, read-only extension manager, announcements plugin off), and no page asked it for news
    or updates, which it would fetch from the network."""
    html = lab.get("lab")
    match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert match, "no page config in JupyterLab's page"
    config = json.loads(match.group(1))
    assert config.get("news") == {"disabled": True}, config.get("news")
    assert "@jupyterlab/apputils-extension:announcements" in config.get("disabledExtensions", [])
    log = lab.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Extension Manager is 'readonly'" in log, f"lab settings not applied:\n{lab.log_tail()}"
    assert "lab" in report and not report["lab"]["problems"], \
        f"loading JupyterLab: {report.get('lab', {}).get('problems', 'not loaded')}"
    asked = [url for part in [report["lab"], *report["chapters"].values()] for url in part["urls"]
             if re.search(r"/lab/api/(news|update)\b", url)]
    assert not asked, f"the page asked the server for news/updates: {asked}"

"""Sphinx extension: widgets that move without a kernel, and the book's screen/print styles.

A widget made with ``rnnlib.chapters.display.interactive`` is displayed with three forms in its
output: the live ipywidget (``application/vnd.jupyter.widget-view+json``), a static version that
moves without a kernel (``text/html``: range inputs, every reachable state precomputed, a small
script that swaps them) and a sentence (``text/plain``). JupyterLab shows the live widget. This
extension makes the book show the static one:

- myst-nb renders the first mime type of its priority list; for every builder where it ranks
  the widget view above ``text/html``, the widget view moves just below ``text/html``. An
  output that carries a widget view and no ``text/html`` (a widget not made by ``interactive``)
  still renders as a widget.
- A page that then shows no widget view does not load the ipywidgets HTML manager
  (``nb_ipywidgets_js`` in ``_config.yml``, 3.6 MB of JavaScript) nor the notebook's widget
  state: both would do nothing there.
- A link of class ``rnn-live-notebook`` in a page's body (under each static widget) points at
  the page's notebook on Colab (from ``repository`` and ``launch_buttons`` in ``_config.yml``),
  or at the page's own .ipynb download when the book names no GitHub repository.
- ``static/rnn-book.css`` is added to every page: the classes ``rnn-screen-only`` (hidden in
  print) and ``rnn-print-only`` (hidden on screen, shown in print), and the widgets' layout.
"""
from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

HERE = Path(__file__).parent
STATIC = HERE / "static"
CSS_FILE = "rnn-book.css"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_LIVE_LINK = re.compile(r'(<a\b[^>]*\bclass="rnn-live-notebook"[^>]*\bhref=")[^"]*(")')


def prefer_static_html(app: Sphinx, config: Config) -> None:
    """Rank ``text/html`` above the widget view, and ship the stylesheet."""
    from myst_nb.core.render import base_render_priority

    overrides = list(config.nb_mime_priority_overrides or ())
    for builder, priority in base_render_priority().items():
        page, view = priority.get("text/html"), priority.get(WIDGET_VIEW)
        if page is not None and view is not None and view < page:
            overrides.append((builder, WIDGET_VIEW, page + 1))
    config.nb_mime_priority_overrides = overrides
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def notebook_url(app: Sphinx, pagename: str, pathto) -> str:
    """The page's notebook on Colab, or its .ipynb download when no GitHub repository is set."""
    source = posixpath.normpath(str(app.env.doc2path(pagename, base=False))).replace("\\", "/")
    options = app.config.html_theme_options or {}
    repository = str(options.get("repository_url") or "").rstrip("/")
    colab = str((options.get("launch_buttons") or {}).get("colab_url") or "").rstrip("/")
    github = "https://github.com/"
    if repository.startswith(github) and colab:
        path = posixpath.join(str(options.get("path_to_docs") or ""), source).lstrip("/")
        branch = options.get("repository_branch") or "main"
        return f"{colab}/github/{repository[len(github):]}/blob/{branch}/{path}"
    return pathto(posixpath.join("_sources", source), 1)


def fill_live_links(app: Sphinx, pagename: str, templatename: str, context: dict,
                    doctree) -> None:
    body = context.get("body")
    if not body or "rnn-live-notebook" not in body or pagename not in app.env.all_docs:
        return
    url = html.escape(notebook_url(app, pagename, context["pathto"]), quote=True)
    context["body"] = _LIVE_LINK.sub(lambda m: f"{m.group(1)}{url}{m.group(2)}", body)


def drop_unused_widget_scripts(app: Sphinx, pagename: str, templatename: str, context: dict,
                               doctree) -> None:
    """No widget view in the body: no widget manager, no widget state on the page."""
    body, scripts = context.get("body") or "", context.get("script_files")
    if f'type="{WIDGET_VIEW}"' in body or not isinstance(scripts, list):
        return
    manager = set(app.config.nb_ipywidgets_js or ())

    def unused(js) -> bool:  # the builder stores the configured paths under _static/
        name = str(getattr(js, "filename", js) or "").removeprefix("_static/")
        attributes = getattr(js, "attributes", {}) or {}
        return name in manager or attributes.get("type") == WIDGET_STATE

    scripts[:] = [js for js in scripts if not unused(js)]


def setup(app: Sphinx) -> dict:
    # before myst-nb reads its configuration (builder-inited)
    app.connect("config-inited", prefer_static_html)
    app.add_css_file(CSS_FILE)
    # after myst-nb has added the page's widget scripts (default priority 500)
    app.connect("html-page-context", fill_live_links, priority=900)
    app.connect("html-page-context", drop_unused_widget_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

"""Sphinx extension: the single-page build (``--builder singlehtml``) carries every chapter's widgets.

``make pdf`` prints the book from Jupyter Book's single-page HTML build (``book/_ext/pdf.py``).
myst-nb adds a notebook's saved widget state, and the scripts that render it (``nb_ipywidgets_js``
in ``_config.yml``: the shim, require.js, the ipywidgets HTML manager), only to that notebook's own
page. The single page is the root document's, which has no widgets, so every widget would print
as nothing. For the singlehtml builder only, this hook adds to that page the widget state of every
document and the scripts once; the multi-page HTML build is left as it is.
"""
from __future__ import annotations

from sphinx.application import Sphinx


def add_every_documents_widgets(app: Sphinx, pagename: str, *args, **kwargs) -> None:
    if app.builder is None or app.builder.name != "singlehtml" or pagename != app.config.root_doc:
        return
    from myst_nb.sphinx_ import NbMetadataCollector

    states, scripts = [], {}
    for docname in app.env.found_docs:  # sorted below: the page's bytes do not depend on order
        if docname == pagename:
            continue  # myst-nb adds the root document's own files itself
        for uri, attributes in NbMetadataCollector.get_js_files(app.env, docname).values():
            if uri is None:
                states.append((docname, attributes))
            else:
                scripts.setdefault(uri, attributes)
    for _, attributes in sorted(states, key=lambda item: item[0]):
        app.add_js_file(None, **attributes)
    for uri, attributes in scripts.items():
        app.add_js_file(uri, **attributes)


def setup(app: Sphinx) -> dict:
    # after myst-nb's own per-page hook (default priority 500), so its scripts keep their order
    app.connect("html-page-context", add_every_documents_widgets, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

"""Sphinx extension: the built book serves its own browser assets, so it reads with no network.

What a page loads from outside the book, and where it comes from instead:

- MathJax 3, require.js and the ipywidgets HTML manager are script tags that Sphinx and myst-nb
  add. ``_config.yml`` points ``mathjax_path`` and ``nb_ipywidgets_js`` at ``_vendor/...``
  (Sphinx resolves such paths inside ``_static`` for every page depth).
- Notebook outputs can carry their own CDN links; matplotlib's ``to_jshtml`` player links
  Font Awesome 4 for its button icons. ``CDN_REWRITES`` maps each such URL to a vendored copy;
  one ``html-page-context`` hook applies the table to every page's body.

The files are taken from npm packages pinned in ``package.json``/``package-lock.json``
(``make book`` runs ``npm ci``) and copied from ``node_modules`` into
``<outdir>/_static/_vendor/`` when the HTML builder starts. They are not in the book's own
``_static/`` folder, because Jupyter Book adds every .js/.css file found there to every page.

After the rewrite, any script, stylesheet, image or frame that a page would still fetch from
the network is a Sphinx warning (an error under ``-W``), naming the page and the URL.
"""
from __future__ import annotations

import fnmatch
import os
import posixpath
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

VENDOR = "_vendor"  # under the build's _static/: <outdir>/_static/_vendor/<dest>/...


@dataclass(frozen=True)
class Vendored:
    """Files of one npm package copied into ``_static/_vendor/<dest>``."""

    package: str  # folder under node_modules
    src: str  # folder (or file) inside the package
    dest: str  # folder under _static/_vendor
    include: tuple[str, ...] = ("*",)  # fnmatch patterns on paths relative to src
    exclude: tuple[str, ...] = ()  # ... minus these
    keep: tuple[str, ...] = ()  # ... plus these, excluded or not


# MathJax 3 loads its fonts, TeX extensions (autoload), menu and accessibility components on
# demand, relative to the combined component's own URL: copy the es5 tree, but not the other
# combined components or the Node.js entry point.
MATHJAX_BUNDLE = "tex-mml-chtml.js"  # Sphinx's default component; _config.yml's mathjax_path
ASSETS = (
    Vendored(
        "mathjax", "es5", "mathjax",
        exclude=("node-main.js", "latest.js", "tex-*.js", "mml-*.js"), keep=(MATHJAX_BUNDLE,),
    ),
    Vendored("mathjax", "LICENSE", "mathjax"),
    Vendored("requirejs", "require.js", "requirejs"),  # its licence is in its header
    # embed-amd.js bundles the core widget controls; webpack resolves its icon fonts
    # relative to the script's own URL.
    Vendored(
        "@jupyter-widgets/html-manager", "dist", "html-manager",
        include=("embed-amd.js", "*.woff2", "*.woff", "*.ttf", "*.eot", "*.svg", "*.LICENSE.txt"),
    ),
    Vendored("font-awesome", "css", "font-awesome/css", include=("font-awesome.min.css",)),
    Vendored("font-awesome", "fonts", "font-awesome/fonts"),
    # each package.json states the version and licence of the files beside it
    *(Vendored(package, "package.json", dest) for package, dest in (
        ("mathjax", "mathjax"), ("requirejs", "requirejs"),
        ("@jupyter-widgets/html-manager", "html-manager"), ("font-awesome", "font-awesome"))),
)

# Files of the book's own, copied beside the vendored ones.
HERE = Path(__file__).parent
OWN_FILES = (HERE / "widgets-shim.js",)

# CDN URLs that notebook outputs embed in page bodies -> vendored file under _static/.
# One table for every page; add a row (and the package) when a new output type needs one.
CDN_REWRITES = (
    (  # matplotlib Animation.to_jshtml(): the player's button icons
        r"https?://(?:maxcdn\.bootstrapcdn\.com|stackpath\.bootstrapcdn\.com|netdna\.bootstrapcdn\.com"
        r"|cdnjs\.cloudflare\.com/ajax/libs|cdn\.jsdelivr\.net/npm)"
        r"/font-awesome[/@]4\.\d+\.\d+/css/font-awesome(?:\.min)?\.css",
        f"{VENDOR}/font-awesome/css/font-awesome.min.css",
    ),
    (
        r"https?://cdnjs\.cloudflare\.com/ajax/libs/require\.js/[\d.]+/require(?:\.min)?\.js",
        f"{VENDOR}/requirejs/require.js",
    ),
    (
        r"https?://(?:cdn\.jsdelivr\.net/npm|unpkg\.com)/@jupyter-widgets/html-manager@[\w.^~*-]+"
        r"/dist/embed-amd\.js",
        f"{VENDOR}/html-manager/embed-amd.js",
    ),
    (
        r"https?://(?:cdn\.jsdelivr\.net/npm|unpkg\.com)/mathjax@3[\w.^~*-]*/es5/tex-(?:mml-)?chtml\.js",
        f"{VENDOR}/mathjax/{MATHJAX_BUNDLE}",
    ),
)
_REWRITES = [(re.compile(pattern), local) for pattern, local in CDN_REWRITES]

# Resources a browser fetches by itself (links <a href> are not fetched and stay as they are).
_EXTERNAL = r"""(?:https?:)?//[^"'\s)>]+"""
_FETCHED = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed|track|input)\b[^>]*?\ssrc\s*=\s*["']"""
    rf"""(?P<src>{_EXTERNAL})"""
    r"""|<link\b(?=[^>]*\brel\s*=\s*["']?(?:stylesheet|preload|modulepreload|icon|prefetch)\b)"""
    rf"""[^>]*?\shref\s*=\s*["'](?P<href>{_EXTERNAL})"""
    rf"""|@import\s+(?:url\()?\s*["']?(?P<import>{_EXTERNAL})"""
    rf"""|url\(\s*["']?(?P<url>{_EXTERNAL})""",
    re.IGNORECASE,
)


def _node_modules(app: Sphinx) -> Path:
    configured = app.config.offline_assets_node_modules
    return Path(app.srcdir, configured) if configured else Path(app.srcdir, "node_modules")


def _wanted(rel: str, spec: Vendored) -> bool:
    def matches(patterns):
        return any(fnmatch.fnmatchcase(rel, pattern) for pattern in patterns)

    return rel in spec.keep or (matches(spec.include) and not matches(spec.exclude))


def _copy_if_changed(src: Path, dest: Path) -> bool:
    try:
        st, dt = src.stat(), dest.stat()
        if st.st_size == dt.st_size and int(st.st_mtime) == int(dt.st_mtime):
            return False
    except FileNotFoundError:
        pass
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)
    return True


def copy_vendored_assets(app: Sphinx) -> None:
    """Copy the vendored files into <outdir>/_static/_vendor before pages are written.

    Copying first lets Sphinx add its ``?v=<checksum>`` cache-buster to the script tags.
    """
    if app.builder is None or app.builder.format != "html":
        return
    modules = _node_modules(app)
    target = Path(app.outdir, "_static", VENDOR)
    copied = 0
    for spec in ASSETS:
        src = modules / spec.package / spec.src
        if not src.exists():
            raise ExtensionError(
                f"offline_assets: {src} is missing. The book serves MathJax, require.js, the "
                "ipywidgets HTML manager and Font Awesome from npm packages: run `make book` "
                "(it runs `npm ci` from package-lock.json), or `npm ci` in the repository root."
            )
        if src.is_file():
            copied += _copy_if_changed(src, target / spec.dest / src.name)
            continue
        for path in sorted(src.rglob("*")):
            rel = path.relative_to(src).as_posix()
            if path.is_file() and _wanted(rel, spec):
                copied += _copy_if_changed(path, target / spec.dest / rel)
    for path in OWN_FILES:
        copied += _copy_if_changed(path, target / path.name)
    logger.info(f"offline_assets: {copied} vendored file(s) copied into {target}")
    _check_configured_scripts(app, target.parent)


def _check_configured_scripts(app: Sphinx, static: Path) -> None:
    """Every local script named in mathjax_path / nb_ipywidgets_js must now exist."""
    paths = [app.config.mathjax_path, *app.config.nb_ipywidgets_js]
    for path in paths:
        if "://" in path or path.startswith("/"):
            logger.warning(
                f"offline_assets: {path!r} in the configuration loads from the network; "
                f"point it at a vendored copy under {VENDOR}/ (see _config.yml)",
                type="offline_assets",
            )
        elif not (static / path.split("?")[0]).is_file():
            logger.warning(
                f"offline_assets: {path!r} in the configuration does not exist in the build's "
                f"_static/; vendored files: {[a.dest for a in ASSETS]}",
                type="offline_assets",
            )


def rewrite_cdn_urls(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Point CDN URLs in the page body at the vendored copies; warn about any left."""
    body = context.get("body")
    pathto = context.get("pathto")
    if not body or pathto is None:
        return
    for pattern, local in _REWRITES:
        if pattern.search(body):
            body = pattern.sub(pathto(posixpath.join("_static", local), 1), body)
    context["body"] = body
    location = pagename if pagename in app.env.all_docs else None
    for match in _FETCHED.finditer(body):
        url = next(value for value in match.groupdict().values() if value)
        logger.warning(
            f"offline_assets: page {pagename!r} fetches {url} from the network; vendor the file "
            "(package.json) and map the URL in CDN_REWRITES in book/_ext/offline_assets.py",
            location=location, type="offline_assets",
        )
    for asset in [*context.get("script_files", ()), *context.get("css_files", ())]:
        name = os.fspath(getattr(asset, "filename", asset) or "")
        if "://" in name or name.startswith("//"):
            logger.warning(
                f"offline_assets: page {pagename!r} loads {name} from the network",
                location=location, type="offline_assets",
            )


def drop_duplicate_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Write each script tag once.

    sphinx-thebe registers an inline script (``const THEBE_JS_URL = ...``) with filename None;
    Sphinx 7.4 re-adds it from its registry as filename '' and so writes it twice, and the
    second copy throws "Identifier 'THEBE_JS_URL' has already been declared" on every page.
    """
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for js in scripts:
        attributes = getattr(js, "attributes", {}) or {}
        key = (os.fspath(getattr(js, "filename", js) or ""), tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app: Sphinx) -> dict:
    app.add_config_value("offline_assets_node_modules", "", "env", types=[str])
    app.connect("builder-inited", copy_vendored_assets)
    # after sphinx.ext.mathjax and myst-nb have added their scripts (default priority 500)
    app.connect("html-page-context", rewrite_cdn_urls, priority=900)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

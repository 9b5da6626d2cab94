# The book's commands. Each creates .venv from requirements.txt first if needed.
#   make book   build the HTML book into _build/html (notebooks executed, cached), then the PDF
#   make pdf    the book as one PDF, _build/pdf/<title>.pdf (a copy in _build/html for download)
#   make test   unit/property tests, nbval over every notebook, the live JupyterLab test of every
#               chapter, browser test of the built book, the PDF's test
#   make lab    JupyterLab to run the notebooks interactively (offline: book/.jupyter/ settings)
#   make outputs  re-execute the notebooks and store their outputs (NB=book/xx.ipynb for one)
#   make serve  serve the built book on http://127.0.0.1:8000
#   make bench  benchmarks (rnnlib vs PyTorch if installed, vs naive loops)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: book pdf test lab serve bench torch constraints clean outputs

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# Browser assets the built book serves itself, so it reads offline: MathJax, require.js, the
# ipywidgets HTML manager, Font Awesome 4 (package.json pins them; package-lock.json locks them).
# npm ci runs when node_modules is missing or older than package.json/package-lock.json;
# book/_ext/offline_assets.py copies the files into _build/html/_static/_vendor/.
NPM ?= npm
NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json
	$(NPM) ci --ignore-scripts --no-audit --no-fund --no-progress --loglevel=error
	touch $(NODE_STAMP)

.PHONY: assets
assets: $(NODE_STAMP)

# --all: every page is written anew (notebooks still come from the execution cache, so this
# costs about a second). An incremental build leaves the bibliography page as it was when a
# chapter gains a citation, and the chapter's new citation link then points nowhere.
# The HTML build is followed by the PDF's, which copies the PDF into _build/html: the
# introduction's download link then always has its file.
book: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/jupyter-book build . --all -W -n --keep-going
	$(MAKE) --no-print-directory pdf
	@echo "Book built: open file://$(CURDIR)/_build/html/index.html (or run: make serve)"

# The PDF: Jupyter Book's single-page HTML build (same sources, same execution cache, zero
# warnings), printed by Debian's chromium through Playwright (book/_ext/pdf.py; no LaTeX).
pdf: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/jupyter-book build . --builder singlehtml --all -W -n --keep-going --quiet
	$(PY) book/_ext/pdf.py

# `book` builds the PDF too: tests/test_pdf.py reads it.
test: $(STAMP) book
	$(PY) -m pytest

# Re-execute notebooks in place and store their outputs (widget state included), top to bottom
# in a fresh kernel: `make outputs` for every chapter, `make outputs NB=book/02_unrolling.ipynb`
# for one.
NB ?= book/[0-9]*.ipynb
outputs: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=600 $(NB)

# JupyterLab on book/ with the project's lab settings, book/.jupyter/ (a Jupyter config folder:
# no news feed, no update check, the read-only extension manager), so it runs offline and quiet.
# tests/test_live_lab.py starts JupyterLab with the same settings. As root (a container, the
# project's VM) Jupyter refuses to start without --allow-root.
lab: $(STAMP)
	JUPYTER_CONFIG_PATH="$(CURDIR)/book/.jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) book/

serve:
	@test -f _build/html/index.html || $(MAKE) book
	@echo "Serving the book on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

torch: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-torch.txt

bench: $(STAMP)
	$(PY) benchmarks/run.py

constraints: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -v -i -E '^(torch|sympy|mpmath|networkx|filelock|fsspec)==' \
		| sed '1i # Pinned by `make constraints` (pip freeze of .venv without the optional torch).' > constraints.txt

clean:
	rm -rf _build .jupyter_cache

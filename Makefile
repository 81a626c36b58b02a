# The book's two commands, from a fresh clone:
#   make book   HTML book in _build/html/index.html (every notebook executed)
#   make test   every test: mathcore, nbval on the notebooks, the build, the browser
# Both create .venv from the lock requirements.txt the first time (`make lock` remakes it).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist workers; `make test WORKERS=0` runs in one process
WORKERS ?= 2
PYTEST_ARGS ?=

# The venv's tools first on PATH (the notebooks' kernel, jupyter-book's subprocesses).
RUN := PATH="$(CURDIR)/$(BIN):$$PATH"

.PHONY: help venv grading-venv lite-venv lock book archive book-nosolutions student pdf pdf-student texlive test execute execute-check bench bench-quick clean distclean

help:
	@echo "make book           build the HTML book into _build/html (MATHCORE_STATIC=1)"
	@echo "make test           run every test (pytest -n $(WORKERS), nbval, build and browser tests)"
	@echo "make archive        the HTML book as one zip to read offline: _build/mathcore-book-html.zip"
	@echo "make book-nosolutions  the edition without solutions into _build/nosolutions/_build/html"
	@echo "make student        student notebooks (solutions removed) into _build/student"
	@echo "make pdf            the whole book as one PDF, with solutions: _build/pdf/book.pdf"
	@echo "make pdf-student    the PDF without solutions: _build/pdf/book-student.pdf"
	@echo "make execute        re-execute book/*.ipynb in place with normalised metadata"
	@echo "make execute-check  fail if re-executing a notebook would change it"
	@echo "make bench          benchmarks (~10 min): tables into benchmarks/results.md and the README"
	@echo "make bench-quick    the benchmarks' smoke run (under a minute), nothing written"
	@echo "make lock           re-resolve requirements.in into the locks requirements.txt and binder/requirements.txt"
	@echo "                    (and requirements-grading.in, requirements-lite.in into their .txt locks)"
	@echo "make grading-venv   nbgrader and Otter-Grader in .venv-grading (for tests/test_grade_exports.py)"
	@echo "make lite-venv      JupyterLite in .venv-lite (the chapters in the browser, built by make book)"
	@echo "make clean          remove build outputs and caches (keeps .venv and .cache)"
	@echo "make distclean      also remove .venv and the CDN cache .cache/"

venv: $(STAMP)

# Redone only when the lock changes. Every package comes from the lock, hash-checked and
# with no dependency resolution (--no-deps); then mathcore itself, editable, built by the
# locked setuptools. The stamp is written last, so an interrupted install is retried.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else \
		f"Python {v[0]}.{v[1]}: the book supports 3.11 to 3.13 (make PYTHON=python3.11 ...; make distclean first)")'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@# Build Matplotlib's font cache now: on a first import it prints a notice on
	@# stderr, which would become a cell output (a build warning, an nbval diff).
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	touch $@

# A venv beside .venv, built like it: hash-checked, no resolution. Its folder is the stamp's
# ($(@D)), its lock the rule's first prerequisite ($<).
define side_venv
	test -x $(@D)/bin/python || $(BIN)/python -m venv $(@D)
	$(@D)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $<
	$(@D)/bin/python -m pip check
	touch $@
endef

# nbgrader and Otter-Grader, which grade mathcore.assign's exports in tests/test_grade_exports.py,
# in a venv of their own: they pin their own Jupyter stack, which must not move the book's.
# Built like .venv: hash-checked, no resolution; mathcore reaches it through PYTHONPATH.
GRADING_VENV := .venv-grading
GRADING_STAMP := $(GRADING_VENV)/.installed
grading-venv: $(GRADING_STAMP)

$(GRADING_STAMP): requirements-grading.txt $(STAMP)
	$(side_venv)

# JupyterLite and its Pyodide kernel, which tools/lite.py runs at the end of every HTML build
# (the chapters in the browser: _build/html/lite/), in a venv of their own: jupyter-server's
# dependencies stay out of the book's lock. Built like .venv-grading.
LITE_VENV := .venv-lite
LITE_STAMP := $(LITE_VENV)/.installed
lite-venv: $(LITE_STAMP)

$(LITE_STAMP): requirements-lite.txt $(STAMP)
	$(side_venv)

# One set of versions for every supported Python (--universal from 3.11, the fewest
# versions per package), each file's sha256. The existing locks are uv's preferences,
# so a pin changes only when requirements.in asks for it.
LOCK := $(BIN)/uv pip compile --universal --python-version 3.11 --fork-strategy fewest \
	--quiet --custom-compile-command "make lock"
lock: $(STAMP)
	$(LOCK) --generate-hashes requirements.in -o requirements.txt
	$(LOCK) --generate-hashes requirements-grading.in -o requirements-grading.txt
	$(LOCK) --generate-hashes requirements-lite.in -o requirements-lite.txt
	$(LOCK) --no-annotate binder/requirements.in -c requirements.txt -o binder/requirements.txt
	printf '%s\n' '# mathcore itself: repo2docker installs from the repository root' '.' >> binder/requirements.txt

book: $(STAMP) $(LITE_STAMP)
	$(RUN) MATHCORE_STATIC=1 $(BIN)/jupyter-book build . -n -W --keep-going --all
	@echo "Open _build/html/index.html"

# The built book as one zip (fixed order and timestamps: the same build, the same bytes).
archive: book
	$(BIN)/python tools/archive.py _build/html _build/mathcore-book-html.zip

book-nosolutions: $(STAMP)
	$(RUN) $(BIN)/python tools/build_edition.py --out _build/nosolutions

student: $(STAMP)
	$(RUN) $(BIN)/python -m mathcore.assign book/[0-9][0-9]_*.ipynb --out _build/student

# The PDF edition: Sphinx's LaTeX builder typesets the re-executed notebooks with XeLaTeX;
# MATHCORE_STATIC=print prints each interactive figure as a few of its frames side by side.
# TeX Live comes from Debian (about 95 MB to download), installed here the first time; as root,
# or with sudo otherwise. tests/test_pdf.py checks the PDFs.
TEXLIVE := texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
	fonts-freefont-otf fonts-dejavu-core latexmk poppler-utils
texlive:
	@if [ "$$(dpkg-query -W -f='$${Status}\n' $(TEXLIVE) 2>/dev/null | grep -c '^install ok installed$$')" \
		!= $(words $(TEXLIVE)) ]; then \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $(TEXLIVE); \
	fi

pdf: $(STAMP) texlive
	$(RUN) MATHCORE_STATIC=print $(BIN)/jupyter-book build . --builder pdflatex --path-output _build/pdf \
		-n -W --keep-going --all
	cp _build/pdf/_build/latex/book.pdf _build/pdf/book.pdf
	@echo "Open _build/pdf/book.pdf"

pdf-student: $(STAMP) texlive
	$(RUN) $(BIN)/python tools/build_edition.py --pdf --out _build/pdf-student
	mkdir -p _build/pdf
	cp _build/pdf-student/_build/latex/book.pdf _build/pdf/book-student.pdf
	@echo "Open _build/pdf/book-student.pdf"

test: $(STAMP) $(GRADING_STAMP) $(LITE_STAMP)
	$(RUN) $(BIN)/python -m pytest $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadgroup) \
		--nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --durations=30 tests book $(PYTEST_ARGS)

execute: $(STAMP)
	$(RUN) $(BIN)/python tools/execute_notebooks.py

execute-check: $(STAMP)
	$(RUN) $(BIN)/python tools/execute_notebooks.py --check

# Benchmark dependencies (PyTorch, micrograd) go into the same venv, on demand only:
# the book and its tests do not need them.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) benchmarks/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	touch $@

bench: $(BENCH_STAMP)
	$(RUN) $(BIN)/python -m benchmarks --update-readme

bench-quick: $(BENCH_STAMP)
	$(RUN) $(BIN)/python -m benchmarks --quick

clean:
	rm -rf _build .pytest_cache .hypothesis .jupyter_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(GRADING_VENV) $(LITE_VENV) .cache *.egg-info

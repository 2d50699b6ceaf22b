# The two set-up commands of README.md. Both install what they need from this project's files.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint build bench clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

STORE ?= instance/store

## make run: install, build the graph of corpus/ into the embedded store (when it is missing),
## then serve the web UI and the SPARQL endpoint on http://127.0.0.1:5000/
run: $(STAMP)
	@[ -e $(STORE)/current ] || $(BIN)/guidegraph build --store $(STORE)
	$(BIN)/guidegraph serve --store $(STORE)

## make build: rebuild the graph of corpus/ (the store of `make run`)
build: $(STAMP)
	$(BIN)/guidegraph build --store $(STORE)

## make test: install (with Debian's Chromium for the browser tests), then run the whole test suite
## on two pytest-xdist workers (the machines and CI have two cores)
test: $(STAMP) chromium
	$(BIN)/python -m pytest -q -n 2

## make lint: ruff, and the import contracts of pyproject.toml (both also run in the test suite)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q tests/test_layout.py

# the browser tests drive Debian's Chromium through Playwright (no browser download)
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "Chromium could not be installed: the browser tests will be skipped"

## make bench: the benchmark (not part of the tests)
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance build *.egg-info

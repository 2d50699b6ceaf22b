# The two set-up commands of README.md. Both install what they need from this project's files.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test build bench clean

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

## make test: install, then run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## make bench: the benchmark (not part of the tests)
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance build *.egg-info

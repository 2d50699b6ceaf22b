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

## make run: install, build the graph of corpus/ into the embedded store, print what it holds
run: $(STAMP)
	$(BIN)/guidegraph build
	$(BIN)/guidegraph stats

## make test: install, then run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## make bench: the benchmark (not part of the tests)
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance build *.egg-info

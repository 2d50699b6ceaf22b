"""Shared fixtures: the corpus as ingested, a store built from it, and a CLI runner."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from guidegraph.build import build
from guidegraph.ingest.document import ingest
from guidegraph.ingest.metadata import read_catalogue
from guidegraph.store.embedded import Store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def corpus_docs():
    """Every default document, ingested, by slug."""
    catalogue = read_catalogue(CORPUS)
    return {d.slug: d for d in (ingest(p, CORPUS, catalogue) for p in sorted(CORPUS.glob("*.txt")))}


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Store:
    """A store built once from the default corpus; tests must only read it."""
    store = Store(tmp_path_factory.mktemp("store") / "store")
    build(None, store)
    return store


@pytest.fixture
def run_cli():
    """Run the guidegraph command line in a child process and return the completed process."""
    def run(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 120):
        import os

        full_env = dict(os.environ, **(env or {}))
        return subprocess.run([sys.executable, "-m", "guidegraph", *map(str, args)], input=input,
                              capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=timeout)
    return run

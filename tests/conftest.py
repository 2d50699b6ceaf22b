"""Shared fixtures: the corpus as ingested, a store built from it, and a CLI runner.

The default corpus is built once per test run, by `guidegraph build --store …` in a child process
started before the first test: the tests that do not read it go on meanwhile, and under pytest-xdist
(`make test` runs two workers) every worker reads the one store that the first worker started.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guidegraph.ingest.document import ingest
from guidegraph.ingest.metadata import read_catalogue
from guidegraph.store.embedded import Store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"

# modules whose module-scoped fixture is costly (a store of their own, a wheel): under xdist each runs
# whole on one worker, so that the fixture is made once; being the largest units they go first, while
# the default corpus is being built (none of them reads it)
ONE_WORKER = {"test_other_corpus", "test_packaging", "test_sparql_protocol"}

# runs a command with its output in files of a folder, then writes its exit code to `rc` (last)
_RECORDED = r"""
import os, subprocess, sys

folder = sys.argv[1]
with open(os.path.join(folder, "stdout"), "w") as out, open(os.path.join(folder, "stderr"), "w") as err:
    code = subprocess.call(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=out, stderr=err)
with open(os.path.join(folder, "rc.part"), "w") as f:
    f.write(str(code))
os.replace(os.path.join(folder, "rc.part"), os.path.join(folder, "rc"))
"""
BUILD_WAIT = 900  # seconds a test waits for the corpus build before it fails


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under `-n N`: hand the tests out one by one, but each ONE_WORKER module whole to one worker.

    (xdist's own loadgroup does this by renaming the tests, which pytest 9 no longer lets it do.)"""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneByOneButModules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if Path(path).stem in ONE_WORKER else nodeid

    return OneByOneButModules(config, log)


def _shared_folder(tmp_path_factory) -> Path:
    """This run's temporary folder that every xdist worker sees (each has its own below it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _needs_corpus_build(items) -> bool:
    return any({"built_store", "corpus_cli_build"} & set(getattr(i, "fixturenames", ())) for i in items)


@pytest.fixture(scope="session", autouse=True)
def _corpus_build(request, tmp_path_factory):
    """Start the build of the default corpus in the background, once per run; yield its folder."""
    folder = _shared_folder(tmp_path_factory) / "corpus-build"
    started = None
    if _needs_corpus_build(request.session.items):
        with _locked(folder.parent / "corpus-build.lock"):
            if not folder.exists():
                folder.mkdir()
                started = subprocess.Popen(
                    [sys.executable, "-c", _RECORDED, str(folder),
                     sys.executable, "-m", "guidegraph", "build", "--store", str(folder / "store")],
                    cwd=ROOT, stdin=subprocess.DEVNULL)
    yield folder
    if started is not None:  # another worker may still read it: let it finish, never cut it short
        started.wait(BUILD_WAIT)


@pytest.fixture(scope="session")
def corpus_cli_build(_corpus_build) -> subprocess.CompletedProcess:
    """`guidegraph build --store STORE` of the default corpus, finished: its exit code and output.

    The store is ``Path(result.args[-1])``; tests must only read it."""
    folder = _corpus_build
    deadline = time.monotonic() + BUILD_WAIT
    while not (folder / "rc").exists():
        if time.monotonic() > deadline:
            pytest.fail(f"the build of the default corpus did not finish in {BUILD_WAIT} s")
        time.sleep(0.2)
    return subprocess.CompletedProcess(
        ["guidegraph", "build", "--store", str(folder / "store")], int((folder / "rc").read_text()),
        (folder / "stdout").read_text(), (folder / "stderr").read_text())


@pytest.fixture(scope="session")
def built_store(corpus_cli_build) -> Store:
    """A store built once from the default corpus; tests must only read it."""
    assert corpus_cli_build.returncode == 0, corpus_cli_build.stderr
    return Store(corpus_cli_build.args[-1])


@pytest.fixture(scope="session")
def corpus_docs():
    """Every default document, ingested, by slug."""
    catalogue = read_catalogue(CORPUS)
    return {d.slug: d for d in (ingest(p, CORPUS, catalogue) for p in sorted(CORPUS.glob("*.txt")))}


@pytest.fixture
def run_cli():
    """Run the guidegraph command line in a child process and return the completed process."""
    def run(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 120):
        full_env = dict(os.environ, **(env or {}))
        return subprocess.run([sys.executable, "-m", "guidegraph", *map(str, args)], input=input,
                              capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=timeout)
    return run

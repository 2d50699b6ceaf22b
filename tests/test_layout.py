"""The code keeps the shape DESIGN.md gives it: layered imports, no import circle, nothing of the corpus.

The installed package maps two folders (graph/ as guidegraph, app/ as guidegraph.web), which a
static import analysis cannot follow in a checkout; the tests here lay the sources out as the
wheel does (in tmp_path) and analyse that copy.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, ROOT

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory) -> Path:
    top = tmp_path_factory.mktemp("layout")
    package = top / "guidegraph"
    shutil.copytree(ROOT / "graph", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "app", package / "web", ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", top / "pyproject.toml")
    return top


def test_the_import_contracts_of_pyproject_hold(laid_out):
    result = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=laid_out, capture_output=True, text=True,
                            env={"PYTHONPATH": str(laid_out), "PATH": str(BIN)}, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "3 kept, 0 broken" in result.stdout


def test_no_module_imports_itself_through_a_circle(laid_out):
    code = ("import grimp, networkx as nx; g = grimp.build_graph('guidegraph', cache_dir=None); "
            "G = nx.DiGraph([(m, d) for m in g.modules for d in g.find_modules_directly_imported_by(m)]); "
            "print(sorted(sorted(c) for c in nx.simple_cycles(G)))")
    result = subprocess.run([sys.executable, "-c", code], cwd=laid_out, capture_output=True, text=True,
                            env={"PYTHONPATH": str(laid_out)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_subpackage_of_the_pipeline_exports_its_verb():
    import guidegraph.annotate
    import guidegraph.checks
    import guidegraph.ingest
    import guidegraph.query
    import guidegraph.rdf
    import guidegraph.store

    assert callable(guidegraph.ingest.ingest) and callable(guidegraph.annotate.annotate)
    assert callable(guidegraph.rdf.document_triples) and callable(guidegraph.checks.findings)
    assert callable(guidegraph.query.run_query) and isinstance(guidegraph.store.Store, type)


def test_ruff_finds_nothing():
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]


def test_no_code_names_a_document_or_publisher_of_the_corpus():
    names = {p.stem for p in CORPUS.glob("*.txt")}
    assert len(names) == 5  # the corpus is where the test expects it
    sources = [p for folder in ("graph", "app") for p in (ROOT / folder).rglob("*")
               if p.suffix in (".py", ".html", ".js") and "vendor" not in p.parts]
    found = []
    for path in sources:
        text = path.read_text(encoding="utf-8").lower()
        found += [f"{path.relative_to(ROOT)}: {name}" for name in names if name in text]
        found += [f"{path.relative_to(ROOT)}: {w}" for w in ("oracle-", "icliniq", "american cancer society")
                  if w in text]
    assert found == [], found

"""guidegraph as a user installs it: a wheel, in a new virtual environment outside the checkout.

The wheel is built from a copy of the source tree (so the checkout gains no build/ folder), installed
without dependencies into a fresh venv whose interpreter reaches the test environment's dependencies
through a .pth line (the test must not download them; the editable install's own finder is not
activated that way). Every command then runs from a folder outside the checkout.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from bench.probe import free_port

from .conftest import CORPUS, ROOT

pytestmark = pytest.mark.slow

IGNORED = shutil.ignore_patterns(".git", ".venv", "instance", "build", "dist", "*.egg-info", "__pycache__",
                                 ".pytest_cache", ".hypothesis", "out")
SAVED_QUERIES = len(list((ROOT / "queries").glob("*.rq")))


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--verbose", "--wheel-dir",
                             str(work / "dist"), str(source)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheels = list((work / "dist").glob("guidegraph-*.whl"))
    assert len(wheels) == 1
    return wheels[0], result.stdout + result.stderr


@pytest.fixture(scope="module")
def installed(built_wheel, tmp_path_factory):
    wheel, _ = built_wheel
    home = tmp_path_factory.mktemp("user")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = next((venv / "lib").glob("python3*/site-packages"))
    dependencies = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "rdflib").is_dir())
    (site / "zz-dependencies.pth").write_text(f"{dependencies}\n")
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                             "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("GUIDEGRAPH_STORE", "XDG_DATA_HOME", "PYTHONPATH")}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    documents = home / "documents"
    documents.mkdir()
    for name in ("oracle-breast-cancer-bone-metastasis.txt", "oracle-osteoblastic-metastases.txt"):
        shutil.copy(CORPUS / name, documents / name)
    return venv, home, env


def run(installed, *args, cwd=None, timeout=600):
    venv, home, env = installed
    return subprocess.run([str(venv / "bin" / "guidegraph"), *map(str, args)], cwd=cwd or home, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_the_wheel_holds_one_package_with_its_ontology_queries_templates_and_licence(built_wheel):
    wheel, _ = built_wheel
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"guidegraph", wheel.name.split("-py3")[0] + ".dist-info"}
    for expected in ("guidegraph/ontology/guidegraph.ttl", "guidegraph/ontology/vocabulary.ttl",
                     "guidegraph/ontology/shapes.ttl", "guidegraph/queries/documents.rq",
                     "guidegraph/queries/checks/dangling-citation.rq", "guidegraph/web/templates/base.html",
                     "guidegraph/web/static/guidegraph.css", "guidegraph/__main__.py"):
        assert expected in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert sum(n.startswith("guidegraph/queries/") and n.count("/") == 2 and n.endswith(".rq")
               for n in names) == SAVED_QUERIES


def test_building_the_wheel_prints_no_warning_of_the_projects_own(built_wheel):
    _, output = built_wheel
    # pip's own notes on byte-compiling (switched off in this environment) are not the project's
    warnings = [line for line in output.splitlines()
                if ("warning" in line.lower() or "deprecat" in line.lower()) and "byte-compil" not in line]
    assert warnings == []


def test_the_installed_package_runs_from_the_venv_not_from_the_checkout(installed):
    venv, home, env = installed
    code = ("import guidegraph, guidegraph.web, guidegraph.paths as p; "
            "print(guidegraph.__file__); print(p.ontology_dir())")
    result = subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=home, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    package, ontology = result.stdout.split()
    assert package.startswith(str(venv)) and ontology.startswith(str(venv))
    assert not package.startswith(str(ROOT))


def test_version_and_python_dash_m(installed):
    venv, home, env = installed
    version = run(installed, "--version")
    assert version.returncode == 0 and version.stdout.strip() == "guidegraph 0.1.0"
    module = subprocess.run([str(venv / "bin" / "python"), "-m", "guidegraph", "--version"], cwd=home, env=env,
                            capture_output=True, text=True, timeout=120)
    assert module.returncode == 0 and module.stdout == version.stdout


def test_build_check_queries_and_query_work_from_an_installed_wheel(installed, tmp_path):
    _, home, _ = installed
    store = tmp_path / "store"
    build = run(installed, "build", home / "documents", "--store", store, "--format", "json")
    assert build.returncode == 0, build.stderr
    summary = json.loads(build.stdout)
    assert len(summary["documents"]) == 2 and summary["failures"] == []
    check = run(installed, "check", "--store", store)
    assert check.returncode in (0, 1), check.stderr  # 1: findings at the threshold; 2 would be an error
    assert "finding" in check.stdout.lower()
    listed = run(installed, "queries")
    assert listed.returncode == 0 and len([line for line in listed.stdout.splitlines() if line and not
                                           line.startswith(" ")]) == SAVED_QUERIES
    answered = run(installed, "query", "documents", "--store", store, "--format", "json")
    assert answered.returncode == 0, answered.stderr
    assert len(json.loads(answered.stdout)["results"]["bindings"]) == 2


def test_an_installed_guidegraph_keeps_its_default_store_in_the_users_data_folder(installed):
    _, home, _ = installed
    build = run(installed, "build", home / "documents", "--no-reason", "--no-checks", "--no-validate")
    assert build.returncode == 0, build.stderr
    assert (home / ".local" / "share" / "guidegraph" / "store" / "current").exists()


def test_build_without_a_folder_reads_corpus_in_the_current_directory_or_says_what_to_do(installed, tmp_path):
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    missing = run(installed, "build", "--store", tmp_path / "s1", cwd=empty)
    assert missing.returncode == 2
    assert "corpus" in missing.stderr and "guidegraph build" in missing.stderr
    shutil.copy(CORPUS / "oracle-osteoblastic-metastases.txt", (empty / "corpus").mkdir() or empty / "corpus")
    found = run(installed, "build", "--store", tmp_path / "s2", "--no-reason", "--no-checks", "--no-validate",
                "--format", "json", cwd=empty)
    assert found.returncode == 0, found.stderr
    assert [d["slug"] for d in json.loads(found.stdout)["documents"]] == ["oracle-osteoblastic-metastases"]


def test_serve_answers_pages_static_files_and_sparql_from_an_installed_wheel(installed, tmp_path):
    _, home, env = installed
    store = tmp_path / "store"
    assert run(installed, "build", home / "documents", "--store", store, "--no-reason").returncode == 0
    port = free_port()
    venv = installed[0]
    server = subprocess.Popen([str(venv / "bin" / "guidegraph"), "serve", "--store", str(store), "--port", str(port)],
                              cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):  # bounded: at most 30 s for the server to listen
            try:
                with urllib.request.urlopen(base + "/", timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode())
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer")
        assert "guidegraph" in page
        with urllib.request.urlopen(base + "/static/guidegraph.css", timeout=10) as response:
            assert response.status == 200
        ask = base + "/sparql?query=" + urllib.parse.quote("ASK { ?d a gg:GuidelineDocument }")
        request = urllib.request.Request(ask, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.loads(response.read())["boolean"] is True
    finally:
        server.terminate()
        server.wait(timeout=30)

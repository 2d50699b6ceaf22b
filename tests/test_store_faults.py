"""Writing the store when things go wrong: two writers, kills, SIGTERM, progress, hostile RDF/XML."""
from __future__ import annotations

import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guidegraph.build import Failure, build
from guidegraph.cli import _BuildProgress
from guidegraph.store.embedded import Store, StoreBusy, _parse_name

from .conftest import CORPUS, ROOT

SMALL = CORPUS / "oracle-osteoblastic-metastases.txt"  # 36 statements
OTHER = CORPUS / "oracle-breast-cancer-bone-metastasis.txt"  # 39 statements
FAST = ("--no-reason", "--no-validate", "--no-checks")
STATEMENTS = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a <https://w3id.org/guidegraph/ontology#Statement> } }")
NOTES = "https://example.org/my-notes"

# Runs `guidegraph` in a child that sends itself a signal at one point of writing the store.
SIGNAL_AT = r'''
import os, pathlib, signal, sys

point, sig = sys.argv[1], getattr(signal, sys.argv[2])
import guidegraph.build as build_module
import guidegraph.checks.sparql as checks_module
from guidegraph.store.embedded import Store


def hit():
    os.kill(os.getpid(), sig)


def before(owner, name, when=lambda *a: True):
    real = getattr(owner, name)

    def wrapper(*args, **kwargs):
        if when(*args):
            hit()
        return real(*args, **kwargs)
    setattr(owner, name, wrapper)


if point == "writing":  # the load file is being written, no .partial yet
    before(build_module, "provenance_graph")
elif point == "checking":  # the .partial is loaded and the checks run on it
    before(checks_module, "run_checks_bounded")
elif point == "loaded":  # the .partial is complete, just before its rename
    before(pathlib.Path, "rename", lambda path, target: path.name.endswith(".partial"))
elif point == "renamed":  # a complete generation that is not current yet
    before(Store, "_point_current_at")
elif point == "linked":  # the switch's temporary link is made, `current` not yet replaced
    before(os, "replace", lambda src, dst: pathlib.Path(dst).name == "current")
elif point == "switched":  # `current` is the new generation, the old ones not yet removed
    cleans = []
    before(Store, "_clean", lambda store, gens: cleans.append(gens) or len(cleans) == 2)

from guidegraph.cli import main
sys.exit(main(sys.argv[3:]))
'''


def _statements(path: Path) -> int:
    solutions = Store(path).oxigraph().query(STATEMENTS)
    return int(next(iter(solutions))["n"].value)


def _leftovers(path: Path) -> list[str]:
    gens = path / "generations"
    loose = [p.name for p in gens.iterdir() if p.name.endswith((".nq", ".partial"))]
    return loose + [p.name for p in path.iterdir() if p.name.startswith(".current-")]


def _generations(path: Path) -> list[str]:
    return sorted(p.name for p in (path / "generations").iterdir() if _parse_name(p.name) and p.is_dir())


def _signal_build_at(point: str, sig: str, store: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SIGNAL_AT, point, sig, "build", SMALL, "--store", store, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)


def _start_build(corpus: Path, store: Path, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "guidegraph", "build", corpus, "--store", store, *FAST, *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_line(proc: subprocess.Popen, start: str, limit: int = 1000) -> str:
    for _ in range(limit):  # bounded: a build prints far fewer lines than this
        line = proc.stderr.readline()
        if not line or line.startswith(start):
            return line
    return ""


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in task.read_text().split()]
    return found


def _kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "store"
    build([SMALL], Store(path), reason=False, check_shapes=False, run_checks=False)
    return path


@pytest.fixture(scope="module")
def long_corpus(tmp_path_factory) -> Path:
    from bench.synth import write_corpus

    folder = tmp_path_factory.mktemp("long") / "corpus"
    write_corpus(folder, 200)
    return folder


@pytest.fixture
def mixed(tmp_path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-empty.txt").write_text("")
    shutil.copy(SMALL, folder / "b.txt")
    (folder / "c-binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    shutil.copy(OTHER, folder / "d.txt")
    return folder


# -- one writer at a time --------------------------------------------------------------------
def test_generation_names_are_parsed_with_their_suffix():
    assert _parse_name("00000001733500000000-5187.nq", with_suffix=True) == ((1733500000000, 5187), ".nq")
    assert _parse_name("00000001733500000000-5187.partial", with_suffix=True) == ((1733500000000, 5187), ".partial")
    assert _parse_name("00000001733500000000-5187") == (1733500000000, 5187)
    assert _parse_name("00000001733500000000-5187.nq") is None
    assert _parse_name(".probe-12", with_suffix=True) is None


def test_second_build_on_one_store_is_refused_with_the_other_pid(store, run_cli):
    before = Store(store).current_name()
    with Store(store).writing():
        result = run_cli("build", OTHER, "--store", store, *FAST)
    assert result.returncode == 2
    assert f"being written by another process (pid {os.getpid()}" in result.stderr
    assert "Traceback" not in result.stderr
    assert Store(store).current_name() == before and _statements(store) == 36


def test_one_store_object_in_one_process_takes_the_lock_once_and_another_is_refused(store):
    mine = Store(store)
    # a load writes through replace_graphs: the same writer twice, then a second writer, refused
    with mine.writing(), mine.writing(), pytest.raises(StoreBusy, match=f"pid {os.getpid()}"), Store(store).writing():
        pass
    with Store(store).writing():  # released
        pass


def test_a_running_build_keeps_its_files_when_a_second_one_is_refused(store, long_corpus, run_cli):
    before = Store(store).current_name()
    first = _start_build(long_corpus, store)
    try:
        assert _wait_for_line(first, "guidegraph: document 1/"), first.stderr.read()
        ours = [n for n in _leftovers(store) if n.endswith(f"-{first.pid}.nq")]
        second = run_cli("build", SMALL, "--store", store, *FAST)
        assert second.returncode == 2 and f"(pid {first.pid}: guidegraph build" in second.stderr
        assert "Traceback" not in second.stderr
        assert ours and all((store / "generations" / n).exists() for n in ours)
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=120)
    assert first.returncode == 2 and Store(store).current_name() == before


def _gone(pid: int) -> bool:
    for _ in range(100):  # bounded: up to 10 s
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def test_a_build_killed_with_workers_takes_them_along_and_leaves_the_store_unlocked(tmp_path, store, long_corpus,
                                                                                   run_cli):
    proc = _start_build(long_corpus, store, "--workers", "2")
    workers = []
    try:
        assert _wait_for_line(proc, "guidegraph: document 1/"), proc.stderr.read()
        workers = _children(proc.pid)
        assert workers, "the build has no worker processes"
        proc.kill()
        proc.wait(timeout=60)
        assert all(_gone(pid) for pid in workers)
        result = run_cli("build", SMALL, "--store", store, *FAST)
        assert result.returncode == 0, result.stderr
    finally:
        proc.kill()
        _kill(workers)
        proc.wait(timeout=60)
        proc.stdout.close()  # the workers held these pipes open too
        proc.stderr.close()
    assert _leftovers(store) == []


# -- kills during the swap, and what the next build keeps ------------------------------------
def test_a_never_current_generation_and_a_stale_switch_link_go_and_the_current_one_stays(tmp_path):
    path = tmp_path / "store"
    build([SMALL], Store(path), reason=False, check_shapes=False, run_checks=False)
    build([OTHER], Store(path), reason=False, check_shapes=False, run_checks=False)
    first, current = _generations(path)
    # what a build killed after renaming its .partial, before switching `current`, leaves behind
    orphan = f"{int(current.split('-')[0]) + 1:020d}-999999"
    shutil.copytree(path / "generations" / current, path / "generations" / orphan)
    (path / ".current-999999").symlink_to(Path("generations") / orphan)
    report = build([SMALL], Store(path), reason=False, check_shapes=False, run_checks=False)
    assert _generations(path) == [current, report.generation]
    assert Store(path).current_name() == report.generation and _leftovers(path) == []
    assert first not in _generations(path) and orphan not in _generations(path)


def test_leftovers_of_a_dead_writer_are_removed_by_the_next_build(store):
    gens = store / "generations"
    (gens / "00000000000000000001-999999.nq").write_text("<a:b> <a:c> <a:d> .\n")
    (gens / "00000000000000000001-999999.partial").mkdir()
    (gens / "notes.txt").write_text("a person's file")
    build([OTHER], Store(store), reason=False, check_shapes=False, run_checks=False)
    assert _leftovers(store) == [] and (gens / "notes.txt").exists()


def test_a_generation_is_named_after_every_other_even_when_the_clock_went_back(store):
    gens = store / "generations"
    ahead = f"{2 ** 62:020d}-999999"
    (gens / ahead).mkdir()
    (store / "current").unlink()
    (store / "current").symlink_to(Path("generations") / ahead)
    report = build([OTHER], Store(store), reason=False, check_shapes=False, run_checks=False)
    assert _parse_name(report.generation) > _parse_name(ahead)
    assert _generations(store)[-2:] == [ahead, report.generation]


@pytest.mark.parametrize("point", ["writing", "loaded", "renamed", "linked", "switched"])
def test_a_build_killed_at_each_point_of_the_swap_leaves_a_store_that_answers(store, point):
    before = Store(store).current_name()
    result = _signal_build_at(point, "SIGKILL", store, "--quiet", *FAST)
    assert result.returncode == -signal.SIGKILL, result.stderr
    now = Store(store).current_name()
    if point == "switched":
        assert now != before and _statements(store) == 36  # the killed build had finished
    else:
        assert now == before and _statements(store) == 36
    report = build([OTHER], Store(store), reason=False, check_shapes=False, run_checks=False)
    # the next build keeps the generation that was current, and its own, and nothing else
    assert _generations(store) == sorted([now, report.generation])
    assert _leftovers(store) == [] and _statements(store) == 39


def test_builds_killed_at_a_few_moments_leave_the_previous_generation_answering(store, long_corpus):
    before = Store(store).current_name()
    for wait_for in ("guidegraph: document 1/", "guidegraph: document 100/"):
        proc = _start_build(long_corpus, store)
        try:
            assert _wait_for_line(proc, wait_for), proc.stderr.read()
            assert proc.poll() is None
        finally:
            proc.kill()
            proc.communicate(timeout=60)
        assert Store(store).current_name() == before and _statements(store) == 36
    build([OTHER], Store(store), reason=False, check_shapes=False, run_checks=False)
    assert _leftovers(store) == [] and len(_generations(store)) == 2 and before in _generations(store)


# -- SIGTERM and Ctrl-C ----------------------------------------------------------------------
@pytest.mark.parametrize("point,checks", [("writing", ()), ("checking", ("--check-timeout", "30")), ("loaded", ()),
                                          ("renamed", ()), ("linked", ())])
def test_sigterm_removes_the_unfinished_generation_and_exits_2(store, point, checks):
    before = Store(store).current_name()
    flags = ("--no-reason", "--no-validate", *(checks or ("--no-checks",)))
    result = _signal_build_at(point, "SIGTERM", store, *flags)
    assert result.returncode == 2, result.stderr
    assert "build stopped by SIGTERM; its unfinished files were removed and the store was left as it was" \
        in result.stderr
    assert "Traceback" not in result.stderr
    assert _leftovers(store) == [] and _generations(store) == [before]
    assert Store(store).current_name() == before and _statements(store) == 36


def test_sigterm_after_the_switch_says_the_new_generation_is_current(store):
    result = _signal_build_at("switched", "SIGTERM", store, *FAST)
    assert result.returncode == 2 and "after its new generation had become current" in result.stderr
    assert _leftovers(store) == [] and _statements(store) == 36


def test_ctrl_c_removes_the_unfinished_generation_too(store):
    before = Store(store).current_name()
    result = _signal_build_at("writing", "SIGINT", store, *FAST)
    assert result.returncode == 2 and "build interrupted; its unfinished files were removed" in result.stderr
    assert _leftovers(store) == [] and Store(store).current_name() == before


def test_a_sigterm_from_outside_stops_a_long_build_with_workers(store, long_corpus):
    before = Store(store).current_name()
    proc = _start_build(long_corpus, store, "--workers", "2")
    workers = []
    try:
        assert _wait_for_line(proc, "guidegraph: document 1/"), proc.stderr.read()
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        left = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    finally:
        proc.kill()
        _kill(workers)
    assert workers and left == []  # the build stopped its workers itself
    assert proc.returncode == 2 and "stopped by SIGTERM" in err and "Traceback" not in err
    assert _leftovers(store) == [] and Store(store).current_name() == before and _statements(store) == 36


# -- progress as it goes ---------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_off_a_terminal_prints_a_line_every_tenth_and_after_a_pause():
    now = [0.0]
    out = io.StringIO()
    shown = _BuildProgress(stream=out, every=10.0, clock=lambda: now[0])
    for done in range(1, 101):
        now[0] += 11.0 if done == 55 else 0.0  # a slow document
        shown.document(done, 100, f"doc{done}.txt")
    numbers = [int(line.split()[2].split("/")[0]) for line in out.getvalue().splitlines()]
    assert numbers == [1, 10, 20, 30, 40, 50, 55, 60, 70, 80, 90, 100]


def test_progress_on_a_terminal_keeps_the_bar_and_rubs_it_out_for_a_skip():
    out = _Terminal()
    shown = _BuildProgress(stream=out)
    shown.document(1, 2, "a.txt")
    shown.skipped(Failure("a.txt", "a.txt: file is empty"))
    shown.document(2, 2, "b.txt")
    text = out.getvalue()
    assert text.startswith("\r[###############...............] 1/2 a.txt")
    assert "\r\x1b[Kguidegraph: skipped a.txt: file is empty\n\r[" in text and text.endswith("\n")


def test_quiet_progress_still_names_skipped_files():
    out = io.StringIO()
    shown = _BuildProgress(quiet=True, stream=out)
    shown.document(1, 1, "a.txt")
    shown.stage("compacting")
    shown.skipped(Failure("a.txt", "a.txt: file is empty"))
    assert out.getvalue() == "guidegraph: skipped a.txt: file is empty\n"


def test_a_skipped_document_is_told_before_the_next_document_is_read(tmp_path, mixed):
    events = []
    build([mixed], Store(tmp_path / "s"), reason=False, check_shapes=False, run_checks=False,
          progress=lambda done, total, name: events.append(("document", name)),
          skipped=lambda failure: events.append(("skipped", Path(failure.source).name)),
          stage=lambda text: events.append(("stage", text)))
    assert events[:6] == [("document", "a-empty.txt"), ("skipped", "a-empty.txt"), ("document", "b.txt"),
                          ("document", "c-binary.txt"), ("skipped", "c-binary.txt"), ("document", "d.txt")]
    assert ("stage", "compacting the new generation") in events[6:]


def test_build_off_a_terminal_prints_documents_and_skips_as_they_happen_and_the_summary(tmp_path, mixed, run_cli):
    result = run_cli("build", mixed, "--store", tmp_path / "s", *FAST)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    empty = next(i for i, line in enumerate(lines) if line.startswith("guidegraph: skipped") and "a-empty.txt" in line)
    assert lines[empty - 1] == "guidegraph: document 1/4: a-empty.txt"
    assert lines[empty + 1] == "guidegraph: document 2/4: b.txt"
    assert "file is empty" in lines[empty]
    assert sum("c-binary.txt: file is binary" in line for line in lines) == 1
    assert "Built 2 documents" in result.stdout and "2 input(s) failed; see the messages above" in result.stdout


def test_progress_to_a_closed_stderr_is_dropped_and_the_build_goes_on():
    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    shown = _BuildProgress(stream=Closed())
    shown.document(1, 2, "a.txt")
    shown.skipped(Failure("b.txt", "b.txt: file is empty"))
    shown.stage("compacting")
    assert shown.stream is None


# -- guidegraph load: entity bombs and size ---------------------------------------------------
BOMB = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY l0 "lol">
""" + "".join(f' <!ENTITY l{i} "{f"&l{i - 1};" * 10}">\n' for i in range(1, 10)) + """]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/a"><ex:says>&l9;</ex:says></rdf:Description>
</rdf:RDF>
"""
SMALL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "https://example.org/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="&ex;a"><ex:says>hello</ex:says></rdf:Description>
</rdf:RDF>
"""
PLAIN = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/a"><ex:says>hello</ex:says></rdf:Description>
</rdf:RDF>
"""


def _loaded(run_cli, store) -> int:
    out = run_cli("query", "-", "--store", store, "--format", "json",
                  input=f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }}")
    return int(json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"])


def _two_gigabytes():
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2 ** 30, 2 * 2 ** 30))


def test_a_billion_laughs_rdf_xml_file_is_refused_without_expanding_it(tmp_path, store):
    bomb = tmp_path / "laughs.rdf"
    bomb.write_text(BOMB)
    before = Store(store).current_name()
    # under 2 GB of address space: expanding the entities would need far more
    result = subprocess.run([sys.executable, "-m", "guidegraph", "load", bomb, "--graph", NOTES, "--store", store],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=_two_gigabytes)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "laughs.rdf: its DOCTYPE declares the XML entity 'l0'" in result.stderr
    assert Store(store).current_name() == before


def test_rdf_xml_with_an_entity_declaration_is_refused_and_loads_nothing(tmp_path, store, run_cli):
    f = tmp_path / "notes.rdf"
    f.write_text(SMALL_ENTITY)
    result = run_cli("load", f, "--graph", NOTES, "--store", store)
    assert result.returncode == 2 and "declares the XML entity 'ex'" in result.stderr
    assert "Traceback" not in result.stderr and _loaded(run_cli, store) == 0


def test_rdf_xml_with_a_doctype_but_no_entities_still_loads(tmp_path, store, run_cli):
    f = tmp_path / "notes.xml"
    f.write_text(PLAIN)
    result = run_cli("load", f, "--graph", NOTES, "--store", store)
    assert result.returncode == 0, result.stderr
    assert _loaded(run_cli, store) == 1


def test_a_file_over_max_bytes_is_refused_before_it_is_read(tmp_path, store, run_cli):
    f = tmp_path / "notes.ttl"
    f.write_text("<https://example.org/a> <https://example.org/p> 1, 2, 3 .\n")
    too_big = run_cli("load", f, "--graph", NOTES, "--store", store, "--max-bytes", "20")
    assert too_big.returncode == 2
    assert f"notes.ttl: file is {f.stat().st_size} bytes, more than the limit of 20" in too_big.stderr
    assert _loaded(run_cli, store) == 0
    fits = run_cli("load", f, "--graph", NOTES, "--store", store, "--max-bytes", "1000")
    assert fits.returncode == 0 and _loaded(run_cli, store) == 3


def test_a_file_over_the_default_limit_is_refused_without_reading_it(tmp_path, store):
    from guidegraph.errors import DocumentError
    from guidegraph.store.embedded import DEFAULT_LOAD_MAX_BYTES

    f = tmp_path / "huge.ttl"
    with open(f, "wb") as out:
        out.truncate(DEFAULT_LOAD_MAX_BYTES + 1)  # sparse: no disk used, and never read
    with pytest.raises(DocumentError, match="more than the limit of 209,715,200"):
        Store(store).load([f], NOTES)


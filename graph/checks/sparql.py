"""Consistency and citation checks: SPARQL CONSTRUCT queries in queries/checks/, run at build time.

Each check is a saved query that analysts can read, run and adapt; it constructs
``gg:Finding`` nodes (a type per check, ``gg:severity``, ``rdfs:comment`` a person can act on,
``gg:involves`` every statement, marker, reference or document concerned). The build runs
every check once on the new store generation, before it becomes current, and stores the
findings in the findings graph; ``check`` and the web UI read them from there.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from guidegraph.namespaces import GRAPH_FINDINGS, PREFIXES, local_name
from guidegraph.paths import queries_dir
from guidegraph.query.saved import SavedQuery, parse_saved_query
from guidegraph.sandbox import die_with_parent

CHECKS_DIR = queries_dir() / "checks"
SEVERITIES = ("error", "warning", "info")


def load_checks(folder: Path = CHECKS_DIR) -> list[SavedQuery]:
    """Return the checks, in name order."""
    return [parse_saved_query(p) for p in sorted(Path(folder).glob("*.rq"))]


def _check_child(conn, parent_pid: int, source, text: str) -> None:
    die_with_parent(parent_pid)  # a killed build leaves no check running
    try:
        # an in-memory store is the parent's, inherited by the fork; a path is opened read-only
        db = source if isinstance(source, ox.Store) else ox.Store.read_only(source)
        triples = list(db.query(text, prefixes=PREFIXES, use_default_graph_as_union=True))
        conn.send(("ok", ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)))
    except Exception as exc:  # reported by the parent as an incomplete check
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def check_workers() -> int:
    """Return how many checks run at once by default: one per core this process may use, at most four."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def run_checks_bounded(source: str | Path | ox.Store, timeout: float, checks: list[SavedQuery] | None = None,
                       workers: int | None = None, seconds: dict[str, float] | None = None
                       ) -> tuple[list[ox.Quad], list[str]]:
    """Run every check on ``source``, each in its own process stopped after ``timeout`` s.

    ``source`` is the path of a store, opened read-only by each check, or an in-memory store
    (a build's :class:`~guidegraph.checks.dataset.CheckDataset`), which each check's forked
    process reads where it is, without a copy.

    Cross-document checks compare statements pairwise, so on a large corpus one can run for
    very long; a check that is stopped leaves a ``gg:CheckIncomplete`` finding instead of
    hanging the build. ``workers`` checks run at once (default :func:`check_workers`), each
    in a process of its own with its own deadline, counted from its own start. Returns the
    findings, in the order of the checks whatever order they finished in, and the names of
    the checks that did not finish; ``seconds``, when given, receives each check's wall time.
    """
    graph = ox.NamedNode(str(GRAPH_FINDINGS))
    # the graph says what it is even when the checks find nothing, so that "no findings" and
    # "not checked" can be told apart
    quads: list[ox.Quad] = [ox.Quad(graph, ox.NamedNode("http://purl.org/dc/terms/description"),
                                    ox.Literal("the findings of the checks in queries/checks/"), graph)]
    checks = list(checks if checks is not None else load_checks())
    source = source if isinstance(source, ox.Store) else str(source)
    answers = _run_parallel(source, checks, timeout, workers or check_workers(), seconds)
    unfinished: list[str] = []
    for check in checks:
        status, payload = answers[check.name]
        if status == "ok":
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                         for t in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES))
            continue
        unfinished.append(check.name)
        reason = f"did not finish in {timeout:g} s" if status == "timeout" else f"failed ({payload})"
        quads.extend(_incomplete(check.name, reason, graph))
    return quads, unfinished


def _run_parallel(source: str | ox.Store, checks: list[SavedQuery], timeout: float, workers: int,
                  seconds: dict[str, float] | None = None) -> dict[str, tuple]:
    """Run the checks ``workers`` at a time, each in a forked child killed at its deadline; return their answers."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context("fork")
    # the longest queries first (the cross-document ones, by far the slowest), so that the
    # short ones fill the other cores meanwhile instead of leaving one long check running alone
    pending = sorted(checks, key=lambda c: -len(c.text))
    running: dict = {}  # the parent's end of each child's pipe -> (check, process, start)
    answers: dict[str, tuple] = {}
    seconds = {} if seconds is None else seconds

    def reap(conn) -> None:
        check, proc, start = running.pop(conn)
        if proc.is_alive():
            proc.kill()
        proc.join()
        conn.close()
        seconds[check.name] = time.monotonic() - start

    try:
        while pending or running:
            while pending and len(running) < workers:
                check = pending.pop(0)
                receive, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_check_child, args=(send, os.getpid(), source, check.text), daemon=True)
                running[receive] = (check, proc, time.monotonic())
                proc.start()
                send.close()
            nearest = min(start for _, _, start in running.values()) + timeout
            for conn in wait(list(running), timeout=max(0.0, nearest - time.monotonic())):
                check, _, start = running[conn]
                if time.monotonic() - start > timeout:
                    continue  # answered, but after its deadline: stopped like the others below
                try:
                    answers[check.name] = conn.recv()
                except EOFError:
                    answers[check.name] = ("error", "the check's process ended without an answer")
                reap(conn)
            now = time.monotonic()
            for conn, (check, _, start) in list(running.items()):
                if start + timeout <= now:
                    answers[check.name] = ("timeout", None)
                    reap(conn)
    finally:  # stopped (Ctrl-C, SIGTERM) or failed: no check is left running
        for conn in list(running):
            reap(conn)
    return answers


def _incomplete(name: str, reason: str, graph: ox.NamedNode) -> list[ox.Quad]:
    gg = "https://w3id.org/guidegraph/ontology#"
    node = ox.NamedNode(f"https://w3id.org/guidegraph/id/finding/check-incomplete/{name}")
    message = (f"The check {name} {reason} on this corpus, so its findings are missing: run it alone with "
               f"`guidegraph query queries/checks/{name}.rq --timeout …`, or raise --check-timeout.")
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return [ox.Quad(node, a, ox.NamedNode(gg + "Finding"), graph),
            ox.Quad(node, a, ox.NamedNode(gg + "CheckIncomplete"), graph),
            ox.Quad(node, ox.NamedNode(gg + "checkName"), ox.Literal(name), graph),
            ox.Quad(node, ox.NamedNode(gg + "severity"), ox.Literal("warning"), graph),
            ox.Quad(node, ox.NamedNode(gg + "withinDocument"), ox.Literal("false", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#boolean")), graph),
            ox.Quad(node, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(message), graph)]


@dataclass
class Involved:
    """A statement, marker, reference or document a finding concerns, with where it is written."""

    iri: str
    kind: str
    document: str | None = None
    source_file: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None


@dataclass
class Finding:
    """One finding as a report shows it."""

    iri: str
    type: str
    check: str
    severity: str
    message: str
    within_document: bool
    involves: list[Involved] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the finding as plain data."""
        return {"finding": self.iri, "type": self.type, "check": self.check, "severity": self.severity,
                "message": self.message, "withinDocument": self.within_document,
                "involves": [vars(i) for i in self.involves]}


FINDINGS_QUERY = """
SELECT ?finding ?type ?check ?severity ?message ?within ?node ?kind ?doc ?file ?start ?end WHERE {
  GRAPH <https://w3id.org/guidegraph/id/graph/findings> {
    ?finding a gg:Finding, ?type ; gg:checkName ?check ; gg:severity ?severity ; rdfs:comment ?message .
    FILTER(?type != gg:Finding)
    OPTIONAL { ?finding gg:withinDocument ?within }
    OPTIONAL { ?finding gg:involves ?node }
  }
  OPTIONAL {
    ?node a ?kind .
    FILTER(?kind IN (gg:Statement, c4o:InTextReferencePointer, biro:BibliographicReference, gg:GuidelineDocument))
  }
  OPTIONAL { { ?node dcterms:isPartOf ?doc } UNION { ?node gg:citedBy/dcterms:isPartOf ?doc }
             UNION { ?node a gg:GuidelineDocument BIND(?node AS ?doc) } }
  OPTIONAL { ?doc gg:sourceFile ?file }
  OPTIONAL { ?node gg:start ?start ; gg:end ?end }
}
"""


def findings(store) -> list[Finding]:
    """Read every finding of the store with the quotes and offsets of what it involves."""
    ds = store.dataset()
    raw: dict[str, str] = {}
    out: dict[str, Finding] = {}
    for r in ds.query(FINDINGS_QUERY):
        key = str(r.finding)
        f = out.get(key)
        if f is None:
            f = out[key] = Finding(key, local_name(r.type), str(r.check), str(r.severity), str(r.message),
                                   bool(r.within.toPython()) if r.within is not None else False)
        if r.node is None or any(i.iri == str(r.node) for i in f.involves):
            continue
        item = Involved(str(r.node), local_name(r.kind) if r.kind else "node",
                        str(r.doc) if r.doc else None, str(r.file) if r.file else None,
                        int(r.start) if r.start is not None else None, int(r.end) if r.end is not None else None)
        if item.document and item.start is not None:
            if item.document not in raw:
                # a node whose "document" holds no text (a shape violation's focus node may be anything)
                # keeps its offsets without a quote
                row = next(iter(ds.query("SELECT ?d ?t WHERE { ?d gg:rawText ?t }", initBindings={"d": r.doc})), None)
                raw[item.document] = str(row[1]) if row is not None else None
            if raw[item.document] is not None:
                item.quote = raw[item.document][item.start:item.end]
        f.involves.append(item)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    for f in out.values():
        f.involves.sort(key=lambda i: (i.source_file or "", i.start if i.start is not None else -1))
    return sorted(out.values(), key=lambda f: (order.get(f.severity, 9), _first_file(f), f.check, f.message))


def _first_file(f: Finding) -> str:
    return next((i.source_file for i in f.involves if i.source_file), "")


def checked(store) -> bool:
    """Tell whether the store's build ran the checks (it has a findings graph)."""
    import pyoxigraph as ox

    return store.oxigraph().contains_named_graph(ox.NamedNode(str(GRAPH_FINDINGS)))


def reaches(findings_list: list[Finding], threshold: str) -> list[Finding]:
    """Return the findings at or above a severity threshold (error > warning > info)."""
    limit = SEVERITIES.index(threshold)
    return [f for f in findings_list if f.severity in SEVERITIES and SEVERITIES.index(f.severity) <= limit]

"""The ``guidegraph`` command line.

Exit codes: 0 success; 1 some input failed (build) or findings at the threshold (check);
2 usage error or fatal error (nothing was changed).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pyoxigraph as ox

from guidegraph import __version__
from guidegraph.errors import GuidegraphError, QueryError
from guidegraph.formats import RDF_SYNTAXES
from guidegraph.paths import STORE_ENV_VAR as ENV_VAR
from guidegraph.paths import default_corpus_path, default_store_path
from guidegraph.store import Store, store_stats

EXIT_OK, EXIT_PARTIAL, EXIT_ERROR = 0, 1, 2

def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, default=None,
                   help=f"store folder (default: ${ENV_VAR} or {default_store_path()})")


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every command."""
    # argparse exits 2 on a usage error, printing the usage line: the documented exit code
    parser = argparse.ArgumentParser(prog="guidegraph",
                     description="Clinical guideline documents as a knowledge graph with provenance.",
                     epilog="Exit codes: 0 ok, 1 some input failed or findings reached the threshold, "
                            "2 usage or fatal error.")
    parser.add_argument("--version", action="version", version=f"guidegraph {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build the graph of a corpus into the store",
                       description="Ingest documents and write a new store generation.")
    p.add_argument("inputs", nargs="*", type=Path,
                   help=f"document files or folders (default: {default_corpus_path()})")
    _store_arg(p)
    p.add_argument("--max-bytes", type=int, default=None, help="refuse documents larger than this (default 5 MiB)")
    p.add_argument("--workers", type=int, default=1, help="processes that ingest documents in parallel")
    p.add_argument("--format", choices=["text", "json"], default="text", help="summary format")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-reason", action="store_true", help="skip OWL reasoning (no inferred graph)")
    p.add_argument("--no-validate", action="store_true", help="skip SHACL validation")
    p.add_argument("--no-checks", action="store_true", help="skip the checks (no findings graph)")
    p.add_argument("--check-timeout", type=float, default=60.0,
                   help="seconds each check may run before it is stopped and reported as incomplete (default 60)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("stats", help="print counts of what the store holds")
    _store_arg(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("export", help="write the store (or one graph) as RDF")
    _store_arg(p)
    p.add_argument("--format", choices=sorted(RDF_SYNTAXES), default="trig",
                   help="trig, nquads and jsonld keep named graphs; turtle, ntriples and xml write their union")
    p.add_argument("--graph", help="export only this named graph (its IRI)")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("query", help="run a SPARQL query: a .rq file, a saved query's name, or - for stdin")
    p.add_argument("query", help="path to a .rq file, the name of a saved query, or -")
    _store_arg(p)
    p.add_argument("--format", default="table",
                   help="table, json, xml, csv, tsv (SELECT/ASK); "
                        "turtle, ntriples, jsonld, xml, trig (CONSTRUCT/DESCRIBE)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="value of a saved query's parameter")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before the query is stopped (default 30)")
    p.add_argument("--memory-mb", type=_positive, default=2048,
                   help="memory the query may use before it is stopped, in MB (default 2048)")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("check", help="report citation problems and tensions between statements (the build's findings)",
                       description="Print the findings of the checks in queries/checks/, "
                                   "grouped by severity and document.",
                       epilog="Exit codes: 0 nothing reaches --fail-on, 1 something does, 2 usage or input error.")
    _store_arg(p)
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    p.add_argument("--fail-on", choices=["error", "warning", "info"], default="error",
                   help="lowest severity that makes the exit code 1 (default: error)")
    p.add_argument("--severity", choices=["error", "warning", "info"], help="show only this severity and above")
    p.add_argument("--type", dest="types", action="append", default=[],
                   help="show only findings of this check (repeatable)")
    p.add_argument("--show-dismissed", action="store_true",
                   help="list the findings an author dismissed too (they never count for --fail-on)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("review", help="accept or dismiss a finding, with a reason kept beside the corpus",
                       description="Record an author's decision on a finding in reviews.ttl beside the corpus "
                                   "(read by every build) and in the store. A dismissed finding no longer counts "
                                   "for `check --fail-on`, until the words it involves change.")
    p.add_argument("finding", help="the finding's IRI, as `guidegraph check --format json` lists it (ggid:… works)")
    decision = p.add_mutually_exclusive_group(required=True)
    decision.add_argument("--dismiss", metavar="REASON", help="dismiss it, saying why")
    decision.add_argument("--accept", metavar="REASON", nargs="?", const="", help="accept it (a reason is optional)")
    p.add_argument("--reviews", type=Path, default=None,
                   help="the reviews file (default: reviews.ttl in the corpus folder the store was built from)")
    _store_arg(p)
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("reason", help="recompute the inferred graph of the store with HermiT")
    _store_arg(p)
    p.set_defaults(func=cmd_reason)

    p = sub.add_parser("explain", help="say why the reasoner concluded what it did about an IRI")
    p.add_argument("iri", help="the IRI of a statement (or a class), full or as ggid:…")
    _store_arg(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("ontology", help="write ontology/guidegraph.owl (RDF/XML) and check the ontology with HermiT")
    p.add_argument("--check", action="store_true",
                   help="only check: exit 1 if guidegraph.owl is stale or HermiT objects")
    p.add_argument("-o", "--output", type=Path, default=None,
                   help="where to write the RDF/XML (default: ontology/guidegraph.owl in a checkout, "
                        "./guidegraph.owl when installed)")
    p.set_defaults(func=cmd_ontology)

    p = sub.add_parser("load", help="import your own RDF into a named graph of the store (kept across rebuilds)")
    p.add_argument("files", nargs="+", type=Path, help="Turtle, N-Triples, RDF/XML, JSON-LD or TriG files")
    p.add_argument("--graph", required=True, help="the IRI of the named graph to load into (replaced if it exists)")
    p.add_argument("--format",
                   help="the syntax, when the file names do not tell it (turtle, ntriples, xml, jsonld, trig)")
    p.add_argument("--max-bytes", type=int, default=None,
                   help="refuse a file larger than this, before reading it (default 200 MiB)")
    _store_arg(p)
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("serve", help="serve the web UI and the SPARQL endpoint from the store")
    _store_arg(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--timeout", type=_positive, default=30.0, help="seconds before a SPARQL query is stopped")
    p.add_argument("--max-rows", type=int, default=10_000, help="rows a SPARQL result may have before it is refused")
    p.add_argument("--memory-mb", type=_positive, default=2048,
                   help="memory one query may use before it is stopped, in MB (default 2048)")
    p.add_argument("--query-slots", type=_count(1, 64), default=2,
                   help="query worker processes, each running one query at a time (default 2); more queries wait "
                        "in line, up to --query-queue")
    p.add_argument("--query-queue", type=_count(0, 1024), default=16,
                   help="queries that may wait for a worker (default 16); past that the answer is 503 with "
                        "Retry-After")
    p.add_argument("--threads", type=_count(1, 256), default=None,
                   help="threads answering requests (default: query slots + query queue + 4)")
    p.add_argument("--debug", action="store_true",
                   help="Flask's development server with its debugger instead of the production server (waitress); "
                        "for development on this machine only")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("queries", help="list the saved queries")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_queries)
    return parser


def _count(low: int, high: int):
    """Return an argparse type: a whole number from ``low`` to ``high``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not from {low} to {high}")
        return value
    return parse


def _positive(text: str) -> float:
    """Read a finite number above zero (an argparse type)."""
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number above 0")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except GuidegraphError as exc:
        print(f"guidegraph: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("guidegraph: interrupted; the store was left as it was", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


# -- build -------------------------------------------------------------------------------
class _BuildProgress:
    """Tell on stderr how a build goes: a bar on a terminal, else a line now and then."""

    def __init__(self, quiet: bool = False, stream=None, every: float = 10.0, clock=None):
        import time

        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.quiet = quiet
        self.every = every  # seconds between two progress lines at most, off a terminal
        self.clock = clock or time.monotonic
        self.last: float | None = None
        self.bar_open = False

    def document(self, done: int, total: int, name: str) -> None:
        """Show that the build has reached document ``done`` of ``total``."""
        if self.quiet:
            return
        if self.tty:
            width = 30
            filled = int(width * done / total)
            self._write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}"
                        + ("\n" if done == total else ""))
            self.bar_open = done != total
            return
        # a line at every tenth of the corpus, and at least every `every` seconds of a long build
        now = self.clock()
        if self.last is None or done == total or done % max(1, total // 10) == 0 or now - self.last >= self.every:
            self._line(f"guidegraph: document {done}/{total}: {name}")
            self.last = now

    def skipped(self, failure) -> None:
        """Say which input was skipped and why, as soon as it is."""
        self._line(f"guidegraph: skipped {failure.message}")

    def stage(self, text: str) -> None:
        """Say which step after the documents the build is on."""
        if not self.quiet:
            self._line(f"guidegraph: {text}")

    def _line(self, text: str) -> None:
        if self.bar_open:  # rub out the bar; the next document draws it again
            text = "\r\x1b[K" + text
            self.bar_open = False
        self._write(text + "\n")

    def _write(self, text: str) -> None:
        if self.stream is None:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except OSError:  # stderr closed (`2>&1 | head`): the build goes on without progress
            self.stream = None


def _stopped(command: str, exc: KeyboardInterrupt, store: Store, before: str | None) -> int:
    why = str(exc) or "interrupted"
    if store.current_name() == before:
        print(f"guidegraph: {command} {why}; its unfinished files were removed and the store was left as it was",
              file=sys.stderr)
    else:
        print(f"guidegraph: {command} {why} after its new generation had become current", file=sys.stderr)
    return EXIT_ERROR


def cmd_build(args) -> int:
    from guidegraph.build import build
    from guidegraph.ingest.reading import DEFAULT_MAX_BYTES

    store = Store(args.store)
    before = store.current_name()
    shown = _BuildProgress(quiet=args.quiet)
    try:
        report = build(args.inputs or None, store, max_bytes=args.max_bytes or DEFAULT_MAX_BYTES,
                       workers=args.workers, progress=shown.document, skipped=shown.skipped, stage=shown.stage,
                       reason=not args.no_reason, check_shapes=not args.no_validate, run_checks=not args.no_checks,
                       check_timeout=args.check_timeout)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Stopped)
        return _stopped("build", exc, store, before)
    if args.format == "json":
        print(json.dumps(report.as_dict(), indent=2, default=str))
    else:
        t = report.totals()
        print(f"Built {t['documents']} documents into {report.store} in {report.seconds:.1f} s")
        print(f"  sections    {t['sections']:>8,}")
        print(f"  statements  {t['statements']:>8,}")
        print(f"  markers     {t['markers']:>8,}  ({t['dangling']} dangling)")
        print(f"  references  {t['references']:>8,}")
        print(f"  triples     {t['triples']:>8,}")
        r = report.reasoning
        if r.get("reasoner"):
            state = "consistent" if r["consistent"] else "INCONSISTENT"
            print(f"  reasoning   {r['inferences']:>8,} statements realised into defined classes; {r['reasoner']}: "
                  f"{state}, {r['facts_checked']:,} assertions checked, {r['seconds']} s")
        for note in r.get("notes", []):
            print(f"  reasoning   {note}")
        p = report.populations
        if p:
            print(f"  populations {p['cells']:>8,} cells; {p['overlapping']:,} of {p['pairs']:,} pairs of cells "
                  "can be the same patients (`ggid:graph/populations`)")
        if report.findings:
            counts = ", ".join(f"{report.findings.get(s, 0)} {s}" for s in ("error", "warning", "info"))
            print(f"  checks      {counts}: `guidegraph check`")
        if report.unfinished_checks:
            print(f"  checks      did not finish: {', '.join(report.unfinished_checks)} (raise --check-timeout)")
        v = report.validation
        if v["documents"]:
            verdict = ("conforms" if v["conforms"]
                       else f"{v['violations']} violation(s): `guidegraph query shacl-report`")
            print(f"  SHACL       {v['documents']} document graphs validated: {verdict}")
        for d in report.documents:
            print(f"  {d.slug}: {d.statements} statements, {d.markers} markers ({d.dangling} dangling), "
                  f"{d.references} references" + (f"; {'; '.join(d.notes)}" if d.notes else ""))
        if report.failures:
            print(f"{len(report.failures)} input(s) failed; see the messages above")
    return EXIT_PARTIAL if report.failures else EXIT_OK


# -- stats -------------------------------------------------------------------------------
def cmd_stats(args) -> int:
    stats = store_stats(Store(args.store))
    if args.format == "json":
        print(json.dumps(stats, indent=2))
        return EXIT_OK
    t = stats["totals"]
    print(f"Store {stats['store']} (generation {stats['generation']})")
    print(f"  {t['documents']} documents, {t['sections']} sections, {t['statements']} statements, "
          f"{t['markers']} markers ({t['dangling']} dangling), {t['references']} references, {t['triples']:,} triples")
    for d in stats["documents"]:
        print(f"  {d['document'].rsplit('/', 1)[-1]}: {d['statements']} statements, {d['markers']} markers "
              f"({d['dangling']} dangling), {d['references']} references")
    print("  named graphs:")
    for g, n in stats["graphs"].items():
        print(f"    {g}  {n:,} triples")
    return EXIT_OK


# -- export ------------------------------------------------------------------------------
def cmd_export(args) -> int:
    db = Store(args.store).oxigraph()
    syntax = RDF_SYNTAXES[args.format]
    fmt = syntax.oxigraph
    if args.graph:
        graph = ox.NamedNode(args.graph)
        if not db.contains_named_graph(graph):
            raise GuidegraphError(f"no named graph <{args.graph}> in the store (see `guidegraph stats`)")
        if syntax.quads:
            data = ox.serialize((ox.Quad(q.subject, q.predicate, q.object, graph)
                                 for q in db.quads_for_pattern(None, None, None, graph)), format=fmt)
        else:
            data = db.dump(format=fmt, from_graph=graph)
    elif syntax.quads:
        data = db.dump(format=fmt)
    else:
        triples = db.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        data = triples.serialize(format=fmt)
    if args.output:
        args.output.write_bytes(data)
        print(f"wrote {len(data):,} bytes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


# -- query -------------------------------------------------------------------------------
def _read_query(spec: str) -> tuple[str, object | None]:
    from guidegraph.query.saved import load_queries, parse_saved_query

    if spec == "-":
        return sys.stdin.read(), None
    path = Path(spec)
    if path.suffix == ".rq" and path.is_file():
        return path.read_text(encoding="utf-8"), parse_saved_query(path)
    saved = load_queries()
    if spec in saved:
        return saved[spec].text, saved[spec]
    raise QueryError(f"no query file or saved query named {spec!r}; `guidegraph queries` lists the saved ones")


def cmd_query(args) -> int:
    from guidegraph.query.run import run_query
    from guidegraph.query.sparql import table, term_for

    text, saved = _read_query(args.query)
    values = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            raise QueryError(f"--param takes NAME=VALUE, not {item!r}")
        values[name.strip()] = value
    if saved is not None:
        bindings = saved.bindings(values)
    else:
        bindings = {k: term_for(v, "iri" if v.startswith(("http://", "https://")) else "string")
                    for k, v in values.items()}
    fmt = None if args.format == "table" else args.format
    store = Store(args.store)
    if not store.exists():
        raise GuidegraphError(f"no graph in the store at {store.path}: run `guidegraph build` first")
    outcome = run_query(store.path, text, bindings, fmt=fmt, timeout=args.timeout, memory=int(args.memory_mb * 2**20))
    if args.format == "table" and outcome.form in ("SELECT", "ASK"):
        print(table(outcome))
    else:
        sys.stdout.buffer.write(outcome.body)
        if not outcome.body.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
    return EXIT_OK


def cmd_check(args) -> int:
    import csv

    from guidegraph.checks.reviews import status, stored_reviews
    from guidegraph.checks.sparql import SEVERITIES, checked, findings, reaches
    from guidegraph.views.report import csv_rows

    store = Store(args.store)
    if not store.exists():
        raise GuidegraphError(f"no graph in the store at {store.path}: run `guidegraph build` first")
    if not checked(store):
        raise GuidegraphError(f"the store at {store.path} was built without the checks (--no-checks): "
                              "rebuild without that option to get findings")
    found = findings(store)
    reviews = stored_reviews(store)
    statuses = {f.iri: status(f, reviews) for f in found}
    counted = [f for f in found if not statuses[f.iri].silenced]
    shown = found if args.show_dismissed else counted
    shown = reaches(shown, args.severity) if args.severity else shown
    if args.types:
        shown = [f for f in shown if f.check in args.types or f.type in args.types]
    stale = sorted(set(reviews) - set(statuses))
    if args.format == "json":
        counts = {s: sum(1 for f in shown if f.severity == s) for s in SEVERITIES}
        print(json.dumps({"counts": counts, "dismissed": len(found) - len(counted), "staleReviews": stale,
                          "findings": [f.as_dict() | {"review": statuses[f.iri].as_dict()} for f in shown]},
                         indent=2))
    elif args.format == "csv":
        csv.writer(sys.stdout).writerows(csv_rows(shown))
    else:
        _print_report(shown, statuses)
        _print_reviews(found, counted, statuses, stale)
    return EXIT_PARTIAL if reaches(counted, args.fail_on) else EXIT_OK


def _print_reviews(found, counted, statuses, stale) -> None:
    changed = [f for f in found if statuses[f.iri].changed]
    if len(found) > len(counted):
        print(f"{len(found) - len(counted)} finding(s) dismissed by review, not counted "
              "(--show-dismissed lists them)")
    for f in changed:
        print(f"reviewed as {statuses[f.iri].decision}, but the words it involves changed since: review it again: "
              f"{f.iri}")
    for iri in stale:
        print(f"a review names a finding the checks no longer make (its statements changed or were fixed): {iri}")


def cmd_review(args) -> int:
    from guidegraph.checks.reviews import review
    from guidegraph.query.sparql import term_for

    store = Store(args.store)
    if not store.exists():
        raise GuidegraphError(f"no graph in the store at {store.path}: run `guidegraph build` first")
    decision, reason = ("dismissed", args.dismiss) if args.dismiss is not None else ("accepted", args.accept)
    made, path = review(store, str(term_for(args.finding, "iri")), decision, reason, args.reviews)
    print(f"{made.decision} {made.finding}" + (f" ({made.reason})" if made.reason else "") + f"; kept in {path}")
    return EXIT_OK


def _print_report(found, statuses=None) -> None:
    from guidegraph.checks.sparql import SEVERITIES

    statuses = statuses or {}

    if not found:
        print("No findings.")
        return
    for severity in SEVERITIES:
        group = [f for f in found if f.severity == severity]
        if not group:
            continue
        print(f"{severity.upper()} ({len(group)})")
        by_file: dict[str, list] = {}
        for f in group:
            files = sorted({i.source_file for i in f.involves if i.source_file})
            by_file.setdefault(" + ".join(files) or "(corpus)", []).append(f)
        for file, items in by_file.items():
            print(f"  {file}")
            for f in items:
                said = statuses.get(f.iri)
                note = ""
                if said is not None and said.decision:
                    note = f" ({said.decision}" + (f": {said.reason})" if said.reason else ")")
                print(f"    [{f.check}] {f.message}{note}")
                for i in f.involves:
                    if i.quote is not None:
                        quote = i.quote if len(i.quote) <= 140 else i.quote[:137] + "…"
                        print(f"        {i.source_file} {i.start}-{i.end}: \"{quote}\"")
        print()
    counts = ", ".join(f"{sum(1 for f in found if f.severity == s)} {s}" for s in SEVERITIES)
    print(f"{len(found)} findings: {counts}")


def cmd_reason(args) -> int:
    from guidegraph.reason import reason_store

    store = Store(args.store)
    store.oxigraph()  # a clear error when nothing was built
    result = reason_store(store)
    for note in result.notes:
        print(f"guidegraph: {note}", file=sys.stderr)
    if result.classification is None:
        return EXIT_PARTIAL
    c = result.classification
    print(f"{c.reasoner}: {'consistent' if c.consistent else 'INCONSISTENT'} ({c.data_checked:,} assertions checked, "
          f"{c.seconds:.1f} s); {len(c.inferred_subsumptions)} subsumptions inferred; "
          f"{result.inferences} statements realised into defined classes")
    if not c.consistent:
        print(f"guidegraph: {c.message}", file=sys.stderr)
        return EXIT_PARTIAL
    return EXIT_OK


def cmd_explain(args) -> int:
    from guidegraph.query.sparql import term_for
    from guidegraph.reason import explanations

    iri = str(term_for(args.iri, "iri"))
    store = Store(args.store)
    ds = store.dataset()
    if not ds.query("ASK { { ?s ?p ?o } UNION { ?o ?p ?s } }", initBindings={"s": term_for(iri, "iri")}).askAnswer:
        raise GuidegraphError(f"unknown IRI <{iri}>: nothing in the store is about it")
    found = explanations(store, iri)
    if args.format == "json":
        print(json.dumps(found, indent=2))
        return EXIT_OK
    if not found:
        print(f"No inferred triple about <{iri}>: everything the store says of it is asserted.")
        return EXIT_OK
    from guidegraph.namespaces import curie

    for item in found:
        print(f"{curie(iri)} {curie(item['predicate'])} {curie(item['object'])}  because:")
        for p in item["premises"]:
            print(f"  {p['order']}. {p['text']}")
        if item["reasoner"]:
            print(f"  ({item['reasoner']})")
        print()
    return EXIT_OK


def cmd_ontology(args) -> int:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from guidegraph.paths import checkout_root, ontology_dir, ontology_file
    from guidegraph.reason import classify, tbox

    ONTOLOGY_FILE = ontology_file()
    source = Graph().parse(ONTOLOGY_FILE, format="turtle")
    # an installed package is not written to: the RDF/XML goes to the current folder unless named
    shipped = ontology_dir() / "guidegraph.owl"
    owl_file = args.output or (shipped if args.check or checkout_root() is not None else Path("guidegraph.owl"))
    stale = not owl_file.exists() or not isomorphic(source, Graph().parse(owl_file, format="xml"))
    if args.check:
        if stale:
            print(f"guidegraph: {owl_file} does not match {ONTOLOGY_FILE.name}: run `guidegraph ontology`",
                  file=sys.stderr)
    elif stale:
        source.serialize(destination=str(owl_file), format="xml")
        print(f"wrote {owl_file} (RDF/XML, from {ONTOLOGY_FILE.name})")
    c = classify(tbox())
    print(f"{c.reasoner}: ontology and vocabulary {'consistent' if c.consistent else 'INCONSISTENT'}; "
          f"{len(c.superclasses)} classes, {len(c.unsatisfiable)} unsatisfiable, "
          f"{len(c.inferred_subsumptions)} subsumptions inferred, {c.seconds:.1f} s")
    if not c.consistent or c.unsatisfiable:
        print(f"guidegraph: {c.message or 'unsatisfiable: ' + ', '.join(c.unsatisfiable)}", file=sys.stderr)
        return EXIT_PARTIAL
    return EXIT_PARTIAL if (args.check and stale) else EXIT_OK


def cmd_load(args) -> int:
    from guidegraph.store.embedded import DEFAULT_LOAD_MAX_BYTES

    store = Store(args.store)
    before = store.current_name()
    try:
        count = store.load(args.files, args.graph, args.format, max_bytes=args.max_bytes or DEFAULT_LOAD_MAX_BYTES)
    except KeyboardInterrupt as exc:
        return _stopped("load", exc, store, before)
    print(f"loaded {count:,} triples into <{args.graph}>; later builds keep them")
    return EXIT_OK


def cmd_serve(args) -> int:
    # the web layer is imported only here: the graph library itself never imports Flask
    from guidegraph.query.pool import close_shared_pools
    from guidegraph.web import create_app, production_server, start_query_workers

    store = Store(args.store)
    if not store.exists():
        raise GuidegraphError(f"no graph in the store at {store.path}: run `guidegraph build` first")
    if args.debug and args.host not in ("127.0.0.1", "localhost", "::1"):
        # the development server's debugger runs Python sent to it: never on an address others reach
        raise GuidegraphError(f"--debug serves on this machine only (127.0.0.1), not on {args.host}")
    app = create_app({"STORE": str(store.path), "QUERY_TIMEOUT": args.timeout, "MAX_ROWS": args.max_rows,
                      "QUERY_MEMORY_MB": args.memory_mb, "QUERY_SLOTS": args.query_slots,
                      "QUERY_QUEUE": args.query_queue})
    from guidegraph.sandbox import network_wall

    missing = network_wall()
    if missing:
        print(f"guidegraph: warning: query processes can reach the network here ({missing}); only the "
              "parser refuses SERVICE: see docs/limits.md", file=sys.stderr)
    pool = start_query_workers(app)
    try:
        if args.debug:
            print(f"guidegraph: serving {store.path} on http://{args.host}:{args.port}/ (SPARQL at /sparql) with "
                  "Flask's development server (--debug): not for production", file=sys.stderr)
            app.run(host=args.host, port=args.port, threaded=True, use_reloader=False, debug=True)
            return EXIT_OK
        server = production_server(app, args.host, args.port, args.threads)
        pool.ready(30)
        print(f"guidegraph: serving {store.path} on http://{args.host}:{server.effective_port}/ (SPARQL at /sparql) "
              f"with waitress: {server.adj.threads} threads, {args.query_slots} query workers", file=sys.stderr)
        server.run()
    finally:
        close_shared_pools()
    return EXIT_OK


def cmd_queries(args) -> int:
    from guidegraph.query.saved import load_queries

    saved = load_queries()
    if args.format == "json":
        print(json.dumps([{"name": q.name, "title": q.title, "description": q.description, "audience": q.audience,
                           "params": [vars(p) for p in q.params]} for q in saved.values()], indent=2))
        return EXIT_OK
    width = max((len(n) for n in saved), default=0)
    for q in saved.values():
        params = " ".join(f"--param {p.name}=…" for p in q.params)
        print(f"{q.name:<{width}}  {q.title}" + (f"  [{params}]" if params else ""))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

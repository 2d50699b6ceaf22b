"""Build the knowledge graph of a corpus into the store.

``build(inputs, store)`` ingests every document (a bad one is reported and skipped), writes
one named graph per document, the ontology and vocabulary graphs when ontology/ has them,
and a provenance graph describing the build, then swaps the new store generation in.
"""
from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from guidegraph import __version__
from guidegraph.annotate.statements import annotate
from guidegraph.annotate.vocabulary import load_vocabulary
from guidegraph.checks import sparql as checks
from guidegraph.checks.dataset import CheckDataset
from guidegraph.checks.populations import GRAPH_POPULATIONS, StatementCell, populations_graph, statement_cells
from guidegraph.checks.reviews import REVIEWS_FILE, read_reviews, reviews_graph
from guidegraph.checks.shapes import validate
from guidegraph.errors import CorpusError, DocumentError, GuidegraphError
from guidegraph.ingest.document import ingest
from guidegraph.ingest.inputs import find_inputs
from guidegraph.ingest.metadata import read_catalogue
from guidegraph.ingest.reading import DEFAULT_MAX_BYTES
from guidegraph.model import Document
from guidegraph.namespaces import (
    GG,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_PROVENANCE,
    GRAPH_REVIEWS,
    GRAPH_VALIDATION,
    GRAPH_VOCABULARY,
    ID,
    SH,
    document_graph_iri,
    document_iri,
)
from guidegraph.ntriples import nquads
from guidegraph.paths import ontology_file
from guidegraph.rdf.triples import annotation_triples, document_triples
from guidegraph.reason import Fact, document_facts, tbox
from guidegraph.reason import reason as reason_about
from guidegraph.store.embedded import Store

LIBRARIES = ("rdflib", "oxrdflib", "pyoxigraph", "owlready2", "pyshacl", "networkx", "pyvis", "flask")

Progress = Callable[[int, int, str], None]


@dataclass
class Failure:
    """An input that could not be built, and why."""

    source: str
    message: str


@dataclass
class DocumentSummary:
    """What one document contributed."""

    slug: str
    source_file: str
    title: str | None
    sections: int
    statements: int
    markers: int
    dangling: int
    references: int
    triples: int
    notes: list[str]
    annotation: dict = field(default_factory=dict)


@dataclass
class BuildReport:
    """What a build did: per-document figures, failures and totals."""

    store: str
    documents: list[DocumentSummary] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0
    generation: str | None = None
    reasoning: dict = field(default_factory=dict)
    findings: dict = field(default_factory=dict)
    unfinished_checks: list = field(default_factory=list)
    check_dataset: dict = field(default_factory=dict)  # quads the checks read, and the seconds to copy them
    validation: dict = field(default_factory=lambda: {"documents": 0, "violations": 0, "conforms": True})
    populations: dict = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        """Return the corpus totals the build summary prints."""
        keys = ("sections", "statements", "markers", "dangling", "references")
        out = {"documents": len(self.documents)}
        out.update({k: sum(getattr(d, k) for d in self.documents) for k in keys})
        out["triples"] = self.triples
        return out

    def as_dict(self) -> dict:
        """Return the report as plain data (for --format json)."""
        return {
            "store": self.store, "generation": self.generation, "seconds": round(self.seconds, 3),
            "totals": self.totals(), "reasoning": self.reasoning, "validation": self.validation,
            "findings": self.findings, "unfinishedChecks": self.unfinished_checks,
            "checkDataset": self.check_dataset, "populations": self.populations,
            "documents": [vars(d) for d in self.documents],
            "failures": [vars(f) for f in self.failures],
        }


@dataclass
class InputFile:
    """What provenance records of one input that was built."""

    slug: str
    source_file: str
    sha256: str
    characters: int
    notes: list[str]


@dataclass
class _Built:
    """What a worker returns for one document."""

    doc: Document | None = None
    failure: Failure | None = None
    lines: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    validation_lines: list[str] = field(default_factory=list)
    conforms: bool = True
    violations: int = 0
    annotation: dict = field(default_factory=dict)
    cells: list[StatementCell] = field(default_factory=list)


def _ingest_one(args: tuple[Path, Path, dict, int, bool]) -> _Built:
    path, root, catalogue, max_bytes, check_shapes = args
    try:
        doc = ingest(path, root, catalogue, max_bytes)
    except DocumentError as exc:
        return _Built(failure=Failure(str(path), str(exc)))
    except GuidegraphError as exc:  # any other problem we know how to describe
        return _Built(failure=Failure(str(path), f"{path}: {exc}"))
    vocab = load_vocabulary()
    ann = annotate(doc, vocab)
    triples = list(dict.fromkeys([*document_triples(doc), *annotation_triples(doc, ann)]))
    lines = list(nquads(triples, document_graph_iri(doc.slug)))
    # the facts reasoning works on are read back from the quads written, as `guidegraph reason` reads them
    out = _Built(doc=doc, lines=lines, facts=document_facts("".join(lines)))
    # each statement's population cell, compared across the corpus after the last document
    out.cells = statement_cells(doc, ann, vocab)
    out.annotation = {"mentions": len(ann.mentions), "schedules": sum(map(len, ann.schedules.values())),
                      "criteria": sum(map(len, ann.population.values())), "pathways": len(ann.pathways),
                      "recommendations": sum(1 for m in ann.modality.values() if m != "inform")}
    if check_shapes:
        g = Graph()
        for t in triples:
            g.add(t)
        result = validate(g)
        out.conforms, out.violations = result.conforms, result.results
        out.validation_lines = list(nquads(_report_with_source(result.report, doc), GRAPH_VALIDATION))
    return out


def _report_with_source(report: Graph, doc: Document) -> Graph:
    # one report node per document, so the reports of a build can live in one graph
    from rdflib import BNode

    out = Graph()
    node = ID[f"validation/{doc.slug}"]
    for s, p, o in report:
        s = node if (s, RDF.type, SH.ValidationReport) in report else s
        o = node if (o, RDF.type, SH.ValidationReport) in report else o
        if isinstance(s, BNode):
            s = ID[f"validation/{doc.slug}/{s}"]
        if isinstance(o, BNode):
            o = ID[f"validation/{doc.slug}/{o}"]
        out.add((s, p, o))
    out.add((node, GG.validatedGraph, document_graph_iri(doc.slug)))
    return out


def build(inputs: Iterable[str | Path] | None = None, store: Store | str | Path | None = None,
          max_bytes: int = DEFAULT_MAX_BYTES, workers: int = 1,
          progress: Progress | None = None, extra_graphs: Iterable[tuple[URIRef, Graph]] = (),
          reason: bool = True, check_shapes: bool = True, run_checks: bool = True,
          check_timeout: float = 60.0, skipped: Callable[[Failure], None] | None = None,
          stage: Callable[[str], None] | None = None) -> BuildReport:
    """Build the graph of the given documents (default: corpus/) into a new store generation."""
    # progress(done, total, name) hears of each document, skipped(failure) of each input the
    # moment it is skipped, stage(text) of each step after the documents
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    store = store if isinstance(store, Store) else Store(store)
    store.check_writable()
    # clashing identifiers, links out of a corpus folder and folders named like documents are
    # refused here, before any document is built, and reported as failed inputs
    found = find_inputs(inputs)
    files, root = found.files, found.root
    catalogues: dict[Path, dict] = {}
    jobs = []
    for f in files:
        folder = f.parent
        if folder not in catalogues:
            catalogues[folder] = read_catalogue(folder)
        jobs.append((f, root, catalogues[folder], max_bytes, check_shapes))

    report = BuildReport(store=str(store.path), failures=[Failure(str(r.path), r.message) for r in found.refused])
    inputs_built: list[InputFile] = []
    facts: list[Fact] = []
    cells: list[StatementCell] = []
    stage = stage or (lambda text: None)

    def telling(results: Iterator[_Built]) -> Iterator[_Built]:
        # chunks() asks for the next document as soon as it has skipped one: say so then, not at the end
        told = 0
        for built in results:
            yield built
            if skipped:
                for failure in report.failures[told:]:
                    skipped(failure)
            told = len(report.failures)

    def chunks() -> Iterator[str]:
        # Streams every document's quads to the store's load file as soon as it is built, so a
        # large corpus never sits in memory; raising here leaves the current generation as it was.
        for i, built in enumerate(telling(_run(jobs, workers))):
            if progress:
                progress(i + 1, len(jobs), jobs[i][0].name)
            if built.failure:
                report.failures.append(built.failure)
                continue
            # identifiers are unique already: find_inputs refused every clash before the build began
            doc = built.doc
            inputs_built.append(InputFile(doc.slug, doc.source_file, doc.sha256, len(doc.raw), list(doc.notes)))
            facts.extend(built.facts)
            cells.extend(built.cells)
            report.triples += len(built.lines)
            yield "".join(built.lines)
            if check_shapes:
                yield "".join(built.validation_lines)
                report.triples += len(built.validation_lines)
                report.validation["documents"] += 1
                report.validation["violations"] += built.violations
                report.validation["conforms"] = report.validation["conforms"] and built.conforms
            summary = _summary(doc, len(built.lines))
            summary.annotation = built.annotation
            report.documents.append(summary)
        if not inputs_built:
            reasons = "; ".join(f.message for f in report.failures) or "nothing to build"
            raise CorpusError(f"no document could be built, the store was left as it was: {reasons}")
        extra = [(GRAPH_ONTOLOGY, Graph().parse(ontology_file("guidegraph.ttl"), format="turtle")),
                 (GRAPH_VOCABULARY, Graph().parse(ontology_file("vocabulary.ttl"), format="turtle")), *extra_graphs]
        # the authors' reviews of findings, kept beside the corpus, travel with every build
        reviews = read_reviews(Path(root) / REVIEWS_FILE)
        if reviews:
            extra.append((GRAPH_REVIEWS, reviews_graph(reviews)))
        # population cells: the distinct conjunctions of criteria and which can be the same patients
        stage(f"comparing the populations of {len(cells):,} statements")
        populations, report.populations = populations_graph(cells, load_vocabulary())
        extra.append((GRAPH_POPULATIONS, populations))
        cells.clear()
        if reason:
            stage(f"reasoning over {len(facts):,} statement facts")
            reasoning = reason_about(facts, tbox())
            c = reasoning.classification
            report.reasoning = {
                "reasoner": c.reasoner if c else None, "consistent": c.consistent if c else None,
                "facts_checked": c.data_checked if c else 0, "seconds": round(c.seconds, 2) if c else None,
                "inferences": reasoning.inferences, "notes": reasoning.notes,
            }
            extra.append((GRAPH_INFERRED, reasoning.inferred))
        else:
            report.reasoning = {"notes": ["reasoning skipped (--no-reason)"], "inferences": 0}
        facts.clear()
        prov = provenance_graph(inputs_built, report.failures, started, datetime.now(UTC), corpus=Path(root))
        for iri, g in [*extra, (GRAPH_PROVENANCE, prov)]:
            report.triples += len(g)
            yield "".join(nquads(g, iri))
        # analysts' graphs loaded with `guidegraph load` survive every rebuild
        for chunk in store.loaded_chunks():
            report.triples += chunk.count("\n")
            yield chunk

    # the checks read an in-memory copy of what they need, fed as the quads stream to the store
    dataset = CheckDataset() if run_checks else None

    def feeding(texts: Iterator[str]) -> Iterator[str]:
        try:
            for text in texts:
                if dataset is not None:
                    dataset.add(text)
                yield text
        finally:
            texts.close()  # a stopped build stops ingesting (write_generation closes this generator)

    def findings(db, path):
        quads, report.unfinished_checks = checks.run_checks_bounded(dataset.store, check_timeout)
        report.check_dataset = {"quads": dataset.quads, "seconds": round(dataset.seconds, 2)}
        for q in quads:
            if str(q.predicate.value) == str(GG.severity):
                report.findings[q.object.value] = report.findings.get(q.object.value, 0) + 1
        report.triples += len(quads)
        return quads

    generation = store.write_generation(feeding(chunks()), finalize=findings if run_checks else None, stage=stage)
    dataset = None  # the in-memory copy goes before the report does
    store.close()
    report.generation = generation.name
    report.seconds = time.perf_counter() - t0
    return report


def _run(jobs, workers: int):
    if workers <= 1 or len(jobs) < 8:
        yield from map(_ingest_one, jobs)
        return
    from guidegraph.sandbox import die_with_parent

    # workers die with the build, so a killed build leaves none waiting for work
    pool = ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        yield from pool.map(_ingest_one, jobs, chunksize=16)
    finally:
        # a build stopped half way (SIGTERM, Ctrl-C, an error) does not wait for the documents left
        pool.shutdown(wait=True, cancel_futures=True)


def _summary(doc: Document, triples: int) -> DocumentSummary:
    return DocumentSummary(
        slug=doc.slug, source_file=doc.source_file, title=doc.title, sections=len(doc.sections),
        statements=len(doc.statements), markers=len(doc.markers), dangling=len(doc.dangling_markers()),
        references=len(doc.references), triples=triples, notes=list(doc.notes),
    )


def library_versions() -> dict[str, str]:
    """Return the versions of Python and of the libraries a build depends on."""
    out = {"python": platform.python_version(), "guidegraph": __version__}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def provenance_graph(docs: list[InputFile], failures: list[Failure], started: datetime, ended: datetime,
                     corpus: Path | None = None) -> Graph:
    """Describe the build as a prov:Activity: when, with which versions, from which inputs (and their folder)."""
    g = Graph(identifier=GRAPH_PROVENANCE)
    activity = ID[f"build/{started.strftime('%Y%m%dT%H%M%S%fZ')}"]
    agent = ID["software/guidegraph"]
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal("guidegraph build")))
    g.add((activity, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((activity, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    g.add((activity, PROV.wasAssociatedWith, agent))
    if corpus is not None:
        # where the reviews file of this corpus is (guidegraph review writes it there)
        g.add((activity, GG.corpusFolder, Literal(str(corpus.resolve()))))
    g.add((agent, RDF.type, PROV.SoftwareAgent))
    for name, v in library_versions().items():
        g.add((agent, GG.softwareVersion, Literal(f"{name} {v}")))
    for doc in docs:
        file_node = ID[f"file/{doc.slug}"]
        g.add((activity, PROV.used, file_node))
        g.add((file_node, RDF.type, PROV.Entity))
        g.add((file_node, GG.sourceFile, Literal(doc.source_file)))
        g.add((file_node, GG.sha256, Literal(doc.sha256)))
        g.add((file_node, GG.characterCount, Literal(doc.characters, datatype=XSD.integer)))
        named = document_graph_iri(doc.slug)
        g.add((named, RDF.type, PROV.Entity))
        g.add((named, PROV.wasGeneratedBy, activity))
        g.add((named, PROV.wasDerivedFrom, file_node))
        g.add((document_iri(doc.slug), PROV.wasDerivedFrom, file_node))
        for note in doc.notes:
            g.add((file_node, RDFS.comment, Literal(note)))
    for i, f in enumerate(failures, start=1):
        node = ID[f"build/{started.strftime('%Y%m%dT%H%M%S%fZ')}/failure/{i}"]
        g.add((activity, GG.failedInput, node))
        g.add((node, GG.sourceFile, Literal(f.source)))
        g.add((node, RDFS.comment, Literal(f.message)))
    g.add((activity, DCTERMS.description, Literal(f"{len(docs)} documents built, {len(failures)} failed")))
    return g

"""Authors' decisions on findings: accepted or dismissed with a reason, kept beside the corpus.

A review is kept in ``reviews.ttl`` in the corpus folder (an RDF file an author commits with the
documents), read by every build into the reviews graph, and matched to findings by their IRI,
which a rebuild of the same words keeps. Each review records a fingerprint of what the finding
involved (the quotes of its statements, markers and references): when those words change, the
review no longer silences the finding, which is reported as changed since it was reviewed.
``guidegraph check --fail-on`` does not count dismissed findings, the way a linter's baseline
works in CI.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from guidegraph.errors import GuidegraphError
from guidegraph.namespaces import GG, GRAPH_PROVENANCE, GRAPH_REVIEWS, ID, PREFIXES

REVIEWS_FILE = "reviews.ttl"
DECISIONS = {"accepted": GG.Accepted, "dismissed": GG.Dismissed}


class ReviewError(GuidegraphError):
    """A review names no finding of the store, or its file cannot be read."""

    http_status = 400


@dataclass(frozen=True)
class Review:
    """One author's decision on one finding."""

    finding: str
    decision: str  # accepted | dismissed
    reason: str
    fingerprint: str
    created: str

    def iri(self) -> URIRef:
        """Return the review's IRI: derived from the finding's, so one finding has one review."""
        return ID[f"review/{hashlib.md5(self.finding.encode()).hexdigest()}"]


def fingerprint(finding) -> str:
    """Return a digest of the words a finding involves, to tell when they change after a review."""
    parts = sorted(f"{i.iri}\t{i.quote or ''}" for i in finding.involves)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def reviews_graph(reviews: dict[str, Review]) -> Graph:
    """Return the reviews as RDF (the reviews graph, and the file's content)."""
    g = Graph(identifier=GRAPH_REVIEWS)
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)
    for r in sorted(reviews.values(), key=lambda r: r.finding):
        node = r.iri()
        g.add((node, RDF.type, GG.Review))
        g.add((node, GG.reviews, URIRef(r.finding)))
        g.add((node, GG.decision, DECISIONS[r.decision]))
        g.add((node, RDFS.comment, Literal(r.reason)))
        g.add((node, GG.fingerprint, Literal(r.fingerprint)))
        g.add((node, DCTERMS.created, Literal(r.created, datatype=XSD.dateTime)))
    return g


def _from_graph(g: Graph, where: str) -> dict[str, Review]:
    names = {v: k for k, v in DECISIONS.items()}
    out: dict[str, Review] = {}
    for node in g.subjects(RDF.type, GG.Review):
        finding, decision = g.value(node, GG.reviews), names.get(g.value(node, GG.decision))
        if finding is None or decision is None:
            raise ReviewError(f"{where}: the review <{node}> lacks gg:reviews or a gg:decision of gg:Accepted or "
                              "gg:Dismissed: fix it or remove it")
        out[str(finding)] = Review(str(finding), decision, str(g.value(node, RDFS.comment) or ""),
                                   str(g.value(node, GG.fingerprint) or ""), str(g.value(node, DCTERMS.created) or ""))
    return out


def read_reviews(path: Path) -> dict[str, Review]:
    """Return the reviews of a reviews file (none when it does not exist)."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        g = Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several kinds of syntax error
        raise ReviewError(f"{path}: not valid Turtle ({exc}): fix the file; no review was read") from None
    return _from_graph(g, str(path))


def stored_reviews(store) -> dict[str, Review]:
    """Return the reviews the store holds (read from the reviews file by its last build)."""
    return _from_graph(store.graph(GRAPH_REVIEWS), f"the reviews graph of {store.path}")


def corpus_folder(store) -> Path | None:
    """Return the corpus folder the store's last build read, as its provenance records it."""
    g = store.graph(GRAPH_PROVENANCE)
    folder = next(iter(g.objects(None, GG.corpusFolder)), None)
    return Path(str(folder)) if folder is not None else None


@dataclass(frozen=True)
class Status:
    """What the reviews say of one finding."""

    decision: str | None  # accepted | dismissed | None (not reviewed)
    reason: str = ""
    changed: bool = False  # reviewed, but the words it involves changed since

    @property
    def silenced(self) -> bool:
        """Tell whether the finding no longer counts for ``check --fail-on``."""
        return self.decision == "dismissed" and not self.changed

    def as_dict(self) -> dict | None:
        """Return the status as plain data (None when the finding was not reviewed)."""
        if self.decision is None:
            return None
        return {"decision": self.decision, "reason": self.reason, "changedSinceReview": self.changed}


def status(finding, reviews: dict[str, Review]) -> Status:
    """Return what the reviews say of a finding."""
    r = reviews.get(finding.iri)
    if r is None:
        return Status(None)
    return Status(r.decision, r.reason, changed=r.fingerprint != fingerprint(finding))


def review(store, finding_iri: str, decision: str, reason: str, path: Path | None = None) -> tuple[Review, Path]:
    """Record a decision on a finding of the store in the reviews file and in the store's reviews graph."""
    from guidegraph.checks.sparql import findings
    from guidegraph.paths import default_corpus_path

    if decision not in DECISIONS:
        raise ReviewError(f"a review accepts or dismisses a finding, not {decision!r}")
    if decision == "dismissed" and not reason.strip():
        raise ReviewError("say why the finding is dismissed: --dismiss \"REASON\"")
    found = {f.iri: f for f in findings(store)}
    finding = found.get(finding_iri)
    if finding is None:
        raise ReviewError(f"no finding <{finding_iri}> in the store at {store.path}: `guidegraph check --format json` "
                          "lists the findings with their IRIs")
    path = Path(path) if path is not None else (corpus_folder(store) or default_corpus_path()) / REVIEWS_FILE
    reviews = read_reviews(path)
    made = Review(finding.iri, decision, reason.strip(), fingerprint(finding),
                  datetime.now(UTC).replace(microsecond=0).isoformat())
    reviews[finding.iri] = made
    text = reviews_graph(reviews).serialize(format="turtle")
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)  # the file is whole or as it was
    store.replace_graphs({GRAPH_REVIEWS: reviews_graph(reviews)})
    return made, path

"""The one URL builder of the web UI: every path a page, a view or a script links to is made here.

Paths come from the app's own routes (``url_for``), so the route table is written once, in the
blueprints. ``node(iri)`` decides which page shows a node of the graph; the views in
``guidegraph.views`` name nodes by IRI only. Registered as the Jinja global ``urls``.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, request, url_for

from guidegraph.namespaces import GGV, ID

_DOCUMENTS = str(ID) + "document/"
_FINDINGS = str(ID) + "finding/"
# parts of a document with no page of their own: they link to the document, at an anchor
_ANCHORED_PARTS = ("reference", "marker", "section", "mention", "dose", "criterion")
# the suffix of a page's JSON twin; every twin is routed as its page's endpoint plus this
TWIN = "_json"


class Urls:
    """Build the paths of the UI's pages and JSON twins, and find the page of a node by its IRI."""

    # -- pages -------------------------------------------------------------------------------
    def index(self) -> str:
        """Return the overview."""
        return url_for("browse.index")

    def document(self, slug: str, anchor: str | None = None) -> str:
        """Return a document's reader, optionally at an anchor inside it (``reference-4``)."""
        return url_for("browse.document", slug=slug, _anchor=anchor)

    def statement(self, slug: str, start: int) -> str:
        """Return the provenance panel of the statement starting at ``start`` in a document."""
        return url_for("browse.statement", slug=slug, start=int(start))

    def concept(self, name: str) -> str:
        """Return a vocabulary concept's page, by its local name (what follows ``ggv:`` in its IRI)."""
        return url_for("browse.concept", name=name)

    def compare(self) -> str:
        """Return the intervention × document matrix."""
        return url_for("browse.compare")

    def search(self, words: str | None = None) -> str:
        """Return the search page, for some words."""
        return url_for("browse.search", q=words or None)

    def explore(self, node: str | None = None, **filters) -> str:
        """Return the graph explorer, around a node (an IRI, or words) with filters (graph, kind, document)."""
        return url_for("explore.page", node=node or None, **filters)

    def expand(self) -> str:
        """Return the explorer's endpoint that answers a node's neighbours."""
        return url_for("explore.expand")

    def pathways(self, **situation) -> str:
        """Return the pathways page for a situation (condition, status and numbers by criterion name)."""
        return url_for("pathways.page", **situation)

    def concept_path(self, start: str | None = None, goal: str | None = None) -> str:
        """Return the page that shows how two concepts (by local name) connect."""
        return url_for("pathways.path", **{"from": start or None, "to": goal or None})

    def checks(self, **filters) -> str:
        """Return the checks report, filtered (check, severity, document)."""
        return url_for("checks.report", **filters)

    def finding(self, check: str, key: str) -> str:
        """Return a finding's page, by the check that found it and its key (the last parts of its IRI)."""
        return url_for("checks.finding", check=check, key=key)

    def checks_csv(self, **filters) -> str:
        """Return the checks report, filtered, as a CSV file."""
        return url_for("checks.report_csv", **filters)

    def query(self, **args) -> str:
        """Return the SPARQL console: a typed ``query``, or a ``saved`` one with its parameters, a ``page``."""
        return url_for("console.console", **args)

    def query_download(self, **args) -> str:
        """Return the whole result of a console query (``query``, or ``saved`` with its parameters) as a file."""
        return url_for("console.download", **args)

    def terms(self) -> str:
        """Return the prefixes and terms the console completes."""
        return url_for("console.terms")

    def sparql(self, **args) -> str:
        """Return the SPARQL endpoint (with ``query`` and ``format``: a link to a result)."""
        return url_for("sparql.endpoint", **args)

    def static(self, filename: str) -> str:
        """Return a file of the app's static folder."""
        return url_for("static", filename=filename)

    # -- nodes and twins ---------------------------------------------------------------------
    def node(self, iri: str | None) -> str | None:
        """Return the page that shows a node of the graph, or None when no page does."""
        if not iri:
            return None
        iri = str(iri)
        if iri.startswith(_DOCUMENTS):
            parts = iri[len(_DOCUMENTS):].split("/")
            if len(parts) == 1 and parts[0]:
                return self.document(parts[0])
            if len(parts) >= 3 and parts[1] == "statement" and parts[2].isascii() and parts[2].isdigit():
                return self.statement(parts[0], int(parts[2]))
            if len(parts) >= 3 and parts[1] in _ANCHORED_PARTS:
                return self.document(parts[0], anchor=f"{parts[1]}-{parts[2]}")
            return None
        if iri.startswith(_FINDINGS):
            parts = iri[len(_FINDINGS):].split("/")
            return self.finding(*parts) if len(parts) == 2 and all(parts) else None
        name = iri[len(GGV):] if iri.startswith(str(GGV)) else ""
        if name and "/" not in name:
            return self.concept(name)
        return None

    def link(self, items: Iterable[dict], key: str, field: str = "path") -> None:
        """Give each item the page of the node it names under ``key``, as ``field`` (None when no page shows it)."""
        for item in items:
            item[field] = self.node(item.get(key))

    def json(self, path: str) -> str:
        """Return the JSON twin of a page's path (``/`` → ``/index.json``, ``/x?a=1`` → ``/x.json?a=1``)."""
        path = path.split("#", 1)[0]
        path, mark, query = path.partition("?")
        if path.endswith("/"):
            path += "index"
        return f"{path}.json{mark}{query}"

    def twin(self) -> str | None:
        """Return the JSON twin of the page being answered, with its arguments, or None when it has none."""
        endpoint = request.endpoint
        if not endpoint or endpoint.endswith(TWIN) or endpoint + TWIN not in current_app.view_functions:
            return None
        values = {k: request.args.getlist(k) for k in request.args} | (request.view_args or {})
        return url_for(endpoint + TWIN, **values)

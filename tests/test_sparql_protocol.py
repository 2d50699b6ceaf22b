"""The W3C SPARQL 1.1 Protocol tests, run against a live guidegraph server.

The suite is vendored, unchanged, in tests/data/w3c-sparql11-protocol/ with its licence.
Each test's data files are loaded as
named graphs (IRI = the test's rdfs:label), requests are sent as written (method, path with
/sparql/ rewritten, headers, body in its character encoding), and the response is checked for
its status class, its format and, for ASK, its answer. The 20 query tests must pass; the 14
update tests must be refused with a 4xx by this read-only endpoint.
"""
from __future__ import annotations

import http.client
import json
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from guidegraph.ntriples import nquads
from guidegraph.store.embedded import Store

from .conftest import DATA

SUITE = DATA / "w3c-sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")



def _manifest():
    g = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    root = next(g.subjects(RDF.type, MF.Manifest))
    return g, list(Collection(g, g.value(root, MF.entries)))


def _tests():
    if not (SUITE / "manifest.ttl").exists():
        return []
    _, entries = _manifest()
    return [str(e).rsplit("#", 1)[-1] for e in entries]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from guidegraph.web import create_app, production_server

    g, entries = _manifest()
    chunks = []
    seen = set()
    for test in entries:
        for data in g.objects(test, UT.graphData):
            label, source = str(g.value(data, RDFS.label)), g.value(data, UT.graph)
            if label not in seen:
                seen.add(label)
                graph = Graph().parse(SUITE / Path(str(source)).name, format="nt")
                chunks.append("".join(nquads(graph, URIRef(label))))
    store = Store(tmp_path_factory.mktemp("w3c") / "store")
    store.write_generation(chunks)
    app = create_app({"STORE": str(store.path), "TESTING": True})
    httpd = production_server(app, "127.0.0.1", 0)  # the server `guidegraph serve` runs
    closing = threading.Event()

    def run():
        try:
            httpd.run()
        except (OSError, ValueError):  # its sockets were closed under its loop at the end
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield httpd.effective_port
    closing.set()
    httpd.close()
    thread.join(10)


def _send(port: int, g: Graph, request) -> http.client.HTTPResponse:
    method = str(g.value(request, HT.methodName))
    path = str(g.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    headers = {}
    for h in Collection(g, g.value(request, HT.headers)) if g.value(request, HT.headers) else []:
        headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
    body = None
    content = g.value(request, HT.body)
    if content is not None:
        encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(content, CNT.chars)).encode(encoding)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers)
    return connection.getresponse()


def _is_update(g: Graph, request) -> bool:
    path = str(g.value(request, HT.absolutePath))
    content = g.value(request, HT.body)
    body = str(g.value(content, CNT.chars)) if content is not None else ""
    types = [str(g.value(h, HT.fieldValue)) for h in Collection(g, g.value(request, HT.headers))] \
        if g.value(request, HT.headers) else []
    return "update=" in path or body.startswith("update=") or any("sparql-update" in t for t in types)


def _check_format(expected: str, content_type: str, payload: bytes, expected_boolean):
    if expected == "boolean":
        if "json" in content_type:
            answer = json.loads(payload)["boolean"]
        else:
            answer = ET.fromstring(payload).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"
        if expected_boolean is not None:
            assert answer == expected_boolean.toPython()
    elif expected == "tabular":
        assert content_type.split(";")[0] in ("application/sparql-results+json", "application/sparql-results+xml",
                                               "text/csv", "text/tab-separated-values")
    elif expected == "RDF":
        fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt",
               "application/ld+json": "json-ld"}[content_type.split(";")[0]]
        Graph().parse(data=payload, format=fmt)


@pytest.mark.parametrize("name", _tests())
def test_w3c_protocol(server, name):
    g, entries = _manifest()
    test = next(e for e in entries if str(e).endswith("#" + name))
    action = g.value(test, MF.action)
    updates = 0
    for request in Collection(g, g.value(action, HT.requests)):
        response = _send(server, g, request)
        payload = response.read()
        expected = g.value(request, HT.resp)
        classes = {str(s).rsplit("StatusCode", 1)[-1][0] for s in g.objects(expected, MF.expectedStatus)}
        if name.startswith(("update", "bad_update")):
            # every request of a bad_update test attempts an update, whatever its media type
            if name.startswith("update") and not _is_update(g, request):
                continue  # a follow-up query checking an update's effect: no update happened here
            classes = {"4"}  # a read-only endpoint refuses every update
            updates += 1
        assert str(response.status)[0] in classes, (name, response.status, payload[:300])
        fmt = g.value(expected, MF.expectedFormat)
        if fmt is not None and str(response.status)[0] == "2":
            _check_format(str(fmt), response.getheader("Content-Type", ""), payload,
                          g.value(expected, MF.expectedBoolean))
    if name.startswith(("update", "bad_update")):
        assert updates >= 1, f"{name}: no update request was sent"


def test_sparqlwrapper_reads_select_ask_and_construct(server):
    from SPARQLWrapper import JSON, XML, SPARQLWrapper

    client = SPARQLWrapper(f"http://127.0.0.1:{server}/sparql")
    client.setQuery("SELECT ?s WHERE { GRAPH ?g { ?s a ?type } } ORDER BY ?s")
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == ["http://kasei.us/2009/09/sparql/data/data1.rdf",
                                               "http://kasei.us/2009/09/sparql/data/data2.rdf",
                                               "http://kasei.us/2009/09/sparql/data/data3.rdf"]
    client.setQuery("ASK { GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { ?s ?p ?o } }")
    client.setReturnFormat(XML)
    assert client.query().convert().getElementsByTagName("boolean")[0].firstChild.data == "true"
    client.setQuery("CONSTRUCT { ?s a ?t } WHERE { GRAPH ?g { ?s a ?t } }")
    client.setMethod("POST")
    graph = client.queryAndConvert()
    assert len(graph) == 3

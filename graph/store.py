"""The embedded persistent store: Oxigraph on disk, used through rdflib's API.

A store folder holds *generations*: each build bulk-loads a complete new Oxigraph database
into ``generations/<name>.partial``, renames it when it is complete, and then points the
``current`` symlink at it with one atomic rename. A build that fails or is killed half way
leaves ``current`` untouched, so readers always see a whole store. Why Oxigraph and why
bulk loading: docs/store.md.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, Graph, URIRef

from .errors import StoreError
from .namespaces import PREFIXES

ENV_VAR = "GUIDEGRAPH_STORE"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORE = PROJECT_ROOT / "instance" / "store"


def default_store_path() -> Path:
    """Return the store path: $GUIDEGRAPH_STORE, else instance/store in the project."""
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_STORE


class Store:
    """A store folder with its generations; ``current`` is the one readers see."""

    def __init__(self, path: str | Path | None = None):
        # absolute, so that a symlink target and a later chdir cannot disagree
        self.path = Path(path if path is not None else default_store_path()).absolute()
        self._ox: ox.Store | None = None
        self._opened: Path | None = None

    # -- reading --------------------------------------------------------------------------
    @property
    def current(self) -> Path | None:
        """Return the folder of the current generation, or None when nothing was built."""
        link = self.path / "current"
        if not link.is_symlink() and not link.exists():
            return None
        target = link.resolve()
        return target if target.is_dir() else None

    def exists(self) -> bool:
        """Tell whether a complete generation is there to read."""
        return self.current is not None

    def oxigraph(self) -> ox.Store:
        """Return the current generation opened read-only (reopened after a rebuild)."""
        current = self.current
        if current is None:
            raise StoreError(f"no graph in the store at {self.path}: run `guidegraph build` first")
        if self._ox is None or self._opened != current:
            try:
                self._ox = ox.Store.read_only(str(current))
            except OSError as exc:
                raise StoreError(f"cannot open the store at {current}: {exc}") from exc
            self._opened = current
        return self._ox

    def dataset(self) -> Dataset:
        """Return the store as an rdflib Dataset whose default graph is the union of all graphs."""
        ds = Dataset(store=OxigraphStore(store=self.oxigraph()), default_union=True)
        for prefix, iri in PREFIXES.items():
            ds.bind(prefix, iri)
        return ds

    def graph(self, iri) -> Graph:
        """Return one named graph of the store, read-only, as an rdflib Graph."""
        g = Graph(store=OxigraphStore(store=self.oxigraph()), identifier=URIRef(str(iri)))
        for prefix, namespace in PREFIXES.items():
            g.bind(prefix, namespace)
        return g

    def close(self) -> None:
        """Let go of the open generation."""
        self._ox = None
        self._opened = None

    # -- writing --------------------------------------------------------------------------
    def check_writable(self) -> None:
        """Raise StoreError unless a new generation can be written under the store path."""
        try:
            (self.path / "generations").mkdir(parents=True, exist_ok=True)
            probe = self.path / "generations" / f".probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise StoreError(
                f"cannot write the store at {self.path}: {exc.strerror or exc}; "
                f"choose another path with --store or ${ENV_VAR}"
            ) from None

    def write_generation(self, chunks: Iterable[str], finalize=None) -> Path:
        """Bulk-load N-Quads text into a new generation and make it current atomically.

        ``finalize(db, path)``, when given, runs on the complete new generation (flushed, so that
        other processes can open ``path`` read-only) before it becomes current, and returns more
        quads to add (the build's findings).
        """
        self.check_writable()
        gens = self.path / "generations"
        self._remove_abandoned(gens)
        # sortable by age; the pid tells a later build whether the writer is still alive
        name = f"{time.time_ns():020d}-{os.getpid()}"
        partial = gens / f"{name}.partial"
        dump = gens / f"{name}.nq"
        try:
            with open(dump, "w", encoding="utf-8") as out:
                for chunk in chunks:
                    out.write(chunk)
            db = ox.Store(str(partial))
            # lenient: guidegraph wrote these IRIs and literals itself; validation would cost 15 %
            db.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS, lenient=True)
            if finalize is not None:
                db.flush()
                db.extend(finalize(db, partial))
            db.optimize()
            db.flush()
            del db
            final = gens / name
            partial.rename(final)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        finally:
            dump.unlink(missing_ok=True)
        self._point_current_at(final)
        self._remove_old(gens, keep={final})
        return final

    def replace_graphs(self, graphs: dict, quads_text: str = "") -> Path:
        """Write a new generation equal to the current one with the given named graphs replaced.

        ``graphs`` maps graph IRIs to rdflib Graphs (an empty one drops the graph); ``quads_text``
        is more N-Quads to add.
        """
        from .rdf import nquads

        db = self.oxigraph()
        names = {ox.NamedNode(str(iri)) for iri in graphs}

        def chunks():
            batch = []
            for q in db.quads_for_pattern(None, None, None, None):
                if q.graph_name not in names:
                    batch.append(q)
                    if len(batch) >= 50_000:
                        yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS).decode("utf-8")
                        batch = []
            if batch:
                yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS).decode("utf-8")
            for iri, g in graphs.items():
                yield "".join(nquads(g, iri))
            yield quads_text

        generation = self.write_generation(chunks())
        self.close()
        return generation

    # -- analysts' own graphs ------------------------------------------------------------
    @property
    def loaded_dir(self) -> Path:
        """Where graphs loaded with `guidegraph load` are kept, so that every rebuild keeps them."""
        return self.path / "loaded"

    def loaded_chunks(self) -> Iterator[str]:
        """Yield the N-Quads of every loaded graph (for a build to include)."""
        if self.loaded_dir.is_dir():
            for f in sorted(self.loaded_dir.glob("*.nq")):
                yield f.read_text(encoding="utf-8")

    def load(self, files: list[Path], graph: str, fmt: str | None = None) -> int:
        """Parse RDF files into one named graph, keep them for later builds, and write a new generation."""
        from .errors import DocumentError

        if graph.startswith("https://w3id.org/guidegraph/id/graph/"):
            raise StoreError(f"<{graph}> is one of guidegraph's own graphs, rebuilt by every build: choose another IRI")
        target = ox.NamedNode(graph)
        quads: list[ox.Quad] = []
        for f in files:
            f = Path(f)
            if not f.is_file():
                raise DocumentError(f, "no such file")
            rdf_format = _rdf_format(f, fmt)
            try:
                for q in ox.parse(path=str(f), format=rdf_format, base_iri=f.resolve().as_uri()):
                    quads.append(ox.Quad(q.subject, q.predicate, q.object, target))
            except SyntaxError as exc:
                raise DocumentError(f, f"not valid {rdf_format.name}: {exc}", "fix the file; nothing was loaded") from None
        self.oxigraph()  # a clear error when nothing was built yet
        self.loaded_dir.mkdir(parents=True, exist_ok=True)
        keep = self.loaded_dir / f"{hashlib.sha256(graph.encode()).hexdigest()[:16]}.nq"
        text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")
        tmp = keep.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        # the graph is replaced whole: its old triples go, the new ones come
        self.replace_graphs({URIRef(graph): Graph()}, quads_text=text)
        os.replace(tmp, keep)
        return len(quads)

    def _point_current_at(self, generation: Path) -> None:
        link = self.path / "current"
        tmp = self.path / f".current-{os.getpid()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(Path("generations") / generation.name)
        os.replace(tmp, link)
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _remove_abandoned(self, gens: Path) -> None:
        """Remove what builds that died left behind (their process is gone)."""
        for p in gens.iterdir():
            if p.name.endswith((".partial", ".nq")) and not _alive(_pid_of(p.name)):
                _remove(p)

    def _remove_old(self, gens: Path, keep: set[Path]) -> None:
        # The generation before keeps serving readers that opened it; older ones go.
        done = sorted((p for p in gens.iterdir() if p.is_dir() and "." not in p.name), key=lambda p: p.name)
        for p in done[:-2]:
            if p not in keep:
                _remove(p)


_SUFFIX_FORMATS = {".ttl": "TURTLE", ".turtle": "TURTLE", ".nt": "N_TRIPLES", ".ntriples": "N_TRIPLES",
                   ".rdf": "RDF_XML", ".owl": "RDF_XML", ".xml": "RDF_XML", ".jsonld": "JSON_LD", ".json": "JSON_LD",
                   ".trig": "TRIG", ".nq": "N_QUADS"}
_NAMED_FORMATS = {"turtle": "TURTLE", "ntriples": "N_TRIPLES", "xml": "RDF_XML", "rdfxml": "RDF_XML",
                  "jsonld": "JSON_LD", "trig": "TRIG", "nquads": "N_QUADS"}


def _rdf_format(path: Path, fmt: str | None):
    name = _NAMED_FORMATS.get((fmt or "").lower()) if fmt else _SUFFIX_FORMATS.get(path.suffix.lower())
    if name is None:
        raise StoreError(f"{path}: cannot tell its RDF syntax from its name; give --format "
                         f"({', '.join(sorted(_NAMED_FORMATS))})")
    return getattr(ox.RdfFormat, name)


def _pid_of(name: str) -> int | None:
    parts = name.split("-")
    try:
        return int(parts[1])
    except (IndexError, ValueError):
        return None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(p: Path) -> None:
    if p.is_dir():
        shutil.rmtree(p, ignore_errors=True)
    else:
        p.unlink(missing_ok=True)

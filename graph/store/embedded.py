"""The embedded persistent store: Oxigraph on disk, used through rdflib's API.

A store folder holds *generations*: each build bulk-loads a complete new Oxigraph database
into ``generations/<name>.partial``, renames it when it is complete, and then points the
``current`` symlink at it with one atomic rename. A build that fails or is killed half way
leaves ``current`` untouched, so readers always see a whole store. Why Oxigraph and why
bulk loading: docs/store.md.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shlex
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, Graph, URIRef

from guidegraph.errors import StoreError
from guidegraph.formats import RDF_SYNTAXES, rdf_syntax, rdf_syntax_of_file
from guidegraph.namespaces import PREFIXES
from guidegraph.paths import STORE_ENV_VAR, default_store_path

LOCK_FILE = "write.lock"
# `guidegraph load` refuses a file larger than this unless --max-bytes says otherwise
DEFAULT_LOAD_MAX_BYTES = 200 * 1024 * 1024


class StoreBusy(StoreError):
    """Another process is writing the store (a build, a load or a reasoning run)."""


class Stopped(KeyboardInterrupt):
    """SIGTERM arrived while the store was being written; the unfinished generation was removed."""


# lock descriptors this process holds; a forked child (ingest workers, checks) closes its copies,
# so that a build killed with SIGKILL does not leave children that still hold its lock
_HELD_LOCKS: set[int] = set()


def _forget_locks_in_child() -> None:
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()
    if signal.getsignal(signal.SIGTERM) is _stop_on_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop_on_sigterm(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not interrupt the clean-up
    raise Stopped("stopped by SIGTERM")


os.register_at_fork(after_in_child=_forget_locks_in_child)

# (path of a `current` link, the text it holds) -> the generation's folder, resolved (Store.current)
_RESOLVED: dict[tuple[str, str], Path] = {}


class Store:
    """A store folder with its generations; ``current`` is the one readers see."""

    def __init__(self, path: str | Path | None = None):
        # absolute, so that a symlink target and a later chdir cannot disagree
        self.path = Path(path if path is not None else default_store_path()).absolute()
        self._ox: ox.Store | None = None
        self._opened: Path | None = None
        self._lock_depth = 0

    # -- reading --------------------------------------------------------------------------
    @property
    def current(self) -> Path | None:
        """Return the folder of the current generation, or None when nothing was built."""
        link = self.path / "current"
        try:
            # one system call on the path every query takes: a generation's folder never changes
            # while `current` names it, so its resolved path is remembered by the link's text
            text = os.readlink(link)
        except FileNotFoundError:
            return None
        except OSError:  # not a symlink (a folder someone put there): resolve it the long way
            text = None
        key = (str(link), text)
        resolved = _RESOLVED.get(key) if text is not None else None
        if resolved is None:
            target = link.resolve()
            if not target.is_dir():
                return None
            if text is not None:
                if len(_RESOLVED) > 256:
                    _RESOLVED.clear()
                _RESOLVED[key] = target
            resolved = target
        return resolved

    def current_name(self) -> str | None:
        """Return the name of the generation ``current`` points at, without looking inside it."""
        link = self.path / "current"
        return Path(os.readlink(link)).name if link.is_symlink() else None

    def exists(self) -> bool:
        """Tell whether a complete generation is there to read."""
        return self.current is not None

    def readable_generation(self) -> Path:
        """Return the folder of the current generation, or raise StoreError saying why there is none."""
        current = self.current
        if current is None:
            if not self.path.is_dir():
                raise StoreError(f"there is no store at {self.path} (the folder is missing): run `guidegraph build` "
                                 "first, or name another store with --store")
            raise StoreError(f"no graph in the store at {self.path}: run `guidegraph build` first")
        return current

    def oxigraph(self) -> ox.Store:
        """Return the current generation opened read-only (reopened after a rebuild)."""
        current = self.readable_generation()
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
                f"choose another path with --store or ${STORE_ENV_VAR}"
            ) from None

    @contextmanager
    def writing(self):
        """Hold the store's write lock for the block, and turn SIGTERM into Stopped meanwhile."""
        if self._lock_depth:  # this Store already holds it (a load writes through replace_graphs)
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        self.check_writable()
        fd = os.open(self.path / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            # flock: the kernel lets go of it when the holder dies, however it dies
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(fd)
            os.close(fd)
            raise StoreBusy(f"the store at {self.path} is being written by another process ({holder}); "
                            f"wait for it to finish, or choose another store with --store") from None
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"cannot lock the store at {self.path}: {exc.strerror or exc}") from None
        _HELD_LOCKS.add(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{_command_line()}\n".encode(), 0)
        self._lock_depth = 1
        handler = None
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            handler = signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:
            yield
        finally:
            if handler is not None:
                signal.signal(signal.SIGTERM, handler)
            self._lock_depth = 0
            _HELD_LOCKS.discard(fd)
            os.ftruncate(fd, 0)
            os.close(fd)  # closing the only descriptor releases the lock

    def write_generation(self, chunks: Iterable[str], finalize=None,
                         stage: Callable[[str], None] | None = None) -> Path:
        """Bulk-load N-Quads text into a new generation and make it current atomically.

        ``finalize(db, path)``, when given, runs on the complete new generation (flushed, so that
        other processes can open ``path`` read-only) before it becomes current, and returns more
        quads to add (the build's findings). ``stage(text)``, when given, hears of each step.
        One process writes a store at a time: another one gets StoreBusy.
        """
        with self.writing():
            return self._write_generation(chunks, finalize, stage or (lambda text: None))

    def _write_generation(self, chunks: Iterable[str], finalize, stage: Callable[[str], None]) -> Path:
        gens = self.path / "generations"
        # holding the lock, nobody else is writing: whatever is not current or previous is left over
        self._clean(gens)
        name = _new_name(gens)
        partial = gens / f"{name}.partial"
        dump = gens / f"{name}.nq"
        db = None
        try:
            with open(dump, "w", encoding="utf-8") as out:
                for chunk in chunks:
                    out.write(chunk)
            stage("loading the quads into a new store generation")
            db = ox.Store(str(partial))
            # lenient: guidegraph wrote these IRIs and literals itself; validation would cost 15 %
            db.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS, lenient=True)
            if finalize is not None:
                db.flush()
                stage("running the checks")
                db.extend(finalize(db, partial))
            stage("compacting the new generation")
            db.optimize()
            db.flush()
            db = None
            final = gens / name
            partial.rename(final)
        except BaseException:
            db = None
            close = getattr(chunks, "close", None)
            if close is not None:  # a stopped build does not go on ingesting documents nobody will use
                close()
            shutil.rmtree(partial, ignore_errors=True)
            raise
        finally:
            dump.unlink(missing_ok=True)
        try:
            self._point_current_at(final)
        except BaseException:
            if self.current_name() != final.name:  # stopped before the switch: it never was current
                shutil.rmtree(final, ignore_errors=True)
            raise
        self._clean(gens)
        return final

    def replace_graphs(self, graphs: dict, quads_text: str = "") -> Path:
        """Write a new generation equal to the current one with the given named graphs replaced.

        ``graphs`` maps graph IRIs to rdflib Graphs (an empty one drops the graph); ``quads_text``
        is more N-Quads to add.
        """
        from guidegraph.ntriples import nquads

        names = {ox.NamedNode(str(iri)) for iri in graphs}

        def chunks():
            db = self.oxigraph()
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

        with self.writing():  # what is copied is what is current while the lock is held
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

    def load(self, files: list[Path], graph: str, fmt: str | None = None,
             max_bytes: int = DEFAULT_LOAD_MAX_BYTES) -> int:
        """Parse RDF files into one named graph, keep them for later builds, and write a new generation."""
        from guidegraph.errors import DocumentError

        if graph.startswith("https://w3id.org/guidegraph/id/graph/"):
            raise StoreError(f"<{graph}> is one of guidegraph's own graphs, rebuilt by every build: choose another IRI")
        target = ox.NamedNode(graph)
        quads: list[ox.Quad] = []
        for f in files:
            f = Path(f)
            if not f.is_file():
                raise DocumentError(f, "no such file")
            size = f.stat().st_size
            if size > max_bytes:
                raise DocumentError(f, f"file is {size:,} bytes, more than the limit of {max_bytes:,}",
                                    "raise --max-bytes to load it; nothing was loaded")
            rdf_format = _rdf_format(f, fmt)
            if rdf_format == ox.RdfFormat.RDF_XML:
                _refuse_xml_entities(f)
            try:
                for q in ox.parse(path=str(f), format=rdf_format, base_iri=f.resolve().as_uri()):
                    quads.append(ox.Quad(q.subject, q.predicate, q.object, target))
            except SyntaxError as exc:
                raise DocumentError(f, f"not valid {rdf_format.name}: {exc}",
                                    "fix the file; nothing was loaded") from None
        with self.writing():
            self.oxigraph()  # a clear error when nothing was built yet
            self.loaded_dir.mkdir(parents=True, exist_ok=True)
            keep = self.loaded_dir / f"{hashlib.sha256(graph.encode()).hexdigest()[:16]}.nq"
            text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")
            tmp = keep.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            try:
                # the graph is replaced whole: its old triples go, the new ones come
                self.replace_graphs({URIRef(graph): Graph()}, quads_text=text)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            os.replace(tmp, keep)
        return len(quads)

    def _point_current_at(self, generation: Path) -> None:
        link = self.path / "current"
        tmp = self.path / f".current-{os.getpid()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(Path("generations") / generation.name)
        try:
            os.replace(tmp, link)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _clean(self, gens: Path) -> None:
        """Remove what killed or failed writers left; keep the current generation and the one before it."""
        # Called with the write lock held, so nothing here is being written by anyone else.
        # Generations become current in the order of their names (_new_name), so a complete
        # generation named after the current one never was current (its writer died before the
        # switch), and the newest one named before it is the one readers may still have open.
        for p in self.path.iterdir():  # the switch's temporary link, when its writer died before renaming it
            tail = p.name.removeprefix(".current-")
            if tail != p.name and tail.isascii() and tail.isdigit() and p.is_symlink():
                p.unlink(missing_ok=True)
        complete = []
        for p in gens.iterdir():
            parsed = _parse_name(p.name, with_suffix=True)
            if parsed is None:
                continue  # not ours to judge (probes, anything a person put there)
            name, suffix = parsed
            if suffix in (".partial", ".nq"):
                _remove(p)
            elif not suffix and p.is_dir():
                complete.append(name)
        if self.current_name() is not None:
            current = _parse_name(self.current_name())
            if current not in complete:
                return  # `current` names no generation here: keep them all rather than guess
            older = sorted(n for n in complete if n < current)
            keep = {current, *older[-1:]}
        else:
            keep = set()  # nothing ever became current: every generation is a dead writer's
        for name in complete:
            if name not in keep:
                _remove(gens / _format_name(name))


def _refuse_xml_entities(path: Path) -> None:
    """Raise DocumentError when an XML file declares entities (expanding them can take all memory)."""
    import xml.sax

    from defusedxml import DefusedXmlException, EntitiesForbidden
    from defusedxml.sax import parse

    from guidegraph.errors import DocumentError

    try:
        # streaming (SAX) with entity declarations refused: nothing is expanded, nothing is kept
        parse(str(path), xml.sax.handler.ContentHandler(), forbid_dtd=False, forbid_entities=True,
              forbid_external=True)
    except EntitiesForbidden as exc:
        raise DocumentError(path, f"its DOCTYPE declares the XML entity '{exc.name}'; guidegraph does not expand "
                                  f"XML entities", "spell the entities out or remove the DOCTYPE; nothing was loaded"
                            ) from None
    except DefusedXmlException as exc:
        raise DocumentError(path, f"its DOCTYPE refers to something outside the file ({type(exc).__name__})",
                            "remove the DOCTYPE; nothing was loaded") from None
    except xml.sax.SAXParseException as exc:
        raise DocumentError(path, f"not valid RDF/XML: line {exc.getLineNumber()}, column {exc.getColumnNumber()}: "
                                  f"{exc.getMessage()}", "fix the file; nothing was loaded") from None


def _rdf_format(path: Path, fmt: str | None):
    syntax = rdf_syntax(fmt) if fmt else rdf_syntax_of_file(path.suffix)
    if syntax is None:
        raise StoreError(f"{path}: cannot tell its RDF syntax from its name; give --format "
                         f"({', '.join(sorted(RDF_SYNTAXES))})")
    return syntax.oxigraph


def _parse_name(name: str, with_suffix: bool = False):
    """Return (time, pid) of a generation's name ``<time>-<pid>[.suffix]``, or None for anything else."""
    stem, dot, suffix = name.partition(".")
    if suffix and not with_suffix:
        return None
    stamp, dash, pid = stem.partition("-")
    if not (dash and stamp.isdigit() and pid.isdigit() and stamp.isascii() and pid.isascii()):
        return None
    parsed = (int(stamp), int(pid))
    return (parsed, dot + suffix) if with_suffix else parsed


def _format_name(parsed: tuple[int, int]) -> str:
    return f"{parsed[0]:020d}-{parsed[1]}"


def _new_name(gens: Path) -> str:
    """Name a new generation after every one already there, even when the clock went back."""
    stamp = time.time_ns()
    for p in gens.iterdir():
        parsed = _parse_name(p.name, with_suffix=True)
        if parsed is not None:
            stamp = max(stamp, parsed[0][0] + 1)
    return _format_name((stamp, os.getpid()))


def _lock_holder(fd: int) -> str:
    """Describe the process named in a lock file: its pid and command, as far as it wrote them."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
    except OSError:
        text = ""
    pid, _, command = text.partition("\n")
    if not pid.strip().isdigit():
        return "it has not said which yet"
    command = command.strip()
    return f"pid {int(pid)}" + (f": {command}" if command else "")


def _command_line() -> str:
    """Return this process's command line as a person would type it."""
    argv = list(sys.argv) or ["python"]
    if Path(argv[0]).name in ("guidegraph", "cli.py", "__main__.py"):
        argv[0] = "guidegraph"
    return shlex.join(argv)


def _remove(p: Path) -> None:
    if p.is_dir():
        shutil.rmtree(p, ignore_errors=True)
    else:
        p.unlink(missing_ok=True)

"""Find the document files a build reads, and refuse up front those it must not read.

Before any document is built, ``find_inputs`` expands the folders and files given to the
build into document files and decides, for each one:

* **Where it is.** A file found in a corpus folder must resolve (links followed) to a path
  inside that folder: a link to a file elsewhere is refused, a link to another file of the
  folder is fine. Files named one by one (on the command line) are the user's own choice and
  may live anywhere. Only resolved paths are compared (``Path.resolve``, ``is_relative_to``).
* **What it is.** An entry of a corpus folder with a document name (``x.txt``) that is a
  folder, a broken link or not a regular file is reported, not skipped in silence.
* **Its identifier.** Each document's IRIs use an identifier made from its file name
  (``slug_for``). When two or more files would share one identifier, they are all named in
  the message; a file whose name already is the identifier (``x-y.txt`` for ``x-y``) keeps it,
  otherwise the first in order keeps it, and the others are refused with a message naming
  the file that holds it and how to rename them. No file ever replaces another one.

What is refused comes back in ``Inputs.refused`` and is reported as a failed input of the
build (exit code 1), like a file that cannot be read.
"""
from __future__ import annotations

import os.path
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from guidegraph.errors import CorpusError
from guidegraph.ingest.document import slug_for, source_name
from guidegraph.paths import default_corpus_path

DOCUMENT_SUFFIXES = {".txt", ".text", ".md"}
# a folder's own notes, by the names folders give them: what the corpus is and where it came from, not
# guidance (README.md also holds the corpus table, read by ingest.metadata). Named on the command line,
# such a file is still built.
FOLDER_NOTES = {"readme", "sources", "license", "licence", "copying", "notice", "changelog", "contributing",
                "authors"}


@dataclass
class Refusal:
    """An input that will not be built, and why (the message names the path)."""

    path: Path
    message: str


@dataclass
class Inputs:
    """The document files to build, the corpus root their names are taken from, and the refusals."""

    files: list[Path]
    root: Path
    refused: list[Refusal] = field(default_factory=list)
    identifiers: dict[Path, str] = field(default_factory=dict)


def find_inputs(inputs: Iterable[str | Path] | None) -> Inputs:
    """Expand folders and files into the document files to build, the corpus root and the refusals."""
    items = [Path(p) for p in inputs or ()]
    if not items:
        default = default_corpus_path()
        if not default.is_dir():
            raise CorpusError(f"no documents were named and there is no corpus folder at {default}: name the files "
                              "or folders to build, as in `guidegraph build DIR`")
        items = [default]
    files: list[Path] = []
    refused: list[Refusal] = []
    for item in items:
        if item.is_dir():
            found, bad = _folder_documents(item)
            if not found and not bad:
                raise CorpusError(f"{item}: no documents in this folder "
                                  f"(looked for {', '.join(sorted(DOCUMENT_SUFFIXES))} files)")
            files.extend(found)
            refused.extend(bad)
        elif item.exists():
            files.append(item)
        else:
            raise CorpusError(f"{item}: no such file or folder")
    files = _without_repeats(files)
    root = items[0] if len(items) == 1 and items[0].is_dir() else Path(_common_parent(files))
    identifiers = {f: identifier_of(f, root) for f in files}
    kept, clashes = _settle_identifiers(files, identifiers)
    return Inputs(kept, root, refused + clashes, {f: identifiers[f] for f in kept})


def identifier_of(path: Path, root: Path) -> str:
    """Return the identifier (slug) a file's document gets when built from ``root``."""
    return slug_for(source_name(path, root))


def _folder_documents(folder: Path) -> tuple[list[Path], list[Refusal]]:
    """Return the document files of a folder and the entries with a document name that are refused."""
    inside = folder.resolve()
    found: list[Path] = []
    bad: list[Refusal] = []
    for p in sorted(folder.iterdir()):
        if p.suffix.lower() not in DOCUMENT_SUFFIXES or p.stem.lower() in FOLDER_NOTES:
            continue
        problem = _folder_entry_problem(p, folder, inside)
        if problem:
            bad.append(Refusal(p, f"{p}: {problem}"))
        else:
            found.append(p)
    return found, bad


def _folder_entry_problem(p: Path, folder: Path, inside: Path) -> str | None:
    try:
        target = p.resolve()
    except (OSError, RuntimeError):  # a loop of links
        return "a link that leads nowhere (a loop of links); remove it"
    if p.is_symlink() and not p.exists():
        return f"a link to {os.readlink(p)}, which does not exist; remove the link or restore its file"
    if not target.is_relative_to(inside):
        return (f"it leads to {target}, outside the corpus folder {folder}, and is not read; "
                f"copy the file into the folder, or name it on the command line to build it from where it is")
    if p.is_dir():
        return ("a folder, not a document file: folders inside a corpus folder are not read; "
                "build it on its own (guidegraph build PATH) or rename it without a document extension")
    if not p.is_file():
        return "not a regular file (a device, pipe or socket), so it is not read"
    return None


def _without_repeats(files: list[Path]) -> list[Path]:
    """Drop a file listed again under the same name (a folder and one of its files, both given)."""
    seen: set[tuple[Path, str]] = set()
    out = []
    for f in files:
        key = (f.resolve(), f.name)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _settle_identifiers(files: list[Path], identifiers: dict[Path, str]) -> tuple[list[Path], list[Refusal]]:
    """Keep one file per identifier and refuse the others, naming every file of each clash."""
    groups: dict[str, list[Path]] = {}
    for f in files:
        groups.setdefault(identifiers[f], []).append(f)
    taken = set(groups)
    refused: dict[Path, Refusal] = {}
    for ident, group in groups.items():
        if len(group) < 2:
            continue
        # a file named as the identifier itself keeps it; else the first in order does
        holders = [f for f in group if f.stem == ident]
        keeper = (holders or group)[0]
        why = "its name is that identifier" if holders else "it comes first"
        everyone = ", ".join(str(f) for f in group)
        for f in group:
            if f == keeper:
                continue
            free = _free_identifier(ident, taken)
            taken.add(free)
            if f.resolve() == keeper.resolve():
                fix = f"it is the same file as {keeper}; remove one of the two"
            else:
                link = f" (it is a link to {f.resolve()})" if f.is_symlink() else ""
                fix = f"rename {f.name}{link} to a name of its own, such as {free}{f.suffix}"
            refused[f] = Refusal(f, f"{f}: its identifier '{ident}' is taken by {keeper} ({why}); "
                                    f"{len(group)} files would share it: {everyone}; {fix}")
    kept = [f for f in files if f not in refused]
    return kept, [refused[f] for f in files if f in refused]


def _free_identifier(ident: str, taken: set[str]) -> str:
    n = 2
    while f"{ident}-{n}" in taken:
        n += 1
    return f"{ident}-{n}"


def _common_parent(files: list[Path]) -> str:
    return os.path.commonpath([str(f.resolve().parent) for f in files]) if files else "."

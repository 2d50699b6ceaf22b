"""Where guidegraph finds its own files and where it keeps a store by default.

The ontology, the vocabulary, the SHACL shapes and the saved queries are package data
installed as ``guidegraph/ontology`` and ``guidegraph/queries`` and found through
:mod:`importlib.resources`; run from a checkout, they are its top-level ``ontology/`` and ``queries/``.

Defaults for the folders a user owns:

- **store**: ``$GUIDEGRAPH_STORE``; else, when guidegraph runs from its own checkout,
  ``instance/store`` in the checkout; else ``$XDG_DATA_HOME/guidegraph/store``
  (``~/.local/share/guidegraph/store``).
- **corpus** (``guidegraph build`` without a folder): the checkout's ``corpus/`` when run from a
  checkout; else ``corpus/`` in the current directory.
"""
from __future__ import annotations

import os
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

STORE_ENV_VAR = "GUIDEGRAPH_STORE"


@cache
def _data_folder(name: str) -> Path:
    # from a checkout (an editable install included) the top-level folder itself; from a wheel the
    # package data installed beside the code as guidegraph/<name>
    root = checkout_root()
    if root is not None:
        return root / name
    with as_file(files("guidegraph") / name) as path:
        return Path(path)


def ontology_dir() -> Path:
    """Return the folder of the ontology, vocabulary and shapes files."""
    return _data_folder("ontology")


def ontology_file(name: str = "guidegraph.ttl") -> Path:
    """Return one file of the ontology folder (``guidegraph.ttl``, ``vocabulary.ttl``, ``shapes.ttl``)."""
    return ontology_dir() / name


def queries_dir() -> Path:
    """Return the folder of saved queries (``*.rq``; the checks are in its ``checks/``)."""
    return _data_folder("queries")


def checkout_root() -> Path | None:
    """Return the source checkout guidegraph runs from, or None when it runs from an installed wheel."""
    package = Path(__file__).resolve().parent
    root = package.parent
    if package.name == "graph" and (root / "pyproject.toml").is_file() and (root / "app").is_dir():
        return root
    return None


def default_store_path() -> Path:
    """Return the store used when none is named (see the module docstring)."""
    env = os.environ.get(STORE_ENV_VAR)
    if env:
        return Path(env)
    root = checkout_root()
    if root is not None:
        return root / "instance" / "store"
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "guidegraph" / "store"


def default_corpus_path() -> Path:
    """Return the folder ``guidegraph build`` reads when none is named (see the module docstring)."""
    root = checkout_root()
    return (root if root is not None else Path.cwd()) / "corpus"

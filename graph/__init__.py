"""guidegraph: clinical guideline documents as a knowledge graph with provenance.

The library behind the command line and the web UI. It never imports Flask.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("guidegraph")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0"

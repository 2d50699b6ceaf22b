"""``python -m guidegraph``: the command line."""
from guidegraph.cli import main

raise SystemExit(main())

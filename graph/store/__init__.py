"""Where the graph is kept: an embedded Oxigraph store in generations, written by one process at a time."""
from guidegraph.store.embedded import Store, StoreBusy
from guidegraph.store.stats import store_stats

__all__ = ["Store", "StoreBusy", "store_stats"]

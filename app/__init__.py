"""The guidegraph web UI and SPARQL endpoint: a thin Flask layer over the graph library."""

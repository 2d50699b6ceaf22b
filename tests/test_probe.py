"""The hostile-input probe of bench/ against a live server on loopback: everything it tries must hold."""
from __future__ import annotations

import io

import pytest

from bench import probe


@pytest.mark.slow
def test_every_hostile_request_of_the_probe_is_refused_or_survived(built_store):
    out = io.StringIO()
    tried, held = probe.run(str(built_store.path), load=60, clients=4, out=out)
    report = out.getvalue()
    assert tried == held, "\n".join(line for line in report.splitlines() if line.startswith("FAILED"))
    assert tried > 80
    assert "the SERVICE listener received 0 connections" in report

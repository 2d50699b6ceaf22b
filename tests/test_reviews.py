"""Authors review findings: a dismissed finding stops failing the build, survives rebuilds, and
comes back when the words it involves change."""
from __future__ import annotations

import json
import shutil

import pytest

from .conftest import CORPUS

DOCUMENT = "oracle-osteoblastic-metastases.txt"  # 8 dangling markers: 8 findings of severity error


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(CORPUS / DOCUMENT, folder / DOCUMENT)
    return folder


def _build(run_cli, corpus, store):
    result = run_cli("build", corpus, "--store", store, "--no-reason", "--quiet")
    assert result.returncode == 0, result.stderr


def _errors(run_cli, store):
    report = json.loads(run_cli("check", "--store", store, "--format", "json").stdout)
    return [f for f in report["findings"] if f["severity"] == "error"]


def test_dismissing_every_error_lets_check_pass_and_the_decision_is_kept_beside_the_corpus(run_cli, corpus, tmp_path):
    store = tmp_path / "store"
    _build(run_cli, corpus, store)
    errors = _errors(run_cli, store)
    assert len(errors) == 8 and run_cli("check", "--store", store).returncode == 1
    for f in errors:
        reason = "the summary's reference list is cut short"
        done = run_cli("review", f["finding"], "--dismiss", reason, "--store", store)
        assert done.returncode == 0, done.stderr
        assert "dismissed" in done.stdout and str(corpus / "reviews.ttl") in done.stdout
    assert run_cli("check", "--store", store).returncode == 0
    text = run_cli("check", "--store", store).stdout
    assert "8 finding(s) dismissed by review, not counted" in text
    shown = json.loads(run_cli("check", "--store", store, "--format", "json", "--show-dismissed").stdout)
    reviewed = [f["review"] for f in shown["findings"] if f["review"]]
    assert len(reviewed) == 8 and all(r["decision"] == "dismissed" and not r["changedSinceReview"] for r in reviewed)
    assert (corpus / "reviews.ttl").read_text(encoding="utf-8").count("gg:Dismissed") == 8
    # a rebuild reads the reviews back from the file beside the corpus
    _build(run_cli, corpus, tmp_path / "other-store")
    assert run_cli("check", "--store", tmp_path / "other-store").returncode == 0


def test_a_dismissed_finding_counts_again_when_the_words_it_involves_change(run_cli, corpus, tmp_path):
    store = tmp_path / "store"
    _build(run_cli, corpus, store)
    first = _errors(run_cli, store)[0]
    statement = next(i for i in first["involves"] if i["kind"] == "Statement")
    assert run_cli("review", first["finding"], "--dismiss", "known", "--store", store).returncode == 0
    raw = (corpus / DOCUMENT).read_text(encoding="utf-8")
    # same length, same offsets, other words: the finding keeps its IRI but not its review
    word = next(w for w in statement["quote"].split() if w.isalpha() and len(w) > 4)
    at = raw.index(word, statement["start"])
    (corpus / DOCUMENT).write_text(raw[:at] + word[::-1] + raw[at + len(word):], encoding="utf-8")
    _build(run_cli, corpus, store)
    again = run_cli("check", "--store", store)
    assert again.returncode == 1
    assert f"words it involves changed since: review it again: {first['finding']}" in again.stdout


def test_a_review_of_a_finding_the_store_does_not_hold_is_refused_with_the_way_to_find_one(run_cli, corpus, tmp_path):
    store = tmp_path / "store"
    _build(run_cli, corpus, store)
    result = run_cli("review", "ggid:finding/none", "--dismiss", "x", "--store", store)
    assert result.returncode == 2 and "guidegraph check --format json" in result.stderr
    assert not (corpus / "reviews.ttl").exists()
    blank = run_cli("review", _errors(run_cli, store)[0]["finding"], "--dismiss", "  ", "--store", store)
    assert blank.returncode == 2 and "say why" in blank.stderr


def test_an_accepted_finding_still_counts(run_cli, corpus, tmp_path):
    store = tmp_path / "store"
    _build(run_cli, corpus, store)
    for f in _errors(run_cli, store):
        assert run_cli("review", f["finding"], "--accept", "--store", store).returncode == 0
    assert run_cli("check", "--store", store).returncode == 1
    assert run_cli("check", "--store", store).stdout.count("(accepted)") == 8


def test_the_checks_page_hides_dismissed_findings_and_shows_them_with_their_reason_on_request(run_cli, corpus,
                                                                                            tmp_path):
    from guidegraph.web import create_app

    store = tmp_path / "store"
    _build(run_cli, corpus, store)
    first = _errors(run_cli, store)[0]
    assert run_cli("review", first["finding"], "--dismiss", "numbered by the source", "--store", store).returncode == 0
    client = create_app({"STORE": str(store), "TESTING": True}).test_client()
    report = client.get("/checks.json").get_json()
    assert report["dismissed"] == 1 and first["finding"] not in [f["finding"] for f in report["findings"]]
    shown = client.get("/checks.json?dismissed=1").get_json()
    [same] = [f for f in shown["findings"] if f["finding"] == first["finding"]]
    assert same["review"] == {"decision": "dismissed", "reason": "numbered by the source", "changedSinceReview": False}
    page = client.get("/checks?dismissed=1").get_data(as_text=True)
    assert "dismissed by review: numbered by the source" in page
    assert "1 dismissed by review" in client.get("/checks").get_data(as_text=True)

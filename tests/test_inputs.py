"""What a build accepts as input: one identifier per document, files inside their corpus folder.

find_inputs decides before any document is built; what it refuses is a failed input of the
build (exit code 1), named with what to do.
"""
from __future__ import annotations

import os
import shutil

import pytest

from guidegraph.build import build
from guidegraph.errors import CorpusError
from guidegraph.ingest.inputs import find_inputs
from guidegraph.store.embedded import Store

from .conftest import CORPUS

SMALL = CORPUS / "oracle-osteoblastic-metastases.txt"
OTHER = CORPUS / "oracle-breast-cancer-bone-metastasis.txt"


def quick_build(inputs, tmp_path):
    return build(inputs, Store(tmp_path / "store"), reason=False, check_shapes=False, run_checks=False)


def refusal_of(found, name):
    messages = [r.message for r in found.refused if r.path.name == name]
    assert len(messages) == 1, [r.message for r in found.refused]
    return messages[0]


# -- identifiers --------------------------------------------------------------------------
def test_a_file_whose_name_is_the_identifier_keeps_it_although_a_look_alike_sorts_first(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SMALL, corpus / "bone-care-guide.txt")
    shutil.copy(OTHER, corpus / "bone care guide.txt")  # sorts before "bone-care-guide.txt"
    found = find_inputs([corpus])
    assert [f.name for f in found.files] == ["bone-care-guide.txt"]
    message = refusal_of(found, "bone care guide.txt")
    assert "its identifier 'bone-care-guide' is taken by" in message
    assert f"{corpus / 'bone-care-guide.txt'} (its name is that identifier)" in message
    assert "rename bone care guide.txt to a name of its own, such as bone-care-guide-2.txt" in message

    report = quick_build([corpus], tmp_path)
    assert [(d.slug, d.source_file) for d in report.documents] == [("bone-care-guide", "bone-care-guide.txt")]
    assert report.documents[0].statements == 36  # the real one, not the look-alike
    assert [f.source for f in report.failures] == [str(corpus / "bone care guide.txt")]


def test_every_file_that_would_share_an_identifier_is_named_in_each_refusal(tmp_path):
    for name in ("Bone Care.txt", "bone_care.md", "bone-care.txt", "BONE CARE.text"):
        shutil.copy(SMALL, tmp_path / name)
    found = find_inputs([tmp_path])
    assert [f.name for f in found.files] == ["bone-care.txt"]
    assert len(found.refused) == 3
    for r in found.refused:
        assert "4 files would share it" in r.message
        for name in ("Bone Care.txt", "bone_care.md", "bone-care.txt", "BONE CARE.text"):
            assert str(tmp_path / name) in r.message


def test_without_a_file_named_as_the_identifier_the_first_in_order_keeps_it_and_the_rest_are_refused(tmp_path):
    shutil.copy(SMALL, tmp_path / "Bone Care.txt")
    shutil.copy(OTHER, tmp_path / "bone_care.txt")
    found = find_inputs([tmp_path])
    assert [f.name for f in found.files] == ["Bone Care.txt"]
    message = refusal_of(found, "bone_care.txt")
    assert "taken by" in message and "(it comes first)" in message and "bone-care-2.txt" in message


def test_a_suggested_new_name_is_not_itself_taken(tmp_path):
    for name in ("care.txt", "care .txt", "care-2.txt"):
        shutil.copy(SMALL, tmp_path / name)
    found = find_inputs([tmp_path])
    assert "such as care-3.txt" in refusal_of(found, "care .txt")


def test_same_named_files_of_two_folders_keep_the_first_and_name_both(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(SMALL, a / "same.txt")
    shutil.copy(OTHER, b / "same.txt")
    found = find_inputs([a / "same.txt", b / "same.txt"])
    assert found.files == [a / "same.txt"]
    message = refusal_of(found, "same.txt")
    assert message.startswith(f"{b / 'same.txt'}: its identifier 'same' is taken by {a / 'same.txt'}")
    assert f"{a / 'same.txt'}, {b / 'same.txt'}" in message


def test_clashes_are_found_before_any_document_is_read(tmp_path):
    # neither file is a readable document: the clash is decided from the names alone
    (tmp_path / "x y.txt").write_bytes(b"\x00\x01")
    (tmp_path / "x-y.txt").write_bytes(b"\x00\x01")
    found = find_inputs([tmp_path])
    assert [f.name for f in found.files] == ["x-y.txt"]
    assert "identifier 'x-y' is taken" in refusal_of(found, "x y.txt")


def test_the_same_file_named_twice_is_built_once_without_a_refusal(tmp_path):
    shutil.copy(SMALL, tmp_path / "doc.txt")
    found = find_inputs([tmp_path, tmp_path / "doc.txt"])
    assert found.files == [tmp_path / "doc.txt"] and found.refused == []


def test_the_clash_of_the_real_corpus_look_alike_is_a_failed_input_with_exit_code_1(tmp_path, run_cli):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SMALL, corpus / "oracle-osteoblastic-metastases.txt")
    shutil.copy(OTHER, corpus / "oracle osteoblastic metastases.txt")
    result = run_cli("build", corpus, "--store", tmp_path / "store", "--no-reason", "--no-validate", "--no-checks")
    assert result.returncode == 1, result.stderr
    assert "oracle osteoblastic metastases.txt: its identifier 'oracle-osteoblastic-metastases' is taken by" \
        in result.stderr
    assert "Built 1 document" in result.stdout


# -- links --------------------------------------------------------------------------------
def test_a_link_in_the_corpus_folder_to_a_file_outside_it_is_refused_and_its_text_never_read(tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("Private Notes\n\nThe vault code is 4242 and nobody may know it.\n")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SMALL, corpus / "doc.txt")
    os.symlink(secret, corpus / "passwd.txt")
    found = find_inputs([corpus])
    assert found.files == [corpus / "doc.txt"]
    message = refusal_of(found, "passwd.txt")
    assert f"it leads to {secret.resolve()}, outside the corpus folder {corpus}" in message
    assert "name it on the command line" in message

    store = tmp_path / "store"
    report = build([corpus], Store(store), reason=False, check_shapes=False, run_checks=False)
    assert [d.slug for d in report.documents] == ["doc"]
    assert [f.source for f in report.failures] == [str(corpus / "passwd.txt")]
    assert not any(b"vault code" in p.read_bytes() for p in store.rglob("*") if p.is_file())
    ds = Store(store).dataset()
    assert not ds.query('ASK { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), "vault code")) } }').askAnswer


def test_a_link_to_a_system_file_placed_in_the_corpus_folder_is_refused(tmp_path):
    system_file = "/etc/passwd"
    if not os.path.isfile(system_file):
        pytest.skip("no /etc/passwd on this system")
    shutil.copy(SMALL, tmp_path / "doc.txt")
    os.symlink(system_file, tmp_path / "passwd.txt")
    found = find_inputs([tmp_path])
    assert found.files == [tmp_path / "doc.txt"]
    assert "outside the corpus folder" in refusal_of(found, "passwd.txt")


def test_a_link_to_another_file_inside_the_corpus_folder_is_built(tmp_path):
    (tmp_path / "sources").mkdir()
    shutil.copy(SMALL, tmp_path / "sources" / "osteoblastic.txt")
    os.symlink("sources/osteoblastic.txt", tmp_path / "osteoblastic.txt")
    found = find_inputs([tmp_path])
    assert found.files == [tmp_path / "osteoblastic.txt"] and found.refused == []
    report = quick_build([tmp_path], tmp_path)
    assert [d.statements for d in report.documents] == [36] and report.failures == []


def test_a_second_name_for_a_file_of_the_same_folder_is_refused_as_the_same_file(tmp_path):
    shutil.copy(SMALL, tmp_path / "osteoblastic.txt")
    os.symlink("osteoblastic.txt", tmp_path / "another-name.txt")
    found = find_inputs([tmp_path])
    assert found.files == [tmp_path / "osteoblastic.txt"]
    assert f"it is the same file as {tmp_path / 'osteoblastic.txt'}" in refusal_of(found, "another-name.txt")


def test_a_corpus_folder_reached_through_a_link_reads_its_own_files(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    shutil.copy(SMALL, real / "doc.txt")
    os.symlink(real, tmp_path / "corpus")
    found = find_inputs([tmp_path / "corpus"])
    assert found.files == [tmp_path / "corpus" / "doc.txt"] and found.refused == []


def test_a_file_named_on_the_command_line_may_live_anywhere_even_behind_a_link(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(SMALL, elsewhere / "doc.txt")
    (tmp_path / "corpus").mkdir()
    os.symlink(elsewhere / "doc.txt", tmp_path / "corpus" / "doc.txt")
    found = find_inputs([tmp_path / "corpus" / "doc.txt"])
    assert found.files == [tmp_path / "corpus" / "doc.txt"] and found.refused == []


def test_a_broken_link_and_a_loop_of_links_named_like_documents_are_reported(tmp_path):
    shutil.copy(SMALL, tmp_path / "doc.txt")
    os.symlink("missing.txt", tmp_path / "broken.txt")
    os.symlink("loop.txt", tmp_path / "loop.txt")
    found = find_inputs([tmp_path])
    assert found.files == [tmp_path / "doc.txt"]
    assert "a link to missing.txt, which does not exist" in refusal_of(found, "broken.txt")
    assert "loop" in refusal_of(found, "loop.txt")


# -- what is not a document file -----------------------------------------------------------
def test_a_folder_named_like_a_document_is_reported_not_skipped(tmp_path):
    shutil.copy(SMALL, tmp_path / "doc.txt")
    (tmp_path / "x.txt").mkdir()
    found = find_inputs([tmp_path])
    assert found.files == [tmp_path / "doc.txt"]
    assert "a folder, not a document file" in refusal_of(found, "x.txt")
    report = quick_build([tmp_path], tmp_path)
    assert [f.source for f in report.failures] == [str(tmp_path / "x.txt")]


def test_a_folder_holding_only_refused_entries_builds_nothing_and_says_why(tmp_path):
    (tmp_path / "x.txt").mkdir()
    with pytest.raises(CorpusError, match=r"no document could be built.*x\.txt: a folder, not a document file"):
        quick_build([tmp_path], tmp_path)


def test_a_folder_without_any_document_name_is_still_a_clear_error(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    with pytest.raises(CorpusError, match="no documents in this folder"):
        find_inputs([tmp_path])


def test_a_folders_own_notes_are_not_documents_unless_named(tmp_path):
    shutil.copy(SMALL, tmp_path / "doc.txt")
    for name in ("README.md", "SOURCES.md", "LICENSE.txt", "CHANGELOG.md"):
        (tmp_path / name).write_text("# Where these pages came from\n\nSaved from their sites on 2026-12-01.\n")
    found = find_inputs([tmp_path])
    assert found.files == [tmp_path / "doc.txt"] and found.refused == []
    # named on the command line, a notes file is built like any other
    assert find_inputs([tmp_path / "SOURCES.md"]).files == [tmp_path / "SOURCES.md"]

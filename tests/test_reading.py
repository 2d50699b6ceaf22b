"""Bad input files get a clear error naming the file and what is wrong."""
from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from guidegraph.errors import DocumentError
from guidegraph.ingest.document import ingest
from guidegraph.ingest.reading import read_raw


def test_empty_file_is_refused_as_empty(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(DocumentError, match=r"empty\.txt: file is empty"):
        read_raw(p)


def test_whitespace_only_file_counts_as_empty(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_text("  \n\n\t\n")
    with pytest.raises(DocumentError, match="file is empty"):
        read_raw(p)


def test_binary_file_is_refused_as_binary(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(DocumentError, match=r"image\.txt: file is binary"):
        read_raw(p)


def test_non_utf8_file_names_the_byte_and_line(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes("Heading\n\nZoledronic acid is given every 4 weeks.\nCaf\xe9 au lait.\n".encode("latin-1"))
    with pytest.raises(DocumentError) as err:
        read_raw(p)
    message = str(err.value)
    assert "latin1.txt: not valid UTF-8: byte 52 (line 4) is 0xe9" in message
    assert "save the file as UTF-8" in message


def test_oversized_file_is_refused_before_it_is_read(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:
        f.truncate(20 * 1024 * 1024)
    with pytest.raises(DocumentError, match=r"20,971,520 bytes, over the limit of 5,242,880"):
        read_raw(p)


def test_crlf_text_is_kept_as_written(tmp_path):
    p = tmp_path / "crlf.txt"
    p.write_bytes(b"Title\r\n\r\nA sentence. 1\r\n")
    raw, sha = read_raw(p)
    assert raw == "Title\r\n\r\nA sentence. 1\r\n" and len(sha) == 64


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        read_raw(tmp_path / "nope.txt")


# -- encodings ---------------------------------------------------------------------------

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SAMPLE = "Heading\n\nZoledronic acid is given every 4 weeks. 1\nCafé au lait ≥ 3.\n"


def test_a_utf8_byte_order_mark_is_not_part_of_the_text_but_is_part_of_the_checksum(tmp_path):
    p = tmp_path / "bom.txt"
    data = codecs.BOM_UTF8 + SAMPLE.encode("utf-8")
    p.write_bytes(data)
    raw, sha = read_raw(p)
    assert raw == SAMPLE
    assert sha == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                        ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE)],
                         ids=["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_documents_with_a_byte_order_mark_are_decoded(tmp_path, codec, bom):
    p = tmp_path / "wide.txt"
    data = bom + SAMPLE.encode(codec)
    p.write_bytes(data)
    raw, sha = read_raw(p)
    assert raw == SAMPLE
    assert sha == hashlib.sha256(data).hexdigest()


def test_utf16_that_cannot_be_decoded_names_the_encoding_the_byte_and_the_line(tmp_path):
    p = tmp_path / "broken16.txt"
    # a high surrogate followed by a plain letter cannot be decoded
    p.write_bytes(codecs.BOM_UTF16_LE + "Title\n\nText".encode("utf-16-le") + b"\x00\xd8A\x00")
    with pytest.raises(DocumentError) as err:
        read_raw(p)
    assert "broken16.txt: not valid UTF-16 LE: byte 24 (line 3) is 0x00" in str(err.value)
    assert "save the file as UTF-8" in str(err.value)


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE],
                         ids=["utf-8", "utf-16-le", "utf-16-be"])
def test_a_file_with_only_a_byte_order_mark_and_white_space_is_empty(tmp_path, bom):
    p = tmp_path / "bom-only.txt"
    p.write_bytes(bom + " \n".encode("utf-16-le" if bom == codecs.BOM_UTF16_LE else
                                     "utf-16-be" if bom == codecs.BOM_UTF16_BE else "utf-8"))
    with pytest.raises(DocumentError, match="file is empty"):
        read_raw(p)


def test_utf16_without_a_byte_order_mark_is_still_called_binary(tmp_path):
    p = tmp_path / "nobom16.txt"
    p.write_bytes(SAMPLE.encode("utf-16-le"))
    with pytest.raises(DocumentError, match="file is binary"):
        read_raw(p)


def test_nul_characters_in_a_utf16_document_make_it_binary(tmp_path):
    p = tmp_path / "nul16.txt"
    p.write_bytes(codecs.BOM_UTF16_LE + "Title\x00\x00 text".encode("utf-16-le"))
    with pytest.raises(DocumentError, match="file is binary .*UTF-16 LE"):
        read_raw(p)


@pytest.mark.parametrize("codec, bom", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
                                        ("utf-16-be", codecs.BOM_UTF16_BE)], ids=["utf-8", "utf-16-le", "utf-16-be"])
def test_a_document_with_a_byte_order_mark_has_the_offsets_of_the_same_document_without_one(tmp_path, codec, bom):
    source = CORPUS / "oracle-osteoblastic-metastases.txt"
    plain = ingest(source)
    p = tmp_path / source.name
    data = bom + source.read_text(encoding="utf-8").encode(codec)
    p.write_bytes(data)
    doc = ingest(p)
    assert doc.raw == plain.raw
    assert [(s.start, s.end, s.text) for s in doc.statements] == [(s.start, s.end, s.text) for s in plain.statements]
    assert [(m.start, m.end, m.number) for m in doc.markers] == [(m.start, m.end, m.number) for m in plain.markers]
    assert all(doc.raw[m.start:m.end] == m.content for m in doc.markers)
    assert doc.sha256 == hashlib.sha256(data).hexdigest() != plain.sha256

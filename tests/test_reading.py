"""Bad input files get a clear error naming the file and what is wrong."""
from __future__ import annotations

import pytest

from graph.errors import DocumentError
from graph.reading import read_raw


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

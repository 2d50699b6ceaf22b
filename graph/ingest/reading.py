"""Read one document file into its raw text, refusing what is not a text document.

A document is UTF-8, with or without a byte order mark (BOM); UTF-16 and UTF-32 are read
when they start with their BOM. The BOM is not part of the text: the raw text (``gg:rawText``)
starts after it, and every offset counts characters (code points) of that text. The SHA-256
is always the one of the file's bytes as stored, BOM included.
"""
from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from guidegraph.errors import DocumentError

# Guideline pages are tens of kilobytes; anything far larger is not one document.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# Byte order marks and what they announce; the UTF-32 LE mark starts with the UTF-16 LE one,
# so it is looked for first.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
# How much of a document the binary tests look at.
_SAMPLE = 65536


def detect_encoding(data: bytes) -> tuple[str, str, int]:
    """Return the codec, the name and the BOM length for a file's bytes (UTF-8 without BOM by default)."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return codec, name, len(bom)
    return "utf-8", "UTF-8", 0


def read_raw(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str]:
    """Return the file's text, decoded exactly as stored (without a BOM), and the SHA-256 of its bytes."""
    path = Path(path)
    if not path.exists():
        raise DocumentError(path, "no such file", "check the path")
    if not path.is_file():
        raise DocumentError(path, "not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentError(
            path,
            f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes for one document",
            "split it into documents or raise the limit with --max-bytes",
        )
    data = path.read_bytes()
    codec, name, bom = detect_encoding(data)
    if not bom:
        if not data.strip():
            raise DocumentError(path, "file is empty", "remove it from the corpus or add its text")
        if b"\x00" in data[:_SAMPLE]:
            raise DocumentError(path, "file is binary (it contains NUL bytes), not a text document")
    body = data[bom:]
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        at = bom + exc.start  # the offset in the file, BOM included
        line = body[:exc.start].decode(codec, errors="replace").count("\n") + 1
        raise DocumentError(
            path,
            f"not valid {name}: byte {at} (line {line}) is 0x{data[at]:02x}",
            "save the file as UTF-8",
        ) from None
    if not text.strip():
        raise DocumentError(path, "file is empty", "remove it from the corpus or add its text")
    if "\x00" in text[:_SAMPLE]:
        raise DocumentError(path, f"file is binary (it contains NUL characters once read as {name}), "
                                  "not a text document")
    controls = sum(1 for ch in text[:_SAMPLE] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), _SAMPLE):
        raise DocumentError(path, "file looks binary (many control characters), not a text document")
    return text, hashlib.sha256(data).hexdigest()

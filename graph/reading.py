"""Read one document file into its raw text, refusing what is not a text document."""
from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import DocumentError

# Guideline pages are tens of kilobytes; anything far larger is not one document.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def read_raw(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str]:
    """Return the file's text, decoded as UTF-8 exactly as stored, and its SHA-256."""
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
    if not data.strip():
        raise DocumentError(path, "file is empty", "remove it from the corpus or add its text")
    if b"\x00" in data[:65536]:
        raise DocumentError(path, "file is binary (it contains NUL bytes), not a text document")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DocumentError(
            path,
            f"not valid UTF-8: byte {exc.start} (line {line}) is 0x{data[exc.start]:02x}",
            "save the file as UTF-8",
        ) from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 65536):
        raise DocumentError(path, "file looks binary (many control characters), not a text document")
    return text, hashlib.sha256(data).hexdigest()

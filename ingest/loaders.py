"""Reading a document file into text plus metadata, with a clear error for anything unreadable."""
from __future__ import annotations

from pathlib import Path

from assistant.errors import IngestError
from knowledge.catalog import SUPPORTED_SUFFIXES, describe
from knowledge.records import DocumentInfo


def load_document(path: Path) -> tuple[DocumentInfo, str]:
    """Return (metadata, text) for a .txt or .md file, or raise IngestError naming the file."""
    if not path.exists():
        raise IngestError(f"{path}: no such file.")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise IngestError(f"{path}: unsupported file type '{path.suffix}' "
                          f"(supported: {', '.join(SUPPORTED_SUFFIXES)}).")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
    if b"\x00" in data:
        raise IngestError(f"{path}: looks like a binary file, not text; nothing was ingested.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: is not valid UTF-8 text (byte {exc.start}).") from exc
    if not text.strip():
        raise IngestError(f"{path}: is empty.")
    return describe(path, text), text

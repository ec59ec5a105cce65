"""Reading a document file into text plus metadata, with a clear error for anything unreadable."""
from __future__ import annotations

from pathlib import Path

from ingest.errors import IngestError
from knowledge.catalog import SUPPORTED_SUFFIXES, describe
from knowledge.records import DocumentInfo


CONVERTERS = {".docx": "docx_to_text", ".pdf": "pdf_to_text", ".html": "html_to_text",
              ".htm": "html_to_text"}


def load_document(path: Path) -> tuple[DocumentInfo, str]:
    """Return (metadata, text) for a supported file, or raise IngestError naming the file."""
    if not path.exists():
        raise IngestError(f"{path}: no such file.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(f"{path}: unsupported file type '{path.suffix}' "
                          f"(supported: {', '.join(SUPPORTED_SUFFIXES)}).")
    if suffix in CONVERTERS:
        return _convert(path, CONVERTERS[suffix])
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


def _convert(path: Path, converter: str) -> tuple[DocumentInfo, str]:
    """Word, PDF or HTML through its converter; any failure becomes an IngestError."""
    from ingest import formats

    try:
        text = getattr(formats, converter)(path)
    except Exception as exc:  # a corrupt file raises whatever its library raises
        raise IngestError(f"{path}: cannot be read as {path.suffix.lstrip('.').upper()} "
                          f"({type(exc).__name__}: {exc}).") from exc
    if not text.strip():
        raise IngestError(f"{path}: has no text (a scanned PDF needs OCR first).")
    return describe(path, text), text

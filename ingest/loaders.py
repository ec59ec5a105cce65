"""Reading a document file into text plus metadata, with a clear error for anything unreadable."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError
from knowledge.catalog import SUPPORTED_SUFFIXES, describe
from knowledge.records import DocumentInfo

_KINDS = {".docx": "a Word document", ".odt": "an OpenDocument text", ".pdf": "a PDF",
          ".html": "HTML", ".htm": "HTML"}
ARCHIVES = (".docx", ".odt")  # zip files inside
MAX_EXPANDED_BYTES = 100 * 1024 * 1024  # a Word or ODF file expanding past this is refused


@dataclass
class LoadedDocument:
    """A document's metadata, its text for the parser, and warnings for the ingest report."""

    info: DocumentInfo
    text: str
    warnings: list[str] = field(default_factory=list)


def load_document(path: Path) -> tuple[DocumentInfo, str]:
    """Return (metadata, text) for a supported file, or raise IngestError naming the file."""
    loaded = read_document(path)
    return loaded.info, loaded.text


def read_document(path: Path) -> LoadedDocument:
    """Read a supported file with its warnings (e.g. a PDF page that is only an image)."""
    if not path.exists():
        raise IngestError(f"{path}: no such file.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(f"{path}: unsupported file type '{path.suffix}' "
                          f"(supported: {', '.join(SUPPORTED_SUFFIXES)}).")
    if suffix in ARCHIVES:
        _check_archive(path)
    if suffix in _KINDS:
        return _convert(path)
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
    return LoadedDocument(describe(path, text), text)


def _check_archive(path: Path) -> None:
    """Refuse a .docx/.odt that is not a zip, or that expands past MAX_EXPANDED_BYTES (a zip
    bomb), before anything reads it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{path}: is not {_KINDS[path.suffix.lower()]} (not a ZIP archive); "
                          "export it again from Word or LibreOffice.") from exc
    if expanded > MAX_EXPANDED_BYTES:
        raise IngestError(f"{path}: expands to {expanded / 2**20:.0f} MB, more than the "
                          f"{MAX_EXPANDED_BYTES / 2**20:.0f} MB a document can be; nothing "
                          "was read.")


def _convert(path: Path) -> LoadedDocument:
    """Word, ODF, PDF or HTML through its converter; any failure becomes an IngestError."""
    from ingest.formats import convert
    from ingest.formats.messages import FormatError, no_text, unreadable

    try:
        converted = convert(path)
    except FormatError as exc:
        raise IngestError(str(exc)) from exc
    except Exception as exc:  # a corrupt file raises whatever its library raises
        raise IngestError(unreadable(path, _KINDS[path.suffix.lower()], exc)) from exc
    if not converted.text.strip():
        raise IngestError(no_text(path))
    return LoadedDocument(describe(path, converted.text), converted.text, converted.warnings)


def check_editions(documents: list[LoadedDocument]) -> None:
    """Refuse two files that are editions of one document: the same name with another
    extension ("strategy.txt" and "strategy.docx") or the same catalog id. Raises one
    IngestError naming both files."""
    from knowledge.catalog import slug_for

    by_name: dict[str, LoadedDocument] = {}
    by_id: dict[str, LoadedDocument] = {}
    for document in documents:
        path = Path(document.info.path)
        for seen, key, why in ((by_name, slug_for(path), "the same name"),
                               (by_id, document.info.doc_id,
                                f"the same document id '{document.info.doc_id}'")):
            other = seen.setdefault(key, document)
            if other is not document:
                raise IngestError(
                    f"{other.info.path} and {path} are two editions of one document "
                    f"({why}); keep one of them in the folder, or give the other its own "
                    f"name and catalog entry.")


def duplicate_section_message(paths: dict[str, str], duplicate_ids: list[str]) -> str:
    """The error for sections whose ids clash: which document, which heading path."""
    first = duplicate_ids[0]
    doc_id, _, heading = first.partition("/")
    where = paths.get(doc_id, doc_id)
    return (f"{where}: two sections have the same heading path ({heading.split('#')[0]}); "
            "give one of the headings a different title.")

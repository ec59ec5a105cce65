"""Every message the converters give people about a file: wording reviewed in one place."""
from __future__ import annotations

from pathlib import Path


class FormatError(Exception):
    """A file that cannot be converted, with a message meant for the person ingesting it.
    The loader turns it into an IngestError."""


def not_a_zip(path: Path, kind: str) -> str:
    return f"{path}: is not a {kind} (not a ZIP archive); save it again from the word processor."


def password_protected(path: Path) -> str:
    return f"{path}: is password-protected; export it without a password."


def image_only(path: Path) -> str:
    return (f"{path}: has no text layer (every page is an image); export the document with "
            "text. Nothing was ingested (pdbot does not OCR scans).")


def image_page(path: Path, page: int) -> str:
    return (f"{path.name}: page {page} is an image with no text; export the document with "
            "text (nothing on that page was read)")


def _reason(exc: Exception | None) -> str:
    return f"{type(exc).__name__}: {exc}" if exc is not None else "no reason given"


def page_read_as_plain_text(path: Path, page: int | None, exc: Exception) -> str:
    where = f"page {page}" if page is not None else "the file"
    return (f"{path.name}: {where} could not be read as laid out ({_reason(exc)}); it was read "
            "as plain text instead, so its headings and tables may be missing")


def page_unreadable(path: Path, page: int, exc: Exception, second: Exception | None) -> str:
    return (f"{path.name}: page {page} cannot be read ({_reason(exc)}; and as plain text: "
            f"{_reason(second)}); nothing on that page was indexed, the rest of the file was")


def no_text(path: Path) -> str:
    return f"{path}: has no text."


def no_sections(path: Path) -> str:
    return (f"{path}: no sections were found in it (no headings and no text to index); "
            "nothing was ingested.")


def unreadable(path: Path, kind: str, exc: Exception) -> str:
    return f"{path}: cannot be read as {kind} ({type(exc).__name__}: {exc})."

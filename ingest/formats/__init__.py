"""Word, ODF, PDF and HTML files as the Markdown-like text the structure parser reads.

One module per format (docx, odt, html, pdf), all writing through markdown.MarkdownWriter so
each reaches the parser in the same shape as the plain-text edition. `convert` picks the
converter by suffix and returns the text with any warnings (a PDF page that is only an image).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = {".docx": "docx", ".odt": "odt", ".pdf": "pdf", ".html": "html", ".htm": "html"}


@dataclass
class Converted:
    """A converted file: its Markdown-like text and warnings for the ingest report."""

    text: str
    warnings: list[str] = field(default_factory=list)


def convert(path: Path) -> Converted:
    """Convert a .docx/.odt/.pdf/.html file; raises FormatError (or the library's error)."""
    kind = SUFFIXES[path.suffix.lower()]
    if kind == "docx":
        from ingest.formats.docx import docx_to_text
        return Converted(docx_to_text(path))
    if kind == "odt":
        from ingest.formats.odt import odt_to_text
        return Converted(odt_to_text(path))
    if kind == "html":
        from ingest.formats.html import html_to_text
        return Converted(html_to_text(path))
    from ingest.formats.pdf import convert_pdf
    return convert_pdf(path)


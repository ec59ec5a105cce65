"""PDF documents (pdfplumber, pypdf as a second reader): text with page markers, headings,
lists and tables kept.

A tagged PDF (one with a structure tree, as Chromium writes) is read through its tags
(pdf_tagged.py): H1-H6, P, L/LI, Table/TR/TH/TD. An untagged one (LibreOffice's) is read from
its layout (pdf_layout.py): the outline (bookmarks) names the headings, font size and weight
find the rest, columns of text under a rule become tables. A page with no text layer is
reported (never OCR'd); a PDF with no text at all, or a password, is refused.

No page stops the file: a page pdfplumber (pdfminer) cannot read, or that the layout reader
fails on, is read as plain lines by pypdf, and a page neither can read is named in a warning
while the rest of the file is indexed.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from ingest.formats import Converted
from ingest.formats.markdown import MarkdownWriter, Span
from ingest.formats.messages import (FormatError, image_only, image_page, no_text,
                                     page_read_as_plain_text, page_unreadable,
                                     password_protected)

log = logging.getLogger(__name__)
_BULLET = re.compile(r"^\s*[•◦▪●○■□‣∙·-]\s*")


def convert_pdf(path: Path) -> Converted:
    """The PDF as Markdown-like text, with a warning for each page that is only an image or
    that could not be read as laid out."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:
        if isinstance(exc, PDFPasswordIncorrect) or any(
                isinstance(a, PDFPasswordIncorrect) for a in getattr(exc, "args", ())):
            raise FormatError(password_protected(path)) from exc
        return _plain_document(path, exc)
    with pdf:
        pages = list(pdf.pages)
        failed = _unreadable_pages(pages)
        read = [p for p in pages if p.page_number not in failed]
        texted = [p for p in read if any(not c["text"].isspace() for c in p.chars)]
        scanned = [p.page_number for p in read if p not in texted and p.images]
        if not texted and not failed:
            raise FormatError(image_only(path) if scanned else no_text(path))
        warnings = [image_page(path, n) for n in scanned]
        for page in texted:
            _mark_links(page)
        tree = _structure_tree(pdf) if not failed else []
        text = None
        if tree:
            text = _attempt(lambda: _read_tagged(pdf, tree), path, "the tagged reader")
        if text is None and not failed:
            text = _attempt(lambda: _read_layout(pdf, texted), path, "the layout reader")
        if text is None:
            text = _read_by_page(path, pdf, pages, texted, failed, warnings)
    if not text.strip():
        raise FormatError(no_text(path))
    return Converted(text, warnings)


def _read_tagged(pdf, tree) -> str:
    from ingest.formats.pdf_tagged import read_tagged

    return read_tagged(pdf, tree)


def _read_layout(pdf, pages) -> str:
    from ingest.formats.pdf_layout import read_layout

    return read_layout(pdf, pages)


def _attempt(read, path: Path, what: str) -> str | None:
    """The text `read` returns, or None (logged) when it raises."""
    try:
        return read()
    except Exception as exc:  # read again page by page: one page must not stop the file
        log.warning("%s: %s failed (%s: %s); reading it page by page", path.name, what,
                    type(exc).__name__, exc)
        return None


def _unreadable_pages(pages) -> dict[int, Exception]:
    """Pages whose content pdfplumber (pdfminer) cannot parse: {page number: the error}."""
    failed = {}
    for page in pages:
        try:
            page.chars, page.annots  # noqa: B018 - parsing the page is the check
        except Exception as exc:
            failed[page.page_number] = exc
    return failed


def _read_by_page(path: Path, pdf, pages, texted, failed: dict[int, Exception],
                  warnings: list[str]) -> str:
    """Runs of readable pages through the layout reader (a run it fails on, page by page);
    every other page with text through pypdf; a page neither reads becomes a warning."""
    parts: list[str] = []
    texted_numbers = {p.page_number for p in texted}
    run: list = []

    def flush() -> None:
        if run:
            parts.extend(_layout_run(path, pdf, list(run), failed))
            run.clear()

    for page in pages:
        if page.page_number in texted_numbers:
            run.append(page)
            continue
        flush()
        if page.page_number in failed:
            parts.append(page.page_number)  # read by pypdf below
    flush()
    text: list[str] = []
    plain = None
    for part in parts:
        if isinstance(part, int):
            plain = plain if plain is not None else _pypdf_reader(path)
            page_text, error = _pypdf_page(plain, part)
            if page_text is None:
                warnings.append(page_unreadable(path, part, failed[part], error))
            else:
                warnings.append(page_read_as_plain_text(path, part, failed[part]))
                text.append(_plain_page(part, page_text))
        else:
            text.append(part)
    return "\n".join(text)


def _layout_run(path: Path, pdf, run: list, failed: dict[int, Exception]) -> list:
    """Text of consecutive readable pages; a page the layout reader fails on is marked as
    failed (its number stands in the list, to be read by pypdf)."""
    try:
        return [_read_layout(pdf, run)]
    except Exception as exc:
        if len(run) == 1:
            failed[run[0].page_number] = exc
            return [run[0].page_number]
    out: list = []
    for page in run:
        out.extend(_layout_run(path, pdf, [page], failed))
    return out


def _pypdf_reader(path: Path):
    try:
        from pypdf import PdfReader

        return PdfReader(path)
    except Exception as exc:
        return exc


def _pypdf_page(reader, number: int) -> tuple[str | None, Exception | None]:
    """A page's text from pypdf, or (None, the error)."""
    if isinstance(reader, Exception):
        return None, reader
    try:
        text = reader.pages[number - 1].extract_text() or ""
    except Exception as exc:
        return None, exc
    if not text.strip():
        return None, ValueError("no text")
    return text, None


def _plain_page(number: int, text: str) -> str:
    """Plain lines as blocks: a bullet starts a list item; a line ending a sentence, or
    much shorter than the page's longest, ends a paragraph (short lines may be headings)."""
    writer = MarkdownWriter()
    writer.page(number)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    widest = max((len(line) for line in lines), default=0)
    paragraph: list[str] = []
    bullet = False

    def close() -> None:
        nonlocal paragraph, bullet
        if paragraph:
            spans = [Span(" ".join(paragraph))]
            writer.bullet(spans) if bullet else writer.paragraph(spans)
        paragraph, bullet = [], False

    for line in lines:
        marker = _BULLET.match(line)
        if marker and line[marker.end():]:
            close()
            line, bullet = line[marker.end():], True
        elif marker:
            close()
            bullet = True
            continue
        paragraph.append(line)
        if line.endswith((".", ":", "!", "?")) or len(line) < 0.6 * widest:
            close()
    close()
    return writer.text()


def _plain_document(path: Path, error: Exception) -> Converted:
    """A PDF pdfplumber cannot open at all, read as plain text by pypdf (every page it can);
    when pypdf cannot either, the first error stands."""
    reader = _pypdf_reader(path)
    if isinstance(reader, Exception):
        raise error
    try:
        count = len(reader.pages)
    except Exception:
        raise error from None
    text, warnings = [], []
    for number in range(1, count + 1):
        page_text, page_error = _pypdf_page(reader, number)
        if page_text is None:
            warnings.append(page_unreadable(path, number, error, page_error))
        else:
            text.append(_plain_page(number, page_text))
    if not text:
        raise error
    return Converted("\n".join(text), [page_read_as_plain_text(path, None, error)] + warnings)


def _structure_tree(pdf) -> list[dict]:
    """The document's structure tree when it tags the text (else [])."""
    from ingest.formats.pdf_tagged import structure_tree

    try:
        tree = structure_tree(pdf)
    except Exception:  # a malformed tree is read as untagged
        return []
    if not tree:
        return []
    marked = sum(1 for p in pdf.pages[:3] for c in p.chars if c.get("mcid") is not None)
    return tree if marked else []


def _mark_links(page) -> None:
    """Give each character inside a link annotation its target ("#" for a link within the
    document), so links reach the text as [text](target) like in the other formats."""
    links = [a for a in page.annots if a.get("data", {}).get("Subtype") is not None
             and str(a["data"]["Subtype"]).strip("/'") == "Link"]
    for annot in links:
        target = annot.get("uri") or "#"
        for char in page.chars:
            middle_x, middle_y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
            if annot["x0"] <= middle_x <= annot["x1"] and annot["top"] <= middle_y <= annot["bottom"]:
                char["link"] = target

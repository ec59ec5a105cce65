"""PDF documents (pdfplumber): text with page markers, headings, lists and tables kept.

A tagged PDF (one with a structure tree, as Chromium writes) is read through its tags
(pdf_tagged.py): H1-H6, P, L/LI, Table/TR/TH/TD. An untagged one (LibreOffice's) is read from
its layout (pdf_layout.py): the outline (bookmarks) names the headings, font size and weight
find the rest, columns of text under a rule become tables. A page with no text layer is
reported (never OCR'd); a PDF with no text at all, or a password, is refused.
"""
from __future__ import annotations

from pathlib import Path

from ingest.formats import Converted
from ingest.formats.messages import (FormatError, image_only, image_page, no_text,
                                     password_protected)


def convert_pdf(path: Path) -> Converted:
    """The PDF as Markdown-like text, with a warning for each page that is only an image."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:
        if isinstance(exc, PDFPasswordIncorrect) or any(
                isinstance(a, PDFPasswordIncorrect) for a in getattr(exc, "args", ())):
            raise FormatError(password_protected(path)) from exc
        raise
    with pdf:
        pages = list(pdf.pages)
        texted = [p for p in pages if any(not c["text"].isspace() for c in p.chars)]
        scanned = [p.page_number for p in pages if p not in texted and p.images]
        if not texted:
            raise FormatError(image_only(path) if scanned else no_text(path))
        warnings = [image_page(path, n) for n in scanned]
        for page in texted:
            _mark_links(page)
        tree = _structure_tree(pdf)
        if tree:
            from ingest.formats.pdf_tagged import read_tagged
            text = read_tagged(pdf, tree)
        else:
            from ingest.formats.pdf_layout import read_layout
            text = read_layout(pdf, texted)
    return Converted(text, warnings)


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

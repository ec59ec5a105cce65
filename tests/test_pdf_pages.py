"""One PDF page never stops a file: a page pdfplumber cannot read is read by pypdf, a page
neither reads is named in the report and the rest is indexed, and a page the layout reader
fails on is read on its own (tests/fixtures/real)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.loaders import read_document
from ingest.parse import parse_document
from knowledge.settings import Settings

REAL = Path(__file__).parent / "fixtures" / "real"
SCANNED = REAL / "broken" / "scanned-page.pdf"  # pages 1 and 3 have text, page 2 is an image
PLAIN_LO = REAL / "plain-libreoffice-pdf" / "camden-professional-development-framework-2023-07.pdf"


def fail_pdfplumber_on(monkeypatch, number: int) -> None:
    from pdfplumber.page import Page

    parse = Page.parse_objects

    def broken(self):
        if self.page_number == number:
            raise KeyError("Widths")  # as pdfminer does on a malformed font
        return parse(self)

    monkeypatch.setattr(Page, "parse_objects", broken)


def test_a_page_pdfplumber_cannot_read_is_read_with_pypdf(monkeypatch):
    whole = read_document(SCANNED)
    fail_pdfplumber_on(monkeypatch, 3)
    loaded = read_document(SCANNED)
    assert loaded.warnings[-1].startswith(
        "scanned-page.pdf: page 3 could not be read as laid out (KeyError: 'Widths'); it was "
        "read as plain text instead")
    assert "[page 1]" in loaded.text and "[page 3]" in loaded.text
    page3 = loaded.text.split("[page 3]")[1]
    words = lambda t: set(t.replace("*", "").split())  # noqa: E731
    assert len(words(page3) & words(whole.text.split("[page 3]")[1])) > 100
    assert whole.text.split("[page 3]")[0] == loaded.text.split("[page 3]")[0]


def test_a_page_neither_library_reads_is_named_and_the_rest_is_indexed(monkeypatch, tmp_path):
    from pypdf import PageObject

    from assistant.output import print_ingest_report
    from ingest.pipeline import run_ingest

    fail_pdfplumber_on(monkeypatch, 3)
    monkeypatch.setattr(PageObject, "extract_text", lambda self, *a, **k: 1 / 0)
    loaded = read_document(SCANNED)
    assert "[page 1]" in loaded.text and "[page 3]" not in loaded.text
    assert loaded.warnings[-1] == (
        "scanned-page.pdf: page 3 cannot be read (KeyError: 'Widths'; and as plain text: "
        "ZeroDivisionError: division by zero); nothing on that page was indexed, the rest of "
        "the file was")
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SCANNED, folder)
    settings = Settings(data_dir=tmp_path / "data", documents_dir=folder)
    report = run_ingest(settings, [folder], embedder=None, dry_run=True)
    assert report.sections > 0
    print_ingest_report(report, settings)


def test_a_page_the_layout_reader_fails_on_is_read_alone(monkeypatch):
    import ingest.formats.pdf_layout as layout

    read_layout = layout.read_layout

    def fails_on_page_3(pdf, pages):
        if any(p.page_number == 3 for p in pages):
            raise IndexError("list index out of range")
        return read_layout(pdf, pages)

    monkeypatch.setattr(layout, "read_layout", fails_on_page_3)
    loaded = read_document(SCANNED)
    assert "[page 1]" in loaded.text and "[page 3]" in loaded.text
    assert "scanned-page.pdf: page 3 could not be read as laid out (IndexError" in \
        loaded.warnings[-1]


@pytest.mark.slow
def test_the_libreoffice_pdf_that_crashed_the_layout_reader_is_read():
    """This file once failed whole: "cannot be read as a PDF (IndexError: list index out of
    range)", on a line holding only a list bullet."""
    loaded = read_document(PLAIN_LO)
    assert loaded.warnings == []
    doc = parse_document(loaded.info, loaded.text)
    assert [s.title for s in doc.sections][:2] == [
        "Part 1: Rationale & Key Principles", "A high quality model of Core Professional "
        "Development will enable"]

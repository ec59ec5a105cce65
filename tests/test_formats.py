"""Files written by libraries rather than office tools (the real editions are in
test_real_formats.py): a python-docx file with Word's default styles and an unmarked header
row, an fpdf2 PDF with neither tags nor outline (headings from font sizes only), and corrupt
files."""
from __future__ import annotations

import pytest

from ingest.errors import IngestError
from ingest.loaders import load_document
from ingest.parse import parse_document


TA_PATHWAY = "Progression Pathways: Teaching Assistant to Teacher"


def ta_sections(doc):
    return [s for s in doc.sections if s.path and s.path[0] == TA_PATHWAY]


def paragraphs(section) -> list[str]:
    return [b.text for b in section.blocks if b.kind == "paragraph"]


def expected_ta_titles(strategy) -> list[str]:
    return [s.title for s in ta_sections(strategy)]


def write_docx(path, strategy, framework):
    import docx

    document = docx.Document()
    document.add_heading("Professional Development Strategy", level=0)
    for section in ta_sections(strategy):
        document.add_heading(section.title, level=len(section.path) + 1)
        for text in paragraphs(section):
            document.add_paragraph(text)
    stage1 = next(s for s in strategy.sections if s.title.startswith("Stage 1: Early Career"))
    document.add_heading("Progression Pathways: Teacher to Leader", level=1)
    document.add_heading(stage1.title, level=2)
    record = stage1.blocks[0]
    table = document.add_table(rows=2, cols=len(record.fields))
    for col, (name, items) in enumerate(record.fields):
        table.cell(0, col).text = name
        cell = table.cell(1, col)
        cell.text = items[0]
        for item in items[1:]:
            cell.add_paragraph(item)
    document.add_heading("Career Pathways for School Staff", level=1)
    rows = [s for s in framework.sections if "Career Pathways for School Staff" in s.path[:-1]][:2]
    columns = [name for name, _ in rows[0].blocks[0].fields]
    table = document.add_table(rows=1 + len(rows), cols=1 + len(columns))
    table.cell(0, 0).text = "My Career Stage"
    for col, name in enumerate(columns, start=1):
        table.cell(0, col).text = name
    for r, row in enumerate(rows, start=1):
        table.cell(r, 0).text = row.title
        for col, (_, items) in enumerate(row.blocks[0].fields, start=1):
            cell = table.cell(r, col)
            cell.text = items[0]
            for item in items[1:]:
                cell.add_paragraph(item)
    document.save(path)
    return rows, columns


def test_docx_headings_paragraphs_and_tables(tmp_path, strategy, framework):
    path = tmp_path / "strategy.docx"
    rows, columns = write_docx(path, strategy, framework)
    doc = parse_document(*load_document(path))
    assert [s.title for s in ta_sections(doc)] == expected_ta_titles(strategy)
    hlta = next(s for s in doc.sections if "HLTA" in s.title)
    assert paragraphs(hlta) == paragraphs(next(s for s in strategy.sections if "HLTA" in s.title))
    stage1 = next(s for s in doc.sections if s.title.startswith("Stage 1: Early Career"))
    record = next(b for b in stage1.blocks if b.kind == "record")
    assert [n for n, _ in record.fields] == ["Purpose", "Focus", "Examples", "Progression readiness"]
    assert len(dict(record.fields)["Focus"]) == 3
    career = [s for s in doc.sections if "Career Pathways for School Staff" in s.path[:-1]]
    assert [s.title for s in career] == [r.title for r in rows]
    assert [n for n, _ in career[0].blocks[0].fields] == columns
    assert "HLTA qualification" in dict(career[0].blocks[0].fields)[columns[-1]]
    assert [p.stages[-1].title for p in doc.pathways][:1] == ["Transition to Teaching – Becoming a Qualified Teacher"]


def test_pdf_headings_from_font_sizes_and_page_numbers(tmp_path, strategy):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("helvetica", size=20)
    pdf.multi_cell(0, 10, "Professional Development Strategy", new_x="LMARGIN", new_y="NEXT")
    sections = ta_sections(strategy)
    for k, section in enumerate(sections):
        if k == 3:
            pdf.add_page()
        pdf.set_font("helvetica", "B", 16 if len(section.path) == 1 else 13)
        pdf.multi_cell(0, 8, section.title.replace("–", "-"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=10)
        for text in paragraphs(section):
            pdf.multi_cell(0, 5, text.replace("–", "-").replace("’", "'").replace("—", "-"), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    path = tmp_path / "strategy.pdf"
    pdf.output(str(path))
    doc = parse_document(*load_document(path))
    titles = [s.title for s in doc.sections if s.path and s.path[0] == TA_PATHWAY]
    assert titles == [t.replace("–", "-") for t in expected_ta_titles(strategy)]
    pages = {s.title.split(":")[0]: s.page for s in doc.sections}
    assert pages["Stage 1"] == 1 and pages["Stage 4"] == 2
    hlta = next(s for s in doc.sections if "HLTA" in s.title)
    assert "covering classes during planned teacher absence" in " ".join(paragraphs(hlta))
    assert any(c.page == 2 for c in doc.chunks)


@pytest.mark.parametrize("name, data", [("broken.docx", b"PK\x03\x04 not really a zip"),
                                        ("broken.pdf", b"%PDF-1.4 garbage"),
                                        ("empty.html", b"<html><body></body></html>")])
def test_a_corrupt_file_gets_a_clear_error_naming_it(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError, match=name):
        load_document(path)

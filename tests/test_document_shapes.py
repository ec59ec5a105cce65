"""No document is refused for its shape: two sections with one heading path get distinct,
stable ids and are both indexed and cited; headings made by formatting alone (a larger or
bold Normal paragraph) are found; the ingest report gives each document's sections, tables
and pathway stages beside the live version's."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.loaders import load_document
from ingest.parse import parse_document
from knowledge.settings import Settings

REAL = Path(__file__).parent / "fixtures" / "real"
FRAMEWORK = "camden-professional-development-framework-2023-07"

TWICE = """# Networks Handbook

## Primary Networks

### Research School

Primary research leads meet in the Torriano library every Tuesday afternoon.

## Secondary Networks

### Research School

Secondary research leads meet at Parliament Hill School on Thursday mornings.

### Research School

The secondary research school also runs a summer conference for heads of science.
"""


def write_handbook(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "networks-handbook.md"
    path.write_text(TWICE)
    return path


def test_a_heading_path_that_appears_twice_gets_a_distinct_stable_id(tmp_path):
    path = write_handbook(tmp_path)
    doc = parse_document(*load_document(path))
    paths = [tuple(s.path) for s in doc.sections]
    assert paths.count(("Secondary Networks", "Research School")) == 2
    ids = [c.chunk_id for c in doc.chunks]
    assert len(ids) == len(set(ids))
    assert ids == ["networks-handbook/primary-networks/research-school#0",
                   "networks-handbook/secondary-networks/research-school#0",
                   "networks-handbook/secondary-networks/research-school~2#0"]
    assert [c.chunk_id for c in parse_document(*load_document(path)).chunks] == ids


def test_both_sections_with_one_heading_path_are_indexed_and_cited(tmp_path, embedder):
    from assistant.answer.engine import Engine
    from ingest.pipeline import run_ingest

    folder = tmp_path / "docs"
    write_handbook(folder)
    settings = Settings(data_dir=tmp_path / "data", documents_dir=folder)
    report = run_ingest(settings, [folder], embedder=embedder)
    assert report.sections == 3
    engine = Engine.from_settings(settings, embedder=embedder)
    cited = {c.chunk_id for c in engine.answer(
        "When is the summer conference for heads of science?").citations}
    assert "networks-handbook/secondary-networks/research-school~2" in cited
    cited = {c.chunk_id for c in engine.answer(
        "When do secondary research leads meet at Parliament Hill School?").citations}
    assert "networks-handbook/secondary-networks/research-school" in cited


def test_larger_normal_paragraphs_are_headings_ranked_by_size(tmp_path):
    import docx
    from docx.shared import Pt

    document = docx.Document()

    def para(text, size=None, bold=False, style=None):
        run = document.add_paragraph(style=style).add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)

    para("Staff Handbook", 20, True)
    para("Coaching", 16, True)
    para("Every new teacher has a coach for the first year.")
    para("Sessions", 13)
    para("Sessions take place every half term in school.")
    para("What a coach does", bold=True)
    para("Observe one lesson a term", style="List Bullet")
    para("Agree one target after each observation", style="List Bullet")
    para("Mentoring", 16, True)
    para("Mentors are experienced colleagues from another school.")
    path = tmp_path / "staff-handbook.docx"
    document.save(path)
    doc = parse_document(*load_document(path))
    assert [s.path for s in doc.sections] == [
        ["Coaching"], ["Coaching", "Sessions"], ["Coaching", "Sessions", "What a coach does"],
        ["Mentoring"]]
    assert doc.sections[2].blocks[0].items == ["Observe one lesson a term",
                                               "Agree one target after each observation"]


def test_html_paragraphs_with_a_larger_inline_size_are_headings(tmp_path):
    path = tmp_path / "staff-handbook.html"
    path.write_text(
        "<html><body><p style='font-size:32px'><b>Staff Handbook</b></p>"
        "<p style='font-size:24px'><b>Coaching</b></p>"
        "<p>Every new teacher has a coach for the first year.</p>"
        "<p style='font-size: 1.2em'>Sessions</p><p>Sessions take place every half term.</p>"
        "<p style='font-size:24px'>Mentoring</p>"
        "<p>Mentors are experienced colleagues from another school.</p></body></html>")
    doc = parse_document(*load_document(path))
    assert [s.path for s in doc.sections] == [["Coaching"], ["Coaching", "Sessions"],
                                              ["Mentoring"]]


LOST_TABS = """# Pathway

## Progression Pathways: Teacher to Leader

**Stage 1**
**Deputy Headteacher: Senior Leadership**

Purpose Focus Progression readiness

Provide strategic leadership for a phase.

<p>Lead whole-school improvement priorities.</p> <p>Manage and develop staff performance</p> <p>Evidence of whole-school impact.</p>

**Stage 2**
**Head of School / Headteacher: Senior Leadership**

Purpose Focus

Provide overall leadership and accountability for the school.
"""


def test_a_tables_column_names_without_its_tabs_caption_the_stage_not_open_it(tmp_path):
    """pandoc straight from the .txt loses a stage table's tabs: its column names become a
    short line and its HTML cells literal `<p>` text. The stage keeps the line as a caption
    (searched, never quoted as its opening sentence) and each `<p>` as a paragraph."""
    path = tmp_path / "pathway.md"
    path.write_text(LOST_TABS)
    doc = parse_document(*load_document(path))
    stage = next(s for s in doc.sections if s.title.startswith("Stage 1"))
    assert [(b.kind, b.text) for b in stage.blocks] == [
        ("caption", "Purpose Focus Progression readiness"),
        ("paragraph", "Provide strategic leadership for a phase."),
        ("paragraph", "Lead whole-school improvement priorities."),
        ("paragraph", "Manage and develop staff performance"),
        ("paragraph", "Evidence of whole-school impact.")]
    chunk = next(c for c in doc.chunks if c.section_path == stage.path)
    assert "Purpose Focus Progression readiness" in chunk.text
    assert [u.text for u in chunk.units][0] == "Provide strategic leadership for a phase."
    assert [len(p.stages) for p in doc.pathways] == [2]


def test_the_report_gives_counts_beside_the_live_versions(tmp_path, embedder, capsys):
    from assistant.output import print_ingest_report
    from ingest.pipeline import run_ingest

    text = tmp_path / "text"
    text.mkdir()
    shutil.copy(Path(__file__).parents[1] / "knowledge" / "documents" / f"{FRAMEWORK}.txt", text)
    settings = Settings(data_dir=tmp_path / "data", documents_dir=text)
    first = run_ingest(settings, [text], embedder=embedder)
    assert first.per_document[0] | {"was": None} == {
        "title": first.per_document[0]["title"], "date": first.per_document[0]["date"],
        "sections": 22, "tables": 1, "stages": 10, "chunks": 26, "was": None}
    print_ingest_report(first, settings)
    assert ": 22 sections, 1 table, 10 pathway stages, 26 chunks" in capsys.readouterr().out

    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copy(REAL / "plain-pandoc-docx" / f"{FRAMEWORK}.docx", plain)
    report = run_ingest(settings, [plain], embedder=embedder, dry_run=True)
    # no catalog in either folder: the title is the file's first line, the date its date line
    line = ("Professional Development Framework (July 2023): 14 sections (was 22), 1 table "
            "(was 1), 0 pathway stages (was 10)")
    assert report.structure_lines() == [line]
    print_ingest_report(report, settings)
    out = capsys.readouterr().out
    assert f"Structure found (the live version's counts in brackets):\n  {line}\n" in out


def test_the_owners_preview_shows_the_counts():
    from types import SimpleNamespace

    from assistant.slack.owner_blocks import preview_blocks
    from ingest.pipeline import IngestReport

    report = IngestReport(per_document=[{"title": "Framework", "date": "July 2023",
                                         "sections": 14, "tables": 1, "stages": 0,
                                         "was": {"sections": 22, "tables": 1, "stages": 10}}])
    candidate = SimpleNamespace(file="framework.docx", title="Framework", version="v2",
                                report=report)
    blocks, _ = preview_blocks(candidate, None, None, lambda summary: "-")
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert any("Framework (July 2023): 14 sections (was 22), 1 table (was 1), "
               "0 pathway stages (was 10)" in t for t in texts)


@pytest.mark.parametrize("name", ["boom"])
def test_a_structure_parser_failure_indexes_paragraphs_with_a_warning(monkeypatch, tmp_path, name):
    import ingest.parse

    def boom(raw, title):
        raise RecursionError("too deep")

    monkeypatch.setattr(ingest.parse, "build_sections", boom)
    path = write_handbook(tmp_path)
    doc = parse_document(*load_document(path))
    assert doc.warnings == [f"{path}: its headings could not be worked out (RecursionError: "
                            "too deep); it was indexed as plain paragraphs"]
    assert "summer conference" in doc.chunks[-1].text

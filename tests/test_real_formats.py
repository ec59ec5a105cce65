"""Both documents as real tools write them (pandoc, LibreOffice, Chromium; tests/fixtures/real)
parse into the same sections, pathways and tables as the text edition, within the tolerance
listed below and nothing looser; broken files fail clearly or warn, and change nothing."""
from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.formats import convert
from ingest.loaders import load_document, read_document
from ingest.parse import ParsedDocument, parse_document
from knowledge.settings import Settings, default_documents_dir

REAL = Path(__file__).parent / "fixtures" / "real"
BROKEN = REAL / "broken"
STEMS = {"strategy": "camden-professional-development-strategy-current",
         "framework": "camden-professional-development-framework-2023-07"}
EDITIONS = ["pandoc-docx", "pandoc-html", "pandoc-odt", "libreoffice-docx", "libreoffice-pdf",
            "libreoffice-odt", "libreoffice-html-docx", "chromium-pdf"]
PDF_EDITIONS = {"libreoffice-pdf", "chromium-pdf"}
PATHWAYS = ["Progression Pathways: Teacher to Leader",
            "Progression Pathways: Teaching Assistant to Teacher"]
CAREER = "Career Pathways for School Staff"

# Everything an edition may do differently from the text edition; anything else fails.
# (edition, document) -> {text edition's heading: the edition's heading}
TOLERANCE: dict[tuple[str, str], dict[str, str]] = {
    # LibreOffice's PDF breaks the career table's narrow first column inside "HOD/HOY/"
    # ("...HOD/H" | "OY/ Head of Faculty/..."). Split words are rejoined only where the result
    # is a word the document uses, and "HOY" appears nowhere else, so this row label keeps a
    # space. Its record, fields and items are otherwise the text edition's.
    ("libreoffice-pdf", "framework"): {
        "Middle Leaders Phase Leader/Subject Leader/HOD/HOY/ Head of Faculty/ Key Stage "
        "Managers/Lead Practitioner":
        "Middle Leaders Phase Leader/Subject Leader/HOD/H OY/ Head of Faculty/ Key Stage "
        "Managers/Lead Practitioner",
    },
    # The hand-formatted Word file's PDF breaks the same label at the same place.
    ("handmade-libreoffice-pdf", "framework"): {
        "Middle Leaders Phase Leader/Subject Leader/HOD/HOY/ Head of Faculty/ Key Stage "
        "Managers/Lead Practitioner":
        "Middle Leaders Phase Leader/Subject Leader/HOD/H OY/ Head of Faculty/ Key Stage "
        "Managers/Lead Practitioner",
    },
    # The plain LibreOffice PDF's empty career table has a narrow first column too, and "Teach"
    # is broken there ("Tea" | "ch") and used nowhere else in the document.
    ("plain-libreoffice-pdf", "framework"): {
        "Initial Teacher Training/Teach First/ECT – meeting the teaching standards":
        "Initial Teacher Training/Tea ch First/ECT – meeting the teaching standards",
    },
}


def edition_file(edition: str, document: str) -> Path:
    return next(p for p in (REAL / edition).iterdir() if p.stem == STEMS[document])


@lru_cache(maxsize=None)
def parsed_edition(edition: str, document: str) -> ParsedDocument:
    return parse_document(*load_document(edition_file(edition, document)))


@lru_cache(maxsize=None)
def parsed_text(document: str) -> ParsedDocument:
    return parse_document(*load_document(default_documents_dir() / f"{STEMS[document]}.txt"))


def renamed(title: str, edition: str, document: str) -> str:
    return TOLERANCE.get((edition, document), {}).get(title, title)


def section_paths(doc: ParsedDocument) -> list[tuple[str, ...]]:
    return [tuple(s.path) for s in doc.sections]


def stage_titles(doc: ParsedDocument) -> dict[str, list[str]]:
    return {p.name: [s.title for s in p.stages] for p in doc.pathways if p.name in PATHWAYS}


def stage_tables(doc: ParsedDocument) -> dict[str, list[tuple[str, int]]]:
    """Each pathway stage's table: its column names and how many items each holds."""
    return {s.title: [(name, len(items)) for name, items in b.fields]
            for s in doc.sections if s.path and s.path[0] in PATHWAYS
            for b in s.blocks if b.kind == "record"}


def career_rows(doc: ParsedDocument) -> list[tuple[str, list[tuple[str, int]]]]:
    """The 2023 career table: each row's label, its columns and their item counts."""
    return [(b.label, [(name, len(items)) for name, items in b.fields])
            for s in doc.sections if CAREER in s.path[:-1]
            for b in s.blocks if b.kind == "record"]


def edition_params():
    for edition in EDITIONS:
        marks = [pytest.mark.slow] if edition in PDF_EDITIONS else []
        for document in STEMS:
            yield pytest.param(edition, document, marks=marks, id=f"{edition}-{document}")


@pytest.mark.parametrize("edition, document", list(edition_params()))
def test_edition_has_the_text_editions_sections(edition, document):
    text, doc = parsed_text(document), parsed_edition(edition, document)
    expected = [tuple(renamed(t, edition, document) for t in path) for path in section_paths(text)]
    assert section_paths(doc) == expected


@pytest.mark.parametrize("edition", [pytest.param(e, marks=[pytest.mark.slow] if e in PDF_EDITIONS
                                                  else []) for e in EDITIONS])
def test_edition_keeps_both_pathways_and_their_stage_tables(edition):
    text, doc = parsed_text("strategy"), parsed_edition(edition, "strategy")
    assert stage_titles(doc) == stage_titles(text)
    assert [len(stages) for stages in stage_titles(doc).values()] == [9, 5]
    assert stage_titles(doc)[PATHWAYS[1]][-1].startswith("Transition to Teaching")
    assert stage_tables(doc) == stage_tables(text)
    assert len(stage_tables(doc)) == 9
    fields = dict(stage_tables(doc))["Stage 1: Early Career Teacher (ECT): Building Foundations"]
    assert [name for name, _ in fields] == ["Purpose", "Focus", "Examples", "Progression readiness"]


@pytest.mark.parametrize("edition", [pytest.param(e, marks=[pytest.mark.slow] if e in PDF_EDITIONS
                                                  else []) for e in EDITIONS])
def test_edition_keeps_the_career_table_as_ten_rows_of_four_columns(edition):
    text, doc = parsed_text("framework"), parsed_edition(edition, "framework")
    rows = career_rows(doc)
    expected = [(renamed(label, edition, "framework"), fields)
                for label, fields in career_rows(text)]
    assert rows == expected
    assert len(rows) == 10
    assert all([n for n, _ in f if n != "Standards"] == [
        "Individual Opportunities", "Opportunities in School",
        "Opportunities through Camden Learning and other Camden schools",
        "National programmes and professional bodies"] for _, f in rows)


@pytest.mark.parametrize("edition", ["pandoc-docx", "libreoffice-docx", "libreoffice-html-docx",
                                     "pandoc-odt", "libreoffice-odt", "pandoc-html"])
def test_headings_come_from_styles_and_bold_breaks_become_bold_lines(edition):
    text = convert(edition_file(edition, "strategy")).text
    assert "\n## Progression Pathways: Teacher to Leader\n" in text
    assert "\n#### Early Career Teacher (ECT): Building Foundations\n" in text
    # pandoc writes this block as one bold paragraph with line breaks
    assert "**Camden Learning CPD**\n**Connected Offer CPD**\n**Early Career Teachers**" in text


@pytest.mark.slow
@pytest.mark.parametrize("edition", sorted(PDF_EDITIONS))
def test_pdf_sections_keep_their_pages(edition):
    doc = parsed_edition(edition, "strategy")
    pages = [s.page for s in doc.sections]
    assert None not in pages and pages == sorted(pages) and pages[-1] > 10
    assert all(c.page is not None for c in doc.chunks)


@pytest.mark.slow
def test_pdf_words_split_at_line_ends_are_rejoined():
    framework = parsed_edition("libreoffice-pdf", "framework")
    row = next(s for s in framework.sections if s.title == "Classroom/ Setting Support staff")
    items = dict(row.blocks[0].fields)["Individual Opportunities"]
    assert "Evaluate personal teaching strategies" in items  # "strategie" | "s"
    strategy = " ".join(c.text for c in parsed_edition("libreoffice-pdf", "strategy").chunks)
    assert "centres of high-quality teaching" in strategy  # "high-" | "quality"
    assert "high- quality" not in strategy and "highquality" not in strategy


@pytest.mark.slow
def test_pdf_header_rows_repeated_on_new_pages_are_not_data():
    for edition in sorted(PDF_EDITIONS):
        rows = career_rows(parsed_edition(edition, "framework"))
        assert not any(label.startswith("My Career Stage") for label, _ in rows)
        stage4 = dict(stage_tables(parsed_edition(edition, "strategy")))[
            "Stage 4: Subject Leader / Department Lead Teacher: Early Leadership"]
        assert [n for n, _ in stage4] == ["Purpose", "Focus", "Examples", "Progression readiness"]


# --- broken files -------------------------------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("encrypted.pdf", r"encrypted\.pdf: is password-protected; export it without a password\."),
    ("image-only.pdf", r"image-only\.pdf: has no text layer \(every page is an image\)"),
    ("not-a-zip.docx", r"not-a-zip\.docx: is not a Word document \(not a ZIP archive\)"),
])
def test_a_broken_file_gets_one_clear_error(name, message):
    with pytest.raises(IngestError, match=message):
        load_document(BROKEN / name)


def test_a_scanned_page_is_reported_not_skipped_and_not_read():
    loaded = read_document(BROKEN / "scanned-page.pdf")
    assert loaded.warnings == ["scanned-page.pdf: page 2 is an image with no text; export the "
                               "document with text (nothing on that page was read)"]
    assert "[page 1]" in loaded.text and "[page 3]" in loaded.text
    assert "[page 2]" not in loaded.text


def _refuses_embedding():
    class NoEmbedder:
        def embed(self, *args, **kwargs):
            raise AssertionError("nothing should be embedded")
    return NoEmbedder()


def test_ingest_report_carries_and_prints_page_warnings(tmp_path, capsys):
    from assistant.output import print_ingest_report
    from ingest.pipeline import run_ingest

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(BROKEN / "scanned-page.pdf", folder)
    settings = Settings(data_dir=tmp_path / "data", documents_dir=folder)
    report = run_ingest(settings, [folder], embedder=_refuses_embedding(), dry_run=True)
    assert report.warnings == [read_document(folder / "scanned-page.pdf").warnings[0]]
    print_ingest_report(report, settings)
    assert "Warning: scanned-page.pdf: page 2 is an image with no text" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["encrypted.pdf", "image-only.pdf", "not-a-zip.docx", "empty"])
def test_a_broken_file_changes_nothing(tmp_path, name):
    from ingest.pipeline import run_ingest
    from knowledge.index import live_version_dir

    folder = tmp_path / "docs"
    shutil.copytree(default_documents_dir(), folder)
    if name == "empty":  # text that parses to no sections
        (folder / "notes.txt").write_text("July 2023\n")
        message = r"notes\.txt: no sections were found in it"
    else:
        shutil.copy(BROKEN / name, folder)
        message = name.replace(".", r"\.")
    settings = Settings(data_dir=tmp_path / "data", documents_dir=folder)
    with pytest.raises(IngestError, match=message):
        run_ingest(settings, [folder], embedder=_refuses_embedding())
    assert live_version_dir(settings.data_dir) is None


# --- distinct files, distinct ids ------------------------------------------------------------

def test_two_editions_of_one_document_in_one_folder_are_refused_naming_both(tmp_path):
    from ingest.pipeline import run_ingest

    folder = tmp_path / "docs"
    shutil.copytree(default_documents_dir(), folder)
    shutil.copy(edition_file("pandoc-docx", "strategy"), folder)  # same stem as the .txt
    settings = Settings(data_dir=tmp_path / "data", documents_dir=folder)
    with pytest.raises(IngestError) as error:
        run_ingest(settings, [folder], embedder=_refuses_embedding(), dry_run=True)
    message = str(error.value)
    assert f"{STEMS['strategy']}.txt" in message and f"{STEMS['strategy']}.docx" in message
    assert "are two editions of one document (the same name)" in message


def test_two_files_with_one_catalog_id_are_refused_naming_both(tmp_path):
    from ingest.pipeline import run_ingest

    folder = tmp_path / "docs"
    shutil.copytree(default_documents_dir(), folder)
    shutil.copy(edition_file("pandoc-html", "strategy"), folder / "strategy-2025.html")
    with (folder / "catalog.toml").open("a") as fh:
        fh.write('\n["strategy-2025.html"]\nid = "strategy"\ntitle = "Professional Development '
                 'Strategy"\ndate = "2025"\nstatus = "current"\n')
    settings = Settings(data_dir=tmp_path / "data", documents_dir=folder)
    with pytest.raises(IngestError, match=r"strategy-current\.txt and .*strategy-2025\.html are "
                                          r"two editions of one document \(the same document "
                                          r"id 'strategy'\)"):
        run_ingest(settings, [folder], embedder=_refuses_embedding(), dry_run=True)


def test_an_edition_folder_without_its_catalog_ingests_without_clashing(tmp_path):
    """The pandoc .html once gave "Two documents produced the same section ids": its headings
    wrap over source lines ("Stage\\n3"), so two sections got one id. Ids now come from the
    file name (no catalog) and whitespace in HTML is collapsed."""
    from ingest.pipeline import run_ingest

    folder = tmp_path / "pandoc-html"
    folder.mkdir()
    for document in STEMS:
        shutil.copy(edition_file("pandoc-html", document), folder)
    settings = Settings(data_dir=tmp_path / "data", documents_dir=folder)
    report = run_ingest(settings, [folder], embedder=_refuses_embedding(), dry_run=True)
    assert report.sections == sum(len(parsed_text(d).sections) for d in STEMS)
    docs = [parse_document(*load_document(p)) for p in sorted(folder.iterdir())]
    assert sorted(d.info.doc_id for d in docs) == sorted(STEMS.values())
    ids = [c.chunk_id for d in docs for c in d.chunks]
    assert len(ids) == len(set(ids))


# --- measured per format (pdbot eval --documents) ----------------------------------------------

def _result(name, fact_recall, sections=78):
    from evals.editions import EditionResult

    return EditionResult(name, Path(name), {"fact_recall": fact_recall, "source_hit": 0.9,
                                            "full_pass": 90, "sections": sections})


def test_max_drop_fails_only_an_edition_further_below_the_text_edition():
    from evals.editions import drops, table_lines

    results = [_result("text", 0.96), _result("pandoc-docx", 0.94), _result("libreoffice-pdf", 0.92)]
    assert drops(results, {"fact_recall": 0.03}) == [
        "libreoffice-pdf: fact_recall 0.920 is 0.040 below the text edition's 0.960 (allowed 0.03)"]
    assert drops(results, {"fact_recall": 0.05}) == []
    assert table_lines(results)[0] == "| metric | text | pandoc-docx | libreoffice-pdf |"
    assert "| fact recall | 0.960 | 0.940 | 0.920 |" in table_lines(results)


def test_edition_cache_is_keyed_by_the_folders_content(tmp_path):
    from evals.editions import edition_data_dir

    folder = tmp_path / "pandoc-html"
    shutil.copytree(REAL / "pandoc-html", folder)
    settings = Settings(data_dir=tmp_path / "data")
    first = edition_data_dir(settings, folder)
    assert first == edition_data_dir(settings, folder)
    assert first.parent == settings.data_dir / "editions" and first.name.startswith("pandoc-html-")
    (folder / "catalog.toml").write_text("")
    assert edition_data_dir(settings, folder) != first


def test_eval_documents_prints_one_column_per_edition_and_exits_1_on_a_drop(monkeypatch, capsys,
                                                                            tmp_path):
    import evals.editions
    from assistant.cli import main

    calls = []

    def fake_compare(folders, settings, cases, embedder=None, engine_for=None):
        calls.append([f.name for f in folders])
        return [_result("text", 0.96), _result("chromium-pdf", 0.95), _result("pandoc-odt", 0.90)]

    monkeypatch.setattr(evals.editions, "compare_editions", fake_compare)
    code = main(["eval", "--documents", str(REAL / "chromium-pdf"), str(REAL / "pandoc-odt"),
                 "--max-drop", "fact_recall=0.03", "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert calls == [["chromium-pdf", "pandoc-odt"]]
    assert "| metric | text | chromium-pdf | pandoc-odt |" in out
    assert code == 1 and "pandoc-odt: fact_recall 0.900" in err
    assert (tmp_path / "out" / "editions.md").read_text().startswith("| metric | text |")


@pytest.mark.slow
def test_eval_documents_builds_each_edition_and_the_text_edition(tmp_path, embedder):
    from evals.editions import compare_editions
    from evals.runner import DEFAULT_CASES, load_cases

    cases = [c for c in load_cases(DEFAULT_CASES) if c.get("kind") == "next-step"][:2]
    settings = Settings(data_dir=tmp_path / "data")
    results = compare_editions([REAL / "pandoc-html"], settings, cases, embedder)
    assert [r.name for r in results] == ["text", "pandoc-html"]
    assert [r.summary["sections"] for r in results] == [78, 78]
    assert results[1].summary["fact_recall"] == results[0].summary["fact_recall"]
    assert len(list((settings.data_dir / "editions").iterdir())) == 2


# --- the plain way: what authors' tools save without any preparation -----------------------

PLAIN = ["plain-pandoc-docx", "plain-pandoc-html", "plain-pandoc-odt", "plain-libreoffice-docx",
         "plain-libreoffice-pdf", "plain-chromium-pdf"]


def slow_if_pdf(editions):
    return [pytest.param(e, marks=[pytest.mark.slow] if e.endswith("pdf") else []) for e in editions]


@pytest.mark.parametrize("edition", slow_if_pdf(PLAIN))
def test_plain_edition_keeps_the_text_editions_headings_and_both_pathways(edition):
    """pandoc straight from the .txt turns each tab-separated stage table into a run-on
    paragraph (Stages 7-9 into a short line of column names, a paragraph and the HTML cells'
    `<p>` elements as literal text), and writes the career table's raw-HTML cells empty, so
    only its first two row labels are in the file. Every heading of the text edition, both
    pathways and all their stages survive; the column names caption Stages 7-9 and each `<p>`
    is a paragraph."""
    text, doc = parsed_text("strategy"), parsed_edition(edition, "strategy")
    assert section_paths(doc) == section_paths(text)
    assert stage_titles(doc) == stage_titles(text)
    assert [len(stages) for stages in stage_titles(doc).values()] == [9, 5]
    stage7 = next(s for s in doc.sections if s.title.startswith("Stage 7"))
    assert (stage7.blocks[0].kind, stage7.blocks[0].text) == (
        "caption", "Purpose Focus Progression readiness")
    assert stage7.blocks[1].text.startswith("Provide strategic leadership for a phase")
    assert not any("<p>" in b.text for s in doc.sections for b in s.blocks)
    framework = parsed_edition(edition, "framework")
    assert section_paths(framework) == [tuple(renamed(t, edition, "framework") for t in path)
                                        for path in section_paths(parsed_text("framework"))[:14]]
    assert [label for label, _ in career_rows(framework)] == [renamed(label, edition, "framework")
                                                              for label in (
        "Classroom/ Setting Support staff",
        "Initial Teacher Training/Teach First/ECT – meeting the teaching standards")]


def test_hand_formatted_word_file_keeps_levels_tables_and_stages():
    """No heading styles at all: headings are bold Normal paragraphs at 20/16/13 pt (and bold
    at body size), lists "List Bullet", tables Word tables (the career table one table of ten
    rows). Font sizes give the levels back; what is lost is the Strategy's four bold-line
    banners, which the author typed as one paragraph per line."""
    text, doc = parsed_text("strategy"), parsed_edition("handmade-docx", "strategy")
    assert stage_titles(doc) == stage_titles(text)
    assert stage_tables(doc) == stage_tables(text)
    banners = {("Self Improving System", t) for t in (
        "A core CPD programme", "Adviser visits brokered through the SLA standard and premium",
        "Leadership Development", "Communities of Learning")}
    assert section_paths(doc) == [p for p in section_paths(text) if p not in banners]
    framework = parsed_edition("handmade-docx", "framework")
    assert section_paths(framework) == section_paths(parsed_text("framework"))
    assert career_rows(framework) == career_rows(parsed_text("framework"))
    assert framework.tables == 1 and doc.tables == 11


@pytest.mark.slow
def test_hand_formatted_word_files_pdf_reads_ruled_tables_over_page_breaks():
    """LibreOffice's PDF of the hand-formatted file: untagged, no outline, every table ruled
    as a grid. Ruled tables are read from their rules (pdf_grid.py): the career table runs over
    six pages with a row cut at every page break and is one table of ten rows again, and a stage
    table cut by a page break is one table. The PDF parses into the Word file's sections,
    pathways and tables. Known differences: "HOD/H OY" (as in libreoffice-pdf), and in two stage
    tables a cell's paragraphs run together where a line filled the column (the PDF shows no
    break there); their text is all there."""
    loaded = read_document(edition_file("handmade-libreoffice-pdf", "strategy"))
    assert loaded.warnings == []
    doc = parse_document(loaded.info, loaded.text)
    word = parsed_edition("handmade-docx", "strategy")
    assert section_paths(doc) == section_paths(word)
    assert stage_titles(doc) == stage_titles(parsed_text("strategy"))
    expected = stage_tables(word)
    expected["Stage 7: Deputy Headteacher: Senior Leadership"][1] = ("Focus", 5)  # of 6
    expected["Stage 9: Executive Headteacher: Systems Leader"][1] = ("Focus", 3)  # of 7
    assert stage_tables(doc) == expected
    framework = parsed_edition("handmade-libreoffice-pdf", "framework")
    assert section_paths(framework) == [
        tuple(renamed(t, "handmade-libreoffice-pdf", "framework") for t in path)
        for path in section_paths(parsed_text("framework"))]
    assert career_rows(framework) == [(renamed(label, "handmade-libreoffice-pdf", "framework"),
                                       fields) for label, fields in career_rows(
                                           parsed_text("framework"))]
    assert framework.tables == 1 and doc.tables == 11

"""Structure recovery on the real documents: headings, stage tables, the 2023 career table."""
from __future__ import annotations


from ingest.blocks import read_blocks
from ingest.loaders import load_document
from ingest.parse import parse_document
from ingest.structure import build_sections

from tests.conftest import STRATEGY


def titles(doc) -> list[str]:
    return [s.title for s in doc.sections]


def test_documents_carry_title_and_date(strategy, framework):
    assert (strategy.info.title, strategy.info.date, strategy.info.status) == (
        "Professional Development Strategy", "current", "current")
    assert (framework.info.title, framework.info.date) == ("Professional Development Framework",
                                                          "July 2023")
    chunk = strategy.chunks[0]
    assert (chunk.doc_title, chunk.doc_date) == ("Professional Development Strategy", "current")


def test_all_nine_teacher_to_leader_stages_with_their_titles(strategy):
    stages = [s for s in strategy.sections
              if s.path[:1] == ["Progression Pathways: Teacher to Leader"] and len(s.path) == 2]
    assert [s.title.split(":")[0] for s in stages] == [f"Stage {n}" for n in range(1, 10)]
    # "## Stage 5" + "### Phase Leader ..." and "**Stage 7**" + "**Deputy ...**" become one heading
    assert stages[4].title == ("Stage 5: Phase Leader / Head of Department / Head of Faculty: "
                               "Middle Leadership")
    assert stages[6].title == "Stage 7: Deputy Headteacher: Senior Leadership"
    assert stages[0].title == "Stage 1: Early Career Teacher (ECT): Building Foundations"


def test_stage_tables_become_records_with_their_columns(strategy):
    stage1 = next(s for s in strategy.sections if s.title.startswith("Stage 1: Early Career"))
    record = next(b for b in stage1.blocks if b.kind == "record")
    assert [name for name, _ in record.fields] == ["Purpose", "Focus", "Examples",
                                                  "Progression readiness"]
    examples = dict(record.fields)["Examples"]
    assert examples[0].startswith("Primary: A Year 3 teacher")
    assert examples[1].startswith("Secondary: An English ECT")
    stage7 = next(s for s in strategy.sections if s.title.startswith("Stage 7"))
    focus = dict(next(b for b in stage7.blocks if b.kind == "record").fields)["Focus"]
    assert len(focus) == 6  # one item per <p>, no HTML left
    assert not any("<" in item for item in focus)


def test_teaching_assistant_stages_and_transition(strategy):
    ta = [s.title for s in strategy.sections
          if s.path[:1] == ["Progression Pathways: Teaching Assistant to Teacher"] and len(s.path) == 2]
    assert ta == [
        "Stage 1: Entry-Level Teaching Assistant – Building Confidence",
        "Stage 2: Experienced Teaching Assistant – Deepening Impact",
        "Stage 3: Higher Level Teaching Assistant (HLTA) – Leading Learning",
        "Stage 4: Specialist Teaching Assistant – Developing Expertise",
        "Transition to Teaching – Becoming a Qualified Teacher",
    ]


CAREER_STAGES = [
    "Classroom/ Setting Support staff",
    "Initial Teacher Training/Teach First/ECT – meeting the teaching standards",
    "Early Career – Embedding Teacher standards/ Working towards Threshold Standards",
    "Established Teachers Teacher standards at good or better Working at Threshold Standards (TS)",
    "Middle Leaders Phase Leader/Subject Leader/HOD/HOY/ Head of Faculty/ Key Stage "
    "Managers/Lead Practitioner",
    "SENDCO / Inclusion Lead",
    "Assistant/ Deputy Headteacher",
    "New/Acting/ Associate Headteacher",
    "Headteacher – Experienced",
    "School Governor/ Board Member",
]
COLUMNS = ["Individual Opportunities", "Opportunities in School",
           "Opportunities through Camden Learning and other Camden schools",
           "National programmes and professional bodies"]


def test_every_career_stage_row_of_the_2023_table_with_four_columns(framework):
    rows = [s for s in framework.sections if "Career Pathways for School Staff" in s.path[:-1]]
    assert [s.title for s in rows] == CAREER_STAGES
    for row in rows:
        record = row.blocks[0]
        columns = [name for name, _ in record.fields if name != "Standards"]
        assert columns == COLUMNS, row.title
        assert all(items and all("<" not in i for i in items) for _, items in record.fields)
    support = dict(rows[0].blocks[0].fields)
    assert "HLTA qualification" in support["National programmes and professional bodies"]
    # continuation tables (empty headers) keep the column names; notes in <i> are kept apart
    assert dict(rows[6].blocks[0].fields)["Standards"] == ["Refer to National Standards for Headteachers"]


def test_plain_line_and_colon_headings(framework, strategy):
    assert titles(framework)[0] == "Part 1: Rationale & Key Principles"
    assert "Contents" not in " ".join(titles(framework))
    delivery = next(s for s in strategy.sections if s.title == "Delivery")
    assert delivery.path == ["Subject Networks", "Delivery"]  # "## Delivery:" nests under its topic
    offer = next(s for s in strategy.sections if s.title == "A high-quality professional development offer")
    assert offer.path[0] == "Rationale and Key Principles"


def test_link_noise_is_removed(strategy):
    text = " ".join(c.text for c in strategy.chunks)
    assert "Click here" not in text and "](#)" not in text and "**" not in text


def test_definition_paragraphs_after_a_lead_in_become_a_list(framework):
    hubs = next(s for s in framework.sections if s.title == "These include")
    items = hubs.blocks[-1].items
    assert [i.split(":")[0] for i in items] == ["Task and finish Hubs", "Collaborative Initiatives Hubs",
                                                "Regional Hubs"]


def test_chunk_ids_are_stable_and_unique(strategy):
    again = parse_document(*load_document(STRATEGY))
    ids = [c.chunk_id for c in strategy.chunks]
    assert ids == [c.chunk_id for c in again.chunks]
    assert len(ids) == len(set(ids))
    hlta = next(c for c in strategy.chunks if "HLTA" in c.section_path[-1])
    assert hlta.chunk_id.startswith("strategy/progression-pathways-teaching-assistant-to-teacher/stage-3")


def test_markdown_bold_and_hash_headings_in_a_small_document():
    text = "# Title\n\n## Part A\n\nIntro text here.\n\n**Bold heading**\n\nBody under bold.\n\n### Stage 1\n\n#### Role one\n\nStage text.\n\n## Stage 2\n\n### Role two\n\nMore.\n"
    sections = build_sections(read_blocks(text), "Title")
    assert [s.path for s in sections] == [["Part A"], ["Part A", "Bold heading"],
                                         ["Part A", "Stage 1: Role one"], ["Part A", "Stage 2: Role two"]]

"""Pathways as data: ordered stages, the 2023 career table as a pathway, and finding the stage a
question names through the glossary."""
import pytest

from assistant.answer.config import EngineConfig
from assistant.answer.stages import StageIndex
from ingest.pathways import row_names
from knowledge.domain import load_domain
from knowledge.glossary import build_glossary


@pytest.fixture(scope="module")
def pathways(strategy, framework):
    return strategy.pathways + framework.pathways


@pytest.fixture(scope="module")
def stages(pathways):
    return StageIndex(pathways, build_glossary(load_domain(), {}), EngineConfig().pathways.weak_name)


def by_name(pathways, word):
    return next(p for p in pathways if word in p.name)


def test_two_pathways_in_order(pathways):
    teacher, ta = by_name(pathways, "Teacher to Leader"), by_name(pathways, "Teaching Assistant")
    assert [s.number for s in teacher.stages] == list(range(1, 10))
    assert [s.number for s in ta.stages] == [1, 2, 3, 4, None]
    assert ta.stages[2].roles[:2] == ["Higher Level Teaching Assistant", "HLTA"]


def test_the_2023_career_table_is_a_pathway_of_its_rows_in_order(pathways):
    table = by_name(pathways, "Career Pathways for School Staff")
    assert table.kind == "table"
    assert [s.title.split()[0] for s in table.stages] == [
        "Classroom/", "Initial", "Early", "Established", "Middle", "SENDCO", "Assistant/",
        "New/Acting/", "Headteacher", "School"]
    after = table.following(table.stages[3])
    assert [s.title.split()[0] for s in after] == ["Middle"]


def test_following_stages_include_the_exit(pathways):
    ta = by_name(pathways, "Teaching Assistant")
    after_hlta = ta.following(ta.stages[2])
    assert [s.title.split(" – ")[0] for s in after_hlta] == [
        "Stage 4: Specialist Teaching Assistant", "Transition to Teaching"]
    teacher = by_name(pathways, "Teacher to Leader")
    assert teacher.following(teacher.stages[-1]) == []
    assert teacher.preceding(teacher.stages[6]).number == 6


@pytest.mark.parametrize("label, names", [
    ("Assistant/ Deputy Headteacher", ["Assistant Headteacher", "Deputy Headteacher"]),
    ("New/Acting/ Associate Headteacher", ["New Headteacher", "Acting Headteacher"]),
    ("Headteacher – Experienced", ["Headteacher", "Experienced Headteacher"]),
    ("Middle Leaders Phase Leader/Subject Leader/HOD/HOY/ Head of Faculty", ["Middle Leaders", "HOY"]),
    ("Classroom/ Setting Support staff", ["Classroom Support staff", "Support staff"]),
])
def test_row_labels_yield_the_role_names_run_together_in_them(label, names):
    assert set(names) <= set(row_names(label))


@pytest.mark.parametrize("question, stage", [
    ("What should an HLTA do next?", "Stage 3"),
    ("hlta - nxt step?", "Stage 3"),
    ("how do I become a deputy head", "Stage 7"),
    ("I'm a DHT, where next?", "Stage 7"),
    ("aht here, what should i work on", "Stage 6"),
    ("I'm a head of department, what next?", "Stage 5"),
    ("what comes after being an exec head", "Stage 9"),
    ("next step for a SENDCo?", "Stage 6"),
    ("I'm an experienced TA", "Stage 2"),
    ("NQT here, what's next", "Stage 1"),
])
def test_the_named_stage_is_found_through_the_glossary(stages, question, stage):
    found = [m for m in stages.find(question) if m.pathway.kind == "stages"]
    assert found[0].stage.title.startswith(stage)


@pytest.mark.parametrize("question, row", [
    ("In the 2023 table, what follows Early Career?", "Early Career"),
    ("what's after established teachers", "Established Teachers"),
    ("I'm a head of year", "Middle Leaders"),
    ("for classroom support staff", "Classroom/ Setting Support staff"),
    ("past the new/acting head row", "New/Acting/ Associate Headteacher"),
])
def test_career_table_rows_are_found_by_their_names(stages, question, row):
    found = [m for m in stages.find(question) if m.pathway.kind == "table"]
    assert found[0].stage.title.startswith(row)


def test_longer_names_win_and_key_stages_are_not_stages(stages):
    assert stages.find("deputy headteacher")[0].stage.title.startswith(("Stage 7", "Assistant/"))
    assert not [m for m in stages.find("deputy headteacher") if "Stage 8" in m.stage.title]
    assert stages.find("raising attainment at key stage 4") == []
    numbered = stages.find("what comes after stage 3?")
    assert {m.pathway.name for m in numbered} == {
        "Progression Pathways: Teacher to Leader", "Progression Pathways: Teaching Assistant to Teacher"}

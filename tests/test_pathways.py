"""Pathways as data: ordered stages, next steps, and finding the stage a question names."""
import pytest

from assistant.pathway_match import find_stages
from ingest.loaders import load_document
from ingest.parse import parse_document

from tests.conftest import STRATEGY


@pytest.fixture(scope="module")
def pathways():
    return parse_document(*load_document(STRATEGY)).pathways


def by_name(pathways, word):
    return next(p for p in pathways if word in p.name)


def test_two_pathways_in_order(pathways):
    teacher, ta = by_name(pathways, "Teacher to Leader"), by_name(pathways, "Teaching Assistant")
    assert [s.number for s in teacher.stages] == list(range(1, 10))
    assert [s.number for s in ta.stages] == [1, 2, 3, 4, None]
    assert ta.stages[2].roles == ["Higher Level Teaching Assistant", "HLTA"]


def test_following_stages_include_the_exit(pathways):
    ta = by_name(pathways, "Teaching Assistant")
    after_hlta = ta.following(ta.stages[2])
    assert [s.title.split(" – ")[0] for s in after_hlta] == [
        "Stage 4: Specialist Teaching Assistant", "Transition to Teaching"]
    teacher = by_name(pathways, "Teacher to Leader")
    assert teacher.following(teacher.stages[-1]) == []
    assert teacher.preceding(teacher.stages[6]).number == 6


@pytest.mark.parametrize("question, stage", [
    ("What should an HLTA do next?", "Stage 3"),
    ("how do I become a deputy head", "Stage 7"),
    ("I'm a head of department, what next?", "Stage 5"),
    ("what comes after being an executive headteacher", "Stage 9"),
    ("next step for a SENDCO?", "Stage 6"),
    ("I'm an experienced TA", "Stage 2"),
])
def test_find_the_named_stage(pathways, question, stage):
    assert find_stages(question, pathways)[0].stage.title.startswith(stage)


def test_stage_number_alone_matches_every_pathway(pathways):
    assert {m.pathway.name for m in find_stages("what comes after stage 3?", pathways)} == {
        p.name for p in pathways}

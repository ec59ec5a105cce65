"""The committed eval sets: well-formed, and every fact really is in the sections its case names."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.metrics import group_met
from evals.runner import DEFAULT_CASES
from ingest.chunking import render_block
from ingest.loaders import load_document
from ingest.parse import parse_document
from knowledge.catalog import find_documents
from knowledge.settings import default_documents_dir

SETS = [DEFAULT_CASES, DEFAULT_CASES.with_name("holdout.jsonl"),
        DEFAULT_CASES.with_name("conversations.jsonl"),
        DEFAULT_CASES.parent / "blind" / "round-1.jsonl", DEFAULT_CASES.parent / "blind" / "round-2.jsonl"]
CATALOGUE = "catalogue"  # facts about the documents themselves come from the catalogue, not a section
KEYS = {"id", "question", "history", "facts", "sources", "in_scope"}


@pytest.fixture(scope="module")
def sections() -> list[str]:
    docs = [parse_document(*load_document(p)) for p in find_documents([default_documents_dir()])]
    return [f"{d.info.title} › {' › '.join(s.path)} " + " ".join(render_block(b) for b in s.blocks)
            for d in docs for s in d.sections]


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_cases_are_well_formed(path: Path):
    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    assert len({c["id"] for c in cases}) == len(cases)
    for case in cases:
        assert KEYS <= set(case), case["id"]
        assert all(t["role"] in ("user", "assistant") for t in case["history"])
        assert bool(case["facts"]) == case["in_scope"], case["id"]


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_every_fact_is_in_a_section_the_case_names(path: Path, sections):
    for case in (json.loads(line) for line in path.read_text().splitlines() if line.strip()):
        if not case["in_scope"] or case.get("kind") == CATALOGUE:
            continue
        named = [s for s in sections if any(group_met(g, s) for g in case["sources"])]
        assert named, f"{case['id']}: no section matches its sources"
        for group in case["facts"]:
            assert any(group_met(group, s) for s in named), f"{case['id']}: {group} not in {case['sources']}"


def test_sets_are_big_enough_and_cover_the_kinds():
    cases = [json.loads(line) for p in SETS for line in p.read_text().splitlines() if line.strip()]
    assert len(cases) >= 80
    kinds = {c.get("kind") for c in cases}
    assert {"fact", "next-step", "table", "follow-up", "out-of-scope"} <= kinds
    assert sum(1 for c in cases if c["history"]) >= 15  # follow-ups with the conversation so far
    assert sum(1 for c in cases if len(c["history"]) >= 4) >= 2  # two earlier exchanges

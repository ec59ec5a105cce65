"""An index version's eval summary on the project's case sets, for version records and for an
owner's preview of a new edition (before and after)."""
from __future__ import annotations

from pathlib import Path

from evals.runner import DEFAULT_CASES, EngineSystem, load_cases, run_cases

CASE_SETS = (DEFAULT_CASES, DEFAULT_CASES.with_name("conversations.jsonl"))
KEPT = ("fact_recall", "source_hit", "oos_refusal", "false_refusals", "full_pass", "in_scope")


def summarise_engine(engine, case_sets: tuple[Path, ...] = CASE_SETS) -> dict:
    """The headline metrics of one engine over the case sets together."""
    cases = [case for path in case_sets for case in load_cases(path)]
    summary = run_cases(EngineSystem(engine), cases).summary
    return {key: summary[key] for key in KEPT} | {"cases": len(cases)}


def summarise_version(settings, folder: Path, embedder) -> dict:
    """The headline metrics of the index version in `folder`."""
    from assistant.answer.engine import Engine

    return summarise_engine(Engine.for_version(settings, folder, embedder))

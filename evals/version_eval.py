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


def version_summary(settings, folder: Path, embedder) -> dict:
    """The version's eval summary: the one kept in its record, else computed and kept there."""
    from knowledge.versions import VersionRecord

    record = VersionRecord.read(folder)
    if record is not None and record.eval:
        return record.eval
    summary = summarise_version(settings, folder, embedder)
    if record is not None:
        record.eval = summary
        record.write(folder)
    return summary


def eval_line(summary: dict | None) -> str:
    """A summary in one line: fact recall, source hit, refusals, cases."""
    if not summary:
        return "not evaluated"
    return (f"fact recall {summary['fact_recall']:.3f}, source hit {summary['source_hit']:.3f}, "
            f"out of scope refused {summary['oos_refusal']:.2f}, false refusals "
            f"{summary['false_refusals']} ({summary['cases']} cases)")

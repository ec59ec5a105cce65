"""Comparing two eval runs case by case, and checking a run against thresholds."""
from __future__ import annotations

import json
from pathlib import Path


def load_run(path: Path) -> dict:
    """A results.json written by `pdbot eval` (the project's run, or the first run in it)."""
    data = json.loads(path.read_text())
    return data["runs"][0] if "runs" in data else data


def _score(case: dict) -> tuple:
    return (bool(case["passed"]), case["facts_met"], case["sources_met"])


def compare_runs(previous: dict, current: dict) -> dict[str, list[dict]]:
    """Cases that got worse or better (passing, facts met, sources met), matched by case id."""
    before = {c["case_id"]: c for c in previous["cases"]}
    changes: dict[str, list[dict]] = {"worse": [], "better": [], "new": []}
    for case in current["cases"]:
        old = before.get(case["case_id"])
        if old is None:
            changes["new"].append(case)
            continue
        row = {"case_id": case["case_id"], "question": case["question"],
               "before": f"facts {old['facts_met']}/{old['facts_total']}, sources "
                         f"{old['sources_met']}/{old['sources_total']}, {'pass' if old['passed'] else 'fail'}",
               "after": f"facts {case['facts_met']}/{case['facts_total']}, sources "
                        f"{case['sources_met']}/{case['sources_total']}, {'pass' if case['passed'] else 'fail'}"}
        if _score(case) < _score(old):
            changes["worse"].append(row)
        elif _score(case) > _score(old):
            changes["better"].append(row)
    return changes


def parse_thresholds(spec: str) -> dict[str, float]:
    """"fact_recall=0.95,source_hit=0.97" -> {"fact_recall": 0.95, "source_hit": 0.97}."""
    thresholds = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition("=")
        try:
            thresholds[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ValueError(f"--fail-under wants name=number pairs, got {part!r}.")
    return thresholds


IN_SCOPE_METRICS = {"fact_recall", "source_hit", "mrr", "full_pass"}
OUT_OF_SCOPE_METRICS = {"oos_refusal"}


def below_thresholds(summary: dict, thresholds: dict[str, float], applicable: bool = False
                     ) -> list[str]:
    """Messages for each metric under its threshold (or unknown). With `applicable`, a metric
    about in-scope cases is skipped for a summary with none (and likewise out of scope): how
    per-kind breakdowns are gated."""
    problems = []
    for name, floor in thresholds.items():
        if applicable and ((name in IN_SCOPE_METRICS and not summary.get("in_scope"))
                           or (name in OUT_OF_SCOPE_METRICS and not summary.get("out_of_scope"))):
            continue
        if name not in summary:
            problems.append(f"{name}: no such metric (known: {', '.join(sorted(summary))})")
        elif summary[name] < floor:
            problems.append(f"{name} {summary[name]:.3f} < {floor}")
    return problems

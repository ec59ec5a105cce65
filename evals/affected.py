"""Which eval cases cite what a re-ingest changed, so a reviewer knows which answers to re-check."""
from __future__ import annotations

import json
from pathlib import Path

from evals.metrics import group_met


def affected_cases(changed_passages: list[str], case_files: list[Path]) -> list[str]:
    """Ids of eval cases with a source phrase in a changed, removed or added section."""
    if not changed_passages:
        return []
    ids = []
    for path in case_files:
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            if any(group_met(g, p) for g in case.get("sources", []) for p in changed_passages):
                ids.append(case["id"])
    return ids


def case_files() -> list[Path]:
    """The project's eval sets: evals/*.jsonl and evals/blind/*.jsonl."""
    folder = Path(__file__).resolve().parent
    return sorted(folder.glob("*.jsonl")) + sorted((folder / "blind").glob("*.jsonl"))

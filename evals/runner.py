"""Running an eval set through the engine and reporting the totals."""
from __future__ import annotations

import json
from pathlib import Path

from evals.metrics import CaseResult, score_case, summarise

DEFAULT_CASES = Path(__file__).resolve().parent / "cases.jsonl"


def load_cases(path: Path) -> list[dict]:
    """Eval cases from a JSONL file (blank lines ignored)."""
    cases = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.strip():
            try:
                cases.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg}).") from exc
    return cases


def run_cases(engine, cases: list[dict]) -> tuple[list[CaseResult], list[dict]]:
    """Answer every case; return per-case results and the answers (public JSON shape)."""
    from assistant.batch import answer_request

    answers = [answer_request(engine, case) for case in cases]
    return [score_case(c, a) for c, a in zip(cases, answers)], answers


def evaluate(engine, path: Path = DEFAULT_CASES) -> tuple[dict, list[CaseResult], list[dict]]:
    """Run an eval file: summary, per-case results and answers."""
    cases = load_cases(path)
    engine.answer("warm-up question about NPQs")  # the first call loads the model
    results, answers = run_cases(engine, cases)
    return summarise(results), results, answers

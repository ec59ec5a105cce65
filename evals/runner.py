"""Running an eval set through a system (the engine, or a baseline) and collecting the results."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from evals.metrics import CaseResult, breakdown, score_case, summarise
from evals.sections import by_section

DEFAULT_CASES = Path(__file__).resolve().parent / "cases.jsonl"


def load_cases(path: Path) -> list[dict]:
    """Eval cases from a JSONL file (blank lines ignored); `pdbot feedback export` files too."""
    cases = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.strip():
            try:
                case = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg}).") from exc
            case.setdefault("history", [])
            case.setdefault("facts", [])
            case.setdefault("sources", [])
            case.setdefault("in_scope", True)
            cases.append(case)
    return cases


class EngineSystem:
    """The project's engine, as the eval runner calls it."""

    def __init__(self, engine, name: str = "pdbot"):
        self.engine = engine
        self.name = name

    def warm_up(self) -> None:
        self.engine.answer("warm-up question about NPQs")  # the first call loads the model

    def run(self, case: dict) -> tuple[dict, list[Retrieved]]:
        """(answer JSON, the retrieved sections, best first, each as its id and "heading path:
        text")."""
        from assistant.batch import answer_request, parse_history
        from knowledge.errors import PdbotError

        answer = answer_request(self.engine, case, trace=True)
        try:
            hits = self.engine.related_chunks(case["question"], parse_history(case["history"]))
        except PdbotError:
            hits = []
        return answer, ranked_sections(self.engine, [h.chunk.section_id for h in hits])

    def section_labels(self) -> dict[str, tuple[str, str]]:
        """Every section of the index as ("document › heading path", text), by id."""
        return {sid: (section_heading(view), " ".join(u.text for u in view.units))
                for sid, view in self.engine.index.sections.items()}


@dataclass(frozen=True)
class Retrieved:
    """One retrieved passage: the section it is (empty for systems without sections) and its
    heading path and text, which eval sources are looked up in."""

    section_id: str
    text: str


def section_heading(view) -> str:
    """"document › heading path" of a section."""
    return " › ".join([view.doc_title, *view.path])


def section_text(view) -> str:
    """A section as eval sources are matched against it: document, heading path, then text."""
    return f"{section_heading(view)}: {' '.join(u.text for u in view.units)}"


def ranked_sections(engine, section_ids: list[str]) -> list[Retrieved]:
    """Distinct sections in the order first retrieved."""
    return [Retrieved(sid, section_text(engine.index.sections[sid]))
            for sid in dict.fromkeys(section_ids) if sid in engine.index.sections]


@dataclass
class EvalRun:
    """One system's results on one case set."""

    system: str
    cases: list[dict]
    results: list[CaseResult]
    answers: list[dict]
    summary: dict = field(default_factory=dict)
    by_kind: dict = field(default_factory=dict)
    by_document: dict = field(default_factory=dict)
    judged: dict | None = None  # model-judged metrics, when an LLM was configured
    understanding: dict | None = None  # the intent classifier's cross-validated accuracy
    perturbation: dict | None = None  # outcome flips under rewritten questions (--perturb)
    by_section: list[dict] | None = None  # per section of the index: its cases and recall
    show_sections: bool = False  # the per-section table goes into the reports (--by-section)
    config: dict | None = None  # the engine configuration the run used (digest and values)

    def to_json(self) -> dict:
        return {"system": self.system, "summary": self.summary, "by_kind": self.by_kind,
                "by_document": self.by_document, "judged": self.judged,
                "understanding": self.understanding, "perturbation": self.perturbation,
                "by_section": self.by_section, "config": self.config,
                "cases": [{**r.__dict__, "passed": r.passed, "question": c["question"],
                           "answer": a} for r, c, a in zip(self.results, self.cases, self.answers)]}


def run_cases(system, cases: list[dict]) -> EvalRun:
    """Run every case through a system and score it."""
    system.warm_up()
    results, answers = [], []
    for case in cases:
        answer, retrieved = system.run(case)
        answers.append(answer)
        results.append(score_case(case, answer, [r.text for r in retrieved],
                                  [r.section_id for r in retrieved if r.section_id]))
    run = EvalRun(system=system.name, cases=cases, results=results, answers=answers,
                  summary=summarise(results), by_kind=breakdown(results, "kind"),
                  by_document=breakdown(results, "document"))
    labels = getattr(system, "section_labels", None)
    if labels is not None:
        run.by_section = by_section(cases, results, labels())
    return run


def evaluate(engine, path: Path = DEFAULT_CASES) -> EvalRun:
    """Run an eval file through the engine."""
    return run_cases(EngineSystem(engine), load_cases(path))

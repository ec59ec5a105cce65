"""Scoring answers against eval cases: facts in the answer text, sources among the citations."""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field


def normalise(text: str) -> str:
    """Lower-case, typographic quotes and dashes folded, whitespace collapsed."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    text = text.replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def group_met(group: list[str], haystack: str) -> bool:
    """A group of alternative phrases is met when any of them occurs in the haystack."""
    hay = normalise(haystack)
    return any(normalise(p) in hay for p in group)


@dataclass
class CaseResult:
    """One case's outcome."""

    case_id: str
    kind: str
    in_scope: bool
    answered: bool
    facts_met: int
    facts_total: int
    sources_met: int
    sources_total: int
    length: int
    latency_ms: float
    missed_facts: list[list[str]] = field(default_factory=list)
    missed_sources: list[list[str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        if not self.in_scope:
            return not self.answered
        return (self.answered and self.facts_met == self.facts_total
                and self.sources_met == self.sources_total)


def score_case(case: dict, answer: dict) -> CaseResult:
    """Score one answer (the public JSON shape) against one case."""
    text = answer["answer"] if answer["answered"] else ""
    cited = " ".join(f"{c['document']} › {c['section']} {c['text']}" for c in answer["citations"])
    missed_facts = [g for g in case["facts"] if not group_met(g, text)]
    missed_sources = [g for g in case["sources"] if not (answer["answered"] and group_met(g, cited))]
    return CaseResult(
        case_id=case["id"], kind=case.get("kind", ""), in_scope=case["in_scope"],
        answered=answer["answered"],
        facts_met=len(case["facts"]) - len(missed_facts), facts_total=len(case["facts"]),
        sources_met=len(case["sources"]) - len(missed_sources), sources_total=len(case["sources"]),
        length=len(answer["answer"]), latency_ms=answer["latency_ms"],
        missed_facts=missed_facts, missed_sources=missed_sources)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarise(results: list[CaseResult]) -> dict:
    """Totals over all cases: recall, pass counts, refusal rates, length and latency."""
    scoped = [r for r in results if r.in_scope]
    oos = [r for r in results if not r.in_scope]
    facts_total = sum(r.facts_total for r in scoped)
    sources_total = sum(r.sources_total for r in scoped)
    lengths = [r.length for r in scoped if r.answered]
    latencies = [r.latency_ms for r in results]
    return {
        "cases": len(results),
        "in_scope": len(scoped),
        "out_of_scope": len(oos),
        "fact_recall": sum(r.facts_met for r in scoped) / facts_total if facts_total else 1.0,
        "full_pass": sum(1 for r in scoped if r.passed),
        "source_hit": sum(r.sources_met for r in scoped) / sources_total if sources_total else 1.0,
        "oos_refusal": sum(1 for r in oos if not r.answered) / len(oos) if oos else 1.0,
        "false_refusals": sum(1 for r in scoped if not r.answered),
        "answer_chars_median": statistics.median(lengths) if lengths else 0,
        "answer_chars_p90": percentile(lengths, 90),
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
    }

"""Scoring answers against eval cases, deterministically.

Per case: facts met in the answer text, sources met among the citations, the rank of the first
retrieved section matching a source (for MRR and recall@k: the section that answers is among the
first k retrieved), whether every [n] in the answer is a listed citation, refusal, length and
latency. Totals, and breakdowns by case kind and by document.
"""
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


def citations_valid(answer: dict) -> bool:
    """Every [n] mark in the answer text is the number of a listed citation."""
    listed = {c["n"] for c in answer.get("citations", [])}
    return all(int(n) in listed for n in re.findall(r"\[(\d+)\]", answer.get("answer", "")))


def first_source_rank(case: dict, retrieved: list[str]) -> int | None:
    """1-based rank of the first retrieved passage (heading path + text) matching any source
    group, or None when none does (or the case names no sources)."""
    for rank, passage in enumerate(retrieved, start=1):
        if any(group_met(g, passage) for g in case.get("sources", [])):
            return rank
    return None


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
    document: str = ""
    citations_valid: bool = True
    source_rank: int | None = None
    retrieved: list[str] = field(default_factory=list)  # section ids, best first (top RANKED_KEPT)

    @property
    def passed(self) -> bool:
        if not self.in_scope:
            return not self.answered
        return (self.answered and self.facts_met == self.facts_total
                and self.sources_met == self.sources_total and self.citations_valid)


RECALL_AT = (1, 3, 5)
RANKED_KEPT = 10  # retrieved section ids kept per case, for the per-section report


def score_case(case: dict, answer: dict, retrieved: list[str] | None = None,
               section_ids: list[str] | None = None) -> CaseResult:
    """Score one answer (the public JSON shape) against one case; `retrieved` is the ranked
    list of retrieved sections (heading path and text) for the retrieval rank, `section_ids`
    their ids."""
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
        missed_facts=missed_facts, missed_sources=missed_sources,
        document=case.get("document", ""), citations_valid=citations_valid(answer),
        source_rank=first_source_rank(case, retrieved or []) if case["in_scope"] else None,
        retrieved=list(section_ids or [])[:RANKED_KEPT])


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarise(results: list[CaseResult]) -> dict:
    """Totals over the cases: recall, pass counts, MRR, citation validity, refusals, length,
    latency."""
    scoped = [r for r in results if r.in_scope]
    oos = [r for r in results if not r.in_scope]
    facts_total = sum(r.facts_total for r in scoped)
    sources_total = sum(r.sources_total for r in scoped)
    lengths = [r.length for r in scoped if r.answered]
    latencies = [r.latency_ms for r in results]
    ranked = [r for r in scoped if r.sources_total]
    return {
        "cases": len(results),
        "in_scope": len(scoped),
        "out_of_scope": len(oos),
        "fact_recall": sum(r.facts_met for r in scoped) / facts_total if facts_total else 1.0,
        "full_pass": sum(1 for r in scoped if r.passed),
        "source_hit": sum(r.sources_met for r in scoped) / sources_total if sources_total else 1.0,
        "mrr": (sum(1 / r.source_rank for r in ranked if r.source_rank) / len(ranked)
                if ranked else 1.0),
        **{f"recall_at_{k}": (sum(1 for r in ranked if r.source_rank and r.source_rank <= k)
                              / len(ranked) if ranked else 1.0) for k in RECALL_AT},
        "citation_validity": (sum(1 for r in results if r.citations_valid) / len(results)
                              if results else 1.0),
        "oos_refusal": sum(1 for r in oos if not r.answered) / len(oos) if oos else 1.0,
        "false_refusals": sum(1 for r in scoped if not r.answered),
        "answer_chars_median": statistics.median(lengths) if lengths else 0,
        "answer_chars_p90": percentile(lengths, 90),
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
    }


def breakdown(results: list[CaseResult], key: str) -> dict[str, dict]:
    """summarise() for each value of a case attribute ("kind" or "document")."""
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        groups.setdefault(getattr(r, key) or "unlabelled", []).append(r)
    return {name: summarise(group) for name, group in sorted(groups.items())}

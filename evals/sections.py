"""Per-section quality: which sections of the documents the eval cases ask about, and how often
retrieval ranks them first. A case's gold sections are those whose heading path holds one of its
source phrases (else those whose text does), so sections that are never found show up."""
from __future__ import annotations

from evals.metrics import group_met


def gold_sections(case: dict, sections: dict[str, tuple[str, str]]) -> list[str]:
    """Ids of the sections that answer a case (sections as ("document › heading path", text) by
    id). A section is a candidate when one of the case's source phrases is in its heading path
    (its own heading or a parent's), else in its text, in the document the case is about when it
    names one; the candidates holding most of the case's fact phrases answer it, or, when none
    holds one, those whose own heading holds a source phrase (else all candidates)."""
    document = case.get("document", "")
    if document in {sid.split("/", 1)[0] for sid in sections}:
        sections = {sid: v for sid, v in sections.items() if sid.split("/", 1)[0] == document} \
            or sections
    candidates: list[str] = []
    for group in case.get("sources", []):
        for where in (lambda h, t: h, lambda h, t: f"{h} {t}"):
            matched = [sid for sid, (h, t) in sections.items() if group_met(group, where(h, t))]
            if matched:
                candidates += matched
                break
    candidates = list(dict.fromkeys(candidates))
    holding = {sid: sum(group_met(g, sections[sid][1]) for g in case.get("facts", []))
               for sid in candidates}
    best = max(holding.values(), default=0)
    if best:
        return [sid for sid in candidates if holding[sid] == best]
    titled = [sid for sid in candidates
              if any(group_met(g, sections[sid][0].split(" › ")[-1]) for g in case.get("sources", []))]
    return titled or candidates


def by_section(cases: list[dict], results: list, sections: dict[str, tuple[str, str]]
               ) -> list[dict]:
    """One row per section, in document order: its in-scope cases, recall@1 and @3 (the section
    among the first k retrieved), fact recall and full passes."""
    rows = {sid: {"section": sid, "heading": heading, "cases": 0, "at_1": 0,
                  "at_3": 0, "facts_met": 0, "facts_total": 0, "passed": 0}
            for sid, (heading, _) in sections.items()}
    for case, result in zip(cases, results):
        if not case.get("in_scope", True):
            continue
        for sid in gold_sections(case, sections):
            row = rows[sid]
            row["cases"] += 1
            rank = result.retrieved.index(sid) + 1 if sid in result.retrieved else None
            row["at_1"] += rank == 1
            row["at_3"] += rank is not None and rank <= 3
            row["facts_met"] += result.facts_met
            row["facts_total"] += result.facts_total
            row["passed"] += result.passed
    out = []
    for row in rows.values():
        n = row["cases"]
        out.append({**row,
                    "recall_at_1": row["at_1"] / n if n else None,
                    "recall_at_3": row["at_3"] / n if n else None,
                    "fact_recall": row["facts_met"] / row["facts_total"] if row["facts_total"] else None})
    return out


def section_lines(rows: list[dict]) -> list[str]:
    """The per-section table as Markdown, then the sections no case asks about."""
    lines = ["| section | cases | recall@1 | recall@3 | fact recall | full pass |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        if row["cases"]:
            lines.append(f"| {row['heading']} | {row['cases']} | {row['recall_at_1']:.2f} | "
                         f"{row['recall_at_3']:.2f} | "
                         + (f"{row['fact_recall']:.2f}" if row["fact_recall"] is not None else "—")
                         + f" | {row['passed']}/{row['cases']} |")
    never = [row["heading"] for row in rows if row["cases"] and not row["at_3"]]
    missing = [row["heading"] for row in rows if not row["cases"]]
    lines += ["", f"Sections asked about: {sum(1 for r in rows if r['cases'])} of {len(rows)}."]
    if never:
        lines += ["", "Never retrieved in the first three: " + "; ".join(never)]
    if missing:
        lines += ["", "No case asks about: " + "; ".join(missing)]
    return lines

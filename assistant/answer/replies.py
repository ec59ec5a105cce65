"""Answers that are not a plain quotation: catalogue facts, each document's word on a topic,
"the documents don't say" with the closest passage, refusals and small talk."""
from __future__ import annotations

from assistant import messages
from assistant.answer.compose import (ANSWER_BUDGET, Passage, SectionView, pick_units, render,
                                      score_units)
from assistant.answer.decide import Decision, best_units
from assistant.answer.passages import label_documents
from assistant.answer.query import Query
from assistant.answer.retrieve import Evidence
from knowledge.records import Citation

CATALOGUE_SECTION = "Catalogue entry"
CLOSEST_UNITS = 2


def catalogue(query: Query, documents: list[dict]):
    """(text, citations) describing the documents the question names (all when none)."""
    named = [d for d in documents if d["id"] in query.documents] or documents
    current = next((d["title"] for d in documents if d.get("status") == "current"), "")
    lines, citations = [], []
    for n, doc in enumerate(named, start=1):
        line = messages.catalogue_line(doc["title"], doc.get("date", ""), doc.get("status", ""),
                                       current if doc["title"] != current else "",
                                       doc.get("publisher", ""))
        lines.append(f"{'• ' if len(named) > 1 else ''}{line} [{n}]")
        citations.append(Citation(n=n, document=doc["title"], date=doc.get("date", ""),
                                  section=CATALOGUE_SECTION, text=line,
                                  chunk_id=f"{doc['id']}/catalogue"))
    intro = messages.catalogue_intro(len(named))
    return "\n".join(([intro] if intro else []) + lines), citations


def compare(query: Query, per_document: dict[str, Evidence], sections: dict[str, SectionView],
            query_terms: dict[str, float], budget: int = ANSWER_BUDGET):
    """(text, citations): the best section of each document on the topic, each labelled with
    its document and date."""
    passages = []
    share = budget // max(1, len(per_document))
    for evidence in per_document.values():
        views = [sections[sid] for sid in evidence.sections[:1] if sid in sections]
        if not views or not views[0].units:
            continue
        scored = [score_units(views[0], query.vector, query_terms)]
        picks = pick_units(views, scored, [True], [[]], share, 1)
        passages += [Passage(views[0], p.units, title=views[0].title, compact=p.compact)
                     for p in picks]
    label_documents(passages)
    return render(passages, budget=budget)


def not_stated(decision: Decision, sections: dict[str, SectionView], budget: int = ANSWER_BUDGET):
    """(text, citations): the documents don't give the value asked for; the closest passage."""
    query, evidence = decision.query, decision.evidence
    units = best_units(query, evidence, sections, CLOSEST_UNITS) if evidence else []
    by_view: dict[str, Passage] = {}
    for view, unit in units:
        passage = by_view.setdefault(view.section_id, Passage(view, [], title=view.title))
        passage.units.append(unit)
    passages = [Passage(p.section, sorted(p.units), title=p.title) for p in by_view.values()]
    intro = messages.not_stated(decision.missing, query.other_organisations)
    if not passages:
        return intro.rsplit(".", 1)[0] + ".", []
    return render(passages, intro=intro, budget=budget)


def refusal(decision: Decision) -> str:
    """The text of an answer that quotes nothing."""
    if decision.kind == "instructions":
        return messages.INSTRUCTIONS
    if decision.kind == "smalltalk":
        return messages.THANKS if decision.reason == "thanks" else messages.GREETING
    if decision.kind == "out_of_scope" and decision.topic is not None:
        return decision.topic.reply or messages.not_covered(decision.topic.name, decision.topic.ask)
    return messages.NOT_COVERED

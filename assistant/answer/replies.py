"""Answers that are not a plain quotation: catalogue facts, each document's word on a topic,
"the documents don't say" with the closest passage, refusals and small talk."""
from __future__ import annotations

from assistant import messages
from assistant.answer.compose import Passage, SectionView, pick_units, render, score_units
from assistant.answer.config import CompositionConfig, DecisionConfig
from assistant.answer.decide import Decision, DecisionKind, best_units
from assistant.answer.passages import label_documents
from assistant.answer.query import Query
from assistant.answer.retrieve import Evidence
from knowledge.records import Citation

CATALOGUE_SECTION = "Catalogue entry"


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
            query_terms: dict[str, float], budget: int, config: CompositionConfig):
    """(text, citations): each document's passage on the topic, each labelled with its document
    and date. The document whose best section ranks highest leads; in the others, a section
    with the same heading among their best ones is the matching passage ("The role of Camden
    Learning is" in both), else their best section."""
    passages = []
    share = budget // max(1, len(per_document))
    leading = max(per_document.values(),
                  key=lambda e: e.scores.get(e.sections[0], 0.0) if e.sections else float("-inf"))
    lead_title = _title_words(sections, leading.sections[0]) if leading.sections else set()
    for evidence in per_document.values():
        best = evidence.sections[:1]
        if evidence is not leading and lead_title:
            same = [sid for sid in evidence.sections[:config.candidate_sections]
                    if _jaccard(lead_title, _title_words(sections, sid)) >= config.same_heading]
            best = same[:1] or best
        views = [sections[sid] for sid in best if sid in sections]
        if not views or not views[0].units:
            continue
        scored = [score_units(views[0], query.vector, query_terms, config)]
        picks = pick_units(views, scored, [True], [[]], share, 1, config)
        passages += [Passage(views[0], p.units, title=views[0].title, compact=p.compact)
                     for p in picks]
    label_documents(passages)
    return render(passages, config, budget)


def _title_words(sections: dict[str, SectionView], sid: str) -> set[str]:
    from knowledge.tokens import terms

    view = sections.get(sid)
    return set(terms(view.title)) if view else set()


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def not_stated(decision: Decision, sections: dict[str, SectionView], budget: int,
               config: CompositionConfig, deciding: DecisionConfig):
    """(text, citations): the documents don't give the value asked for; the closest passage."""
    query, evidence = decision.query, decision.evidence
    units = best_units(query, evidence, sections, config.closest_units, config,
                       deciding.best_sections) if evidence else []
    by_view: dict[str, Passage] = {}
    for view, unit in units:
        passage = by_view.setdefault(view.section_id, Passage(view, [], title=view.title))
        passage.units.append(unit)
    passages = [Passage(p.section, sorted(p.units), title=p.title) for p in by_view.values()]
    intro = messages.not_stated(decision.missing, query.other_organisations)
    if not passages:
        return intro.rsplit(".", 1)[0] + ".", []
    return render(passages, config, budget, intro=intro)


def refusal(decision: Decision) -> str:
    """The text of an answer that quotes nothing."""
    if decision.kind is DecisionKind.INSTRUCTIONS:
        return messages.INSTRUCTIONS
    if decision.kind is DecisionKind.SMALLTALK:
        return messages.THANKS if decision.reason == "thanks" else messages.GREETING
    if decision.kind is DecisionKind.OUT_OF_SCOPE and decision.topic is not None:
        return decision.topic.reply or messages.not_covered(decision.topic.name, decision.topic.ask)
    return messages.NOT_COVERED

"""The general answer: the best sections' most relevant units within the budget, and what the
other document says differently on the same topic, dated."""
from __future__ import annotations

import numpy as np

from assistant.answer.compose import (ANSWER_BUDGET, Passage, SectionView, lexical_overlap,
                                      pick_units, render, score_units, term_keys)
from assistant.answer.query import Query
from assistant.answer.retrieve import Evidence
from knowledge.domain import Aspect
from knowledge.tokens import terms

MAX_PASSAGES = 3
CLOSE_SHARE = 0.8  # a section this close to the best in fused score competes as an equal
MAX_IDF = 4.0  # weight of a question word the documents never use
CANDIDATE_SECTIONS = 5
OTHER_VERSION_SIMILARITY = 0.85  # the other document's passage this close to the best: cited too
OTHER_VERSION_CHARS = 240  # ... quoting one statement of at most this length
SAME_WORDING = 0.6  # term overlap (Jaccard) at which two statements say the same thing
VALUE_BONUS = 1.0  # the unit holding the value a typed question asks for is quoted first
LIST_BONUS = 0.3  # the best list's edge over prose when a question asks for a list ...
LIST_NEAR_BEST = 0.7  # ... when its items score at least this share of the best unit,
LIST_TITLE = 0.3  # ... counting how much of the question its title or lead-in echoes


class PassageComposer:
    """Extractive answers from ranked sections."""

    def __init__(self, sections: dict[str, SectionView], idf: dict[str, float],
                 common: set[str], aspects: dict[str, Aspect]):
        self.sections = sections
        self.idf = idf
        self.common = common
        self.aspects = aspects
        self._title_terms = {sid: set(terms(view.title)) for sid, view in sections.items()}

    def query_terms(self, query: Query) -> dict[str, float]:
        """The question's terms with their IDF weights (unknown words weigh MAX_IDF)."""
        return {t: self.idf.get(t, MAX_IDF) for t in terms(f"{query.search_text} {query.corrected}")}

    def compose(self, query: Query, evidence: Evidence, budget: int = ANSWER_BUDGET,
                other_version: bool = True, values: tuple = ()):
        """(text, citations) quoting the best sections' most relevant units; `values` are the
        (section, unit) pairs holding what a typed question asks for, quoted first."""
        query_terms = self.query_terms(query)
        sections = list(evidence.sections)
        for sid, _ in values:
            if sid not in sections[:CANDIDATE_SECTIONS]:
                sections.insert(1, sid)
        top = sections[0]
        children = [sid for sid in self.sections if sid.startswith(top + "/")]
        ranked = [top, *children, *(sid for sid in sections[1:] if sid not in children)]
        ranked = [sid for sid in ranked[:CANDIDATE_SECTIONS + len(children)] if sid in self.sections]
        views = [self.sections[sid] for sid in ranked]
        best_score = max(evidence.scores.values(), default=0.0)
        close = {sid for sid, score in evidence.scores.items() if score >= CLOSE_SHARE * best_score}
        valued = {sid for sid, _ in values}
        primary = [sid == top or sid in children or sid in close or sid in valued for sid in ranked]
        scored = [score_units(v, query.vector, query_terms) for v in views]
        for sid, unit in values:
            k = ranked.index(sid)
            scored[k] = scored[k].copy()
            scored[k][unit] += VALUE_BONUS
        if query.intent == "list":  # "which NPQs are there?": the list, not the prose around it
            scored = _favour_best_list(views, scored, primary, query_terms)
        asked = {c for key in query.aspects if key in self.aspects for c in self.aspects[key].columns}
        columns = [[c for c in {u.label for u in v.units if u.kind == "field"} if c in asked]
                   for v in views]
        one_stage = bool(query.stages) and any(m.stage.section_id == top for m in query.stages) \
            and any(m.strength > 3 for m in query.stages)
        picks = pick_units(views, scored, primary, columns, budget,
                           1 if one_stage else MAX_PASSAGES,
                           whole_first=not children and not query.pointed,
                           focused=query.pointed)
        passages = [Passage(views[p.view], p.units, title=views[p.view].title, compact=p.compact)
                    for p in picks]
        if other_version and not query.documents:
            passages += self._other_version(passages, query.vector, query_terms)
        label_documents(passages)
        return render(passages, budget=budget)

    def _other_version(self, passages: list[Passage], query_vector: np.ndarray,
                       query_terms: dict[str, float]) -> list[Passage]:
        """When another document speaks to the same topic as the answer's first section (a
        shared heading term, and a passage nearly as close to the question), quote its closest
        statement too, unless it repeats what is quoted, so its wording is cited with its date
        rather than silently mixed in or dropped."""
        if not passages or not passages[0].section.units:
            return []
        top = passages[0].section
        topic = self._title_terms[top.section_id] - self.common
        cited = {p.section.doc_title for p in passages}
        candidates = [v for v in self.sections.values()
                      if topic and v.units and v.doc_title not in cited
                      and topic & self._title_terms[v.section_id]]
        if not candidates:
            return []
        closeness = {v.section_id: float((v.vectors @ query_vector).max()) for v in candidates}
        view = max(candidates, key=lambda v: closeness[v.section_id])
        if closeness[view.section_id] < OTHER_VERSION_SIMILARITY * float((top.vectors @ query_vector).max()):
            return []
        quoted = [set(terms(p.section.units[i].text)) for p in passages for i in p.units]
        scores = score_units(view, query_vector, query_terms)
        for i in (int(i) for i in np.argsort(-scores)):
            if len(view.units[i].text) > OTHER_VERSION_CHARS:
                continue
            statement = set(terms(view.units[i].text))
            if all(len(statement & seen) < SAME_WORDING * len(statement | seen) for seen in quoted):
                return [Passage(view, [i], title=view.title)]  # it says something else
            break  # its closest statement repeats what is quoted already
        return []


def _favour_best_list(views: list[SectionView], scored: list[np.ndarray], primary: list[bool],
                      query_terms: dict[str, float]) -> list[np.ndarray]:
    """Lift the items of the best-scoring list (two or more items under one lead-in) in the
    primary sections, so that the list is quoted whole, when its items score near the best
    unit there (a list of specialisms does not answer "which schools run it?")."""
    best, where = -1.0, None
    top = max((float(s.max()) for s, p in zip(scored, primary) if p and len(s)), default=0.0)
    for k, (view, scores) in enumerate(zip(views, scored)):
        if not primary[k]:
            continue
        lists: dict[str, list[int]] = {}
        for i, unit in enumerate(view.units):
            if unit.kind == "item":
                lists.setdefault(unit.label, []).append(i)
        for label, items in lists.items():
            named = lexical_overlap(query_terms, term_keys(set(terms(f"{view.title} {label}"))))
            score = float(np.mean(scores[items])) + LIST_TITLE * named
            if len(items) >= 2 and score > best:
                best, where = score, (k, items)
    if where is None or best < LIST_NEAR_BEST * top:
        return scored
    k, items = where
    lifted = [s.copy() for s in scored]
    lifted[k][items] += LIST_BONUS
    return lifted


def label_documents(passages: list[Passage]) -> None:
    """When passages come from more than one document, say which document says what."""
    if len({p.section.doc_title for p in passages}) > 1:
        for p in passages:
            p.title = f"{p.title} ({short_document(p.section)})"


def short_document(view: SectionView) -> str:
    """"Framework, July 2023": the last word of a document's title and its date."""
    name = view.doc_title.split()[-1] if view.doc_title else "document"
    return f"{name}, {view.doc_date}" if view.doc_date else name

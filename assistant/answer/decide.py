"""Decide: answer, or not, and how — from what the question asks and what retrieval found.

This is the one place where a question is judged out of scope. The rules, in order:
- an instruction to change the rules is refused; small talk gets small talk back;
- a question classified as an uncovered topic (pay, leave, IT...) is refused only when no
  passage answers it well; one unknown word never refuses anything;
- nothing in the documents close to the question: "not covered";
- questions about the documents themselves are answered from the catalogue;
- a question about a named stage (what comes next, how to become it, one of its aspects,
  which stage fits) is a pathway answer; "has X changed?" quotes each document;
- a question asking for a value the passages lack (a fee, a deadline, a name, a statistic,
  another borough's offer) gets "the documents don't say" with the closest passage;
- anything else is answered from the best passages.
"""
from __future__ import annotations

from dataclasses import dataclass

from assistant.answer.compose import SectionView, score_units
from assistant.answer.query import Query
from assistant.answer.retrieve import Evidence
from assistant.answer.stages import StageMatch
from knowledge.domain import DEFAULT_ANSWER_TYPE, Domain, Topic
from knowledge.glossary import tokens
from knowledge.tokens import stem

MIN_SIMILARITY = 0.33  # below this cosine, nothing in the documents is about the question
ANSWERS_WELL = 0.62  # a passage this close answers even a question that looks off-topic
TOPIC_PROBABILITY = 0.25  # an uncovered topic, the likeliest intent, needs this probability to refuse
SURER_NEEDS_MORE = 0.3  # ... and the surer it is, the closer a passage must come to answer anyway
SMALLTALK_WORDS = 5
TYPED_UNITS = 5  # "the documents don't say" quotes up to this many closest units ...
TYPED_SHARE = 0.6  # a unit holding the value asked for must score this share of the best unit,
TYPED_OWN_SECTIONS = 2  # ... unless it is in one of this many best sections
BEST_SECTIONS = 4  # sections searched for the units that answer a typed question
SURE_TYPE = 0.6  # an answer type this likely refuses when the passages lack the value
SURE_COMPARE = 0.7  # "has it changed since 2023?" compares both documents though it names one
UNCERTAIN = 0.3  # intent probability below which a question naming a stage gets its details ...
STRONG_NAME = 9  # ... when named by more than one short word
CONFIDENT = 0.7  # a next-step reading this likely stands even when an aspect is named ...
UNSURE = 0.3  # ... otherwise a stage-detail reading this likely wins
PATHWAY_INTENTS = {"next_step": "next", "become": "become", "stage_detail": "detail",
                   "which_stage": "which"}


@dataclass(frozen=True)
class Decision:
    """What to do with one question.

    kind: "answer", "pathway", "compare", "catalogue", "not_stated", "out_of_scope",
    "not_covered", "instructions" or "smalltalk". `direction` says which pathway answer
    ("next", "become", "detail", "which"); `missing` the kind of value the documents lack.
    """

    kind: str
    query: Query
    evidence: Evidence | None = None
    stage: StageMatch | None = None
    direction: str = ""
    topic: Topic | None = None
    missing: str = ""
    reason: str = ""
    value: tuple[str, int] | None = None  # (section id, unit) holding the value a typed question asks
    values: tuple = ()  # for questions answered together: every value they ask


def decide(query: Query, evidence: Evidence, sections: dict[str, SectionView], domain: Domain,
           current_documents: set[str], query_terms: dict[str, float] | None = None,
           topic_best: float | None = None) -> Decision:
    """Choose the kind of answer for a question and its evidence. `topic_best` is how close
    the documents come to the question with the roles it names left out ("what is the salary
    of an HLTA" -> "what is the salary of"): for a question classified as an uncovered topic,
    a passage must answer that, not merely mention the role."""
    intent = query.intent
    if intent == "instruction_attack":
        return Decision("instructions", query, reason="instructions")
    if intent in ("greeting", "thanks") and len(query.corrected.split()) <= SMALLTALK_WORDS:
        return Decision("smalltalk", query, reason=intent)
    closeness = evidence.best if topic_best is None else topic_best
    needed = ANSWERS_WELL + SURER_NEEDS_MORE * max(0.0, query.confidence - TOPIC_PROBABILITY)
    if query.is_topic and query.confidence >= TOPIC_PROBABILITY and closeness < needed:
        topic = domain.topics[intent.split(".", 1)[1]]
        return Decision("out_of_scope", query, evidence, topic=topic, reason=f"topic:{topic.key}")
    if intent == "document_facts":
        return Decision("catalogue", query, evidence, reason="")
    if evidence.best < MIN_SIMILARITY or not evidence.sections:
        return Decision("not_covered", query, evidence, reason=f"weak:{evidence.best:.2f}")
    stage = pick_stage(query, evidence, current_documents, _asks_columns(query, domain))
    direction = PATHWAY_INTENTS.get(intent)
    if direction == "next" and _asks_detail(query, domain):
        direction = "detail"  # "the secondary example for a developing teacher in the pathway"
    if direction is None and stage is not None and query.answer_type == DEFAULT_ANSWER_TYPE and (
            _asks_columns(query, domain)
            or (query.confidence < UNCERTAIN and stage.strength > STRONG_NAME)):
        direction = "detail"  # "national programmes for SENDCOs?", or unsure what is asked
    if direction and stage and not query.pointed:
        return Decision("pathway", query, evidence, stage=stage, direction=direction)
    if intent == "compare_documents" and (len(query.documents) != 1 or query.confidence >= SURE_COMPARE):
        return Decision("compare", query, evidence)
    value = typed_value(query, evidence, sections, domain, query_terms or {})
    if value is None and query.type_confidence < SURE_TYPE:
        value = ()  # not sure it asks for that: answer without it rather than refuse
    if value is None:
        kind = query.answer_type
        return Decision("not_stated", query, evidence, missing=kind, reason=f"not_stated:{kind}")
    return Decision("answer", query, evidence, value=value)


def pick_stage(query: Query, evidence: Evidence, current_documents: set[str],
               asks_columns: bool = False) -> StageMatch | None:
    """The stage the question is about: the strongest named, in a document the question names
    (else a current one), ties broken by retrieval rank. A next-step follow-up that names no
    stage ("and after that?") is about the furthest stage the previous answer reached."""
    matches = list(query.stages)
    if not matches and query.intent == "next_step" and query.previous_stages:
        return max(query.previous_stages,
                   key=lambda m: (m.stage.number is not None, m.stage.number or 0))
    if not matches and (query.intent in PATHWAY_INTENTS or asks_columns):
        matches = list(query.previous_stages[:1]) or list(query.context_stages)  # "that one"
    if not matches:
        return None
    if query.intent == "become" and query.become_targets:  # "I'm a TA and want to become a teacher"
        nearest = query.become_targets[0].position
        same = [m for m in query.become_targets if m.position == nearest]
        mine = {m.pathway.name for m in matches if m not in query.become_targets}
        matches = sorted(same, key=lambda m: m.pathway.name not in mine)
    wanted = query.documents or current_documents
    preferred = [m for m in matches if m.pathway.doc_id in wanted] or \
        ([] if query.documents else matches)
    if not preferred:
        return None
    rank = {sid: i for i, sid in enumerate(evidence.sections)}
    return min(preferred, key=lambda m: (-m.strength, rank.get(m.stage.section_id, 99)))


def typed_value(query: Query, evidence: Evidence, sections: dict[str, SectionView],
                domain: Domain, query_terms: dict[str, float]) -> tuple[str, int] | None | tuple:
    """For a question asking for a kind of value (an amount, a date, a frequency...): the unit
    of the best sections holding one and nearly as relevant as the best unit; None when no such
    unit exists (the documents don't say). () for a question that asks for no particular kind."""
    kind = query.answer_type
    if kind == DEFAULT_ANSWER_TYPE:
        return ()
    if kind == "other_org":
        return None
    patterns = domain.evidence.get(kind, ())
    if not patterns:
        return ()
    ranked = best_units(query, evidence, sections, TYPED_UNITS * 8, query_terms, with_scores=True)
    if not ranked:
        return None
    top = ranked[0][2]
    own = set(evidence.sections[:TYPED_OWN_SECTIONS])
    for view, unit, score in ranked:
        if score < TYPED_SHARE * top and view.section_id not in own:
            continue
        text = view.units[unit].text
        if kind == "count":
            if _countable(query.counted, view, unit) or (
                    any(p.search(text) for p in patterns)
                    and _mentions(query.counted, f"{view.title} {view.units[unit].label} {text}")):
                return view.section_id, unit
        elif any(p.search(text) for p in patterns):
            return view.section_id, unit
    return None


def _asks_detail(query: Query, domain: Domain) -> bool:
    """A question asking for one aspect of a stage (not its summary), where the classifier is
    unsure whether it asks what comes next or about the stage itself."""
    asked = [a for a in query.aspects if a in domain.aspects and not domain.aspects[a].summary]
    p = query.probabilities
    return bool(asked) and p.get("next_step", 1.0) < CONFIDENT and p.get("stage_detail", 0.0) >= UNSURE


def _asks_columns(query: Query, domain: Domain) -> bool:
    """True when a question asks for a table column of a stage that its summary does not give
    ("national programmes", "examples"); "focus" and "purpose" are everyday words."""
    return any(domain.aspects[a].columns and not domain.aspects[a].summary
               for a in query.aspects if a in domain.aspects)


def best_units(query: Query, evidence: Evidence, sections: dict[str, SectionView], n: int,
               query_terms: dict[str, float] | None = None, with_scores: bool = False) -> list:
    """The n units scoring best for the question across its best sections, as (section,
    unit) or, `with_scores`, (section, unit, score)."""
    scored = []
    for sid in evidence.sections[:BEST_SECTIONS]:
        view = sections.get(sid)
        if view is None or not view.units:
            continue
        for i, score in enumerate(score_units(view, query.vector, query_terms or {})):
            scored.append((float(score), sid, i))
    scored.sort(key=lambda s: -s[0])
    if with_scores:
        return [(sections[sid], i, score) for score, sid, i in scored[:n]]
    return [(sections[sid], i) for _, sid, i in scored[:n]]


def _mentions(counted: str, text: str) -> bool:
    """True when the counted thing ("coaching sessions") is named in the text (by stem)."""
    wanted = {stem(w) for w in tokens(counted)}
    return not wanted or bool(wanted & {stem(w) for w in tokens(text)})


def _countable(counted: str, view: SectionView, unit: int) -> bool:
    """A list of the counted things ("how many hubs?" over the Hubs list) answers a count."""
    items = [u for u in view.units if u.kind == "item" and u.label == view.units[unit].label]
    return view.units[unit].kind == "item" and len(items) >= 2 and \
        _mentions(counted, f"{view.title} {view.units[unit].label}")

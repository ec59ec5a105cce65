"""Decide: answer, or not, and how — from what the question asks and what retrieval found.

This is the one place where a question is judged out of scope. The rules, in order:
- an instruction to change the rules is refused; small talk gets small talk back;
- a question classified as an uncovered topic (pay, leave, IT...) is refused only when no
  passage answers it well; one unknown word never refuses anything;
- nothing in the documents close to the question: "not covered";
- questions about the documents themselves are answered from the catalogue;
- a question about a named stage (what comes next, how to become it, one of its aspects,
  which stage fits) is a pathway answer: the stage the asker holds or wants, over stages
  merely mentioned, and, for its details, only when retrieval ranks that stage among the
  best sections; "has X changed?" quotes each document;
- a question asking for a value the passages lack (a fee, a deadline, a name, a statistic,
  another borough's offer) gets "the documents don't say" with the closest passage;
- anything else is answered from the best passages.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from assistant.answer.compose import SectionView, score_units
from assistant.answer.config import CompositionConfig, DecisionConfig
from assistant.answer.query import Query
from assistant.answer.retrieve import Evidence
from assistant.answer.stages import StageMatch
from knowledge.domain import DEFAULT_ANSWER_TYPE, Domain, Topic
from knowledge.glossary import tokens
from knowledge.tokens import STOP_WORDS, stem

PATHWAY_INTENTS = {"next_step": "next", "become": "become", "stage_detail": "detail",
                   "which_stage": "which"}


class DecisionKind(str, Enum):
    """The kinds of answer a question can get."""

    ANSWER = "answer"  # quoted from the best passages
    PATHWAY = "pathway"  # a stage's next step, how to become it, its details
    COMPARE = "compare"  # each document's word on a topic
    CATALOGUE = "catalogue"  # about the documents themselves
    NOT_STATED = "not_stated"  # the documents touch it but lack the value asked for
    OUT_OF_SCOPE = "out_of_scope"  # an uncovered topic (pay, leave, IT...)
    NOT_COVERED = "not_covered"  # nothing in the documents is close
    INSTRUCTIONS = "instructions"  # an attempt to change the rules
    SMALLTALK = "smalltalk"  # "hi", "thanks"

    @property
    def answers(self) -> bool:
        """True for the kinds that quote the documents as an answer."""
        return self in (DecisionKind.ANSWER, DecisionKind.PATHWAY, DecisionKind.COMPARE,
                        DecisionKind.CATALOGUE)


@dataclass(frozen=True)
class Decision:
    """What to do with one question, and the rule that chose it.

    `direction` says which pathway answer ("next", "become", "detail", "which"); `missing` the
    kind of value the documents lack.
    """

    kind: DecisionKind
    query: Query
    evidence: Evidence | None = None
    stage: StageMatch | None = None
    direction: str = ""
    topic: Topic | None = None
    missing: str = ""
    reason: str = ""
    value: tuple[str, int] | None = None  # (section id, unit) holding the value a typed question asks
    values: tuple = ()  # for questions answered together: every value they ask
    rule: str = ""  # which rule decided, for the answer's trace


def decide(query: Query, evidence: Evidence, sections: dict[str, SectionView], domain: Domain,
           current_documents: set[str], config: DecisionConfig, scoring: CompositionConfig,
           query_terms: dict[str, float] | None = None,
           topic_best: float | None = None, topic_refusal: bool = True) -> Decision:
    """Choose the kind of answer for a question and its evidence. `topic_best` is how close
    the documents come to the question with the roles it names left out ("what is the salary
    of an HLTA" -> "what is the salary of"): for a question classified as an uncovered topic,
    a passage must answer that, not merely mention the role. Without `topic_refusal` (an
    ablation) uncovered topics are answered like any question."""
    intent = query.intent
    kind = DecisionKind
    if intent == "instruction_attack":
        return Decision(kind.INSTRUCTIONS, query, reason="instructions",
                        rule="the intent classifier read an instruction to change the rules")
    if intent in ("greeting", "thanks") and len(query.corrected.split()) <= config.smalltalk_words:
        return Decision(kind.SMALLTALK, query, reason=intent, rule=f"short {intent}")
    closeness = evidence.best if topic_best is None else topic_best
    needed = config.answers_well + config.surer_needs_more * max(
        0.0, query.confidence - config.topic_probability)
    sure = config.topic_probability + (config.follow_up_topic_margin if query.follow_up else 0.0)
    if topic_refusal and query.is_topic and query.confidence >= sure and closeness < needed:
        topic = domain.topics[intent.split(".", 1)[1]]
        return Decision(kind.OUT_OF_SCOPE, query, evidence, topic=topic, reason=f"topic:{topic.key}",
                        rule=f"uncovered topic {topic.key} (p={query.confidence:.2f}); closest "
                             f"passage {closeness:.2f} < {needed:.2f}")
    if intent == "document_facts":
        return Decision(kind.CATALOGUE, query, evidence, rule="about the documents themselves")
    if evidence.best < config.min_similarity or not evidence.sections:
        return Decision(kind.NOT_COVERED, query, evidence, reason=f"weak:{evidence.best:.2f}",
                        rule=f"closest unit {evidence.best:.2f} < {config.min_similarity}")
    stage = pick_stage(query, evidence, current_documents, _asks_columns(query, domain))
    direction = PATHWAY_INTENTS.get(intent)
    if direction == "next" and _asks_detail(query, domain, config):
        direction = "detail"  # "the secondary example for a developing teacher in the pathway"
    if direction is None and stage is not None and query.answer_type == DEFAULT_ANSWER_TYPE and (
            _asks_columns(query, domain)
            or (query.confidence < config.uncertain and stage.strength > config.strong_name)):
        direction = "detail"  # "national programmes for SENDCOs?", or unsure what is asked
    if direction in ("detail", "which") and query.become_targets and "readiness" in query.aspects:
        direction = "become"  # "what should she show before she's ready for subject leader?"
        stage = query.become_targets[0]
    if direction in ("detail", "which") and stage is not None and config.stage_gate \
            and stage.stage.section_id not in evidence.sections[:config.stage_gate]:
        direction = None  # the stage is mentioned, but the best passages are elsewhere
    if direction and stage and not query.pointed:
        return Decision(kind.PATHWAY, query, evidence, stage=stage, direction=direction,
                        rule=f"{direction} for {stage.stage.title} ({intent}, "
                             f"p={query.confidence:.2f})")
    if intent == "compare_documents" and (len(query.documents) != 1
                                          or query.confidence >= config.sure_compare):
        return Decision(kind.COMPARE, query, evidence, rule="compare the documents")
    if len(query.documents) > 1 and intent in ("fact", "list"):
        return Decision(kind.COMPARE, query, evidence, rule="names both documents")
    value = typed_value(query, evidence, sections, domain, query_terms or {}, config, scoring)
    if value is None and query.type_confidence < config.sure_type:
        value = ()  # not sure it asks for that: answer without it rather than refuse
    if value is None:
        missing = query.answer_type
        return Decision(kind.NOT_STATED, query, evidence, missing=missing,
                        reason=f"not_stated:{missing}",
                        rule=f"asks for {missing} (p={query.type_confidence:.2f}); no passage "
                             "near the best holds one")
    return Decision(kind.ANSWER, query, evidence, value=value,
                    rule="quote the best passages" + (f" with the {query.answer_type} asked"
                                                       if value else ""))


def pick_stage(query: Query, evidence: Evidence, current_documents: set[str],
               asks_columns: bool = False) -> StageMatch | None:
    """The stage the question is about: the strongest named, in a document the question names
    (else a current one), ties broken by retrieval rank. A next-step follow-up that names no
    stage ("and after that?") is about the furthest stage the previous answer reached."""
    matches = list(query.stages)
    if query.intent in ("next_step", "become") and (query.held_stages or query.become_targets):
        # what comes after the role held, how to become the role wanted: not roles mentioned
        matches = [m for m in matches if m in query.held_stages or m in query.become_targets
                   or m not in query.mentioned_stages] or matches
    elif query.held_stages and query.mentioned_stages:
        # "I'm an AHT: what should a DHT focus on?": the role asked about, not the one held
        matches = [m for m in matches if m not in query.held_stages] or matches
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
                domain: Domain, query_terms: dict[str, float], config: DecisionConfig,
                scoring: CompositionConfig) -> tuple[str, int] | None | tuple:
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
    ranked = best_units(query, evidence, sections, config.typed_units * 8, scoring,
                        config.best_sections, query_terms, with_scores=True)
    if not ranked:
        return None
    top = ranked[0][2]
    own = set(evidence.sections[:config.typed_own_sections])
    for view, unit, score in ranked:
        if score < config.typed_share * top and view.section_id not in own:
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


def _asks_detail(query: Query, domain: Domain, config: DecisionConfig) -> bool:
    """A question asking for one aspect of a stage (not its summary), where the classifier is
    unsure whether it asks what comes next or about the stage itself."""
    asked = [a for a in query.aspects if a in domain.aspects and not domain.aspects[a].summary]
    p = query.probabilities
    return bool(asked) and p.get("next_step", 1.0) < config.confident \
        and p.get("stage_detail", 0.0) >= config.unsure


def _asks_columns(query: Query, domain: Domain) -> bool:
    """True when a question asks for a table column of a stage that its summary does not give
    ("national programmes", "examples"); "focus" and "purpose" are everyday words."""
    return any(domain.aspects[a].columns and not domain.aspects[a].summary
               for a in query.aspects if a in domain.aspects)


def best_units(query: Query, evidence: Evidence, sections: dict[str, SectionView], n: int,
               scoring: CompositionConfig, best_sections: int,
               query_terms: dict[str, float] | None = None, with_scores: bool = False) -> list:
    """The n units scoring best for the question across its `best_sections` best sections, as
    (section, unit) or, `with_scores`, (section, unit, score)."""
    scored = []
    for sid in evidence.sections[:best_sections]:
        view = sections.get(sid)
        if view is None or not view.units:
            continue
        for i, score in enumerate(score_units(view, query.vector, query_terms or {}, scoring)):
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
    """A list of the counted things answers a count: "how many hubs?" over the Hubs list (the
    items are hubs, or the list's heading ends with the thing counted: "Secondary Networks"),
    not "how many visits a year?" over a list of the visits' focuses."""
    items = [u for u in view.units if u.kind == "item" and u.label == view.units[unit].label]
    head = [w for w in tokens(counted) if w not in STOP_WORDS][-1:]
    if view.units[unit].kind != "item" or len(items) < 2 or not head:
        return False
    noun = stem(head[0])
    named = sum(noun in {stem(w) for w in tokens(u.text)} for u in items)
    ends = [stem(w) for w in tokens(f"{view.title}")][-1:] + \
        [stem(w) for w in tokens(view.units[unit].label)][-1:]
    return 2 * named >= len(items) or noun in ends

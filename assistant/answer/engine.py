"""The answer engine: for each question in a message, understand -> retrieve -> decide -> compose,
over the live index version (switching when a re-ingest publishes a new one).

    message ──split──▶ questions (instructions dropped)
    question, history ──understand──▶ Query ──retrieve──▶ Evidence ──decide──▶ Decision
    Decision ──compose──▶ text and citations;  the questions' answers ──combine──▶ Answer

Every tuned number comes from one EngineConfig (config.py); every answer carries a trace of
the step and rule that decided it.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field, replace

from assistant import messages
from assistant.answer import replies
from assistant.answer.compose import Passage, SectionView, score_units
from assistant.answer.config import EngineConfig
from assistant.answer.decide import Decision, DecisionKind, decide
from assistant.answer.followups import FollowUps
from assistant.answer.intents import load_or_train, mask_numbers
from assistant.answer.live_index import LoadedIndex, load_index
from assistant.answer.outline import OutlineComposer
from assistant.answer.passages import PassageComposer
from assistant.answer.pathway_answer import PathwayComposer
from assistant.answer.query import Message, Query, Turn
from assistant.answer.ranking import RankingContext, SectionFeatures, SectionRanker
from assistant.answer.selection import SELECTOR_FILE, UnitQuestion, UnitSelector
from assistant.answer.retrieve import Evidence, Hit, document_weights, ranked_evidence, retrieve
from assistant.answer.spelling import EnglishWords, Vocabulary
from assistant.answer.stages import StageIndex
from assistant.answer.trace import Stage, step
from assistant.answer.understand import Understanding
from assistant.errors import InputError
from knowledge.domain import Domain, load_domain
from knowledge.embedder import Embedder
from knowledge.example_vectors import example_texts, example_vectors
from knowledge.glossary import build_glossary, corpus_words, tokens
from knowledge.index import live_version_dir
from knowledge.records import Answer, Citation
from knowledge.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class PartAnswer:
    """One question's answer, before the questions of a message are combined."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    answered: bool = False
    reason: str = ""
    query: Query | None = None
    decision: Decision | None = None
    trace: list[dict] = field(default_factory=list)


class Engine:
    """Answers questions from the live index; holds no conversation state of its own."""

    def __init__(self, settings: Settings, index: LoadedIndex, embedder: Embedder,
                 domain: Domain | None = None, follow_live: bool = True,
                 config: EngineConfig | None = None):
        self.settings = settings
        self.config = config or EngineConfig.load(settings.engine_config)
        self.embedder = embedder
        self.follow_live = follow_live  # False: stay on this version (a candidate's preview)
        self.domain = domain or load_domain(settings.domain_dir)
        self.ranker = SectionRanker.load(settings.ranker_path) \
            if self.config.components.learned_ranker and settings.ranker_path.exists() else None
        selector = settings.ranker_path.with_name(SELECTOR_FILE)
        self.selector = UnitSelector.load(selector) \
            if self.config.components.learned_selector and selector.exists() else None
        self._lock = threading.RLock()  # one question at a time: the model and stores are shared
        self._english = EnglishWords()  # loaded on first use, kept across index versions
        self._use(index)

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None,
                      config: EngineConfig | None = None) -> "Engine":
        config = config or EngineConfig.load(settings.engine_config)
        return cls(settings, load_index(settings, config.retrieval),
                   embedder or Embedder.for_settings(settings),
                   config=config)

    @classmethod
    def for_version(cls, settings: Settings, folder, embedder: Embedder) -> "Engine":
        """An engine on one index version (not following the live one): to preview a
        candidate before it is published."""
        config = EngineConfig.load(settings.engine_config)
        return cls(settings, load_index(settings, config.retrieval, folder), embedder,
                   follow_live=False, config=config)

    def _use(self, index: LoadedIndex) -> None:
        """Build everything that depends on the index version."""
        config = self.config
        self.index = index
        self.version = index.version
        self.documents: list[dict] = index.files.manifest["documents"]
        self.current_documents = {d["id"] for d in self.documents if d.get("status") != "superseded"}
        glossary = build_glossary(self.domain, index.files.abbreviations,
                                  corpus_words([c.text for c in index.files.chunks]))
        texts = example_texts(self.domain, glossary)
        vectors = example_vectors(texts, self.embedder, self.settings.data_dir)
        intents = self.domain.examples("intents")
        masked = [mask_numbers(glossary.mask_roles(t)) for t, _ in intents]
        u = config.understanding
        labels = [label for _, label in intents]
        if not config.components.intent_classes:  # ablation: every question a plain one
            labels = ["fact" if not (label.startswith("topic.") or label in (
                "instruction_attack", "greeting", "thanks")) else label for label in labels]
        cache = self.settings.data_dir / "cache"
        intent_model = load_or_train(cache, masked, vectors[:len(intents)], labels,
                                     u.dense_weight, u.regularisation)
        screen = load_or_train(cache, masked, None, labels, u.dense_weight, u.regularisation)
        types = self.domain.examples("answer_types")
        type_model = load_or_train(cache, [mask_numbers(glossary.mask_roles(t)) for t, _ in types],
                                   vectors[len(intents):], [label for _, label in types],
                                   u.dense_weight, u.regularisation)
        self.training = (masked, vectors[:len(intents)], labels)
        stages = StageIndex(index.files.pathways, glossary, config.pathways.weak_name)
        retriever = index.retriever
        headings = list({title for c in index.files.chunks for title in c.section_path})
        document_words = {w for d in self.documents for w in tokens(d["title"])[-1:]}
        document_words |= {w for words in self.domain.status_words.values() for w in words
                           if " " not in w}
        followups = FollowUps(self.domain, glossary, stages, headings, document_words, u)
        spelling = Vocabulary([c.text for c in index.files.chunks],
                              self.domain.words() | {w for t in glossary.terms
                                                     for v in (t.term, *t.variants)
                                                     for w in tokens(v)},
                              self._english)
        corpus = " ".join(c.text for c in index.files.chunks)
        self.reader = Understanding(self.domain, glossary, spelling, stages, followups,
                                    intent_model, type_model, screen, self.embedder, self.documents,
                                    corpus, u, config.components)
        self.passages = PassageComposer(index.sections, retriever.idf, retriever.common,
                                        self.domain.aspects, config.composition,
                                        config.retrieval.max_idf, self.selector)
        self.pathways = PathwayComposer(index.sections, self.domain.aspects, config.pathways,
                                        config.composition)
        self.outline = OutlineComposer(index.sections, index.files.pathways)
        stage_sections = {s.section_id for p in index.files.pathways for s in p.stages}
        self.features = SectionFeatures(
            index.sections, [c.section_id for c in index.files.chunks], index.files.vectors,
            retriever.lexical, retriever.titles, retriever.idf, self.current_documents,
            stage_sections, config.retrieval)

    def refresh(self) -> bool:
        """Switch to a newer index version if a re-ingest published one; True when it did.
        Holds the answering lock, so an answer never reads two versions."""
        if not self.follow_live:
            return False
        with self._lock:
            folder = live_version_dir(self.settings.data_dir)
            if folder is None or folder.name == self.version:
                return False
            self._use(load_index(self.settings, self.config.retrieval))
        log.info("now answering from index version %s", self.version)
        return True

    def validate(self, question: str) -> str:
        """The question, stripped; InputError when empty or too long."""
        text = (question or "").strip()
        if not text:
            raise InputError(messages.EMPTY_QUESTION)
        if len(text) > self.settings.max_question_chars:
            raise InputError(messages.question_too_long(len(text), self.settings.max_question_chars))
        return text

    # --- answering ---------------------------------------------------------------------

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        """Answer a message, using earlier turns for follow-ups."""
        return self.answer_with_passages(question, history)[0]

    def answer_with_passages(self, question: str, history: list[Turn] | None = None,
                             extra: int = 0) -> tuple[Answer, list[SectionView]]:
        """The extractive answer, and the sections behind it (its cited sections first, then up
        to `extra` more of the best-ranked), for an answerer that writes its own text."""
        with self._lock:
            self.refresh()
            started = time.perf_counter()
            text = self.validate(question)
            message = self._split(text)
            parts = self._answer_parts(message, list(history or []))
            answer = _combine(text, parts, message)
            answer.latency_ms = (time.perf_counter() - started) * 1000
            ranked = [c.chunk_id for c in answer.citations]
            evidence = next((p.decision.evidence for p in parts
                             if p.decision and p.decision.evidence), None)
            if evidence and answer.answered:
                ranked += evidence.sections[:extra]
            sections = [self.index.sections[sid] for sid in dict.fromkeys(ranked)
                        if sid in self.index.sections]
            return answer, sections

    def understand(self, question: str, history: list[Turn] | None = None
                   ) -> tuple[Message, list[Query]]:
        """How a message is read: its questions, each understood (for evals and debugging)."""
        with self._lock:
            message = self._split(self.validate(question))
            return message, self.reader.read_many(
                list(message.parts[:self.config.composition.max_parts]), list(history or []))

    def _split(self, text: str) -> Message:
        """The message's questions; one question when message splitting is switched off."""
        message = self.reader.split(text)
        if self.config.components.message_splitting or len(message.parts) < 2:
            return message
        return replace(message, parts=(" ".join(message.parts),), leaning=(False,))

    def _answer_parts(self, message: Message, turns: list[Turn]) -> list[PartAnswer]:
        if message.smalltalk:
            decision = Decision(DecisionKind.SMALLTALK, None, reason=message.smalltalk)
            return [PartAnswer(replies.refusal(decision), reason=message.smalltalk,
                               trace=[step(Stage.UNDERSTAND, "small talk", message.smalltalk)])]
        if not message.parts:
            return [PartAnswer(messages.INSTRUCTIONS, reason="instructions",
                               trace=[step(Stage.UNDERSTAND, "instructions dropped",
                                           f"{len(message.instructions)} segment(s)")])]
        c = self.config.composition
        parts = message.parts[:c.max_parts]
        budget = max(c.min_part_budget, c.answer_budget // len(parts))
        answers: list[PartAnswer] = []
        leaning = message.leaning or (False,) * len(parts)
        for k, query in enumerate(self.reader.read_many(list(parts), turns)):
            if leaning[k] and answers and not answers[-1].answered:
                answers[-1].trace.append(step(Stage.DECIDE, "leans on a refused question",
                                              query.text))
                continue  # "... Is it cheaper through Camden?" shares the refusal it leans on
            decision = self._decide_query(query, turns)
            last = answers[-1].decision if answers else None
            if last is not None and _same_passage(last, decision):  # one answer for both
                values = [d.value for d in (last, decision) if d.value]
                decision = self._decide_query(self.reader.merge(last.query, query), turns)
                values += [decision.value] if decision.value else []
                answers[-1] = self._compose(replace(decision, values=tuple(dict.fromkeys(values))),
                                            min(c.answer_budget, 2 * budget), turns)
            else:
                answers.append(self._compose(decision, budget, turns))
        return answers

    def _decide(self, text: str, turns: list[Turn]) -> Decision:
        """Understand, retrieve and decide for one question."""
        return self._decide_query(self.reader.read(text, turns), turns)

    def _decide_query(self, query: Query, turns: list[Turn]) -> Decision:
        """Retrieve and decide for a question understood."""
        evidence = self._retrieve(query, turns)
        topic_best = None
        if query.is_topic:  # does anything answer it, apart from the roles it names?
            vector = self.reader.without_roles(query)
            topic_best = self.index.retriever.best_similarity(vector) if vector is not None else 0.0
        decision = decide(query, evidence, self.index.sections, self.domain,
                          self.current_documents, self.config.decision, self.config.composition,
                          self.passages.query_terms(query), topic_best,
                          self.config.components.topic_refusal)
        log.debug("question %r -> intent %s (%.2f), type %s, stages %s -> %s %s",
                  query.standalone, query.intent, query.confidence, query.answer_type,
                  [m.stage.title for m in query.stages[:2]], decision.kind.value, decision.reason)
        return decision

    def _retrieve(self, query: Query, turns: list[Turn],
                  documents: frozenset[str] | None = None) -> Evidence:
        """The question's sections, best first: by the learned ranker, or (without it) by rank
        fusion. A question that names documents is answered from them alone."""
        named = query.documents if documents is None else documents
        if self.ranker is None:
            weights = document_weights(named, self.documents, self.config.retrieval.superseded_weight)
            return retrieve(self.index.retriever, query.vector, query.lexical_text,
                            self.settings.top_k, weights)
        matrix = self.features.matrix(query, self._ranking_context(query, turns),
                                      self._asked_columns(query), query.probabilities)
        return ranked_evidence(self.index.retriever, self.features.ids,
                               self.ranker.scores(matrix), query.vector, set(named),
                               self.settings.top_k)

    def ranking_inputs(self, query: Query, turns: list[Turn]):
        """The ranker's feature matrix for a question, and the section ids of its rows (for
        training the ranker on the question bank)."""
        matrix = self.features.matrix(query, self._ranking_context(query, turns),
                                      self._asked_columns(query), query.probabilities)
        return matrix, self.features.ids

    def _ranking_context(self, query: Query, turns: list[Turn]) -> RankingContext:
        """What the ranker reads beside the query: the conversation, the asking sentence, the
        stages held, wanted, named and next, and the shapes of the value asked for."""
        held = {m.stage.section_id for m in query.held_stages}
        targets = {m.stage.section_id for m in query.become_targets}
        named = {m.stage.section_id for m in query.stages}
        base = list(query.held_stages) or [m for m in query.stages
                                           if m not in query.become_targets] \
            or list(query.previous_stages)
        following = {s.section_id for m in base[:1] for s in m.pathway.following(m.stage)}
        return RankingContext(history=tuple(turns), asking=query.asking,
                              held_sections=frozenset(held), target_sections=frozenset(targets),
                              next_sections=frozenset(following), named_sections=frozenset(named),
                              type_patterns=tuple(self.domain.evidence.get(query.answer_type, ())))

    def unit_question(self, query: Query, turns: list[Turn]) -> UnitQuestion:
        """What the unit selector reads of a question beside its Query."""
        previous = next((t.content for t in reversed(turns) if t.role == "assistant"), "")
        return UnitQuestion(
            query_terms=self.passages.query_terms(query),
            asking_terms=self.features.query_terms(query.asking) if query.asking else {},
            type_patterns=tuple(self.domain.evidence.get(query.answer_type, ())),
            asked_columns=frozenset(self._asked_columns(query)), previous_answer=previous,
            list_intent=query.probabilities.get("list", 0.0))

    def _asked_columns(self, query: Query) -> set[str]:
        return {c.lower() for key in query.aspects if key in self.domain.aspects
                for c in self.domain.aspects[key].columns}

    def _compose(self, decision: Decision, budget: int, turns: list[Turn]) -> PartAnswer:
        """The answer for one decision, with its trace."""
        query, kind = decision.query, decision.kind
        trace = _trace(query, decision, self.ranker is not None)
        outline = self._outline(query, decision) \
            if kind in (DecisionKind.ANSWER, DecisionKind.CATALOGUE) else None
        if outline is not None:
            text, citations = outline
            trace.append(step(Stage.COMPOSE, "outline", "a list of headings, stages or columns"))
        elif kind is DecisionKind.ANSWER:
            values = decision.values or ((decision.value,) if decision.value else ())
            text, citations = self.passages.compose(query, decision.evidence, budget, values=values,
                                                    asked=self.unit_question(query, turns))
        elif kind is DecisionKind.PATHWAY:
            terms = self.passages.query_terms(query)
            scoring = self.config.composition
            text, citations = self.pathways.compose(
                decision.stage, decision.direction, query.aspects, budget,
                relevance=lambda view: score_units(view, query.vector, terms, scoring),
                related=self._related(decision, terms) if decision.direction == "become" else None)
        elif kind is DecisionKind.COMPARE:
            ids = [d["id"] for d in self.documents
                   if not query.documents or len(query.documents) < 2 or d["id"] in query.documents]
            per_document = {doc: self._retrieve(query, turns, frozenset([doc])) for doc in ids}
            text, citations = replies.compare(query, per_document, self.index.sections,
                                              self.passages.query_terms(query), budget,
                                              self.config.composition)
        elif kind is DecisionKind.CATALOGUE:
            text, citations = replies.catalogue(query, self.documents)
            text, citations = self._with_best_passage(query, decision, text, citations, budget,
                                                      turns)
        elif kind is DecisionKind.NOT_STATED:
            text, citations = replies.not_stated(decision, self.index.sections, budget,
                                                 self.config.composition, self.config.decision)
            return PartAnswer(text, citations, False, decision.reason, query, decision, trace)
        else:
            return PartAnswer(replies.refusal(decision), [], False,
                              decision.reason or kind.value, query, decision, trace)
        if not citations:  # nothing could be quoted after all
            trace.append(step(Stage.COMPOSE, "nothing quotable", ""))
            return PartAnswer(messages.NOT_COVERED, [], False, "nothing quotable", query,
                              decision, trace)
        trace.append(step(Stage.COMPOSE, f"{kind.value} quoted",
                          "; ".join(c.section.split(" › ")[-1] for c in citations)))
        return PartAnswer(text, citations, True, "", query, decision, trace)

    def _outline(self, query: Query, decision: Decision):
        """The headings, stages or columns a list question asks for, or None."""
        evidence = decision.evidence
        p_list = query.probabilities.get("list", 0.0)
        asks = set(tokens(query.corrected)) & set(self.domain.outline_words)
        listing = query.intent == "list" or p_list >= self.config.decision.outline_list
        if not (listing or asks) or evidence is None or not evidence.sections:
            return None
        surely = query.intent == "list" and p_list >= self.config.decision.sure_list
        return self.outline.compose(evidence.sections[0], asks, query.documents,
                                    list(query.stages), query.corrected, surely)

    def _with_best_passage(self, query: Query, decision: Decision, text: str,
                           citations: list[Citation], budget: int, turns: list[Turn]):
        """A catalogue answer, and the best passage too when the ranker is sure of one ("who put
        the 2023 framework together?": "developed by Camden Learning in collaboration with
        school leaders")."""
        evidence = decision.evidence
        if self.ranker is None or evidence is None or not evidence.sections or \
                evidence.scores.get(evidence.sections[0], 0.0) < self.config.decision.catalogue_passage:
            return text, citations
        more, cited = self.passages.compose(query, evidence, max(0, budget - len(text)),
                                            other_version=False,
                                            asked=self.unit_question(query, turns))
        offset = len(citations)
        more = re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + offset}]", more)
        return f"{text}\n{more}", citations + [replace(c, n=c.n + offset) for c in cited]

    def _related(self, decision: Decision, terms: dict[str, float]) -> Passage | None:
        """For "how do I become X": the best unit outside the pathway that names role X
        ("NPQSENCO ... essential for current and aspiring SENCos"), when one is relevant."""
        stage = decision.stage.stage
        names = [set(self.reader.glossary.canonical(r).split()) for r in stage.roles]
        own = {v.section_id for s in decision.stage.pathway.stages
               for v in self.pathways.stage_sections(s)}
        d = self.config.decision
        best, found = d.related_min, None
        for sid in decision.evidence.sections[:d.candidates_for_related]:
            view = self.index.sections.get(sid)
            if view is None or sid in own or not view.units:
                continue
            scores = score_units(view, decision.query.vector, terms, self.config.composition)
            for i, unit in enumerate(view.units):
                words = set(self.reader.glossary.canonical(unit.text).split())
                if scores[i] > best and any(n and n <= words for n in names):
                    best, found = float(scores[i]), Passage(view, [i], title=view.title)
        return found

    # --- retrieval for evals and LangChain ------------------------------------------------

    def related_chunks(self, question: str, history: list[Turn] | None = None) -> list[Hit]:
        """Retrieved chunks for a message's first question, with the stage(s) a pathway answer
        draws on first."""
        with self._lock:
            message = self._split(self.validate(question))
            if not message.parts:
                return []
            decision = self._decide(message.parts[0], list(history or []))
        if decision.evidence is None:
            return []
        hits = decision.evidence.hits
        if decision.kind is not DecisionKind.PATHWAY:
            return hits
        stage = decision.stage
        stages = stage.pathway.following(stage.stage) if decision.direction == "next" else [stage.stage]
        ahead = [v.section_id for s in stages for v in self.pathways.stage_sections(s)]
        chunks = [c for c in self.index.files.chunks if c.section_id in ahead]
        top = hits[0].score if hits else 1.0
        ids = {c.chunk_id for c in chunks}
        return [Hit(c, top, 1.0, 1.0, 0.0) for c in chunks] + \
            [h for h in hits if h.chunk.chunk_id not in ids]


def _trace(query: Query, decision: Decision, learned: bool) -> list[dict]:
    """The steps that led to a decision: how the question was read, what ranked first, and the
    rule that decided."""
    held = ", ".join(m.stage.title for m in query.held_stages)
    read = f"intent {query.intent} ({query.confidence:.2f}), asks {query.answer_type}" \
        + (", follow-up" if query.follow_up else "") + (f", holds {held}" if held else "")
    steps = [step(Stage.UNDERSTAND, read, query.standalone)]
    evidence = decision.evidence
    if evidence is not None and evidence.sections:
        top = "; ".join(f"{sid} ({evidence.scores.get(sid, 0.0):.2f})"
                        for sid in evidence.sections[:3])
        steps.append(step(Stage.RETRIEVE, "learned ranker" if learned else "rank fusion", top))
    steps.append(step(Stage.DECIDE, decision.kind.value, decision.rule))
    return steps


def _combine(question: str, parts: list[PartAnswer], message: Message) -> Answer:
    """One answer from the answers to a message's questions, citations numbered in order."""
    texts, citations = [], []
    for part in parts:
        offset = len(citations)
        texts.append(re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + offset}]", part.text))
        citations += [replace(c, n=c.n + offset) for c in part.citations]
    answered = any(p.answered for p in parts)
    body = "\n\n".join(texts)
    if message.instructions and answered:
        body = f"{messages.INSTRUCTIONS_NOTE}\n{body}"
    first = next((p.query for p in parts if p.query is not None), None)
    return Answer(question=question, answer=body, answered=answered, citations=citations,
                  standalone_question=" / ".join(p.query.standalone for p in parts if p.query),
                  reason="" if answered else next((p.reason for p in parts if p.reason), ""),
                  vector=first.vector if first is not None else None,
                  trace=[dict(s, part=k + 1) for k, p in enumerate(parts) for s in p.trace])


def _same_passage(first: Decision, second: Decision) -> bool:
    """Two questions of one message answered from the same section ("What are adviser visits
    and how do schools get them?"), or both from the catalogue ("who wrote it and when?"):
    answered together, with the budget of both."""
    if first.kind is second.kind is DecisionKind.CATALOGUE:
        return True
    return (first.kind is second.kind is DecisionKind.ANSWER and first.evidence is not None
            and second.evidence is not None
            and first.evidence.sections[:1] == second.evidence.sections[:1])

"""The answer engine: for each question in a message, understand -> retrieve -> decide -> compose,
over the live index version (switching when a re-ingest publishes a new one).

    message ──split──▶ questions (instructions dropped)
    question, history ──understand──▶ Query ──retrieve──▶ Evidence ──decide──▶ Decision
    Decision ──compose──▶ text and citations;  the questions' answers ──combine──▶ Answer
"""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field, replace

from assistant import messages
from assistant.answer import replies
from assistant.answer.compose import ANSWER_BUDGET, Passage, SectionView, score_units
from assistant.answer.decide import Decision, decide
from assistant.answer.followups import FollowUps
from assistant.answer.intents import Classifier, mask_numbers
from assistant.answer.live_index import LoadedIndex, load_index
from assistant.answer.passages import PassageComposer
from assistant.answer.pathway_answer import PathwayComposer
from assistant.answer.query import Message, Query, Turn
from assistant.answer.retrieve import Evidence, Hit, document_weights, retrieve
from assistant.answer.spelling import Vocabulary
from assistant.answer.stages import StageIndex
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
MAX_PARTS = 3  # questions answered from one message
MIN_PART_BUDGET = 300  # characters of quotation for each of several questions
RELATED_MIN = 0.45  # a related passage for a "become" answer scores at least this ...
CANDIDATES_FOR_RELATED = 5  # ... among this many best sections


@dataclass
class PartAnswer:
    """One question's answer, before the questions of a message are combined."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    answered: bool = False
    reason: str = ""
    query: Query | None = None
    decision: Decision | None = None


class Engine:
    """Answers questions from the live index; holds no conversation state of its own."""

    def __init__(self, settings: Settings, index: LoadedIndex, embedder: Embedder,
                 domain: Domain | None = None, follow_live: bool = True):
        self.settings = settings
        self.embedder = embedder
        self.follow_live = follow_live  # False: stay on this version (a candidate's preview)
        self.domain = domain or load_domain(settings.domain_dir)
        self._lock = threading.RLock()  # one question at a time: the model and stores are shared
        self._use(index)

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> "Engine":
        return cls(settings, load_index(settings), embedder or Embedder())

    @classmethod
    def for_version(cls, settings: Settings, folder, embedder: Embedder) -> "Engine":
        """An engine on one index version (not following the live one): to preview a
        candidate before it is published."""
        return cls(settings, load_index(settings, folder), embedder, follow_live=False)

    def _use(self, index: LoadedIndex) -> None:
        """Build everything that depends on the index version."""
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
        intent_model = Classifier.train(masked, vectors[:len(intents)], [label for _, label in intents])
        screen = Classifier.train(masked, None, [label for _, label in intents])
        types = self.domain.examples("answer_types")
        type_model = Classifier.train([mask_numbers(glossary.mask_roles(t)) for t, _ in types],
                                      vectors[len(intents):], [label for _, label in types])
        self.training = (masked, vectors[:len(intents)], [label for _, label in intents])
        stages = StageIndex(index.files.pathways, glossary)
        retriever = index.retriever
        headings = list({title for c in index.files.chunks for title in c.section_path})
        document_words = {w for d in self.documents for w in tokens(d["title"])[-1:]}
        document_words |= {w for words in self.domain.status_words.values() for w in words
                           if " " not in w}
        followups = FollowUps(self.domain, glossary, stages, headings, document_words)
        spelling = Vocabulary([c.text for c in index.files.chunks],
                              self.domain.words() | {w for t in glossary.terms
                                                     for v in (t.term, *t.variants)
                                                     for w in tokens(v)})
        corpus = " ".join(c.text for c in index.files.chunks)
        self.reader = Understanding(self.domain, glossary, spelling, stages, followups,
                                    intent_model, type_model, screen, self.embedder, self.documents,
                                    corpus)
        self.passages = PassageComposer(index.sections, retriever.idf, retriever.common,
                                        self.domain.aspects)
        self.pathways = PathwayComposer(index.sections, self.domain.aspects)

    def refresh(self) -> bool:
        """Switch to a newer index version if a re-ingest published one; True when it did.
        Holds the answering lock, so an answer never reads two versions."""
        if not self.follow_live:
            return False
        with self._lock:
            folder = live_version_dir(self.settings.data_dir)
            if folder is None or folder.name == self.version:
                return False
            self._use(load_index(self.settings))
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
            message = self.reader.split(text)
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
            message = self.reader.split(self.validate(question))
            return message, self.reader.read_many(list(message.parts[:MAX_PARTS]),
                                                  list(history or []))

    def _answer_parts(self, message: Message, turns: list[Turn]) -> list[PartAnswer]:
        if message.smalltalk:
            return [PartAnswer(replies.refusal(Decision("smalltalk", None, reason=message.smalltalk)),
                               reason=message.smalltalk)]
        if not message.parts:
            return [PartAnswer(messages.INSTRUCTIONS, reason="instructions")]
        parts = message.parts[:MAX_PARTS]
        budget = max(MIN_PART_BUDGET, ANSWER_BUDGET // len(parts))
        answers: list[PartAnswer] = []
        for query in self.reader.read_many(list(parts), turns):
            decision = self._decide_query(query)
            last = answers[-1].decision if answers else None
            if last is not None and _same_passage(last, decision):  # one answer for both
                values = [d.value for d in (last, decision) if d.value]
                decision = self._decide_query(self.reader.merge(last.query, query))
                values += [decision.value] if decision.value else []
                answers[-1] = self._compose(replace(decision, values=tuple(dict.fromkeys(values))),
                                            min(ANSWER_BUDGET, 2 * budget))
            else:
                answers.append(self._compose(decision, budget))
        return answers

    def _decide(self, text: str, turns: list[Turn]) -> Decision:
        """Understand, retrieve and decide for one question."""
        return self._decide_query(self.reader.read(text, turns))

    def _decide_query(self, query: Query) -> Decision:
        """Retrieve and decide for a question understood."""
        evidence = self._retrieve(query, query.documents)
        topic_best = None
        if query.is_topic:  # does anything answer it, apart from the roles it names?
            vector = self.reader.without_roles(query)
            topic_best = self.index.retriever.best_similarity(vector) if vector is not None else 0.0
        decision = decide(query, evidence, self.index.sections, self.domain,
                          self.current_documents, self.passages.query_terms(query), topic_best)
        log.debug("question %r -> intent %s (%.2f), type %s, stages %s -> %s %s",
                  query.standalone, query.intent, query.confidence, query.answer_type,
                  [m.stage.title for m in query.stages[:2]], decision.kind, decision.reason)
        return decision

    def _retrieve(self, query: Query, documents: frozenset[str]) -> Evidence:
        weights = document_weights(documents, self.documents)
        return retrieve(self.index.retriever, query.vector, query.lexical_text,
                        self.settings.top_k, weights)

    def _compose(self, decision: Decision, budget: int) -> PartAnswer:
        """The answer for one decision."""
        query, kind = decision.query, decision.kind
        if kind == "answer":
            values = decision.values or ((decision.value,) if decision.value else ())
            text, citations = self.passages.compose(query, decision.evidence, budget, values=values)
        elif kind == "pathway":
            terms = self.passages.query_terms(query)
            text, citations = self.pathways.compose(
                decision.stage, decision.direction, query.aspects, budget,
                relevance=lambda view: score_units(view, query.vector, terms),
                related=self._related(decision, terms) if decision.direction == "become" else None)
        elif kind == "compare":
            ids = [d["id"] for d in self.documents
                   if not query.documents or len(query.documents) < 2 or d["id"] in query.documents]
            per_document = {doc: self._retrieve(query, frozenset([doc])) for doc in ids}
            text, citations = replies.compare(query, per_document, self.index.sections,
                                              self.passages.query_terms(query), budget)
        elif kind == "catalogue":
            text, citations = replies.catalogue(query, self.documents)
        elif kind == "not_stated":
            text, citations = replies.not_stated(decision, self.index.sections, budget)
            return PartAnswer(text, citations, False, decision.reason, query, decision)
        else:
            return PartAnswer(replies.refusal(decision), [], False, decision.reason or kind,
                              query, decision)
        if not citations:  # nothing could be quoted after all
            return PartAnswer(messages.NOT_COVERED, [], False, "nothing quotable", query, decision)
        return PartAnswer(text, citations, True, "", query, decision)

    def _related(self, decision: Decision, terms: dict[str, float]) -> Passage | None:
        """For "how do I become X": the best unit outside the pathway that names role X
        ("NPQSENCO ... essential for current and aspiring SENCos"), when one is relevant."""
        stage = decision.stage.stage
        names = [set(self.reader.glossary.canonical(r).split()) for r in stage.roles]
        own = {v.section_id for s in decision.stage.pathway.stages
               for v in self.pathways.stage_sections(s)}
        best, found = RELATED_MIN, None
        for sid in decision.evidence.sections[:CANDIDATES_FOR_RELATED]:
            view = self.index.sections.get(sid)
            if view is None or sid in own or not view.units:
                continue
            scores = score_units(view, decision.query.vector, terms)
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
            message = self.reader.split(self.validate(question))
            if not message.parts:
                return []
            decision = self._decide(message.parts[0], list(history or []))
        if decision.evidence is None:
            return []
        hits = decision.evidence.hits
        if decision.kind != "pathway":
            return hits
        stage = decision.stage
        stages = stage.pathway.following(stage.stage) if decision.direction == "next" else [stage.stage]
        ahead = [v.section_id for s in stages for v in self.pathways.stage_sections(s)]
        chunks = [c for c in self.index.files.chunks if c.section_id in ahead]
        top = hits[0].score if hits else 1.0
        ids = {c.chunk_id for c in chunks}
        return [Hit(c, top, 1.0, 1.0, 0.0) for c in chunks] + \
            [h for h in hits if h.chunk.chunk_id not in ids]


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
                  vector=first.vector if first is not None else None)


def _same_passage(first: Decision, second: Decision) -> bool:
    """Two questions of one message answered from the same section ("What are adviser visits
    and how do schools get them?"), or both from the catalogue ("who wrote it and when?"):
    answered together, with the budget of both."""
    if first.kind == second.kind == "catalogue":
        return True
    return (first.kind == second.kind == "answer" and first.evidence is not None
            and second.evidence is not None
            and first.evidence.sections[:1] == second.evidence.sections[:1])

"""The answer engine: question -> scope check -> hybrid retrieval (+ pathway expansion) -> answer."""
from __future__ import annotations

import logging
import re
import threading
import time

import numpy as np

from assistant import messages
from assistant.compose import (ANSWER_BUDGET, Passage, SectionView, pick_units, render,
                               score_units)
from assistant.live_index import LoadedIndex, load_index
from assistant.pathway_answer import compose_pathway, stage_section_ids
from assistant.errors import InputError
from assistant.pathway_match import StageMatch, find_stages, name_variants
from assistant.question import Question, Turn, read_question
from assistant.retrieval import Hit
from assistant.scope import judge_scope
from knowledge.settings import Settings
from assistant.vocabulary import Vocabulary
from knowledge.embedder import Embedder
from knowledge.index import live_version_dir
from knowledge.records import Answer, Pathway
from knowledge.tokens import terms

log = logging.getLogger(__name__)
MAX_PASSAGES = 3
CLOSE_SHARE = 0.8  # a section this close to the best in fused score competes as an equal
MAX_IDF = 4.0  # weight of a question word the documents never use
MIN_PROMOTED_NAME = 8  # characters of a matched role name; shorter ones ("ECT") don't promote
CANDIDATE_SECTIONS = 5
OTHER_VERSION_SIMILARITY = 0.85  # the other document's passage this close to the best: cited too
OTHER_VERSION_CHARS = 240  # ... quoting one statement of at most this length
SAME_WORDING = 0.6  # term overlap (Jaccard) at which two statements say the same thing
SUPERSEDED_WEIGHT = 0.7  # an earlier document ranks below the current one ...
UNNAMED_WEIGHT = 0.0  # ... and a question that names a document is answered from it alone
_STAGE_NUMBER = re.compile(r"\bstage \d+\b")
_EARLIER = re.compile(r"\b(earlier|old|older|previous|original|superseded)\b")


class Engine:
    """Answers questions from the live index; holds no conversation state of its own."""

    def __init__(self, settings: Settings, index: LoadedIndex, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder
        self._lock = threading.RLock()  # one question at a time: the model and stores are shared
        self._use(index)

    def _use(self, index: LoadedIndex) -> None:
        self.index = index
        self.version = index.version
        self.vocabulary = Vocabulary([c.text for c in index.files.chunks])
        self.pathways: list[Pathway] = index.files.pathways
        self._title_terms = {sid: set(terms(view.title)) for sid, view in index.sections.items()}

    def refresh(self) -> bool:
        """Switch to a newer index version if a re-ingest published one; True when it did."""
        folder = live_version_dir(self.settings.data_dir)
        if folder is None or folder.name == self.version:
            return False
        self._use(load_index(self.settings))
        log.info("now answering from index version %s", self.version)
        return True

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> "Engine":
        return cls(settings, load_index(settings), embedder or Embedder())

    def validate(self, question: str) -> str:
        """The question, stripped; InputError when empty or too long."""
        text = (question or "").strip()
        if not text:
            raise InputError(messages.EMPTY_QUESTION)
        if len(text) > self.settings.max_question_chars:
            raise InputError(messages.question_too_long(len(text), self.settings.max_question_chars))
        return text

    def retrieve(self, question: str, history: list[Turn] | None = None
                 ) -> tuple[Question, np.ndarray, list[Hit]]:
        """Read the question and run hybrid retrieval: (question, query vector, hits)."""
        self.refresh()
        q = read_question(self.validate(question), history or [], self.vocabulary)
        query_vector = self.embedder.embed_query(q.search_text)
        hits = self.index.retriever.search(query_vector, q.search_text, self.settings.top_k,
                                           doc_weights=self._document_weights(q))
        return q, query_vector, hits

    def related_chunks(self, question: str, history: list[Turn] | None = None) -> list[Hit]:
        """Retrieved chunks, with the following stage(s) first for a "what next" question."""
        with self._lock:
            q, _, hits = self.retrieve(question, history)
        matches = find_stages(q.corrected, self.pathways)
        if not (matches and q.next_step):
            return hits
        match = self._pick_stage(matches, hits)
        ahead = [sid for s in match.pathway.following(match.stage)
                 for sid in stage_section_ids(self.index.sections, s)]
        chunks = [c for c in self.index.files.chunks if c.section_id in ahead]
        top = hits[0].score if hits else 1.0
        first = [Hit(c, top, 1.0, 1.0, 0.0) for c in chunks]
        ids = {c.chunk_id for c in chunks}
        return first + [h for h in hits if h.chunk.chunk_id not in ids]

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        """Answer one question, using earlier turns for follow-ups."""
        return self.answer_with_passages(question, history)[0]

    def answer_with_passages(self, question: str, history: list[Turn] | None = None,
                             extra: int = 0) -> tuple[Answer, list[SectionView]]:
        """The extractive answer, and the sections behind it (its cited sections first, then up
        to `extra` more of the best-ranked), for an answerer that writes its own text."""
        with self._lock:
            return self._answer_with_passages(question, history, extra)

    def _answer_with_passages(self, question: str, history: list[Turn] | None, extra: int
                              ) -> tuple[Answer, list[SectionView]]:
        started = time.perf_counter()
        q, query_vector, hits = self.retrieve(question, history)
        text = q.text
        best = max(self.index.retriever.best_similarity(query_vector),
                   max((h.dense for h in hits), default=0.0))
        scope = judge_scope(text, self.vocabulary.unknown_share(text), best)
        log.debug("scope %s; hits %s", scope, [(h.chunk.chunk_id, round(h.dense, 2)) for h in hits])
        if not scope.covered:
            result = Answer(question=text, answer=messages.not_covered(scope.topic, scope.ask), answered=False)
            sections: list[SectionView] = []
        else:
            body, citations = self._compose(q, query_vector, hits)
            result = Answer(question=text, answer=body, answered=True, citations=citations)
            ranked = [c.chunk_id for c in citations] + self._ranked_sections(hits)[:extra]
            sections = [self.index.sections[sid] for sid in dict.fromkeys(ranked)
                        if sid in self.index.sections]
        result.latency_ms = (time.perf_counter() - started) * 1000
        return result, sections

    def _named_documents(self, q: Question) -> set[str]:
        """Ids of the documents a question names: by year, or "earlier", "old", "previous"."""
        asks_earlier = bool(_EARLIER.search(q.corrected))
        return {d["id"] for d in self.index.files.manifest["documents"]
                if (d["date"] and d["date"].split()[-1] in q.corrected)
                or (asks_earlier and d["status"] == "superseded")}

    def _document_weights(self, q: Question) -> dict[str, float]:
        """Prefer the current document, unless the question names one: then only that one."""
        documents = self.index.files.manifest["documents"]
        named = self._named_documents(q)
        if named:
            return {d["id"]: 1.0 if d["id"] in named else UNNAMED_WEIGHT for d in documents}
        return {d["id"]: SUPERSEDED_WEIGHT for d in documents if d["status"] == "superseded"}

    def _compose(self, q: Question, query_vector: np.ndarray, hits: list[Hit]):
        idf = self.index.retriever.idf
        query_terms = {t: idf.get(t, MAX_IDF) for t in terms(f"{q.search_text} {q.corrected}")}
        stage_text = f"{q.search_text} {q.corrected}" if q.follow_up else q.corrected
        matches = find_stages(stage_text, self.pathways)
        plan = self._plan_pathway(q, matches, hits)
        if plan:
            return compose_pathway(self.index.sections, *plan)
        sections = self._ranked_sections(hits)
        if matches and not (q.next_step or q.become):
            sections = self._promote_named_stage(matches, hits, sections, stage_text)
        top = sections[0]
        children = [sid for sid in self.index.sections if sid.startswith(top + "/")]
        ranked = [top, *children, *(sid for sid in sections[1:] if sid not in children)]
        ranked = ranked[:CANDIDATE_SECTIONS + len(children)]
        views = [self.index.sections[sid] for sid in ranked]
        fused = {}
        for hit in hits:
            fused.setdefault(hit.chunk.section_id, hit.score)
        close = {sid for sid, score in fused.items() if score >= CLOSE_SHARE * hits[0].score}
        primary = [sid == top or sid in children or sid in close for sid in ranked]
        scored = [score_units(v, query_vector, query_terms) for v in views]
        columns = [_asked_columns(q.corrected, v) for v in views]
        explicit_stage = bool(matches) and bool(_STAGE_NUMBER.search(stage_text)) \
            and top == self._pick_stage(matches, hits).stage.section_id
        picks = pick_units(views, scored, primary, columns, ANSWER_BUDGET,
                           1 if explicit_stage else MAX_PASSAGES, whole_first=not children)
        passages = [Passage(views[p.view], p.units, title=views[p.view].title, compact=p.compact)
                    for p in picks]
        if not self._named_documents(q):
            passages += self._other_version(passages, query_vector, query_terms)
        if len({p.section.doc_title for p in passages}) > 1:  # say which document says what
            for p in passages:
                p.title = f"{p.title} ({_short_document(p.section)})"
        return render(passages)

    def _other_version(self, passages: list[Passage], query_vector, query_terms
                       ) -> list[Passage]:
        """When another document speaks to the same topic as the answer's first section (a
        shared heading term, and a passage nearly as close to the question), quote its
        closest statement too, unless it repeats what is quoted, so its wording is cited with
        its date rather than silently mixed in or dropped."""
        if not passages:
            return []
        top = passages[0].section
        topic = self._title_terms[top.section_id] - self.index.retriever.common
        cited = {p.section.doc_title for p in passages}
        candidates = [v for v in self.index.sections.values()
                      if topic and v.doc_title not in cited and topic & self._title_terms[v.section_id]]
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

    def _promote_named_stage(self, matches: list[StageMatch], hits: list[Hit],
                             sections: list[str], text: str) -> list[str]:
        """Put the stage a question names first: by a full role name ("experienced TA",
        "deputy head") or by number ("stage 6"), when retrieval has it near the top and the top
        section is not about that role in another setting (the Executive Headteacher Peer
        Network)."""
        match = self._pick_stage(matches, hits)
        named = match.stage.section_id
        by_number = bool(_STAGE_NUMBER.search(text)) and match.stage.number is not None
        if (match.strength < MIN_PROMOTED_NAME and not by_number) or named not in sections[:5] \
                or named == sections[0]:
            return sections
        top_title = self.index.sections[sections[0]].title.lower()
        if any(v in top_title for role in match.stage.roles for v in name_variants(role)):
            return sections
        return [named] + [s for s in sections if s != named]

    def _plan_pathway(self, q: Question, matches: list[StageMatch], hits: list[Hit]
                      ) -> tuple[StageMatch, bool] | None:
        """(stage, become?) for a pathway answer, or None. "How do I become X" is about the stage
        named after "become"; "what next" (or "become" with no stage after it, as in "I'm a
        specialist TA, how do I become a teacher?") is about the stage the asker holds."""
        if not matches or not (q.next_step or q.become):
            return None
        if q.become and not q.follow_up:
            targets = [m for m in matches if m.position > q.become_at]
            if targets:  # the role named nearest after "become"
                nearest = min(m.position for m in targets)
                return self._pick_stage([m for m in targets if m.position == nearest], hits), True
            current = [m for m in matches if m.position <= q.become_at]
            return (self._pick_stage(current, hits), False) if current else None
        if q.become and not q.next_step:
            return self._pick_stage(matches, hits), True
        return self._pick_stage(matches, hits), False

    def _ranked_sections(self, hits: list[Hit]) -> list[str]:
        """Section ids in the order of their best-ranked chunk."""
        return list(dict.fromkeys(h.chunk.section_id for h in hits))

    def _pick_stage(self, matches: list[StageMatch], hits: list[Hit]) -> StageMatch:
        """Among equally strong matches, the stage whose section retrieval ranks highest."""
        rank = {sid: i for i, sid in enumerate(self._ranked_sections(hits))}
        return min(matches, key=lambda m: (-m.strength, rank.get(m.stage.section_id, 99)))

def _short_document(view: SectionView) -> str:
    """"Framework, July 2023": the last word of a document's title and its date."""
    name = view.doc_title.split()[-1] if view.doc_title else "document"
    return f"{name}, {view.doc_date}" if view.doc_date else name


_COLUMN_WORDS = {
    "Individual Opportunities": ("individual", "myself", "on my own", "personal"),
    "Opportunities in School": ("in school", "in my school", "within school", "at school",
                                "in-school"),
    "Opportunities through Camden Learning and other Camden schools": (
        "through camden", "other camden schools", "other schools", "from camden learning"),
    "National programmes and professional bodies": ("national", "professional bod"),
    "Purpose": ("purpose",),
    "Focus": ("focus",),
    "Examples": ("example",),
    "Progression readiness": ("ready", "readiness", "evidence"),
}


def _asked_columns(question: str, view: SectionView) -> list[str]:
    """Table columns the question names ("national programmes for SENDCOs" -> that column)."""
    labels = {u.label for u in view.units if u.kind == "field"}
    lowered = question.lower()
    return [col for col, words in _COLUMN_WORDS.items()
            if col in labels and any(w in lowered for w in words)]

"""Understanding a message: which questions it asks and, for each, what it asks and names.

split(): sentences and clauses -> segments that try to change the rules are dropped (the intent
         classifier, trained on examples of such instructions) -> the rest grouped into
         questions; a message that is only "hi" or "thanks" is small talk.
read():  texting and typos corrected -> the conversation folded into a standalone question ->
         glossary expansions -> one embedding -> intent and answer type (classifiers over that
         embedding and the words) -> stages, documents, aspects and organisations named.
Regular expressions appear only for exact shapes: years, numbers, "how many <thing>".
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace

import numpy as np

from assistant.answer.config import Components, UnderstandingConfig
from assistant.answer.followups import FollowUps
from assistant.answer.intents import Classifier, mask_numbers
from assistant.answer.query import Message, Query, Turn
from assistant.answer.roles import Roles, sort_roles
from assistant.answer.segments import group_questions, split_segments
from assistant.answer.spelling import Vocabulary
from assistant.answer.stages import StageIndex
from knowledge.domain import DEFAULT_ANSWER_TYPE, TOPIC_PREFIX, Domain
from knowledge.glossary import ROLE_MASK, Glossary, tokens

_COUNTED = re.compile(r"\b(?:how many|number of)\s+([a-z]+(?:\s+[a-z]+){0,2})")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


class Understanding:
    """Reads messages; holds the trained classifiers and the indexes of names."""

    def __init__(self, domain: Domain, glossary: Glossary, spelling: Vocabulary,
                 stages: StageIndex, followups: FollowUps, intents: Classifier,
                 answer_types: Classifier, screen: Classifier, embedder, documents: list[dict],
                 corpus_text: str, config: UnderstandingConfig, components: Components):
        self.config = config
        self.components = components
        self.domain = domain
        self.glossary = glossary
        self.spelling = spelling
        self.stages = stages
        self.followups = followups
        self.intents = intents
        self.answer_types = answer_types
        self.screen = screen  # the intent classifier on words alone: no embedding needed
        self.embedder = embedder
        self.documents = documents
        self._openers = sorted((tuple(tokens(o)) for o in domain.openers), key=len, reverse=True)
        self._starters = sorted((tuple(tokens(s)) for s in domain.request_starters),
                                key=len, reverse=True)
        self._organisations = [o for o in domain.other_organisations
                               if o.lower() not in corpus_text.lower()]
        self._become = [tuple(tokens(self.glossary.canonical(c))) for c in domain.become_cues]
        self._holding = [tuple(tokens(c)) for c in domain.holding_cues]
        self._exclusion = sorted((c.lower() for c in domain.exclusion_cues), key=len, reverse=True)
        self._recent: dict[str, np.ndarray] = {}  # the last few texts embedded
        self._recent_lock = threading.Lock()  # questions are read on several threads at once

    # --- a message into questions -------------------------------------------------------

    def split(self, message: str) -> Message:
        """The questions a message asks, with instruction segments dropped. Segments are
        screened on their words; only those that look like an instruction or small talk (and a
        several-part message that may be one comparison) are confirmed with embeddings."""
        segments = self._segments(message)
        if len(segments) <= 1:
            return Message(parts=(message.strip(),))
        texts = [" ".join(self.core_words(s.text)) for s in segments]
        screened = self._classify(self.screen, texts, None)
        screen = self.config.screen
        talk = [i for i, p in enumerate(screened) if p.get("greeting", 0) + p.get("thanks", 0) >= screen]
        flagged = [i for i, p in enumerate(screened) if p.get("instruction_attack", 0) >= screen
                   or (i in talk and len(talk) == len(segments))]  # all small talk, or not
        whole = " ".join(self.core_words(message))
        questions = sum(s.question for s in segments)
        check_whole = questions > 1 and \
            self._classify(self.screen, [whole], None)[0].get("compare_documents", 0) >= screen
        confirm = [self.glossary.expand(texts[i]) for i in flagged]
        if check_whole:  # the text read() would search for the whole message: embedded once
            confirm.append(self.glossary.expand(self._up_to_question(self._focus(message))))
            texts_confirmed = [texts[i] for i in flagged] + [whole]
        else:
            texts_confirmed = [texts[i] for i in flagged]
        confirmed = self._classify(self.intents, texts_confirmed, self.embed(confirm)) \
            if confirm else []
        full = dict(zip(flagged, confirmed))
        attacks = [segments[i].text for i, p in full.items()
                   if _top(p) == "instruction_attack" and p[_top(p)] >= self.config.attack_probability]
        kept = [s for s in segments if s.text not in attacks]
        talk = {_top(full[i]) if i in full else "" for i, s in enumerate(segments)
                if s.text not in attacks}
        if kept and talk <= {"greeting", "thanks"} and \
                sum(len(self.core_words(s.text)) for s in kept) <= self.config.smalltalk_words:
            return Message(parts=(), instructions=tuple(attacks), smalltalk=sorted(talk)[-1])
        if attacks and not any(s.question for s in kept):
            return Message(parts=(), instructions=tuple(attacks))  # its only request was the attack
        parts = [p for p in group_questions(kept) if self.core_words(p)]
        compare = confirmed[-1].get("compare_documents", 0.0) if check_whole else 0.0
        if len(parts) > 1 and compare >= 0.5 and not attacks and (
                len(self.named_documents(whole)) != 1 or compare >= self.config.sure_compare):
            parts = [message.strip()]  # "what did 2023 say, and what does it say now?": one question
        return Message(parts=tuple(parts), instructions=tuple(attacks),
                       leaning=self._leaning(parts))

    def _leaning(self, parts: list[str]) -> tuple[bool, ...]:
        """For each part, whether it leans on the one before it in the same message ("How much
        does an NPQ cost? Is it cheaper through Camden?")."""
        return tuple(k > 0 and self.followups.is_follow_up(
            tokens(self.glossary.canonical(" ".join(self.core_words(part)))), same_message=True)
            for k, part in enumerate(parts))

    def _segments(self, text: str) -> list:
        return split_segments(text, self.starts_request, self.config.min_clause_words)

    def starts_request(self, text: str) -> bool:
        """True when a segment starts like a question or request ("can we...", "tell me...");
        an auxiliary only with a subject after it ("is there", not "have been")."""
        words = [w.split("'")[0] for w in self.core_words(text, correct=False)]  # "what's"
        if words and words[0] in self.domain.auxiliaries:
            return len(words) > 1 and words[1] in self.domain.subjects
        return any(tuple(words[:len(s)]) == s for s in self._starters)

    def core_words(self, text: str, correct: bool = True) -> list[str]:
        """Normalised tokens (texting and, with `correct`, typos fixed), openers dropped."""
        words = self.glossary.normalise(text)
        if correct and self.components.spelling:
            words = [self.spelling.correct(w) for w in words]
        changed = True
        while changed and words:
            changed = False
            for opener in self._openers:
                if tuple(words[:len(opener)]) == opener and len(words) > len(opener):
                    words = words[len(opener):]
                    changed = True
                    break
        return words

    # --- one question --------------------------------------------------------------------

    def read(self, text: str, history: list[Turn] | None = None, same_message: bool = False
             ) -> Query:
        """Understand one question in the context of the conversation before it;
        `same_message` when the last user turn was an earlier question of the same message."""
        draft = self._draft(text, history or [], same_message)
        return self._finish(draft, self.embed(draft.texts))

    def read_many(self, parts: list[str], history: list[Turn]) -> list[Query]:
        """Understand the questions of one message with one embedding batch; each later one is
        read after the earlier ones (as questions, their answers not yet known)."""
        drafts, turns = [], list(history)
        for k, part in enumerate(parts):
            drafts.append(self._draft(part, turns, same_message=k > 0))
            turns = turns + [Turn("user", part)]
        vectors = self.embed([t for d in drafts for t in d.texts])
        queries, at = [], 0
        for draft in drafts:
            queries.append(self._finish(draft, vectors[at:at + len(draft.texts)]))
            at += len(draft.texts)
        return queries

    def _draft(self, text: str, history: list[Turn], same_message: bool) -> "_Draft":
        """Everything about a question that needs no model: corrections, the follow-up
        rewrite, and the texts to embed."""
        typed, text = text, self._focus(text)
        core = self.core_words(text)
        corrected = " ".join(core)
        canonical = tokens(self.glossary.canonical(corrected))
        previous, last_answer, last_question = self.followups.standalone_history(history)
        follow_up = bool(previous) and self.components.followup_rewriting \
            and self.followups.is_follow_up(canonical, same_message)
        pointed = follow_up and (self.followups.pointed_item(canonical, last_answer) is not None
                                 or self.followups.points_back(canonical))
        standalone = " ".join(self.followups.rewrite(canonical, previous, last_answer)) \
            if follow_up else corrected
        searched = standalone if follow_up else self._up_to_question(text)
        # what is classified: the standalone question, and for a follow-up its own words, and
        # for a question after a statement ("I've just become a head. How much coaching...?")
        # the asking sentence alone
        readings = [standalone] + ([corrected] if follow_up else [])
        asking = self._asking_sentence(text)
        if asking and asking not in readings:
            readings.append(asking)
        texts = [self.glossary.expand(searched)]
        screen = self._classify(self.screen, [standalone], None)[0]
        if _top(screen).startswith(TOPIC_PREFIX):  # its role-free text may be needed: same batch
            role_free = self._without_roles_text(standalone)
            if role_free and role_free != standalone:
                texts.append(role_free)
        return _Draft(typed=typed.strip(), corrected=corrected, canonical=canonical,
                      standalone=standalone, searched=searched, readings=readings, asking=asking,
                      follow_up=follow_up, pointed=pointed, last_answer=last_answer,
                      last_question=last_question, texts=texts)

    def _finish(self, draft: "_Draft", vectors: np.ndarray) -> Query:
        """The draft classified over its embedding (every reading's words with the one search
        vector: no extra embedding), with the names it holds found."""
        vector = vectors[0]
        each = self._classify(self.intents, draft.readings,
                              np.repeat(vector[None, :], len(draft.readings), axis=0))
        intent_p = {k: sum(p[k] for p in each) / len(each) for k in each[0]}
        if draft.follow_up and max(each[1].values()) >= self.config.own_confident:
            intent_p = each[1]  # "and how much would I earn?" says what it asks by itself
        intent = _top(intent_p)
        if (intent_p[intent] < self.config.min_intent_probability
                and not intent.startswith(TOPIC_PREFIX)) \
                or (draft.pointed and intent in ("which_stage", "list")):
            intent = "fact"  # uncertain, or about one item of a list just given
        type_p = self._classify(self.answer_types, [draft.asking or draft.corrected],
                                vector[None, :])[0]
        answer_type = _top(type_p) if type_p[_top(type_p)] >= self.config.soft_type_probability \
            else DEFAULT_ANSWER_TYPE
        corrected, standalone, canonical = draft.corrected, draft.standalone, draft.canonical
        organisations = self._asked_organisations(corrected, draft.asking)
        if organisations:
            answer_type = "other_org"
        stages = self.stages.find(corrected)
        context = self.stages.find(standalone) if draft.follow_up and not stages else []
        targets = self._after_cue(stages, canonical)
        roles = sort_roles(canonical, [m for m in stages if m not in targets], self._holding,
                           frozenset(self.domain.here_words), self.config.cue_reach) \
            if self.components.role_detection else Roles(mentioned=tuple(stages))
        counted = _COUNTED.search(corrected)
        return Query(
            text=draft.typed, corrected=corrected, standalone=standalone,
            search_text=draft.texts[0],
            lexical_text=self.glossary.expand(draft.searched, every=False),
            intent=intent, confidence=max(intent_p.values()), answer_type=answer_type,
            type_confidence=1.0 if organisations else type_p.get(answer_type, 0.0),
            follow_up=draft.follow_up, stages=tuple(stages), context_stages=tuple(context),
            previous_stages=self._stages_shown(draft.last_answer) if draft.follow_up else (),
            become_targets=targets, held_stages=roles.held,
            mentioned_stages=tuple(m for m in roles.mentioned if self.components.role_detection),
            asking=draft.asking, excluded=self._excluded(draft.corrected), pointed=draft.pointed,
            documents=self.named_documents(standalone),
            aspects=self.aspects(corrected) or (
                self.aspects(draft.last_question)
                if draft.follow_up and stages and not draft.pointed else ()),
            counted=counted.group(1) if counted else "", other_organisations=organisations,
            vector=vector, probabilities=intent_p)

    def _asked_organisations(self, corrected: str, asking: str) -> tuple[str, ...]:
        """Organisations the documents don't cover that the question is about. One named only
        before the asking sentence, when that sentence names the documents' own organisation or
        place ("In Barnet these came with the LA service. How are adviser visits set up in
        Camden?"), is the asker's background, not the subject."""
        named = tuple(o for o in self._organisations if _names(corrected, o))
        if not named or not asking or any(_names(asking, o) for o in named):
            return named
        if any(_names(asking, own) for own in self.domain.own_organisation):
            return ()
        return named

    def merge(self, first: Query, second: Query) -> Query:
        """Two questions of one message answered together ("What are adviser visits and how do
        schools get them?"): their texts joined, their vectors combined, no new embedding."""
        both = first.vector + second.vector
        return replace(first, text=f"{first.text} {second.text}",
                       intent=first.intent if first.intent == second.intent else "fact",
                       corrected=f"{first.corrected} {second.corrected}",
                       standalone=f"{first.standalone} {second.standalone}",
                       search_text=f"{first.search_text} {second.search_text}",
                       lexical_text=f"{first.lexical_text} {second.lexical_text}",
                       aspects=tuple(dict.fromkeys(first.aspects + second.aspects)),
                       vector=(both / max(float(np.linalg.norm(both)), 1e-9)).astype(np.float32))

    def _excluded(self, text: str) -> str:
        """The words after an exclusion cue ("apart from the coaching sessions" -> "the coaching
        sessions"), up to the end of the clause; "" when there is none."""
        lowered = f" {text.lower()} "
        for cue in self._exclusion:
            at = lowered.find(f" {cue} ")
            if at >= 0:
                rest = lowered[at + len(cue) + 2:]
                clause = re.split(r"[,.;:?!]| is | are | do | does | can | what | which | how ",
                                  rest, maxsplit=1)[0]
                return " ".join(clause.split()[:self.config.excluded_words])
        return ""

    def _after_cue(self, stages: list, canonical: list[str]) -> tuple:
        """Stages named after the first "become"-like cue ("I'm a TA and want to become a
        teacher" -> teacher), nearest first."""
        cue = next((i + len(c) for i in range(len(canonical)) for c in self._become
                    if c and tuple(canonical[i:i + len(c)]) == c), None)
        if cue is None:
            return ()
        return tuple(sorted((m for m in stages if m.position >= cue), key=lambda m: m.position))

    def _focus(self, text: str) -> str:
        """The question without the small talk around it: statements before or after it are
        kept only when they say who is asking or what about ("I'm a TA with a degree."), not
        "Hope your week's going ok."."""
        segments = self._segments(text)
        if len(segments) < 2 or not any(s.question for s in segments):
            return text
        return " ".join(s.text for k, s in enumerate(segments) if s.question
                        or self._informative(s.text)
                        or (k + 1 < len(segments) and segments[k + 1].question
                            and self._leans(segments[k + 1].text)))

    def _leans(self, question: str) -> bool:
        """A question that leans on the statement before it ("... joining a trust. Does Camden
        Learning make that call?"): it points back with "that", "it", "this", "they"..."""
        words = tokens(" ".join(self.core_words(question, correct=False)))
        return any(w in self.followups.references for w in words)

    def _informative(self, statement: str) -> bool:
        """A statement naming a role, stage or school term ("ChatGPT"), pointing back at what
        was said ("the last one you listed:"), or with two words that headings use."""
        words = tokens(self.glossary.canonical(" ".join(self.core_words(statement))))
        return bool(self.stages.find(" ".join(words))) or self.followups.points_back(words) \
            or bool(self.glossary.spans(self.glossary.normalise(statement))) \
            or len(self.followups.topic_words(words)) >= self.config.informative_words

    def _up_to_question(self, text: str) -> str:
        """The message up to its last asking sentence: what comes after ("our SLT keeps
        asking") rarely helps the search."""
        segments = self._segments(text)
        last = max((i for i, s in enumerate(segments) if s.question), default=len(segments) - 1)
        kept = " ".join(s.text for s in segments[:last + 1]) if segments else text
        return " ".join(self.core_words(kept))

    def _asking_sentence(self, text: str) -> str:
        """The sentence that asks, when a question follows statements; "" otherwise."""
        segments = self._segments(text)
        asking = [s.text for s in segments if s.question]
        if len(segments) < 2 or not asking:
            return ""
        return " ".join(self.core_words(" ".join(asking)))

    def _stages_shown(self, answer: str) -> tuple:
        """Stages whose titles an earlier answer shows ("Stage 3: Accomplished Teacher"): what
        "and after that?" continues from. A role merely mentioned in passing does not count."""
        lowered = answer.lower()
        return tuple(m for m in self.stages.find(answer)
                     if m.stage.title.split(" – ")[0].lower() in lowered)

    def without_roles(self, query: Query) -> np.ndarray | None:
        """The embedding of a question with the roles it names left out, or None when nothing
        is left ("what is the salary of an HLTA" -> "what is the salary of an"); a question
        naming no role is its own vector."""
        text = self._without_roles_text(query.standalone)
        if text == query.standalone:
            return query.vector
        return self.embed([text])[0] if text else None

    def _without_roles_text(self, standalone: str) -> str:
        """The question with the roles it names left out ("" when nothing is left)."""
        masked = self.glossary.mask_roles(standalone).split()
        if ROLE_MASK not in masked:
            return standalone
        return " ".join(w for w in masked if w != ROLE_MASK)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embeddings of texts in one batch; a text embedded moments ago (the same message's
        whole text, say) is not embedded again."""
        wanted = list(dict.fromkeys(texts))
        with self._recent_lock:
            found = {t: self._recent[t] for t in wanted if t in self._recent}
        missing = [t for t in wanted if t not in found]
        if missing:  # embedded outside the lock; another thread may evict them at once after
            found.update(zip(missing, self.embedder.embed(missing)))
            with self._recent_lock:
                for text in missing:
                    self._recent[text] = found[text]
                while len(self._recent) > self.config.recent_vectors:
                    self._recent.pop(next(iter(self._recent)))
        return np.array([found[t] for t in texts], dtype=np.float32)

    def _classify(self, model: Classifier, texts: list[str], vectors: np.ndarray | None
                  ) -> list[dict]:
        masked = [mask_numbers(self.glossary.mask_roles(t)) for t in texts]
        return model.probabilities(masked, vectors)

    def named_documents(self, text: str) -> frozenset[str]:
        """Catalogue ids a question names: by year, by the last word of its title ("the
        framework"), by status ("the old one") or by an alias from documents.yml."""
        words = tokens(text)
        joined = f" {' '.join(words)} "
        surely, loosely = set(), set()
        years = {m.group(0) for m in _YEAR.finditer(text)}
        for doc in self.documents:
            title_word = tokens(doc["title"])[-1:] if doc["title"] else []
            status_words = self.domain.status_words.get(doc.get("status", ""), ())
            aliases = self.domain.document_aliases.get(doc["id"], ())
            if (any(y in doc.get("date", "") for y in years)
                    or any(f" {' '.join(tokens(w))} " in joined for w in status_words)
                    or any(f" {' '.join(tokens(a))} " in joined for a in aliases)):
                surely.add(doc["id"])
            elif title_word and title_word[0] in words:
                loosely.add(doc["id"])  # "the pillars of the strategy" may not mean the Strategy
        return frozenset(surely or loosely)

    def aspects(self, text: str) -> tuple[str, ...]:
        """Aspects (columns.yml) a question asks for, in the order columns.yml lists them."""
        joined = f" {' '.join(tokens(text))} "
        return tuple(key for key, aspect in self.domain.aspects.items()
                     if any(f" {' '.join(tokens(a))} " in joined for a in aspect.asked_by))


@dataclass
class _Draft:
    """A question read as text, before its embeddings are known."""

    typed: str
    corrected: str
    canonical: list[str]
    standalone: str
    searched: str
    readings: list[str]
    asking: str
    follow_up: bool
    pointed: bool
    last_answer: str
    last_question: str
    texts: list[str]  # to embed: the search text


def _top(probabilities: dict[str, float]) -> str:
    return max(probabilities, key=probabilities.get)


def _names(text: str, name: str) -> bool:
    """Whether lowered `text` holds `name` as whole words."""
    return re.search(rf"\b{re.escape(name.lower())}\b", text) is not None

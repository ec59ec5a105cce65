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

import numpy as np

from assistant.answer.followups import FollowUps
from assistant.answer.intents import Classifier, mask_numbers
from assistant.answer.query import Message, Query, Turn
from assistant.answer.segments import group_questions, split_segments
from assistant.answer.spelling import Vocabulary
from assistant.answer.stages import StageIndex
from knowledge.domain import DEFAULT_ANSWER_TYPE, Domain
from knowledge.glossary import ROLE_MASK, Glossary, tokens

ATTACK_PROBABILITY = 0.4  # a segment this likely to be an instruction attack is dropped
MIN_INTENT_PROBABILITY = 0.3  # below this, a question is read as a plain question ("fact")
MIN_TYPE_PROBABILITY = 0.6  # below this, the answer type is "description"
SMALLTALK_WORDS = 5  # small talk is short: "hi there", "thanks a lot"
OWN_WORDS = 0.6  # a follow-up with a topic of its own: its words' share of the search vector
_COUNTED = re.compile(r"\b(?:how many|number of)\s+([a-z]+(?:\s+[a-z]+)?)")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


class Understanding:
    """Reads messages; holds the trained classifiers and the indexes of names."""

    def __init__(self, domain: Domain, glossary: Glossary, spelling: Vocabulary,
                 stages: StageIndex, followups: FollowUps, intents: Classifier,
                 answer_types: Classifier, embedder, documents: list[dict], corpus_text: str):
        self.domain = domain
        self.glossary = glossary
        self.spelling = spelling
        self.stages = stages
        self.followups = followups
        self.intents = intents
        self.answer_types = answer_types
        self.embedder = embedder
        self.documents = documents
        self._openers = sorted((tuple(tokens(o)) for o in domain.openers), key=len, reverse=True)
        self._starters = sorted((tuple(tokens(s)) for s in domain.request_starters),
                                key=len, reverse=True)
        self._organisations = [o for o in domain.other_organisations
                               if o.lower() not in corpus_text.lower()]
        self._become = [tuple(tokens(self.glossary.canonical(c))) for c in domain.become_cues]

    # --- a message into questions -------------------------------------------------------

    def split(self, message: str) -> Message:
        """The questions a message asks, with instruction segments dropped."""
        segments = split_segments(message, self.starts_request)
        if len(segments) <= 1:
            return Message(parts=(message.strip(),))
        texts = [" ".join(self.core_words(s.text)) for s in segments]
        whole = " ".join(self.core_words(message))
        vectors = self.embed([self.glossary.expand(t) for t in texts + [whole]])
        probabilities = self._classify(self.intents, texts, vectors[:-1])
        whole_p = self._classify(self.intents, [whole], vectors[-1:])[0]
        attacks = [s.text for s, p in zip(segments, probabilities)
                   if _top(p) == "instruction_attack" and p[_top(p)] >= ATTACK_PROBABILITY]
        kept = [s for s, p in zip(segments, probabilities) if s.text not in attacks]
        talk = {_top(p) for s, p in zip(segments, probabilities) if s.text not in attacks}
        if kept and talk <= {"greeting", "thanks"} and \
                sum(len(self.core_words(s.text)) for s in kept) <= SMALLTALK_WORDS:
            return Message(parts=(), instructions=tuple(attacks), smalltalk=sorted(talk)[-1])
        if attacks and not any(s.question for s in kept):
            return Message(parts=(), instructions=tuple(attacks))  # its only request was the attack
        parts = [p for p in group_questions(kept) if self.core_words(p)]
        if len(parts) > 1 and _top(whole_p) == "compare_documents" and not attacks:
            parts = [message.strip()]  # "what did 2023 say, and what does it say now?": one question
        return Message(parts=tuple(parts), instructions=tuple(attacks))

    def starts_request(self, text: str) -> bool:
        """True when a segment starts like a question or request ("can we...", "tell me...");
        an auxiliary only with a subject after it ("is there", not "have been")."""
        words = self.core_words(text, correct=False)
        if words and words[0] in self.domain.auxiliaries:
            return len(words) > 1 and words[1] in self.domain.subjects
        return any(tuple(words[:len(s)]) == s for s in self._starters)

    def core_words(self, text: str, correct: bool = True) -> list[str]:
        """Normalised tokens (texting and, with `correct`, typos fixed), openers dropped."""
        words = self.glossary.normalise(text)
        if correct:
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
        core = self.core_words(text)
        corrected = " ".join(core)
        canonical = tokens(self.glossary.canonical(corrected))
        previous, last_answer, last_question = self.followups.standalone_history(history or [])
        follow_up = bool(previous) and self.followups.is_follow_up(canonical, same_message)
        pointed = follow_up and (self.followups.pointed_item(canonical, last_answer) is not None
                                 or self.followups.points_back(canonical))
        standalone = " ".join(self.followups.rewrite(canonical, previous, last_answer)) \
            if follow_up else corrected
        searched = standalone if follow_up else self._up_to_question(text)
        search_text = self.glossary.expand(searched)
        # what is classified: the standalone question, and for a follow-up its own words, and
        # for a question after a statement ("I've just become a head. How much coaching...?")
        # the asking sentence alone
        readings = [standalone] + ([corrected] if follow_up else [])
        asking = self._asking_sentence(text)
        if asking and asking not in readings:
            readings.append(asking)
        vectors = self.embed([search_text] + [self.glossary.expand(r) for r in readings[1:]])
        each = self._classify(self.intents, readings, vectors)
        intent_p = {k: sum(p[k] for p in each) / len(each) for k in each[0]}
        intent = _top(intent_p)
        if intent_p[intent] < MIN_INTENT_PROBABILITY or (pointed and intent in ("which_stage", "list")):
            intent = "fact"  # uncertain, or about one item of a list just given
        own = asking or corrected
        type_p = self._classify(self.answer_types, [own], vectors[readings.index(own):][:1]
                                if own in readings else vectors[-1:])[0]
        answer_type = _top(type_p) if type_p[_top(type_p)] >= MIN_TYPE_PROBABILITY \
            else DEFAULT_ANSWER_TYPE
        organisations = tuple(o for o in self._organisations
                              if re.search(rf"\b{re.escape(o.lower())}\b", corrected))
        if organisations:
            answer_type = "other_org"
        stages = self.stages.find(corrected)
        context = self.stages.find(standalone) if follow_up and not stages else []
        counted = _COUNTED.search(corrected)
        vector = vectors[0]
        if follow_up and not pointed and self.followups.topic_words(canonical):
            blend = OWN_WORDS * vectors[1] + (1 - OWN_WORDS) * vectors[0]  # "any funding for them?"
            vector = (blend / max(float(np.linalg.norm(blend)), 1e-9)).astype(np.float32)
        return Query(
            text=text.strip(), corrected=corrected, standalone=standalone, search_text=search_text,
            lexical_text=self.glossary.expand(searched, every=False),
            intent=intent, confidence=max(intent_p.values()), answer_type=answer_type,
            follow_up=follow_up, stages=tuple(stages), context_stages=tuple(context),
            previous_stages=self._stages_shown(last_answer) if follow_up else (),
            become_targets=self._after_cue(stages, canonical), pointed=pointed,
            documents=self.named_documents(standalone),
            aspects=self.aspects(corrected) or (self.aspects(last_question)
                                                if follow_up and stages and not pointed else ()),
            counted=counted.group(1) if counted else "", other_organisations=organisations,
            vector=vector, probabilities=intent_p)

    def _after_cue(self, stages: list, canonical: list[str]) -> tuple:
        """Stages named after the first "become"-like cue ("I'm a TA and want to become a
        teacher" -> teacher), nearest first."""
        cue = next((i + len(c) for i in range(len(canonical)) for c in self._become
                    if c and tuple(canonical[i:i + len(c)]) == c), None)
        if cue is None:
            return ()
        return tuple(sorted((m for m in stages if m.position >= cue), key=lambda m: m.position))

    def _up_to_question(self, text: str) -> str:
        """The message up to its last asking sentence: what comes after ("our SLT keeps
        asking") rarely helps the search."""
        segments = split_segments(text, self.starts_request)
        last = max((i for i, s in enumerate(segments) if s.question), default=len(segments) - 1)
        kept = " ".join(s.text for s in segments[:last + 1]) if segments else text
        return " ".join(self.core_words(kept))

    def _asking_sentence(self, text: str) -> str:
        """The sentence that asks, when a question follows statements; "" otherwise."""
        segments = split_segments(text, self.starts_request)
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
        is left ("what is the salary of an HLTA" -> "what is the salary of an")."""
        words = [w for w in self.glossary.mask_roles(query.standalone).split() if w != ROLE_MASK]
        return self.embed([" ".join(words)])[0] if words else None

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embeddings of texts in one batch (a repeated text is embedded once)."""
        unique = list(dict.fromkeys(texts))
        vectors = dict(zip(unique, self.embedder.embed(unique)))
        return np.array([vectors[t] for t in texts], dtype=np.float32)

    def _classify(self, model: Classifier, texts: list[str], vectors: np.ndarray) -> list[dict]:
        masked = [mask_numbers(self.glossary.mask_roles(t)) for t in texts]
        return model.probabilities(masked, vectors)

    def named_documents(self, text: str) -> frozenset[str]:
        """Catalogue ids a question names: by year, by the last word of its title ("the
        framework"), by status ("the old one") or by an alias from documents.yml."""
        words = tokens(text)
        joined = f" {' '.join(words)} "
        named = set()
        years = set(_YEAR.findall(text))
        for doc in self.documents:
            title_word = tokens(doc["title"])[-1:] if doc["title"] else []
            status_words = self.domain.status_words.get(doc.get("status", ""), ())
            aliases = self.domain.document_aliases.get(doc["id"], ())
            if (any(y in doc.get("date", "") for y in years)
                    or (title_word and title_word[0] in words)
                    or any(f" {' '.join(tokens(w))} " in joined for w in status_words)
                    or any(f" {' '.join(tokens(a))} " in joined for a in aliases)):
                named.add(doc["id"])
        return frozenset(named)

    def aspects(self, text: str) -> tuple[str, ...]:
        """Aspects (columns.yml) a question asks for, in the order columns.yml lists them."""
        joined = f" {' '.join(tokens(text))} "
        return tuple(key for key, aspect in self.domain.aspects.items()
                     if any(f" {' '.join(tokens(a))} " in joined for a in aspect.asked_by))


def _top(probabilities: dict[str, float]) -> str:
    return max(probabilities, key=probabilities.get)

"""Follow-up questions: telling that a question leans on the conversation, and rewriting it into
a standalone question.

A question is a follow-up when it starts by continuing ("and for heads?", "what about
secondary?"), points back ("is it compulsory?", "which of those is for SENCOs?"), or has almost
no topic of its own ("how long?"). It is rewritten from the previous standalone question:
"the first one" / "the secondary one" become that item of the previous answer's list; a role,
phase, aspect or document it names replaces the one of the same kind there ("how much coaching
do headteachers get" + "and for new heads?" -> "how much coaching do new headteachers get"),
keeping the follow-up's own words when it has more to say; otherwise the follow-up is
prefixed with what the earlier question was about ("is there funding for them?" after "which
NPQs are there?" -> "npqs is there funding for them").
Earlier turns are rewritten the same way, oldest first, so a chain of follow-ups keeps its
thread.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer.config import UnderstandingConfig
from assistant.answer.query import Turn
from assistant.answer.stages import StageIndex
from knowledge.domain import Domain
from knowledge.glossary import Glossary, tokens
from knowledge.tokens import STOP_WORDS, stem

_WEAK_REFERENCES = {"that", "this", "there"}  # "is there", "this year": usually not pointing back
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class Slot:
    """A named thing of one kind ("role", "phase", "aspect", "document") at tokens [start, end)."""

    kind: str
    start: int
    end: int


class FollowUps:
    """Detects and rewrites follow-ups; reads only text (no model)."""

    def __init__(self, domain: Domain, glossary: Glossary, stages: StageIndex,
                 headings: list[str], document_words: set[str], config: UnderstandingConfig):
        self.config = config
        self.glossary = glossary
        self.stages = stages
        # what passages are about: words of their headings that are names, not sentences ("We
        # want all young people to leave..."); their last words name kinds of thing ("Hubs",
        # "Networks", "Offer") that a follow-up may swap ("and the networks?")
        self.distinctive = {stem(w) for h in headings for w in tokens(glossary.canonical(h))
                            if w not in STOP_WORDS and len(h.split()) <= config.name_words}
        self.nouns = {stem(words[-1]) for h in headings
                      for words in [tokens(glossary.canonical(h))] if words}
        self.continuations = sorted((tuple(tokens(c)) for c in domain.continuations),
                                    key=len, reverse=True)
        self.references = {w for r in domain.back_references for w in tokens(r)}
        self.ordinals = domain.ordinals
        self.selective = [tuple(tokens(s)) for s in domain.selective_references]
        self._continuation_words = {w for c in self.continuations for w in c}
        self.phrases = {
            "phase": [tuple(tokens(p)) for p in domain.phases],
            "aspect": [tuple(tokens(a)) for aspect in domain.aspects.values()
                       for a in aspect.asked_by],
            "document": [(w,) for w in document_words],
        }

    def is_follow_up(self, words: list[str], same_message: bool = False) -> bool:
        """True when a question (canonical tokens) leans on the one before; a later question
        of the same message does unless it names a topic of its own in several words."""
        if not words:
            return True
        if not same_message and any(tuple(words[:len(c)]) == c for c in self.continuations):
            return True  # in one message, "also"/"and" only join questions
        if any(w in self.references and w not in _WEAK_REFERENCES for w in words) \
                or words[-1] in _WEAK_REFERENCES or self._ordinal_at(words) is not None:
            return True
        own = self.topic_words(words)
        content = [w for w in words if w not in STOP_WORDS]
        if same_message:
            return len(own) <= 1
        return not own or (len(own) == 1 and len(content) <= 3)

    def topic_words(self, words: list[str]) -> set[str]:
        """Distinctive words of a question: what it is about, apart from how it asks."""
        return {stem(w) for w in words if w not in STOP_WORDS and w not in self.references
                and stem(w) in self.distinctive}

    def rewrite(self, words: list[str], previous: list[str], answer: str = "") -> list[str]:
        """A follow-up (canonical tokens) as a standalone question, from the previous question
        (standalone tokens) and answer."""
        item = self.pointed_item(words, answer)
        if item is not None:
            return item
        if not previous:
            return words
        mine, theirs = self.slots(words), self.slots(previous)
        swapped = list(previous)
        replaced = False
        content = [w for w in words if w not in STOP_WORDS and w not in self._continuation_words]
        continues = any(tuple(words[:len(c)]) == c for c in self.continuations) \
            and len(content) <= self.config.elliptical_words
        for kind in ("role", "phase", "aspect", "document", "noun"):
            if kind == "noun" and not continues:
                continue  # "and the networks?" swaps the kind of thing; "who leads them?" does not
            new = next((s for s in mine if s.kind == kind), None)
            old = next((s for s in self.slots(swapped) if s.kind == kind), None) if theirs else None
            if new and old:
                swapped[old.start:old.end] = words[new.start:new.end]
                replaced = True
        covered = {i for s in mine for i in range(s.start, s.end)}
        rest = [w for i, w in enumerate(words) if i not in covered and w not in STOP_WORDS
                and w not in self.references and w not in self._continuation_words]
        if replaced and not rest:
            return swapped
        return self.context_words(swapped) + words  # "npq headship is there any funding for it"

    def context_words(self, words: list[str]) -> list[str]:
        """What an earlier question was about, in its words: the roles, phases, aspects,
        documents and heading words it names ("which NPQs are there?" -> "npqs"), in order,
        at most `max_context_words` of the latest."""
        keep = {i for s in self.slots(words) if s.kind != "noun" for i in range(s.start, s.end)}
        keep |= {i for i, w in enumerate(words) if w not in STOP_WORDS
                 and stem(w) in self.distinctive}
        return [w for i, w in enumerate(words) if i in keep][-self.config.max_context_words:]

    def _ordinal_at(self, words: list[str]) -> int | None:
        """Where an ordinal points at an item ("the first one", "the last?", "the second is"),
        as opposed to describing something ("the first year"); None when none does."""
        for i, word in enumerate(words):
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if word in self.ordinals and (nxt in ("", "one", "ones") or nxt in STOP_WORDS):
                return i
        return None

    def points_back(self, words: list[str]) -> bool:
        """True when a question picks something out of what was said ("which one", "the first
        one", "the secondary one"), whether or not the last answer's list is known."""
        return self._ordinal_at(words) is not None or any(
            tuple(words[i:i + len(s)]) == s for s in self.selective for i in range(len(words))) \
            or any(words[i] == "the" and words[i + 2] in ("one", "ones") for i in range(len(words) - 2))

    def pointed_item(self, words: list[str], answer: str) -> list[str] | None:
        """The question with "the first one" / "the secondary one" replaced by that item of
        the previous answer's list, or None when it points at no item."""
        items = list_items(answer) if answer else []
        if len(items) < 2:
            return None
        i = self._ordinal_at(words)
        if i is not None:
            n = self.ordinals[words[i]]
            index = n - 1 if n > 0 else n if n < 0 else (len(items) // 2 if len(items) % 2 else None)
            if index is not None and -len(items) <= index < len(items):
                end = i + 2 if i + 1 < len(words) and words[i + 1] in ("one", "ones") else i + 1
                start = i - 1 if i > 0 and words[i - 1] == "the" else i
                return words[:start] + tokens(items[index]) + words[end:]
        for i in range(len(words) - 2):
            if words[i] == "the" and words[i + 2] in ("one", "ones"):
                found = [it for it in items if words[i + 1] in tokens(it)]
                if len(found) == 1:
                    return words[:i] + tokens(found[0]) + words[i + 3:]
        if any(tuple(words[i:i + len(s)]) == s for s in self.selective for i in range(len(words))):
            return self._best_item(words, items)
        return None

    def _best_item(self, words: list[str], items: list[str]) -> list[str] | None:
        """"which one is for heads?": the one item sharing most words (as the glossary reads
        them: "heads" ~ "Headship") with the question, named before the question."""
        wanted = self._forms([w for w in words if w not in STOP_WORDS and w not in self.references
                              and w not in ("one", "ones", "which")])
        overlap = [len(wanted & self._forms(tokens(self.glossary.expand(item)))) for item in items]
        best = max(overlap, default=0)
        if best == 0 or overlap.count(best) > 1:
            return None
        item = items[overlap.index(best)]
        forms = self._forms(tokens(self.glossary.expand(item)))
        rest = [w for w in words if w not in STOP_WORDS and w not in self.references
                and w not in ("one", "ones", "which") and not self._forms([w]) & forms]
        return tokens(item) + rest  # the item the question picked, and what it asks of it

    def slots(self, words: list[str]) -> list[Slot]:
        """Roles (stage names, else glossary job titles), phases, aspects and documents named."""
        found = [Slot("role", m.position, m.end) for m in self.stages.find(" ".join(words))]
        if not found:
            found = [Slot("role", s.start, s.end) for s in self.glossary.spans(words) if s.term.role]
        for kind, phrases in self.phrases.items():
            for i in range(len(words)):
                for phrase in phrases:
                    if phrase and tuple(words[i:i + len(phrase)]) == phrase:
                        found.append(Slot(kind, i, i + len(phrase)))
                        break
            found += [Slot("document", i, i + 1) for i, w in enumerate(words)
                      if kind == "document" and _YEAR.match(w)]
        taken = {i for s in found for i in range(s.start, s.end)}
        found += [Slot("noun", i, i + 1) for i, w in enumerate(words)
                  if i not in taken and w not in STOP_WORDS and stem(w) in self.nouns]
        return sorted(found, key=lambda s: s.start)

    def _forms(self, words: list[str]) -> set[str]:
        """Stems of words and of what each stands for on its own ("heads", "headship" ->
        headteacher), so that an item and a question can be matched through the glossary."""
        return {stem(form) for w in words if w not in STOP_WORDS
                for form in (w, *tokens(self.glossary.canonical(w)))}

    def standalone_history(self, history: list[Turn]) -> tuple[list[str], str, str]:
        """(standalone tokens of the last user question, the last answer's text, the last user
        question as typed), rewriting each earlier user turn against the one before it."""
        previous: list[str] = []
        answer = own = ""
        for turn in history:
            if turn.role == "assistant":
                answer = turn.content
                continue
            words = tokens(self.glossary.canonical(turn.content))
            previous = self.rewrite(words, previous, answer) \
                if previous and self.is_follow_up(words) else words
            answer, own = "", turn.content
        return previous, answer, own


def list_items(text: str) -> list[str]:
    """The items of the longest list in an answer: bullet lines, the "; "-separated items of
    one bullet ("• NPQs on Offer: NPQ for SENCo (...): ...; NPQ for Headship (...): ..."), or
    the comma list after a colon; each named by what precedes its ": "."""
    bullets = [ln.strip()[1:].strip() for ln in text.splitlines()
               if ln.strip()[:1] in ("•", "-", "*")]
    nested = [re.split(r";\s+", b.split(": ", 1)[1]) for b in bullets if ": " in b]
    longest = max(nested, key=len, default=[])
    if len(longest) > max(1, len(bullets)):
        bullets = longest
    if len(bullets) < 2:
        tail = text.split(":", 1)[1] if ":" in text else text
        first = re.split(r"(?<=[.!?])\s", tail.strip())[0]
        bullets = [b for b in re.split(r",\s*|\s+and\s+|;\s*", first.rstrip(".")) if b.strip()]
    names = [re.sub(r"\[\d+\]", "", b).split(": ")[0].strip() for b in bullets]
    return [re.sub(r"^(the|a|an)\s+", "", n, flags=re.I) for n in names if n]

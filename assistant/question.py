"""Reading a question: typo correction, next-step intent, and follow-ups that need the history."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.vocabulary import Vocabulary
from knowledge.tokens import content_words, words

_NEXT = re.compile(
    r"\b(next|after|afterwards|progress\w*|move (?:on|up)|step up|promot\w*|beyond|"
    r"where (?:do|can|should) i go|what(?:'s| is) my next|career (?:path|route))\b")
_BECOME = re.compile(r"\b(become|becoming|get to be|get into|qualify as|train as|"
                     r"route (?:to|into)|path(?:way)? (?:to|into)|aspir\w* to)\b")
_ABOUT_READINESS = re.compile(r"\b(ready|readiness|evidence|show|shows)\b")
_CURRENT_ROLE = re.compile(r"\b(i'?m|i am|as|currently)\s+(?:an?|the)\s+")
_ANAPHORA = re.compile(r"\b(it|its|that|this|those|these|they|them|one|ones|there|he|she|"
                       r"same|more|else|also|too|and)\b")


@dataclass
class Turn:
    """One earlier turn of the conversation."""

    role: str
    content: str


@dataclass
class Question:
    """A question as the engine reads it."""

    text: str
    corrected: str
    next_step: bool
    become: bool
    follow_up: bool
    search_text: str
    history: list[Turn] = field(default_factory=list)


def read_question(text: str, history: list[Turn], vocabulary: Vocabulary) -> Question:
    """Analyse a question: correct typos, detect intent, and build the text to search with."""
    corrected = vocabulary.correct_text(text)
    previous = [t.content for t in history if t.role == "user"]
    follow_up = bool(previous) and _needs_context(corrected)
    spelled = corrected if vocabulary.correct_text(text) != " ".join(words(text)) else text
    search_text = f"{previous[-1]} {spelled}" if follow_up else spelled
    pointed = _pointed_item(corrected, history)
    if pointed:  # "what does the last one do?" after a list: ask about that item
        search_text = f"{pointed} {spelled}"
    become = bool(_BECOME.search(corrected))
    next_step = bool(_NEXT.search(corrected)) and not _ABOUT_READINESS.search(corrected)
    # "I'm a specialist TA and want to become a teacher": the named role is where they are
    next_step = next_step or (become and bool(_CURRENT_ROLE.search(text.lower())))
    return Question(text=text, corrected=corrected, next_step=next_step, become=become,
                    follow_up=follow_up, search_text=search_text, history=history)


_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|last|final)\b")
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1, "final": -1}


def _pointed_item(corrected: str, history: list[Turn]) -> str | None:
    """The item of the last answer's list that "the second one" or "the last one" points at."""
    match = _ORDINAL.search(corrected)
    answers = [t.content for t in history if t.role == "assistant"]
    if not match or not answers:
        return None
    items = list_items(answers[-1])
    index = _ORDINALS[match.group(1)]
    return items[index] if len(items) >= 2 and -len(items) <= index < len(items) else None


def list_items(text: str) -> list[str]:
    """The items of a list in an answer: bullet lines, or the comma list after a colon."""
    bullets = [ln.strip()[1:].strip() for ln in text.splitlines()
               if ln.strip()[:1] in ("•", "-", "*")]
    if len(bullets) < 2:
        tail = text.split(":", 1)[1] if ":" in text else text
        first = re.split(r"(?<=[.!?])\s", tail.strip())[0]
        bullets = [b for b in re.split(r",\s*|\s+and\s+|;\s*", first.rstrip(".")) if b.strip()]
    names = [re.sub(r"\[\d+\]", "", b).split(": ")[0].strip() for b in bullets]
    return [re.sub(r"^(the|a|an)\s+", "", n, flags=re.I) for n in names if n]


def _needs_context(corrected: str) -> bool:
    """A short question, or one that points back ("which one", "what about them"), is a follow-up."""
    return len(content_words(corrected)) <= 3 or bool(_ANAPHORA.search(corrected))

"""Reading a question: typo correction, next-step intent, and follow-ups that need the history."""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.vocabulary import Vocabulary
from knowledge.tokens import content_words, words

_NEXT = re.compile(
    r"\b(next|progress\w*|move (?:on|up)|step up|promot\w*|beyond|"
    r"where (?:do|can|should) i go|career (?:path|route))\b"
    r"|\b(?:comes?|come|go|move|stage|step|role|do)\b[\w ]{0,12}\bafter\b"  # "what comes after"
    r"|\bafter (?:being|becoming|an?|the)\b(?! first| \d)")
_AFTER_THAT = re.compile(r"\bafter (?:that|this|it)\b")
_AFTER_WORDS = {"come", "comes", "coming", "next", "after", "what", "then", "role", "stage", "step"}
_BECOME = re.compile(r"\b(become|becoming|get to be|get into|qualify as|train as|"
                     r"route (?:to|into)|path(?:way)? (?:to|into)|aspir\w* to)\b")
_ABOUT_READINESS = re.compile(r"\b(ready|readiness|evidence|show|shows)\b")
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
    become_at: int = -1  # where "become ..." starts in `corrected`, or -1


def read_question(text: str, history: list[Turn], vocabulary: Vocabulary) -> Question:
    """Analyse a question: correct typos, detect intent, and build the text to search with."""
    corrected = vocabulary.correct_text(text)
    previous = [t.content for t in history if t.role == "user"]
    follow_up = bool(previous) and _needs_context(corrected)
    spelled = corrected if corrected != " ".join(words(text)) else text
    search_text = f"{previous[-1]} {spelled}" if follow_up else spelled
    pointed = _pointed_item(corrected, history)
    if pointed:  # "what does the last one do?" after a list: "what does AI Hub do?"
        search_text = _REFERENCE.sub(pointed, spelled, count=1)
        if pointed not in search_text:
            search_text = f"{pointed} {spelled}"
    become = _BECOME.search(corrected)
    # "and after that?" asks for the next step; "how many sessions after that?" does not
    bare_after = bool(_AFTER_THAT.search(corrected)) and len(
        [w for w in content_words(corrected) if w not in _AFTER_WORDS]) <= 1
    next_step = (bool(_NEXT.search(corrected)) or bare_after) \
        and not _ABOUT_READINESS.search(corrected)
    return Question(text=text, corrected=corrected, next_step=next_step, become=bool(become),
                    follow_up=follow_up, search_text=search_text,
                    become_at=become.start() if become else -1)


_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|last|final)\b")
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1, "final": -1}
_THE_X_ONE = re.compile(r"\bthe ([a-z]+) (?:one|hub|network|option|route)s?\b")
_REFERENCE = re.compile(r"\b(?:the\s+)?(?:first|second|third|fourth|fifth|last|final|[a-z]+)\s+"
                        r"(?:one|hub|network|option|route)s?\b|\bthe\s+(?:first|second|third|"
                        r"fourth|fifth|last|final)\b", re.IGNORECASE)


def _pointed_item(corrected: str, history: list[Turn]) -> str | None:
    """The item of the last answer's list that "the last one" or "the secondary one" means."""
    answers = [t.content for t in history if t.role == "assistant"]
    if not answers:
        return None
    items = list_items(answers[-1])
    if len(items) < 2:
        return None
    ordinal = _ORDINAL.search(corrected)
    if ordinal:
        index = _ORDINALS[ordinal.group(1)]
        return items[index] if -len(items) <= index < len(items) else None
    named = _THE_X_ONE.search(corrected)
    if named:
        found = [i for i in items if named.group(1) in i.lower().split()]
        return found[0] if len(found) == 1 else None
    return None


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

"""A message as sentences and clauses, grouped into the questions it asks.

"How many sessions do heads get, and can we buy more?" is two questions; "I'm a TA with a
degree. What are my routes into teaching?" is one (a statement gives the question after it its
context). A clause starts a new question when it begins with a word that starts requests
("can", "what", "is", ... from cues.yml) after "and", "also" or "plus".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

_SENTENCE = re.compile(r"(?<=[.?!;:])\s+|\s*\n+\s*|\s+[-–—]\s+")
_CLAUSE = re.compile(r"(?:,\s*|\s+)(?:and|also|plus|but)\s+(?=\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    """A sentence or clause, and whether it asks something."""

    text: str
    question: bool


def split_segments(text: str, starts_request: Callable[[str], bool], min_clause_words: int
                   ) -> list[Segment]:
    """Sentences, split further at "and <question>" (each side at least `min_clause_words`
    long), each marked as question or not. `starts_request(text)` says whether a text starts
    the way questions and requests do."""
    segments = []
    for sentence in (s.strip() for s in _SENTENCE.split(text)):
        if not sentence:
            continue
        for clause in _clauses(sentence, starts_request, min_clause_words):
            segments.append(Segment(clause, clause.rstrip().endswith("?") or starts_request(clause)))
    return segments


def _clauses(sentence: str, starts_request: Callable[[str], bool], min_words: int) -> list[str]:
    pieces, start = [], 0
    for match in _CLAUSE.finditer(sentence):
        head, tail = sentence[start:match.start()], sentence[match.end():]
        if len(head.split()) >= min_words and starts_request(tail) \
                and len(tail.split()) >= min_words:
            pieces.append(head.strip(" ,"))
            start = match.end()
    pieces.append(sentence[start:].strip(" ,"))
    return [p for p in pieces if p]


def group_questions(segments: list[Segment]) -> list[str]:
    """Join statements to the question after them (or, at the end, before them)."""
    parts: list[str] = []
    pending: list[str] = []
    for segment in segments:
        pending.append(segment.text)
        if segment.question:
            parts.append(" ".join(pending))
            pending = []
    if pending:
        if parts:
            parts[-1] = f"{parts[-1]} {' '.join(pending)}"
        else:
            parts.append(" ".join(pending))
    return parts

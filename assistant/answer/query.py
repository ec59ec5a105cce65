"""The plain data passed along the answer path: a message's parts, and one question understood."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.answer.stages import StageMatch


@dataclass(frozen=True)
class Turn:
    """One earlier turn of the conversation: role is "user" or "assistant"."""

    role: str
    content: str


@dataclass(frozen=True)
class Message:
    """A message split into the questions it asks. `instructions` are the segments that tried to
    change the assistant's rules (dropped, and said so); `smalltalk` is "greeting" or "thanks"
    when the message is only that; `leaning` marks the parts that lean on the one before, which
    share its refusal when it is refused."""

    parts: tuple[str, ...]
    instructions: tuple[str, ...] = ()
    smalltalk: str | None = None
    leaning: tuple[bool, ...] = ()  # per part: it leans on the part before ("is it cheaper?")


@dataclass(frozen=True)
class Query:
    """One question, understood: what it asks, what it names, and what retrieval searches for."""

    text: str  # the question as typed (this part of the message)
    corrected: str  # lower case, texting and typos corrected
    standalone: str  # with the conversation folded in: what is searched and classified
    search_text: str  # standalone with glossary expansions: what is embedded
    lexical_text: str  # standalone with expansions of words the documents don't use: for BM25
    intent: str
    confidence: float
    answer_type: str  # "description", or a kind of value the answer must contain
    type_confidence: float = 1.0  # how sure: refusing for a missing value needs a sure reading
    follow_up: bool = False
    stages: tuple[StageMatch, ...] = ()  # stages the question itself names, strongest first
    context_stages: tuple[StageMatch, ...] = ()  # follow-ups: stages the conversation named
    previous_stages: tuple[StageMatch, ...] = ()  # follow-ups: stages the last answer named
    become_targets: tuple[StageMatch, ...] = ()  # stages named after "become", "qualify as"...
    held_stages: tuple[StageMatch, ...] = ()  # stages the asker holds ("I'm an HLTA")
    mentioned_stages: tuple[StageMatch, ...] = ()  # stages named but neither held nor wanted
    asking: str = ""  # the sentence that asks, when statements come before it
    excluded: str = ""  # what the asker wants something other than ("apart from coaching")
    pointed: bool = False  # a follow-up about one item of the previous answer's list
    documents: frozenset[str] = frozenset()  # catalogue ids the question names
    aspects: tuple[str, ...] = ()  # aspects asked for (columns.yml keys)
    counted: str = ""  # "how many <this>"
    other_organisations: tuple[str, ...] = ()  # organisations named that the documents don't cover
    vector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32), repr=False)
    probabilities: dict = field(default_factory=dict, repr=False)

    @property
    def is_topic(self) -> bool:
        return self.intent.startswith("topic.")

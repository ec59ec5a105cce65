"""Which role the asker holds, apart from the roles a message merely mentions.

"I'm an accomplished teacher and I also mentor an ECT" holds Accomplished Teacher and mentions
ECT; "new SENDCo here" holds SENCO; "our head said an adviser is coming" holds nothing. A role
is held when a holding cue from cues.yml ("i'm a", "as a", "i work as", ...) comes just before
its name, or "here" just after it ("HLTA here"). What the asker wants to become is read
separately (the "become" cues).
"""
from __future__ import annotations

from dataclasses import dataclass

from assistant.answer.stages import StageMatch


@dataclass(frozen=True)
class Roles:
    """Stages named in a question, sorted into held and mentioned."""

    held: tuple[StageMatch, ...] = ()
    mentioned: tuple[StageMatch, ...] = ()


def sort_roles(words: list[str], matches: list[StageMatch], holding_cues: list[tuple[str, ...]],
               here_words: frozenset[str], reach: int) -> Roles:
    """Split stage matches (positions over `words`, the canonical tokens) into those the asker
    holds (a holding cue ending at most `reach` words before the name, or a "here" word just
    after it) and those only mentioned."""
    cue_ends = {i + len(c) for c in holding_cues for i in range(len(words))
                if c and tuple(words[i:i + len(c)]) == c}
    held, mentioned = [], []
    for match in matches:
        before = any(match.position - reach <= end <= match.position for end in cue_ends)
        after = match.end < len(words) and words[match.end] in here_words
        (held if before or after else mentioned).append(match)
    return Roles(tuple(held), tuple(mentioned))

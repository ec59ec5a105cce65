"""Finding the pathway stages a question names: role names through the glossary ("DHT",
"deputy head" -> Deputy Headteacher), career-table row names, "Stage N", and the ends of a
pathway's title ("a TA" -> the first stage of Teaching Assistant to Teacher)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from knowledge.glossary import Glossary, tokens
from knowledge.records import Pathway, Stage
from knowledge.tokens import stem

_STAGE_NUMBER = re.compile(r"(?<!key )\bstage (\d+)\b")  # not "key stage 4"


@dataclass(frozen=True)
class StageMatch:
    """A stage named in a question: how long the matched name was (longer is surer) and
    which tokens of the canonical question named it."""

    pathway: Pathway
    stage: Stage
    strength: int
    position: int = 0
    end: int = 0


@dataclass(frozen=True)
class _Name:
    stems: tuple[str, ...]
    strength: int
    pathway: Pathway
    stage: Stage


class StageIndex:
    """Every way each stage of each pathway can be named, for fast lookup in a question."""

    def __init__(self, pathways: list[Pathway], glossary: Glossary, weak: int):
        """`weak` is the strength of a name taken from a pathway's title ("Teaching Assistant
        to ..."): below any role's own name."""
        self.pathways = pathways
        self.weak = weak
        self.glossary = glossary
        self._by_first: dict[str, list[_Name]] = {}
        for pathway in pathways:
            start, end = _title_ends(pathway) if pathway.kind == "stages" else ("", "")
            shared = Counter(key for stage in pathway.stages
                             for key in {self._stems(role) for role in stage.roles})
            for stage in pathway.stages:
                names = {self._stems(role): None for role in stage.roles}
                for key in names:  # "Senior Leadership" names two stages: weakly
                    strength = len(" ".join(key)) + len(key) if shared[key] == 1 else weak
                    self._add(_Name(key, strength, pathway, stage))
                for end_name in ((start,) if stage is pathway.stages[0] else ()) + \
                        ((end,) if stage is pathway.stages[-1] else ()):
                    if end_name and self._stems(end_name) not in names:
                        self._add(_Name(self._stems(end_name), weak, pathway, stage))

    def _stems(self, text: str) -> tuple[str, ...]:
        return tuple(stem(w) for w in tokens(self.glossary.canonical(text)))

    def _add(self, name: _Name) -> None:
        if name.stems:
            self._by_first.setdefault(name.stems[0], []).append(name)

    def find(self, text: str) -> list[StageMatch]:
        """Stages named in the text, strongest first; where names overlap the longer wins
        ("executive headteacher" over "headteacher")."""
        canonical = self.glossary.canonical(text)
        stems = [stem(w) for w in tokens(canonical)]
        best: dict[tuple[str, str], StageMatch] = {}
        for i, first in enumerate(stems):
            for name in self._by_first.get(first, ()):
                n = len(name.stems)
                if tuple(stems[i:i + n]) != name.stems:
                    continue
                key = (name.pathway.name, name.stage.section_id)
                found = StageMatch(name.pathway, name.stage, name.strength, i, i + n)
                if key not in best or (found.strength, -found.position) > \
                        (best[key].strength, -best[key].position):
                    best[key] = found
        found = _drop_overlapped(list(best.values()))
        number = _STAGE_NUMBER.search(canonical)
        if number:  # "stage 3" outranks a pathway-title name, not a role name
            position = len(tokens(canonical[:number.start()]))
            found += [StageMatch(p, s, self.weak + 1, position, position + 2)
                      for p in self.pathways if p.kind == "stages" for s in p.stages
                      if s.number == int(number.group(1))]
        return sorted(found, key=lambda m: -m.strength)


def _title_ends(pathway: Pathway) -> tuple[str, str]:
    """"Progression Pathways: Teaching Assistant to Teacher" -> ("Teaching Assistant", "Teacher")."""
    title = pathway.name.split(":", 1)[-1]
    parts = re.split(r"\s+to\s+", title.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", "")


def _drop_overlapped(found: list[StageMatch]) -> list[StageMatch]:
    """Drop a match inside a longer one ("headteacher" in "deputy headteacher")."""
    return [m for m in found
            if not any(o is not m and o.strength > m.strength and o.position <= m.position
                       and m.end <= o.end for o in found)]

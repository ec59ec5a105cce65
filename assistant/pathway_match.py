"""Finding the pathway stage a question names ("an HLTA", "deputy head", "Stage 4 subject leader")."""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

from knowledge.records import Pathway, Stage


@dataclass
class StageMatch:
    """A stage named in a question, how long the matched name was (longer is surer), and where
    in the question it was named."""

    pathway: Pathway
    stage: Stage
    strength: int
    position: int = 0


WEAK = 2  # strength of a name taken from the pathway's own title ("Teaching Assistant to ...")


@lru_cache(maxsize=512)
def name_variants(role: str) -> frozenset[str]:
    """Ways staff write a role: "Deputy Headteacher" -> "deputy head", "deputy head teacher"..."""
    base = " ".join(role.lower().replace("-", " ").split())
    variants = {base}
    if "headteacher" in base:
        variants |= {base.replace("headteacher", "head teacher"), base.replace("headteacher", "head")}
    if "teaching assistant" in base:
        variants.add(base.replace("teaching assistant", "ta"))
    if base == "senco":
        variants |= {"sendco", "senco", "sen co"}
    if base.endswith("teacher") and " " in base:
        variants.add(base.rsplit(" ", 1)[0] + " teachers")
    return frozenset(v for v in variants if v)


def find_stages(text: str, pathways: list[Pathway]) -> list[StageMatch]:
    """Stages named in the text, strongest first.

    A role name counts by its length; where names overlap the longer wins ("executive
    headteacher" over "headteacher"). The ends of a pathway's title name its first and last
    stage weakly ("a TA" -> the first TA stage, "become a teacher" -> Transition to Teaching).
    "Stage N" names that stage in every pathway, outranking only the weak names.
    """
    norm = " " + " ".join(text.lower().replace("-", " ").split()) + " "
    found: list[StageMatch] = []
    for pathway in pathways:
        start, end = _title_ends(pathway)
        for stage in pathway.stages:
            names = {v: len(v) for role in stage.roles for v in name_variants(role)}
            if stage is pathway.stages[0] and start:
                names.update({v: WEAK for v in name_variants(start) if v not in names})
            if stage is pathway.stages[-1] and end:
                names.update({v: WEAK for v in name_variants(end) if v not in names})
            spans = [(m.start(), m.end(), strength) for n, strength in names.items()
                     for m in re.finditer(rf"(?<![a-z]){re.escape(n)}s?(?![a-z])", norm)]
            if spans:
                first, _, strength = max(spans, key=lambda s: (s[2], -s[0]))
                found.append(StageMatch(pathway, stage, strength, first))
    found = _drop_overlapped(found)
    number = re.search(r"\bstage (\d+)\b", norm)
    if number:  # "stage 3" outranks a pathway-title name, not a role name
        found += [StageMatch(p, s, WEAK + 1, number.start()) for p in pathways for s in p.stages
                  if s.number == int(number.group(1))]
    return sorted(found, key=lambda m: -m.strength)


def _title_ends(pathway: Pathway) -> tuple[str, str]:
    """"Progression Pathways: Teaching Assistant to Teacher" -> ("Teaching Assistant", "Teacher")."""
    title = pathway.name.split(":", 1)[-1]
    parts = re.split(r"\s+to\s+", title.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", "")


def _drop_overlapped(found: list[StageMatch]) -> list[StageMatch]:
    """Drop a match inside a longer one at the same place ("headteacher" in "deputy headteacher")."""
    kept = []
    for m in found:
        inside = any(o is not m and o.strength > m.strength
                     and o.position <= m.position < o.position + o.strength + 1 for o in found)
        if not inside:
            kept.append(m)
    return kept

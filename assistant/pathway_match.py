"""Finding the pathway stage a question names ("an HLTA", "deputy head", "Stage 4 subject leader")."""
from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.records import Pathway, Stage


@dataclass
class StageMatch:
    """A stage named in a question, and how long the matched name was (longer is surer)."""

    pathway: Pathway
    stage: Stage
    strength: int


def name_variants(role: str) -> set[str]:
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
    return {v for v in variants if v}


def find_stages(text: str, pathways: list[Pathway]) -> list[StageMatch]:
    """Stages named in the text, strongest first; "stage N" counts only with no role name."""
    norm = " " + " ".join(text.lower().replace("-", " ").split()) + " "
    found: list[StageMatch] = []
    for pathway in pathways:
        for stage in pathway.stages:
            names = {v for role in stage.roles for v in name_variants(role)}
            hits = [n for n in names if re.search(rf"(?<![a-z]){re.escape(n)}s?(?![a-z])", norm)]
            if hits:
                found.append(StageMatch(pathway, stage, max(len(h) for h in hits)))
    if found:
        found = _drop_contained(found)
    else:
        number = re.search(r"\bstage (\d+)\b", norm)
        if number:
            found = [StageMatch(p, s, 1) for p in pathways for s in p.stages
                     if s.number == int(number.group(1))]
    return sorted(found, key=lambda m: -m.strength)


def _drop_contained(found: list[StageMatch]) -> list[StageMatch]:
    """Keep only the longest matches ("executive headteacher" beats "headteacher")."""
    best = max(m.strength for m in found)
    return [m for m in found if m.strength >= best]

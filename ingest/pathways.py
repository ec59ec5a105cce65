"""Progression pathways as data: the ordered stages under a heading, with role names to match."""
from __future__ import annotations

import re

from ingest.chunking import section_id
from knowledge.records import Pathway, Section, Stage

_STAGE = re.compile(r"^Stage\s+(\d+)\s*:?\s*(.*)$", re.IGNORECASE)
_SUFFIX = re.compile(r"\s+[–-]\s+.*$")  # "HLTA – Leading Learning" -> "HLTA"


def extract_pathways(doc_id: str, sections: list[Section]) -> list[Pathway]:
    """Find sections whose children are "Stage N" headings; later siblings become exits."""
    by_parent: dict[tuple[str, ...], list[Section]] = {}
    for section in sections:
        if section.path:
            by_parent.setdefault(tuple(section.path[:-1]), []).append(section)
    pathways = []
    for parent, children in by_parent.items():
        top = [c for c in children if len(c.path) == len(parent) + 1]
        numbered = [i for i, c in enumerate(top) if _STAGE.match(c.title)]
        if len(numbered) < 2:
            continue
        stages = []
        for i, child in enumerate(top):
            match = _STAGE.match(child.title)
            if match:
                number, title = int(match.group(1)), match.group(2)
            elif i > numbered[-1]:
                number, title = None, child.title
            else:
                continue
            stages.append(Stage(number=number, title=child.title, roles=role_names(title),
                                section_id=section_id(doc_id, child.path)))
        name = parent[-1] if parent else "Pathway"
        pathways.append(Pathway(name=name, doc_id=doc_id, stages=stages))
    return pathways


def role_names(title: str) -> list[str]:
    """Role names in a stage title: "Phase Leader / Head of Department: Middle Leadership" ->
    ["Phase Leader", "Head of Department"]; acronyms in brackets are names too ("HLTA")."""
    core = _SUFFIX.sub("", title)
    if ":" in core:
        core = core.split(":", 1)[0]
    names = []
    for part in core.split("/"):
        part = part.strip()
        if not part:
            continue
        acronym = re.search(r"\(([^)]+)\)", part)
        bare = re.sub(r"\s*\([^)]*\)", "", part).strip()
        names.append(bare)
        if acronym:
            names.append(acronym.group(1).strip())
    return names

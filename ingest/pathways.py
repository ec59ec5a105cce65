"""Progression pathways as data: the ordered stages under a heading, or the rows of a career
table, each with the role names a question may use for it."""
from __future__ import annotations

import re

from ingest.chunking import section_ids
from knowledge.records import Pathway, Section, Stage

_STAGE = re.compile(r"^Stage\s+(\d+)\s*:?\s*(.*)$", re.IGNORECASE)
_SUFFIX = re.compile(r"\s+[–-]\s+.*$")  # "HLTA – Leading Learning" -> "HLTA"
_DASH = re.compile(r"\s+[–—-]\s+")
MIN_TABLE_ROWS = 3
RUN_ON_WORDS = 4  # a label piece this long may hold several names run together
_NAME_END_STOP = {"of", "and", "the", "a", "to", "for", "at", "in", "or", "with"}


def extract_pathways(doc_id: str, sections: list[Section]) -> list[Pathway]:
    """Stage pathways (sections whose children are "Stage N" headings; later siblings become
    exits) and table pathways (three or more sibling table rows with the same columns)."""
    ids = {id(s): sid for s, sid in zip(sections, section_ids(doc_id, sections))}
    by_parent: dict[tuple[str, ...], list[Section]] = {}
    for section in sections:
        if section.path:
            by_parent.setdefault(tuple(section.path[:-1]), []).append(section)
    pathways = []
    for parent, children in by_parent.items():
        top = [c for c in children if len(c.path) == len(parent) + 1]
        pathway = _stage_pathway(doc_id, parent, top, ids) or \
            _table_pathway(doc_id, parent, top, ids)
        if pathway:
            pathways.append(pathway)
    return pathways


def _stage_pathway(doc_id: str, parent: tuple[str, ...], top: list[Section],
                   ids: dict[int, str]) -> Pathway | None:
    numbered = [i for i, c in enumerate(top) if _STAGE.match(c.title)]
    if len(numbered) < 2:
        return None
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
                            section_id=ids[id(child)]))
    return Pathway(name=parent[-1] if parent else "Pathway", doc_id=doc_id, stages=stages)


def _table_pathway(doc_id: str, parent: tuple[str, ...], top: list[Section],
                   ids: dict[int, str]) -> Pathway | None:
    """Rows of a career table: sibling sections that are each one labelled record."""
    rows = [c for c in top if len(c.blocks) == 1 and c.blocks[0].kind == "record"
            and c.blocks[0].label]
    if len(rows) < MIN_TABLE_ROWS or len(rows) < len(top) - 1:
        return None
    stages = [Stage(number=i, title=row.title, roles=row_names(row.title),
                    section_id=ids[id(row)]) for i, row in enumerate(rows, start=1)]
    return Pathway(name=parent[-1] if parent else "Table", doc_id=doc_id, stages=stages,
                   kind="table")


def role_names(title: str) -> list[str]:
    """Role names in a stage title: "Phase Leader / Head of Department: Middle Leadership" ->
    ["Phase Leader", "Head of Department", "Middle Leadership"]; acronyms in brackets are names
    too ("HLTA")."""
    core = _SUFFIX.sub("", title)
    level = ""
    if ":" in core:
        core, level = core.split(":", 1)
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
    if level.strip():
        names.append(level.strip())
    return names


def row_names(label: str) -> list[str]:
    """Role names in a career-table row label, which run names together as written:
    "Assistant/ Deputy Headteacher" -> Assistant Headteacher, Deputy Headteacher;
    "Headteacher – Experienced" -> Headteacher, Experienced Headteacher;
    "Middle Leaders Phase Leader/Subject Leader/HOD" -> Middle Leaders, Subject Leader, HOD...
    (the leading words of a long piece are names too: its line breaks were lost; and the last
    two words of a piece: "Classroom/ Setting Support staff" -> Support staff)."""
    main, *rest = _DASH.split(label, maxsplit=1)
    pieces = [re.sub(r"\s*\([^)]*\)", "", p).strip() for p in main.split("/")]
    pieces = [p for p in pieces if p]
    names: list[str] = []
    for i, piece in enumerate(pieces):
        words = piece.split()
        if len(words) == 1 and not piece.isupper():  # "Assistant/ Deputy Headteacher"
            tail = next((p.split()[1:] for p in pieces[i + 1:] if len(p.split()) >= 2), [])
            words = words + tail
        names.append(" ".join(words))
        if len(words) >= RUN_ON_WORDS:  # "Middle Leaders Phase Leader": two names run together
            names += [" ".join(words[:n]) for n in range(2, RUN_ON_WORDS)
                      if words[n - 1].lower() not in _NAME_END_STOP]
        if len(words) >= 3 and words[-2].lower() not in _NAME_END_STOP:
            names.append(" ".join(words[-2:]))  # "Classroom Support staff" -> "Support staff"
    if rest and len(rest[0].split()) == 1:  # "Headteacher – Experienced"
        names.append(f"{rest[0]} {main.strip()}")
    return list(dict.fromkeys(names))

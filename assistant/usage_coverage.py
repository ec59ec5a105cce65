"""Which parts of the documents staff reach: the sections cited most, the sections of the live
index version never cited in a period, and the share of its sections cited at least once.

A section is counted once per answer that cites it (an answer quoting two passages of one
section reached it once). Sections come from the live version's chunks.json, in document order;
a section cited in the period but gone from the live version (renamed or removed since) is
listed among the most cited with the labels its citation stored, and marked as not live.
Citations of a document's catalogue entry (its title and date, "which documents are there?")
name no section and are left out.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MOST_CITED = 10
CATALOGUE = "/catalogue"  # the id ending of a catalogue-entry citation (assistant/answer/replies.py)


@dataclass(frozen=True)
class SectionRef:
    """One section of a document, as the report names it."""

    section_id: str
    document: str
    path: tuple[str, ...]

    @property
    def heading(self) -> str:
        return " › ".join(self.path) or "(opening text)"


@dataclass
class Coverage:
    """The coverage figures of one period; `total` is 0 when no index version is live."""

    version: str = ""
    total: int = 0
    reached: int = 0
    most_cited: list[dict] = field(default_factory=list)  # document, heading, answers, live
    never_cited: list[dict] = field(default_factory=list)  # document, heading (document order)

    @property
    def share(self) -> float:
        return self.reached / self.total if self.total else 0.0


def live_sections(data_dir: Path) -> tuple[str, list[SectionRef]] | None:
    """(version, the live version's citable sections in document order), or None without one.
    Only the ids, titles and heading paths of chunks.json are read (no vectors, no model)."""
    from knowledge.index import live_version_dir

    folder = live_version_dir(data_dir)
    if folder is None:
        return None
    sections: dict[str, SectionRef] = {}
    for chunk in json.loads((folder / "chunks.json").read_text()):
        section_id = section_of(chunk["chunk_id"])
        if section_id not in sections:
            sections[section_id] = SectionRef(section_id, chunk["doc_title"],
                                              tuple(chunk["section_path"]))
    return folder.name, list(sections.values())


def section_of(chunk_id: str) -> str:
    """The section id of a cited chunk id ("doc:stage-4#1" -> "doc:stage-4"; ids without a
    chunk number are section ids already)."""
    return chunk_id.rsplit("#", 1)[0]


def measure_coverage(answers: list[dict], live: tuple[str, list[SectionRef]] | None) -> Coverage:
    """Coverage from answers as FeedbackStore.usage_since returns them: each one's cited chunk
    ids (`sections`) and its stored citations (JSON text, read only for a section the live
    version does not have, to name it)."""
    by_id = {s.section_id: s for s in live[1]} if live else {}
    counts: Counter[str] = Counter()
    labels = {sid: (s.document, s.heading) for sid, s in by_id.items()}
    for answer in answers:
        cited = {section_of(c) for c in answer["sections"] if c and not c.endswith(CATALOGUE)}
        counts.update(cited)
        if not cited <= labels.keys():
            for citation in json.loads(answer.get("citations") or "[]"):
                labels.setdefault(section_of(citation.get("chunk_id", "")),
                                  (citation.get("document", ""), citation.get("section", "")))
    most = [{"document": labels.get(sid, ("", sid))[0], "heading": labels.get(sid, ("", sid))[1],
             "answers": n, "live": sid in by_id} for sid, n in counts.most_common(MOST_CITED)]
    if live is None:
        return Coverage(most_cited=most)
    version, sections = live
    never = [{"document": s.document, "heading": s.heading} for s in sections
             if s.section_id not in counts]
    return Coverage(version=version, total=len(sections),
                    reached=len(sections) - len(never), most_cited=most, never_cited=never)

"""What a re-ingest changes: documents and sections added, removed or changed, with the text of
those sections (old and new) so that evals can name the cases to re-check."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from knowledge.records import Chunk


@dataclass
class ChangeReport:
    """Differences between the live index and the documents being ingested."""

    documents_added: list[str] = field(default_factory=list)
    documents_removed: list[str] = field(default_factory=list)
    documents_changed: list[str] = field(default_factory=list)
    sections_added: list[str] = field(default_factory=list)
    sections_removed: list[str] = field(default_factory=list)
    sections_changed: list[str] = field(default_factory=list)
    changed_passages: list[str] = field(default_factory=list)  # "label text" of touched sections
    excerpts: dict[str, tuple[str, str]] = field(default_factory=dict)  # changed: (before, after)
    affected_cases: list[str] = field(default_factory=list)  # filled in by evals.affected

    def summary(self) -> dict:
        """The change lists (no passages): what a version record keeps."""
        return {"documents_added": self.documents_added, "documents_removed": self.documents_removed,
                "documents_changed": self.documents_changed, "sections_added": self.sections_added,
                "sections_removed": self.sections_removed, "sections_changed": self.sections_changed}

    def lines(self) -> list[str]:
        """The report as lines: documents, then sections (a changed one with its first
        difference, before and after), then the eval cases to re-check."""
        lines = []
        for label, items in (("Documents added", self.documents_added),
                             ("Documents removed", self.documents_removed),
                             ("Documents changed", self.documents_changed),
                             ("Sections added", self.sections_added),
                             ("Sections removed", self.sections_removed),
                             ("Sections changed", self.sections_changed)):
            if not items:
                continue
            lines.append(f"{label} ({len(items)}):")
            for item in items:
                lines.append(f"  {item}")
                before, after = self.excerpts.get(item, ("", "")) if items is \
                    self.sections_changed else ("", "")
                if before or after:
                    lines += [f"    before: {before or '(nothing)'}",
                              f"    after:  {after or '(nothing)'}"]
        if self.affected_cases:
            lines.append(f"Eval cases citing changed sections, to re-check "
                         f"({len(self.affected_cases)}): " + ", ".join(self.affected_cases))
        return lines or ["No section changed."]

    @property
    def empty(self) -> bool:
        return not (self.documents_added or self.documents_removed or self.documents_changed
                    or self.sections_added or self.sections_removed or self.sections_changed)


def _sections(chunks: list[Chunk]) -> dict[str, tuple[str, str, str]]:
    """section id -> (document id, label "Document › heading path", digest of its text)."""
    texts: dict[str, list[str]] = {}
    labels: dict[str, tuple[str, str]] = {}
    for chunk in chunks:
        texts.setdefault(chunk.section_id, []).append(chunk.content_hash)
        labels[chunk.section_id] = (chunk.doc_id, chunk.section_label)
    return {sid: (*labels[sid], hashlib.sha1("\n".join(t).encode()).hexdigest())
            for sid, t in texts.items()}


def diff_chunks(old: list[Chunk], new: list[Chunk], old_titles: dict[str, str],
                new_titles: dict[str, str]) -> ChangeReport:
    """Compare two versions' chunks section by section (sections are matched by id)."""
    before, after = _sections(old), _sections(new)
    report = ChangeReport(
        documents_added=[new_titles[d] for d in new_titles if d not in old_titles],
        documents_removed=[old_titles[d] for d in old_titles if d not in new_titles],
        sections_added=[after[s][1] for s in after if s not in before],
        sections_removed=[before[s][1] for s in before if s not in after],
        sections_changed=[after[s][1] for s in after if s in before and before[s][2] != after[s][2]],
    )
    touched = {before[s][0] for s in before if s not in after or before[s][2] != after.get(s, ("", "", ""))[2]}
    touched |= {after[s][0] for s in after if s not in before}
    report.documents_changed = [new_titles[d] for d in new_titles
                                if d in old_titles and d in touched]
    labels = set(report.sections_added + report.sections_removed + report.sections_changed)
    report.changed_passages = [f"{c.section_label} {c.text}" for c in old + new
                               if c.section_label in labels]
    report.excerpts = {label: _first_difference(old, new, label) for label in report.sections_changed}
    return report


def _first_difference(old: list[Chunk], new: list[Chunk], label: str) -> tuple[str, str]:
    """The first quotable unit of a changed section that differs: (before, after), short."""
    before = [u.text for c in old if c.section_label == label for u in c.units]
    after = [u.text for c in new if c.section_label == label for u in c.units]
    for i in range(max(len(before), len(after))):
        a = before[i] if i < len(before) else ""
        b = after[i] if i < len(after) else ""
        if a != b:
            return _short(a), _short(b)
    return "", ""


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"

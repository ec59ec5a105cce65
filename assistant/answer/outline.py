"""Answers about the documents' shape: the headings under a heading ("what are the wider
networks?"), a document's parts ("how was the 2023 framework laid out?"), a pathway's stages in
order, and a table's columns. They list headings, each cited, instead of quoting one section's
text. A list question whose best section sits under a heading with no text of its own gets its
sibling headings; the other outlines need a question in outline words (cues.yml: "headings",
"parts", "columns", "stages"...).
"""
from __future__ import annotations

from assistant.answer.compose import Passage, SectionView
from knowledge.records import Citation, Pathway
from knowledge.tokens import terms

COLUMN_WORDS = frozenset({"column", "columns"})
STAGE_WORDS = frozenset({"stage", "stages", "order", "steps"})
PART_WORDS = frozenset({"parts", "laid", "layout", "structure", "structured", "outline",
                        "sections", "chapters"})


class OutlineComposer:
    """Lists of headings, stages or columns from the live index's sections and pathways."""

    def __init__(self, sections: dict[str, SectionView], pathways: list[Pathway]):
        self.sections = sections
        self.pathways = pathways

    def compose(self, top: str, asks: set[str], named_documents: frozenset[str],
                named_stages: list, question: str, surely_list: bool
                ) -> tuple[str, list[Citation]] | None:
        """(text, citations) listing what a list question asks for around the best-ranked
        section `top`, or None when no outline fits. `asks` are the outline words the question
        uses: "columns" (of a table row), "stages" (of a pathway), "parts" (of a document
        named), or other heading words (the headings under `top`). Without such words, a
        question `surely_list` naming a heading that has no text of its own ("what are the
        wider networks?") gets the headings under it."""
        view = self.sections.get(top)
        if view is None:
            return None
        if asks & COLUMN_WORDS and view.units and all(u.kind == "field" for u in view.units):
            return self._columns(view)
        if asks & STAGE_WORDS:
            pathway = self._pathway(top, named_stages)
            if pathway is not None:
                return self._stages(pathway)
        doc = top.split("/", 1)[0]
        if asks & PART_WORDS and doc in named_documents:
            group = [sid for sid, v in self.sections.items()
                     if sid.split("/", 1)[0] == doc and len(v.path) == 1]
            if len(group) >= 2:
                return self._headings(group, self.sections[group[0]].doc_title)
        children = [sid for sid, v in self.sections.items()
                    if sid.startswith(top + "/") and len(v.path) == len(view.path) + 1]
        if asks and len(children) >= 2:
            return self._headings(children, view.title)
        parent = view.path[:-1]
        siblings = [sid for sid, v in self.sections.items()
                    if v.path[:-1] == parent and len(v.path) == len(view.path)
                    and sid.split("/", 1)[0] == doc] if parent else []
        wanted = set(terms(question))
        names_parent = parent and len(wanted & set(terms(parent[-1]))) > \
            len(wanted & set(terms(view.title)))
        if surely_list and len(siblings) >= 2 and names_parent \
                and top.rsplit("/", 1)[0] not in self.sections:
            return self._headings(siblings, parent[-1])  # a heading with no text of its own
        return None

    def _headings(self, group: list[str], lead: str):
        passages = [Passage(self.sections[sid], [], title=self.sections[sid].title)
                    for sid in group]
        return _listing(f"{lead}:", passages)

    def _stages(self, pathway: Pathway):
        passages = [Passage(self.sections[s.section_id], [], title=s.title)
                    for s in pathway.stages if s.section_id in self.sections]
        return _listing(f"{pathway.name}, in order:", passages)

    def _columns(self, row: SectionView):
        labels = list(dict.fromkeys(u.label for u in row.units if u.label))
        table = row.path[-2] if len(row.path) > 1 else row.doc_title
        text = f"{table}: a row for each stage, under the columns {'; '.join(labels)}. [1]"
        return text, [Citation(n=1, document=row.doc_title, date=row.doc_date,
                               section=" › ".join(row.path[:-1]) or row.doc_title,
                               text="; ".join(labels), chunk_id=row.section_id)]

    def _pathway(self, top: str, named_stages: list) -> Pathway | None:
        for match in named_stages:
            return match.pathway
        for pathway in self.pathways:
            ids = [s.section_id for s in pathway.stages]
            if any(top == sid or top.startswith(sid + "/") or sid.startswith(top + "/")
                   for sid in ids):
                return pathway
        return None


def _listing(lead: str, passages: list[Passage]) -> tuple[str, list[Citation]]:
    """"Lead: • Title [1] • Title [2] ...", each heading cited."""
    lines, citations = [lead], []
    for n, passage in enumerate(passages, start=1):
        section = passage.section
        lines.append(f"• {passage.title} [{n}]")
        citations.append(Citation(
            n=n, document=section.doc_title, date=section.doc_date,
            section=" › ".join(section.path) or section.doc_title,
            text=" ".join(u.text for u in section.units[:1]), chunk_id=section.section_id))
    return "\n".join(lines), citations

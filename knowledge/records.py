"""Plain data types shared by every layer: documents, blocks, sections, chunks, pathways, answers."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class DocumentInfo:
    """A source document's identity and the metadata shown in citations."""

    doc_id: str
    path: str
    title: str
    date: str = ""
    status: str = ""
    publisher: str = ""


@dataclass
class Block:
    """One piece of a section's body.

    kind is "paragraph" (text), "list" (items, optional lead-in text), "record" (one table
    row: label plus ordered (column name, items) fields) or "caption" (text that names what
    follows, such as a table's column names that lost their table: searched and shown with the
    section, never quoted on its own).
    """

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    label: str = ""
    fields: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class Section:
    """A heading and the blocks under it; path is the full heading path below the document title."""

    path: list[str]
    level: int
    blocks: list[Block] = field(default_factory=list)
    page: int | None = None  # first page, for documents that have pages (PDF)

    @property
    def title(self) -> str:
        return self.path[-1] if self.path else ""


@dataclass
class Unit:
    """The smallest quotable piece of a chunk: a sentence, a list item or a table field."""

    text: str
    label: str = ""  # the column name of a table field, or a list's lead-in
    kind: str = "sentence"  # "sentence", "item" (of a list) or "field" (of a table row)


@dataclass
class Chunk:
    """A retrievable passage: part of one section, with the metadata needed to cite it."""

    chunk_id: str
    doc_id: str
    doc_title: str
    doc_date: str
    section_path: list[str]
    text: str
    units: list[Unit]
    content_hash: str = ""
    page: int | None = None

    @property
    def section_id(self) -> str:
        return self.chunk_id.rsplit("#", 1)[0]

    @property
    def section_label(self) -> str:
        return " › ".join([self.doc_title, *self.section_path])

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        units = [Unit(**u) for u in data.pop("units")]
        return cls(units=units, **data)


@dataclass
class Stage:
    """One step of a progression pathway; number is None for an exit such as Transition to Teaching."""

    number: int | None
    title: str
    roles: list[str]
    section_id: str


@dataclass
class Pathway:
    """An ordered progression route found in a document, e.g. Teaching Assistant to Teacher.

    kind is "stages" (numbered "Stage N" sections) or "table" (the rows of a career table, in
    order; their numbers are row positions, not stage numbers a question can name).
    """

    name: str
    doc_id: str
    stages: list[Stage]
    kind: str = "stages"

    def following(self, stage: Stage) -> list[Stage]:
        """Return the stage(s) that come after `stage`: the next numbered one and any exits."""
        if stage.number is None:
            return []
        numbered = [s for s in self.stages if s.number is not None and s.number > stage.number]
        nxt = [min(numbered, key=lambda s: s.number)] if numbered else []
        exits = [s for s in self.stages if s.number is None]
        return nxt + exits

    def preceding(self, stage: Stage) -> Stage | None:
        """Return the numbered stage just before `stage`, if any."""
        earlier = [s for s in self.stages if s.number is not None
                   and (stage.number is None or s.number < stage.number)]
        return max(earlier, key=lambda s: s.number) if earlier else None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Pathway":
        return cls(name=data["name"], doc_id=data["doc_id"],
                   stages=[Stage(**s) for s in data["stages"]], kind=data.get("kind", "stages"))


@dataclass
class Citation:
    """A cited passage: its number in the answer, where it comes from, and its text."""

    n: int
    document: str
    date: str
    section: str
    text: str
    chunk_id: str = ""


@dataclass
class Answer:
    """What the engine returns for one question."""

    question: str
    answer: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    latency_ms: float = 0.0
    standalone_question: str = ""  # the question as understood, conversation folded in
    reason: str = ""  # why it was not answered ("topic:pay", "not_stated:amount", ...); "" if it was
    vector: object = field(default=None, repr=False, compare=False)  # the question's embedding
    trace: list[dict] = field(default_factory=list)  # {"stage", "rule", "detail"}: what decided

    def to_json(self, trace: bool = False) -> dict:
        """Return the public JSON shape: question, answer, answered, citations, latency_ms,
        standalone_question and reason (and, with `trace`, the steps that decided it)."""
        out = {
            "question": self.question,
            "answer": self.answer,
            "answered": self.answered,
            "citations": [
                {"n": c.n, "document": c.document, "date": c.date, "section": c.section,
                 "text": c.text}
                for c in self.citations
            ],
            "latency_ms": round(self.latency_ms, 1),
            "standalone_question": self.standalone_question,
            "reason": self.reason,
        }
        if trace:
            out["trace"] = self.trace
        return out

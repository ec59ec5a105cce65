"""Parsing one document: text -> sections, chunks and pathways, and how much structure was found."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ingest.blocks import RawBlock, read_blocks
from ingest.chunking import chunk_sections
from ingest.pathways import extract_pathways
from ingest.structure import build_sections
from knowledge.records import Block, Chunk, DocumentInfo, Pathway, Section

log = logging.getLogger(__name__)

PARSER_VERSION = "10"


@dataclass
class ParsedDocument:
    """Everything ingest derives from one document."""

    info: DocumentInfo
    sections: list[Section]
    chunks: list[Chunk]
    pathways: list[Pathway]
    tables: int = 0  # tables found (a headerless continuation counts with the one before)
    warnings: list[str] = field(default_factory=list)

    @property
    def stages(self) -> int:
        """Pathway stages found (a career table's rows included)."""
        return sum(len(p.stages) for p in self.pathways)


def parse_document(info: DocumentInfo, text: str) -> ParsedDocument:
    """Recover a document's structure and cut it into citable chunks. A document whose shape
    the structure parser fails on is indexed as plain paragraphs, with a warning."""
    raw = read_blocks(text)
    warnings = []
    try:
        sections = build_sections(raw, info.title)
    except Exception as exc:  # never refuse a document for its shape
        log.exception("structure of %s", info.path)
        warnings.append(f"{info.path}: its headings could not be worked out ({type(exc).__name__}"
                        f": {exc}); it was indexed as plain paragraphs")
        sections = _paragraphs_only(raw)
    return ParsedDocument(info=info, sections=sections, chunks=chunk_sections(info, sections),
                          pathways=extract_pathways(info.doc_id, sections),
                          tables=count_tables(raw), warnings=warnings)


def count_tables(raw: list[RawBlock]) -> int:
    """Tab-separated runs and Markdown tables, a table whose header cells are all empty
    (the rest of the one before) not counted again."""
    def continuation(block: RawBlock) -> bool:
        return block.kind == "table" and not block.lines[0].replace("|", "").strip()
    return sum(1 for b in raw if b.kind in ("tabs", "table") and not continuation(b))


def _paragraphs_only(raw: list[RawBlock]) -> list[Section]:
    blocks = [Block("paragraph", text=" ".join(line.strip() for line in b.lines))
              for b in raw if b.kind != "page" and b.lines]
    return [Section(path=[], level=1, blocks=[b for b in blocks if b.text])]

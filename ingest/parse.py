"""Parsing one document: text -> sections, chunks and pathways."""
from __future__ import annotations

from dataclasses import dataclass

from ingest.blocks import read_blocks
from ingest.chunking import chunk_sections
from ingest.pathways import extract_pathways
from ingest.structure import build_sections
from knowledge.records import Chunk, DocumentInfo, Pathway, Section

PARSER_VERSION = "9"


@dataclass
class ParsedDocument:
    """Everything ingest derives from one document."""

    info: DocumentInfo
    sections: list[Section]
    chunks: list[Chunk]
    pathways: list[Pathway]


def parse_document(info: DocumentInfo, text: str) -> ParsedDocument:
    """Recover a document's structure and cut it into citable chunks."""
    sections = build_sections(read_blocks(text), info.title)
    return ParsedDocument(info=info, sections=sections, chunks=chunk_sections(info, sections),
                          pathways=extract_pathways(info.doc_id, sections))

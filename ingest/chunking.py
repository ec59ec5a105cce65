"""Sections into chunks: quotable units (sentences, items, table fields) grouped under a size limit."""
from __future__ import annotations

import hashlib
import re

from ingest.text import split_sentences
from knowledge.records import Block, Chunk, DocumentInfo, Section, Unit

MAX_CHUNK_CHARS = 900


def slugify(text: str) -> str:
    """A lower-case, hyphenated id fragment."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "intro"


def section_id(doc_id: str, path: list[str]) -> str:
    """The stable id of a section: document id plus slugs of its heading path."""
    return "/".join([doc_id, *(slugify(p) for p in path)]) if path else f"{doc_id}/intro"


def section_ids(doc_id: str, sections: list[Section]) -> list[str]:
    """Each section's id, in order. Sections with the same heading path (a heading that
    appears twice under one parent) are told apart by position: the first keeps the plain id,
    the n-th gets "~n", so ids stay stable while the document is unchanged."""
    seen: dict[str, int] = {}
    ids = []
    for section in sections:
        base = section_id(doc_id, section.path)
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}~{seen[base]}")
    return ids


def block_units(block: Block) -> list[Unit]:
    """The quotable units of one block."""
    if block.kind == "paragraph":
        return [Unit(text=s) for s in split_sentences(block.text)]
    if block.kind == "caption":
        return []
    if block.kind == "list":
        return [Unit(text=item, label=block.text, kind="item") for item in block.items]
    return [Unit(text=item, label=name, kind="field") for name, items in block.fields
            for item in items]


def unit_embedding_text(section_path: list[str], unit: Unit) -> str:
    """The text embedded for a unit: the unit with its context (section title, and a list's
    lead-in or a table column), so "Sessions take place each half term." is about SEND networks."""
    title = section_path[-1] if section_path else ""
    label = f"{unit.label.rstrip(':')}: " if unit.label else ""
    return f"{title}: {label}{unit.text}" if title else f"{label}{unit.text}"


def render_block(block: Block) -> str:
    """Plain-text rendering of a block, used for embedding and lexical search."""
    if block.kind in ("paragraph", "caption"):
        return block.text
    if block.kind == "list":
        lines = [block.text] if block.text else []
        return "\n".join(lines + [f"- {item}" for item in block.items])
    lines = [block.label] if block.label else []
    lines += [f"{name}: " + "; ".join(items) for name, items in block.fields]
    return "\n".join(lines)


def chunk_sections(doc: DocumentInfo, sections: list[Section]) -> list[Chunk]:
    """Group each section's blocks into chunks of at most MAX_CHUNK_CHARS (a block is never split)."""
    chunks: list[Chunk] = []
    for section, sid in zip(sections, section_ids(doc.doc_id, sections)):
        groups: list[list[Block]] = []
        size = 0
        for block in section.blocks:
            length = len(render_block(block))
            if not groups or size + length > MAX_CHUNK_CHARS:
                groups.append([])
                size = 0
            groups[-1].append(block)
            size += length
        for i, group in enumerate(groups):
            heading = " › ".join(section.path) or doc.title
            body = "\n".join(render_block(b) for b in group)
            text = f"{heading}\n{body}"
            chunks.append(Chunk(
                chunk_id=f"{sid}#{i}", doc_id=doc.doc_id, doc_title=doc.title, doc_date=doc.date,
                section_path=list(section.path), text=text,
                units=[u for b in group for u in block_units(b)],
                content_hash=hashlib.sha1(text.encode()).hexdigest(), page=section.page,
            ))
    return chunks

"""First pass over a document's lines: group them into raw blocks (headings, lists, tables, text)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+(.*)$")
_BOLD_ONLY = re.compile(r"^\s*(\*\*[^*]+\*\*\s*)+$", re.S)
_PAGE = re.compile(r"^\[page (\d+)\]$")  # written by the PDF converter


@dataclass
class RawBlock:
    """A run of lines of one kind: "heading" (with level), "bold", "list", "tabs", "table",
    "text", or "page" (a PDF page starts; level is its number)."""

    kind: str
    lines: list[str] = field(default_factory=list)
    level: int = 0


def read_blocks(text: str) -> list[RawBlock]:
    """Split document text into raw blocks; blank lines end text blocks."""
    blocks: list[RawBlock] = []
    current: RawBlock | None = None

    def close() -> None:
        nonlocal current
        if current is not None and current.lines:
            blocks.append(_classify_text(current))
        current = None

    for raw in text.replace("\r\n", "\n").replace("\u00a0", " ").split("\n"):
        line = raw.rstrip("\n")
        if not line.strip():
            if current is not None and current.kind in ("text", "list"):
                close()
            elif current is not None and current.kind in ("tabs", "table"):
                close()
            continue
        page = _PAGE.match(line.strip())
        if page:
            close()
            blocks.append(RawBlock("page", level=int(page.group(1))))
            continue
        heading = _MD_HEADING.match(line.strip())
        kind = ("heading" if heading else
                "table" if line.lstrip().startswith("|") else
                "tabs" if "\t" in line.strip("\t ") and "\t" in line else
                "list" if _BULLET.match(line) else "text")
        if kind == "heading":
            close()
            blocks.append(RawBlock("heading", [heading.group(2)], level=len(heading.group(1))))
            continue
        if current is None or current.kind != kind:
            close()
            current = RawBlock(kind)
        current.lines.append(line)
    close()
    return blocks


def _classify_text(block: RawBlock) -> RawBlock:
    """Mark a text block made only of bold spans as "bold" (a candidate heading)."""
    if block.kind == "text" and _BOLD_ONLY.match("\n".join(block.lines)):
        block.kind = "bold"
    return block


def bold_lines(block: RawBlock) -> list[str]:
    """The visible lines of a bold block, without markers or hard-break spaces."""
    joined = "\n".join(block.lines)
    return [ln.replace("**", "").strip() for ln in joined.split("\n") if ln.replace("**", "").strip()]


def bullet_text(line: str) -> str:
    """The text of a bullet line without its marker."""
    match = _BULLET.match(line)
    return match.group(1) if match else line.strip()

"""Tables as records: tab-separated stage tables and Markdown tables whose cells hold HTML lists."""
from __future__ import annotations

import re

from ingest.text import clean_inline, split_cell_items
from knowledge.records import Block

_SEPARATOR_CELL = re.compile(r"^\s*:?-+:?\s*$")
_NOTE = re.compile(r"<i>(.*?)</i>", re.S)
HEADER_WORDS = 6  # a header cell is a column name: this many words at most ("Ready to move on when")


def parse_tab_table(lines: list[str]) -> list[Block]:
    """Parse tab-separated rows: with a header row, one record per row; without, one list of cells."""
    rows = [[cell for cell in line.strip("\n").split("\t")] for line in lines]
    rows = [[c for c in row] for row in rows if any(c.strip() for c in row)]
    if _has_header(rows):
        header = [clean_inline(c) for c in rows[0]]
        return [
            Block("record", fields=[(name, split_cell_items(cell))
                                    for name, cell in zip(header, row) if name and cell.strip()])
            for row in rows[1:]
        ]
    cells = [clean_inline(c) for row in rows for c in row if clean_inline(c)]
    return [Block("list", items=cells)]


def _has_header(rows: list[list[str]]) -> bool:
    if len(rows) < 2:
        return False
    header_short = all(len(c.split()) <= HEADER_WORDS for c in rows[0])
    body_long = any(len(c.split()) > 6 for row in rows[1:] for c in row)
    return header_short and body_long


def parse_markdown_table(lines: list[str], inherited_header: list[str] | None
                         ) -> tuple[list[Block], list[str]]:
    """Parse a Markdown table into labelled records (first column is the label).

    A table whose header cells are all empty continues the previous table and takes its
    column names. A table with a single body row describes one thing: its record has every
    column as a field and no label (as the tab-separated stage tables). Returns the records
    and the header in force.
    """
    rows = [_split_row(line) for line in lines]
    rows = [row for row in rows if not all(_SEPARATOR_CELL.match(c) or not c.strip() for c in row)
            or not any(c.strip() for c in row)]
    header_row, body = rows[0], rows[1:]
    header = [clean_inline(c) for c in header_row]
    if not any(header):
        header = list(inherited_header or [f"Column {i + 1}" for i in range(len(header_row))])
    body = [row for row in body if any(c.strip() for c in row)]
    if len(body) == 1 and any(header):
        return [Block("record", fields=[(name, split_cell_items(cell))
                                        for name, cell in zip(header, body[0])
                                        if name and clean_inline(cell)])], header
    records = []
    for row in body:
        label_cell = row[0]
        note = " ".join(clean_inline(n) for n in _NOTE.findall(label_cell))
        label = clean_inline(_NOTE.sub(" ", label_cell))
        fields = [(header[i] if i < len(header) else f"Column {i + 1}", split_cell_items(cell))
                  for i, cell in enumerate(row[1:], start=1) if clean_inline(cell)]
        if note:
            fields.insert(0, ("Standards", [note]))
        records.append(Block("record", label=label, fields=fields))
    return records, header


def _split_row(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return inner.split("|")

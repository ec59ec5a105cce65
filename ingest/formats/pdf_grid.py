"""Ruled tables in untagged PDFs: cells from the ruling lines, rows rejoined over page breaks.

A Word table with borders ("Table Grid"), exported to PDF by LibreOffice or Word, is drawn as a
grid of lines. pdfplumber's table finder (lines strategy) gives each cell's box, so rows come
from the rules instead of being guessed from gaps between lines of text, which fails when a
row's text runs over a page break. A grid that starts a page with the columns of the grid that
ended the page before continues that table (pdf_layout.py joins them): Word and LibreOffice let
a row break across pages, so when the grid before fills its page down to the bottom margin (or
the new part's first cell is empty) the new part's first row is the rest of the row cut there;
a header row repeated at the top of the new page is dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field

_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
SAME_COLUMN = 2.0  # points: column edges this close are the same edge on another page


@dataclass
class Grid:
    """One ruled table on one page: its box and its cells' characters, row by row."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    columns: list[float]  # the left edge of each column
    rows: list[list[list[dict]]] = field(default_factory=list)  # rows of cells of chars

    def holds(self, char: dict) -> bool:
        """The character's centre lies inside the grid."""
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        return self.x0 <= x <= self.x1 and self.top <= y <= self.bottom

    def continues(self, before: "Grid") -> bool:
        """This grid, on the page after `before`, has its columns: the same table."""
        return self.page == before.page + 1 and len(self.columns) == len(before.columns) and \
            all(abs(a - b) <= SAME_COLUMN for a, b in zip(self.columns, before.columns))


def find_grids(page) -> list[Grid]:
    """The ruled tables of a page with two or more columns, top to bottom ([] when the page's
    lines make none, or pdfplumber's finder fails on them)."""
    try:
        tables = page.find_tables(_SETTINGS)
    except Exception:  # a page whose drawing the finder cannot use is read as text
        return []
    grids = []
    for table in tables:
        cells = [row.cells for row in table.rows]
        width = max((len(row) for row in cells), default=0)
        if width < 2 or not cells:
            continue
        columns = [min((row[j][0] for row in cells if j < len(row) and row[j]), default=None)
                   for j in range(width)]
        if None in columns:
            continue
        x0, top, x1, bottom = table.bbox
        grid = Grid(page.page_number, top, bottom, x0, x1, columns)
        chars = [c for c in page.chars if grid.holds(c)]
        grid.rows = [[_inside(chars, cell) for cell in row] + [[] for _ in range(width - len(row))]
                     for row in cells]
        grids.append(grid)
    return sorted(grids, key=lambda g: g.top)


def _inside(chars: list[dict], box) -> list[dict]:
    if box is None:  # covered by a merged cell
        return []
    x0, top, x1, bottom = box
    return [c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
            and top <= (c["top"] + c["bottom"]) / 2 <= bottom]


def row_text(cells: list[list[dict]]) -> str:
    """A row's visible characters, to compare a repeated header with the first."""
    return "".join(c["text"] for cell in cells for c in cell if not c["text"].isspace())

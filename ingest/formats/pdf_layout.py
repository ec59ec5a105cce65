"""Untagged PDFs: blocks recovered from the layout of the text.

- Headings: the outline (bookmarks) names them, with their level and position; without one,
  lines set larger than the body text are headings ranked by size. Bold body-size lines stay
  bold lines (the structure parser decides whether they head a section).
- Ruled tables (a grid of lines, as Word's "Table Grid" prints) are read cell by cell from the
  rules (pdf_grid.py), one table over several pages, a row cut by a page break made whole.
- Other tables: a horizontal rule under a row of column titles starts a table with a header; a
  line of text in two or more columns separated by gutters starts one without. The table goes on
  while lines fit its columns; a new row starts where the first column starts again after a
  row gap; the header repeated at the top of each new page is dropped.
- Paragraphs and list items ("•") are lines at the body's line pitch; a larger gap, a change
  of size or weight, or a bullet starts a new one.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from ingest.formats.markdown import MarkdownWriter, Span, Table
from ingest.formats.pdf_grid import Grid, find_grids, row_text
from ingest.formats.pdf_lines import (Line, hard_break, is_bold, join_lines, make_lines,
                                      splits_word, vocabulary)

_BULLETS = set("•◦▪●○■□‣∙·")
# Lines of text: a ruled table that ends this close to the lowest text of any page filled its
# page, so (rows being allowed to break across pages) its last row goes on over the page.
FULL_PAGE = 1.5


def _is_bullet(text: str) -> bool:
    """A list bullet: a bullet glyph, or one symbol-font character (Word's Symbol bullet
    comes out as U+F0B7, in the private use area)."""
    return text in _BULLETS or (len(text) == 1 and "\ue000" <= text <= "\uf8ff")


@dataclass
class _Segment:
    """Text of one column on one line; `bullet` when it began with a list bullet."""

    line: Line
    bullet: bool = False


@dataclass
class _Row:
    """A visual line of a page, cut into segments at column gutters."""

    line: Line
    segments: list[_Segment]
    index: int = 0

    @property
    def page(self) -> int:
        return self.line.page

    @property
    def baseline(self) -> float:
        return self.line.baseline


@dataclass
class _GridTable:
    """A ruled table being read, maybe over several pages: its rows of cells of segments."""

    columns: int
    rows: list[list[list[_Segment]]]
    header_text: str
    last: Grid
    styled: bool  # its first row is bold


@dataclass
class _Table:
    """A table being read: its column starts and rows of cells of lines."""

    starts: list[float]
    header: list[list[Line]] | None = None
    rows: list[list[list[Line]]] = field(default_factory=list)
    last: _Row | None = None
    header_text: str = ""
    page_break: bool = False


def read_layout(pdf, pages) -> str:
    """The document as Markdown-like text, read from the position and font of its text."""
    grids = [grid for page in pages for grid in find_grids(page)]
    rows = _rows(pages, grids)
    cell_lines = [s.line for g in grids for row in g.rows for cell in row
                  for s in cell_segments(cell)]
    chars = [c for r in rows for c in r.line.chars] + [c for line in cell_lines for c in line.chars]
    visible = [c for c in chars if not c["text"].isspace()]
    if not visible:
        return ""
    body = Counter(round(c["size"], 1) for c in visible).most_common(1)[0][0]
    pitch = _pitch(rows, body)
    headings = _outline_headings(pdf, rows) or _size_headings(rows, body)
    headers = _header_rows(pages, rows, pitch, grids)
    vocab = vocabulary([s.line for r in rows for s in r.segments] + cell_lines)
    floor = max(c["bottom"] for c in visible)  # the bottom margin, where page breaks cut rows
    return _Reader(rows, body, pitch, headings, headers, vocab, grids, floor).run()


def _rows(pages, grids: list[Grid] = ()) -> list[_Row]:
    """The lines of text outside ruled tables, page by page, cut into segments."""
    rows: list[_Row] = []
    for page in pages:
        here = [g for g in grids if g.page == page.page_number]
        chars = [c for c in page.chars if not any(g.holds(c) for g in here)] if here \
            else page.chars
        for line in make_lines(chars):
            segments = _segments(line)
            if segments:  # a line holding only a list bullet has no text of its own
                rows.append(_Row(line, segments, len(rows)))
    return rows


def _segments(line: Line) -> list[_Segment]:
    """Cut a line where the gap between characters is wider than a column gutter; a lone
    bullet joins the text after it."""
    groups: list[list[dict]] = []
    spaced: list[bool] = []  # whether a space character follows each group
    pending: list[dict] = []  # spaces after the last character, kept inside a group
    previous = None
    for char in line.chars:
        if char["text"].isspace():
            pending.append(char)
            continue
        # a gap is a gutter when it is wide even without the space characters in it (a
        # monospaced font's one space is as wide as half its size)
        spaces = sum(c["x1"] - c["x0"] for c in pending)
        if previous is None or char["x0"] - previous["x1"] - spaces > max(6.0, 0.5 * char["size"]):
            if spaced:
                spaced[-1] = bool(pending)
            groups.append([])
            spaced.append(False)
        else:
            groups[-1].extend(pending)
        pending = []
        groups[-1].append(char)
        previous = char
    if spaced:
        spaced[-1] = bool(pending)
    segments: list[_Segment] = []
    bullet = False
    for group, space_after in zip(groups, spaced):
        if _is_bullet("".join(c["text"] for c in group).strip()):
            bullet = True
            continue
        if group and _is_bullet(group[0]["text"]):
            group, bullet = group[1:], True
        made = make_lines(group)
        if made:
            made[0].trailing_space = space_after
            segments.append(_Segment(made[0], bullet))
        bullet = False
    return segments


def _pitch(rows: list[_Row], body: float) -> float:
    """The body text's usual distance between baselines."""
    deltas = Counter(round(b.baseline - a.baseline, 1) for a, b in zip(rows, rows[1:])
                     if a.page == b.page and a.line.size == b.line.size == body
                     and 0 < b.baseline - a.baseline < 3 * body)
    return deltas.most_common(1)[0][0] if deltas else 1.2 * body


def _outline_headings(pdf, rows: list[_Row]) -> dict[int, tuple[int, str, int]]:
    """Rows that start an outline entry: {row index: (level, title, rows it spans)}."""
    try:
        entries = list(pdf.doc.get_outlines())
    except Exception:  # no outline, or one pdfminer cannot read
        return {}
    pages = {p.page_obj.pageid: p for p in pdf.pages}
    found: dict[int, tuple[int, str, int]] = {}
    for level, title, dest, action, _ in entries:
        target = _destination(dest, action, pages)
        if not title or target is None:
            continue
        page, top = target
        wanted = _squash(title)
        for row in rows:
            if row.page != page.page_number or row.index in found or \
                    (top is not None and row.line.bottom < top - 2):
                continue
            text = _squash(row.line.text)
            if text and wanted.startswith(text):
                span, joined = 1, text
                while joined != wanted and row.index + span < len(rows) and \
                        wanted.startswith(joined + _squash(rows[row.index + span].line.text)):
                    joined += _squash(rows[row.index + span].line.text)
                    span += 1
                found[row.index] = (level, " ".join(title.split()), span)
                break
    return found


def _destination(dest, action, pages) -> tuple[object, float | None] | None:
    from pdfminer.pdftypes import resolve1

    dest = resolve1(dest)
    if dest is None and isinstance(action, dict):
        dest = resolve1(action.get("D"))
    if isinstance(dest, dict):
        dest = resolve1(dest.get("D"))
    if not isinstance(dest, list) or not dest:
        return None
    page = pages.get(getattr(dest[0], "objid", None))
    if page is None:
        return None
    y = resolve1(dest[3]) if len(dest) > 3 else None
    return page, (page.height - y if isinstance(y, (int, float)) else None)


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def _size_headings(rows: list[_Row], body: float) -> dict[int, tuple[int, str, int]]:
    """Without an outline: single-column lines set larger than the body, ranked by size."""
    larger = sorted({r.line.size for r in rows if r.line.size > body + 0.5}, reverse=True)
    found: dict[int, tuple[int, str, int]] = {}
    k = 0
    while k < len(rows):
        row = rows[k]
        if row.line.size in larger and len(row.segments) == 1 and len(row.line.text) < 120:
            span = 1
            while k + span < len(rows) and rows[k + span].line.size == row.line.size and \
                    rows[k + span].page == row.page and \
                    rows[k + span].baseline - rows[k + span - 1].baseline < 1.6 * row.line.size:
                span += 1
            text = " ".join(rows[j].line.text for j in range(k, k + span))
            found[k] = (min(larger.index(row.line.size) + 1, 6), text, span)
            k += span
        else:
            k += 1
    return found


def cell_segments(chars: list[dict]) -> list[_Segment]:
    """A ruled table cell's lines, as segments (a leading bullet marks a list item)."""
    return [segment for line in make_lines(chars) for segment in _segments(line)]


def _header_rows(pages, rows: list[_Row], pitch: float,
                 grids: list[Grid] = ()) -> dict[int, list[float]]:
    """Rows that are a table's column titles (above a horizontal rule that is not part of a
    ruled table): {row index: column starts}, for every row of each header."""
    by_page: dict[int, list[_Row]] = {}
    for row in rows:
        by_page.setdefault(row.page, []).append(row)
    headers: dict[int, list[float]] = {}
    for page in pages:
        boxes = [(g.top - 1, g.bottom + 1) for g in grids if g.page == page.page_number]
        for top in _rules(page):
            if any(low <= top <= high for low, high in boxes):
                continue
            above = [r for r in by_page.get(page.page_number, []) if r.line.bottom <= top + 1]
            if not above or top - above[-1].line.bottom > pitch or len(above[-1].segments) < 2:
                continue
            starts = [s.line.x0 for s in above[-1].segments]
            picked = [above[-1]]
            for row in reversed(above[:-1]):
                if picked[-1].baseline - row.baseline > 1.2 * pitch or \
                        not _fits(row, starts, page.width):
                    break
                picked.append(row)
            for row in picked:
                headers[row.index] = starts
    return headers


def _rules(page) -> list[float]:
    """Tops of horizontal rules at least a third of the page wide."""
    tops = []
    for edge in list(page.lines) + list(page.rects):
        if abs(edge["bottom"] - edge["top"]) < 2 and edge["x1"] - edge["x0"] > page.width / 3:
            tops.append(edge["top"])
    return sorted(tops)


def _column(x0: float, starts: list[float]) -> int | None:
    """The column a segment starting at x0 belongs to (starts may be a bullet's width off)."""
    best = None
    for k, start in enumerate(starts):
        if x0 >= start - 4:
            best = k
    return best


def _fits(row: _Row, starts: list[float], right: float) -> bool:
    """Every segment lies inside one column."""
    for segment in row.segments:
        k = _column(segment.line.x0, starts)
        if k is None:
            return False
        limit = starts[k + 1] if k + 1 < len(starts) else right
        if segment.line.x1 > limit + 2:
            return False
    return True


class _Reader:
    """One pass over the rows, writing headings, paragraphs, list items and tables."""

    def __init__(self, rows, body, pitch, headings, headers, vocab, grids=(), floor=0.0):
        self.rows, self.body, self.pitch = rows, body, pitch
        self.headings, self.headers, self.vocab = headings, headers, vocab
        self.writer = MarkdownWriter()
        self.paragraph: list[Line] = []
        self.bullet = False
        self.table: _Table | None = None
        self.right = max((r.line.x1 for r in rows), default=0.0)
        keys = [(r.page, r.baseline) for r in rows]  # in reading order
        # each ruled table goes before the first line of text below its top
        self.grids = sorted(((bisect_left(keys, (g.page, g.top)), g) for g in grids),
                            key=lambda pair: (pair[0], pair[1].page, pair[1].top))
        self.next_grid = 0
        self.grid: _GridTable | None = None
        self.floor = floor

    def run(self) -> str:
        k = 0
        while k < len(self.rows):
            self.place_grids(k)
            self.close_grid()  # a line of text ends a ruled table
            row = self.rows[k]
            if self.table is not None:
                after = self.repeated_header(k)
                if after is not None:
                    k = after
                    continue
                if self.continues_table(row):
                    self.add_row(row)
                    k += 1
                    continue
                self.close_table()
            if k in self.headings:
                self.close_paragraph()
                level, title, span = self.headings[k]
                self.writer.page(row.page)
                self.writer.heading(level, title)
                k += span
            elif k in self.headers or len(row.segments) >= 2:
                self.close_paragraph()
                self.writer.page(row.page)
                k = self.start_table(k)
            else:
                self.add_text(row)
                k += 1
        self.place_grids(len(self.rows))
        self.close_grid()
        self.close_table()
        self.close_paragraph()
        return self.writer.text()

    # --- ruled tables -----------------------------------------------------------------------
    def place_grids(self, k: int) -> None:
        """Write the ruled tables that come before row k; one that continues the table before
        it on the next page joins it."""
        while self.next_grid < len(self.grids) and self.grids[self.next_grid][0] <= k:
            grid = self.grids[self.next_grid][1]
            self.next_grid += 1
            self.close_table()
            self.close_paragraph()
            if self.grid is not None and grid.continues(self.grid.last):
                self.extend_grid(grid)
                continue
            self.close_grid()
            self.writer.page(grid.page)
            rows = [[cell_segments(cell) for cell in row] for row in grid.rows]
            first = [c for cell in grid.rows[0] for c in cell if not c["text"].isspace()]
            self.grid = _GridTable(len(grid.columns), rows, row_text(grid.rows[0]), grid,
                                   bool(first) and all(is_bold(c) for c in first))

    def extend_grid(self, grid: Grid) -> None:
        """The rest of the open ruled table, from the next page: a repeated header row is
        dropped, and the first row finishes the row a page break cut."""
        table, rows = self.grid, list(grid.rows)
        if rows and len(table.rows) > 1 and row_text(rows[0]) == table.header_text:
            rows = rows[1:]
        if rows and table.rows and (table.last.bottom >= self.floor - FULL_PAGE * self.pitch
                                    or not row_text(rows[0][:1])):
            for cell, chars in zip(table.rows[-1], rows[0]):
                cell.extend(cell_segments(chars))
            rows = rows[1:]
        table.rows += [[cell_segments(cell) for cell in row] for row in rows]
        table.last = grid

    def close_grid(self) -> None:
        table, self.grid = self.grid, None
        if table is None:
            return
        rights = [max([s.line.x1 for row in table.rows for s in row[k]] or [0]) + 1
                  for k in range(table.columns)]
        rows = [[self.cell_paragraphs(cell, rights[k]) for k, cell in enumerate(row)]
                for row in table.rows]
        self.writer.table(Table(rows=rows, first_row_styled=table.styled))

    # --- paragraphs -------------------------------------------------------------------
    def add_text(self, row: _Row) -> None:
        segment = row.segments[0]
        line = segment.line
        if self.paragraph and not segment.bullet and self.same_paragraph(self.paragraph[-1], line):
            self.paragraph.append(line)
            return
        self.close_paragraph()
        self.writer.page(row.page)
        self.paragraph, self.bullet = [line], segment.bullet

    def same_paragraph(self, before: Line, after: Line) -> bool:
        if (before.bold, before.size) != (after.bold, after.size):
            return False
        if before.page != after.page:
            return not hard_break(before, after, self.right) and (
                abs(before.x0 - after.x0) < 3 or (self.bullet and after.x0 > before.x0 - 3))
        return after.baseline - before.baseline <= 1.3 * self.pitch

    def close_paragraph(self) -> None:
        if not self.paragraph:
            return
        spans = join_lines(self.paragraph, self.vocab, self.right)
        if self.bullet:
            self.writer.bullet(spans)
        else:
            self.writer.paragraph(spans)
        self.paragraph, self.bullet = [], False

    # --- tables ---------------------------------------------------------------------------
    def start_table(self, k: int) -> int:
        """Open a table at row k (its header, or its first row); the next row to read."""
        if k not in self.headers:
            row = self.rows[k]
            self.table = _Table(starts=[s.line.x0 for s in row.segments])
            self.add_row(row)
            return k + 1
        starts = self.headers[k]
        end = self.header_end(k)
        header_rows = self.rows[k:end]
        self.table = _Table(starts=starts, header=self.cells(header_rows, starts),
                            header_text=_squash(" ".join(r.line.text for r in header_rows)),
                            last=header_rows[-1])
        return end

    def header_end(self, k: int) -> int:
        starts = self.headers[k]
        while k < len(self.rows) and self.headers.get(k) == starts:
            k += 1
        return k

    def repeated_header(self, k: int) -> int | None:
        """After a page break, the table's header printed again: the row after it."""
        table = self.table
        if k not in self.headers or table.header is None or table.last is None \
                or self.rows[k].page == table.last.page:
            return None
        end = self.header_end(k)
        if _squash(" ".join(r.line.text for r in self.rows[k:end])) != table.header_text:
            return None
        table.last = self.rows[end - 1]
        table.page_break = True
        return end

    def continues_table(self, row: _Row) -> bool:
        table = self.table
        if row.index in self.headings or row.index in self.headers:
            return False
        if not _fits(row, table.starts, self.right):
            return False
        like_cells = not row.line.bold or all(s.line.bold for r in table.rows for c in r
                                              for s in c)
        if table.last is not None and row.page != table.last.page:
            return like_cells
        gap = row.baseline - table.last.baseline if table.last is not None else 0
        return gap <= 1.5 * self.pitch or (gap <= 2.5 * self.pitch and like_cells)

    def add_row(self, row: _Row) -> None:
        table = self.table
        if self.new_row(row):
            table.rows.append([[] for _ in table.starts])
        cells = table.rows[-1]
        for segment in row.segments:
            cells[_column(segment.line.x0, table.starts)].append(segment)
        table.last = row
        table.page_break = False

    def new_row(self, row: _Row) -> bool:
        table = self.table
        if not table.rows:
            return True
        if not any(_column(s.line.x0, table.starts) == 0 for s in row.segments):
            return False
        if table.page_break or table.last.page != row.page:
            return len(row.segments) >= max(1, len(table.starts) - 1)
        above = [s.line for s in table.rows[-1][0] if s.line.page == row.page]
        if not above:
            return True
        return row.baseline - above[-1].baseline > 1.2 * self.pitch

    def cells(self, rows: list[_Row], starts: list[float]) -> list[list[Line]]:
        cells: list[list[Line]] = [[] for _ in starts]
        for row in rows:
            for segment in row.segments:
                cells[_column(segment.line.x0, starts)].append(segment.line)
        return cells

    def close_table(self) -> None:
        table = self.table
        if table is None:
            return
        self.table = None
        columns = len(table.starts)
        rights = [max([s.line.x1 for cells in table.rows for s in cells[k]] or [0]) + 1
                  for k in range(columns)]
        rows = []
        if table.header is not None:
            rows.append([[join_lines(cell, self.vocab)] if cell else [] for cell in table.header])
        for cells in table.rows:
            rows.append([self.cell_paragraphs(cell, rights[k]) for k, cell in enumerate(cells)])
        self.writer.table(Table(rows=rows, header=True if table.header is not None else None))

    def cell_paragraphs(self, segments: list[_Segment], right: float) -> list[list[Span]]:
        """A cell's lines cut into paragraphs at bullets, paragraph gaps and short lines."""
        paragraphs: list[list[Line]] = []
        for segment in segments:
            line = segment.line
            if paragraphs and not segment.bullet and not self.cell_break(
                    paragraphs[-1][-1], line, right):
                paragraphs[-1].append(line)
            else:
                paragraphs.append([line])
        return [join_lines(p, self.vocab) for p in paragraphs]

    def cell_break(self, before: Line, after: Line, right: float) -> bool:
        """A new paragraph in a cell: a paragraph gap, or a line that stopped short."""
        if before.page == after.page and after.baseline - before.baseline > 1.3 * self.pitch:
            return True
        if splits_word(before, after, self.vocab):
            return False
        return hard_break(before, after, right)

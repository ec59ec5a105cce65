"""The Markdown-like text every converter writes, from one small document model.

The structure parser (ingest/blocks.py) reads: `#` headings, `**bold-only lines**` (one block
per paragraph, one line per line break), `- ` bullets, Markdown pipe tables whose cells hold
`<p>…</p>` paragraphs (`<i>…</i>` for italic notes), tab-separated rows for tables without a
header, `---` rules and `[page N]` markers. Converters describe a document as spans, paragraphs
and tables; MarkdownWriter turns them into exactly that text, so every format reaches the
parser in the same shape as the plain-text edition.

A file without heading styles (an author who made headings by setting a Normal paragraph in a
larger font) gets its headings from the font sizes: when a document wrote no heading, each
short paragraph set larger than the body text becomes a heading, ranked by size (the largest
is level 1). Bold body-size lines stay bold lines, for the structure parser to judge.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_SPACES = re.compile(r"[ \t\r\n\u00a0\u2028\u2029]+")
BREAK = "\n"  # a Span whose text is BREAK is a line break inside a paragraph


@dataclass
class Span:
    """A run of text with one look: bold, italic, or a link (href)."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str | None = None
    size: float | None = None  # font size in points, where the format says


@dataclass
class Table:
    """Rows of cells; each cell is a list of paragraphs, each a list of spans. `header` is
    True when the file marks the first row as column names, None when it does not say (the
    writer then judges by shape: short titles over longer text)."""

    rows: list[list[list[list[Span]]]] = field(default_factory=list)
    header: bool | None = None
    first_row_styled: bool = False  # the table style sets the first row apart (Word's default)


def plain(spans: list[Span]) -> str:
    """The visible text of spans, line breaks as spaces, whitespace collapsed."""
    return _SPACES.sub(" ", "".join(s.text for s in spans)).strip()


HEADING_WORDS = 20  # a paragraph set larger than the body is a heading when this short
LARGER = 0.5  # points above the body size that count as larger


class MarkdownWriter:
    """Collects headings, paragraphs, bullets, tables, rules and page markers as text."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._last_table_columns: int | None = None  # set while the last block is a table
        self._page: int | None = None
        self._headings = 0  # headings the file marked as such
        self._sizes: Counter = Counter()  # characters of body text by font size
        self._sized: list[tuple[int, float, str]] = []  # (line, size, text) of short paragraphs

    def text(self) -> str:
        """The document as the structure parser's input."""
        if not self._headings:
            self._headings_from_sizes()
        return "\n".join(self.lines).strip("\n") + "\n"

    def _headings_from_sizes(self) -> None:
        """Short paragraphs set larger than the body text become headings, ranked by size."""
        if not self._sizes or not self._sized:
            return
        body = self._sizes.most_common(1)[0][0]
        larger = sorted({size for _, size, _ in self._sized if size > body + LARGER},
                        reverse=True)
        for line, size, text in self._sized:
            if size in larger:
                self.lines[line] = f"{'#' * min(larger.index(size) + 1, 6)} {text}"

    def page(self, number: int) -> None:
        """A PDF page starts (written once per page, before its first block)."""
        if number != self._page:
            self._page = number
            self.lines += ["", f"[page {number}]", ""]

    def heading(self, level: int, spans: list[Span] | str) -> None:
        """A heading of level 1-6."""
        text = spans if isinstance(spans, str) else plain(spans)
        if text:
            self._headings += 1
            self._block([f"{'#' * max(1, min(level, 6))} {text}"])

    def paragraph(self, spans: list[Span]) -> None:
        """A body paragraph: bold-only paragraphs become bold lines (one per line break)."""
        text = plain(spans)
        if not text:
            return
        size = _size(spans)
        if size is not None:
            self._sizes[size] += len(text)
            if _heading_like(spans, text):
                self._sized.append((len(self.lines) + 1, size, text))
        if _all_bold(spans):
            lines = [plain(line) for line in _split_breaks(spans)]
            self._block([f"**{line}**" for line in lines if line])
        else:
            self._block([_inline(spans, cell=False)])

    def bullet(self, spans: list[Span]) -> None:
        """One list item; consecutive items form one list."""
        text = _inline(spans, cell=False)
        if not text:
            return
        size = _size(spans)
        if size is not None:
            self._sizes[size] += len(text)
        if self.lines and not self.lines[-1].startswith("- "):
            self.lines.append("")
        self._last_table_columns = None
        self.lines.append(f"- {text}")

    def rule(self) -> None:
        """A horizontal rule."""
        self._block(["---"])

    def table(self, table: Table) -> None:
        """A table: with a header row, a Markdown table; without one, the continuation of the
        table just before (same columns) or else tab-separated rows, as in the text edition."""
        rows = [[_cell(c) for c in row] for row in table.rows]
        rows = [r for r in rows if any(r)]
        if not rows:
            return
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        header = table.header if table.header is not None else \
            _looks_like_header(rows, table.first_row_styled)
        if header:
            lines = [_pipe_row(rows[0]), "|" + "---|" * width] + [_pipe_row(r) for r in rows[1:]]
        elif self._last_table_columns == width:
            lines = [_pipe_row([""] * width), "|" + "---|" * width] + [_pipe_row(r) for r in rows]
        else:
            lines = ["\t".join(r) for r in rows]
        self._block(lines)
        self._last_table_columns = width

    def _block(self, lines: list[str]) -> None:
        self.lines += ["", *lines, ""]
        self._last_table_columns = None


def _looks_like_header(rows: list[list[str]], styled: bool) -> bool:
    """An unmarked first row is a header when its cells are all short titles (<= 4 words, or
    <= 8 when the table style sets the first row apart) and some cell below is clearly longer."""
    if len(rows) < 2 or not all(rows[0]):
        return False
    longest = max(len(c.split()) for c in rows[0])
    body = max(len(c.split()) for row in rows[1:] for c in row)
    return longest <= (8 if styled else 4) and body > max(6, longest + 3)


def _size(spans: list[Span]) -> float | None:
    """The font size most of a paragraph's characters are set in (None when unknown)."""
    sizes: Counter = Counter()
    for span in spans:
        if span.size is not None and span.text.strip():
            sizes[span.size] += len(span.text.strip())
    return sizes.most_common(1)[0][0] if sizes else None


def _heading_like(spans: list[Span], text: str) -> bool:
    """One short line that does not end a sentence: what a heading set in a larger font is."""
    return (len(text.split()) <= HEADING_WORDS and not any(s.text == BREAK for s in spans)
            and not text.endswith((".", ";", ",", "!", "?")))


def _all_bold(spans: list[Span]) -> bool:
    return all(s.bold for s in spans if s.text.strip() and s.text != BREAK)


def _split_breaks(spans: list[Span]) -> list[list[Span]]:
    lines: list[list[Span]] = [[]]
    for span in spans:
        if span.text == BREAK:
            lines.append([])
        else:
            lines[-1].append(span)
    return lines


def _inline(spans: list[Span], cell: bool) -> str:
    """Spans as one line: **bold**, *italic* (in cells <i>italic</i>), [links](href)."""
    out = []
    for span in _merge(spans):
        text = _SPACES.sub(" ", span.text)
        core = text.strip()
        if not core:
            out.append(text)
            continue
        if span.link is not None and not cell:
            core = f"[{core}]({'#' if span.link.startswith('#') else span.link})"
        elif span.italic and cell:
            core = f"<i>{core}</i>"
        elif span.italic:
            core = f"*{core}*"
        elif span.bold and not cell:
            core = f"**{core}**"
        out.append((" " if text[0] == " " else "") + core + (" " if text[-1] == " " else ""))
    return _SPACES.sub(" ", "".join(out)).strip()


def _merge(spans: list[Span]) -> list[Span]:
    """Adjacent spans with the same look as one; line breaks as spaces."""
    merged: list[Span] = []
    for span in spans:
        text = " " if span.text == BREAK else span.text
        look = (span.bold, span.italic, span.link)
        if merged and (merged[-1].bold, merged[-1].italic, merged[-1].link) == look:
            merged[-1] = Span(merged[-1].text + text, *look)
        elif merged and not text.strip():
            merged[-1] = Span(merged[-1].text + text, merged[-1].bold, merged[-1].italic,
                              merged[-1].link)
        else:
            merged.append(Span(text, *look))
    return merged


def _cell(paragraphs: list[list[Span]]) -> str:
    """A cell's paragraphs: one as plain text, several as <p>…</p> items."""
    texts = [_inline(p, cell=True).replace("|", "/") for p in paragraphs]
    texts = [t for t in texts if t]
    if len(texts) > 1:
        return " ".join(f"<p>{t}</p>" for t in texts)
    return texts[0] if texts else ""


def _pipe_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"

"""HTML pages (BeautifulSoup): h1-h6, paragraphs, lists, tables and rules, in document order.

Whitespace is collapsed as a browser would (source line breaks are spaces; `<br>` is a break),
so a heading wrapped over two source lines stays one heading. `<strong>`/`<b>` make bold spans
(a paragraph that is all bold becomes bold lines, one per `<br>`), `<em>`/`<i>` italic ones.
A table's header is its `<thead>` or a first row of `<th>` cells; a cell's `<p>` and `<li>`
blocks are its paragraphs. An inline `font-size` (pt, px, em, rem or %) goes with the text, so a
page whose headings are larger `<p>` paragraphs rather than `<h1>`-`<h6>` keeps them
(markdown.MarkdownWriter).
"""
from __future__ import annotations

import re
from pathlib import Path

from ingest.formats.markdown import BREAK, MarkdownWriter, Span, Table

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_DROPPED = {"script", "style", "head", "nav", "footer", "template", "noscript", "colgroup"}
_CONTAINERS = {"body", "html", "div", "section", "article", "main", "header", "blockquote",
               "figure", "aside", "center", "form", "details"}
_BLOCKS = set(_HEADINGS) | _CONTAINERS | {"p", "ul", "ol", "li", "table", "hr", "pre", "dl",
                                          "dt", "dd"}
_BOLD = {"strong", "b"}
_ITALIC = {"em", "i"}
_FONT_SIZE = re.compile(r"font-size\s*:\s*([\d.]+)\s*(pt|px|em|rem|%)", re.IGNORECASE)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.IGNORECASE)
BASE_SIZE = 12.0  # points: a browser's default text size (16px)
_POINTS = {"pt": 1.0, "px": 0.75, "em": BASE_SIZE, "rem": BASE_SIZE, "%": BASE_SIZE / 100}


def html_to_text(path: Path) -> str:
    """Headings, paragraphs, list items and tables of an HTML page, as Markdown-like text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "html.parser")
    for junk in soup(list(_DROPPED)):
        junk.decompose()
    writer = MarkdownWriter()
    _write_children(soup.body or soup, writer)
    return writer.text()


def _write_children(parent, writer: MarkdownWriter) -> None:
    """Block elements in order; loose inline content between them is a paragraph."""
    loose: list = []
    for child in parent.children:
        name = getattr(child, "name", None)
        if name in _BLOCKS:
            writer.paragraph(_spans_of(loose))
            loose = []
            _write_block(child, writer)
        else:
            loose.append(child)
    writer.paragraph(_spans_of(loose))


def _write_block(element, writer: MarkdownWriter) -> None:
    name = element.name
    if name in _HEADINGS:
        writer.heading(_HEADINGS[name], _spans(element))
    elif name in ("p", "pre", "dt", "dd"):
        writer.paragraph(_spans(element))
    elif name in ("ul", "ol"):
        for item in element.find_all("li", recursive=False):
            _write_item(item, writer)
    elif name == "li":
        _write_item(element, writer)
    elif name == "table":
        writer.table(_table(element))
    elif name == "hr":
        writer.rule()
    else:
        _write_children(element, writer)


def _write_item(item, writer: MarkdownWriter) -> None:
    """A list item: its own text as one bullet, nested lists as further bullets."""
    own = [c for c in item.children if getattr(c, "name", None) not in ("ul", "ol")]
    writer.bullet(_spans_of(own))
    for nested in item.find_all(["ul", "ol"], recursive=False):
        _write_block(nested, writer)


def _spans(element) -> list[Span]:
    return _spans_of(list(element.children), _font_size(element, BASE_SIZE))


def _spans_of(nodes: list, size: float = BASE_SIZE) -> list[Span]:
    spans: list[Span] = []
    for node in nodes:
        _collect(node, spans, False, False, None, size)
    return spans


def _font_size(element, inherited: float) -> float:
    """The element's inline font-size in points, else what it inherits."""
    match = _FONT_SIZE.search(element.get("style") or "") if hasattr(element, "get") else None
    if not match:
        return inherited
    value, unit = float(match.group(1)), match.group(2).lower()
    return round(value * _POINTS[unit] * (inherited / BASE_SIZE if unit in ("em", "%") else 1), 1)


def _collect(node, spans: list[Span], bold: bool, italic: bool, link: str | None,
             size: float = BASE_SIZE) -> None:
    name = getattr(node, "name", None)
    if name is None:
        text = str(node)
        if text and type(node).__name__ in ("NavigableString", "CData"):
            spans.append(Span(text, bold, italic, link, size))
        return
    if name == "br":
        spans.append(Span(BREAK))
        return
    if name == "a":
        link = node.get("href") or "#"
    bold = bold or name in _BOLD or bool(_BOLD_STYLE.search(node.get("style") or ""))
    italic = italic or name in _ITALIC
    size = _font_size(node, size)
    for child in node.children:
        _collect(child, spans, bold, italic, link, size)


def _table(element) -> Table:
    rows = [r for r in element.find_all("tr") if r.find_parent("table") is element]
    head = element.find("thead")
    header = bool(rows) and ((head is not None and head.find_parent("table") is element
                              and rows[0].find_parent("thead") is head)
                             or all(c.name == "th" for c in rows[0].find_all(["td", "th"],
                                                                             recursive=False)))
    return Table(rows=[[_cell(c) for c in r.find_all(["td", "th"], recursive=False)]
                       for r in rows], header=True if header else None)


def _cell(cell) -> list[list[Span]]:
    """A cell's paragraphs: its <p> and <li> blocks, or its whole text as one."""
    blocks = [b for b in cell.find_all(["p", "li"]) if b.find_parent(["p", "li"]) is None
              or b.find_parent(["td", "th"]) is not cell]
    blocks = [b for b in blocks if b.find_parent(["td", "th"]) is cell]
    if not blocks:
        return [_spans(cell)]
    return [_spans(b) for b in blocks]

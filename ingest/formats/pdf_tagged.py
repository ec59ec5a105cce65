"""Tagged PDFs: the structure tree (H1-H6, P, L/LI, Table/TR/TH/TD) gives the blocks.

Each structure element owns marked-content ids on its page; Chromium lists some ids under two
neighbouring elements, so an id belongs to the last element that names it. Characters nobody
owns (running headers, a table header repeated on a new page) are artifacts and are skipped.
"""
from __future__ import annotations

import re

from ingest.formats.markdown import MarkdownWriter, Span, Table
from ingest.formats.pdf_lines import Line, join_lines, make_lines, vocabulary

_HEADING = re.compile(r"^H([1-6])$")
_PARAGRAPHS = {"P", "Caption", "BlockQuote", "Quote", "Note", "Code", "TOCI", "Span"}
_CONTAINERS = {"Document", "Part", "Sect", "Div", "Art", "Index", "TOC", "NonStruct",
               "Private", "THead", "TBody", "TFoot", "LBody", "Form", "Figure"}


def structure_tree(pdf) -> list[dict]:
    """The structure tree as {"type", "children", "content": [(page, mcid), ...]} elements
    (marked content with its real page: pdfplumber's own tree drops an MCR's /Pg), or []."""
    from pdfminer.pdftypes import resolve1

    root = resolve1(pdf.doc.catalog.get("StructTreeRoot"))
    if not isinstance(root, dict):
        return []
    role_map = {k: _name(v) for k, v in (resolve1(root.get("RoleMap")) or {}).items()}
    pages = {page.page_obj.pageid: page.page_number for page in pdf.pages}

    def page_of(obj, default):
        ref = obj.get("Pg")
        return pages.get(getattr(ref, "objid", None), default)

    def walk(obj, page, depth=0):
        obj = resolve1(obj)
        if depth > 200:
            return None
        if isinstance(obj, int):
            return ("mcid", page, obj)
        if not isinstance(obj, dict):
            return None
        if _name(obj.get("Type")) == "MCR":
            return ("mcid", page_of(obj, page), resolve1(obj.get("MCID")))
        if "S" not in obj:
            return None
        kind = _name(obj["S"])
        kind = role_map.get(kind, kind)
        page = page_of(obj, page)
        kids = resolve1(obj.get("K"))
        kids = kids if isinstance(kids, list) else ([] if kids is None else [kids])
        element = {"type": kind, "children": [], "content": []}
        for kid in kids:
            child = walk(kid, page, depth + 1)
            if isinstance(child, tuple):
                element["content"].append(child[1:])
            elif child is not None:
                element["children"].append(child)
        return element

    kids = resolve1(root.get("K"))
    kids = kids if isinstance(kids, list) else ([] if kids is None else [kids])
    return [e for e in (walk(k, None) for k in kids) if isinstance(e, dict)]


def _name(value) -> str:
    from pdfminer.pdftypes import resolve1

    value = resolve1(value)
    name = getattr(value, "name", value)
    return name.decode() if isinstance(name, bytes) else str(name or "")


class _Tree:
    """Marked-content characters by (page, mcid), handed out once each, in tree order."""

    def __init__(self, pdf):
        self.chars: dict[tuple[int, int], list[dict]] = {}
        for page in pdf.pages:
            for char in page.chars:
                if char.get("mcid") is not None:
                    self.chars.setdefault((page.page_number, char["mcid"]), []).append(char)

    def chars_of(self, element: dict, skip: set[str] = frozenset(),
                 first_page_only: bool = False) -> list[dict]:
        out: list[dict] = []
        first = None
        for node in _nodes(element, skip):
            for key in node["content"]:
                first = key[0] if first is None else first
                if first_page_only and key[0] != first:
                    continue
                out += self.chars.get(key, [])
        return out

    def lines_of(self, element: dict, skip: set[str] = frozenset(),
                 first_page_only: bool = False) -> list[Line]:
        return make_lines(self.chars_of(element, skip, first_page_only))


def _nodes(element: dict, skip: set[str] = frozenset()):
    if element.get("type") in skip:
        return
    yield element
    for child in element.get("children", []):
        yield from _nodes(child, skip)


def read_tagged(pdf, tree: list[dict]) -> str:
    """The document's blocks in structure order as Markdown-like text."""
    source = _Tree(pdf)
    blocks: list[tuple[str, dict, object]] = []
    for root in tree:
        _collect(root, source, blocks)
    all_lines = [line for _, _, value in blocks for line in _lines_in(value)]
    vocab = vocabulary(all_lines)
    body = [line.x1 for kind, _, value in blocks if kind == "p" for line in value]
    right = max(body) if body else None
    writer = MarkdownWriter()
    for kind, element, value in blocks:
        first = next(iter(_lines_in(value)), None)
        if first is None:
            continue
        writer.page(first.page)
        if kind == "h":
            writer.heading(int(_HEADING.match(element["type"]).group(1)),
                           " ".join(line.text for line in value))
        elif kind == "p":
            writer.paragraph(join_lines(value, vocab, right))
        elif kind == "li":
            writer.bullet(join_lines(value, vocab))
        elif kind == "table":
            writer.table(_table(value, vocab))
    return writer.text()


def _lines_in(value) -> list[Line]:
    if not isinstance(value, _Rows):
        return value
    return [line for row in value for cell in row for para in cell for line in para]


def _collect(element: dict, source: _Tree, blocks: list) -> None:
    kind = element.get("type", "")
    if _HEADING.match(kind):
        blocks.append(("h", element, source.lines_of(element)))
    elif kind in _PARAGRAPHS:
        blocks.append(("p", element, source.lines_of(element)))
    elif kind == "L":
        for item in _items(element):
            blocks.append(("li", item, source.lines_of(item, skip={"Lbl", "L"})))
            for nested in item.get("children", []):
                if nested.get("type") == "L":
                    _collect(nested, source, blocks)
    elif kind == "Table":
        blocks.append(("table", element, _rows(element, source)))
    elif kind in _CONTAINERS or kind == "Title":
        if element.get("content") and not element.get("children"):
            blocks.append(("p", element, source.lines_of(element)))
            return
        if kind == "Title":
            blocks.append(("h", {"type": "H1"}, source.lines_of(element)))
            return
        for child in element.get("children", []):
            _collect(child, source, blocks)
    elif element.get("content") or element.get("children"):
        blocks.append(("p", element, source.lines_of(element)))


def _items(lst: dict) -> list[dict]:
    out = []
    for child in lst.get("children", []):
        if child.get("type") == "LI":
            out.append(child)
        elif child.get("type") == "L":
            out += _items(child)
    return out


def _rows(table: dict, source: _Tree) -> list[list[list[list[Line]]]]:
    """Rows -> cells -> paragraphs (each a list of lines); the first row is kept as is."""
    rows = []
    for row in _descend(table, "TR"):
        cells = []
        for cell in row.get("children", []):
            if cell.get("type") not in ("TD", "TH"):
                continue
            cells.append(_cell_paragraphs(cell, source, header=cell.get("type") == "TH"))
        rows.append((row, cells))
    return _Rows(rows)


class _Rows(list):
    """Table rows (cells of paragraphs of lines), remembering which were header cells."""

    def __init__(self, rows):
        super().__init__(cells for _, cells in rows)
        self.header = bool(rows) and all(c.get("type") == "TH" for c in rows[0][0]["children"]
                                         if c.get("type") in ("TD", "TH"))


def _descend(element: dict, kind: str) -> list[dict]:
    out = []
    for child in element.get("children", []):
        if child.get("type") == kind:
            out.append(child)
        elif child.get("type") in ("THead", "TBody", "TFoot"):
            out += _descend(child, kind)
    return out


def _cell_paragraphs(cell: dict, source: _Tree, header: bool) -> list[list[Line]]:
    """A cell's paragraphs: its P and LI elements when it has them, else all its text. A
    header cell is read on its first page only: Chromium tags the header it repeats on each
    new page as more content of the same cell."""
    blocks = [c for c in _blocks_in(cell)]
    if not blocks:
        return [source.lines_of(cell, first_page_only=header)]
    return [source.lines_of(b, skip={"Lbl"}, first_page_only=header) for b in blocks]


def _blocks_in(element: dict) -> list[dict]:
    out = []
    for child in element.get("children", []):
        kind = child.get("type")
        if kind in _PARAGRAPHS or kind == "LI" or _HEADING.match(kind or ""):
            out.append(child)
        elif kind in ("L", "Div", "Sect", "NonStruct", "LBody") and child.get("children"):
            out += _blocks_in(child)
    return out


def _table(rows: _Rows, vocab) -> Table:
    def spans(paragraph: list[Line]) -> list[Span]:
        return join_lines(paragraph, vocab)

    return Table(rows=[[[spans(p) for p in cell] for cell in row] for row in rows],
                 header=True if rows.header else None)

"""Word (.docx) documents: WordprocessingML read with zipfile + ElementTree.

Headings come from paragraph styles (a style named "Heading N" or "Title", or an outline level
on the style or paragraph, following `basedOn`); list items are paragraphs with numbering;
bold comes from runs, character styles ("Strong") or the paragraph style, and a bold paragraph
with line breaks (`w:br`) becomes one bold line per break. Font sizes (`w:sz`, from the run, its
character style, the paragraph style or the document defaults) go with the text, so a file with
no heading styles gets its headings from larger Normal paragraphs (markdown.MarkdownWriter). Tables keep their header row
(`w:tblHeader`, or a "Table Heading" style) and each cell's paragraphs.
"""
from __future__ import annotations

import re
import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ingest.formats.markdown import BREAK, MarkdownWriter, Span, Table
from ingest.formats.messages import FormatError, not_a_zip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_V = "{urn:schemas-microsoft-com:vml}"
_O = "{urn:schemas-microsoft-com:office:office}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_RELS = "word/_rels/document.xml.rels"
_HEADING_NAME = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_DEFAULTS = "\0defaults"  # the document defaults (w:docDefaults) among the styles
_CONTAINERS = {"hyperlink", "ins", "smartTag", "fldSimple", "customXml", "sdtContent", "sdt"}


@dataclass
class _Style:
    name: str = ""
    based_on: str | None = None
    outline: int | None = None  # 0-based outline level
    numbered: bool = False
    bold: bool | None = None
    italic: bool | None = None
    size: float | None = None  # points


def docx_to_text(path: Path) -> str:
    """Body paragraphs and tables of a Word document, in order, as Markdown-like text."""
    if not zipfile.is_zipfile(path):
        raise FormatError(not_a_zip(path, "Word document"))
    with zipfile.ZipFile(path) as archive:
        body = ET.fromstring(archive.read("word/document.xml")).find(f"{W}body")
        styles = _read_styles(archive)
        links = _read_links(archive)
    reader = _Reader(styles, links, styles.pop(_DEFAULTS, _Style()).size)
    writer = MarkdownWriter()
    if body is not None:
        reader.write_children(body, writer)
    return writer.text()


def _read_styles(archive: zipfile.ZipFile) -> dict[str, _Style]:
    if "word/styles.xml" not in archive.namelist():
        return {}
    root = ET.fromstring(archive.read("word/styles.xml"))
    styles = {}
    for element in root.iter(f"{W}style"):
        style = _Style(name=_val(element.find(f"{W}name")) or "",
                       based_on=_val(element.find(f"{W}basedOn")))
        ppr = element.find(f"{W}pPr")
        if ppr is not None:
            level = _val(ppr.find(f"{W}outlineLvl"))
            style.outline = int(level) if level and level.isdigit() else None
            style.numbered = _numbered(ppr)
        rpr = element.find(f"{W}rPr")
        style.bold = _toggle(rpr, "b")
        style.italic = _toggle(rpr, "i")
        style.size = _size(rpr)
        styles[element.get(f"{W}styleId", "")] = style
    defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    styles[_DEFAULTS] = _Style(size=_size(defaults))
    return styles


def _read_links(archive: zipfile.ZipFile) -> dict[str, str]:
    """Hyperlink targets by relationship id (external links); internal ones point at "#"."""
    if _RELS not in archive.namelist():
        return {}
    root = ET.fromstring(archive.read(_RELS))
    return {rel.get("Id", ""): rel.get("Target", "#") for rel in root
            if rel.get("TargetMode") == "External"}


class _Reader:
    """Walks the body with the document's styles at hand."""

    def __init__(self, styles: dict[str, _Style], links: dict[str, str],
                 default_size: float | None = None):
        self.styles = styles
        self.links = links
        self.default_size = default_size

    def inherited(self, style_id: str | None, attribute: str):
        """A style attribute, following basedOn until one is set."""
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.styles.get(style_id)
            if style is None:
                return None
            value = getattr(style, attribute)
            if value not in (None, False):
                return value
            style_id = style.based_on
        return None

    def write_children(self, parent: ET.Element, writer: MarkdownWriter) -> None:
        for element in parent:
            tag = _local(element)
            if tag == "p":
                self.write_paragraph(element, writer)
            elif tag == "tbl":
                writer.table(self.table(element))
            elif tag in ("sdt", "sdtContent", "customXml"):
                self.write_children(element, writer)

    def write_paragraph(self, p: ET.Element, writer: MarkdownWriter) -> None:
        ppr = p.find(f"{W}pPr")
        style_id = _val(ppr.find(f"{W}pStyle")) if ppr is not None else None
        style_name = (self.inherited(style_id, "name") or "").lower() if style_id else ""
        spans = self.spans(p, style_id)
        if _is_rule(p, style_name) and not "".join(s.text for s in spans).strip():
            writer.rule()
            return
        level = self.heading_level(ppr, style_id)
        if level:
            writer.heading(level, spans)
        elif (ppr is not None and _numbered(ppr)) or self.inherited(style_id, "numbered") \
                or "list" in style_name:
            writer.bullet(spans)
        else:
            writer.paragraph(spans)

    def heading_level(self, ppr: ET.Element | None, style_id: str | None) -> int:
        if ppr is not None:
            own = _val(ppr.find(f"{W}outlineLvl"))
            if own and own.isdigit() and int(own) < 9:
                return int(own) + 1
        if not style_id:
            return 0
        name = self.inherited(style_id, "name") or ""
        match = _HEADING_NAME.match(self.styles.get(style_id, _Style()).name or style_id) \
            or _HEADING_NAME.match(style_id)
        if match:
            return int(match.group(1))
        if name.lower() == "title":
            return 1
        outline = self.inherited(style_id, "outline")
        return outline + 1 if outline is not None and outline < 9 else 0

    def spans(self, p: ET.Element, style_id: str | None) -> list[Span]:
        """The runs of a paragraph (inside links, insertions and fields too) as spans."""
        para_bold = bool(self.inherited(style_id, "bold"))
        para_italic = bool(self.inherited(style_id, "italic"))
        para_size = self.inherited(style_id or self._normal(), "size") or self.default_size
        spans: list[Span] = []

        def visit(element: ET.Element, link: str | None) -> None:
            for child in element:
                tag = _local(child)
                if tag == "r":
                    spans.extend(self.run(child, para_bold, para_italic, link, para_size))
                elif tag == "hyperlink":
                    visit(child, self.links.get(child.get(f"{_R}id") or "", "#"))
                elif tag in _CONTAINERS:
                    visit(child, link)

        visit(p, None)
        return spans

    def _normal(self) -> str | None:
        """The paragraph style a paragraph without one has (Word's "Normal")."""
        return next((i for i, s in self.styles.items() if s.name.lower() == "normal"), None)

    def run(self, r: ET.Element, para_bold: bool, para_italic: bool,
            link: str | None, para_size: float | None = None) -> list[Span]:
        rpr = r.find(f"{W}rPr")
        char_style = _val(rpr.find(f"{W}rStyle")) if rpr is not None else None
        bold = _first(_toggle(rpr, "b"), self.inherited(char_style, "bold"), para_bold)
        italic = _first(_toggle(rpr, "i"), self.inherited(char_style, "italic"), para_italic)
        size = _size(rpr) or self.inherited(char_style, "size") or para_size
        out: list[Span] = []
        for child in r:
            tag = _local(child)
            if tag == "t" and child.text:
                out.append(Span(child.text, bold, italic, link, size))
            elif tag == "tab":
                out.append(Span(" ", bold, italic, link))
            elif tag in ("br", "cr") and child.get(f"{W}type") not in ("page", "column"):
                out.append(Span(BREAK))
            elif tag == "noBreakHyphen":
                out.append(Span("-", bold, italic, link))
        return out

    def table(self, tbl: ET.Element) -> Table:
        """A table's rows and cells; nested tables are read as paragraphs of their cell."""
        rows = []
        header = False
        for k, tr in enumerate(tbl.findall(f"{W}tr")):
            trpr = tr.find(f"{W}trPr")
            if k == 0:
                header = (trpr is not None and trpr.find(f"{W}tblHeader") is not None
                          and _toggle_element(trpr.find(f"{W}tblHeader"))) \
                    or self._heading_cells(tr)
            cells = []
            for tc in tr.findall(f"{W}tc"):
                paragraphs = []
                for p in tc.iter(f"{W}p"):
                    ppr = p.find(f"{W}pPr")
                    paragraphs.append(self.spans(p, _val(ppr.find(f"{W}pStyle"))
                                                 if ppr is not None else None))
                cells.append(paragraphs)
            rows.append(cells)
        look = tbl.find(f"{W}tblPr/{W}tblLook")
        styled = look is not None and (look.get(f"{W}firstRow") in ("1", "true") or (
            look.get(f"{W}firstRow") is None and int(look.get(f"{W}val") or "0", 16) & 0x20))
        return Table(rows=rows, header=True if header else None, first_row_styled=bool(styled))

    def _heading_cells(self, tr: ET.Element) -> bool:
        """A first row whose paragraphs all have a "Table Heading" style."""
        names = []
        for p in tr.iter(f"{W}p"):
            ppr = p.find(f"{W}pPr")
            style_id = _val(ppr.find(f"{W}pStyle")) if ppr is not None else None
            names.append((self.inherited(style_id, "name") or "").lower().replace(" ", ""))
        return bool(names) and all(n in ("tableheading", "tableheader") for n in names)


def _local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _val(element: ET.Element | None) -> str | None:
    return element.get(f"{W}val") if element is not None else None


def _toggle_element(element: ET.Element | None) -> bool | None:
    if element is None:
        return None
    return (element.get(f"{W}val") or "true").lower() not in ("0", "false", "off", "none")


def _toggle(rpr: ET.Element | None, name: str) -> bool | None:
    return _toggle_element(rpr.find(f"{W}{name}")) if rpr is not None else None


def _size(rpr: ET.Element | None) -> float | None:
    """A run property's font size in points (w:sz is in half-points)."""
    value = _val(rpr.find(f"{W}sz")) if rpr is not None else None
    try:
        return int(value) / 2 if value else None
    except ValueError:
        return None


def _first(*values):
    return next((bool(v) for v in values if v is not None), False)


def _numbered(ppr: ET.Element) -> bool:
    num = ppr.find(f"{W}numPr")
    if num is None:
        return False
    num_id = _val(num.find(f"{W}numId"))
    return num_id not in (None, "0")


def _is_rule(p: ET.Element, style_name: str) -> bool:
    """An empty paragraph that draws a horizontal line (VML o:hr, DrawingML, or a style)."""
    if "horizontal" in style_name and "line" in style_name:
        return True
    if any(el.get(f"{_O}hr") == "t" for el in p.iter(f"{_V}rect")):
        return True
    return any(_local(el) in ("pict", "drawing") for el in p.iter())

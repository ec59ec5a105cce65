"""OpenDocument text (.odt): content.xml read with zipfile + ElementTree.

Headings are `text:h` with their outline level (or a paragraph style with a default outline
level); bold and italic come from the automatic and named styles (following parent styles);
`text:line-break` splits a bold paragraph into bold lines; font sizes (`fo:font-size`) go with the
text, so a file with no heading styles gets its headings from larger paragraphs. Lists are `text:list` items, and
tables keep their header rows (`table:table-header-rows`) and each cell's paragraphs and list
items.
"""
from __future__ import annotations

import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ingest.formats.markdown import BREAK, MarkdownWriter, Span, Table
from ingest.formats.messages import FormatError, not_a_zip

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"


@dataclass
class _Style:
    parent: str | None = None
    bold: bool | None = None
    italic: bool | None = None
    outline: int | None = None
    display: str = ""
    size: float | None = None  # points


def odt_to_text(path: Path) -> str:
    """The body of an OpenDocument text, in order, as Markdown-like text."""
    if not zipfile.is_zipfile(path):
        raise FormatError(not_a_zip(path, "OpenDocument text"))
    with zipfile.ZipFile(path) as archive:
        content = ET.fromstring(archive.read("content.xml"))
        styles = _read_styles(content)
        if "styles.xml" in archive.namelist():
            styles = {**_read_styles(ET.fromstring(archive.read("styles.xml"))), **styles}
    body = content.find(f"{OFFICE}body/{OFFICE}text")
    writer = MarkdownWriter()
    if body is not None:
        _Reader(styles).write_children(body, writer)
    return writer.text()


def _read_styles(root: ET.Element) -> dict[str, _Style]:
    styles = {}
    for element in root.iter(f"{STYLE}style"):
        props = element.find(f"{STYLE}text-properties")
        weight = props.get(f"{FO}font-weight") if props is not None else None
        posture = props.get(f"{FO}font-style") if props is not None else None
        outline = element.get(f"{STYLE}default-outline-level")
        size = props.get(f"{FO}font-size") if props is not None else None
        styles[element.get(f"{STYLE}name", "")] = _Style(
            parent=element.get(f"{STYLE}parent-style-name"),
            bold=None if weight is None else (weight == "bold" or (weight.isdigit()
                                                                  and int(weight) >= 600)),
            italic=None if posture is None else posture in ("italic", "oblique"),
            outline=int(outline) if outline and outline.isdigit() else None,
            display=(element.get(f"{STYLE}display-name") or element.get(f"{STYLE}name", "")),
            size=_points(size))
    for element in root.iter(f"{STYLE}default-style"):
        props = element.find(f"{STYLE}text-properties")
        if element.get(f"{STYLE}family") == "paragraph" and props is not None:
            styles[_DEFAULT] = _Style(size=_points(props.get(f"{FO}font-size")))
    return styles


_DEFAULT = "\0default"  # the paragraph family's default style


def _points(value: str | None) -> float | None:
    """"16pt" -> 16.0; other units (and percentages) are not read."""
    if value and value.endswith("pt"):
        try:
            return float(value[:-2])
        except ValueError:
            return None
    return None


class _Reader:
    """Walks office:text with the document's styles at hand."""

    def __init__(self, styles: dict[str, _Style]):
        self.styles = styles

    def inherited(self, name: str | None, attribute: str):
        seen = set()
        while name and name not in seen:
            seen.add(name)
            style = self.styles.get(name)
            if style is None:
                return None
            value = getattr(style, attribute)
            if value is not None:
                return value
            name = style.parent
        return None

    def write_children(self, parent: ET.Element, writer: MarkdownWriter) -> None:
        for element in parent:
            tag = element.tag
            if tag == f"{TEXT}h":
                level = element.get(f"{TEXT}outline-level")
                writer.heading(int(level) if level and level.isdigit() else 1,
                               self.spans(element))
            elif tag == f"{TEXT}p":
                style = element.get(f"{TEXT}style-name")
                outline = self.inherited(style, "outline")
                if outline:
                    writer.heading(outline, self.spans(element))
                else:
                    writer.paragraph(self.spans(element))
            elif tag == f"{TEXT}list":
                for paragraph in self.list_items(element):
                    writer.bullet(paragraph)
            elif tag == f"{TABLE}table":
                writer.table(self.table(element))
            elif tag in (f"{TEXT}section", f"{TEXT}soft-page-break", f"{TABLE}table-header-rows"):
                self.write_children(element, writer)

    def list_items(self, lst: ET.Element) -> list[list[Span]]:
        """Each item's paragraphs (nested lists flattened) as one bullet each."""
        items = []
        for item in lst:
            if item.tag not in (f"{TEXT}list-item", f"{TEXT}list-header"):
                continue
            for child in item:
                if child.tag in (f"{TEXT}p", f"{TEXT}h"):
                    items.append(self.spans(child))
                elif child.tag == f"{TEXT}list":
                    items += self.list_items(child)
        return items

    def spans(self, element: ET.Element) -> list[Span]:
        """Text of a paragraph with bold/italic from its styles, links and line breaks."""
        spans: list[Span] = []
        base = element.get(f"{TEXT}style-name")

        base_size = self.inherited(base, "size") or self.inherited(_DEFAULT, "size")

        def add(text: str | None, style: str | None, link: str | None) -> None:
            if text:
                spans.append(Span(text, bool(self.inherited(style, "bold")),
                                  bool(self.inherited(style, "italic")), link,
                                  self.inherited(style, "size") or base_size))

        def visit(node: ET.Element, style: str | None, link: str | None) -> None:
            add(node.text, style, link)
            for child in node:
                tag = child.tag
                if tag == f"{TEXT}span":
                    visit(child, child.get(f"{TEXT}style-name") or style, link)
                elif tag == f"{TEXT}a":
                    visit(child, child.get(f"{TEXT}style-name") or style,
                          child.get(f"{XLINK}href") or "#")
                elif tag == f"{TEXT}line-break":
                    spans.append(Span(BREAK))
                elif tag == f"{TEXT}s":
                    add(" " * int(child.get(f"{TEXT}c", "1")), style, link)
                elif tag == f"{TEXT}tab":
                    add(" ", style, link)
                elif tag not in (f"{TEXT}note", f"{OFFICE}annotation"):
                    visit(child, style, link)
                add(child.tail, style, link)

        visit(element, base, None)
        return spans

    def table(self, element: ET.Element) -> Table:
        rows: list[list[list[list[Span]]]] = []
        header = element.find(f"{TABLE}table-header-rows") is not None
        for row in element.iter(f"{TABLE}table-row"):
            cells = []
            for cell in row:
                if cell.tag == f"{TABLE}covered-table-cell":
                    continue
                if cell.tag != f"{TABLE}table-cell":
                    continue
                paragraphs: list[list[Span]] = []
                for child in cell:
                    if child.tag in (f"{TEXT}p", f"{TEXT}h"):
                        paragraphs.append(self.spans(child))
                    elif child.tag == f"{TEXT}list":
                        paragraphs += self.list_items(child)
                cells.append(paragraphs)
            rows.append(cells)
        return Table(rows=rows, header=True if header else None)

"""Word, PDF and HTML documents as the Markdown-like text the structure parser reads.

- .docx (python-docx): "Heading N" / "Title" styles become '#' headings, list styles become
  bullets, bold-only paragraphs stay bold, tables become Markdown tables whose cells keep
  their paragraphs as <p> items (the first row names the columns).
- .pdf (pypdf): text page by page with a `[page N]` marker before each page; lines set in a
  larger font than the body become headings (by size rank), so page numbers and headings
  reach the citations.
- .html (BeautifulSoup): h1-h6, p, li, strong-only paragraphs and tables, in document order.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

def docx_to_text(path: Path) -> str:
    """Body paragraphs and tables of a Word document, in order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(_docx_paragraph(Paragraph(element, document)))
        elif tag == "tbl":
            lines += _markdown_table([[[p.text.strip() for p in cell.paragraphs if p.text.strip()]
                                       for cell in row.cells] for row in Table(element, document).rows])
            lines.append("")
    return "\n".join(lines)


def _docx_paragraph(paragraph) -> str:
    text = paragraph.text.strip()
    if not text:
        return ""
    style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    level = re.match(r"heading (\d)", style)
    if level:
        return f"\n{'#' * int(level.group(1))} {text}\n"
    if style == "title":
        return f"\n# {text}\n"
    if "list" in style:
        return f"- {text}"
    runs = [r for r in paragraph.runs if r.text.strip()]
    if runs and all(r.bold for r in runs):
        return f"\n**{text}**\n"
    return f"\n{text}\n"


def _markdown_table(rows: list[list[list[str]]]) -> list[str]:
    """Rows of cells (each a list of paragraphs) as Markdown table lines."""
    def cell(paragraphs: list[str]) -> str:
        if len(paragraphs) > 1:
            return " ".join(f"<p>{p}</p>" for p in paragraphs)
        return paragraphs[0] if paragraphs else ""

    lines = []
    for i, row in enumerate(rows):
        lines.append("| " + " | ".join(cell(c).replace("|", "/") for c in row) + " |")
        if i == 0:
            lines.append("|" + "---|" * len(row))
    return lines


def pdf_to_text(path: Path) -> str:
    """Text per page, with page markers, and headings recovered from font sizes."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages: list[list[tuple[str, float]]] = []
    for page in reader.pages:
        pieces: list[tuple[str, float]] = []

        def visit(text, cm, tm, font_dict, font_size, pieces=pieces):
            size = abs(tm[0]) * font_size if tm and tm[0] else font_size
            pieces.append((text, round(size, 1)))

        page.extract_text(visitor_text=visit)
        pages.append(_pdf_lines(pieces))
    sizes = Counter(size for lines in pages for text, size in lines for _ in text.split())
    body = sizes.most_common(1)[0][0] if sizes else 0
    larger = sorted({s for s in sizes if s > body + 0.5}, reverse=True)
    out = []
    for number, lines in enumerate(pages, start=1):
        out += [f"[page {number}]", ""]
        for text, size in lines:
            if size in larger and len(text) < 120:
                out += ["", f"{'#' * min(larger.index(size) + 1, 6)} {text}", ""]
            else:
                out.append(text)
        out.append("")
    return "\n".join(out)


def _pdf_lines(pieces: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Join the pieces pypdf reports into lines, each with the size of its first piece."""
    lines: list[tuple[str, float]] = []
    current, size = "", None
    for text, piece_size in pieces:
        for k, part in enumerate(text.split("\n")):
            if k > 0:
                if current.strip():
                    lines.append((current.strip(), size))
                current, size = "", None
            if part and size is None:
                size = piece_size
            current += part
    if current.strip():
        lines.append((current.strip(), size))
    return lines


def html_to_text(path: Path) -> str:
    """Headings, paragraphs, list items and tables of an HTML page, in order."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(errors="replace"), "html.parser")
    for junk in soup(["script", "style", "nav", "footer", "head"]):
        junk.decompose()
    lines: list[str] = []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table"]):
        if element.find_parent("table") is not None:
            continue
        if element.name == "table":
            rows = [[[p.get_text(" ", strip=True) for p in cell.find_all(["p", "li"])]
                     or [cell.get_text(" ", strip=True)]
                     for cell in row.find_all(["th", "td"])] for row in element.find_all("tr")]
            lines += [""] + _markdown_table(rows) + [""]
            continue
        if element.name == "p" and element.find_parent("li") is not None:
            continue
        text = element.get_text(" ", strip=True)
        if not text:
            continue
        if element.name[0] == "h":
            lines += ["", f"{'#' * int(element.name[1])} {text}", ""]
        elif element.name == "li":
            lines.append(f"- {text}")
        else:
            strong = element.find(["strong", "b"])
            bold = strong is not None and strong.get_text(" ", strip=True) == text
            lines += ["", f"**{text}**" if bold else text, ""]
    return "\n".join(lines)

"""Second pass: recover the heading hierarchy from raw blocks and attach content to sections.

Headings come as Markdown `#`, as bold-only lines, or as short plain lines. The rules:
- a "Stage N" heading takes the level of the previous stage of its pathway, and absorbs the
  heading that follows it directly ("Stage 5" + "Phase Leader ..." -> "Stage 5: Phase Leader ...");
- a heading ending in ":" ("Delivery:") belongs under the nearest heading that does not;
- bold-only and short plain lines are headings one level below the last explicit heading,
  unless another heading follows at once (then they are content, e.g. a "Subject Networks /
  Learning Hubs" banner);
- "Part N: ..." lines are top-level headings; a "Contents" section and a date line are dropped;
- a PDF page marker between two blocks never changes how they join (a lead-in and its list,
  "Stage 5" and its title, a list and its continuation); it only sets section pages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.blocks import RawBlock, bold_lines, bullet_text
from ingest.tables import parse_markdown_table, parse_tab_table
from ingest.text import clean_inline, split_html_paragraphs
from knowledge.records import Block, Section

_STAGE = re.compile(r"^Stage\s+\d+\b", re.IGNORECASE)
_PART = re.compile(r"^Part\s+\d+\s*:", re.IGNORECASE)
_DATE_LINE = re.compile(
    r"^(January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{4}$")
_DROPPED_SECTIONS = {"contents", "table of contents"}


@dataclass
class _Page:
    number: int


@dataclass
class _Heading:
    text: str
    level: int
    explicit: bool
    colon: bool = False


def build_sections(raw_blocks: list[RawBlock], doc_title: str) -> list[Section]:
    """Turn raw blocks into sections with full heading paths (below the document title)."""
    tokens = _tokenize(raw_blocks, doc_title)
    tokens = _merge_stage_titles(tokens)
    return _assemble(tokens)


def _tokenize(raw_blocks: list[RawBlock], doc_title: str) -> list[_Heading | Block]:
    tokens: list[_Heading | Block] = []
    header: list[str] | None = None
    for i, raw in enumerate(raw_blocks):
        nxt = next((b for b in raw_blocks[i + 1:] if b.kind != "page"), None)
        if raw.kind == "page":
            tokens.append(_Page(raw.level))
        elif raw.kind == "heading":
            text = clean_inline(raw.lines[0])
            if not (raw.level == 1 and _same(text, doc_title)):
                tokens.append(_Heading(text, raw.level, explicit=True))
        elif raw.kind == "bold":
            tokens.extend(_bold_tokens(bold_lines(raw), nxt))
        elif raw.kind == "text":
            tokens.extend(_text_tokens(raw, nxt, doc_title))
        elif raw.kind == "list":
            tokens.append(_list_block(raw))
        elif raw.kind == "tabs":
            tokens.extend(parse_tab_table(raw.lines))
        elif raw.kind == "table":
            records, header = parse_markdown_table(raw.lines, header)
            tokens.extend(records)
    return _attach_lead_ins(tokens)


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def _is_heading_next(nxt: RawBlock | None) -> bool:
    if nxt is None:
        return True
    if nxt.kind == "heading":
        return True
    if nxt.kind == "bold":
        lines = bold_lines(nxt)
        return len(lines) == 1 or bool(_STAGE.match(lines[0]))
    return False


def _bold_tokens(lines: list[str], nxt: RawBlock | None) -> list[_Heading | Block]:
    text = [clean_inline(line) for line in lines]
    if _STAGE.match(text[0]):
        return [_Heading(": ".join(text[:2]) if len(text) > 1 else text[0], 0, explicit=False)]
    if len(text) == 1:
        if _is_heading_next(nxt):
            return [Block("paragraph", text=text[0])]
        return [_Heading(text[0], 0, explicit=False)]
    return [Block("list", items=text)]


def _text_tokens(raw: RawBlock, nxt: RawBlock | None, doc_title: str) -> list[_Heading | Block]:
    joined = " ".join(line.strip() for line in raw.lines)
    paragraphs = _html_paragraphs(joined)
    if paragraphs:
        return [Block("paragraph", text=p) for p in paragraphs]
    text = clean_inline(joined)
    if not text or _DATE_LINE.match(text) or _same(text, doc_title) or set(text) <= set("-*_ "):
        return []
    if len(raw.lines) == 1 and _PART.match(text):
        return [_Heading(text, 2, explicit=True)]
    if len(raw.lines) == 1 and _looks_like_heading(text) and not _is_heading_next(nxt):
        return [_Heading(text, 0, explicit=False)]
    return [Block("paragraph", text=text)]


def _html_paragraphs(text: str) -> list[str] | None:
    """A text that is only `<p>` elements (raw HTML a converter wrote out as text, as pandoc
    does with a table's HTML cells once their tabs are lost): one paragraph per element."""
    if "<p>" not in text or re.sub(r"<p>.*?</p>", "", text, flags=re.S).strip():
        return None
    return split_html_paragraphs(text)


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    return (len(words) <= 12 and text[0].isupper() and not text.endswith((".", ":", ";", ",", "!", "?"))
            and "\t" not in text)


def _list_block(raw: RawBlock) -> Block:
    items: list[str] = []
    for line in raw.lines:
        text = clean_inline(bullet_text(line))
        if not text:
            continue
        items.append(text)
    return Block("list", items=items)


def _attach_lead_ins(tokens: list[_Heading | Block]) -> list[_Heading | Block]:
    """Fold a paragraph ending in ':' into the list that follows it, as the list's lead-in; a
    lead-in followed by "Label: text" paragraphs makes those paragraphs the list."""
    out: list[_Heading | Block] = []
    for token in _definition_lists(tokens):
        at = _last_content(out)
        prev = out[at] if at is not None else None
        if (isinstance(token, Block) and token.kind == "list" and isinstance(prev, Block)
                and prev.kind == "paragraph" and prev.text.endswith(":")):
            token.text = prev.text
            out[at] = token
        elif (isinstance(token, Block) and token.kind == "list" and isinstance(prev, Block)
              and prev.kind == "list" and not token.text):
            prev.items.extend(token.items)
        else:
            out.append(token)
    return out


def _last_content(tokens: list) -> int | None:
    """Index of the last token that is not a page marker (pages never separate a lead-in
    from its list, or a list from its continuation)."""
    return next((i for i in range(len(tokens) - 1, -1, -1) if not isinstance(tokens[i], _Page)),
                None)


_DEFINITION = re.compile(r"^[A-Z][^:.]{2,50}: \S")


def _definition_lists(tokens: list[_Heading | Block]) -> list[_Heading | Block]:
    """"These include:" + "Task and finish Hubs: ..." + "Regional Hubs: ..." -> one list."""
    out: list[_Heading | Block] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        out.append(token)
        i += 1
        if isinstance(token, Block) and token.kind == "paragraph" and token.text.endswith(":"):
            items, pages = [], []
            while i < len(tokens) and (isinstance(tokens[i], _Page) or (
                    isinstance(tokens[i], Block) and tokens[i].kind == "paragraph"
                    and _DEFINITION.match(tokens[i].text))):
                if isinstance(tokens[i], _Page):
                    pages.append(tokens[i])
                else:
                    items.append(tokens[i].text)
                i += 1
            if len(items) >= 2:
                out.append(Block("list", items=items))
            else:
                out.extend(Block("paragraph", text=t) for t in items)
            out.extend(pages)
    return out


def _merge_stage_titles(tokens: list[_Heading | Block]) -> list[_Heading | Block]:
    """"Stage 5" directly followed by a heading becomes one heading "Stage 5: <that heading>"."""
    out: list[_Heading | Block] = []
    skip: int | None = None
    for i, token in enumerate(tokens):
        if i == skip:
            continue
        at = next((k for k in range(i + 1, len(tokens)) if not isinstance(tokens[k], _Page)),
                  None)
        nxt = tokens[at] if at is not None else None
        if (isinstance(token, _Heading) and re.fullmatch(r"Stage\s+\d+", token.text, re.I)
                and isinstance(nxt, _Heading)):
            out.append(_Heading(f"{token.text}: {nxt.text}", token.level, token.explicit))
            skip = at
        else:
            out.append(token)
    return out


def _assemble(tokens: list[_Heading | Block]) -> list[Section]:
    sections: list[Section] = []
    stack: list[_Heading] = []
    current = Section(path=[], level=1)
    sections.append(current)
    last_explicit_level = 1
    stage_level: int | None = None
    page: int | None = None
    for token in tokens:
        if isinstance(token, _Page):
            page = token.number
            if current.page is None and not current.blocks:
                current.page = page
            continue
        if isinstance(token, Block):
            if token.kind == "record" and token.label:
                parent_level = stack[-1].level if stack else 1
                path = [h.text for h in stack] + [token.label]
                sections.append(Section(path=path, level=parent_level + 1, blocks=[token], page=page))
            else:
                current.blocks.append(token)
            continue
        level = _level_for(token, stack, last_explicit_level, stage_level)
        is_stage = bool(_STAGE.match(token.text))
        if is_stage:
            stage_level = level
        elif stage_level is not None and level < stage_level:
            stage_level = None
        if token.explicit or is_stage:
            last_explicit_level = level
        text = token.text.rstrip(":").strip()
        while stack and stack[-1].level >= level:
            stack.pop()
        stack.append(_Heading(text, level, token.explicit, colon=token.text.endswith(":")))
        current = Section(path=[h.text for h in stack], level=level, page=page)
        sections.append(current)
    sections = _stage_leaves(sections)
    return _split_long_sections([s for s in sections if s.blocks and not _dropped(s)])


def _stage_leaves(sections: list[Section]) -> list[Section]:
    """A stage is a leaf of its pathway: a stage heading with no text of its own whose only
    sub-section is one short line ("Purpose Focus Progression readiness", a table's column
    names once its tabs are lost) takes that line and its text back as its own body. When that
    text is paragraphs only (the cells, in order) the line is their caption: searchable and
    shown with them, but not quoted as the stage's opening sentence."""
    out: list[Section] = []
    for k, section in enumerate(sections):
        if out and out[-1].blocks == [] and _STAGE.match(out[-1].title) \
                and section.path[:-1] == out[-1].path \
                and not any(s.path[:len(section.path)] == section.path
                            for s in sections[k + 1:]) \
                and not (k + 1 < len(sections) and sections[k + 1].path[:len(out[-1].path)]
                         == out[-1].path):
            if section.blocks and all(b.kind == "paragraph" for b in section.blocks):
                out[-1].blocks = [Block("caption", text=section.title), *section.blocks]
            else:
                out[-1].blocks = [Block("paragraph", text=section.title), *section.blocks]
            continue
        out.append(section)
    return out


LONG_SECTION = 1000  # characters; a longer section's introduced lists become sub-sections


def _split_long_sections(sections: list[Section]) -> list[Section]:
    """In a long section, each list introduced by a lead-in ("The role of Camden Learning is:")
    becomes a sub-section titled by the lead-in's last sentence, as the other document gives
    such lists headings of their own."""
    out: list[Section] = []
    for section in sections:
        size = sum(len(b.text) + sum(len(i) for i in b.items) for b in section.blocks)
        if size <= LONG_SECTION:
            out.append(section)
            continue
        keep, children = [], []
        for block in section.blocks:
            if block.kind == "list" and block.text:
                title, rest = _lead_title(block.text)
                blocks = [Block("paragraph", text=rest)] if rest else []
                children.append(Section(path=[*section.path, title], level=section.level + 1,
                                        blocks=blocks + [Block("list", items=block.items)],
                                        page=section.page))
            else:
                keep.append(block)
        section.blocks = keep
        out.extend([section] if keep else [])
        out.extend(children)
    return out


def _lead_title(lead: str) -> tuple[str, str]:
    """The last sentence of a lead-in without its colon (the title), and the sentences before."""
    sentences = re.split(r"(?<=[.!?])\s+", lead.strip())
    return sentences[-1].rstrip(":").strip(), " ".join(sentences[:-1])


def _level_for(token: _Heading, stack: list[_Heading], last_explicit: int,
               stage_level: int | None) -> int:
    if _STAGE.match(token.text):
        if stage_level is not None:
            return stage_level
        return token.level if token.explicit else last_explicit + 1
    if token.text.endswith(":"):
        anchor = next((h for h in reversed(stack) if not h.colon), None)
        return (anchor.level if anchor else 1) + 1
    if token.explicit:
        return token.level
    return last_explicit + 1


def _dropped(section: Section) -> bool:
    return any(p.strip().lower() in _DROPPED_SECTIONS for p in section.path)

"""Text clean-up and splitting: link noise, emphasis markers, HTML fragments, sentences, items."""
from __future__ import annotations

import html
import re

_NOISE_LINK = re.compile(r"\[(?:click here|read more)[^\]]*\]\(#?\)", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]*)\)")
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u00a0]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])")
_CONNECTORS = {
    "a", "an", "and", "or", "of", "to", "the", "for", "with", "from", "by", "on", "in", "at",
    "&", "as", "into", "including", "e.g", "eg", "through", "via", "within",
}
_ITEM_STARTERS = ("Camden Learning ", "Camden Heads", "Camden Conversations", "Camden HR")


def remove_link_noise(text: str) -> str:
    """Drop placeholder links such as `[Click here to ...](#)` and unwrap other links."""
    text = _NOISE_LINK.sub("", text)
    return _LINK.sub(lambda m: m.group(1) if m.group(2) in ("", "#") else f"{m.group(1)} ({m.group(2)})", text)


def strip_emphasis(text: str) -> str:
    """Remove Markdown bold/italic markers, keeping the words."""
    text = text.replace("**", "")
    return re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])", r"\1", text)


def collapse(text: str) -> str:
    """Collapse runs of spaces and trim."""
    return _SPACES.sub(" ", text).strip()


def clean_inline(text: str) -> str:
    """Plain text of a line or cell: no tags, no emphasis, no link noise, single spaces."""
    text = remove_link_noise(text)
    text = _TAG.sub(" ", text)
    return collapse(strip_emphasis(html.unescape(text)))


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences on terminal punctuation followed by a capital."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def split_html_paragraphs(cell: str) -> list[str] | None:
    """Return the texts of `<p>` elements in a cell, or None when it has none."""
    parts = re.findall(r"<p>(.*?)</p>", cell, flags=re.S)
    return [clean_inline(p) for p in parts if clean_inline(p)] or None


def split_cell_items(cell: str) -> list[str]:
    """Split a table cell into items: `<p>` elements, `•` bullets, hard double spaces, or run-on lists."""
    paragraphs = split_html_paragraphs(cell)
    if paragraphs:
        return paragraphs
    raw = html.unescape(_TAG.sub(" ", remove_link_noise(cell)))
    if "•" in raw:
        return [clean_inline(p) for p in raw.split("•") if clean_inline(p)]
    if "  " in raw.strip():
        parts = [clean_inline(p) for p in re.split(r"\s{2,}", raw) if clean_inline(p)]
        if len(parts) > 1:
            return parts
    return split_labelled_items(clean_inline(raw)) or split_run_on_items(clean_inline(raw))


_ITEM_LABEL = re.compile(r"(?:^|(?<=[.!?] ))[A-Z][a-z]+: ")


def split_labelled_items(text: str) -> list[str] | None:
    """"Primary: A teacher ... impact. Secondary: Analyses ... Coaches ..." -> one item per
    label, when the text starts with a "Word: " label and has another after a sentence end
    (the cell's items were separated by spaces a converter collapsed); else None."""
    starts = [m.start() for m in _ITEM_LABEL.finditer(text)]
    if len(starts) < 2 or starts[0] != 0:
        return None
    return [text[a:b].strip() for a, b in zip(starts, starts[1:] + [len(text)])]


def split_run_on_items(text: str) -> list[str]:
    """Split a list whose separators were lost ("Chair meetings Lead meetings ...") into items.

    A new item starts at a capitalised word that follows a lower-case word (or a sentence end)
    which is not a connector, and at the organisation name "Camden Learning". Items of one word
    are never split off. This is a heuristic for cells whose HTML list markup was stripped.
    """
    words = text.split(" ")
    items: list[list[str]] = [[]]
    for word in words:
        current = items[-1]
        if current and len(current) >= 2 and _starts_item(current[-1], word):
            items.append([word])
        else:
            current.append(word)
    return [" ".join(i) for i in items if i]


def _starts_item(previous: str, word: str) -> bool:
    if not word or not word[0].isupper():
        return False
    prev_bare = previous.rstrip(".,;:)").lower()
    if prev_bare in _CONNECTORS or previous.endswith(("/", "-", "–")):
        return False
    if word == "Camden":
        return True
    ends_sentence = previous.endswith((".", ")"))
    prev_lower = previous[:1].islower()
    is_titlecase = len(word) > 1 and word[1:2].islower()
    return ends_sentence or (prev_lower and is_titlecase)

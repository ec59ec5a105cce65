"""PDF characters -> visual lines -> paragraph spans, shared by the tagged and layout readers.

A line is the characters on one baseline with spaces put back where the gap is wide. Lines
join into a paragraph with a space, except where a word was split at the line end: "high-" +
"quality" keeps its hyphen and drops the space, and "strategie" + "s" (a narrow column broke
the word) becomes "strategies" when that is a word the document uses elsewhere. A line that
ends well before the column's right edge, when the next line's first word would have fitted,
ends on a hard break (kept for bold lines).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.formats.markdown import BREAK, Span

_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_UNHYPHEN = "unhyphen"  # join the words and drop the hyphen: "develop-" + "ment"
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold", re.IGNORECASE)
_ITALIC_FONT = re.compile(r"italic|oblique", re.IGNORECASE)


@dataclass
class Line:
    """Characters on one baseline of one page, left to right."""

    chars: list[dict]
    page: int
    baseline: float
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    spans: list[Span] = field(default_factory=list)
    trailing_space: bool = False  # the line ends on a space character (broke at a space)

    @property
    def words(self) -> list[str]:
        """The line's words, split at spaces."""
        return self.text.split()


def is_bold(char: dict) -> bool:
    """Set in a bold face (by the font's name: "Carlito-Bold", "LiberationSerif-Bold")."""
    return bool(_BOLD_FONT.search(char.get("fontname", "")))


def is_italic(char: dict) -> bool:
    """Set in an italic or oblique face."""
    return bool(_ITALIC_FONT.search(char.get("fontname", "")))


def baseline(char: dict) -> float:
    """The baseline in top-down page coordinates (chars of one line share it across fonts)."""
    return round(char["bottom"] - 0.2 * char["size"], 1)


def make_lines(chars: list[dict]) -> list[Line]:
    """Group characters into lines by page and baseline (a line differs by > 40% of a size)."""
    ordered = sorted(chars, key=lambda c: (c["page_number"], baseline(c), c["x0"]))
    lines: list[Line] = []
    for char in ordered:
        if not lines or lines[-1].page != char["page_number"] or \
                abs(baseline(char) - lines[-1].baseline) > 0.4 * char["size"]:
            lines.append(Line([], char["page_number"], baseline(char)))
        lines[-1].chars.append(char)
    for line in lines:
        _finish(line)
    return [line for line in lines if line.text]


def _finish(line: Line) -> None:
    chars = sorted(line.chars, key=lambda c: c["x0"])
    line.chars = chars
    spans: list[Span] = []
    previous = None
    for char in chars:
        text = char["text"]
        if previous is not None and not text.isspace() and not previous["text"].isspace() \
                and char["x0"] - previous["x1"] > 0.2 * char["size"]:
            _add(spans, " ", previous)
        _add(spans, text, char)
        previous = char
    line.spans = spans
    line.trailing_space = bool(chars) and chars[-1]["text"].isspace()
    line.text = " ".join("".join(s.text for s in spans).split())
    visible = [c for c in chars if not c["text"].isspace()]
    if visible:
        line.x0 = visible[0]["x0"]
        line.x1 = max(c["x1"] for c in visible)
        line.top = min(c["top"] for c in visible)
        line.bottom = max(c["bottom"] for c in visible)
        line.size = max(round(c["size"], 1) for c in visible)
        line.bold = all(is_bold(c) for c in visible)


def _add(spans: list[Span], text: str, char: dict) -> None:
    bold, italic, link = is_bold(char), is_italic(char), char.get("link")
    if text.isspace() and spans:
        spans[-1].text += " "
    elif spans and (spans[-1].bold, spans[-1].italic, spans[-1].link) == (bold, italic, link):
        spans[-1].text += text
    else:
        spans.append(Span(text, bold, italic, link))


@dataclass
class Vocabulary:
    """The document's words: `whole` are words seen inside a line (never a piece of a split
    word), `seen` every word anywhere, pieces included."""

    whole: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    spaced: bool = False  # most lines that wrap end on a space character (LibreOffice)


def vocabulary(lines: list[Line]) -> Vocabulary:
    """Words the document uses: a word at the start or end of a line may be a piece of a split
    word, so only words inside a line (and hyphenated words anywhere) count as whole."""
    vocab = Vocabulary()
    vocab.spaced = sum(line.trailing_space for line in lines) > 0.3 * max(len(lines), 1)
    for line in lines:
        tokens = line.words
        for k, token in enumerate(tokens):
            for word in _WORD.findall(token):
                vocab.seen.add(word.lower())
                vocab.seen.update(part.lower() for part in word.split("-"))
                if 0 < k < len(tokens) - 1:
                    vocab.whole.add(word.lower())
                    vocab.whole.update(part.lower() for part in word.split("-"))
                elif "-" in word:
                    vocab.whole.add(word.lower())
    return vocab


def join_lines(lines: list[Line], vocab: Vocabulary, right: float | None = None) -> list[Span]:
    """One paragraph's spans from its lines: split words rejoined, hard breaks kept as BREAK
    when `right` (the column's right edge) shows the line stopped short."""
    spans: list[Span] = []
    for k, line in enumerate(lines):
        current = [Span(s.text, s.bold, s.italic, s.link) for s in line.spans]
        if spans:
            glue = _glue(lines[k - 1], line, vocab, right)
            if glue in ("", _UNHYPHEN):
                _strip_end(spans)
                if glue == _UNHYPHEN and spans and spans[-1].text.endswith("-"):
                    spans[-1].text = spans[-1].text[:-1]
                if current:
                    current[0].text = current[0].text.lstrip()
            elif glue == BREAK:
                spans.append(Span(BREAK))
            else:
                spans.append(Span(" ", spans[-1].bold and bool(current) and current[0].bold,
                                  link=spans[-1].link if current and current[0].link ==
                                  spans[-1].link else None))
        spans.extend(current)
    return spans


def _glue(before: Line, after: Line, vocab: Vocabulary, right: float | None) -> str:
    """"" (join the words), _UNHYPHEN (join, dropping the hyphen), BREAK (a hard line
    break) or " "."""
    if not before.words or not after.words:
        return " "
    last, first = before.words[-1], after.words[0]
    if last == "-" and not before.trailing_space and first[:1].isalpha():
        return ""  # "trip or -" + "assembly": the line broke after a hyphen
    tail = re.search(r"([A-Za-z]+)(-?)$", last)
    head = re.match(r"[A-Za-z]+", first)
    if tail and head:
        a, hyphen, b = tail.group(1), tail.group(2), head.group(0)
        pieces = not (a.lower() in vocab.whole and b.lower() in vocab.whole)
        if hyphen:  # a soft hyphen only when a part is no word: "develop-" + "ment"
            if (a + b).lower() in vocab.seen and f"{a}-{b}".lower() not in vocab.whole \
                    and pieces:
                return _UNHYPHEN
            return ""
        if (a + b).lower() in vocab.seen and pieces:
            return ""
    if right is not None and hard_break(before, after, right):
        return BREAK
    if vocab.spaced and not before.trailing_space and (last.endswith("/")
                                                       or first.startswith("/")):
        return ""  # "School/" + "Setting/College": a line may break after a slash
    return " "


def splits_word(before: Line, after: Line, vocab: Vocabulary) -> bool:
    """The last word of `before` and the first of `after` are one word split at the line end."""
    return _glue(before, after, vocab, None) in ("", _UNHYPHEN)


def hard_break(before: Line, after: Line, right: float) -> bool:
    """`before` stopped short: the first word of `after` would have fitted before `right`."""
    first = after.words[0] if after.words else ""
    return before.x1 + _width(after, first) + 0.25 * after.size < right - 1.5


def _width(line: Line, word: str) -> float:
    """The width of `word` at the start of `line`."""
    chars = [c for c in line.chars if not c["text"].isspace()][:len(word)]
    return (chars[-1]["x1"] - chars[0]["x0"]) if chars else 0.0


def _strip_end(spans: list[Span]) -> None:
    while spans and spans[-1].text == BREAK:
        spans.pop()
    if spans:
        spans[-1].text = spans[-1].text.rstrip()

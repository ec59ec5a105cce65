"""School terms: texting normalised, variants and abbreviations mapped to the documents' wording.

A Glossary is built from the reviewed entries in knowledge/domain/glossary.yml plus the
abbreviations the documents define themselves (mined at ingest). It rewrites a question three
ways: `canonical` (variants replaced by the documents' terms: what stage matching reads),
`expand` (each variant followed by its term: what embedding and lexical search read) and
`mask_roles` (job titles replaced by ROLE: what the intent classifier's word features read).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.domain import Domain, Term

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
MAX_TERM_WORDS = 6
ROLE_MASK = "ROLE"


def tokens(text: str) -> list[str]:
    """Lower-case word tokens, curly apostrophes folded."""
    return _TOKEN.findall(text.lower().replace("’", "'"))


@dataclass(frozen=True)
class Span:
    """A glossary match: tokens [start, end) of a text stand for `term`."""

    start: int
    end: int
    term: Term


class Glossary:
    """Variant -> term lookup over token sequences, longest match first."""

    def __init__(self, terms: list[Term] | tuple[Term, ...], texting: dict[str, str] | None = None,
                 known: frozenset[str] = frozenset()):
        self.terms = tuple(terms)
        self.known = known  # words the documents use: a variant made of these is not expanded
        self.texting = {k: tokens(v) for k, v in (texting or {}).items()}
        self._table: dict[tuple[str, ...], Term] = {}
        for term in self.terms:  # earlier (reviewed) entries win over later (mined) ones
            for phrase in (term.term, *term.variants):
                key = tuple(tokens(phrase))
                if key and key not in self._table:
                    self._table[key] = term
        self._longest = min(MAX_TERM_WORDS, max((len(k) for k in self._table), default=1))

    def normalise(self, text: str) -> list[str]:
        """Tokens with casual spellings replaced ("wot shud i do nxt" -> what should i do next)."""
        out: list[str] = []
        for token in tokens(text):
            out.extend(self.texting.get(token, [token]))
        return out

    def spans(self, words: list[str]) -> list[Span]:
        """Glossary matches in a token list, left to right, longest first, not overlapping."""
        found, i = [], 0
        while i < len(words):
            match = self._match_at(words, i)
            if match:
                found.append(match)
                i = match.end
            else:
                i += 1
        return found

    def _match_at(self, words: list[str], i: int) -> Span | None:
        for n in range(min(self._longest, len(words) - i), 0, -1):
            key = tuple(words[i:i + n])
            term = self._table.get(key)
            if term is None and len(key[-1]) > 3 and key[-1].endswith("s"):
                term = self._table.get(key[:-1] + (key[-1][:-1],))  # a plural
            if term is None:
                continue
            nxt = words[i + n] if i + n < len(words) else ""
            if n == 1 and nxt in term.unless_next:
                continue  # "head of department" is not a headteacher
            return Span(i, i + n, term)
        return None

    def canonical(self, text: str) -> str:
        """The text with every variant replaced by the documents' term, lower case."""
        words = self.normalise(text)
        return " ".join(self._rewrite(words, lambda span, original: span.term.term.lower()))

    def expand(self, text: str, every: bool = True) -> str:
        """The text with each variant followed by the term it stands for ("hlta (higher level
        teaching assistant)"), lower case: what the embedding model reads, as it knows few
        school abbreviations. With `every` false, variants the documents use themselves ("NPQ",
        "BGM") are left alone: what lexical search reads, as it finds them as they are."""
        words = self.normalise(text)

        def both(span: Span, original: str) -> str:
            term = span.term.term.lower()
            if tokens(term) == original.split() or (
                    not every and all(w in self.known for w in original.split())):
                return original
            return f"{original} ({term})"

        return " ".join(self._rewrite(words, both))

    def mask_roles(self, text: str) -> str:
        """The text with job titles replaced by ROLE, lower case."""
        words = self.normalise(text)
        return " ".join(self._rewrite(
            words, lambda span, original: ROLE_MASK if span.term.role else original))

    def _rewrite(self, words: list[str], replace) -> list[str]:
        out, i = [], 0
        for span in self.spans(words):
            out.extend(words[i:span.start])
            out.append(replace(span, " ".join(words[span.start:span.end])))
            i = span.end
        out.extend(words[i:])
        return out


def build_glossary(domain: Domain, abbreviations: dict[str, str],
                   known: frozenset[str] = frozenset()) -> Glossary:
    """The reviewed glossary, then the abbreviations the documents define (reviewed entries
    win); `known` are the words the documents use."""
    mined = [Term(term=name, variants=(short,)) for short, name in sorted(abbreviations.items())]
    return Glossary([*domain.terms, *mined], domain.texting, known)


def corpus_words(texts: list[str]) -> frozenset[str]:
    """The words a set of texts uses, as the glossary tokenises them."""
    return frozenset(w for text in texts for w in tokens(text))

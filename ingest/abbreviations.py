"""Abbreviations the documents define themselves: "Higher Level Teaching Assistant (HLTA)"."""
from __future__ import annotations

import re

_DEFINED = re.compile(r"\(([A-Z][A-Za-z]{1,11})\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_SKIPPED = {"and", "of", "for", "the", "in", "to", "a", "&"}
MAX_WORDS = 8


def defined_abbreviations(texts: list[str]) -> dict[str, str]:
    """{abbreviation: full name} for every "Full Name (ABBR)" whose significant words' initials
    spell the abbreviation (a plural "s" allowed): "Early Career Teachers (ECTs)" -> ECT."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _DEFINED.finditer(text):
            abbreviation = match.group(1)
            letters = abbreviation.upper().rstrip("S") if abbreviation.endswith("s") \
                else abbreviation.upper()
            before = _WORD.findall(text[:match.start()].replace("-", " "))[-MAX_WORDS:]
            name = _name_for(letters, before)
            if name and letters not in found:
                found[letters] = name
    return found


def _name_for(letters: str, words: list[str]) -> str | None:
    """The shortest run of trailing words whose significant initials spell `letters`."""
    for start in range(len(words) - 1, -1, -1):
        run = words[start:]
        initials = "".join(w[0].upper() for w in run if w.lower() not in _SKIPPED)
        if initials == letters:
            return " ".join(run)
        if len(initials) > len(letters):
            return None
    return None

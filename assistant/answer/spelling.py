"""Typo correction towards the words the documents and the domain data use, never of a word an
English dictionary holds ("apart" is not "part", "hoping" is not "honing")."""
from __future__ import annotations

import bisect
import threading
from collections import Counter

from knowledge.tokens import STOP_WORDS, stem, words


class EnglishWords:
    """The English word list of the pyspellchecker package (a maintained frequency list of about
    160,000 words), loaded on first use and kept for the engine's life."""

    def __init__(self):
        self._words: frozenset[str] | None = None
        self._lock = threading.Lock()

    def __contains__(self, word: str) -> bool:
        if self._words is None:
            with self._lock:
                if self._words is None:
                    from spellchecker import SpellChecker

                    self._words = frozenset(SpellChecker(language="en", distance=1)
                                            .word_frequency.dictionary)
        return word in self._words


class Vocabulary:
    """Word counts of the corpus, with a typo corrector (edit distance 1, or 2 for long words).

    `extra` are words staff use that no document may (the domain data's examples, glossary and
    word lists): known, so never "corrected" into a document word."""

    def __init__(self, texts: list[str], extra: set[str] | frozenset[str] = frozenset(),
                 english: EnglishWords | frozenset[str] = frozenset()):
        self.english = english  # words never corrected, though the documents don't use them
        self.counts = Counter(w for t in texts for w in words(t))
        self.stems = {stem(w) for w in self.counts}
        self.extra = frozenset(extra)
        self._known = sorted(set(self.counts) | self.extra | STOP_WORDS)
        self._sorted_stems = sorted(self.stems)

    def knows(self, word: str) -> bool:
        """True when the word, or its stem, occurs in the corpus or the domain data; a word
        whose stem extends a corpus stem of five letters or more counts ("trainees" ~ "train"),
        and so does one whose stem of six or more letters begins a corpus stem
        ("specialise" ~ "specialisms")."""
        if self._exact(word):
            return True
        word_stem = stem(word)
        return any(word_stem[:n] in self.stems for n in range(5, len(word_stem))) \
            or self._begins_corpus_stem(word)

    def _begins_corpus_stem(self, word: str) -> bool:
        """An inflection the documents don't use of a word they do: "specialise" (stem
        "specialis") begins "specialism"."""
        word_stem = stem(word)
        at = bisect.bisect_left(self._sorted_stems, word_stem)
        return len(word_stem) >= 6 and at < len(self._sorted_stems) \
            and self._sorted_stems[at].startswith(word_stem)

    def _exact(self, word: str) -> bool:
        return (word in self.counts or word in self.extra or word in STOP_WORDS
                or word.isdigit() or stem(word) in self.stems)

    def correct(self, word: str) -> str:
        """The closest known word for a misspelt one; the word itself when known or no match.

        Edit distance counts a swap of neighbouring letters as one edit ("waht" -> "what").
        Up to one edit (two for words of ten letters or more); four-letter words only by a swap.
        A word of the English dictionary is never changed.
        """
        if len(word) < 4 or self._exact(word) or self._begins_corpus_stem(word) \
                or word in self.english:
            return word
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        limit = 2 if len(word) >= 10 else 1
        matches = process.extract(word, self._known, scorer=OSA.distance,
                                  score_cutoff=limit, limit=8)
        if len(word) == 4:
            matches = [m for m in matches if sorted(m[0]) == sorted(word)]
        if not matches:
            return word
        best = min(matches, key=lambda m: (m[1], -self.counts.get(m[0], 0)))
        return best[0]

    def correct_text(self, text: str) -> str:
        """The text with misspelt words replaced by their corrections (lower-cased)."""
        return " ".join(self.correct(w) for w in words(text))

    def unknown_share(self, text: str) -> float:
        """The share of the text's content words that the documents never use."""
        content = [w for w in words(text) if w not in STOP_WORDS]
        return len(self.unknown(text)) / len(content) if content else 0.0

    def unknown(self, text: str) -> list[str]:
        """Content words of the text that the corpus does not use, even after typo correction."""
        return [w for w in words(text)
                if w not in STOP_WORDS and not w.isdigit() and not self.knows(self.correct(w))]

"""The corpus vocabulary: which words the documents use, and typo correction towards them."""
from __future__ import annotations

from collections import Counter

from knowledge.tokens import STOP_WORDS, stem, words

# How staff phrase questions (not what they ask about): known even when no document uses them,
# so they never make a question look off-topic.
QUESTION_WORDS = frozenset("""
next step steps after become becoming progress progression promotion promoted move moving career
route routes role roles job jobs want wants aspiring qualify qualified need needs get gets do does
available offer offered options option support which one ones kind kinds type types sort there
head heads stand stands mean means meaning acronym abbreviation say says said explain summarise
summary pls please give overview happen happens involve involves include includes cover covers
contain contains entitled eligible apply find learn allowed sign join start begin currently
current recommend recommended advice advise help someone somebody person people colleague like
earlier old new newer previous version doc docs document documents section table row column page
cl year years difference different differ differs compare comparison versus vs both change
changed changes still much many often long list name names good best way ways thing things stuff
info information detail details work working go goes going come comes coming mention mentioned
talk talks discuss according suggest suggested suggests describe described describes outline
outlined last first second third previous exactly really actually anything something else
promise promised guarantee expect expected provide provided wat wot u ur
""".split())


class Vocabulary:
    """Word counts of the corpus, with a typo corrector (edit distance 1, or 2 for long words)."""

    def __init__(self, texts: list[str]):
        self.counts = Counter(w for t in texts for w in words(t))
        self.stems = {stem(w) for w in self.counts}
        self._known = sorted(set(self.counts) | QUESTION_WORDS | STOP_WORDS)

    def knows(self, word: str) -> bool:
        """True when the word, or its stem, occurs in the corpus or is a question word; a word
        whose stem extends a corpus stem of five letters or more counts ("trainees" ~ "train")."""
        if self._exact(word):
            return True
        word_stem = stem(word)
        return any(word_stem[:n] in self.stems for n in range(5, len(word_stem)))

    def _exact(self, word: str) -> bool:
        return (word in self.counts or word in QUESTION_WORDS or word in STOP_WORDS
                or word.isdigit() or stem(word) in self.stems)

    def correct(self, word: str) -> str:
        """The closest known word for a misspelt one; the word itself when known or no match.

        Edit distance counts a swap of neighbouring letters as one edit ("waht" -> "what").
        Up to one edit (two for words of ten letters or more); four-letter words only by a swap.
        """
        if len(word) < 4 or self._exact(word):
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

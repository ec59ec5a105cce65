"""Word tokens for lexical search and matching: lower-case, stop words removed, Snowball-stemmed."""
from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
STOP_WORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before being
below between both but by can can't cannot could did do does doing don't down during each few for
from further had has have having he her here hers herself him himself his how i i'm if in into is
isn't it it's its itself let's me more most my myself no nor not of off on once only or other ought
our ours ourselves out over own same she should so some such than that that's the their theirs them
themselves then there there's these they this those through to too under until up very was we were
what what's when where which while who whom why will with would you your yours yourself yourselves
im ive id dont doesnt whats hows tell please thanks thank hi hello hey anyone know just quick q
""".split())


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: small C extension, cheap to import

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-case word tokens, with curly apostrophes folded and possessives dropped."""
    text = text.lower().replace("’", "'")
    return [w.split("'")[0] for w in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Words that are not stop words."""
    return [w for w in words(text) if w not in STOP_WORDS]


def stem(word: str) -> str:
    """The Snowball stem of one word."""
    return _stemmer().stemWord(word)


def terms(text: str) -> list[str]:
    """Stemmed content words: the terms lexical search and overlap scoring use."""
    return [stem(w) for w in content_words(text)]

"""The lexical index: BM25 (bm25s) over stemmed chunk terms, saved beside the vector store."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from knowledge.tokens import terms


def _bm25s():
    """Import bm25s, undoing the DEBUG level it forces on its logger at import."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.NOTSET)
    return bm25s


class LexicalIndex:
    """BM25 scores for every chunk, in chunk order."""

    def __init__(self, retriever):
        self._retriever = retriever

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        """Index texts (one per chunk)."""
        retriever = _bm25s().BM25()
        retriever.index([terms(t) or ["_empty_"] for t in texts], show_progress=False)
        return cls(retriever)

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        return cls(_bm25s().BM25.load(str(folder)))

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every chunk for the query terms (zeros when no term is known)."""
        query_terms = [t for t in query_terms if t in self._retriever.vocab_dict]
        n = self._retriever.scores["num_docs"]
        if not query_terms:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(query_terms), dtype=np.float32)

"""The lexical index: BM25 (bm25s) over stemmed chunk terms, saved beside the vector store; read
back and scored without bm25s (knowledge/saved_bm25.py)."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from knowledge.saved_bm25 import SavedBM25
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
        """Open a saved index to score with numpy (bm25s's own loader only for methods that
        need more than its saved scores)."""
        try:
            return cls(SavedBM25(folder))
        except ValueError:
            return cls(_bm25s().BM25.load(str(folder)))

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every chunk for the query terms (zeros when no term is known)."""
        query_terms = [t for t in query_terms if t in self._retriever.vocab_dict]
        if not query_terms:
            return np.zeros(self.count(), dtype=np.float32)
        return np.asarray(self._retriever.get_scores(query_terms), dtype=np.float32)

    def count(self) -> int:
        """How many documents (chunks) the index scores."""
        retriever = self._retriever
        return retriever.num_docs if isinstance(retriever, SavedBM25) else retriever.scores["num_docs"]

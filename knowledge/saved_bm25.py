"""A bm25s index as saved on disk, scored with numpy alone: answering imports neither bm25s nor
scipy (about 1 s at start-up). The scores are bm25s's own: its precomputed per-term scores (a
CSC matrix: data, indices, indptr) summed over the query's term ids, in its dtype."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

NEEDS_NONOCCURRENCE = ("bm25l", "bm25+")  # bm25s adds a per-term constant for these methods


class SavedBM25:
    """The lucene-style index bm25s saved in a folder (`BM25.save`)."""

    def __init__(self, folder: Path):
        params = json.loads((folder / "params.index.json").read_text())
        if params.get("method") in NEEDS_NONOCCURRENCE:
            raise ValueError(f"method {params['method']} is scored by bm25s itself")
        self.vocab_dict: dict[str, int] = json.loads(
            (folder / "vocab.index.json").read_text(encoding="utf-8"))
        self.num_docs = int(params["num_docs"])
        self._dtype = np.dtype(params.get("dtype", "float32"))
        self._int_dtype = np.dtype(params.get("int_dtype", "int32"))
        self._data = np.load(folder / "data.csc.index.npy", allow_pickle=False)
        self._indices = np.load(folder / "indices.csc.index.npy", allow_pickle=False)
        self._indptr = np.load(folder / "indptr.csc.index.npy", allow_pickle=False)

    def get_scores(self, query_terms: list[str]) -> np.ndarray:
        """Every document's score: bm25s's `get_scores` (terms not in the vocabulary ignored,
        a repeated term counted each time)."""
        ids = np.asarray([self.vocab_dict[t] for t in query_terms if t in self.vocab_dict],
                         dtype=self._int_dtype)
        scores = np.zeros(self.num_docs, dtype=self._dtype)
        for start, end in zip(self._indptr[ids], self._indptr[ids + 1]):
            np.add.at(scores, self._indices[start:end], self._data[start:end])
        return scores

"""An embedded collection's vectors searched exactly with numpy, as Chroma answers for them.

Chroma's cosine space scores 1 - distance = the dot product of the normalised vectors; here it
is that product over every vector, so the nearest are found without an approximate index (a few
hundred chunks take microseconds) and without importing chromadb.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class ExactVectors:
    """Nearest ids by cosine similarity over vectors held in memory; the VectorStore's search."""

    def __init__(self, ids: list[str], vectors: np.ndarray):
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self._ids = list(ids)
        self._vectors = vectors / np.maximum(norms, 1e-12)  # as Chroma's cosine space stores them

    @classmethod
    def load(cls, path: Path) -> "ExactVectors":
        with np.load(path, allow_pickle=False) as data:
            return cls([str(i) for i in data["ids"]], data["vectors"])

    def save(self, path: Path) -> None:
        """Write atomically: a reader never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            np.savez(fh, ids=np.array(self._ids, dtype=str), vectors=self._vectors)
        os.replace(tmp, path)

    def count(self) -> int:
        return len(self._ids)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the k nearest, best first."""
        k = min(k, self.count())
        if k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32).ravel()
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        similarities = self._vectors @ query
        best = np.argsort(-similarities, kind="stable")[:k]
        return [(self._ids[i], float(similarities[i])) for i in best]

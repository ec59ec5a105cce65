"""An embedder that embeds each distinct text once, for runs that build many indexes of nearly
the same documents and ask each the same questions (`pdbot eval --documents`)."""
from __future__ import annotations

import numpy as np


class MemoEmbedder:
    """Wraps an embedder: a text it has embedded before gets the same vector back without the
    model running. Everything else (name, load, ...) is the wrapped embedder's."""

    def __init__(self, embedder):
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str], batch_size: int = 32, progress=None) -> np.ndarray:
        """Embed texts, running the model only on those not seen before (`progress` counts
        those)."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if todo:
            vectors = self._embedder.embed(todo, batch_size=batch_size, progress=progress)
            self._vectors.update(zip(todo, vectors))
        if not texts:
            return self._embedder.embed([])
        return np.array([self._vectors[t] for t in texts], dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query."""
        return self.embed([text])[0]

    @property
    def embedded(self) -> int:
        """How many distinct texts the model has embedded."""
        return len(self._vectors)

    def __getattr__(self, name: str):
        if name.startswith("_"):  # not set yet (a copy being made): not the wrapped one's
            raise AttributeError(name)
        return getattr(self._embedder, name)

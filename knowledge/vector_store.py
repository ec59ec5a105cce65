"""The vector store: Chroma, embedded and persistent (or a Chroma server), fed our own embeddings.

Telemetry is off and no embedding function is ever attached, so Chroma never loads its default
model (which would try to download one).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

COLLECTION = "chunks"


def _client(path: Path | None = None, url: str | None = None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        from urllib.parse import urlparse

        parsed = urlparse(url)
        return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                                   ssl=parsed.scheme == "https", settings=chroma_settings)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class VectorStore:
    """Nearest chunks by cosine similarity, in one Chroma collection per index version."""

    def __init__(self, collection):
        self._collection = collection
        self._count = collection.count()  # fixed for an index version; asking costs ~1 ms

    @classmethod
    def create(cls, ids: list[str], vectors: np.ndarray, metadatas: list[dict], *,
               path: Path | None = None, url: str | None = None,
               name: str = COLLECTION) -> "VectorStore":
        """Create (or replace) a collection holding these vectors."""
        client = _client(path, url)
        try:
            client.delete_collection(name)
        except Exception:  # the collection did not exist
            pass
        collection = client.create_collection(name, embedding_function=None,
                                              metadata={"hnsw:space": "cosine"})
        for start in range(0, len(ids), 1000):
            end = start + 1000
            collection.add(ids=ids[start:end], embeddings=vectors[start:end].tolist(),
                           metadatas=metadatas[start:end])
        return cls(collection)

    @classmethod
    def open(cls, *, path: Path | None = None, url: str | None = None,
             name: str = COLLECTION) -> "VectorStore":
        """Open an existing collection."""
        return cls(_client(path, url).get_collection(name, embedding_function=None))

    @staticmethod
    def drop(*, path: Path | None = None, url: str | None = None, name: str = COLLECTION) -> None:
        """Delete a collection (an old index version's)."""
        _client(path, url).delete_collection(name)

    def count(self) -> int:
        return self._count

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks, best first."""
        k = min(k, self.count())
        if k <= 0:
            return []
        result = self._collection.query(query_embeddings=[vector.tolist()], n_results=k,
                                        include=["distances"])
        return [(cid, 1.0 - float(dist))
                for cid, dist in zip(result["ids"][0], result["distances"][0])]

"""The vector store: Chroma, embedded and persistent (or a Chroma server), fed our own embeddings.

Telemetry is off and no embedding function is ever attached, so Chroma never loads its default
model (which would try to download one). A Chroma server is checked before use (reachable, same
major version as the installed client): VectorStoreUnavailable names the address and the fix.

Embedded, the collection's vectors are also kept beside it (`<name>.exact.npz`), and `open`
searches them exactly with numpy (ExactVectors): answering then imports no chromadb (0.9 s).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from knowledge.errors import VectorStoreUnavailable, network_reason
from knowledge.exact_vectors import ExactVectors

log = logging.getLogger(__name__)
COLLECTION = "chunks"
CHECK_TIMEOUT = 5.0  # seconds to wait for a Chroma server's version


def check_server(url: str, timeout: float = CHECK_TIMEOUT) -> str:
    """The Chroma server's version; VectorStoreUnavailable when it cannot be reached, is not a
    Chroma server, or is another major version than the installed chromadb client."""
    import urllib.error  # here, not at the top: answering from the embedded store needs no HTTP
    from importlib.metadata import version as installed_version

    base = url.rstrip("/")
    client_version = installed_version("chromadb")
    try:
        server_version = _get_json(f"{base}/api/v2/version", timeout)
    except urllib.error.HTTPError as exc:
        old = _old_server_version(base, timeout) if exc.code in (404, 410) else None
        if old:
            raise VectorStoreUnavailable(chroma_wrong_version(url, old, client_version)) from exc
        raise VectorStoreUnavailable(chroma_not_chroma(url, f"HTTP {exc.code}")) from exc
    except (OSError, ValueError) as exc:  # refused, timed out, no such host, not JSON
        raise VectorStoreUnavailable(chroma_unreachable(url, network_reason(exc))) from exc
    if not isinstance(server_version, str) or not server_version[:1].isdigit():
        raise VectorStoreUnavailable(chroma_not_chroma(url, "no version"))
    if server_version.split(".")[0] != client_version.split(".")[0]:
        raise VectorStoreUnavailable(chroma_wrong_version(url, server_version, client_version))
    return server_version


def chroma_unreachable(url: str, reason: str) -> str:
    return (f"Cannot reach the Chroma server at {url} ({reason}). Start it (e.g. `chroma run "
            f"--path /srv/pdbot-chroma --port 8000`) and check PDBOT_CHROMA_URL, or unset "
            f"PDBOT_CHROMA_URL and run `pdbot ingest` to keep vectors in the data directory.")


def chroma_wrong_version(url: str, server: str, client: str) -> str:
    return (f"The Chroma server at {url} is version {server}, but pdbot uses chromadb {client}: "
            f"run a Chroma {client.split('.')[0]}.x server (`pip install 'chromadb>={client}'`, "
            f"then `chroma run`), or unset PDBOT_CHROMA_URL.")


def chroma_not_chroma(url: str, reason: str) -> str:
    return (f"{url} does not answer like a Chroma server ({reason}): check PDBOT_CHROMA_URL "
            f"(http://host:port of `chroma run`).")


def _get_json(url: str, timeout: float):
    import urllib.request

    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read(4096) or b"null")


def _old_server_version(base: str, timeout: float) -> str | None:
    """The version a pre-1.0 Chroma server reports on its v1 API, or None."""
    try:
        found = _get_json(f"{base}/api/v1/version", timeout)
    except (OSError, ValueError):
        return None
    return found if isinstance(found, str) and found[:1].isdigit() else None


def exact_path(path: Path, name: str) -> Path:
    """The exact copy of an embedded collection's vectors, inside Chroma's folder."""
    return path / f"{name}.exact.npz"


def _client(path: Path | None = None, url: str | None = None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        from urllib.parse import urlparse

        check_server(url)
        parsed = urlparse(url)
        try:
            return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1",
                                       port=parsed.port or 8000, ssl=parsed.scheme == "https",
                                       settings=chroma_settings)
        except ValueError as exc:  # "Could not connect to a Chroma server" (it stopped meanwhile)
            raise VectorStoreUnavailable(chroma_unreachable(url, str(exc))) from exc
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
        if not url:
            ExactVectors(ids, vectors).save(exact_path(path, name))
        return cls(collection)

    @classmethod
    def open(cls, *, path: Path | None = None, url: str | None = None,
             name: str = COLLECTION) -> "VectorStore | ExactVectors":
        """Open an existing collection: embedded, its exact copy when it has one."""
        if not url and exact_path(path, name).exists():
            return ExactVectors.load(exact_path(path, name))
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

"""Ingest: documents -> parsed chunks -> embeddings (reused when unchanged) -> a new live index."""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import IngestError, LockedError
from assistant.settings import Settings
from ingest.chunking import unit_embedding_text
from ingest.loaders import load_document
from ingest.parse import PARSER_VERSION, ParsedDocument, parse_document
from knowledge.catalog import find_documents
from knowledge.embedder import MODEL_NAME, Embedder
from knowledge.index import IndexFiles, indexes_dir, live_version_dir, publish, read_manifest
from knowledge.lexical_store import LexicalIndex
from knowledge.vector_store import VectorStore

log = logging.getLogger(__name__)
EMBEDDING_KEYS = "embedding_keys.json"  # hash of the exact text behind each stored vector


@dataclass
class IngestReport:
    """What an ingest did."""

    version: str = ""
    up_to_date: bool = False
    documents: list[str] = field(default_factory=list)
    sections: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0


@contextmanager
def ingest_lock(data_dir: Path):
    """Hold an exclusive lock on the data directory, or raise LockedError at once."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "ingest.lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockedError(f"Another `pdbot ingest` is running on {data_dir}; "
                              "wait for it to finish.") from exc
        yield


def _fingerprint(texts: dict[str, str]) -> dict:
    return {
        "parser": PARSER_VERSION,
        "model": MODEL_NAME,
        "documents": {path: hashlib.sha1(text.encode()).hexdigest()
                      for path, text in sorted(texts.items())},
    }


def run_ingest(settings: Settings, paths: list[Path] | None = None,
               embedder: Embedder | None = None, progress=None, force: bool = False
               ) -> IngestReport:
    """Ingest documents (default: the documents folder) into a new index version.

    Nothing is rebuilt, and no model is loaded, when the documents, parser and model are the
    same as the live version's. Unchanged chunks reuse their stored embeddings.
    """
    started = time.perf_counter()
    files = find_documents(paths or [settings.documents_dir])
    if not files:
        raise IngestError(f"No documents (.txt, .md) found in {', '.join(map(str, paths or [settings.documents_dir]))}.")
    loaded = [load_document(p) for p in files]  # raises IngestError before anything changes
    fingerprint = _fingerprint({info.path: text for info, text in loaded})
    with ingest_lock(settings.data_dir):
        live = live_version_dir(settings.data_dir)
        if live is not None and not force and read_manifest(live).get("fingerprint") == fingerprint:
            manifest = read_manifest(live)
            return IngestReport(version=live.name, up_to_date=True,
                                documents=[d["title"] for d in manifest["documents"]],
                                chunks=manifest["chunks"], reused=manifest["chunks"],
                                seconds=time.perf_counter() - started)
        parsed = [parse_document(info, text) for info, text in loaded]
        report = _build_version(settings, parsed, fingerprint, live, embedder or Embedder(),
                                progress)
        _remove_old_versions(settings.data_dir, keep=report.version)
    report.seconds = time.perf_counter() - started
    return report


def _build_version(settings: Settings, parsed: list[ParsedDocument], fingerprint: dict,
                   live: Path | None, embedder: Embedder, progress) -> IngestReport:
    chunks = [c for doc in parsed for c in doc.chunks]
    ids = [c.chunk_id for c in chunks]
    if len(set(ids)) != len(ids):
        raise IngestError("Two documents produced the same section ids; give each file a "
                          "distinct name or catalog id.")
    cache = _embedding_cache(live)
    chunk_texts = [c.text for c in chunks]
    unit_texts = [unit_embedding_text(c.section_path, u) for c in chunks for u in c.units]
    todo = [t for t in dict.fromkeys(chunk_texts + unit_texts) if _key(t) not in cache]
    embed_started = time.perf_counter()
    if todo:
        for text, vector in zip(todo, embedder.embed(todo, progress=progress)):
            cache[_key(text)] = vector
    embed_seconds = time.perf_counter() - embed_started
    vectors = np.array([cache[_key(t)] for t in chunk_texts], dtype=np.float32)
    unit_vectors = np.array([cache[_key(t)] for t in unit_texts], dtype=np.float32)

    version = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder = indexes_dir(settings.data_dir) / version
    if folder.exists():
        shutil.rmtree(folder)
    collection = f"chunks-{version}"
    VectorStore.create(ids, vectors, [{"doc_id": c.doc_id, "section": c.section_id}
                                      for c in chunks],
                       path=folder / "chroma", url=settings.chroma_url, name=collection)
    LexicalIndex.build(chunk_texts).save(folder / "lexical")
    LexicalIndex.build([" ".join(c.section_path) or c.doc_title for c in chunks]).save(folder / "titles")
    manifest = {
        "fingerprint": fingerprint,
        "collection": collection,
        "chroma_url": settings.chroma_url,
        "chunks": len(chunks),
        "documents": [{"id": d.info.doc_id, "title": d.info.title, "date": d.info.date,
                       "status": d.info.status, "path": d.info.path,
                       "sections": len(d.sections)} for d in parsed],
    }
    (folder / EMBEDDING_KEYS).parent.mkdir(parents=True, exist_ok=True)
    (folder / EMBEDDING_KEYS).write_text(json.dumps(
        {"chunks": [_key(t) for t in chunk_texts], "units": [_key(t) for t in unit_texts]}))
    IndexFiles(manifest=manifest, chunks=chunks,
               pathways=[p for d in parsed for p in d.pathways],
               vectors=vectors, unit_vectors=unit_vectors).write(folder)
    publish(settings.data_dir, version)
    return IngestReport(version=version, documents=[d.info.title for d in parsed],
                        sections=sum(len(d.sections) for d in parsed), chunks=len(chunks),
                        embedded=len(todo), reused=len(set(chunk_texts + unit_texts)) - len(todo),
                        embed_seconds=embed_seconds)


def _key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _embedding_cache(live: Path | None) -> dict[str, np.ndarray]:
    """Embeddings of the live version keyed by the hash of the text that was embedded, so
    unchanged text is not embedded again."""
    if live is None:
        return {}
    try:
        files = IndexFiles.read(live)
        keys = json.loads((live / EMBEDDING_KEYS).read_text())
    except (OSError, ValueError) as exc:
        log.warning("cannot reuse embeddings from %s: %s", live, exc)
        return {}
    cache = dict(zip(keys["chunks"], files.vectors))
    cache.update(zip(keys["units"], files.unit_vectors))
    return cache


def _remove_old_versions(data_dir: Path, keep: str) -> None:
    for folder in indexes_dir(data_dir).iterdir():
        if folder.is_dir() and folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)

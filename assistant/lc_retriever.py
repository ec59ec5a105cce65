"""The engine's retrieval as a LangChain retriever, for chains and tools built on LangChain."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever


class PdbotRetriever(BaseRetriever):
    """Hybrid (dense + BM25, fused by RRF) retrieval with pathway expansion, as Documents.

    Each Document's page_content is a chunk's text; metadata holds chunk_id, section_id,
    document, date, section (heading path) and score. Returns an empty list, never None.
    """

    engine: Any
    k: int = 4

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.engine.related_chunks(query)[: self.k]
        return [
            Document(page_content=h.chunk.text, metadata={
                "chunk_id": h.chunk.chunk_id, "section_id": h.chunk.section_id,
                "document": h.chunk.doc_title, "date": h.chunk.doc_date,
                "section": " › ".join(h.chunk.section_path), "score": round(h.score, 5)})
            for h in hits
        ]

"""The live index version in memory: chunks grouped into sections, pathways, the retriever."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answer.compose import SectionView, term_keys
from assistant.answer.config import RetrievalConfig
from assistant.answer.retrieve import HybridRetriever
from knowledge.index import IndexFiles, require_live
from knowledge.lexical_store import LexicalIndex
from knowledge.settings import Settings
from knowledge.tokens import terms
from knowledge.vector_store import VectorStore


EMBEDDING_DIMENSIONS = 384  # all-MiniLM-L6-v2


@dataclass
class LoadedIndex:
    """The live index in memory: chunks grouped into sections, pathways, and the retriever."""

    files: IndexFiles
    retriever: HybridRetriever
    sections: dict[str, SectionView]
    version: str = ""


def load_index(settings: Settings, config: RetrievalConfig, folder: Path | None = None
               ) -> LoadedIndex:
    """Open the live index version (IndexMissingError when there is none), or the version in
    `folder` (a candidate being previewed)."""
    folder = folder or require_live(settings.data_dir)
    files = IndexFiles.read(folder)
    vectors = VectorStore.open(path=folder / "chroma", url=files.manifest.get("chroma_url"),
                               name=files.manifest["collection"])
    retriever = HybridRetriever(files.chunks, vectors, LexicalIndex.load(folder / "lexical"),
                                LexicalIndex.load(folder / "titles"), files.unit_vectors, config)
    return LoadedIndex(files, retriever, _section_views(files), version=folder.name)


def _section_views(files: IndexFiles) -> dict[str, SectionView]:
    """One view per section, joining the units and unit vectors of its chunks."""
    views: dict[str, SectionView] = {}
    offset = 0
    unit_vectors = files.unit_vectors.reshape(len(files.unit_vectors), -1) \
        if files.unit_vectors.ndim == 2 else np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
    for chunk in files.chunks:
        vectors = unit_vectors[offset:offset + len(chunk.units)]
        offset += len(chunk.units)
        title = chunk.section_path[-1] if chunk.section_path else ""
        unit_keys = [term_keys(set(terms(f"{title} {u.label} {u.text}"))) for u in chunk.units]
        view = views.get(chunk.section_id)
        if view is None:
            views[chunk.section_id] = SectionView(chunk.section_id, chunk.doc_title, chunk.doc_date,
                                                  chunk.section_path, list(chunk.units), vectors,
                                                  unit_keys, chunk.page)
        else:
            view.units += chunk.units
            view.vectors = np.vstack([view.vectors, vectors])
            view.unit_keys += unit_keys
    return views

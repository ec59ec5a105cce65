"""Retrieve: the Evidence for a question, its sections ranked best first.

The learned ranker (ranking.py) scores every section from features of the question and the
section; without it (an ablation), dense (Chroma, unit vectors) and lexical (BM25, headings,
shared phrases) rankings of chunks are fused by weighted reciprocal rank fusion.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assistant.answer.config import RetrievalConfig
from knowledge.lexical_store import LexicalIndex
from knowledge.records import Chunk
from knowledge.tokens import STOP_WORDS, terms, words
from knowledge.vector_store import VectorStore



@dataclass
class Hit:
    """A retrieved chunk with its fused score and the evidence behind it."""

    chunk: Chunk
    score: float
    dense: float  # cosine similarity of the chunk to the query
    unit: float  # cosine similarity of the chunk's closest unit
    lexical: float  # BM25 score


@dataclass(frozen=True)
class Evidence:
    """What retrieval found for one question: ranked chunks, their sections best first, each
    section's score, `best`, the highest similarity of any unit (sentence, item, field) in the
    documents to the question, and `close`, the sections scoring about as well as the first."""

    hits: list[Hit]
    sections: list[str]
    scores: dict[str, float]
    best: float
    close: tuple[str, ...] = ()


def document_weights(named: frozenset[str], documents: list[dict], superseded: float
                     ) -> dict[str, float]:
    """Prefer current documents (`superseded` weighs an earlier one); a question that names
    documents is answered from them alone."""
    if named:
        return {d["id"]: 1.0 if d["id"] in named else 0.0 for d in documents}
    return {d["id"]: superseded for d in documents if d.get("status") == "superseded"}


def retrieve(retriever: "HybridRetriever", vector: np.ndarray, search_text: str, k: int,
             weights: dict[str, float] | None = None) -> Evidence:
    """Run hybrid retrieval (rank fusion) for a query vector and text."""
    hits = retriever.search(vector, search_text, k, doc_weights=weights)
    scores: dict[str, float] = {}
    for hit in hits:
        scores.setdefault(hit.chunk.section_id, hit.score)
    best = max(retriever.best_similarity(vector), max((h.dense for h in hits), default=0.0))
    top = max(scores.values(), default=0.0)
    close = tuple(sid for sid, score in scores.items()
                  if score >= retriever.config.close_share * top)
    return Evidence(hits=hits, sections=list(scores), scores=scores, best=best, close=close)


def ranked_evidence(retriever: "HybridRetriever", section_ids: list[str], scores: np.ndarray,
                    vector: np.ndarray, allowed: set[str] | None, k: int) -> Evidence:
    """Evidence from the learned ranker's section scores: sections best first (only those of
    `allowed` documents when given), their chunks as hits, the k best chunks."""
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    if allowed:
        order = [i for i in order if section_ids[i].split("/", 1)[0] in allowed]
    ranked = [section_ids[i] for i in order]
    by_section = retriever.section_chunks
    unit_best = retriever.unit_similarities(vector)
    hits = [Hit(retriever.chunks[c], float(scores[i]), 0.0, float(unit_best[c]), 0.0)
            for i in order for c in by_section.get(section_ids[i], [])][:k]
    top = float(scores[order[0]]) if order else 0.0
    margin = retriever.config.close_margin
    close = tuple(section_ids[i] for i in order if scores[i] >= top - margin)
    return Evidence(hits=hits, sections=ranked,
                    scores={section_ids[i]: float(scores[i]) for i in order},
                    best=float(unit_best.max(initial=0.0)), close=close)


class HybridRetriever:
    """Ranks chunks for a query vector and query text."""

    def __init__(self, chunks: list[Chunk], vectors: VectorStore, lexical: LexicalIndex,
                 titles: LexicalIndex, unit_vectors: np.ndarray, config: RetrievalConfig):
        self.config = config
        self.chunks = chunks
        self._by_id = {c.chunk_id: i for i, c in enumerate(chunks)}
        self.section_chunks: dict[str, list[int]] = {}
        for i, chunk in enumerate(chunks):
            self.section_chunks.setdefault(chunk.section_id, []).append(i)
        self._vectors = vectors
        self._lexical = lexical
        self._titles = titles
        self._unit_vectors = unit_vectors
        self._unit_chunk = np.repeat(np.arange(len(chunks)), [len(c.units) for c in chunks])
        self._depth = config.depth
        self.lexical = lexical
        self.titles = titles
        frequencies = document_frequencies([c.text for c in chunks])
        self.common = {t for t, n in frequencies.items() if n > config.common_share * len(chunks)}
        self.idf = {t: math.log((len(chunks) + 1) / (n + 0.5)) for t, n in frequencies.items()}
        self._phrases = [phrases(c.text) for c in chunks]

    def search(self, query_vector: np.ndarray, query_text: str, k: int,
               doc_weights: dict[str, float] | None = None) -> list[Hit]:
        """The k best chunks by weighted reciprocal rank fusion of five rankings: chunk vectors
        (Chroma), best unit vector per chunk, BM25 over chunk text, BM25 over section headings,
        and the longest phrase shared with the question.
        `doc_weights` scales the fused score of each document's chunks (default 1)."""
        dense = self._vectors.search(query_vector, self._depth)
        dense_sim = {self._by_id[cid]: sim for cid, sim in dense if cid in self._by_id}
        unit_best = self._best_unit_similarity(query_vector)
        query_terms = [t for t in terms(query_text) if t not in self.common]
        bm25 = self._lexical.scores(query_terms)
        title = self._titles.scores(query_terms)
        phrase = self._phrase_scores(query_text)
        dense_top = max(dense_sim.values(), default=0.0)
        c = self.config
        rankings = [
            [i for i, sim in dense_sim.items() if sim >= dense_top - c.similarity_margin],
            _near_top(unit_best, self._depth, margin=c.similarity_margin),
            _near_top(bm25, self._depth, share=c.lexical_share),
            _near_top(title, self._depth, share=c.title_share),
            _near_top(phrase, self._depth, share=1.0),
        ]
        weights = (c.dense_weight, c.unit_weight, c.bm25_weight, c.title_weight, c.phrase_weight)
        fused: dict[int, float] = {}
        for weight, ranking in zip(weights, rankings):
            for rank, idx in enumerate(ranking):
                fused[idx] = fused.get(idx, 0.0) + weight / (c.rrf_k + rank + 1)
        if doc_weights:
            for idx in fused:
                fused[idx] *= doc_weights.get(self.chunks[idx].doc_id, 1.0)
        best = sorted(fused, key=lambda i: -fused[i])[:k]
        return [Hit(self.chunks[i], fused[i], dense_sim.get(i, 0.0), float(unit_best[i]),
                    float(bm25[i])) for i in best]

    def _phrase_scores(self, query_text: str) -> np.ndarray:
        """For each chunk, the longest run of words it shares with the query ("Building Back
        Stronger", "head of school"): names that embeddings and single terms miss."""
        wanted = phrases(query_text)
        return np.array([max((len(p) for p in wanted & have), default=0)
                         for have in self._phrases], dtype=np.float32)

    def unit_similarities(self, query_vector: np.ndarray) -> np.ndarray:
        """For each chunk, the cosine similarity of its closest unit."""
        return self._best_unit_similarity(query_vector)

    def best_similarity(self, query_vector: np.ndarray) -> float:
        """The highest cosine similarity of any unit to the query: how close the documents come."""
        return float(self._best_unit_similarity(query_vector).max(initial=0.0))

    def _best_unit_similarity(self, query_vector: np.ndarray) -> np.ndarray:
        """For each chunk, the cosine similarity of its closest unit (sentence, item, field)."""
        best = np.full(len(self.chunks), -1.0, dtype=np.float32)
        if len(self._unit_vectors):
            np.maximum.at(best, self._unit_chunk, self._unit_vectors @ query_vector)
        return best


def phrases(text: str, longest: int = 4) -> set[tuple[str, ...]]:
    """Runs of 2..`longest` words that start and end with a word that is not a stop word."""
    tokens = words(text)
    found = set()
    for n in range(2, longest + 1):
        for i in range(len(tokens) - n + 1):
            run = tuple(tokens[i:i + n])
            if run[0] not in STOP_WORDS and run[-1] not in STOP_WORDS:
                found.add(run)
    return found


def document_frequencies(texts: list[str]) -> dict[str, int]:
    """In how many texts each term occurs. Terms in most of them ("camden", "learn") say nothing
    about which passage answers, so lexical search ignores them; the rest weigh
    log((N + 1) / (df + 0.5)) in term overlap."""
    counts: dict[str, int] = {}
    for text in texts:
        for term in set(terms(text)):
            counts[term] = counts.get(term, 0) + 1
    return counts


def _near_top(scores: np.ndarray, depth: int, share: float | None = None,
              margin: float | None = None) -> list[int]:
    """Indices of the best scores, best first, keeping only those close to the top one."""
    order = [int(i) for i in np.argsort(-scores)[:depth]]
    if not order or scores[order[0]] <= 0:
        return []
    top = float(scores[order[0]])
    floor = top * share if share is not None else top - (margin or 0.0)
    return [i for i in order if scores[i] >= floor and scores[i] > 0]

"""The Chroma store: our own embeddings, no default embedding function, telemetry off; embedded,
searched exactly from its saved vectors without importing chromadb, with Chroma's answers."""
import json
from pathlib import Path

import numpy as np

from knowledge.exact_vectors import ExactVectors
from knowledge.vector_store import VectorStore

EVAL_SETS = [Path("evals/cases.jsonl"), Path("evals/blind/round-1.jsonl"),
             Path("evals/conversations.jsonl")]


def test_create_open_and_search_with_our_vectors(tmp_path):
    vectors = np.eye(3, 8, dtype=np.float32)
    created = VectorStore.create(["a", "b", "c"], vectors, [{"n": i} for i in range(3)],
                                 path=tmp_path / "chroma", name="test")
    assert created._collection._embedding_function is None
    settings = created._collection._client.get_settings()
    assert settings.anonymized_telemetry is False
    store = VectorStore.open(path=tmp_path / "chroma", name="test")
    assert isinstance(store, ExactVectors) and store.count() == 3
    best = store.search(vectors[1], 2)
    assert best[0][0] == "b" and abs(best[0][1] - 1.0) < 1e-5
    assert created.search(vectors[1], 2)[0][0] == "b"


def test_exact_search_ranks_as_chroma_does(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"c{i}" for i in range(len(vectors))]
    chroma = VectorStore.create(ids, vectors, [{"n": i} for i in range(len(ids))],
                                path=tmp_path / "chroma", name="chunks")
    exact = VectorStore.open(path=tmp_path / "chroma", name="chunks")
    for query in vectors[:40] + rng.normal(scale=0.05, size=(40, 384)).astype(np.float32):
        query /= np.linalg.norm(query)
        ours, theirs = exact.search(query, 20), chroma.search(query, 20)
        assert ours[0][0] == theirs[0][0]
        assert max(abs(a[1] - b[1]) for a, b in zip(ours, theirs) if a[0] == b[0]) < 1e-5
    assert exact.search(vectors[0], 0) == [] and len(exact.search(vectors[0], 999)) == 300


def test_the_real_index_ranks_every_eval_question_as_chroma_does(built_settings, embedder):
    from knowledge.index import live_version_dir, read_manifest
    from knowledge.vector_store import _client

    folder = live_version_dir(built_settings.data_dir)
    name = read_manifest(folder)["collection"]
    chroma = VectorStore(_client(folder / "chroma").get_collection(name, embedding_function=None))
    exact = VectorStore.open(path=folder / "chroma", name=name)
    questions = [json.loads(line)["question"] for path in EVAL_SETS
                 for line in path.read_text().splitlines() if line.strip()]
    for vector in embedder.embed(questions):
        ours, theirs = exact.search(vector, 20), chroma.search(vector, 20)
        assert [i for i, _ in ours] == [i for i, _ in theirs]
        assert max(abs(a[1] - b[1]) for a, b in zip(ours, theirs)) < 1e-5


def test_the_saved_bm25_scores_as_bm25s_does(built_settings):
    from knowledge.index import live_version_dir
    from knowledge.lexical_store import _bm25s
    from knowledge.saved_bm25 import SavedBM25
    from knowledge.tokens import terms

    folder = live_version_dir(built_settings.data_dir)
    questions = [json.loads(line)["question"] for path in EVAL_SETS
                 for line in path.read_text().splitlines() if line.strip()]
    for index in ("lexical", "titles"):
        theirs, ours = _bm25s().BM25.load(str(folder / index)), SavedBM25(folder / index)
        for question in questions:
            known = [t for t in terms(question) if t in theirs.vocab_dict]
            if known:
                assert np.array_equal(np.asarray(theirs.get_scores(known), dtype=np.float32),
                                      ours.get_scores(known))

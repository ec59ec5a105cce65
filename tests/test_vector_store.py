"""The Chroma store: our own embeddings, no default embedding function, telemetry off."""
import numpy as np

from knowledge.vector_store import VectorStore


def test_create_open_and_search_with_our_vectors(tmp_path):
    vectors = np.eye(3, 8, dtype=np.float32)
    VectorStore.create(["a", "b", "c"], vectors, [{"n": i} for i in range(3)],
                       path=tmp_path / "chroma", name="test")
    store = VectorStore.open(path=tmp_path / "chroma", name="test")
    assert store.count() == 3
    best = store.search(vectors[1], 2)
    assert best[0][0] == "b" and abs(best[0][1] - 1.0) < 1e-5
    assert store._collection._embedding_function is None
    settings = store._collection._client.get_settings()
    assert settings.anonymized_telemetry is False

"""MemoEmbedder: the wrapped model's vectors, each distinct text embedded once."""
from __future__ import annotations

import numpy as np

from knowledge.memo_embedder import MemoEmbedder
from tests.conftest import CountingEmbedder


def test_each_distinct_text_is_embedded_once_and_gets_the_models_vector(embedder):
    counting = CountingEmbedder(embedder)
    memo = MemoEmbedder(counting)
    first = memo.embed(["What is an ECT?", "Who leads the NPQH?", "What is an ECT?"])
    again = memo.embed(["Who leads the NPQH?", "Where is the SENCO award?"])
    assert counting.texts == ["What is an ECT?", "Who leads the NPQH?",
                              "Where is the SENCO award?"]
    assert memo.embedded == 3 and memo.name == embedder.name
    assert first.shape == (3, again.shape[1]) and first.dtype == np.float32
    assert np.array_equal(first[0], first[2]) and np.array_equal(first[1], again[0])
    alone = embedder.embed_query("Where is the SENCO award?")
    assert float(np.dot(again[1], alone)) > 0.9999
    assert np.array_equal(memo.embed_query("What is an ECT?"), first[0])
    assert len(counting.texts) == 3

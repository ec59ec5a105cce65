"""`pdbot bench`: answer latency, cold start, ingest and re-ingest times, each beside a reference.

- warm answer latency p50/p95 over the eval questions, next to the time to embed one query;
- cold `pdbot ask` wall time, next to the bare import time of sentence-transformers;
- full ingest time (fresh data directory), next to the time to embed the same texts;
- re-ingest of unchanged documents, and whether it loaded the model (it must not);
- `pdbot usage` over 10,000 stored answers (the eval questions' real answers and embeddings,
  repeated with a little noise on the embeddings so that grouping does real work).
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from evals.metrics import percentile

USAGE_ANSWERS = 10_000


def _wall(cmd: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


class _NoModel:
    """An embedder that fails if used: proves a re-ingest of unchanged documents loads no model."""

    name = "no-model"
    loaded = False

    def embed(self, texts, **_):
        _NoModel.loaded = True
        raise RuntimeError("re-ingest tried to embed")


def run_bench(settings, repeat: int = 3) -> dict:
    """Run every measurement and return {"rows": [{"measure", "value", "reference"}], ...}."""
    import os

    from assistant.batch import parse_history
    from assistant.answer.engine import Engine
    from evals.runner import DEFAULT_CASES, load_cases
    from ingest.parse import parse_document
    from ingest.chunking import unit_embedding_text
    from ingest.loaders import load_document
    from ingest.pipeline import run_ingest
    from knowledge.catalog import find_documents
    from ingest.abbreviations import defined_abbreviations
    from knowledge.domain import load_domain
    from knowledge.embedder import Embedder
    from knowledge.example_vectors import example_texts
    from knowledge.glossary import build_glossary, corpus_words

    rows, figures = [], {}
    embedder = Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        ingest_times = []
        for run in range(repeat):  # each run from an empty data directory, model load included
            fresh = replace(settings, data_dir=Path(tmp) / f"data-{run}")
            started = time.perf_counter()
            run_ingest(fresh, embedder=Embedder())
            ingest_times.append(time.perf_counter() - started)
        docs = [parse_document(*load_document(p)) for p in find_documents([settings.documents_dir])]
        texts = [c.text for d in docs for c in d.chunks]
        texts += [unit_embedding_text(c.section_path, u) for d in docs for c in d.chunks for u in c.units]
        texts += example_texts(load_domain(settings.domain_dir), build_glossary(  # intent examples
            load_domain(settings.domain_dir), defined_abbreviations(texts), corpus_words(texts)))
        embedder.embed(["warm-up"])
        started = time.perf_counter()
        embedder.embed(texts)
        embed_all = time.perf_counter() - started
        figures["ingest_s"] = statistics.median(ingest_times)
        rows.append({"measure": "full ingest (fresh data dir, model load included)",
                     "value": f"{figures['ingest_s']:.1f} s",
                     "reference": f"embedding the same {len(texts)} texts: {embed_all:.1f} s"})

        started = time.perf_counter()
        report = run_ingest(fresh, embedder=_NoModel())
        figures["reingest_s"] = time.perf_counter() - started
        rows.append({"measure": "re-ingest, documents unchanged",
                     "value": f"{figures['reingest_s'] * 1000:.0f} ms",
                     "reference": "target < 1 s; model loaded: "
                                  f"{'yes' if _NoModel.loaded else 'no'}; up to date: {report.up_to_date}"})

        engine = Engine.from_settings(fresh, embedder=embedder)
        cases = load_cases(DEFAULT_CASES)
        engine.answer("warm-up question about NPQs")
        latencies = [engine.answer(c["question"], parse_history(c["history"])).latency_ms
                     for c in cases]
        embeds = []
        for c in cases:
            started = time.perf_counter()
            embedder.embed_query(c["question"])
            embeds.append((time.perf_counter() - started) * 1000)
        embed_p50 = statistics.median(embeds)
        figures.update(answer_p50_ms=percentile(latencies, 50), answer_p95_ms=percentile(latencies, 95),
                       embed_p50_ms=embed_p50)
        rows.append({"measure": f"warm answer latency p50 / p95 ({len(cases)} eval questions)",
                     "value": f"{figures['answer_p50_ms']:.1f} / {figures['answer_p95_ms']:.1f} ms",
                     "reference": f"one query embedding p50: {embed_p50:.1f} ms "
                                  f"(p95 = {figures['answer_p95_ms'] / embed_p50:.2f}x; target <= 2x)"})

        env = {**os.environ, "PDBOT_DATA_DIR": str(fresh.data_dir)}
        cold = statistics.median(
            _wall([sys.executable, "-m", "assistant.cli", "ask", "What should an HLTA do next?"], env)
            for _ in range(repeat))
        bare = statistics.median(
            _wall([sys.executable, "-c", "import sentence_transformers"]) for _ in range(repeat))
        figures.update(cold_ask_s=cold, import_st_s=bare)
        rows.append({"measure": "cold `pdbot ask` wall time",
                     "value": f"{cold:.2f} s",
                     "reference": f"bare `import sentence_transformers`: {bare:.2f} s"})
        usage_s = _usage_time(fresh, engine, cases, Path(tmp), env)
        figures["usage_10k_s"] = usage_s
        rows.append({"measure": "`pdbot usage` over 10,000 stored answers",
                     "value": f"{usage_s:.2f} s",
                     "reference": "cold `pdbot ask` above (process start included in both)"})
        help_s = statistics.median(
            _wall([sys.executable, "-m", "assistant.cli", "--help"]) for _ in range(repeat))
        rows.append({"measure": "`pdbot --help`", "value": f"{help_s * 1000:.0f} ms",
                     "reference": "no heavy imports at start-up"})
    return {"rows": rows, "figures": figures}


def _usage_time(settings, engine, cases: list[dict], tmp: Path, env: dict,
                stored: int = USAGE_ANSWERS) -> float:
    """Wall time of `pdbot usage` over `stored` answers seeded into a fresh store."""
    import numpy as np

    from assistant.slack.feedback import FeedbackStore

    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    answers = [engine.answer(c["question"]) for c in cases]
    noise = np.random.default_rng(0)
    for n in range(stored):
        answer = answers[n % len(answers)]
        if answer.vector is not None:
            vector = answer.vector + noise.normal(0, 0.02, answer.vector.shape).astype(np.float32)
            answer = replace(answer, vector=vector / np.linalg.norm(vector))
        answer_id = store.record_answer(answer, [], "C1", f"U{n % 300}")
        if n % 7 == 0:
            store.record_vote(answer_id, f"U{n % 300}", "down" if n % 2 else "up", "")
    return _wall([sys.executable, "-m", "assistant.cli", "usage", "--out", str(tmp / "usage")], env)

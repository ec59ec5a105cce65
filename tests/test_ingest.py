"""Ingest end to end with the real model and embedded Chroma: incremental, safe on failure."""
from __future__ import annotations

import time

import pytest

from assistant.answer.engine import Engine
from ingest.errors import IngestError, LockedError
from knowledge.settings import Settings
from ingest.pipeline import ingest_lock, run_ingest
from knowledge.index import live_version_dir, read_manifest


class CountingEmbedder:
    """Wraps the real embedder and counts the texts it is asked to embed."""

    def __init__(self, inner, fail_after: int | None = None):
        self.inner, self.count, self.fail_after = inner, 0, fail_after
        self.name = inner.name

    def embed(self, texts, **kwargs):
        if self.fail_after is not None and self.count + len(texts) > self.fail_after:
            raise RuntimeError("killed mid-embedding")
        self.count += len(texts)
        return self.inner.embed(texts, **kwargs)

    def embed_query(self, text):
        return self.inner.embed_query(text)


class NoModel:
    name = "none"

    def embed(self, texts, **kwargs):
        raise AssertionError("the model must not be used")


@pytest.fixture
def settings(tmp_path, documents_copy) -> Settings:
    return Settings(data_dir=tmp_path / "data", documents_dir=documents_copy)


def test_ingest_builds_a_live_index_with_document_metadata(built_settings):
    folder = live_version_dir(built_settings.data_dir)
    manifest = read_manifest(folder)
    assert {(d["title"], d["date"]) for d in manifest["documents"]} == {
        ("Professional Development Strategy", "current"),
        ("Professional Development Framework", "July 2023")}
    assert manifest["chunks"] > 60
    assert (folder / "chroma").is_dir() and (folder / "lexical").is_dir()


def test_reingest_of_unchanged_documents_embeds_nothing_and_loads_no_model(built_settings):
    started = time.perf_counter()
    report = run_ingest(built_settings, embedder=NoModel())
    assert report.up_to_date and report.embedded == 0
    assert time.perf_counter() - started < 1.0


def test_changing_one_section_reembeds_only_its_texts(settings, embedder):
    counter = CountingEmbedder(embedder)
    first = run_ingest(settings, embedder=counter)
    assert counter.count == first.embedded > 500
    strategy = settings.documents_dir / "camden-professional-development-strategy-current.txt"
    strategy.write_text(strategy.read_text().replace(
        "Sessions take place each half term.", "Sessions take place twice a term."))
    counter.count = 0
    second = run_ingest(settings, embedder=counter)
    assert not second.up_to_date and second.version != first.version
    assert 0 < counter.count <= 3  # the SEND Networks chunk and its changed sentence
    engine = Engine.from_settings(settings, embedder=embedder)
    answer = engine.answer("How often do SEND networks meet?")
    assert "twice a term" in answer.answer


def test_a_corrupt_document_is_named_and_the_index_keeps_answering(settings, embedder):
    run_ingest(settings, embedder=embedder)
    before = live_version_dir(settings.data_dir)
    bad = settings.documents_dir / "broken.txt"
    bad.write_bytes(b"\x00\x01binary\xff")
    with pytest.raises(IngestError, match="broken.txt"):
        run_ingest(settings, embedder=embedder)
    assert live_version_dir(settings.data_dir) == before
    answer = Engine.from_settings(settings, embedder=embedder).answer("What should an HLTA do next?")
    assert answer.answered


def test_an_empty_or_unsupported_file_gets_a_clear_error(settings, tmp_path, embedder):
    empty = tmp_path / "empty.md"
    empty.write_text("  \n")
    with pytest.raises(IngestError, match="empty.md: is empty"):
        run_ingest(settings, [empty], embedder=embedder)
    other = tmp_path / "notes.xyz"
    other.write_text("text")
    with pytest.raises(IngestError, match="unsupported file type"):
        run_ingest(settings, [other], embedder=embedder)


def test_an_ingest_killed_mid_embedding_leaves_the_previous_index_answering(settings, embedder):
    run_ingest(settings, embedder=embedder)
    before = live_version_dir(settings.data_dir)
    strategy = settings.documents_dir / "camden-professional-development-strategy-current.txt"
    strategy.write_text(strategy.read_text().replace("Torriano", "Torriano Infant"))
    with pytest.raises(RuntimeError, match="killed"):
        run_ingest(settings, embedder=CountingEmbedder(embedder, fail_after=0))
    assert live_version_dir(settings.data_dir) == before
    answer = Engine.from_settings(settings, embedder=embedder).answer(
        "Which schools make up the Research School?")
    assert "Torriano Primary" in answer.answer


def test_a_second_ingest_at_the_same_time_is_refused_clearly(settings, embedder):
    with ingest_lock(settings.data_dir):
        with pytest.raises(LockedError, match="Another `pdbot ingest` is running"):
            run_ingest(settings, embedder=embedder)

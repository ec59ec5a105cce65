"""Ingest: documents -> parsed chunks -> embeddings (reused when unchanged) -> a new live index."""
from __future__ import annotations

import fcntl
import hashlib
import logging
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.errors import IngestError, LockedError
from ingest.formats.messages import no_sections
from knowledge.settings import Settings
from ingest.changes import ChangeReport, diff_chunks
from ingest.abbreviations import defined_abbreviations
from ingest.chunking import unit_embedding_text
from ingest.loaders import check_editions, duplicate_section_message, read_document
from ingest.parse import PARSER_VERSION, ParsedDocument, parse_document
from knowledge.catalog import SUPPORTED_SUFFIXES, find_documents
from knowledge.domain import load_domain
from knowledge.example_vectors import cached_example_vectors, example_texts
from knowledge.glossary import build_glossary, corpus_words
from knowledge.embedder import EMBEDDING_NAME, Embedder
from knowledge.index import IndexFiles, indexes_dir, live_version_dir, read_manifest
from knowledge.lexical_store import LexicalIndex
from knowledge.vector_store import VectorStore
from knowledge.versions import (VersionRecord, copy_sources, make_live, prune,
                                record_event)

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What an ingest did."""

    version: str = ""
    up_to_date: bool = False
    documents: list[str] = field(default_factory=list)
    sections: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    changes: ChangeReport | None = None
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)  # e.g. a PDF page that is only an image
    first: bool = False  # there was no index before: the report is one line per document
    candidate: bool = False  # built, not published (an owner previews it in Slack)
    per_document: list[dict] = field(default_factory=list)  # title, date and counts (below)
    abbreviations: dict = field(default_factory=dict, repr=False)
    known_words: frozenset = field(default_factory=frozenset, repr=False)
    texts: dict = field(default_factory=dict, repr=False)  # path: the text its loader read


    def structure_lines(self) -> list[str]:
        """Per document, the structure found beside the live version's: "Framework (July
        2023): 14 sections (was 22), 1 table (was 1), 0 pathway stages (was 10)", so lost
        headings, tables or stages show before anything is published."""
        return [structure_line(doc) for doc in self.per_document]


COUNTED = (("sections", "section", "sections"), ("tables", "table", "tables"),
           ("stages", "pathway stage", "pathway stages"))


def structure_line(doc: dict) -> str:
    """One document's counts, each with the previous version's ("was") where there was one."""
    parts = []
    for key, one, many in COUNTED:
        part = f"{doc[key]} {one if doc[key] == 1 else many}"
        if doc.get("was", {}).get(key) is not None:
            part += f" (was {doc['was'][key]})"
        parts.append(part)
    date = f" ({doc['date']})" if doc.get("date") else ""
    return f"{doc['title']}{date}: " + ", ".join(parts)


def _per_document(parsed: list[ParsedDocument], live: Path | None) -> list[dict]:
    """Title, date and counts of each parsed document, with the live version's counts of the
    same document (by id) as "was"."""
    before = {}
    if live is not None:
        try:
            before = {d["id"]: d for d in read_manifest(live)["documents"]}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("cannot read the live index to compare: %s", exc)
    out = []
    for doc in parsed:
        old = before.get(doc.info.doc_id)
        out.append({"title": doc.info.title, "date": doc.info.date, "sections": len(doc.sections),
                    "tables": doc.tables, "stages": doc.stages, "chunks": len(doc.chunks),
                    "was": {key: old.get(key) for key, _, _ in COUNTED} if old else {}})
    return out


@contextmanager
def ingest_lock(data_dir: Path):
    """Hold an exclusive lock on the data directory, or raise LockedError at once."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "ingest.lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockedError(f"Another `pdbot ingest` is running on {data_dir}; "
                              "wait for it to finish.") from exc
        yield


def _fingerprint(texts: dict[str, str]) -> dict:
    return {
        "parser": PARSER_VERSION,
        "model": EMBEDDING_NAME,
        "documents": {path: hashlib.sha1(text.encode()).hexdigest()
                      for path, text in sorted(texts.items())},
    }


def run_ingest(settings: Settings, paths: list[Path] | None = None,
               embedder: Embedder | None = None, progress=None, force: bool = False,
               dry_run: bool = False, publish_now: bool = True, by: str = "cli",
               engine_config: dict | None = None) -> IngestReport:
    """Ingest documents (default: the documents folder) into a new index version.

    Nothing is rebuilt, and no model is loaded, when the documents, parser and model are the
    same as the live version's. Unchanged chunks reuse their stored embeddings. The report says
    which documents and sections changed; `dry_run` stops there and changes nothing. Without
    `publish_now` the version is a candidate: built and recorded, not live (an owner previews
    it in Slack). `by` is who built it ("cli", or an owner's Slack id). An edition an owner
    published from Slack is not replaced by the default documents folder without `force`.
    `engine_config` (the answer engine's settings, as plain values) is kept with the version.
    """
    started = time.perf_counter()
    files = find_documents(paths or [settings.documents_dir])
    if not files:
        raise IngestError(f"No documents ({', '.join(SUPPORTED_SUFFIXES)}) found in "
                          f"{', '.join(map(str, paths or [settings.documents_dir]))}.")
    documents = [read_document(p) for p in files]  # raises IngestError before anything changes
    check_editions(documents)
    loaded = [(d.info, d.text) for d in documents]
    warnings = [w for d in documents for w in d.warnings]
    texts = {info.path: text for info, text in loaded}
    fingerprint = _fingerprint(texts)
    with ingest_lock(settings.data_dir):
        live = live_version_dir(settings.data_dir)
        if paths is None and not force and not dry_run:
            _keep_owner_edition(live, fingerprint)
        if live is not None and not force and read_manifest(live).get("fingerprint") == fingerprint:
            manifest = read_manifest(live)
            return IngestReport(version=live.name, up_to_date=True,
                                documents=[d["title"] for d in manifest["documents"]],
                                chunks=manifest["chunks"], reused=manifest["chunks"],
                                seconds=time.perf_counter() - started, warnings=warnings,
                                texts=texts)
        parsed = [parse_document(info, text) for info, text in loaded]
        for doc in parsed:
            if not doc.sections:
                raise IngestError(no_sections(Path(doc.info.path)))
        warnings += [w for d in parsed for w in d.warnings]
        changes = _changes(live, parsed)
        per_document = _per_document(parsed, live)
        if dry_run:
            return IngestReport(up_to_date=changes.empty and live is not None, dry_run=True,
                                documents=[d.info.title for d in parsed], changes=changes,
                                sections=sum(len(d.sections) for d in parsed),
                                chunks=sum(len(d.chunks) for d in parsed),
                                seconds=time.perf_counter() - started, warnings=warnings,
                                per_document=per_document, texts=texts)
        embedder = embedder or Embedder.for_settings(settings)
        report = _build_version(settings, parsed, fingerprint, live, embedder, progress)
        folder = indexes_dir(settings.data_dir) / report.version
        documents = copy_sources(files, [d.info for d in parsed], folder)
        VersionRecord(version=report.version, created=time.time(), by=by, documents=documents,
                      changes=changes.summary(), engine=engine_config).write(folder)
        if publish_now:
            make_live(settings.data_dir, report.version, by)
        else:
            record_event(settings.data_dir, "candidate", report.version, by,
                         files=[{"file": d["file"], "sha1": d["sha1"]} for d in documents])
        report.embedded += _warm_example_cache(settings, report.abbreviations,
                                               report.known_words, embedder)
        report.changes, report.warnings = changes, warnings
        report.first, report.candidate = live is None, not publish_now
        report.per_document, report.texts = per_document, texts
        prune_versions(settings)
    report.seconds = time.perf_counter() - started
    return report


def publish_version(settings: Settings, version: str, by: str, event: str = "publish",
                    team: str = "") -> dict:
    """Make a built version live (a candidate, or an earlier version for a rollback) under the
    ingest lock, record who did it (and from which Slack team), and prune what
    PDBOT_KEEP_VERSIONS no longer keeps."""
    with ingest_lock(settings.data_dir):
        entry = make_live(settings.data_dir, version, by, event=event, team=team)
        prune_versions(settings)
    return entry


def prune_versions(settings: Settings) -> list[str]:
    """Remove versions beyond the last PDBOT_KEEP_VERSIONS published (see versions.prune)."""
    return prune(settings.data_dir, settings.keep_versions,
                 lambda folder: drop_server_collection(folder, settings))


def _keep_owner_edition(live: Path | None, fingerprint: dict) -> None:
    """Refuse to replace, from the documents folder, an edition an owner published in Slack."""
    if live is None or read_manifest(live).get("fingerprint") == fingerprint:
        return
    record = VersionRecord.read(live)
    if record is not None and record.by not in ("", "cli"):
        files = ", ".join(d["file"] for d in record.documents)
        raise IngestError(
            f"The live index was published from Slack by {record.by} "
            f"({time.strftime('%Y-%m-%d %H:%M', time.localtime(record.created))}: {files}); "
            "ingesting the documents folder would replace it. Name the files to ingest, or "
            "add --force to replace it (`pdbot rollback` can bring it back).")


def _changes(live: Path | None, parsed: list[ParsedDocument]) -> ChangeReport:
    old_chunks, old_titles = [], {}
    if live is not None:
        try:
            files = IndexFiles.read(live)
            old_chunks = files.chunks
            old_titles = {d["id"]: d["title"] for d in files.manifest["documents"]}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("cannot read the live index to compare: %s", exc)
    new_chunks = [c for d in parsed for c in d.chunks]
    return diff_chunks(old_chunks, new_chunks, old_titles,
                       {d.info.doc_id: d.info.title for d in parsed})


def _build_version(settings: Settings, parsed: list[ParsedDocument], fingerprint: dict,
                   live: Path | None, embedder: Embedder, progress) -> IngestReport:
    chunks = [c for doc in parsed for c in doc.chunks]
    ids = [c.chunk_id for c in chunks]
    if len(set(ids)) != len(ids):  # distinct files have distinct ids (check_editions)
        raise IngestError(duplicate_section_message(
            {d.info.doc_id: d.info.path for d in parsed},
            sorted({i for i in ids if ids.count(i) > 1})))
    cache = _embedding_cache(live)
    chunk_texts = [c.text for c in chunks]
    unit_texts = [unit_embedding_text(c.section_path, u) for c in chunks for u in c.units]
    todo = [t for t in dict.fromkeys(chunk_texts + unit_texts) if _key(t) not in cache]
    embed_started = time.perf_counter()
    if todo:
        log.info("embedding %d texts (%d reused)", len(todo), len(chunk_texts + unit_texts) - len(todo))
        for text, vector in zip(todo, embedder.embed(todo, progress=progress)):
            cache[_key(text)] = vector
    embed_seconds = time.perf_counter() - embed_started
    vectors = np.array([cache[_key(t)] for t in chunk_texts], dtype=np.float32)
    unit_vectors = np.array([cache[_key(t)] for t in unit_texts], dtype=np.float32)

    version = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder = indexes_dir(settings.data_dir) / version
    if folder.exists():
        shutil.rmtree(folder)
    collection = f"chunks-{version}"
    VectorStore.create(ids, vectors, [{"doc_id": c.doc_id, "section": c.section_id}
                                      for c in chunks],
                       path=folder / "chroma", url=settings.chroma_url, name=collection)
    LexicalIndex.build(chunk_texts).save(folder / "lexical")
    LexicalIndex.build([" ".join(c.section_path) or c.doc_title for c in chunks]).save(folder / "titles")
    manifest = {
        "fingerprint": fingerprint,
        "collection": collection,
        "chroma_url": settings.chroma_url,
        "chunks": len(chunks),
        "documents": [{"id": d.info.doc_id, "title": d.info.title, "date": d.info.date,
                       "status": d.info.status, "publisher": d.info.publisher, "path": d.info.path,
                       "sections": len(d.sections), "tables": d.tables, "stages": d.stages}
                      for d in parsed],
    }
    abbreviations = defined_abbreviations(chunk_texts)
    IndexFiles(manifest=manifest, chunks=chunks, abbreviations=abbreviations,
               embedding_keys={"chunks": [_key(t) for t in chunk_texts],
                               "units": [_key(t) for t in unit_texts]},
               pathways=[p for d in parsed for p in d.pathways],
               vectors=vectors, unit_vectors=unit_vectors).write(folder)
    return IngestReport(version=version, documents=[d.info.title for d in parsed],
                        sections=sum(len(d.sections) for d in parsed), chunks=len(chunks),
                        embedded=len(todo), reused=len(set(chunk_texts + unit_texts)) - len(todo),
                        embed_seconds=embed_seconds, abbreviations=abbreviations,
                        known_words=corpus_words(chunk_texts))


def _warm_example_cache(settings: Settings, abbreviations: dict[str, str],
                        known: frozenset[str], embedder) -> int:
    """Embed the domain data's examples now, while the model is loaded, so the first start of
    the assistant after an ingest does not have to; returns how many were embedded."""
    domain = load_domain(settings.domain_dir)
    glossary = build_glossary(domain, abbreviations, known)
    return cached_example_vectors(example_texts(domain, glossary), embedder, settings.data_dir)[1]


def _key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _embedding_cache(live: Path | None) -> dict[str, np.ndarray]:
    """Embeddings of the live version keyed by the hash of the text that was embedded, so
    unchanged text is not embedded again (none when another model or runtime made them)."""
    if live is None:
        return {}
    try:
        if read_manifest(live)["fingerprint"].get("model") != EMBEDDING_NAME:
            return {}
        files = IndexFiles.read(live)
        keys = files.embedding_keys
    except (OSError, ValueError, KeyError) as exc:
        log.warning("cannot reuse embeddings from %s: %s", live, exc)
        return {}
    cache = dict(zip(keys["chunks"], files.vectors))
    cache.update(zip(keys["units"], files.unit_vectors))
    return cache


def drop_server_collection(folder: Path, settings: Settings) -> None:
    """With a Chroma server, an old version's collection lives there: delete it too."""
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError):
        return
    if manifest.get("chroma_url"):
        try:
            VectorStore.drop(url=manifest["chroma_url"], name=manifest["collection"])
        except Exception as exc:  # the server may be gone; the folder goes anyway
            log.warning("could not delete old collection %s: %s", manifest["collection"], exc)

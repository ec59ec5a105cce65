"""A candidate edition: the live version's documents with one file replaced (or one added),
built as an index version that is not live, for an owner to preview and then publish or discard.

The live version's own source files are the starting point (knowledge/versions.py keeps them
with it), so what an owner publishes from Slack builds on what staff are answered from now,
not on whatever lies in the documents folder. The new file is read and parsed before anything
is built (by run_ingest): a file that cannot be read, or that parses to no sections, raises
IngestError naming it and changes nothing.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError
from ingest.pipeline import IngestReport, drop_server_collection, run_ingest
from knowledge.catalog import (CATALOG_NAME, SUPPORTED_SUFFIXES, catalog_toml, read_catalog,
                               safe_file_name)
from knowledge.index import live_version_dir
from knowledge.settings import Settings
from knowledge.versions import SOURCE, published, record_event, version_folder

NEW_DOCUMENT = ":new"  # the target meaning "add this as another document" (never an id)


@dataclass
class Candidate:
    """What an upload would change: the candidate version ("" when it changes nothing)."""

    version: str
    document_id: str
    title: str
    file: str
    report: IngestReport


def live_sources(settings: Settings) -> Path:
    """The folder the live version was built from (its kept sources), else the documents folder."""
    live = live_version_dir(settings.data_dir)
    kept = live / SOURCE if live else None
    return kept if kept and (kept / CATALOG_NAME).exists() else settings.documents_dir


def live_documents(settings: Settings) -> list[dict]:
    """The catalogue entries of the live documents: file, id, title, date (oldest file first)."""
    folder = live_sources(settings)
    catalog = read_catalog(folder)
    return [{"file": name, **entry} for name, entry in catalog.items() if (folder / name).exists()]


def target_from_name(file_name: str, documents: list[dict]) -> str | None:
    """The catalogue id a file name carries as one of its words ("strategy-2026.docx" ->
    "strategy"), when exactly one id does; None otherwise."""
    words = set(re.split(r"[^a-z0-9]+", Path(file_name).stem.lower()))
    found = {d["id"] for d in documents if d.get("id") and d["id"].lower() in words}
    return found.pop() if len(found) == 1 else None


def prepare_candidate(settings: Settings, upload: Path, work: Path, target: str, by: str,
                      embedder, title: str = "", date: str = "") -> Candidate:
    """Build a candidate version from the live documents with `upload` as document `target`
    (a catalogue id, or NEW_DOCUMENT with `title` and `date`). `work` is a scratch folder."""
    documents = work / "documents"
    if documents.exists():
        shutil.rmtree(documents)
    source = live_sources(settings)
    shutil.copytree(source, documents, ignore=_not_documents)
    catalog = read_catalog(documents)
    name, entry = _replace(catalog, target, upload.name, title, date)
    for old in [n for n, e in catalog.items() if e.get("id") == entry["id"]]:
        (documents / old).unlink(missing_ok=True)
        del catalog[old]
    shutil.copy2(upload, documents / name)
    catalog[name] = entry
    (documents / CATALOG_NAME).write_text(catalog_toml(catalog))
    try:  # reads and parses every file before building anything
        report = run_ingest(settings, [documents], embedder=embedder, publish_now=False, by=by)
    except IngestError as exc:  # name the owner's file, not the scratch folder
        raise IngestError(str(exc).replace(f"{documents}/", "")) from exc
    if report.changes is not None and report.changes.empty:  # the same text as live
        discard(settings, report.version, by, reason="no change")
        report.version = ""
    return Candidate(report.version, entry["id"], entry["title"], name, report)


def discard(settings: Settings, version: str, by: str, reason: str = "discarded",
            team: str = "") -> None:
    """Remove a candidate that was never published, and record it."""
    live = live_version_dir(settings.data_dir)
    if not version or (live and live.name == version) or version in published(settings.data_dir):
        return  # never a version that is or was live: those go by PDBOT_KEEP_VERSIONS
    folder = version_folder(settings.data_dir, version)
    drop_server_collection(folder, settings)
    shutil.rmtree(folder, ignore_errors=True)
    record_event(settings.data_dir, "discard", version, by, reason=reason,
                 **({"team": team} if team else {}))


def _replace(catalog: dict[str, dict], target: str, upload_name: str, title: str, date: str
             ) -> tuple[str, dict]:
    """(file name, catalogue entry) for the uploaded file: the replaced document's entry (its
    id, title, publisher and status; a new date when given), or a new entry."""
    if target == NEW_DOCUMENT:
        if not title.strip():
            raise IngestError("A new document needs a title.")
        existing = {e.get("id") for e in catalog.values()}
        doc_id = _slug(title)
        while doc_id in existing:
            doc_id += "-new"
        entry = {"id": doc_id, "title": title.strip(), "date": date.strip(), "status": "current"}
    else:
        old = next((e for e in catalog.values() if e.get("id") == target), None)
        if old is None:
            raise IngestError(f"There is no document {target!r} in the catalogue.")
        entry = dict(old) | ({"date": date.strip()} if date.strip() else {})
    name = safe_file_name(upload_name)
    taken = {n for n, e in catalog.items() if e.get("id") != entry["id"]}
    if name in taken:
        name = f"{entry['id']}-{name}"
    return name, entry


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "document"


def _not_documents(folder: str, names: list[str]) -> list[str]:
    return [n for n in names
            if n != CATALOG_NAME and Path(n).suffix.lower() not in SUPPORTED_SUFFIXES]

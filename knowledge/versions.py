"""Index versions as a history: what each version holds, who published it, and going back.

Each version folder (knowledge/index.py) also keeps:
    source/          the document files it was built from, with their catalog.toml
    record.json      who built it and when, its documents (file names and SHA-1 hashes), the
                     sections it changed, and its eval summary when one was run
and the data directory keeps `history.jsonl`, one line per event: a candidate built, a
version published or rolled back to, a candidate discarded (who, when, files and hashes).
The last `keep` published versions stay on disk (sources included) so any can be made live
again in one atomic rename; older ones, and candidates nobody published within a day, go.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.catalog import CATALOG_NAME, catalog_toml
from knowledge.errors import PdbotError
from knowledge.index import indexes_dir, live_version_dir, publish

HISTORY = "history.jsonl"
RECORD = "record.json"
SOURCE = "source"
CANDIDATE_DAYS = 1.0  # a candidate nobody published within this long is removed


class VersionError(PdbotError):
    """A version that does not exist, or nothing to roll back to."""


@dataclass
class VersionRecord:
    """What one index version holds and where it came from."""

    version: str
    created: float
    by: str  # "cli", or the Slack user id of the owner who uploaded it
    documents: list[dict] = field(default_factory=list)  # id, title, date, file, sha1
    changes: dict = field(default_factory=dict)  # documents/sections added, removed, changed
    eval: dict | None = None  # summary on the project's case sets, when run
    engine: dict | None = None  # the answer engine's configuration (digest and values) at build

    def write(self, folder: Path) -> None:
        _write_json(folder / RECORD, self.__dict__)

    @classmethod
    def read(cls, folder: Path) -> "VersionRecord | None":
        try:
            data = json.loads((folder / RECORD).read_text())
            return cls(version=data["version"], created=data["created"], by=data.get("by", ""),
                       documents=data.get("documents", []), changes=data.get("changes", {}),
                       eval=data.get("eval"), engine=data.get("engine"))
        except (OSError, ValueError, KeyError):
            return None


def file_hash(path: Path) -> str:
    """The SHA-1 of a file's bytes."""
    digest = hashlib.sha1()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def record_event(data_dir: Path, event: str, version: str, by: str, **details) -> dict:
    """Append one event to history.jsonl (written whole in one call, so concurrent writers
    don't interleave lines); returns it."""
    entry = {"event": event, "version": version, "by": by, "at": time.time(), **details}
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / HISTORY).open("a") as fh:
        fh.write(json.dumps(entry) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return entry


def history(data_dir: Path) -> list[dict]:
    """Every event, oldest first (a damaged line is skipped)."""
    path = data_dir / HISTORY
    if not path.exists():
        return []
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


def published(data_dir: Path) -> list[str]:
    """Versions that were live at some point, in the order they were first made live."""
    order: list[str] = []
    for event in history(data_dir):
        if event.get("event") in ("publish", "rollback") and event["version"] not in order:
            order.append(event["version"])
    return order


def version_folder(data_dir: Path, version: str) -> Path:
    """The folder of `version`; VersionError for a name that is not a version's (a path)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}", version or ""):
        raise VersionError(f"{version!r} is not an index version name (see `pdbot versions`).")
    return indexes_dir(data_dir) / version


def make_live(data_dir: Path, version: str, by: str, event: str = "publish",
              team: str = "") -> dict:
    """Make an existing version live in one atomic rename, and record it (with the Slack team
    of the owner who did it, when there is one)."""
    folder = version_folder(data_dir, version)
    if not (folder / "manifest.json").exists():
        raise VersionError(f"There is no index version {version!r} in {data_dir} "
                           "(see `pdbot versions`).")
    before = live_version_dir(data_dir)
    publish(data_dir, version)
    record = VersionRecord.read(folder)
    return record_event(data_dir, event, version, by, **({"team": team} if team else {}),
                        previous=before.name if before else "",
                        files=[{"file": d.get("file", ""), "sha1": d.get("sha1", "")}
                               for d in (record.documents if record else [])])


def rollback_target(data_dir: Path, version: str | None = None) -> str:
    """The version a rollback makes live: `version`, or the one live before the current."""
    live = live_version_dir(data_dir)
    on_disk = {p.name for p in indexes_dir(data_dir).iterdir()} if indexes_dir(data_dir).exists() else set()
    if version:
        if version not in on_disk:
            raise VersionError(f"Version {version!r} is not on disk; `pdbot versions` lists the "
                               "ones that can be made live.")
        return version
    current = live.name if live else ""
    before = None
    for event in history(data_dir):  # the version that was live when the current one went live
        if event.get("event") in ("publish", "rollback") and event["version"] == current:
            before = event.get("previous") or before
    if not before or before not in on_disk:
        earlier = [v for v in published(data_dir) if v != current and v in on_disk]
        before = earlier[-1] if earlier else None
    if not before:
        raise VersionError("There is no earlier version to roll back to.")
    return before


def listing(data_dir: Path) -> list[dict]:
    """The published versions still on disk, newest first, with their records and events."""
    live = live_version_dir(data_dir)
    events = history(data_dir)
    rows = []
    for version in reversed(published(data_dir)):
        folder = indexes_dir(data_dir) / version
        if not (folder / "manifest.json").exists():
            continue
        record = VersionRecord.read(folder)
        made_live = [e for e in events if e["version"] == version
                     and e.get("event") in ("publish", "rollback")]
        rows.append({"version": version, "live": bool(live and live.name == version),
                     "built": record.created if record else None,
                     "built_by": record.by if record else "",
                     "published": made_live[0]["at"], "published_by": made_live[0]["by"],
                     "rolled_back_to": [{"at": e["at"], "by": e["by"]} for e in made_live
                                        if e["event"] == "rollback"],
                     "documents": record.documents if record else [],
                     "changes": record.changes if record else {},
                     "eval": record.eval if record else None})
    return rows


def prune(data_dir: Path, keep: int, drop) -> list[str]:
    """Remove versions beyond the last `keep` published ones (never the live one), and
    candidates older than a day; `drop(folder)` deletes a version's external parts (a Chroma
    server collection). Returns the versions removed."""
    folder = indexes_dir(data_dir)
    if not folder.exists():
        return []
    live = live_version_dir(data_dir)
    order = published(data_dir)
    kept = set(order[-keep:]) | ({live.name} if live else set())
    removed = []
    for version_dir in folder.iterdir():
        if not version_dir.is_dir() or version_dir.name in kept:
            continue
        if version_dir.name not in order:  # a candidate (or an older build never published)
            record = VersionRecord.read(version_dir)
            created = record.created if record else version_dir.stat().st_mtime
            if time.time() - created < CANDIDATE_DAYS * 86400:
                continue
        drop(version_dir)
        shutil.rmtree(version_dir, ignore_errors=True)
        removed.append(version_dir.name)
    return removed


def copy_sources(files: list[Path], infos: list, target: Path) -> list[dict]:
    """Copy a version's source files into its folder with a catalog.toml naming each (so the
    version can be rebuilt, and replaced one file at a time); returns the documents' records."""
    source = target / SOURCE
    source.mkdir(parents=True, exist_ok=True)
    documents, catalog = [], {}
    for path, info in zip(files, infos):
        shutil.copy2(path, source / path.name)
        documents.append({"id": info.doc_id, "title": info.title, "date": info.date,
                          "file": path.name, "sha1": file_hash(path)})
        catalog[path.name] = {"id": info.doc_id, "title": info.title, "date": info.date,
                              "status": info.status, "publisher": info.publisher}
    (source / CATALOG_NAME).write_text(catalog_toml(catalog))
    return documents


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)

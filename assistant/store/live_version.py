"""Replicas agree on the live index version through the shared database.

A publish or rollback on any replica (or `pdbot ingest` / `pdbot rollback` with
PDBOT_DATABASE_URL set) stores the version's folder once, as a tar.gz, and points the
`live_version` row at it (`share_live`). Every `pdbot slack` polls that row every few seconds
(`LiveVersionFollower`): a version it has not got is unpacked into its own data directory, made
live there with the same atomic rename `pdbot ingest` uses, and loaded, so all replicas cite
the same version within POLL_SECONDS plus a load.
"""
from __future__ import annotations

import io
import logging
import shutil
import tarfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)
POLL_SECONDS = 3.0  # how often a replica looks for a newer live version (the bound is 10 s)
SKIPPED = {"cache"}  # parts of a version folder not worth copying
KEEP_ARCHIVES = 10  # newest version folders kept in the database (a rollback re-stores its own)


def share_live(engine, data_dir: Path, entry: dict) -> None:
    """Store the live version's folder (once) and point every replica at it; `entry` is the
    history event make_live recorded (version, by, event, team)."""
    from sqlalchemy import select

    from assistant.store.database import upsert
    from assistant.store.tables import live_version

    version = entry["version"]
    store_version(engine, data_dir, version)
    with engine.begin() as db:
        db.execute(upsert(engine, live_version, dict(
            name="live", version=version, by=entry.get("by", ""), team=entry.get("team", ""),
            event=entry.get("event", "publish"), at=time.time()), ["name"]))
        _prune(db, version)
    log.info("version %s is live for every replica", version,
             extra={"event": "shared_live", "version": version})


def store_version(engine, data_dir: Path, version: str) -> None:
    """Keep a version's folder in the database (once), for replicas that lack it: a version
    going live, or an owner's candidate whose Publish button another replica may receive."""
    from sqlalchemy import select

    from assistant.store.database import insert_ignoring
    from assistant.store.tables import index_versions
    from knowledge.index import indexes_dir

    with engine.connect() as db:
        if db.execute(select(index_versions.c.version)
                      .where(index_versions.c.version == version)).first() is not None:
            return
    with engine.begin() as db:
        db.execute(insert_ignoring(engine, index_versions).values(
            version=version, archive=pack(indexes_dir(data_dir) / version),
            created=time.time()).on_conflict_do_nothing())


def _prune(db, live: str) -> None:
    """Drop stored folders beyond the newest KEEP_ARCHIVES, never the live one's."""
    from sqlalchemy import delete, select

    from assistant.store.tables import index_versions as t

    newest = select(t.c.version).order_by(t.c.created.desc()).limit(KEEP_ARCHIVES)
    kept = set(db.execute(newest).scalars()) | {live}
    db.execute(delete(t).where(t.c.version.not_in(kept)))


def shared_live(engine) -> dict | None:
    """The live version's row (version, by, team, event, at), or None when nothing was shared
    yet."""
    from sqlalchemy import select

    from assistant.store.tables import live_version

    with engine.connect() as db:
        row = db.execute(select(live_version).where(live_version.c.name == "live")).first()
    return dict(row._mapping) if row is not None else None


def pack(folder: Path) -> bytes:
    """A version folder as tar.gz bytes (its names relative to the folder)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(folder.iterdir()):
            if path.name not in SKIPPED:
                tar.add(path, arcname=path.name)
    return buffer.getvalue()


def fetch(engine, data_dir: Path, version: str) -> Path:
    """Unpack a shared version into this data directory (unless it is there); its folder."""
    from sqlalchemy import select

    from assistant.store.tables import index_versions
    from knowledge.index import indexes_dir
    from knowledge.versions import version_folder

    folder = version_folder(data_dir, version)  # refuses a name that is not a version's
    if (folder / "manifest.json").exists():
        return folder
    with engine.connect() as db:
        archive = db.execute(select(index_versions.c.archive)
                             .where(index_versions.c.version == version)).scalar()
    if archive is None:
        raise LookupError(f"version {version} is live but its files were not shared")
    tmp = indexes_dir(data_dir) / f".{version}.incoming"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        tar.extractall(tmp, filter="data")  # no absolute paths, links out or devices
    tmp.rename(folder)
    return folder


class LiveVersionFollower:
    """Keeps this replica on the shared live version: `sync()` once, then every `interval`
    seconds on a daemon thread until `stop()`; `on_change()` loads the new version."""

    def __init__(self, engine, data_dir: Path, on_change=None, interval: float = POLL_SECONDS):
        self.engine, self.data_dir, self.on_change = engine, data_dir, on_change
        self.interval = interval
        self._seen = None  # the shared row (version, time) last acted on
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pdbot-live-version",
                                        daemon=True)

    def sync(self) -> str | None:
        """Make the shared live version live here too, if it is not; the version made live.

        Only a change of the shared row is followed: a version this replica's data directory
        has just made live (an ingest or an owner's publish here) is not reverted to the row's
        older one in the moment before the publisher shares it."""
        from knowledge.index import live_version_dir
        from knowledge.versions import make_live

        row = shared_live(self.engine)
        if row is None or (row["version"], row["at"]) == self._seen:
            return None
        live = live_version_dir(self.data_dir)
        if live is not None and live.name == row["version"]:
            self._seen = (row["version"], row["at"])
            return None
        version = row["version"]
        fetch(self.engine, self.data_dir, version)
        # the same atomic rename as a publish here, and this replica's history says who did it
        make_live(self.data_dir, version, row["by"], event=row["event"], team=row["team"])
        self._seen = (version, row["at"])  # after it is live: a failed fetch is tried again
        log.info("version %s made live here: another replica published it", version,
                 extra={"event": "followed_live", "version": version})
        if self.on_change is not None:
            self.on_change()
        return version

    def start(self) -> "LiveVersionFollower":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sync()
            except Exception:  # a database hiccup must not stop the bot; tried again
                log.exception("live version: sync failed; trying again in %.0f s",
                              self.interval)

"""Feedback and delivery records in SQLite under the data directory, and their erasure.

Tables: answers (what was asked and answered, by whom, for the buttons to refer to), votes
(👍 / 👎 with an optional reason) and events (Slack event ids already handled, so a retried event
is answered once even when several bot processes share the data directory; a question's row
also holds it while it is pending, see assistant/slack/pending_sqlite.py). Staff data can be
exported or erased per user, and expires after the retention period.
"""
from __future__ import annotations

import json
import sqlite3
import time
import uuid
from contextlib import closing
from pathlib import Path

import numpy as np

from knowledge.records import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    answer_id TEXT PRIMARY KEY, question TEXT, history TEXT, answer TEXT, answered INTEGER,
    sections TEXT, citations TEXT, channel TEXT, created REAL, user TEXT DEFAULT '',
    reason TEXT DEFAULT '', vector BLOB);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT, user TEXT, vote TEXT, reason TEXT, created REAL,
    PRIMARY KEY (answer_id, user));
CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY, created REAL);
"""


# Columns added after a table was first made: stores made before them gain them on opening.
ADDED_COLUMNS = {
    "answers": (("user", "TEXT DEFAULT ''"), ("reason", "TEXT DEFAULT ''"), ("vector", "BLOB")),
    # a question accepted from Slack: pending until answered (then its text is dropped)
    "events": (("status", "TEXT DEFAULT 'done'"), ("kind", "TEXT DEFAULT ''"),
               ("team", "TEXT DEFAULT ''"), ("channel", "TEXT DEFAULT ''"),
               ("thread_ts", "TEXT DEFAULT ''"), ("ts", "TEXT DEFAULT ''"),
               ("user", "TEXT DEFAULT ''"), ("text", "TEXT"), ("lease_owner", "TEXT DEFAULT ''"),
               ("lease_until", "REAL DEFAULT 0"), ("attempts", "INTEGER DEFAULT 0"),
               ("answer_id", "TEXT DEFAULT ''"), ("reply_ts", "TEXT DEFAULT ''")),
}
INDEXES = """
CREATE INDEX IF NOT EXISTS answers_user ON answers (user);
CREATE INDEX IF NOT EXISTS answers_created ON answers (created);
CREATE INDEX IF NOT EXISTS votes_user ON votes (user);
CREATE INDEX IF NOT EXISTS votes_created ON votes (created);
CREATE INDEX IF NOT EXISTS events_created ON events (created);
CREATE INDEX IF NOT EXISTS events_status ON events (status, created);
CREATE INDEX IF NOT EXISTS events_user ON events (user);
"""
DAY = 86400.0
EVENT_DAYS = 1  # handled-event ids are needed only while Slack may retry (minutes)


class FeedbackStore:
    """Answers, votes and handled events; safe to share between threads and processes.
    `keep_text=False` (PDBOT_STORE_QUESTIONS=0) stores no question, history or answer text and
    no question embedding: only who asked, when, where, the outcome and cited sections."""

    def __init__(self, path: Path, keep_text: bool = True):
        self.path = path
        self.keep_text = keep_text
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            for table, columns in ADDED_COLUMNS.items():
                have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                for column, kind in columns:
                    if column not in have:
                        _add_column(db, table, column, kind)
            db.executescript(INDEXES)
        # An idle connection held open for the store's life: SQLite checkpoints and removes the
        # write-ahead log whenever its last connection closes, which cost every write that
        # opened its own connection ~20 ms of fsyncs (3.5 ms with this one open).
        self._keeper = self._connect()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def _erasing(self) -> sqlite3.Connection:
        """A connection whose deletes overwrite the deleted text in the file (not just unlink it)."""
        db = self._connect()
        db.execute("PRAGMA secure_delete = ON")
        return db

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the file and empty it, so deleted text leaves it too."""
        with closing(self._connect()) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def claim_event(self, event_id: str) -> bool:
        """True the first time an event id is seen, False for a retry of it."""
        with closing(self._connect()) as db, db:
            cursor = db.execute("INSERT OR IGNORE INTO events (event_id, created) VALUES (?, ?)",
                                (event_id, time.time()))
            return cursor.rowcount == 1

    def record_answer(self, answer: Answer, history: list[dict], channel: str = "",
                      user: str = "", answer_id: str | None = None) -> str:
        """Keep an answer so the buttons under it can refer to it (by `answer_id`, new when not
        given); returns its id. The asker's Slack id is kept so that their data can be exported
        or erased on request; the question's embedding, so that usage reports can group
        questions without a model."""
        answer_id = answer_id or uuid.uuid4().hex
        with closing(self._connect()) as db, db:
            self.insert_answer(db, answer, history, channel, user, answer_id)
        return answer_id

    def insert_answer(self, db: sqlite3.Connection, answer: Answer, history: list[dict],
                      channel: str, user: str, answer_id: str) -> None:
        """Insert an answer's row in a transaction the caller holds (what is kept depends on
        keep_text)."""
        citations = [c.__dict__ for c in answer.citations]
        vector = np.asarray(answer.vector, dtype=np.float32).tobytes() \
            if answer.vector is not None and self.keep_text else None
        question, text = (answer.question, answer.answer) if self.keep_text else ("", "")
        history = history if self.keep_text else []
        db.execute("INSERT OR REPLACE INTO answers (answer_id, question, history, answer, answered,"
                   " sections, citations, channel, created, user, reason, vector)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                       answer_id, question, json.dumps(history), text,
                       int(answer.answered), json.dumps([c.chunk_id for c in answer.citations]),
                       json.dumps(citations), channel, time.time(), user, answer.reason, vector))

    def answer(self, answer_id: str) -> dict | None:
        """A recorded answer as a dict, or None."""
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM answers WHERE answer_id = ?", (answer_id,)).fetchone()
        if row is None:
            return None
        data = dict(row)
        data.pop("vector", None)
        for key in ("history", "sections", "citations"):
            data[key] = json.loads(data[key])
        return data

    def record_vote(self, answer_id: str, user: str, vote: str, reason: str = "") -> None:
        """Store (or change) one user's vote on an answer."""
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO votes VALUES (?, ?, ?, ?, ?)",
                       (answer_id, user, vote, reason, time.time()))

    def votes(self) -> list[dict]:
        """Every vote joined with its answer, oldest first."""
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "SELECT v.answer_id, v.user, v.vote, v.reason, v.created, a.question, a.history,"
                " a.answer, a.answered, a.sections FROM votes v JOIN answers a USING (answer_id)"
                " ORDER BY v.created").fetchall()
        return [{**dict(r), "history": json.loads(r["history"]), "sections": json.loads(r["sections"])}
                for r in rows]

    def usage_since(self, since: float) -> tuple[list[dict], list[dict]]:
        """(answers, votes) recorded since a time, for usage reports: each answer's time,
        outcome, reason, question, embedding (None when not stored), cited chunk ids
        (`sections`) and its citations as stored (JSON text, for the few labels a report needs:
        parsing every one would cost more than the rest); each vote's time, vote and reason."""
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            answers = [dict(r) for r in db.execute(
                "SELECT answer_id, created, answered, reason, question, vector, sections, citations"
                " FROM answers WHERE created >= ? ORDER BY created", (since,))]
            votes = [dict(r) for r in db.execute(
                "SELECT v.answer_id, v.vote, v.reason, v.created, a.question, a.vector"
                " FROM votes v LEFT JOIN answers a USING (answer_id) WHERE v.created >= ?"
                " ORDER BY v.created", (since,))]
        for row in answers + votes:
            blob = row.pop("vector", None)
            row["vector"] = np.frombuffer(blob, dtype=np.float32) if blob else None
        for row in answers:
            row["sections"] = json.loads(row["sections"] or "[]")
        return answers, votes

    def purge(self, retention_days: int, now: float | None = None) -> dict[str, int]:
        """Delete answers, votes and pending questions older than `retention_days`, and
        handled-event ids older than a day; rows deleted per table."""
        now = time.time() if now is None else now
        deleted = self.erase_before(now - retention_days * DAY)
        with closing(self._erasing()) as db, db:
            deleted["events"] += db.execute("DELETE FROM events WHERE created < ? AND status !="
                                            " 'pending'", (now - EVENT_DAYS * DAY,)).rowcount
        return deleted

    def erase_before(self, cutoff: float) -> dict[str, int]:
        """Delete answers, votes and questions (pending or not) made before `cutoff` (a Unix
        time), and votes left on the deleted answers; rows deleted per table."""
        return self._erase("created < ?", cutoff)

    def erase_user(self, user: str) -> dict[str, int]:
        """Delete one person's answers, votes and questions (a pending one is then never
        answered), and others' votes on their answers; rows deleted per table."""
        return self._erase("user = ?", user)

    def _erase(self, where: str, value) -> dict[str, int]:
        """Delete the answers, votes and question events matching `where` (a fixed condition
        on one value), and the votes on those answers."""
        with closing(self._erasing()) as db, db:
            votes = db.execute(f"DELETE FROM votes WHERE {where} OR answer_id IN"
                               f" (SELECT answer_id FROM answers WHERE {where})",
                               (value, value)).rowcount
            answers = db.execute(f"DELETE FROM answers WHERE {where}", (value,)).rowcount
            events = db.execute(f"DELETE FROM events WHERE {where} AND kind != ''",
                                (value,)).rowcount
        self._checkpoint()
        return {"answers": answers, "votes": votes, "events": events}

    def export_user(self, user: str) -> dict:
        """One person's stored data: their questions with the answers given, and their votes
        (with the answer they were on, by id only: that question may be someone else's)."""
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            answers = db.execute(
                "SELECT answer_id, created, channel, question, history, answer, answered, reason,"
                " sections FROM answers WHERE user = ? ORDER BY created", (user,)).fetchall()
            votes = db.execute("SELECT answer_id, created, vote, reason FROM votes WHERE user = ?"
                               " ORDER BY created", (user,)).fetchall()
            pending = db.execute("SELECT created, channel, text FROM events WHERE user = ? AND"
                                 " status = 'pending' ORDER BY created", (user,)).fetchall()
        return {
            "user": user,
            "pending": [{**dict(r), "created": _iso(r["created"])} for r in pending],
            "answers": [{**dict(r), "created": _iso(r["created"]), "answered": bool(r["answered"]),
                         "history": json.loads(r["history"] or "[]"),
                         "sections": json.loads(r["sections"] or "[]")} for r in answers],
            "votes": [{**dict(r), "created": _iso(r["created"])} for r in votes],
        }


def _add_column(db: sqlite3.Connection, table: str, column: str, kind: str) -> None:
    """ALTER TABLE … ADD COLUMN, tolerating another process that added it a moment before."""
    try:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    except sqlite3.OperationalError as exc:
        if "duplicate column" not in str(exc):
            raise


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def export_downvotes(store: FeedbackStore, out: Path) -> int:
    """Write each 👎 as an eval case (JSONL) for a reviewer to complete; returns how many."""
    cases = []
    for vote in store.votes():
        if vote["vote"] != "down":
            continue
        cases.append({
            "id": f"feedback-{vote['answer_id'][:12]}",
            "question": vote["question"],
            "history": vote["history"],
            "facts": [],  # to fill in: phrases a correct answer must contain
            "sources": [],  # to fill in: headings of the sections that answer it
            "in_scope": bool(vote["answered"]),
            "kind": "feedback",
            "note": vote["reason"],
            "answer_given": vote["answer"],
            "sections_cited": vote["sections"],
        })
    out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
    return len(cases)

"""Pending questions in the FeedbackStore's SQLite file: a question is a row of the `events`
table (the one that dedupes Slack's event ids) with status 'pending' and a lease, until the
transaction that records its answer marks it 'answered' and drops its text.

Every claim is one UPDATE, so two processes on one data directory never take the same row;
commits are synchronous (WAL, synchronous=FULL), so an accepted question survives a SIGKILL or a
power cut.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from typing import Iterable

from assistant.slack.feedback import FeedbackStore
from assistant.slack.pending import LEASE_SECONDS, PendingQuestions
from assistant.slack.questions import Question
from knowledge.records import Answer

COLUMNS = "event_id, kind, team, channel, thread_ts, ts, user, text, created, attempts, reply_ts"


class SqlitePendingQuestions(PendingQuestions):
    """PendingQuestions over a FeedbackStore (its file, its answers table)."""

    def __init__(self, store: FeedbackStore):
        self.store = store

    def _connect(self) -> sqlite3.Connection:
        db = self.store._connect()
        db.execute("PRAGMA synchronous = FULL")  # an acknowledged question is on disk
        return db

    def accept(self, question: Question, owner: str, lease: float = LEASE_SECONDS) -> bool:
        q = question
        with closing(self._connect()) as db, db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO events (event_id, created, status, kind, team, channel,"
                " thread_ts, ts, user, text, lease_owner, lease_until, attempts)"
                " VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (q.event_id, q.created, q.kind, q.team, q.channel, q.thread_ts, q.ts, q.user,
                 q.text, owner, time.time() + lease))
            return cursor.rowcount == 1

    def claim_stale(self, owner: str, lease: float = LEASE_SECONDS,
                    gone: Iterable[str] = (), now: float | None = None) -> list[Question]:
        now = time.time() if now is None else now
        gone = [g for g in gone if g != owner]
        others = f" OR lease_owner IN ({', '.join('?' * len(gone))})" if gone else ""
        with closing(self._connect()) as db, db:
            rows = db.execute(
                f"UPDATE events SET lease_owner = ?, lease_until = ?, attempts = attempts + 1"
                f" WHERE status = 'pending' AND (lease_until < ?{others})"
                f" RETURNING {COLUMNS}", (owner, now + lease, now, *gone)).fetchall()
        return sorted((_question(row, recovered=True) for row in rows), key=lambda q: q.created)

    def renew(self, owner: str, lease: float = LEASE_SECONDS) -> int:
        with closing(self._connect()) as db, db:
            return db.execute("UPDATE events SET lease_until = ? WHERE status = 'pending' AND"
                              " lease_owner = ?", (time.time() + lease, owner)).rowcount

    def owners(self) -> set[str]:
        with closing(self.store._connect()) as db:
            return {row[0] for row in db.execute(
                "SELECT DISTINCT lease_owner FROM events WHERE status = 'pending'")}

    def answered(self, question: Question, answer: Answer, answer_id: str,
                 history: list[dict]) -> bool:
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA secure_delete = ON")  # the dropped text is overwritten
            self.store.insert_answer(db, answer, history, question.channel, question.user,
                                     answer_id)
            return db.execute(
                "UPDATE events SET status = 'answered', text = NULL, answer_id = ?,"
                " lease_owner = '', lease_until = 0 WHERE event_id = ? AND status = 'pending'",
                (answer_id, question.event_id)).rowcount == 1

    def replying(self, question: Question, ts: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("UPDATE events SET reply_ts = ? WHERE event_id = ? AND status = 'pending'",
                       (ts, question.event_id))

    def finish(self, question: Question, outcome: str) -> bool:
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA secure_delete = ON")
            return db.execute(
                "UPDATE events SET status = ?, text = NULL, lease_owner = '', lease_until = 0"
                " WHERE event_id = ? AND status = 'pending'",
                (outcome, question.event_id)).rowcount == 1

    def release(self, question: Question, retry_after: float) -> None:
        with closing(self._connect()) as db, db:
            db.execute("UPDATE events SET lease_owner = '', lease_until = ? WHERE event_id = ?"
                       " AND status = 'pending'", (time.time() + retry_after, question.event_id))

    def count(self) -> int:
        with closing(self.store._connect()) as db:
            return db.execute("SELECT count(*) FROM events WHERE status = 'pending'").fetchone()[0]


def _question(row: tuple, recovered: bool) -> Question:
    event_id, kind, team, channel, thread_ts, ts, user, text, created, attempts, reply_ts = row
    return Question(event_id=event_id, kind=kind, team=team, channel=channel,
                    thread_ts=thread_ts, ts=ts, user=user, text=text or "", created=created,
                    recovered=recovered, attempts=attempts, reply_ts=reply_ts or "")

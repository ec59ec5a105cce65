"""Pending questions in the FeedbackStore's database: a question is a row of the `events`
table (the one that dedupes Slack's event ids) with status 'pending' and a lease, until the
transaction that records its answer marks it 'answered' and drops its text.

Every claim is one UPDATE … RETURNING, so two processes (or two replicas on one PostgreSQL)
never take the same row; commits are synchronous (SQLite: WAL, synchronous=FULL; PostgreSQL's
default), so an accepted question survives a SIGKILL or a power cut.
"""
from __future__ import annotations

import time
from typing import Iterable

from assistant.slack.feedback import FeedbackStore
from assistant.slack.pending import LEASE_SECONDS, PendingQuestions
from assistant.slack.questions import Question
from knowledge.records import Answer

COLUMNS = ("event_id", "kind", "team", "channel", "thread_ts", "ts", "user", "text", "created",
           "attempts", "reply_ts")


class StorePendingQuestions(PendingQuestions):
    """PendingQuestions over a FeedbackStore (its database, its answers table)."""

    def __init__(self, store: FeedbackStore):
        self.store = store

    @property
    def _engine(self):
        return self.store.engine

    def accept(self, question: Question, owner: str, lease: float = LEASE_SECONDS) -> bool:
        from assistant.store.database import insert_ignoring
        from assistant.store.tables import events

        q = question
        with self._engine.begin() as db:
            return db.execute(insert_ignoring(self._engine, events).values(
                event_id=q.event_id, created=q.created, status="pending", kind=q.kind,
                team=q.team, channel=q.channel, thread_ts=q.thread_ts, ts=q.ts, user=q.user,
                text=q.text, lease_owner=owner, lease_until=time.time() + lease, attempts=1,
            ).on_conflict_do_nothing().returning(events.c.event_id)).first() is not None

    def claim_stale(self, owner: str, lease: float = LEASE_SECONDS,
                    gone: Iterable[str] = (), now: float | None = None) -> list[Question]:
        from sqlalchemy import update

        from assistant.store.tables import events as e

        now = time.time() if now is None else now
        gone = [g for g in gone if g != owner]
        stale = e.c.lease_until < now
        if gone:
            stale = stale | e.c.lease_owner.in_(gone)
        with self._engine.begin() as db:
            rows = db.execute(update(e).where(e.c.status == "pending", stale).values(
                lease_owner=owner, lease_until=now + lease, attempts=e.c.attempts + 1,
            ).returning(*[e.c[name] for name in COLUMNS])).all()
        return sorted((_question(row, recovered=True) for row in rows), key=lambda q: q.created)

    def renew(self, owner: str, lease: float = LEASE_SECONDS) -> int:
        from sqlalchemy import update

        from assistant.store.tables import events as e

        with self._engine.begin() as db:
            return db.execute(update(e).where(e.c.status == "pending", e.c.lease_owner == owner)
                              .values(lease_until=time.time() + lease)).rowcount

    def owners(self) -> set[str]:
        from sqlalchemy import select

        from assistant.store.tables import events as e

        with self._engine.connect() as db:
            return set(db.execute(select(e.c.lease_owner).distinct()
                                  .where(e.c.status == "pending")).scalars())

    def answered(self, question: Question, answer: Answer, answer_id: str,
                 history: list[dict]) -> bool:
        from sqlalchemy import update

        from assistant.store.tables import events as e

        with self._engine.begin() as db:
            self.store.insert_answer(db, answer, history, question.channel, question.user,
                                     answer_id, question.team)
            return db.execute(update(e).where(e.c.event_id == question.event_id,
                                              e.c.status == "pending").values(
                status="answered", text=None, answer_id=answer_id, lease_owner="",
                lease_until=0)).rowcount == 1

    def replying(self, question: Question, ts: str) -> None:
        from sqlalchemy import update

        from assistant.store.tables import events as e

        with self._engine.begin() as db:
            db.execute(update(e).where(e.c.event_id == question.event_id,
                                       e.c.status == "pending").values(reply_ts=ts))

    def finish(self, question: Question, outcome: str) -> bool:
        from sqlalchemy import update

        from assistant.store.tables import events as e

        with self._engine.begin() as db:
            return db.execute(update(e).where(e.c.event_id == question.event_id,
                                              e.c.status == "pending").values(
                status=outcome, text=None, lease_owner="", lease_until=0)).rowcount == 1

    def release(self, question: Question, retry_after: float) -> None:
        from sqlalchemy import update

        from assistant.store.tables import events as e

        with self._engine.begin() as db:
            db.execute(update(e).where(e.c.event_id == question.event_id,
                                       e.c.status == "pending").values(
                lease_owner="", lease_until=time.time() + retry_after))

    def count(self) -> int:
        from sqlalchemy import func, select

        from assistant.store.tables import events as e

        with self._engine.connect() as db:
            return db.execute(select(func.count()).select_from(e)
                              .where(e.c.status == "pending")).scalar_one()


def _question(row, recovered: bool) -> Question:
    data = row._mapping
    return Question(event_id=data["event_id"], kind=data["kind"], team=data["team"] or "",
                    channel=data["channel"], thread_ts=data["thread_ts"], ts=data["ts"],
                    user=data["user"], text=data["text"] or "", created=data["created"],
                    recovered=recovered, attempts=data["attempts"],
                    reply_ts=data["reply_ts"] or "")

"""Feedback and delivery records in the store (assistant/store), and their erasure.

Tables (assistant/store/tables.py): answers (what was asked and answered, by whom, in which
team, for the buttons to refer to), votes (👍 / 👎 with an optional reason) and events (Slack
event ids already handled, so a retried event is answered once even when several bot processes
share the store; a question's row also holds it while it is pending, see
assistant/slack/pending_store.py). Staff data can be exported or erased per person and per
team, and expires after the retention period.
"""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from knowledge.records import Answer

DAY = 86400.0
EVENT_DAYS = 1  # handled-event ids are needed only while Slack may retry (minutes)


class FeedbackStore:
    """Answers, votes and handled events; safe to share between threads and processes.
    `target` is a SQLite file (Path), a database URL or an SQLAlchemy Engine; the schema is
    brought up to date (SQLite) or checked (others) on opening. `keep_text=False`
    (PDBOT_STORE_QUESTIONS=0) stores no question, history or answer text and no question
    embedding: only who asked, when, where, the outcome and cited sections."""

    def __init__(self, target, keep_text: bool = True):
        from assistant.store.database import make_engine, sqlite_path, sqlite_url
        from assistant.store.migrate import prepare

        if isinstance(target, (str, Path)):
            url = str(target) if isinstance(target, str) and "://" in target \
                else sqlite_url(Path(target))
            target = make_engine(url)
        self.engine = target
        self.path = sqlite_path(target)  # None on PostgreSQL
        self.keep_text = keep_text
        prepare(self.engine)

    @classmethod
    def from_settings(cls, settings) -> "FeedbackStore":
        """The store the settings name: PDBOT_DATABASE_URL, or feedback.sqlite3 in the data
        directory; StoreError when it is at another schema (see assistant/store/migrate.py)."""
        from assistant.store.database import database_url

        return cls(database_url(settings), keep_text=settings.store_questions)

    def close(self) -> None:
        """Close the store's pooled connections."""
        self.engine.dispose()

    def _erasing_done(self) -> None:
        """After a delete: make the deleted text leave the files where the database allows it
        (SQLite: secure_delete overwrote it in place, then the write-ahead log is emptied;
        PostgreSQL: VACUUM makes the dead rows' space reusable, see README)."""
        from assistant.store.database import is_sqlite

        if is_sqlite(self.engine):
            self._checkpoint()
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            for table in ("answers", "votes", "events"):
                db.exec_driver_sql(f"VACUUM {table}")

    def _checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the file and empty it."""
        with self.engine.connect() as db:
            db.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def claim_event(self, event_id: str, team: str = "") -> bool:
        """True the first time an event id is seen, False for a retry of it."""
        from assistant.store.database import insert_ignoring
        from assistant.store.tables import events

        with self.engine.begin() as db:
            return db.execute(insert_ignoring(self.engine, events).values(
                event_id=event_id, created=time.time(), team=team).on_conflict_do_nothing()
                .returning(events.c.event_id)).first() is not None

    def record_answer(self, answer: Answer, history: list[dict], channel: str = "",
                      user: str = "", answer_id: str | None = None, team: str = "") -> str:
        """Keep an answer so the buttons under it can refer to it (by `answer_id`, new when not
        given); returns its id. The asker's Slack id and team are kept so that their data can
        be exported or erased on request; the question's embedding, so that usage reports can
        group questions without a model."""
        answer_id = answer_id or uuid.uuid4().hex
        with self.engine.begin() as db:
            self.insert_answer(db, answer, history, channel, user, answer_id, team)
        return answer_id

    def insert_answer(self, db, answer: Answer, history: list[dict], channel: str, user: str,
                      answer_id: str, team: str = "") -> None:
        """Insert (or replace) an answer's row in a transaction the caller holds (`db`, an
        SQLAlchemy Connection); what is kept depends on keep_text."""
        from assistant.store.database import upsert
        from assistant.store.tables import answers

        citations = [c.__dict__ for c in answer.citations]
        vector = np.asarray(answer.vector, dtype=np.float32).tobytes() \
            if answer.vector is not None and self.keep_text else None
        question, text = (answer.question, answer.answer) if self.keep_text else ("", "")
        history = history if self.keep_text else []
        db.execute(upsert(self.engine, answers, dict(
            answer_id=answer_id, question=question, history=json.dumps(history), answer=text,
            answered=int(answer.answered),
            sections=json.dumps([c.chunk_id for c in answer.citations]),
            citations=json.dumps(citations), channel=channel, created=time.time(), user=user,
            reason=answer.reason, vector=vector, team=team), ["answer_id"]))

    def answer(self, answer_id: str) -> dict | None:
        """A recorded answer as a dict, or None."""
        from sqlalchemy import select

        from assistant.store.tables import answers

        with self.engine.connect() as db:
            row = db.execute(select(answers).where(answers.c.answer_id == answer_id)).first()
        if row is None:
            return None
        data = dict(row._mapping)
        data.pop("vector", None)
        for key in ("history", "sections", "citations"):
            data[key] = json.loads(data[key])
        return data

    def record_vote(self, answer_id: str, user: str, vote: str, reason: str = "",
                    team: str = "") -> None:
        """Store (or change) one user's vote on an answer."""
        from assistant.store.database import upsert
        from assistant.store.tables import votes

        with self.engine.begin() as db:
            db.execute(upsert(self.engine, votes, dict(
                answer_id=answer_id, user=user, vote=vote, reason=reason, created=time.time(),
                team=team), ["answer_id", "user"]))

    def votes(self, team: str | None = None) -> list[dict]:
        """Every vote joined with its answer, oldest first (one team's when `team` is given)."""
        from sqlalchemy import select

        from assistant.store.tables import answers as a, votes as v

        query = select(v.c.answer_id, v.c.user, v.c.vote, v.c.reason, v.c.created,
                       a.c.question, a.c.history, a.c.answer, a.c.answered, a.c.sections) \
            .join(a, a.c.answer_id == v.c.answer_id).order_by(v.c.created)
        if team is not None:
            query = query.where(v.c.team == team)
        with self.engine.connect() as db:
            rows = [dict(r._mapping) for r in db.execute(query)]
        return [{**r, "history": json.loads(r["history"]), "sections": json.loads(r["sections"])}
                for r in rows]

    def usage_since(self, since: float, team: str | None = None
                    ) -> tuple[list[dict], list[dict]]:
        """(answers, votes) recorded since a time (in one team when given), for usage reports:
        each answer's time, outcome, reason, question, embedding (None when not stored), cited
        chunk ids (`sections`) and its citations as stored (JSON text, for the few labels a
        report needs: parsing every one would cost more than the rest); each vote's time, vote
        and reason."""
        from sqlalchemy import select

        from assistant.store.tables import answers as a, votes as v

        answer_query = select(a.c.answer_id, a.c.created, a.c.answered, a.c.reason,
                              a.c.question, a.c.vector, a.c.sections, a.c.citations) \
            .where(a.c.created >= since) \
            .order_by(a.c.created)
        vote_query = select(v.c.answer_id, v.c.vote, v.c.reason, v.c.created, a.c.question,
                            a.c.vector).join(a, a.c.answer_id == v.c.answer_id, isouter=True) \
            .where(v.c.created >= since).order_by(v.c.created)
        if team is not None:
            answer_query = answer_query.where(a.c.team == team)
            vote_query = vote_query.where(v.c.team == team)
        with self.engine.connect() as db:
            found = [dict(r._mapping) for r in db.execute(answer_query)]
            voted = [dict(r._mapping) for r in db.execute(vote_query)]
        for row in found + voted:
            blob = row.pop("vector", None)
            row["vector"] = np.frombuffer(blob, dtype=np.float32) if blob else None
        for row in found:
            row["sections"] = json.loads(row["sections"] or "[]")
        return found, voted

    def purge(self, retention_days: int, now: float | None = None,
              team_days: Mapping[str, int] | None = None) -> dict[str, int]:
        """Delete answers, votes and pending questions older than `retention_days` (or, for a
        team in `team_days`, that team's own period), and handled-event ids older than a day;
        rows deleted per table."""
        from sqlalchemy import delete

        from assistant.store.tables import events

        now = time.time() if now is None else now
        team_days = dict(team_days or {})
        deleted = self._erase(lambda t: (t.c.created < now - retention_days * DAY)
                              & t.c.team.not_in(list(team_days)), done=False)
        for team, days in team_days.items():
            for table, count in self._erase(lambda t: (t.c.created < now - days * DAY)
                                            & (t.c.team == team), done=False).items():
                deleted[table] += count
        with self.engine.begin() as db:
            deleted["events"] += db.execute(delete(events).where(
                events.c.created < now - EVENT_DAYS * DAY, events.c.status != "pending")
            ).rowcount
        self._erasing_done()
        return deleted

    def erase_before(self, cutoff: float, team: str | None = None) -> dict[str, int]:
        """Delete answers, votes and questions (pending or not) made before `cutoff` (a Unix
        time), in one team when given, and votes left on the deleted answers; rows deleted per
        table."""
        return self._erase(lambda t: _in_team(t, team, t.c.created < cutoff))

    def erase_user(self, user: str, team: str | None = None) -> dict[str, int]:
        """Delete one person's answers, votes and questions (a pending one is then never
        answered), in one team when given, and others' votes on their answers; rows deleted
        per table."""
        return self._erase(lambda t: _in_team(t, team, t.c.user == user))

    def erase_team(self, team: str) -> dict[str, int]:
        """Delete everything a team's people asked, answered and voted."""
        return self._erase(lambda t: t.c.team == team)

    def _erase(self, match: Callable, done: bool = True) -> dict[str, int]:
        """Delete the answers, votes and question events `match(table)` selects, and the votes
        on those answers; `done`: then make the text leave the files (_erasing_done)."""
        from sqlalchemy import delete, select

        from assistant.store.tables import answers, events, votes

        with self.engine.begin() as db:
            erased = select(answers.c.answer_id).where(match(answers))
            counts = {
                "votes": db.execute(delete(votes).where(
                    match(votes) | votes.c.answer_id.in_(erased))).rowcount,
                "answers": db.execute(delete(answers).where(match(answers))).rowcount,
                "events": db.execute(delete(events).where(match(events),
                                                          events.c.kind != "")).rowcount,
            }
        if done:
            self._erasing_done()
        return {key: counts[key] for key in ("answers", "votes", "events")}

    def export_user(self, user: str, team: str | None = None) -> dict:
        """One person's stored data (in one team when given): their questions with the answers
        given, and their votes (with the answer they were on, by id only: that question may be
        someone else's)."""
        from sqlalchemy import select

        from assistant.store.tables import answers as a, events as e, votes as v

        with self.engine.connect() as db:
            found = db.execute(select(
                a.c.answer_id, a.c.team, a.c.created, a.c.channel, a.c.question, a.c.history,
                a.c.answer, a.c.answered, a.c.reason, a.c.sections
            ).where(_in_team(a, team, a.c.user == user)).order_by(a.c.created)).all()
            voted = db.execute(select(v.c.answer_id, v.c.team, v.c.created, v.c.vote,
                                      v.c.reason).where(_in_team(v, team, v.c.user == user))
                               .order_by(v.c.created)).all()
            pending = db.execute(select(e.c.team, e.c.created, e.c.channel, e.c.text).where(
                _in_team(e, team, e.c.user == user), e.c.status == "pending")
                .order_by(e.c.created)).all()
        return {
            "user": user,
            **({"team": team} if team is not None else {}),
            "pending": [{**r._mapping, "created": _iso(r.created)} for r in pending],
            "answers": [{**r._mapping, "created": _iso(r.created), "answered": bool(r.answered),
                         "history": json.loads(r.history or "[]"),
                         "sections": json.loads(r.sections or "[]")} for r in found],
            "votes": [{**r._mapping, "created": _iso(r.created)} for r in voted],
        }


def _in_team(table, team: str | None, condition):
    """`condition`, narrowed to one team when `team` is given."""
    return condition if team is None else condition & (table.c.team == team)


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

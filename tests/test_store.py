"""The store on SQLite and on a real PostgreSQL, the same tests on both: events answered once,
answers and votes with their team, retention (per team too), export and erasure by person and
team, pending questions' leases, the schema check, and a store the raw-sqlite3 releases wrote."""
from __future__ import annotations

import logging
import sqlite3
import threading
import time

import pytest

from assistant.slack.pending_store import StorePendingQuestions
from assistant.slack.questions import Question
from assistant.store.errors import StoreError
from knowledge.records import Answer, Citation

DAY = 86400


def age(store, table: str, days: float, **where) -> None:
    """Move rows of `table` (those matching `where`) `days` into the past."""
    from sqlalchemy import update

    from assistant.store import tables

    t = getattr(tables, table)
    with store.engine.begin() as db:
        db.execute(update(t).where(*[t.c[k] == v for k, v in where.items()])
                   .values(created=time.time() - days * DAY))


def question(n: int, user: str = "U1", team: str = "T1") -> Question:
    return Question(f"Ev{n}", "mention", team, "C1", f"17.{n}", f"17.{n}", user,
                    f"<@UBOT> question {n}?")


def seed(store) -> dict:
    """Two teams; U1 asks in both, U2 in T1 only; votes across."""
    cited = [Citation(1, "Doc", "2023", "Section", "text", chunk_id="doc/section#1")]
    ids = {
        "t1u1": store.record_answer(Answer("T1 U1 question", "T1 U1 answer", True, cited),
                                    [{"role": "user", "content": "T1 U1 earlier"}], "C1", "U1",
                                    team="T1"),
        "t2u1": store.record_answer(Answer("T2 U1 question", "T2 U1 answer", True), [], "C9",
                                    "U1", team="T2"),
        "t1u2": store.record_answer(Answer("T1 U2 question", "T1 U2 answer", False), [], "C1",
                                    "U2", team="T1"),
    }
    store.record_vote(ids["t1u1"], "U2", "down", "U2 on U1's answer", team="T1")
    store.record_vote(ids["t1u2"], "U1", "up", team="T1")
    store.record_vote(ids["t2u1"], "U1", "up", team="T2")
    return ids


def test_an_event_is_claimed_once_even_by_racing_threads(any_store):
    results = []
    threads = [threading.Thread(target=lambda: results.append(any_store.claim_event("EvR", "T1")))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_answers_and_votes_keep_their_team(any_store):
    ids = seed(any_store)
    record = any_store.answer(ids["t2u1"])
    assert (record["team"], record["user"], record["question"]) == ("T2", "U1", "T2 U1 question")
    assert record["citations"] == [] and any_store.answer(ids["t1u1"])["history"][0]["content"]
    assert [v["answer_id"] for v in any_store.votes(team="T2")] == [ids["t2u1"]]
    assert len(any_store.votes()) == 3
    answers, votes = any_store.usage_since(0, team="T1")
    assert {a["answer_id"] for a in answers} == {ids["t1u1"], ids["t1u2"]} and len(votes) == 2


def test_retention_with_a_team_of_its_own(any_store):
    ids = seed(any_store)
    any_store.claim_event("EvOld")
    age(any_store, "answers", 40)
    age(any_store, "votes", 40)
    age(any_store, "events", 2)
    deleted = any_store.purge(90, team_days={"T2": 30})  # T2 keeps 30 days, others 90
    assert deleted == {"answers": 1, "votes": 1, "events": 1}
    assert any_store.answer(ids["t2u1"]) is None and any_store.answer(ids["t1u1"]) is not None
    assert any_store.claim_event("EvOld")  # its id was forgotten after a day


def test_export_and_erase_one_person_in_one_team(any_store, caplog):
    ids = seed(any_store)
    pending = StorePendingQuestions(any_store)
    pending.accept(question(1, "U1", "T1"), "host:1:a")
    pending.accept(question(2, "U1", "T2"), "host:1:a")
    exported = any_store.export_user("U1", team="T1")
    assert [a["question"] for a in exported["answers"]] == ["T1 U1 question"]
    assert [p["text"] for p in exported["pending"]] == ["<@UBOT> question 1?"]
    assert [v["answer_id"] for v in exported["votes"]] == [ids["t1u2"]]
    with caplog.at_level(logging.DEBUG):
        deleted = any_store.erase_user("U1", team="T1")
    # U1's answer and pending question in T1, U1's vote and U2's vote on U1's answer
    assert deleted == {"answers": 1, "votes": 2, "events": 1}
    assert "question" not in caplog.text.lower()
    assert any_store.export_user("U1", team="T1") == {"user": "U1", "team": "T1", "pending": [],
                                                       "answers": [], "votes": []}
    left = any_store.export_user("U1")  # T2 untouched
    assert [a["question"] for a in left["answers"]] == ["T2 U1 question"]
    assert len(left["pending"]) == 1 and any_store.answer(ids["t1u2"]) is not None


def test_erase_a_whole_team(any_store):
    ids = seed(any_store)
    assert any_store.erase_team("T2") == {"answers": 1, "votes": 1, "events": 0}
    assert any_store.answer(ids["t2u1"]) is None and len(any_store.votes()) == 2


def test_pending_questions_are_leased_and_answered_once(any_store):
    pending = StorePendingQuestions(any_store)
    q = question(1)
    assert pending.accept(q, "host-a:1:a") and not pending.accept(q, "host-b:2:b")
    assert not any_store.claim_event("Ev1")
    assert pending.claim_stale("host-b:2:b") == []
    taken = pending.claim_stale("host-b:2:b", now=time.time() + 61)
    assert [t.event_id for t in taken] == ["Ev1"] and taken[0].attempts == 2
    assert taken[0].team == "T1" and pending.owners() == {"host-b:2:b"}
    assert pending.answered(q, Answer(q.question, "an answer", True), "ans1", [])
    assert any_store.answer("ans1")["team"] == "T1" and pending.count() == 0
    assert not pending.finish(q, "failed")


def test_a_database_behind_this_pdbot_gets_one_line(database_url):
    from assistant.slack.feedback import FeedbackStore
    from assistant.store.database import make_engine
    from assistant.store.migrate import head, upgrade

    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":  # the default store upgrades itself
        assert FeedbackStore(engine).claim_event("Ev1")
        return
    with pytest.raises(StoreError, match=r"no pdbot tables yet: run `pdbot db upgrade`"):
        FeedbackStore(engine)
    from alembic import command

    from assistant.store.migrate import _config

    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with pytest.raises(StoreError) as older:
        FeedbackStore(engine)
    assert "older than this pdbot's" in str(older.value) and "\n" not in str(older.value)
    assert upgrade(engine) == ("0001", head())
    assert FeedbackStore(engine).claim_event("Ev1")
    engine.dispose()


def test_a_store_the_raw_sqlite3_releases_wrote_is_migrated_not_lost(tmp_path):
    from assistant.slack.feedback import FeedbackStore

    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as db:  # the schema and rows of the last raw-sqlite3 release
        db.executescript("""
            CREATE TABLE answers (answer_id TEXT PRIMARY KEY, question TEXT, history TEXT,
                answer TEXT, answered INTEGER, sections TEXT, citations TEXT, channel TEXT,
                created REAL, user TEXT DEFAULT '', reason TEXT DEFAULT '', vector BLOB);
            CREATE TABLE votes (answer_id TEXT, user TEXT, vote TEXT, reason TEXT, created REAL,
                PRIMARY KEY (answer_id, user));
            CREATE TABLE events (event_id TEXT PRIMARY KEY, created REAL,
                status TEXT DEFAULT 'done', kind TEXT DEFAULT '', team TEXT DEFAULT '',
                channel TEXT DEFAULT '', thread_ts TEXT DEFAULT '', ts TEXT DEFAULT '',
                user TEXT DEFAULT '', text TEXT, lease_owner TEXT DEFAULT '',
                lease_until REAL DEFAULT 0, attempts INTEGER DEFAULT 0,
                answer_id TEXT DEFAULT '');
            CREATE INDEX answers_user ON answers (user);
        """)
        db.execute("INSERT INTO answers VALUES ('old1', 'an old question', '[]', 'an old answer',"
                   " 1, '[]', '[]', 'C1', ?, 'U7', '', NULL)", (time.time(),))
        db.execute("INSERT INTO votes VALUES ('old1', 'U8', 'down', 'wrong', ?)", (time.time(),))
        db.execute("INSERT INTO events (event_id, created, status, kind, user, text, lease_until)"
                   " VALUES ('EvP', ?, 'pending', 'dm', 'U7', 'still pending?', 0)",
                   (time.time(),))
    store = FeedbackStore(path)
    assert store.answer("old1")["question"] == "an old question"
    assert store.answer("old1")["team"] == ""
    assert [(v["user"], v["vote"]) for v in store.votes()] == [("U8", "down")]
    assert not store.claim_event("EvP")
    assert [q.text for q in StorePendingQuestions(store).claim_stale("h:1:x")] == ["still pending?"]
    assert store.export_user("U7")["answers"][0]["answer"] == "an old answer"

"""Pending questions in the store: accepted before the ack, leased to one process at a time,
crossed off in the transaction that records the answer, covered by retention and erasure."""
from __future__ import annotations

import sqlite3
import time

import pytest

from assistant.slack.feedback import FeedbackStore
from assistant.slack.pending_sqlite import SqlitePendingQuestions
from assistant.slack.questions import Question
from assistant.slack.recovery import is_gone
from knowledge.records import Answer

A, B = "host-a:11:aa", "host-b:22:bb"  # two replicas on other hosts: only leases decide


def question(n: int = 1, user: str = "U1", created: float | None = None) -> Question:
    return Question(f"Ev{n}", "mention", "T1", "C1", f"1700000000.00000{n}",
                    f"1700000000.00000{n}", user, f"<@UBOT> question {n}?",
                    created=time.time() if created is None else created)


@pytest.fixture
def pending(tmp_path):
    return SqlitePendingQuestions(FeedbackStore(tmp_path / "feedback.sqlite3"))


def row(pending, event_id: str) -> dict:
    with sqlite3.connect(pending.store.path) as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("SELECT * FROM events WHERE event_id = ?", (event_id,)).fetchone())


def test_an_event_is_accepted_once(pending):
    assert pending.accept(question(1), A)
    assert not pending.accept(question(1), B)  # Slack's retry, or the same event at a replica
    assert not pending.store.claim_event("Ev1")
    assert pending.count() == 1 and pending.owners() == {A}


def test_a_lease_keeps_a_question_with_one_replica_until_it_runs_out(pending):
    pending.accept(question(1), A, lease=60)
    assert pending.claim_stale(B) == []  # A holds it
    later = time.time() + 61
    taken = pending.claim_stale(B, now=later)
    assert [q.event_id for q in taken] == ["Ev1"] and taken[0].recovered
    assert taken[0].attempts == 2 and taken[0].text == "<@UBOT> question 1?"
    assert pending.claim_stale(A, now=later + 1) == []  # now B's
    assert pending.owners() == {B}


def test_a_gone_owner_hands_over_at_once_and_renewal_keeps_a_living_one(pending):
    pending.accept(question(1), A, lease=1)
    pending.accept(question(2), B, lease=1)
    assert pending.renew(A, lease=60) == 1
    time.sleep(1.1)
    assert [q.event_id for q in pending.claim_stale("host-c:3:cc")] == ["Ev2"]
    assert [q.event_id for q in pending.claim_stale("host-c:3:cc", gone=[A])] == ["Ev1"]


def test_answered_records_the_answer_and_drops_the_text_in_one_transaction(pending):
    q = question(1)
    pending.accept(q, A)
    assert pending.answered(q, Answer(q.question, "an answer", True), "ans1", [])
    assert row(pending, "Ev1")["status"] == "answered" and row(pending, "Ev1")["text"] is None
    assert pending.store.answer("ans1")["answer"] == "an answer"
    assert pending.count() == 0
    assert not pending.answered(q, Answer(q.question, "again", True), "ans1", [])  # not pending
    assert not pending.finish(q, "failed")


def test_without_stored_questions_the_text_lives_only_until_answered(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3", keep_text=False)
    pending = SqlitePendingQuestions(store)
    q = question(1)
    pending.accept(q, A)
    assert row(pending, "Ev1")["text"] == q.text  # needed to answer it after a crash
    pending.answered(q, Answer(q.question, "an answer", True), "ans1", [])
    assert row(pending, "Ev1")["text"] is None and store.answer("ans1")["question"] == ""
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    store._checkpoint()
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"question 1?" not in on_disk


def test_released_questions_wait_before_they_are_claimed_again(pending):
    q = question(1)
    pending.accept(q, A)
    pending.release(q, retry_after=60)
    assert pending.claim_stale(B) == [] and pending.renew(A) == 0
    assert len(pending.claim_stale(B, now=time.time() + 61)) == 1


def test_retention_and_erasure_cover_pending_questions(pending):
    store, day = pending.store, 86400
    pending.accept(question(1, created=time.time() - 100 * day), A)  # pending past retention
    pending.accept(question(2, created=time.time() - 2 * day), A)  # pending, kept
    pending.accept(question(3, user="U9"), A)
    answered = question(4, created=time.time() - 2 * day)
    pending.accept(answered, A)
    pending.answered(answered, Answer(answered.question, "a", True), "ans4", [])
    deleted = store.purge(90)
    assert deleted["events"] == 2  # the pending one past 90 days, the answered one past a day
    assert pending.count() == 2
    assert store.export_user("U9")["pending"][0]["text"] == "<@UBOT> question 3?"
    assert store.erase_user("U9")["events"] == 1
    assert store.export_user("U9")["pending"] == [] and pending.count() == 1


def test_a_store_made_before_pending_questions_gains_its_columns(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the schema of the previous release
        db.execute("CREATE TABLE events (event_id TEXT PRIMARY KEY, created REAL)")
        db.execute("INSERT INTO events VALUES ('EvOld', ?)", (time.time(),))
    pending = SqlitePendingQuestions(FeedbackStore(path))
    assert row(pending, "EvOld")["status"] == "done" and pending.count() == 0
    assert pending.accept(question(1), A) and pending.count() == 1


def test_owners_on_this_host_are_gone_when_their_process_is():
    import os
    import socket

    here = socket.gethostname()
    me = f"{here}:{os.getpid()}:abc"
    assert not is_gone(me, me)
    assert is_gone(f"{here}:{os.getpid()}:old", me)  # this pid, an earlier process
    assert is_gone(f"{here}:999999999:x", me)  # no such process
    assert not is_gone(f"{here}:1:x", me)  # running
    assert not is_gone("elsewhere:1:x", me) and not is_gone("", me)  # leases decide

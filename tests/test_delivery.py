"""A question once acknowledged is answered, even if the process dies: `pdbot slack` as a real
process against the Web API stand-in, loaded, killed with SIGKILL and restarted."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import time
from collections import Counter

import pytest

from tests.slack_process import (SlackProcess, describe, load_probe, percentile,
                                 send_mentions)
from tests.test_slack import mention, signed_post
from tests.slack_standin import SlackStandIn


@pytest.fixture
def api():
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def data_dir(built_settings, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(built_settings.data_dir, target)
    return target


def answers_per_thread(api, threads) -> Counter:
    return Counter(c.body.get("thread_ts") for c in api.called("chat.postMessage")
                   if c.body.get("thread_ts") in threads)


def wait_answered(api, threads, timeout: float) -> float:
    """Seconds until every thread has an answer (AssertionError after `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if len(answers_per_thread(api, threads)) == len(threads):
            return time.monotonic() - started
        time.sleep(0.05)
    missing = len(threads) - len(answers_per_thread(api, threads))
    raise AssertionError(f"{missing} of {len(threads)} questions unanswered after {timeout}s")


def test_load_300_mentions_and_30_retries_are_each_answered_once(data_dir, tmp_path):
    figures = load_probe(data_dir, tmp_path / "bot.log")
    print(f"\nload: {describe(figures)}")
    assert figures["statuses"] == [200] * 330 and figures["exit_code"] == 0
    assert len(figures["per_thread"]) == 300 and set(figures["per_thread"].values()) == {1}
    assert percentile(figures["acks"], 0.95) < 1000
    assert figures["answered_in"] < 30
    assert figures["rss_after"] - figures["rss_before"] < 100


def metric_values(root: str) -> dict:
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    text = urllib.request.urlopen(f"{root}/metrics", timeout=10).read().decode()
    return {s.name: s.value for family in text_string_to_metric_families(text)
            for s in family.samples if not s.labels}


def event_rows(data_dir) -> dict[str, dict]:
    with sqlite3.connect(data_dir / "feedback.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return {r["event_id"]: dict(r) for r in db.execute("SELECT * FROM events")}


def test_200_acked_mentions_killed_with_sigkill_are_all_answered_once_after_a_restart(
        api, data_dir, tmp_path):
    log = tmp_path / "bot.log"
    bot = SlackProcess(data_dir, api.url, log).start()
    load = send_mentions(bot.events, 200, senders=20, prefix="EvKill", first_ts=1700300000)
    bot.kill()  # right after the last acknowledgement: an OOM kill, an eviction, a power cut
    assert load["statuses"] == [200] * 200
    before = len(answers_per_thread(api, load["sent"]))
    left = [r for r in event_rows(data_dir).values() if r["status"] == "pending"]
    assert len(left) >= 200 - before > 0  # acknowledged, unanswered, and written down
    restarted = SlackProcess(data_dir, api.url, log)
    restart = time.monotonic()
    restarted.start()
    ready = time.monotonic() - restart
    try:
        took = wait_answered(api, load["sent"], timeout=60)
        time.sleep(2.0)
        per_thread = answers_per_thread(api, load["sent"])
        metrics = metric_values(restarted.root)
    finally:
        assert restarted.stop() == 0
    print(f"\nSIGKILL after 200 acks: {before} answered before the kill; the restart was ready "
          f"in {ready:.1f} s and answered the other {200 - before} in {took:.1f} s more "
          f"({ready + took:.1f} s after the restart); recovered {metrics['pdbot_recovered_total']:.0f}")
    assert len(per_thread) == 200 and set(per_thread.values()) == {1}  # each exactly once
    assert ready + took < 60  # the bar: within 60 s of the restart
    assert metrics["pdbot_pending"] == 0 and metrics["pdbot_recovered_total"] >= 200 - before
    rows = event_rows(data_dir)
    assert all(rows[f"EvKill{n}"]["status"] == "answered" for n in range(200))
    assert all(rows[f"EvKill{n}"]["text"] is None for n in range(200))
    ready_line = next(line for line in log.read_text().splitlines()[::-1] if "ready:" in line)
    assert "left pending, answered first" in ready_line


def test_a_crash_after_posting_and_before_marking_posts_nothing_twice(api, data_dir, tmp_path):
    log = tmp_path / "bot.log"
    thread = "1700400000.000100"
    bot = SlackProcess(data_dir, api.url, log).start()

    def kill_once_posted(method, body):  # the post is recorded; the bot never hears back
        if method == "chat.postMessage" and body.get("thread_ts") == thread:
            os.kill(bot.process.pid, signal.SIGKILL)

    api.before_reply = kill_once_posted
    assert signed_post(bot.events, mention("What should an HLTA do next?", ts=thread,
                                           event_id="EvPostedThenKilled"))[0] == 200
    bot.process.wait(timeout=60)
    api.before_reply = None
    assert len(api.thread("C1", thread)) == 1
    assert event_rows(data_dir)["EvPostedThenKilled"]["status"] == "pending"  # not marked
    restarted = SlackProcess(data_dir, api.url, log).start()
    try:
        deadline = time.monotonic() + 60
        while event_rows(data_dir)["EvPostedThenKilled"]["status"] == "pending":
            assert time.monotonic() < deadline, "never marked answered"
            time.sleep(0.1)
        time.sleep(1.0)
    finally:
        assert restarted.stop() == 0
    posted = api.thread("C1", thread)
    assert len(posted) == 1  # found in the thread by its metadata, not posted again
    row = event_rows(data_dir)["EvPostedThenKilled"]
    assert row["status"] == "answered"
    assert row["answer_id"] == posted[0]["metadata"]["event_payload"]["answer_id"]
    with sqlite3.connect(data_dir / "feedback.sqlite3") as db:  # the buttons' answer exists
        assert db.execute("SELECT count(*) FROM answers WHERE answer_id = ?",
                          (row["answer_id"],)).fetchone() == (1,)


def test_questions_left_pending_are_answered_with_an_apology_or_expire_with_one_line(
        api, data_dir, tmp_path):
    from assistant.slack import wording
    from assistant.slack.feedback import FeedbackStore
    from assistant.slack.pending_store import StorePendingQuestions
    from assistant.slack.questions import Question

    gone = f"{socket.gethostname()}:999999999:earlier"  # a process that no longer runs
    pending = StorePendingQuestions(FeedbackStore(data_dir / "feedback.sqlite3"))
    for event_id, ts, minutes in (("EvOld", "1700500000.000100", 120),
                                  ("EvYoung", "1700500001.000100", 10)):
        pending.accept(Question(event_id, "mention", "T1", "C1", ts, ts, "U1",
                                "<@UBOT> What should an HLTA do next?",
                                created=time.time() - minutes * 60), gone)
    log = tmp_path / "bot.log"
    bot = SlackProcess(data_dir, api.url, log).start()
    try:
        wait_answered(api, {"1700500000.000100", "1700500001.000100"}, timeout=60)
        time.sleep(1.0)
        metrics = metric_values(bot.root)
    finally:
        assert bot.stop() == 0
    old, young = api.thread("C1", "1700500000.000100"), api.thread("C1", "1700500001.000100")
    assert [m["text"] for m in old] == [wording.ask_again(60)]
    assert len(young) == 1 and young[0]["blocks"][0]["elements"][0]["text"] == \
        wording.SORRY_FOR_THE_DELAY
    assert "Stage 4" in json.dumps(young[0]["blocks"])
    assert (metrics["pdbot_expired_total"], metrics["pdbot_recovered_total"],
            metrics["pdbot_pending"]) == (1, 1, 0)
    rows = event_rows(data_dir)
    assert (rows["EvOld"]["status"], rows["EvYoung"]["status"]) == ("expired", "answered")
    assert "1 question was left pending, answered first, 1 older than 60 min get a line " \
           "asking to ask again" in log.read_text()


def test_sigterm_after_200_mentions_answers_them_all_before_exit(api, data_dir, tmp_path):
    bot = SlackProcess(data_dir, api.url, tmp_path / "bot.log").start()
    load = send_mentions(bot.events, 200, senders=20, prefix="EvTerm", first_ts=1700600000)
    assert bot.stop() == 0  # SIGTERM right after the last acknowledgement
    per_thread = answers_per_thread(api, load["sent"])
    assert len(per_thread) == 200 and set(per_thread.values()) == {1}
    assert not [r for r in event_rows(data_dir).values() if r["status"] == "pending"]


def test_an_answer_posted_late_in_a_long_thread_is_found_after_a_restart(api, engine, tmp_path):
    """The thread is read page by page (Slack gives 50 messages at a time here), so an answer
    posted after 60 earlier messages is still found by its metadata and not posted again."""
    from slack_sdk import WebClient

    from assistant.slack.answering import Answerer
    from assistant.slack.delivery import Deliverer
    from assistant.slack.feedback import FeedbackStore
    from assistant.slack.pending_store import StorePendingQuestions
    from assistant.slack.questions import Question
    from assistant.slack.threads import answer_metadata

    thread = "1700700000.000100"
    chatter = [{"type": "message", "ts": f"1700700001.{n:06d}", "user": f"U{n % 3 + 2}",
                "text": f"message {n}", "thread_ts": thread} for n in range(60)]
    asked = {"type": "message", "ts": "1700700002.000001", "user": "U1", "thread_ts": thread,
             "text": "<@UBOT> What should an HLTA do next?"}
    answered = {"type": "message", "ts": "1700700002.000002", "bot_id": "BBOT", "user": "UBOT",
                "text": "Specialist TAs …", "thread_ts": thread,
                "metadata": answer_metadata("EvLate", "a1b2")}
    api.threads[("C1", thread)] = chatter + [asked, answered]
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    pending = StorePendingQuestions(store)
    pending.accept(Question("EvLate", "mention", "T1", "C1", thread, asked["ts"], "U1",
                            asked["text"]), "gone-host:1:old")
    deliverer = Deliverer(Answerer(engine), store, pending=pending)
    [recovered] = pending.claim_stale(deliverer.owner, gone=["gone-host:1:old"])
    client = WebClient(token="xoxb-123-456-abcdefghijkl", base_url=api.url)
    assert deliverer.deliver(recovered, client, "UBOT") == "answered"
    assert api.called("chat.postMessage") == []
    assert len(api.called("conversations.replies")) == 2  # two pages
    assert event_rows(tmp_path)["EvLate"]["answer_id"] == "a1b2"
    assert store.answer("a1b2") is not None  # the buttons under it refer to a recorded answer

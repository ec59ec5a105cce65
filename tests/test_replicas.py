"""Replicas on one PostgreSQL, each with its own data directory: an event retried to the other
replica is answered once; a publish or rollback on one is live on the other within 10 s (the
version's folder travels through the database); an erasure on one is complete for both."""
from __future__ import annotations

import shutil
import time

import pytest

from assistant.slack.app import build_app
from assistant.slack.config import SlackSettings
from assistant.slack.feedback import FeedbackStore
from assistant.slack.server import start_http
from assistant.store.database import make_engine
from assistant.store.live_version import LiveVersionFollower, share_live, shared_live
from assistant.store.migrate import upgrade
from knowledge.index import indexes_dir, live_version_dir
from knowledge.versions import history, make_live
from tests.slack_standin import BOT_USER, SlackStandIn
from tests.test_workspaces import SECRET, QuotingEngine, post_event

TOKEN = "xoxb-123-456-abcdefghijklmnop"


@pytest.fixture
def shared_url(postgres):
    url = postgres.create_database(f"replicas{time.time_ns() % 10**9}")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def two_replicas(shared_url):
    """Two apps, each with its own store connection to the one database, served over HTTP."""
    with SlackStandIn() as standin:
        settings = SlackSettings(bot_token=TOKEN, signing_secret=SECRET, api_url=standin.url)
        stores = [FeedbackStore(shared_url), FeedbackStore(shared_url)]
        apps = [build_app(QuotingEngine(), s, settings, prompts=()) for s in stores]
        servers = [start_http(app) for app in apps]
        yield {"roots": [f"http://127.0.0.1:{s.effective_port}" for s in servers],
               "stores": stores, "standin": standin}
        for server, app, store in zip(servers, apps, stores):
            server.close()
            app.deliverer.drain()
            store.close()


def mention(text: str, ts: str, user: str = "U1") -> dict:
    return {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts,
            "channel": "C1", "event_ts": ts, "team": "T1"}


def test_an_event_retried_to_the_other_replica_is_answered_once(two_replicas):
    (a, b), standin = two_replicas["roots"], two_replicas["standin"]
    event = mention("How do I apply?", "1.000001")
    assert post_event(a, "T1", event, "EvX") == 200
    assert post_event(b, "T1", event, "EvX") == 200  # Slack's retry, to the other replica
    standin.wait_for("chat.postMessage", 1)
    time.sleep(0.5)
    assert len(standin.called("chat.postMessage")) == 1


def test_an_erasure_on_one_replica_is_complete_for_both(two_replicas):
    (a, b), (store_a, store_b) = two_replicas["roots"], two_replicas["stores"]
    post_event(a, "T1", mention("first of U7", "2.000001", "U7"), "Ev7a")
    post_event(b, "T1", mention("second of U7", "2.000002", "U7"), "Ev7b")
    two_replicas["standin"].wait_for("chat.postMessage", 2)
    deadline = time.monotonic() + 10
    while len(store_a.export_user("U7")["answers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store_b.erase_user("U7", team="T1")["answers"] == 2
    assert store_a.export_user("U7") == {"user": "U7", "pending": [], "answers": [], "votes": []}


def test_a_publish_and_a_rollback_are_live_on_the_other_replica_within_10_s(
        built_settings, shared_url, tmp_path):
    engine = make_engine(shared_url)
    here, there = tmp_path / "replica-a", tmp_path / "replica-b"
    shutil.copytree(built_settings.data_dir, here)
    first = live_version_dir(here).name
    share_live(engine, here, {"version": first, "by": "cli", "event": "publish"})
    loads = []
    follower = LiveVersionFollower(engine, there, on_change=lambda: loads.append(1),
                                   interval=0.5)
    assert follower.sync() == first  # a new replica starts on the shared version
    assert (indexes_dir(there) / first / "manifest.json").exists()
    follower.start()
    try:
        second = "v2-from-an-owner"
        shutil.copytree(indexes_dir(here) / first, indexes_dir(here) / second)
        entry = make_live(here, second, "U0OWNER", team="T1")
        published = time.monotonic()
        share_live(engine, here, {**entry, "team": "T1"})
        while live_version_dir(there).name != second and time.monotonic() - published < 10:
            time.sleep(0.05)
        took = time.monotonic() - published
        print(f"\npublish on one replica live on the other after {took:.2f} s")
        assert live_version_dir(there).name == second and took < 10
        assert history(there)[-1] == {**history(there)[-1], "version": second,
                                      "by": "U0OWNER", "team": "T1", "event": "publish"}
        rolled = time.monotonic()
        share_live(engine, here, make_live(here, first, "U0OWNER", event="rollback"))
        while live_version_dir(there).name != first and time.monotonic() - rolled < 10:
            time.sleep(0.05)
        assert live_version_dir(there).name == first and time.monotonic() - rolled < 10
        assert shared_live(engine)["event"] == "rollback" and len(loads) == 3
    finally:
        follower.stop()
        engine.dispose()


def test_a_version_published_here_is_not_reverted_before_it_is_shared(built_settings,
                                                                       shared_url, tmp_path):
    """Between an ingest's local publish and its share_live, the replica's own follower sees
    the shared row still naming the older version: it must not switch back to it."""
    engine = make_engine(shared_url)
    here = tmp_path / "replica"
    shutil.copytree(built_settings.data_dir, here)
    first = live_version_dir(here).name
    share_live(engine, here, {"version": first, "by": "cli", "event": "publish"})
    follower = LiveVersionFollower(engine, here)
    try:
        assert follower.sync() is None  # already on the shared version
        second = "v2-ingested-here"
        shutil.copytree(indexes_dir(here) / first, indexes_dir(here) / second)
        entry = make_live(here, second, "cli")
        assert follower.sync() is None and live_version_dir(here).name == second
        share_live(engine, here, entry)
        assert follower.sync() is None and live_version_dir(here).name == second
        # another replica rolls back: the changed row is followed
        share_live(engine, here, {"version": first, "by": "U0OWNER", "event": "rollback"})
        assert follower.sync() == first and live_version_dir(here).name == first
    finally:
        engine.dispose()

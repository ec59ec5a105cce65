"""The reviewer's deployment, with real servers: a PostgreSQL, a `chroma run`, and two
`pdbot slack` replicas as processes (each its own data directory, the second one empty) in
OAuth mode against the Web API stand-in.

Two teams install the app through the redirect (the install started on one replica and
finished on the other, as a balancer may route it); each team's mention is answered with that
team's token; a retry sent to the other replica is answered once; a document an owner edits
and publishes with `pdbot ingest` on the first replica's machine (vectors into the Chroma
server) is live on the second within 10 s and both answer from it; `pdbot data erase --team
--user` leaves nothing of the person for either; neither log holds a question's text."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from knowledge.index import live_version_dir
from tests.slack_process import SlackProcess
from tests.slack_standin import SlackStandIn
from tests.test_workspaces import SECRET, install, mention, post_event

CLIENT = {"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "client-secret",
          "SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": SECRET}
OLD, NEW = "Sessions take place each half term.", "Sessions take place every fortnight."
SEND_QUESTION = "How often do the SEND networks meet?"


def pdbot(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=600)


def thread_posts(standin: SlackStandIn, ts: str) -> list:
    """Every post in the thread started by the mention at `ts`."""
    return [c for c in standin.called("chat.postMessage") if c.body.get("thread_ts") == ts]


def wait_for_answer(standin: SlackStandIn, ts: str, timeout: float = 120) -> list:
    """Every post in the thread started by the mention at `ts`, once there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        posts = thread_posts(standin, ts)
        if posts:
            return posts
        time.sleep(0.1)
    raise AssertionError(f"no answer to the mention at {ts} within {timeout} s")


def test_two_replicas_on_postgresql_and_a_chroma_server(built_settings, postgres, chroma_server,
                                                        documents_copy, tmp_path):
    url = postgres.create_database("two_replicas")
    shared = {"PDBOT_DATABASE_URL": url, "PDBOT_CHROMA_URL": chroma_server,
              "PDBOT_DOCUMENTS_DIR": str(documents_copy)}
    upgraded = pdbot("db", "upgrade", env=shared)
    assert upgraded.returncode == 0, upgraded.stderr
    first_dir, second_dir = tmp_path / "replica-1", tmp_path / "replica-2"
    shutil.copytree(built_settings.data_dir, first_dir)  # its embeddings are reused
    second_dir.mkdir()
    first_env = {**shared, "PDBOT_DATA_DIR": str(first_dir)}
    ingested = pdbot("ingest", "--force", env=first_env)  # the vectors go to the Chroma server
    assert ingested.returncode == 0, ingested.stderr
    published = live_version_dir(first_dir).name

    with SlackStandIn() as standin:
        replicas = [SlackProcess(d, standin.url, tmp_path / f"{d.name}.log", **shared, **CLIENT)
                    for d in (first_dir, second_dir)]
        try:
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(lambda r: r.start(timeout=300), replicas))
            assert live_version_dir(second_dir).name == published  # from the database
            one, two = (r.root for r in replicas)

            assert install(one, "TA", redirect_root=two) == 200
            assert install(two, "TB", redirect_root=one) == 200
            assert len(standin.called("oauth.v2.access")) == 2

            # each team's mention, sent to either replica, is answered with that team's token
            assert post_event(two, "TA", mention("TA", "Which NPQs are offered?", "10.000001"),
                              "EvA") == 200
            assert post_event(one, "TA", mention("TA", "Which NPQs are offered?", "10.000001"),
                              "EvA") == 200  # Slack's retry, delivered to the other replica
            assert post_event(one, "TB", mention("TB", SEND_QUESTION, "20.000001"), "EvB") == 200
            wait_for_answer(standin, "10.000001")
            b_posts = wait_for_answer(standin, "20.000001")
            time.sleep(1.5)  # a second answer to the retry would come now
            a_posts = thread_posts(standin, "10.000001")
            assert len(a_posts) == 1 and "NPQ" in json.dumps(a_posts[0].body)
            assert a_posts[0].token == standin.token_of("TA")
            assert b_posts[0].token == standin.token_of("TB")
            assert "each half term" in json.dumps(b_posts[0].body)

            # an owner's edit published on replica 1's machine is live on replica 2
            path = next(p for p in documents_copy.iterdir() if OLD in p.read_text())
            path.write_text(path.read_text().replace(OLD, NEW))
            started = time.monotonic()
            republished = pdbot("ingest", env=first_env)
            assert republished.returncode == 0, republished.stderr
            ingest_done = time.monotonic()
            newer = live_version_dir(first_dir).name
            assert newer != published, republished.stdout + republished.stderr
            while live_version_dir(second_dir).name != newer \
                    and time.monotonic() - ingest_done < 10:
                time.sleep(0.1)
            took = time.monotonic() - ingest_done
            print(f"\npublish on replica 1 (ingest {ingest_done - started:.1f} s) live on "
                  f"replica 2 after {took:.1f} s")
            assert live_version_dir(second_dir).name == newer and took < 10
            for root, team, ts in ((one, "TA", "30.000001"), (two, "TB", "40.000001")):
                assert post_event(root, team, mention(team, SEND_QUESTION, ts), f"Ev{ts}") == 200
                answer = json.dumps(wait_for_answer(standin, ts)[0].body)
                assert "every fortnight" in answer and "each half term" not in answer, root

            env = {"PDBOT_DATABASE_URL": url, "PDBOT_DATA_DIR": str(first_dir)}
            erased = pdbot("data", "erase", "--team", "TA", "--user", "UTA1", env=env)
            assert erased.returncode == 0 and "2 answers" in erased.stdout, erased.stdout
            for folder in (first_dir, second_dir):
                left = pdbot("data", "export", "--team", "TA", "--user", "UTA1", env={
                    "PDBOT_DATABASE_URL": url, "PDBOT_DATA_DIR": str(folder)})
                assert left.returncode == 0, left.stderr
                assert json.loads(left.stdout)["answers"] == []
            kept = pdbot("data", "export", "--team", "TB", "--user", "UTB1", env=env)
            assert len(json.loads(kept.stdout)["answers"]) == 2  # another team's person stays
        finally:
            for replica in replicas:
                if replica.process is not None:
                    assert replica.stop() == 0
        assert standin.rejected == [], standin.rejected
    logs = "".join((tmp_path / f"{d.name}.log").read_text() for d in (first_dir, second_dir))
    assert "NPQs are offered" not in logs and "SEND networks" not in logs

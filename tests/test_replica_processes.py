"""Two `pdbot slack` replicas as processes, each with its own data directory (the second one
empty), sharing one real PostgreSQL, against the Web API stand-in: the second starts on the
shared live version; an event retried to the other replica is answered once; a rollback made
with `pdbot rollback` on the first replica's machine is live on the second within 10 s; one
`pdbot data erase` leaves nothing of the person for either."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from assistant.store.database import make_engine
from assistant.store.live_version import share_live
from knowledge.index import indexes_dir, live_version_dir
from knowledge.versions import make_live
from tests.slack_process import SlackProcess
from tests.slack_standin import SlackStandIn
from tests.test_slack import mention, signed_post


def pdbot(*args: str, env: dict) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=120)


def test_two_replicas_on_one_database_agree(built_settings, postgres, tmp_path):
    url = postgres.create_database("two_replicas")
    assert pdbot("db", "upgrade", env={"PDBOT_DATABASE_URL": url}).returncode == 0
    first_dir, second_dir = tmp_path / "replica-1", tmp_path / "replica-2"
    shutil.copytree(built_settings.data_dir, first_dir)
    second_dir.mkdir()
    first = live_version_dir(first_dir).name
    newer = "v2-published-by-an-owner"
    shutil.copytree(indexes_dir(first_dir) / first, indexes_dir(first_dir) / newer)
    engine = make_engine(url)
    share_live(engine, first_dir, make_live(first_dir, newer, "U0OWNER", team="T1"))
    engine.dispose()
    with SlackStandIn() as standin:
        replicas = [SlackProcess(d, standin.url, tmp_path / f"{d.name}.log",
                                 PDBOT_DATABASE_URL=url) for d in (first_dir, second_dir)]
        try:
            with ThreadPoolExecutor(2) as pool:  # both load the model at once
                list(pool.map(lambda r: r.start(timeout=300), replicas))
            assert live_version_dir(second_dir).name == newer  # taken from the database

            body = mention("Which NPQs does Camden Learning offer?", event_id="EvRetry")
            assert signed_post(replicas[0].events, body)[0] == 200
            assert signed_post(replicas[1].events, body)[0] == 200  # the retry, elsewhere
            standin.wait_for("chat.postMessage", 1)
            time.sleep(1.0)
            assert len([c for c in standin.called("chat.postMessage")
                        if "NPQ" in json.dumps(c.body)]) == 1

            env = {"PDBOT_DATABASE_URL": url, "PDBOT_DATA_DIR": str(first_dir)}
            rolled = time.monotonic()
            result = pdbot("rollback", env=env)
            assert result.returncode == 0, result.stderr
            while live_version_dir(second_dir).name != first and time.monotonic() - rolled < 10:
                time.sleep(0.1)
            took = time.monotonic() - rolled
            print(f"\n`pdbot rollback` on replica 1 live on replica 2 after {took:.1f} s")
            assert live_version_dir(second_dir).name == first and took < 10

            erased = pdbot("data", "erase", "--team", "T1", "--user", "U1", env=env)
            assert erased.returncode == 0 and "1 answers" in erased.stdout, erased.stdout
            for folder in (first_dir, second_dir):
                left = pdbot("data", "export", "--user", "U1", env={
                    "PDBOT_DATABASE_URL": url, "PDBOT_DATA_DIR": str(folder)})
                assert json.loads(left.stdout)["answers"] == []
        finally:
            for replica in replicas:
                if replica.process is not None:
                    assert replica.stop() == 0
    logs = "".join((tmp_path / f"{d.name}.log").read_text() for d in (first_dir, second_dir))
    assert "Which NPQs" not in logs  # no question text in either replica's log

"""Running pdbot in a school: start-up failures are one line and exit code 2, hostile HTTP gets
400/401/413 (never 500), staff data expires and can be exported or erased per person, and
/metrics and /healthz work. Against the Slack Web API stand-in with real signing, real HTTP,
a real `chroma run` server and `pdbot` run as a subprocess."""
from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from prometheus_client.parser import text_string_to_metric_families

from assistant.metrics import Metrics
from assistant.slack.app import build_app
from assistant.slack.config import SlackSettings
from assistant.slack.feedback import FeedbackStore
from assistant.slack.retention import DailyPurge
from assistant.slack.server import MAX_BODY, start_http
from assistant.slack.startup import manifest_scopes
from knowledge.records import Answer, Citation
from tests.conftest import free_port, start_chroma, wait_until_serving
from tests.local_server import LocalServer, QuietHandler
from tests.test_slack import SECRET, TOKEN, feedback_click, mention, signed_post, standin, store  # noqa: F401 (fixtures)

DAY = 86400
APP_TOKEN = "xapp-1-A111-222-abcdefabcdef"


def pdbot(*args, env=None, timeout=240):
    """`pdbot ARGS` as an operator runs it, with these environment variables added."""
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True,
                          text=True, env=full, timeout=timeout)


def slack_env(api_url: str, data_dir: Path, **more) -> dict:
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url,
           "PDBOT_DATA_DIR": str(data_dir), "SLACK_APP_TOKEN": "", **more}
    return env


def one_line_exit_2(result, expected: str) -> str:
    """The start-up failure contract: exit code 2, one line on stderr, no traceback."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pdbot: ") and expected in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


# --- start-up failures -------------------------------------------------------------------------

@pytest.mark.parametrize("error", ["invalid_auth", "account_inactive", "token_revoked"])
def test_a_rejected_bot_token_is_one_line(standin, tmp_path, error):
    standin.errors["auth.test"] = error
    result = pdbot("slack", "--port", str(free_port()), env=slack_env(standin.url, tmp_path / "d"))
    line = one_line_exit_2(result, f"Slack rejected SLACK_BOT_TOKEN with {error}")
    assert "Bot User OAuth Token" in line and TOKEN not in result.stderr
    assert standin.called("chat.postMessage") == []


def test_verbose_adds_the_traceback(standin, tmp_path):
    standin.errors["auth.test"] = "invalid_auth"
    env = slack_env(standin.url, tmp_path / "d")
    result = pdbot("--verbose", "slack", "--port", str(free_port()), env=env)
    assert result.returncode == 2 and TOKEN not in result.stderr
    line = result.stderr.index("pdbot: Slack rejected SLACK_BOT_TOKEN with invalid_auth")
    assert result.stderr.index("Traceback", line) and "SlackApiError" in result.stderr
    debug = pdbot("slack", "--port", str(free_port()), env={**env, "PDBOT_LOG_LEVEL": "DEBUG"})
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_slack_unreachable_names_the_url_and_https_proxy(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}/api/"
    result = pdbot("slack", "--port", str(free_port()), env=slack_env(closed, tmp_path / "d"))
    line = one_line_exit_2(result, f"Cannot reach Slack at {closed}")
    assert "connection refused" in line and "HTTPS_PROXY" in line


def test_missing_scopes_are_named(standin, tmp_path):
    granted = manifest_scopes() - {"im:history", "commands"}
    standin.headers["x-oauth-scopes"] = ",".join(sorted(granted))
    result = pdbot("slack", "--port", str(free_port()), env=slack_env(standin.url, tmp_path / "d"))
    line = one_line_exit_2(result, "lacks the scopes commands, im:history")
    assert "reinstall" in line


def test_a_rejected_app_token_in_socket_mode(standin, tmp_path):
    standin.errors["apps.connections.open"] = "invalid_auth"
    env = slack_env(standin.url, tmp_path / "d", SLACK_APP_TOKEN=APP_TOKEN)
    result = pdbot("slack", env=env)
    line = one_line_exit_2(result, "Slack rejected SLACK_APP_TOKEN with invalid_auth")
    assert "connections:write" in line and APP_TOKEN not in result.stderr


def test_an_unwritable_data_dir(standin, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = pdbot("slack", "--port", str(free_port()),
                   env=slack_env(standin.url, blocker / "data"))
    line = one_line_exit_2(result, f"The data directory {blocker / 'data'} is not writable")
    assert "PDBOT_DATA_DIR" in line
    assert standin.calls == []  # checked before anything else


def test_a_stopped_chroma_server_is_one_line_for_ingest_ask_and_slack(tmp_path, standin,
                                                                      built_settings, embedder):
    from ingest.pipeline import run_ingest
    from knowledge.settings import Settings

    process, url = start_chroma(tmp_path / "chroma")
    data = tmp_path / "data"
    shutil.copytree(built_settings.data_dir, data)
    try:  # the same index with its vectors on the server (stored embeddings reused)
        run_ingest(Settings(data_dir=data, chroma_url=url), embedder=embedder, force=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
    expected = f"Cannot reach the Chroma server at {url}"
    started = time.monotonic()
    line = one_line_exit_2(pdbot("ingest", "--force", env={"PDBOT_CHROMA_URL": url,
                                                          "PDBOT_DATA_DIR": str(data)}), expected)
    assert time.monotonic() - started < 30  # refused before any embedding
    assert "PDBOT_CHROMA_URL" in line
    one_line_exit_2(pdbot("ask", "What should an HLTA do next?",
                          env={"PDBOT_DATA_DIR": str(data)}), expected)
    one_line_exit_2(pdbot("slack", "--port", str(free_port()),
                          env={**slack_env(standin.url, data), "PDBOT_CHROMA_URL": url}), expected)


class OldChroma(LocalServer):
    """Answers like a Chroma 0.5 server: no /api/v2, /api/v1/version says 0.5.23."""

    def _handler(self):
        class Handler(QuietHandler):
            def do_GET(self):
                found = self.path == "/api/v1/version"
                body = b'"0.5.23"' if found else b'{"detail": "Not Found"}'
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def test_a_chroma_server_of_another_version_is_one_line(tmp_path):
    with OldChroma() as old:
        result = pdbot("ingest", env={"PDBOT_CHROMA_URL": old.root,
                                      "PDBOT_DATA_DIR": str(tmp_path / "data")})
    line = one_line_exit_2(result, f"The Chroma server at {old.root} is version 0.5.23")
    assert "chromadb" in line


# --- a normal start: ready before serving, quiet, JSON logs, retention at start ----------------

def seed_old_rows(path: Path) -> None:
    seeded = FeedbackStore(path)
    old = seeded.record_answer(Answer("an old question", "an old answer", True), [], "C1", "U9")
    seeded.claim_event("EvOld")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE answers SET created = ? WHERE answer_id = ?",
                   (time.time() - 100 * DAY, old))
        db.execute("UPDATE events SET created = ?", (time.time() - 2 * DAY,))


def test_pdbot_slack_is_ready_before_it_serves_and_logs_no_question_text(built_settings,
                                                                         standin, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built_settings.data_dir, data)
    seed_old_rows(data / "feedback.sqlite3")
    port = free_port()
    env = {**os.environ, **slack_env(standin.url, data), "PDBOT_LOG_FORMAT": "json"}
    err = tmp_path / "stderr.txt"
    with err.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "slack", "--host",
                                    "127.0.0.1", "--port", str(port)], env=env, stderr=sink,
                                   stdout=subprocess.DEVNULL, text=True)
        try:
            wait_until_serving(f"http://127.0.0.1:{port}/healthz", process, timeout=120)
            question = "How do I become a deputy head?"
            status, _ = signed_post(f"http://127.0.0.1:{port}/slack/events",
                                    mention(question, event_id="EvFirst"))
            acked = time.monotonic()
            assert status == 200
            posted = standin.wait_for("chat.postMessage")[0]
        finally:
            process.terminate()
            process.wait(timeout=30)
    delay = posted.at - acked
    print(f"\nfirst mention after start: ack -> chat.postMessage {delay * 1000:.0f} ms")
    assert "Deputy Headteacher" in posted.body["text"]
    assert delay < 1.0  # the model and index were loaded and warmed up before the port opened
    assert process.returncode == 0  # SIGTERM is a clean stop
    records = [json.loads(line) for line in err.read_text().splitlines()]  # every line is JSON
    assert not [r for r in records if r["level"] in ("WARNING", "ERROR")], records
    answer = next(r for r in records if r.get("event") == "answer")
    assert answer["user"] == "U1" and answer["answered"] is True and answer["latency_ms"] > 0
    assert "deputy head" not in err.read_text().lower()
    retention = next(r for r in records if r.get("event") == "retention")
    assert (retention["answers"], retention["events"]) == (1, 1)
    with sqlite3.connect(data / "feedback.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM answers WHERE question = 'an old question'"
                          ).fetchone() == (0,)


# --- hostile HTTP -------------------------------------------------------------------------------

@pytest.fixture
def served(engine, store, standin):
    """The app behind the gate, over real HTTP, with metrics and a readiness flag."""
    metrics = Metrics()
    ready = threading.Event()
    slack = SlackSettings(bot_token=TOKEN, signing_secret=SECRET, api_url=standin.url)
    app = build_app(engine, store, slack, metrics=metrics)
    http = start_http(app, signing_secret=SECRET, ready=ready, metrics=metrics)
    ready.set()
    root = f"http://127.0.0.1:{http.effective_port}"
    yield {"root": root, "events": f"{root}/slack/events", "metrics": metrics, "ready": ready,
           "port": int(http.effective_port)}
    http.close()


def raw_request(port: int, head: bytes, body_chunks=(), pause: float = 0.0) -> int:
    """Send raw bytes; the HTTP status of whatever comes back (0 if the server hung up)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
                time.sleep(pause)
        except OSError:  # the server refused and closed while we were still sending
            pass
        try:
            reply = sock.recv(200)
        except OSError:
            return 0
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else 0


def post(url, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def signed_headers(body: bytes, content_type="application/json", timestamp=None) -> dict:
    """Slack's v0 signature over the raw bytes (any bytes, not only UTF-8)."""
    import hashlib
    import hmac

    stamp = str(int(time.time() if timestamp is None else timestamp))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body,
                      hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest}"}


def hostile(name: str) -> tuple[bytes, dict, int]:
    """(body, headers, expected status) of one hostile request, signed at the time of asking."""
    hi = mention("hi").encode()
    form = "application/x-www-form-urlencoded"
    return {
        "unsigned, JSON type, not JSON": (b"abcd", {"Content-Type": "application/json"}, 401),
        "unsigned JSON": (hi, {"Content-Type": "application/json"}, 401),
        "forged": (hi, {**signed_headers(hi), "X-Slack-Signature": "v0=" + "0" * 64}, 401),
        "stale": (hi, signed_headers(hi, timestamp=time.time() - 301), 401),
        "malformed timestamp": (b"{}", {**signed_headers(b"{}"),
                                        "X-Slack-Request-Timestamp": "soon"}, 401),
        "signed, not JSON": (b"abcd", signed_headers(b"abcd"), 400),
        "signed, a JSON list": (b"[1, 2]", signed_headers(b"[1, 2]"), 400),
        "signed, not UTF-8": (b"{\xff\xfe}", signed_headers(b"{\xff\xfe}"), 400),
        "signed form, payload not JSON": (b"payload=%7Bnot",
                                          signed_headers(b"payload=%7Bnot", form), 400),
    }[name]


HOSTILE = ["unsigned, JSON type, not JSON", "unsigned JSON", "forged", "stale",
           "malformed timestamp", "signed, not JSON", "signed, a JSON list", "signed, not UTF-8",
           "signed form, payload not JSON"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_requests_get_4xx_and_one_log_line(served, standin, caplog, name):
    body, headers, expected = hostile(name)
    caplog.set_level(logging.INFO)
    assert post(served["events"], body, headers) == expected
    lines = [r for r in caplog.records if r.name.startswith(("assistant", "slack_bolt", "waitress"))]
    assert len(lines) == 1 and lines[0].exc_info is None, [r.getMessage() for r in lines]
    assert str(expected) in lines[0].getMessage()
    time.sleep(0.3)
    assert standin.calls == []  # nothing reached the app: no auth.test, no post


def test_oversized_bodies_are_refused_while_read(served, caplog):
    caplog.set_level(logging.INFO)
    port = served["port"]
    started = time.monotonic()
    head = (b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 200000000\r\n\r\n")
    assert raw_request(port, head) == 413  # declared: refused before a byte of body is read
    chunked = (b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n" % 65536 + b"x" * 65536 + b"\r\n"
    assert raw_request(port, chunked, [chunk] * 40, pause=0.005) == 413  # 2.6 MB sent, no length
    just_over = (b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1))
    assert raw_request(port, just_over) == 413
    assert post(served["events"], b"{" * MAX_BODY, {"Content-Type": "application/json"}) == 401
    assert time.monotonic() - started < 10
    assert raw_request(port, b"NOT HTTP AT ALL\r\n\r\n") == 400
    assert post(f"{served['root']}/elsewhere", b"{}", {}) == 404
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 5 and all(r.exc_info is None for r in refusals)
    counted = metric_values(served["root"])
    assert counted[("pdbot_http_refused_total", (("status", "413"),))] == 3
    assert counted[("pdbot_http_refused_total", (("status", "401"),))] == 1
    assert counted[("pdbot_http_refused_total", (("status", "400"),))] == 1


def test_a_flood_of_forged_requests_leaves_real_mentions_answered(served, standin, caplog):
    caplog.set_level(logging.WARNING)
    forged_body = mention("What should an HLTA do next?", event_id="EvForged").encode()
    forged_headers = {**signed_headers(forged_body), "X-Slack-Signature": "v0=" + "1" * 64}
    statuses: list[int] = []
    flood_seconds = 10.0

    def forge(i: int) -> None:
        time.sleep(max(0.0, i * flood_seconds / 1000 - (time.monotonic() - started)))
        statuses.append(post(served["events"], forged_body, forged_headers))

    questions = ["What should an HLTA do next?", "Which NPQs does Camden Learning offer?",
                 "How do I become a deputy head?", "What is the salary of an HLTA?",
                 "How often do SEND networks meet?"]
    sent: dict[str, float] = {}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        flood = [pool.submit(forge, i) for i in range(1000)]
        for i in range(18):  # a real mention every half second, during the flood
            time.sleep(0.5)
            ts = f"1700002000.{i:06d}"
            sent[ts] = time.monotonic()
            assert signed_post(served["events"], mention(questions[i % 5], ts=ts,
                                                         event_id=f"EvReal{i}"))[0] == 200
        for future in flood:
            future.result()
    elapsed = time.monotonic() - started
    calls = standin.wait_for("chat.postMessage", len(sent), timeout=60)
    delays = sorted(c.at - sent[c.body["thread_ts"]] for c in calls)
    p95 = delays[int(0.95 * len(delays)) - 1]
    print(f"\nflood: 1000 forged requests in {elapsed:.1f} s, statuses {sorted(set(statuses))}; "
          f"{len(delays)} real mentions answered, event -> post p50 "
          f"{statistics.median(delays) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    assert statuses == [401] * 1000
    assert sorted(c.body["thread_ts"] for c in calls) == sorted(sent)  # each once
    assert elapsed < 15
    assert p95 < 2.0
    assert all(r.exc_info is None for r in caplog.records)


# --- metrics and health ---------------------------------------------------------------------

def metric_values(root: str) -> dict:
    text = urllib.request.urlopen(f"{root}/metrics", timeout=10).read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_move_after_a_signed_mention_and_a_vote(served, standin):
    before = metric_values(served["root"])
    assert before[("pdbot_questions_total", ())] == 0
    assert before[("pdbot_llm_fallbacks_total", ())] == 0
    assert signed_post(served["events"], mention("What should an HLTA do next?",
                                                 event_id="EvM1"))[0] == 200
    assert signed_post(served["events"], mention("What is the salary of an HLTA?",
                                                 ts="1700000000.000002", event_id="EvM2"))[0] == 200
    posted = standin.wait_for("chat.postMessage", 2)
    click = feedback_click(posted[0].body, vote="up")
    assert signed_post(served["events"], urlencode({"payload": json.dumps(click)}),
                       "application/x-www-form-urlencoded")[0] == 200
    assert post(served["events"], b"{}", {"Content-Type": "application/json"}) == 401
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        after = metric_values(served["root"])
        if after.get(("pdbot_votes_total", (("vote", "up"),))) == 1:
            break
        time.sleep(0.05)
    assert after[("pdbot_questions_total", ())] == 2
    assert after[("pdbot_answered_total", ())] == 1
    assert after[("pdbot_refused_total", (("reason", "topic"),))] == 1
    assert after[("pdbot_answer_latency_seconds_count", ())] == 2
    assert after[("pdbot_votes_total", (("vote", "up"),))] == 1
    assert after[("pdbot_http_refused_total", (("status", "401"),))] == 1


def test_healthz_is_503_until_ready(served):
    served["ready"].clear()
    with pytest.raises(urllib.error.HTTPError) as starting:
        urllib.request.urlopen(f"{served['root']}/healthz", timeout=10)
    assert starting.value.code == 503
    served["ready"].set()
    assert urllib.request.urlopen(f"{served['root']}/healthz", timeout=10).status == 200


# --- staff data -------------------------------------------------------------------------------

def age(path: Path, table: str, days: float, where: str = "1") -> None:
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE {table} SET created = ? WHERE {where}", (time.time() - days * DAY,))


def test_retention_deletes_old_rows_and_keeps_newer_ones(store):
    old = store.record_answer(Answer("old question", "old answer", True), [], "C1", "U1")
    new = store.record_answer(Answer("new question", "new answer", True), [], "C1", "U1")
    store.record_vote(old, "U2", "down", "wrong")
    store.record_vote(new, "U2", "up")
    store.claim_event("EvOld")
    store.claim_event("EvNew")
    age(store.path, "answers", 91, f"answer_id = '{old}'")
    age(store.path, "answers", 89, f"answer_id = '{new}'")
    age(store.path, "votes", 89)
    age(store.path, "events", 1.1, "event_id = 'EvOld'")
    age(store.path, "events", 0.9, "event_id = 'EvNew'")
    assert store.purge(90) == {"answers": 1, "votes": 1, "events": 1}
    assert store.answer(old) is None and store.answer(new)["question"] == "new question"
    assert [v["answer_id"] for v in store.votes()] == [new]
    assert not store.claim_event("EvNew") and store.claim_event("EvOld")


def test_the_daily_purge_runs_on_its_own_thread_and_stops(store):
    purge = DailyPurge(store, 90, interval=0.05).start()
    try:
        expired = store.record_answer(Answer("q", "a", True), [], "C1", "U1")
        age(store.path, "answers", 100)
        deadline = time.monotonic() + 10
        while store.answer(expired) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.answer(expired) is None
    finally:
        purge.stop()
    assert not purge._thread.is_alive()


def seed_three_users(path: Path) -> dict:
    seeded = FeedbackStore(path)
    cited = [Citation(1, "Doc", "2023", "Section", "text", chunk_id="doc/section#1")]
    ids = {
        "u1a": seeded.record_answer(Answer("U1 first question", "U1 first answer", True, cited),
                                    [{"role": "user", "content": "U1 earlier turn"}], "C1", "U1AAA"),
        "u1b": seeded.record_answer(Answer("U1 second question", "U1 second answer", False,
                                           reason="topic:pay"), [], "D1", "U1AAA"),
        "u2": seeded.record_answer(Answer("U2 question", "U2 answer", True), [], "C1", "U2BBB"),
        "u3": seeded.record_answer(Answer("U3 question", "U3 answer", True), [], "C2", "U3CCC"),
    }
    seeded.record_vote(ids["u1a"], "U1AAA", "up")
    seeded.record_vote(ids["u2"], "U1AAA", "down", "U1 thinks this is wrong")
    seeded.record_vote(ids["u1b"], "U2BBB", "down", "U2 on U1's answer")
    seeded.record_vote(ids["u3"], "U3CCC", "up")
    return ids


def test_export_and_erase_by_user(tmp_path):
    from assistant.slack.pending_store import StorePendingQuestions
    from assistant.slack.questions import Question

    data = tmp_path / "data"
    ids = seed_three_users(data / "feedback.sqlite3")
    StorePendingQuestions(FeedbackStore(data / "feedback.sqlite3")).accept(Question(
        "EvU1", "dm", "T1", "D1", "1.2", "1.2", "U1AAA", "U1 pending question"), "host:1:x")
    env = {"PDBOT_DATA_DIR": str(data)}
    out = tmp_path / "u1.json"
    result = pdbot("data", "export", "--user", "U1AAA", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    exported = json.loads(out.read_text())
    assert exported["user"] == "U1AAA"
    assert [a["question"] for a in exported["answers"]] == ["U1 first question",
                                                            "U1 second question"]
    first = exported["answers"][0]
    assert first["answer"] == "U1 first answer" and first["history"][0]["content"] == "U1 earlier turn"
    assert exported["answers"][1]["reason"] == "topic:pay" and first["created"].endswith("Z")
    assert sorted((v["answer_id"], v["vote"]) for v in exported["votes"]) == sorted(
        [(ids["u1a"], "up"), (ids["u2"], "down")])
    assert "U2 question" not in out.read_text() and "U2BBB" not in out.read_text()
    assert [p["text"] for p in exported["pending"]] == ["U1 pending question"]

    erased = pdbot("data", "erase", "--user", "U1AAA", env=env)
    assert erased.returncode == 0, erased.stderr
    # U1's 2 answers, U1's 2 votes, U2's vote on U1's answer, and U1's pending question
    assert "Deleted 6 rows (2 answers, 3 votes, 1 question records)" in erased.stdout
    store = FeedbackStore(data / "feedback.sqlite3")
    again = store.export_user("U1AAA")
    assert again["answers"] == [] and again["votes"] == [] and again["pending"] == []
    assert store.answer(ids["u2"])["question"] == "U2 question"
    assert store.answer(ids["u3"])["question"] == "U3 question"
    assert [(v["user"], v["answer_id"]) for v in store.votes()] == [("U3CCC", ids["u3"])]
    on_disk = b"".join(f.read_bytes() for f in data.iterdir())  # the database and its WAL
    assert b"U1 first question" not in on_disk and b"U1 thinks" not in on_disk
    assert b"U1 pending question" not in on_disk
    assert b"U2 question" in on_disk


def test_erase_before_a_date_and_bad_input(tmp_path):
    data = tmp_path / "data"
    ids = seed_three_users(data / "feedback.sqlite3")
    path = data / "feedback.sqlite3"
    with sqlite3.connect(path) as db:  # U3's answer and vote from 2024, the rest from now
        stamp = time.mktime((2024, 3, 1, 12, 0, 0, 0, 0, 0))
        db.execute("UPDATE answers SET created = ? WHERE user = 'U3CCC'", (stamp,))
        db.execute("UPDATE votes SET created = ? WHERE user = 'U3CCC'", (stamp,))
    env = {"PDBOT_DATA_DIR": str(data)}
    result = pdbot("data", "erase", "--before", "2025-01-01", env=env)
    assert "Deleted 2 rows (1 answers, 1 votes, 0 question records)" in result.stdout
    store = FeedbackStore(path)
    assert store.answer(ids["u3"]) is None and store.answer(ids["u2"]) is not None
    one_line_exit_2(pdbot("data", "erase", "--before", "last week", env=env), "YYYY-MM-DD")
    one_line_exit_2(pdbot("data", "export", "--user", "bob", env=env), "Slack user id")


def test_without_stored_questions_only_outcomes_and_votes_are_kept(tmp_path, engine):
    store = FeedbackStore(tmp_path / "f.sqlite3", keep_text=False)
    answer = engine.answer("What should an HLTA do next?")
    answer_id = store.record_answer(answer, [{"role": "user", "content": "earlier"}], "C1", "U1AAA")
    store.record_vote(answer_id, "U1AAA", "down", "too long")
    row = store.answer(answer_id)
    assert (row["question"], row["answer"], row["history"]) == ("", "", [])
    assert row["answered"] == 1 and row["sections"] and row["user"] == "U1AAA"
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT vector FROM answers").fetchone() == (None,)
    assert store.votes()[0]["reason"] == "too long"


def test_socket_mode_serves_health_and_metrics_only():
    metrics, ready = Metrics(), threading.Event()
    http = start_http(None, ready=ready, metrics=metrics)
    root = f"http://127.0.0.1:{http.effective_port}"
    try:
        with pytest.raises(urllib.error.HTTPError) as starting:
            urllib.request.urlopen(f"{root}/healthz", timeout=10)
        assert starting.value.code == 503
        ready.set()
        assert urllib.request.urlopen(f"{root}/healthz", timeout=10).status == 200
        assert ("pdbot_questions_total", ()) in metric_values(root)
        assert post(f"{root}/slack/events", b"{}", signed_headers(b"{}")) == 404
    finally:
        http.close()

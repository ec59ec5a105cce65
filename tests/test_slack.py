"""The Slack app against a stand-in of Slack's Web API, with real request signing, real HTTP
serving (waitress) and the real engine over the real documents."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from assistant.slack import wording
from assistant.slack.app import build_app
from assistant.slack.blocks import (BLOCK_LIMIT, FALLBACK_LIMIT, MARKDOWN_LIMIT, SECTION_LIMIT,
                                    answer_blocks)
from assistant.slack.config import SlackConfigError, SlackSettings
from assistant.slack.feedback import FeedbackStore, export_downvotes
from assistant.slack.server import start_http
from knowledge.records import Answer, Citation
from tests.slack_standin import BOT_ID, BOT_USER, SlackStandIn
from tests.conftest import free_port, wait_until_serving

SECRET = "8f742231b10e8888abcd9999aaaa85a5"
TOKEN = "xoxb-123-456-abcdefghijklmnop"


@pytest.fixture
def standin():
    with SlackStandIn() as api:
        yield api
        assert api.rejected == [], api.rejected  # every call was one Slack accepts


@pytest.fixture
def store(tmp_path):
    return FeedbackStore(tmp_path / "feedback.sqlite3")


@pytest.fixture
def slack_settings(standin):
    return SlackSettings(bot_token=TOKEN, signing_secret=SECRET, api_url=standin.url)


@pytest.fixture
def server(engine, store, slack_settings):
    """The Bolt app served over HTTP on 127.0.0.1 (free port), as `pdbot slack` serves it."""
    http = start_http(build_app(engine, store, slack_settings))
    yield f"http://127.0.0.1:{http.effective_port}/slack/events"
    http.close()


def signed_post(url, body: str, content_type="application/json", timestamp=None, secret=SECRET,
                headers=None):
    timestamp = str(int(timestamp if timestamp is not None else time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def event(event_body: dict, event_id: str) -> str:
    return json.dumps({"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()),
                       "authorizations": [{"user_id": BOT_USER, "is_bot": True}],
                       "event": event_body})


def mention(text, ts="1700000000.000001", channel="C1", thread_ts=None, event_id="Ev1"):
    body = {"type": "app_mention", "user": "U1", "text": f"<@{BOT_USER}> {text}", "ts": ts,
            "channel": channel, "event_ts": ts}
    if thread_ts:
        body["thread_ts"] = thread_ts
    return event(body, event_id)


def block_text(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_a_mention_is_answered_in_its_thread_with_the_right_sources(server, standin):
    status, _ = signed_post(server, mention("What should an HLTA do next?"))
    assert status == 200
    call = standin.wait_for("chat.postMessage")[0]
    assert call.body["channel"] == "C1" and call.body["thread_ts"] == "1700000000.000001"
    sources = block_text(call.body["blocks"])
    assert "Stage 4: Specialist Teaching Assistant" in sources
    assert "Transition to Teaching" in sources
    assert call.body["text"].startswith("After Higher Level Teaching Assistant")
    assert call.body["blocks"][0]["type"] == "markdown"
    assert call.body["blocks"][0]["text"].startswith("After Higher Level Teaching Assistant")
    feedback = call.body["blocks"][-1]
    assert feedback["type"] == "context_actions"
    assert feedback["elements"][0]["type"] == "feedback_buttons"
    assert [b["type"] for b in call.body["blocks"]].count("context_actions") == 1


def test_a_direct_message_is_answered_in_the_dm(server, standin):
    body = event({"type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
                  "text": "Which NPQs does Camden Learning offer?", "ts": "1700000001.000001"}, "EvDM")
    assert signed_post(server, body)[0] == 200
    call = standin.wait_for("chat.postMessage")[0]
    assert call.body["channel"] == "D1" and call.body["thread_ts"] == "1700000001.000001"
    assert "NPQ" in call.body["text"]


def test_a_reply_in_a_thread_the_bot_answered_is_a_follow_up(server, standin):
    thread = "1700000002.000001"
    standin.threads[("C1", thread)] = [
        {"ts": thread, "user": "U1", "text": f"<@{BOT_USER}> Which NPQs are there?"},
        {"ts": "1700000002.000002", "bot_id": BOT_ID, "user": BOT_USER,
         "text": "NPQ for SENCo (NPQSENCO), NPQ for Senior Leadership (NPQSL), NPQ for Headship (NPQH)."},
        {"ts": "1700000002.000003", "user": "U1", "text": "Which one is for heads?"},
    ]
    body = event({"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1",
                  "text": "Which one is for heads?", "ts": "1700000002.000003",
                  "thread_ts": thread}, "EvFollow")
    assert signed_post(server, body)[0] == 200
    call = standin.wait_for("chat.postMessage")[0]
    assert call.body["thread_ts"] == thread
    assert "Headship" in call.body["text"]
    assert standin.called("conversations.replies")[0].body["ts"] == thread


def test_a_thread_the_bot_never_answered_is_left_alone(server, standin):
    thread = "1700000003.000001"
    standin.threads[("C1", thread)] = [{"ts": thread, "user": "U2", "text": "lunch?"}]
    body = event({"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1",
                  "text": "yes please", "ts": "1700000003.000002", "thread_ts": thread}, "EvOther")
    assert signed_post(server, body)[0] == 200
    time.sleep(0.5)
    assert standin.called("chat.postMessage") == []
    assert standin.called("conversations.replies") == []  # not a question: not even read


def test_the_legacy_assistant_pane(server, standin):
    standin.threads[("D9", "1700000004.000001")] = [  # the thread Slack opens for the pane
        {"ts": "1700000004.000001", "user": "U1", "subtype": "assistant_app_thread",
         "text": "Chats from today"}]
    started = event({"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "U1", "channel_id": "D9", "thread_ts": "1700000004.000001", "context": {}},
        "event_ts": "1700000004.000002"}, "EvPane1")
    assert signed_post(server, started)[0] == 200
    greeting = standin.wait_for("chat.postMessage")[0]
    assert greeting.body["thread_ts"] == "1700000004.000001"
    prompts = standin.wait_for("assistant.threads.setSuggestedPrompts")[0]
    assert "HLTA" in json.dumps(prompts.body)
    message = event({"type": "message", "channel_type": "im", "channel": "D9", "user": "U1",
                     "text": "How do I become a deputy head?", "ts": "1700000004.000003",
                     "thread_ts": "1700000004.000001"}, "EvPane2")
    assert signed_post(server, message)[0] == 200
    answer = standin.wait_for("chat.postMessage", 2)[1]
    assert "Deputy Headteacher" in answer.body["text"]
    assert answer.body["thread_ts"] == "1700000004.000001"
    status = standin.called("assistant.threads.setStatus")[0].body
    assert status["status"] == wording.THINKING and status["loading_messages"]
    title = standin.wait_for("assistant.threads.setTitle")[0].body
    assert title["title"] == "How do I become a deputy head?"


def test_the_slash_command_answers_privately_and_can_be_shared(server, standin, store):
    form = urlencode({"command": "/pd", "text": "What should an HLTA do next?", "user_id": "U1",
                      "channel_id": "C7", "team_id": "T1", "trigger_id": "t1",
                      "response_url": standin.response_url})
    assert signed_post(server, form, "application/x-www-form-urlencoded")[0] == 200
    private = standin.wait_for("response_url")[0]
    assert private.body["response_type"] == "ephemeral"
    share = next(e for b in private.body["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == "pdbot_share")
    payload = {"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "C7"},
               "team": {"id": "T1"}, "trigger_id": "t2", "response_url": standin.response_url,
               "actions": [{"action_id": "pdbot_share", "value": share["value"], "type": "button"}]}
    form = urlencode({"payload": json.dumps(payload)})
    assert signed_post(server, form, "application/x-www-form-urlencoded")[0] == 200
    shared = standin.wait_for("chat.postMessage")[0]
    assert shared.body["channel"] == "C7" and "Transition to Teaching" in block_text(shared.body["blocks"])
    assert standin.wait_for("response_url", 2)[1].body.get("delete_original") is True


def feedback_click(answer_message: dict, user: str = "U5", vote: str = "down") -> dict:
    """What Slack sends when someone presses 👍 or 👎 (feedback_buttons) under an answer."""
    element = answer_message["blocks"][-1]["elements"][0]
    button = element["positive_button" if vote == "up" else "negative_button"]
    return {"type": "block_actions", "user": {"id": user}, "channel": {"id": "C1"},
            "team": {"id": "T1"}, "trigger_id": "trig", "container": {},
            "actions": [{"action_id": element["action_id"], "type": "feedback_buttons",
                         "block_id": "fb", "value": button["value"], "text": button["text"]}]}


@pytest.mark.parametrize("buttons", ["feedback_buttons", "buttons of an older message"])
def test_feedback_is_stored_and_exported_as_eval_cases(server, standin, store, tmp_path,
                                                       buttons):
    assert signed_post(server, mention("What is the salary of an HLTA?"))[0] == 200
    posted = standin.wait_for("chat.postMessage")[0]
    assert "Sources" not in block_text(posted.body["blocks"])  # not covered: no sources block
    click = feedback_click(posted.body)
    answer_id = click["actions"][0]["value"].split(":", 1)[1]
    if buttons != "feedback_buttons":  # an answer posted with the earlier 👍 / 👎 buttons
        click["actions"] = [{"action_id": "pdbot_feedback_down", "value": answer_id,
                             "type": "button"}]
    assert signed_post(server, urlencode({"payload": json.dumps(click)}),
                       "application/x-www-form-urlencoded")[0] == 200
    modal = standin.wait_for("views.open")[0]
    assert modal.body["view"]["private_metadata"] == answer_id
    submit = {"type": "view_submission", "user": {"id": "U5"}, "team": {"id": "T1"},
              "view": {"type": "modal", "callback_id": "pdbot_feedback_reason", "private_metadata": answer_id,
                       "state": {"values": {"reason": {"text": {"value": "HLTA pay scales exist"}}}}}}
    status, _ = signed_post(server, urlencode({"payload": json.dumps(submit)}),
                            "application/x-www-form-urlencoded")
    assert status == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(v["reason"] for v in store.votes()):
        time.sleep(0.05)
    vote = store.votes()[0]
    assert (vote["vote"], vote["reason"], vote["question"]) == (
        "down", "HLTA pay scales exist", "What is the salary of an HLTA?")
    out = tmp_path / "cases.jsonl"
    assert export_downvotes(store, out) == 1
    case = json.loads(out.read_text())
    assert case["question"] == "What is the salary of an HLTA?" and case["note"] == "HLTA pay scales exist"
    assert {"id", "question", "history", "facts", "sources", "in_scope"} <= set(case)


@pytest.mark.parametrize("how", ["forged", "stale"])
def test_forged_or_stale_requests_are_rejected_and_nothing_is_posted(server, standin, how):
    body = mention("What should an HLTA do next?", event_id=f"Ev-{how}")
    if how == "forged":
        status, _ = signed_post(server, body, secret="0" * 32)
    else:
        status, _ = signed_post(server, body, timestamp=time.time() - 301)
    assert status == 401
    time.sleep(0.5)
    assert standin.called("chat.postMessage") == []


def test_a_retried_event_is_answered_once(server, standin):
    body = mention("Which NPQs does Camden Learning offer?", event_id="EvRetry")
    assert signed_post(server, body)[0] == 200
    assert signed_post(server, body, headers={"X-Slack-Retry-Num": "1",
                                              "X-Slack-Retry-Reason": "http_timeout"})[0] == 200
    standin.wait_for("chat.postMessage")
    time.sleep(1.0)
    assert len(standin.called("chat.postMessage")) == 1


def test_a_ratelimited_answer_is_retried_after_the_time_slack_gives(server, standin):
    standin.rate_limited["chat.postMessage"] = 1
    assert signed_post(server, mention("How do I become a deputy head?", event_id="EvRate"))[0] == 200
    first, second = standin.wait_for("chat.postMessage", 2)
    assert second.at - first.at >= 0.9  # Retry-After: 1
    assert second.body["thread_ts"] == first.body["thread_ts"]


def test_a_20000_character_answer_fits_slack_limits():
    long = ("A sentence that goes on for a while about professional development. " * 300)[:20_000]
    answer = Answer("q", long, True, [Citation(i, "Doc", "2023", f"Section {i}", "x" * 5000)
                                      for i in range(1, 15)])
    blocks, text = answer_blocks(answer, "id")
    assert len(blocks) <= BLOCK_LIMIT and len(text) <= FALLBACK_LIMIT
    markdown = [b["text"] for b in blocks if b["type"] == "markdown"]
    assert len(markdown) == 1 and len(markdown[0]) <= MARKDOWN_LIMIT
    assert markdown[0].startswith("A sentence") and markdown[0].endswith("answer cut here to fit in Slack; see the sources below)")
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(sections) == 10 and all(len(s) <= SECTION_LIMIT for s in sections)
    assert [b["type"] for b in blocks].count("context_actions") == 1
    assert blocks[-1]["type"] == "context_actions"


def test_a_20000_character_answer_is_posted_within_the_limits(standin, store, slack_settings, engine):
    class LongEngine:
        def answer(self, question, history=None):
            real = engine.answer("What should an HLTA do next?")
            real.answer = (real.answer + "\n") * 30
            return real

    http = start_http(build_app(LongEngine(), store, slack_settings))
    try:
        url = f"http://127.0.0.1:{http.effective_port}/slack/events"
        assert signed_post(url, mention("long one", event_id="EvLong"))[0] == 200
        call = standin.wait_for("chat.postMessage")[0]
    finally:
        http.close()
    assert len(call.body["blocks"]) <= BLOCK_LIMIT
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in call.body["blocks"] if b["type"] == "section")
    assert len(call.body["text"]) <= FALLBACK_LIMIT


def test_fifty_concurrent_mentions_are_each_answered_exactly_once(server, standin):
    questions = ["What should an HLTA do next?", "Which NPQs does Camden Learning offer?",
                 "How do I become a deputy head?", "What is the salary of an HLTA?",
                 "How often do SEND networks meet?"]
    sent = {}

    def send(i):
        ts = f"1700001000.{i:06d}"
        sent[ts] = time.monotonic()
        return signed_post(server, mention(questions[i % 5], ts=ts, event_id=f"EvLoad{i}"))[0]

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(send, range(50)))
    assert statuses == [200] * 50
    calls = standin.wait_for("chat.postMessage", 50, timeout=120)
    time.sleep(1.0)
    calls = standin.called("chat.postMessage")
    assert sorted(c.body["thread_ts"] for c in calls) == sorted(sent)  # each once, none twice
    delays = sorted((c.at - sent[c.body["thread_ts"]]) * 1000 for c in calls)
    print(f"\nevent -> chat.postMessage over 50 concurrent mentions: "
          f"p50 {statistics.median(delays):.0f} ms, p95 {delays[int(0.95 * len(delays)) - 1]:.0f} ms")


def test_settings_name_the_missing_or_malformed_variable():
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN is not set"):
        SlackSettings.from_env({})
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN looks malformed"):
        SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxp-user-token-here"})
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET is not set"):
        SlackSettings.from_env({"SLACK_BOT_TOKEN": TOKEN})
    with pytest.raises(SlackConfigError, match="SLACK_APP_TOKEN looks malformed"):
        SlackSettings.from_env({"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xoxb-wrong-kind"})
    socket_mode = SlackSettings.from_env({"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xapp-1-abcdefghij"})
    assert socket_mode.socket_mode and TOKEN not in repr(socket_mode)


def test_pdbot_slack_in_http_mode_answers_a_signed_mention(built_settings, standin, tmp_path):
    import shutil

    port = free_port()
    data = tmp_path / "data"  # a copy: the shared index stays free of this run's answers
    shutil.copytree(built_settings.data_dir, data)
    env = {**os.environ, "PDBOT_DATA_DIR": str(data), "SLACK_BOT_TOKEN": TOKEN,
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": standin.url}
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "-v", "slack", "--host",
                                "127.0.0.1", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz", process, timeout=120)
        status, _ = signed_post(f"http://127.0.0.1:{port}/slack/events",
                                mention("What should an HLTA do next?", event_id="EvCli"))
        assert status == 200
        call = standin.wait_for("chat.postMessage")[0]
        assert "Stage 4" in block_text(call.body["blocks"])
        assert "Transition to Teaching" in block_text(call.body["blocks"])
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert TOKEN not in err and SECRET not in err  # tokens never appear in logs

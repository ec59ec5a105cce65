"""Slack's current AI-app platform against the Web API stand-in: the agent view's Messages tab,
thread etiquette, no silent non-answers, and the manifests checked against the documented
schema."""
from __future__ import annotations

import json
import logging
import re
import time

import pytest
import yaml

from assistant.metrics import Metrics
from assistant.slack import wording
from assistant.slack.app import build_app
from assistant.slack.config import SlackSettings
from assistant.slack.server import start_http
from assistant.slack.startup import MANIFEST
from knowledge.domain import load_domain
from tests.manifest_schema import check_manifest
from tests.slack_standin import BOT_ID, BOT_USER
from tests.test_slack import SECRET, TOKEN, event, mention, signed_post, standin, store  # noqa: F401

LEGACY_MANIFEST = MANIFEST.with_name("manifest.assistant-view.yaml")
THREAD = "1700000010.000001"


def serve(engine, store, standin, metrics=None, **settings):
    slack = SlackSettings(bot_token=TOKEN, signing_secret=SECRET, api_url=standin.url, **settings)
    http = start_http(build_app(engine, store, slack, metrics=metrics))
    return http, f"http://127.0.0.1:{http.effective_port}/slack/events"


@pytest.fixture
def url(engine, store, standin):
    http, events = serve(engine, store, standin)
    yield events
    http.close()


# --- the agent view ----------------------------------------------------------------------------

def home_opened(channel: str, event_id: str, tab: str = "messages") -> str:
    return event({"type": "app_home_opened", "user": "U1", "channel": channel, "tab": tab,
                  "event_ts": "1700000009.000001"}, event_id)


def test_the_messages_tab_greets_once_and_suggests_prompts(url, standin):
    assert signed_post(url, home_opened("D7", "EvHome1"))[0] == 200
    prompts = standin.wait_for("assistant.threads.setSuggestedPrompts")[0].body
    assert prompts["channel_id"] == "D7" and "thread_ts" not in prompts
    assert prompts["prompts"] == list(load_domain().prompts)
    greeting = standin.wait_for("chat.postMessage")[0].body
    assert greeting == {"channel": "D7", "text": wording.GREETING}
    assert signed_post(url, home_opened("D7", "EvHome2"))[0] == 200  # opened again later
    standin.wait_for("assistant.threads.setSuggestedPrompts", 2)
    assert signed_post(url, home_opened("D7", "EvHome3", tab="home"))[0] == 200
    time.sleep(0.5)
    assert len(standin.called("chat.postMessage")) == 1  # greeted once, not on every visit
    assert len(standin.called("assistant.threads.setSuggestedPrompts")) == 2


def test_a_messages_tab_conversation_is_answered_in_threads_with_a_status(url, standin):
    first = event({"type": "message", "channel_type": "im", "channel": "D7", "user": "U1",
                   "text": "Which NPQs does Camden Learning offer?", "ts": "1700000011.000001"},
                  "EvDm1")
    assert signed_post(url, first)[0] == 200
    answer = standin.wait_for("chat.postMessage")[0].body
    assert answer["thread_ts"] == "1700000011.000001" and "NPQ" in answer["text"]
    status = standin.called("assistant.threads.setStatus")[0].body
    assert status["thread_ts"] == "1700000011.000001" and status["status"] == wording.THINKING
    assert status["loading_messages"] == wording.LOADING_MESSAGES
    standin.threads[("D7", "1700000011.000001")].insert(0, {
        "ts": "1700000011.000001", "user": "U1", "text": "Which NPQs does Camden Learning offer?"})
    follow = event({"type": "message", "channel_type": "im", "channel": "D7", "user": "U1",
                    "text": "Which one is for heads?", "ts": "1700000011.000009",
                    "thread_ts": "1700000011.000001"}, "EvDm2")
    assert signed_post(url, follow)[0] == 200
    second = standin.wait_for("chat.postMessage", 2)[1].body
    assert "Headship" in second["text"] and second["thread_ts"] == "1700000011.000001"
    assert standin.called("assistant.threads.setTitle") == []  # titles are the legacy pane's


# --- thread etiquette ---------------------------------------------------------------------------

def answered_thread(standin) -> None:
    """U1 asked the bot in a channel thread, and the bot answered."""
    standin.threads[("C1", THREAD)] = [
        {"ts": THREAD, "user": "U1", "text": f"<@{BOT_USER}> Which NPQs are there?"},
        {"ts": "1700000010.000002", "bot_id": BOT_ID, "user": BOT_USER,
         "text": "NPQ for SENCo (NPQSENCO), NPQ for Senior Leadership (NPQSL), NPQ for "
                 "Headship (NPQH)."}]


def reply(user: str, text: str, event_id: str) -> str:
    return event({"type": "message", "channel_type": "channel", "channel": "C1", "user": user,
                  "text": text, "ts": "1700000010.000005", "thread_ts": THREAD}, event_id)


@pytest.mark.parametrize("who, text, answered", [
    ("U1", "Which one is for heads?", True),  # the asker, a question: a follow-up
    ("U1", "thanks, that's useful", False),  # the asker, not a question
    ("U1", f"<@U2> which one did you do?", False),  # the asker, to a colleague
    ("U2", "Which one is for heads?", False),  # someone else, untagged: their conversation
])
def test_untagged_replies_in_a_thread_the_bot_answered(url, standin, who, text, answered):
    answered_thread(standin)
    assert signed_post(url, reply(who, text, f"Ev-{who}-{len(text)}"))[0] == 200
    if answered:
        posted = standin.wait_for("chat.postMessage")[0].body
        assert posted["thread_ts"] == THREAD and "Headship" in posted["text"]
        return
    time.sleep(0.8)
    assert standin.called("chat.postMessage") == []


def test_someone_else_who_mentions_the_bot_is_answered(url, standin):
    answered_thread(standin)
    body = mention("Which one is for heads?", ts="1700000010.000006", thread_ts=THREAD,
                   event_id="EvOtherMention").replace('"U1"', '"U2"')
    assert signed_post(url, body)[0] == 200
    posted = standin.wait_for("chat.postMessage")[0].body
    assert posted["thread_ts"] == THREAD and "Headship" in posted["text"]


def test_untagged_follow_ups_can_be_turned_off(engine, store, standin):
    answered_thread(standin)
    http, events = serve(engine, store, standin, followups=False)
    try:
        assert signed_post(events, reply("U1", "Which one is for heads?", "EvOff"))[0] == 200
        time.sleep(0.8)
    finally:
        http.close()
    assert [c.method for c in standin.calls] == ["auth.test"]  # Bolt's; the thread is not read


def test_thread_followups_setting_is_read_and_checked():
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
    assert SlackSettings.from_env(env).followups
    assert not SlackSettings.from_env({**env, "SLACK_THREAD_FOLLOWUPS": "0"}).followups
    with pytest.raises(Exception, match="SLACK_THREAD_FOLLOWUPS must be 1 or 0"):
        SlackSettings.from_env({**env, "SLACK_THREAD_FOLLOWUPS": "maybe"})


# --- no silent non-answers ----------------------------------------------------------------------

class BrokenEngine:
    def answer(self, question, history=None):
        raise RuntimeError("the index file vanished")


def test_an_engine_exception_ends_in_a_one_line_reply_with_a_ref(store, standin, caplog):
    caplog.set_level(logging.INFO)
    metrics = Metrics()
    http, events = serve(BrokenEngine(), store, standin, metrics=metrics)
    try:
        assert signed_post(events, mention("What should an HLTA do next?",
                                           event_id="EvBroken"))[0] == 200
        posted = standin.wait_for("chat.postMessage")[0].body
    finally:
        http.close()
    ref = re.fullmatch(r"Something went wrong on my side \(ref (\w+)\); please try again\.",
                       posted["text"]).group(1)
    assert posted["thread_ts"] == "1700000000.000001" and wording.went_wrong(ref) == posted["text"]
    logged = [r for r in caplog.records if ref in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info[0] is RuntimeError  # the ref finds the traceback
    assert "the index file vanished" not in posted["text"]
    assert metrics.failed._value.get() == 1 and metrics.questions._value.get() == 0


def test_a_failing_slash_command_also_says_so(store, standin):
    http, events = serve(BrokenEngine(), store, standin)
    try:
        from urllib.parse import urlencode

        form = urlencode({"command": "/pd", "text": "What should an HLTA do next?",
                          "user_id": "U1", "channel_id": "C7", "team_id": "T1",
                          "trigger_id": "t1", "response_url": standin.response_url})
        assert signed_post(events, form, "application/x-www-form-urlencoded")[0] == 200
        said = standin.wait_for("response_url")[0].body
    finally:
        http.close()
    assert said["text"].startswith("Something went wrong on my side (ref ")


# --- the manifests --------------------------------------------------------------------------

def manifests() -> dict[str, dict]:
    return {path.name: yaml.safe_load(path.read_text()) for path in (MANIFEST, LEGACY_MANIFEST)}


def test_both_manifests_follow_slacks_manifest_schema():
    for name, manifest in manifests().items():
        assert check_manifest(manifest) == [], name


def test_the_agent_view_is_the_default_and_the_legacy_pane_differs_only_in_its_view():
    agent, legacy = manifests().values()
    assert "agent_view" in agent["features"] and "assistant_view" not in agent["features"]
    assert "assistant_view" in legacy["features"] and "agent_view" not in legacy["features"]
    events = set(agent["settings"]["event_subscriptions"]["bot_events"])
    assert "app_home_opened" in events and not {e for e in events if e.startswith("assistant_")}
    assert "assistant_thread_started" in legacy["settings"]["event_subscriptions"]["bot_events"]
    prompts = list(load_domain().prompts)
    assert agent["features"]["agent_view"]["suggested_prompts"] == prompts
    assert legacy["features"]["assistant_view"]["suggested_prompts"] == prompts
    same = ("display_information", "oauth_config")
    assert all(agent[key] == legacy[key] for key in same)
    assert {k: v for k, v in agent["features"].items() if k != "agent_view"} == \
        {k: v for k, v in legacy["features"].items() if k != "assistant_view"}


def test_the_schema_check_catches_what_slack_would_refuse():
    agent = manifests()["manifest.yaml"]
    wrong = json.loads(json.dumps(agent))
    wrong["features"]["agent_view"]["suggested_prompts"] *= 2  # 8 prompts: Slack allows 4
    wrong["features"]["agent_view"]["agent_name"] = "pdbot"  # no such field
    wrong["features"]["assistant_view"] = {"assistant_description": "both views"}
    problems = check_manifest(wrong)
    assert len(problems) == 3, problems

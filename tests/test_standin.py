"""The Web API stand-in refuses what Slack refuses, so a test passing against it means something."""
from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.slack_standin import SlackStandIn


@pytest.fixture
def api():
    with SlackStandIn() as standin:
        yield standin, WebClient(token="xoxb-123-456-abcdefghijkl", base_url=standin.url)


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response["error"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_unknown_methods_and_bad_arguments_are_refused_and_recorded(api):
    standin, client = api
    assert error_of(lambda: client.api_call("chat.postMesage", json={"channel": "C1"})) \
        == "unknown_method"
    assert error_of(lambda: client.chat_postMessage(channel="C1")) == "no_text"
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", thread="1.2")) \
        == "invalid_arguments"
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", blocks=too_long)) \
        == "invalid_blocks"
    markdown = [{"type": "markdown", "text": "x" * 7000}, {"type": "markdown", "text": "y" * 5001}]
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", blocks=markdown)) \
        == "invalid_blocks"
    bad_feedback = [{"type": "context_actions", "elements": [{"type": "button", "text": {
        "type": "plain_text", "text": "👍"}, "action_id": "a", "value": "v"}]}]
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x",
                                                    blocks=bad_feedback)) == "invalid_blocks"
    assert error_of(lambda: client.assistant_threads_setStatus(
        channel_id="D1", thread_ts="1.2", status="…", loading_messages=["a"] * 11)) \
        == "invalid_arguments"
    assert len(standin.rejected) == 7 and standin.called("chat.postMessage") == []


def test_streams_need_recipients_in_channels_and_end_once(api):
    standin, client = api
    assert error_of(lambda: client.chat_startStream(channel="C1", thread_ts="1.2",
                                                    markdown_text="hi")) == "invalid_arguments"
    standin.rejected.clear()
    started = client.chat_startStream(channel="C1", thread_ts="1.2", recipient_user_id="U1",
                                      recipient_team_id="T1", markdown_text="Hello")
    client.chat_appendStream(channel="C1", ts=started["ts"], markdown_text=" world")
    client.chat_stopStream(channel="C1", ts=started["ts"], metadata={
        "event_type": "pdbot_answer", "event_payload": {"event_id": "Ev1"}})
    assert error_of(lambda: client.chat_appendStream(channel="C1", ts=started["ts"],
                                                     markdown_text="!")) \
        == "message_not_in_streaming_state"
    plain = client.conversations_replies(channel="C1", ts="1.2")["messages"]
    assert plain[0]["text"] == "Hello world" and "metadata" not in plain[0]
    full = client.conversations_replies(channel="C1", ts="1.2", include_all_metadata=True)
    assert full["messages"][0]["metadata"]["event_payload"] == {"event_id": "Ev1"}

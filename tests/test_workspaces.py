"""Many workspaces, on SQLite and on a real PostgreSQL: two teams install the app through the
OAuth redirect against the Web API stand-in (installations and states in the store's database);
each team's mention is answered with its own token and recorded with its team; a retry is
answered once; a team's own allowed channels; an uninstall deletes that team's installation."""
from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from slack_sdk.signature import SignatureVerifier

from assistant.slack.app import build_app
from assistant.slack.config import SlackConfigError, SlackSettings
from assistant.slack.server import start_http
from assistant.slack.teams import Teams
from knowledge.records import Answer
from tests.slack_standin import SlackStandIn

SECRET = "8f742231b10e8888abcd9999aaaa85a5"


class QuotingEngine:
    """A fake engine: answers every question at once, saying what it was asked."""

    def answer(self, question, history=()):
        return Answer(question, f"You asked: {question}", True)


@pytest.fixture
def standin():
    with SlackStandIn() as api:
        yield api
        assert api.rejected == [], api.rejected


@pytest.fixture
def served(any_store, standin):
    settings = SlackSettings(bot_token="", signing_secret=SECRET, api_url=standin.url,
                             client_id="1111.2222", client_secret="client-secret")
    teams = Teams(any_store.engine, cache_seconds=0)
    app = build_app(QuotingEngine(), any_store, settings, prompts=(), teams=teams)
    http = start_http(app)
    yield {"root": f"http://127.0.0.1:{http.effective_port}", "app": app, "teams": teams,
           "store": any_store}
    http.close()
    app.deliverer.drain()


def get(url: str, cookie: str = "") -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def install(root: str, team: str, redirect_root: str | None = None) -> int:
    """What a school's admin does: open /slack/install, follow "Add to Slack", come back to the
    redirect with Slack's code (at `redirect_root` when a balancer sends it to another
    replica); the redirect's HTTP status."""
    status, page, headers = get(f"{root}/slack/install")
    assert status == 200 and "slack.com/oauth/v2/authorize" in page
    state = re.search(r"state=([A-Za-z0-9-]+)", page).group(1)
    cookie = headers["Set-Cookie"].split(";")[0]
    status, _, _ = get(f"{redirect_root or root}/slack/oauth_redirect?code=code-{team}"
                       f"&state={state}", cookie)
    return status


def post_event(root: str, team: str, event: dict, event_id: str) -> int:
    body = json.dumps({"token": "x", "team_id": team, "api_app_id": "A0PDBOT",
                       "type": "event_callback", "event_id": event_id,
                       "event_time": int(time.time()), "event": event,
                       "authorizations": [{"team_id": team, "user_id": f"UB{team}",
                                           "is_bot": True}]})
    stamp = str(int(time.time()))
    request = urllib.request.Request(f"{root}/slack/events", data=body.encode(), headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
            timestamp=stamp, body=body)})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def mention(team: str, text: str, ts: str, channel: str = "C1") -> dict:
    return {"type": "app_mention", "user": f"U{team}1", "text": f"<@UB{team}> {text}", "ts": ts,
            "channel": channel, "event_ts": ts, "team": team}


def test_two_teams_install_and_each_is_answered_with_its_own_token(served, standin):
    root, store = served["root"], served["store"]
    assert install(root, "TA") == 200 and install(root, "TB") == 200
    assert len(standin.called("oauth.v2.access")) == 2
    assert post_event(root, "TA", mention("TA", "How do I apply?", "1.000001"), "EvA") == 200
    assert post_event(root, "TB", mention("TB", "Who runs NPQs?", "2.000001"), "EvB") == 200
    assert post_event(root, "TB", mention("TB", "Who runs NPQs?", "2.000001"), "EvB") == 200
    posts = standin.wait_for("chat.postMessage", 2)
    time.sleep(0.5)  # a second answer to the retry would come now
    posts = standin.called("chat.postMessage")
    assert len(posts) == 2
    by_text = {p.body["text"].split("You asked: ")[-1][:12]: p.token for p in posts}
    assert by_text == {"How do I app": standin.token_of("TA"),
                       "Who runs NPQ": standin.token_of("TB")}
    assert {a["team"] for a in store.export_user("UTA1")["answers"]} == {"TA"}
    assert {a["team"] for a in store.export_user("UTB1")["answers"]} == {"TB"}


def test_a_bad_state_installs_nothing(served, standin):
    status, _, _ = get(f"{served['root']}/slack/oauth_redirect?code=code-TX&state=forged")
    assert status != 200 and standin.called("oauth.v2.access") == []


def test_a_team_keeps_to_its_own_channels(served, standin):
    root = served["root"]
    install(root, "TA")
    served["teams"].set("TA", channels=["CALLOWED"])
    post_event(root, "TA", mention("TA", "first?", "3.000001", channel="COTHER"), "EvO")
    post_event(root, "TA", mention("TA", "second?", "3.000002", channel="CALLOWED"), "EvK")
    posts = standin.wait_for("chat.postMessage", 1)
    time.sleep(0.5)
    assert [p.body["channel"] for p in standin.called("chat.postMessage")] == ["CALLOWED"]


def test_an_uninstall_deletes_that_teams_installation(served, standin):
    root, app = served["root"], served["app"]
    install(root, "TA")
    install(root, "TB")
    store = app.installation_store
    assert store.find_bot(enterprise_id=None, team_id="TA").bot_token == standin.token_of("TA")
    assert post_event(root, "TA", {"type": "app_uninstalled", "event_ts": "4.0"}, "EvU") == 200
    deadline = time.monotonic() + 10  # Bolt's listener deletes the bot, then the installation
    while (store.find_bot(enterprise_id=None, team_id="TA") is not None
           or store.find_installation(enterprise_id=None, team_id="TA") is not None) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.find_bot(enterprise_id=None, team_id="TA") is None
    assert store.find_installation(enterprise_id=None, team_id="TA") is None
    assert store.find_bot(enterprise_id=None, team_id="TB") is not None


def test_oauth_settings_are_checked():
    base = {"SLACK_SIGNING_SECRET": SECRET}
    settings = SlackSettings.from_env({**base, "SLACK_CLIENT_ID": "1111.2222",
                                       "SLACK_CLIENT_SECRET": "x" * 32})
    assert settings.oauth and settings.bot_token == ""
    with pytest.raises(SlackConfigError, match="go together"):
        SlackSettings.from_env({**base, "SLACK_CLIENT_ID": "1111.2222"})
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        SlackSettings.from_env({"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "x"})
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN"):
        SlackSettings.from_env(base)

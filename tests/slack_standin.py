"""A stand-in of Slack's Web API on 127.0.0.1: records every call with its body, answers like Slack.

It knows the methods pdbot uses (tests/slack_methods.py) and checks their arguments and blocks:
an unknown method or a bad argument gets Slack's {"ok": false, "error": ...} and is recorded in
`rejected`. It keeps the messages posted (threads, channel history, streams with their state,
message metadata) and answers conversations.replies (a page at a time, with Slack's cursor) and
history from them; records posts to response URLs; and can answer a method with HTTP 429
`ratelimited` a given number of times (`rate_limited`), with a Slack error (`errors`, e.g.
auth.test -> invalid_auth), add headers to every response (`headers`, e.g. `x-oauth-scopes`),
expire streams (`expire_streams`), or run `before_reply(method, body)` after recording a call
and before answering it (a test kills the bot there). Many workspaces: `oauth.v2.access` turns a
code `code-T…` into team T…'s bot token (`token_of(team)`), `auth.test` answers for the token it
is called with, and every call records the token it came with (`Call.token`).
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs

from tests.local_server import LocalServer, QuietHandler
from tests.slack_methods import Rejected, Stream, check_call, chunk_text

BOT_USER = "UBOT"
BOT_ID = "BBOT"
JSON_FIELDS = ("blocks", "prompts", "view", "metadata", "chunks", "loading_messages", "files")


@dataclass
class Call:
    method: str
    body: dict
    at: float
    error: str = ""
    token: str = ""  # the bearer token the call came with


class SlackStandIn(LocalServer):
    def __init__(self):
        self.calls: list[Call] = []
        self.rejected: list[Call] = []  # calls Slack would refuse, with the reason
        self.threads: dict[tuple[str, str], list[dict]] = {}  # (channel, thread ts) -> messages
        self.history: dict[str, list[dict]] = {}  # channel -> top-level messages, oldest first
        self.streams: dict[str, Stream] = {}  # ts -> a streamed message
        self.rate_limited: dict[str, int] = {}
        self.errors: dict[str, str] = {}  # method -> the `error` of an {"ok": false} answer
        self.headers: dict[str, str] = {}  # added to every response
        self.expire_streams = False  # True: appendStream and stopStream find the stream expired
        self.before_reply: Callable[[str, dict], None] | None = None
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        super().__init__()

    @property
    def url(self) -> str:
        return f"{self.root}/api/"

    @property
    def response_url(self) -> str:
        return f"{self.root}/response/1"

    def called(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 60.0) -> list[Call]:
        """Wait until `method` was called `count` times; return those calls."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.called(method)
            if len(calls) >= count:
                return calls
            time.sleep(0.02)
        raise AssertionError(f"{method} called {len(self.called(method))} times, wanted {count}")

    def thread(self, channel: str, thread_ts: str) -> list[dict]:
        """The messages of a thread as Slack holds them now (streamed text included)."""
        with self._lock:
            return [dict(m) for m in self.threads.get((channel, thread_ts), [])]

    @staticmethod
    def token_of(team: str) -> str:
        """The bot token oauth.v2.access gives team `team`."""
        return f"xoxb-{team}-standin-token"

    def _answer(self, method: str, body: dict, token: str = "") -> tuple[int, dict, dict]:
        with self._lock:
            try:
                check_call(method, body)
            except Rejected as rejected:
                self.rejected.append(Call(method, body, time.monotonic(), str(rejected), token))
                return 200, {}, {"ok": False, "error": rejected.error,
                                 "response_metadata": {"messages": [rejected.why]}}
            self.calls.append(Call(method, body, time.monotonic(), token=token))
            if self.rate_limited.get(method, 0) > 0:
                self.rate_limited[method] -= 1
                return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
            if method in self.errors:
                return 200, {}, {"ok": False, "error": self.errors[method]}
            return 200, {}, self._method(method, body, token)

    def _method(self, method: str, body: dict, token: str = "") -> dict:
        if method == "oauth.v2.access":
            team = str(body.get("code", "")).removeprefix("code-")
            return {"ok": True, "access_token": self.token_of(team), "token_type": "bot",
                    "scope": "app_mentions:read,chat:write", "bot_user_id": f"UB{team}",
                    "app_id": "A0PDBOT", "team": {"id": team, "name": f"School {team}"},
                    "enterprise": None, "is_enterprise_install": False,
                    "authed_user": {"id": f"UADMIN{team}"}}
        if method == "auth.test" and token.endswith("-standin-token"):
            team = token.split("-")[1]
            return {"ok": True, "user_id": f"UB{team}", "bot_id": f"B{team}", "team_id": team,
                    "user": "pdbot", "team": f"School {team}", "url": "https://x.slack.com/"}
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": "T1",
                    "user": "pdbot", "team": "Camden", "url": "https://x.slack.com/"}
        if method == "chat.postMessage":
            message = self._post(body["channel"], body.get("thread_ts"), body)
            return {"ok": True, "channel": body["channel"], "ts": message["ts"],
                    "message": message}
        if method == "chat.update":
            found = self._find(body["channel"], body["ts"])
            if found is None:
                return {"ok": False, "error": "message_not_found"}
            found.update({k: body[k] for k in ("text", "blocks", "metadata") if k in body})
            return {"ok": True, "channel": body["channel"], "ts": body["ts"]}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{time.time():.6f}"}
        if method.endswith("Stream"):
            return self._stream(method, body)
        if method == "conversations.replies":
            return self._page(self.threads.get((body["channel"], body["ts"]), []), body)
        if method == "conversations.history":
            return {"ok": True, "messages": self._visible(
                list(reversed(self.history.get(body["channel"], []))), body)}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(body["users"]).split(",")[0][1:]}}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V1"}}
        return {"ok": True}

    def _post(self, channel: str, thread_ts: str | None, body: dict) -> dict:
        ts = f"{1800000000 + next(self._ts)}.000100"
        message = {"type": "message", "ts": ts, "text": body.get("text", ""),
                   "bot_id": BOT_ID, "user": BOT_USER}
        for key in ("blocks", "metadata"):
            if key in body:
                message[key] = body[key]
        if thread_ts:
            message["thread_ts"] = thread_ts
            self.threads.setdefault((channel, thread_ts), []).append(message)
        else:
            self.history.setdefault(channel, []).append(message)
        return message

    def _find(self, channel: str, ts: str) -> dict | None:
        for (where, _), messages in self.threads.items():
            for message in messages:
                if where == channel and message["ts"] == ts:
                    return message
        return next((m for m in self.history.get(channel, []) if m["ts"] == ts), None)

    def _stream(self, method: str, body: dict) -> dict:
        if method == "chat.startStream":
            message = self._post(body["channel"], body["thread_ts"],
                                 {"text": chunk_text(body.get("chunks"))
                                  + body.get("markdown_text", "")})
            self.streams[message["ts"]] = Stream(body["channel"], body["thread_ts"], message)
            return {"ok": True, "channel": body["channel"], "ts": message["ts"]}
        stream = self.streams.get(body["ts"])
        if stream is None or stream.stopped or self.expire_streams \
                or stream.channel != body["channel"]:
            return {"ok": False, "error": "message_not_in_streaming_state"}
        text = chunk_text(body.get("chunks")) + body.get("markdown_text", "")
        stream.appends.append(text)
        stream.message["text"] += text
        if method == "chat.stopStream":
            stream.stopped = True
            for key in ("blocks", "metadata"):
                if key in body:
                    stream.message[key] = body[key]
        return {"ok": True, "channel": body["channel"], "ts": body["ts"]}

    def _page(self, messages: list[dict], body: dict) -> dict:
        """One page of `messages` as Slack pages them: `limit` at a time, from `cursor` on,
        with the next cursor while more are left."""
        start = int(body.get("cursor") or 0)
        end = start + int(body.get("limit") or 1000)
        page = {"ok": True, "messages": self._visible(messages[start:end], body),
                "has_more": end < len(messages)}
        if end < len(messages):
            page["response_metadata"] = {"next_cursor": str(end)}
        return page

    @staticmethod
    def _visible(messages: list[dict], body: dict) -> list[dict]:
        """Messages as the API returns them: metadata only when asked for (include_all_metadata)."""
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        return [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                for m in messages]

    def _handler(self):
        standin = self

        class Handler(QuietHandler):
            def do_POST(self):
                raw = self.read_body().decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or "{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw).items()}
                    query = self.path.split("?", 1)[1] if "?" in self.path else ""
                    body.update({k: v[0] for k, v in parse_qs(query).items()})
                for key in JSON_FIELDS:
                    if isinstance(body.get(key), str) and body[key][:1] in ("[", "{"):
                        body[key] = json.loads(body[key])
                if self.path.startswith("/response/"):
                    method = "response_url"
                else:
                    method = self.path.split("/api/", 1)[-1].split("?")[0]
                bearer = self.headers.get("Authorization") or ""
                status, headers, payload = standin._answer(
                    method, body, bearer[7:] if bearer.startswith("Bearer ") else "")
                if standin.before_reply is not None:
                    standin.before_reply(method, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in {**standin.headers, **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        return Handler

"""A stand-in of Slack's Web API on 127.0.0.1: records every call with its body, answers like Slack.

It answers auth.test, chat.postMessage, chat.postEphemeral, conversations.replies,
assistant.threads.*, views.open (any other method gets {"ok": true}), records posts to
response URLs, and can answer a method with HTTP 429 `ratelimited` a given number of times,
answer a method with a Slack error (`errors`, e.g. auth.test -> invalid_auth) and add headers to
every response (`headers`, e.g. the `x-oauth-scopes` Slack sends).
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from tests.local_server import LocalServer, QuietHandler

BOT_USER = "UBOT"
BOT_ID = "BBOT"


@dataclass
class Call:
    method: str
    body: dict
    at: float


class SlackStandIn(LocalServer):
    def __init__(self):
        self.calls: list[Call] = []
        self.threads: dict[tuple[str, str], list[dict]] = {}
        self.rate_limited: dict[str, int] = {}
        self.errors: dict[str, str] = {}  # method -> the `error` of an {"ok": false} answer
        self.headers: dict[str, str] = {}  # added to every response
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

    def _answer(self, method: str, body: dict) -> tuple[int, dict, dict]:
        with self._lock:
            self.calls.append(Call(method, body, time.monotonic()))
            if self.rate_limited.get(method, 0) > 0:
                self.rate_limited[method] -= 1
                return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
            if method in self.errors:
                return 200, {}, {"ok": False, "error": self.errors[method]}
            if method == "auth.test":
                return 200, {}, {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": "T1",
                                 "user": "pdbot", "team": "Camden", "url": "https://x.slack.com/"}
            if method == "chat.postMessage":
                ts = f"{1700000000 + next(self._ts)}.000100"
                message = {"type": "message", "ts": ts, "text": body.get("text", ""),
                           "bot_id": BOT_ID, "user": BOT_USER}
                thread = body.get("thread_ts")
                if thread:
                    self.threads.setdefault((body["channel"], thread), []).append(message)
                return 200, {}, {"ok": True, "channel": body["channel"], "ts": ts, "message": message}
            if method == "chat.postEphemeral":
                return 200, {}, {"ok": True, "message_ts": f"{time.time():.6f}"}
            if method == "conversations.replies":
                return 200, {}, {"ok": True, "messages": list(
                    self.threads.get((body.get("channel"), body.get("ts")), []))}
            if method == "views.open":
                return 200, {}, {"ok": True, "view": {"id": "V1"}}
            return 200, {}, {"ok": True}

    def _handler(self):
        standin = self

        class Handler(QuietHandler):
            def do_POST(self):
                raw = self.read_body().decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or "{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw).items()}
                    for key in ("blocks", "prompts", "view"):
                        if isinstance(body.get(key), str):
                            body[key] = json.loads(body[key])
                if self.path.startswith("/response/"):
                    method = "response_url"
                else:
                    method = self.path.split("/api/", 1)[-1].split("?")[0]
                status, headers, payload = standin._answer(method, body)
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

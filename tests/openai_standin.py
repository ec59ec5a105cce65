"""A server on 127.0.0.1 speaking the OpenAI chat-completions protocol (streaming and not),
answering with scripted replies and recording every request."""
from __future__ import annotations

import json
import time
from tests.local_server import LocalServer, QuietHandler


class OpenAIStandIn(LocalServer):
    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list[str] = []  # next replies, in order; the last one repeats
        self.delay = 0.0  # seconds to wait before answering (a slow server)
        super().__init__()

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def chat_requests(self) -> list[dict]:
        return [r for r in self.requests if r.get("messages")]

    def _next_reply(self) -> str:
        return self.replies.pop(0) if len(self.replies) > 1 else (self.replies or ["OK"])[0]

    def _handler(self):
        standin = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = json.loads(self.read_body() or b"{}")
                standin.requests.append(body)
                time.sleep(standin.delay)
                text = "OK" if _is_ping(body) else standin._next_reply()
                try:
                    if body.get("stream"):
                        self._stream(body, text)
                    else:
                        self._complete(body, text)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out test)

            def _complete(self, body, text):
                data = json.dumps({
                    "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "m"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body, text):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                words = text.split(" ")
                for k, word in enumerate(words):
                    piece = word if k == 0 else " " + word
                    chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk",
                             "created": int(time.time()), "model": body.get("model", "m"),
                             "choices": [{"index": 0, "delta": {"content": piece},
                                          "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                done = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0,
                        "model": "m", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        return Handler


def _is_ping(body: dict) -> bool:
    messages = body.get("messages", [])
    return len(messages) == 1 and "Reply with the word OK" in str(messages[0].get("content"))

"""An LLM answer streamed into its thread: chat.startStream / appendStream / stopStream through
WebClient.chat_stream, appends buffered (STREAM_BUFFER characters at a time), the sources and
feedback buttons added at stop.

When the stream cannot carry the answer to the end (Slack expired it, or the model's reply was
not used and the extractive answer replaces it), the message is replaced with `chat.update` on
the stream's ts, so the person still gets one message with the whole answer.
"""
from __future__ import annotations

import logging
import re

from knowledge.records import Answer

log = logging.getLogger(__name__)
STREAM_BUFFER = 256  # characters gathered before each appendStream (fewer calls, rate limits)


def stream_safe(text: str) -> str:
    """Streamed text with Slack's special sequences left inert (as to_markdown does), and a
    trailing "<" held back until the next piece shows what follows it."""
    text = re.sub(r"<([@!#])", "<\u200b\\1", text)
    return text[:-1] if text.endswith("<") else text


class StreamedReply:
    """One streamed message in a thread; `on_text(so_far)` is the answerer's callback."""

    def __init__(self, client, channel: str, thread_ts: str, team: str, user: str,
                 on_start=None):
        self.client, self.channel = client, channel
        self.on_start = on_start  # called once with the message's ts when the stream begins
        self.stream = client.chat_stream(channel=channel, thread_ts=thread_ts,
                                         recipient_team_id=team or None,
                                         recipient_user_id=user or None,
                                         buffer_size=STREAM_BUFFER)
        self.sent = ""  # the text handed to the stream so far
        self.broken = False  # a stream call failed: the rest goes by chat.update
        self.diverged = False  # the text so far stopped extending what was sent

    @property
    def ts(self) -> str | None:
        return self.stream.ts

    def on_text(self, so_far: str) -> None:
        """Append what is new since the last call (buffered by ChatStream)."""
        if self.broken or self.diverged:
            return
        text = stream_safe(so_far.lstrip())
        if not text.startswith(self.sent):
            self.diverged = True
            return
        if len(text) == len(self.sent):
            return
        try:
            self.stream.append(markdown_text=text[len(self.sent):])
        except Exception as exc:  # expired, rate-limited past retries, network
            self._broke("append", exc)
        self.sent = text
        if self.on_start is not None and self.ts is not None:
            started, self.on_start = self.on_start, None
            started(self.ts)

    def finish(self, answer: Answer, closing: list[dict], full: list[dict], text: str,
               metadata: dict) -> str | None:
        """End the message with the final answer: stop the stream with `closing` (sources and
        feedback) when what streamed is the answer, else replace the message with `full`.
        Returns the message's ts, or None when nothing was streamed (post it instead)."""
        if not self.sent and self.ts is None:
            return None
        same = stream_safe(answer.answer.strip()) == self.sent.strip()
        if same and not self.broken:
            try:
                self.stream.stop(blocks=closing, metadata=metadata)
                return self.ts
            except Exception as exc:
                self._broke("stop", exc)
        elif not self.broken and self.ts is not None:
            try:
                self.stream.stop()
            except Exception as exc:
                self._broke("stop", exc)
        if self.ts is None:
            return None
        self.client.chat_update(channel=self.channel, ts=self.ts, blocks=full, text=text,
                                metadata=metadata)
        return self.ts

    def _broke(self, step: str, exc: Exception) -> None:
        self.broken = True
        reason = getattr(getattr(exc, "response", None), "get", lambda *_: None)("error") \
            or type(exc).__name__
        log.warning("stream %s failed (%s); finishing the answer with chat.update", step, reason,
                    extra={"event": "stream_fallback", "reason": str(reason)})

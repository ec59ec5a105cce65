"""Which Slack events are questions for the bot, as plain records: enough to answer each one
(team, channel, thread, asker, text) without the event that brought it.

Three kinds: a `mention` (@pdbot in a channel), a `dm` (a direct message, the agent view's
Messages tab, or the legacy assistant pane) and a `reply` (a message in a channel thread that
does not mention the bot: a follow-up if its asker's earlier question there was the bot's, see
assistant/slack/etiquette.py).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from assistant.slack.config import SlackSettings
from assistant.slack.etiquette import addresses_someone_else, reads_as_question

MENTION = re.compile(r"<@[A-Z0-9]+>")


@dataclass(frozen=True)
class Question:
    """One message to answer. `thread_ts` is where the answer goes (the message's own ts when it
    starts a thread); `recovered` is set when it is answered after a restart."""

    event_id: str
    kind: str  # "mention", "dm" or "reply"
    team: str
    channel: str
    thread_ts: str
    ts: str
    user: str
    text: str
    created: float = field(default_factory=time.time)
    recovered: bool = False
    attempts: int = 1  # times a process has taken it up (more than one: after a restart)
    reply_ts: str = ""  # a streamed reply begun for it before a restart (replaced, not repeated)

    @property
    def in_thread(self) -> bool:
        """True when the message was a reply in a thread (earlier turns to read back)."""
        return self.thread_ts != self.ts

    @property
    def question(self) -> str:
        """The text without @mentions."""
        return MENTION.sub("", self.text or "").strip()


def question_from(body: dict, bot_user_id: str | None, slack: SlackSettings) -> Question | None:
    """The question an Events API body brings, or None when it brings none for the bot (edits,
    other bots, ourselves, channels it may not answer in, talk in threads not addressed to it)."""
    event = body.get("event") or {}
    if body.get("type") != "event_callback" or event.get("bot_id") or event.get("subtype"):
        return None
    kind = _kind(event, bot_user_id, slack)
    if kind is None:
        return None
    team = body.get("team_id") or event.get("team") or ""
    return Question(event_id=body.get("event_id") or f"{event['channel']}:{event['ts']}",
                    kind=kind, team=team, channel=event["channel"],
                    thread_ts=event.get("thread_ts") or event["ts"], ts=event["ts"],
                    user=event.get("user", ""), text=event.get("text", ""))


def _kind(event: dict, bot_user_id: str | None, slack: SlackSettings) -> str | None:
    channel = event.get("channel", "")
    if not channel or not event.get("ts") or not event.get("user"):
        return None
    if event.get("type") == "app_mention":
        return "mention" if slack.may_answer_in(channel) else None
    if event.get("type") != "message":
        return None
    if event.get("channel_type") == "im":
        return "dm"
    text = event.get("text", "")
    if not event.get("thread_ts") or not slack.followups or not slack.may_answer_in(channel):
        return None  # a top-level channel message: only a mention (app_mention) is for the bot
    if bot_user_id and f"<@{bot_user_id}>" in text:
        return None  # answered as the app_mention that Slack sends for it too
    if addresses_someone_else(text, bot_user_id) or not reads_as_question(text):
        return None
    return "reply"

"""A question taken is a question replied to: read its thread, answer it in that thread (posted
at once, or streamed when a model writes it), record the answer.

Every question the bot takes ends in a reply: the answer, a refusal with its reason, or the one
line "Something went wrong on my side (ref N)", where N finds the traceback in the log. An
untagged thread message that turns out not to be for the bot (assistant/slack/etiquette.py), or
an owner's command, is not a question taken.
"""
from __future__ import annotations

import logging
import secrets
from concurrent.futures import Future, ThreadPoolExecutor

from assistant.answer.query import Turn
from assistant.slack import wording
from assistant.slack.answering import Answerer, history_dicts, log_answer, new_answer_id
from assistant.slack.blocks import answer_blocks, closing_blocks
from assistant.slack.etiquette import is_follow_up
from assistant.slack.questions import Question, MENTION
from assistant.slack.streaming import StreamedReply

log = logging.getLogger(__name__)
MAX_HISTORY = 10  # earlier turns of a thread given to the engine
THREAD_LIMIT = 50  # messages read back from a thread
ANSWER_EVENT = "pdbot_answer"  # metadata event_type on every answer: which event it answers
ANSWER_THREADS = 4  # questions answered at once (the engine quotes one at a time; Slack calls
                    # and model calls overlap)


def answer_metadata(event_id: str, answer_id: str) -> dict:
    """Message metadata naming the event an answer answers (found again after a crash)."""
    return {"event_type": ANSWER_EVENT,
            "event_payload": {"event_id": event_id, "answer_id": answer_id}}


def new_ref() -> str:
    """A short reference that ties a "something went wrong" reply to its log record."""
    return secrets.token_hex(4)


def read_thread(client, channel: str, thread_ts: str, metadata: bool = False) -> list[dict]:
    """A thread's messages, oldest first (with their metadata when asked)."""
    response = client.conversations_replies(channel=channel, ts=thread_ts, limit=THREAD_LIMIT,
                                            include_all_metadata=metadata or None)
    return list(response.get("messages", []))


def turns(thread: list[dict], current_ts: str, bot_user_id: str) -> list[Turn]:
    """The thread's turns other than the message `current_ts` (the last MAX_HISTORY), mentions
    removed: what a follow-up is read against."""
    found = []
    for message in thread:
        if message.get("ts") == current_ts or message.get("subtype"):
            continue
        from_bot = bool(message.get("bot_id")) or message.get("user") == bot_user_id
        text = MENTION.sub("", message.get("text", "")).strip()
        if text:
            found.append(Turn("assistant" if from_bot else "user", text))
    return found[-MAX_HISTORY:]


class Deliverer:
    """Answers questions in their threads with `answerer`, recording each in `store`."""

    def __init__(self, answerer: Answerer, store, owners=None, metrics=None):
        self.answerer = answerer
        self.store = store  # the FeedbackStore
        self.owners = owners  # OwnerWorkflow: an owner's `usage` DM is a command, not a question
        self.metrics = metrics
        self._pool = ThreadPoolExecutor(max_workers=ANSWER_THREADS,
                                        thread_name_prefix="pdbot-answer")

    def submit(self, q: Question, client, bot_user_id: str) -> Future:
        """Answer `q` on the answering threads, not Bolt's: a long answer or a publish holding
        the engine never keeps Bolt from acknowledging a button or a command in time."""
        return self._pool.submit(self.deliver, q, client, bot_user_id)

    def drain(self) -> None:
        """Finish every question submitted (a graceful stop), then stop the threads."""
        self._pool.shutdown(wait=True)

    def deliver(self, q: Question, client, bot_user_id: str) -> str:
        """Reply to `q` whatever happens; the outcome: answered, refused, skipped or failed."""
        try:
            return self._deliver(q, client, bot_user_id)
        except Exception:
            ref = new_ref()
            log.exception("could not answer event %s from %s in %s (ref %s)", q.event_id,
                          q.user or "?", q.channel, ref,
                          extra={"event": "answer_failed", "ref": ref, "user": q.user,
                                 "channel": q.channel, "event_id": q.event_id})
            if self.metrics is not None:
                self.metrics.failed.inc()
            self.say(client, q, wording.went_wrong(ref))
            return "failed"

    def say(self, client, q: Question, text: str) -> bool:
        """Post one line in the question's thread; False (and logged) when even that fails."""
        try:
            client.chat_postMessage(channel=q.channel, thread_ts=q.thread_ts, text=text)
            return True
        except Exception:
            log.exception("could not reply in %s either", q.channel)
            return False

    def _deliver(self, q: Question, client, bot_user_id: str) -> str:
        thread = read_thread(client, q.channel, q.thread_ts) if q.in_thread else []
        if q.kind == "reply" and not is_follow_up(q.user, q.text, thread, bot_user_id):
            return "skipped"
        if q.kind == "dm" and self.owners is not None and self.owners.on_text(
                {"channel": q.channel, "user": q.user, "text": q.text}, client):
            return "skipped"
        history = turns(thread, q.ts, bot_user_id)
        if q.kind == "dm":
            self._title(client, q, thread, history)
        self._status(client, q)
        answer_id = new_answer_id()
        metadata = answer_metadata(q.event_id, answer_id)
        stream = None
        if self.answerer.streams and not q.recovered:
            stream = StreamedReply(client, q.channel, q.thread_ts, q.team, q.user)
        answer, seconds = self.answerer.answer(q.question, history,
                                               stream.on_text if stream else None)
        lead = wording.SORRY_FOR_THE_DELAY if q.recovered else ""
        blocks, text = answer_blocks(answer, answer_id, lead=lead)
        posted = stream.finish(answer, closing_blocks(answer, answer_id), blocks, text,
                               metadata) if stream else None
        if posted is None:
            client.chat_postMessage(channel=q.channel, thread_ts=q.thread_ts, blocks=blocks,
                                    text=text, metadata=metadata)
        self.store.record_answer(answer, history_dicts(history), q.channel, q.user,
                                 answer_id=answer_id)
        log_answer(answer_id, answer, q.user, q.channel, seconds)
        return "answered" if answer.answered else "refused"

    def _status(self, client, q: Question) -> None:
        """"is looking in the framework…" with rotating loading messages, while an answer is
        composed: in DMs (the agent view shows it by the composer) and whenever a model writes
        the answer (seconds). A quoted answer in a channel takes ~20 ms: no status call."""
        if q.kind != "dm" and not self.answerer.streams:
            return
        try:
            client.assistant_threads_setStatus(channel_id=q.channel, thread_ts=q.thread_ts,
                                               status=wording.THINKING,
                                               loading_messages=wording.LOADING_MESSAGES)
        except Exception as exc:  # a status is a courtesy: the answer goes on without it
            log.debug("no status in %s: %s", q.channel, exc)

    def _title(self, client, q: Question, thread: list[dict], history: list[Turn]) -> None:
        """The legacy assistant pane titles a thread with its first question."""
        legacy = bool(thread) and thread[0].get("subtype") == "assistant_app_thread"
        if not legacy or any(t.role == "user" for t in history):
            return
        try:
            client.assistant_threads_setTitle(channel_id=q.channel, thread_ts=q.thread_ts,
                                              title=q.question[:60] or "Question")
        except Exception as exc:
            log.debug("no title in %s: %s", q.channel, exc)

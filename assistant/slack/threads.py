"""A thread as the bot reads it back from Slack: its messages, the turns a follow-up is read
against, and the metadata every answer carries to name the event it answers (so an answer posted
just before a crash is found again, not posted twice)."""
from __future__ import annotations

from assistant.answer.query import Turn
from assistant.slack.questions import MENTION

MAX_HISTORY = 10  # earlier turns of a thread given to the engine
THREAD_LIMIT = 50  # messages per conversations.replies page
THREAD_PAGES = 10  # pages read at most: a thread's latest turns, and an answer posted late in it
ANSWER_EVENT = "pdbot_answer"  # metadata event_type on every answer: which event it answers


def read_thread(client, channel: str, thread_ts: str, metadata: bool = False) -> list[dict]:
    """A thread's messages, oldest first (with their metadata when asked): every page, so a long
    thread's latest turns and an answer posted late in it are read too (up to THREAD_PAGES)."""
    messages, cursor = [], None
    for _ in range(THREAD_PAGES):
        response = client.conversations_replies(channel=channel, ts=thread_ts, limit=THREAD_LIMIT,
                                                cursor=cursor,
                                                include_all_metadata=metadata or None)
        messages += response.get("messages", [])
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return messages


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


def answer_metadata(event_id: str, answer_id: str) -> dict:
    """Message metadata naming the event an answer answers (found again after a crash)."""
    return {"event_type": ANSWER_EVENT,
            "event_payload": {"event_id": event_id, "answer_id": answer_id}}


def posted_answer(thread: list[dict], event_id: str) -> str | None:
    """The answer id of a reply to `event_id` already in the thread (read with its metadata)."""
    for message in thread:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == ANSWER_EVENT and payload.get("event_id") == event_id:
            return payload.get("answer_id") or ""
    return None

"""Thread etiquette: in a channel thread the bot has answered, a later message is answered
without a new @mention only when it comes from someone who asked the bot there and reads as a
question to it. Everyone else's messages are their conversation, answered only when they
mention the bot (SLACK_THREAD_FOLLOWUPS=0 turns untagged follow-ups off altogether).
"""
from __future__ import annotations

import re

# How a question or request starts (anything ending in "?" counts too: "and for NPQH?").
QUESTION_STARTS = (
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "can", "could",
    "do", "does", "did", "is", "are", "was", "were", "will", "would", "should", "shall", "may",
    "might", "must", "have", "has", "tell me", "explain", "list", "show me", "give me",
    "describe", "compare", "summarise", "summarize", "what's", "whats", "how's", "where's",
    "who's", "is there", "are there",
)
_START = re.compile(r"^\s*(?:" + "|".join(re.escape(w) for w in
                                        sorted(QUESTION_STARTS, key=len, reverse=True))
                    + r")\b", re.I)
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def reads_as_question(text: str) -> bool:
    """True when a message reads as a question or request: it ends with "?" or starts the way
    questions do. "thanks!", "+1" or "see you at 3" do not."""
    text = _USER.sub("", text or "").strip()
    if not text:
        return False
    return text.rstrip().endswith("?") or bool(_START.match(text))


def addresses_someone_else(text: str, bot_user_id: str | None) -> bool:
    """True when the message @mentions a person other than the bot (it is for them)."""
    return any(user != bot_user_id for user in _USER.findall(text or ""))


def askers(thread: list[dict], bot_user_id: str) -> set[str]:
    """The people who @mentioned the bot in a thread: those it answered there."""
    tag = f"<@{bot_user_id}>"
    return {m["user"] for m in thread if m.get("user") and not m.get("bot_id")
            and m.get("user") != bot_user_id and tag in (m.get("text") or "")}


def bot_spoke(thread: list[dict], bot_user_id: str) -> bool:
    return any(m.get("bot_id") or m.get("user") == bot_user_id for m in thread)


def is_follow_up(user: str, text: str, thread: list[dict], bot_user_id: str) -> bool:
    """Whether an untagged message in a channel thread is a follow-up for the bot: the bot has
    answered in the thread, the sender asked it there, and the message reads as a question to
    it (not to a colleague it @mentions)."""
    return (bot_spoke(thread, bot_user_id) and user in askers(thread, bot_user_id)
            and reads_as_question(text) and not addresses_someone_else(text, bot_user_id))

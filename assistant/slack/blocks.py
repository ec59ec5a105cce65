"""Answers as Slack Block Kit messages: mrkdwn answer, sources with short quotes, buttons.

Stays inside Slack's limits: 3,000 characters per section block, 50 blocks per message, and a
plain-text `text` fallback for notifications. A very long answer is cut at a line or sentence
boundary with a note, never sent too long.
"""
from __future__ import annotations

import re

from knowledge.records import Answer

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
ANSWER_LIMIT = 9000  # characters of answer text in one message (three full sections)
FALLBACK_LIMIT = 3000
QUOTE_LIMIT = 200
MAX_SOURCES = 10
CUT_NOTE = "… (answer cut here to fit in Slack; see the sources below)"


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(text: str) -> str:
    """Our answer text as Slack mrkdwn: escaped, Markdown bold turned into Slack's *bold*, and
    passage titles before a colon at the start of a bullet made bold."""
    text = escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", text)
    return re.sub(r"^• ([^:\n]{3,90}): ", r"• *\1:* ", text, flags=re.M)


def cut(text: str, limit: int, note: str = "") -> str:
    """Text no longer than `limit`: cut at the last line break or sentence end before it."""
    if len(text) <= limit:
        return text
    room = limit - len(note)
    head = text[:room]
    boundary = max(head.rfind("\n"), head.rfind(". "))
    if boundary > room // 2:
        head = head[: boundary + 1]
    return head.rstrip() + note


def split_sections(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split text into pieces of at most `limit` characters at line (or sentence) boundaries."""
    pieces, rest = [], text
    while len(rest) > limit:
        head = cut(rest, limit)
        pieces.append(head)
        rest = rest[len(head):].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def answer_blocks(answer: Answer, answer_id: str, share: bool = False) -> tuple[list[dict], str]:
    """(blocks, fallback text) for an answer: the answer, its sources, and the buttons."""
    body = cut(to_mrkdwn(answer.answer), ANSWER_LIMIT, CUT_NOTE)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": piece}}
              for piece in split_sections(body)]
    if answer.answered and answer.citations:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "*Sources*"}]})
        for c in answer.citations[:MAX_SOURCES]:
            date = f" ({c.date})" if c.date else ""
            quote = cut(c.text, QUOTE_LIMIT, "…")
            line = f"[{c.n}] *{escape(c.document)}*{escape(date)} › {escape(c.section)}\n>{escape(quote)}"
            blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                       "text": cut(line, SECTION_LIMIT, "…")}})
    buttons = []
    if share:
        buttons.append({"type": "button", "action_id": "pdbot_share", "value": answer_id,
                        "text": {"type": "plain_text", "text": "Share in channel"},
                        "style": "primary"})
    buttons += [
        {"type": "button", "action_id": "pdbot_feedback_up", "value": answer_id,
         "text": {"type": "plain_text", "text": "👍", "emoji": True}},
        {"type": "button", "action_id": "pdbot_feedback_down", "value": answer_id,
         "text": {"type": "plain_text", "text": "👎", "emoji": True}},
    ]
    blocks.append({"type": "actions", "block_id": "pdbot_buttons", "elements": buttons})
    return blocks[:BLOCK_LIMIT], cut(answer.answer, FALLBACK_LIMIT, "…")


def reason_modal(answer_id: str) -> dict:
    """The modal that 👎 opens: one optional free-text reason."""
    return {
        "type": "modal", "callback_id": "pdbot_feedback_reason", "private_metadata": answer_id,
        "title": {"type": "plain_text", "text": "What was wrong?"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [{
            "type": "input", "block_id": "reason", "optional": True,
            "label": {"type": "plain_text", "text": "Tell us what the answer missed (optional)"},
            "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                        "max_length": 1000},
        }],
    }

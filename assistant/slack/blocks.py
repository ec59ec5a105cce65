"""Answers as Slack Block Kit messages: the answer in a `markdown` block, its sources with short
quotes, and Slack's native feedback buttons (`feedback_buttons` in a `context_actions` block).

Stays inside Slack's limits: 12,000 characters for the markdown blocks of a message, 3,000 per
section block, 50 blocks per message, and a plain-text `text` fallback for notifications. A very
long answer is cut at a line or sentence boundary with a note, never sent too long.
"""
from __future__ import annotations

import re

from knowledge.records import Answer

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
MARKDOWN_LIMIT = 12000  # all markdown blocks of one message together
ANSWER_LIMIT = MARKDOWN_LIMIT  # characters of answer text in one message
FALLBACK_LIMIT = 3000
QUOTE_LIMIT = 200
MAX_SOURCES = 10
CUT_NOTE = "… (answer cut here to fit in Slack; see the sources below)"
FEEDBACK = "pdbot_feedback"  # action_id of the feedback_buttons; values "up:<id>", "down:<id>"
LEGACY_UP, LEGACY_DOWN = "pdbot_feedback_up", "pdbot_feedback_down"  # buttons before those
SHARE = "pdbot_share"


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_markdown(text: str) -> str:
    """Our answer text as standard markdown: passage titles before a colon at the start of a
    bullet made bold, and Slack's special sequences (<@U…>, <!here>, <#C…>) left inert."""
    text = re.sub(r"<([@!#])", "<\u200b\\1", text)
    return re.sub(r"^• ([^:\n*]{3,90}): ", r"• **\1:** ", text, flags=re.M)


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


def answer_markdown(answer: Answer) -> str:
    """The answer as the markdown a message (or a stream) carries, cut to fit."""
    return cut(to_markdown(answer.answer), ANSWER_LIMIT, CUT_NOTE)


def source_blocks(answer: Answer) -> list[dict]:
    """"Sources", then each cited section with a short quote (none for a refusal)."""
    if not (answer.answered and answer.citations):
        return []
    blocks = [{"type": "context", "elements": [{"type": "mrkdwn", "text": "*Sources*"}]}]
    for c in answer.citations[:MAX_SOURCES]:
        date = f" ({c.date})" if c.date else ""
        quote = cut(c.text, QUOTE_LIMIT, "…")
        line = f"[{c.n}] *{escape(c.document)}*{escape(date)} › {escape(c.section)}\n>{escape(quote)}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": cut(line, SECTION_LIMIT, "…")}})
    return blocks


def feedback_block(answer_id: str) -> dict:
    """Slack's native 👍 / 👎 under an answer; the value says which, and of which answer."""
    def button(vote: str, face: str, label: str) -> dict:
        return {"text": {"type": "plain_text", "text": face, "emoji": True},
                "value": f"{vote}:{answer_id}", "accessibility_label": label}

    return {"type": "context_actions", "elements": [{
        "type": "feedback_buttons", "action_id": FEEDBACK,
        "positive_button": button("up", "👍", "This answer helped"),
        "negative_button": button("down", "👎", "This answer was wrong or missed something")}]}


def feedback_vote(value: str) -> tuple[str, str]:
    """("up" or "down", answer id) from a feedback button's value."""
    vote, _, answer_id = value.partition(":")
    return ("down" if vote == "down" else "up"), answer_id


def closing_blocks(answer: Answer, answer_id: str, share: bool = False) -> list[dict]:
    """What goes under the answer text: sources, Share (for /pd) and the feedback buttons;
    also what a streamed answer adds when it stops."""
    blocks = source_blocks(answer)
    if share:
        blocks.append({"type": "actions", "block_id": "pdbot_share", "elements": [{
            "type": "button", "action_id": SHARE, "value": answer_id, "style": "primary",
            "text": {"type": "plain_text", "text": "Share in channel"}}]})
    blocks.append(feedback_block(answer_id))
    return blocks


def answer_blocks(answer: Answer, answer_id: str, share: bool = False,
                  lead: str = "") -> tuple[list[dict], str]:
    """(blocks, fallback text) for an answer: the answer, its sources, and the buttons; `lead`
    is a line said before the answer (e.g. sorry for the delay)."""
    blocks = []
    if lead:
        blocks.append({"type": "context", "elements": [{"type": "plain_text", "text": lead}]})
    blocks.append({"type": "markdown", "text": answer_markdown(answer)})
    blocks += closing_blocks(answer, answer_id, share)
    if len(blocks) > BLOCK_LIMIT:  # keep the feedback buttons, the last block
        blocks = blocks[:BLOCK_LIMIT - 1] + blocks[-1:]
    return blocks, cut(answer.answer, FALLBACK_LIMIT, "…")


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

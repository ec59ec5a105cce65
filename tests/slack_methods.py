"""What the Web API stand-in accepts: each known method with its required and allowed arguments,
and Block Kit checked against Slack's documented limits. A call that breaks these is answered
as Slack answers it ({"ok": false, "error": ...}) and recorded as rejected."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

TEXTS = ("text", "blocks", "attachments", "markdown_text")
SDK_DEFAULTS = {"token", "team_id"}  # WebClient adds team_id to every call of an org-wide app


@dataclass(frozen=True)
class Method:
    """A Web API method: arguments it needs, arguments it takes, and one of `any_of` it needs."""

    required: frozenset[str] = frozenset()
    allowed: frozenset[str] = frozenset()
    any_of: tuple[str, ...] = ()
    missing_error: str = "invalid_arguments"  # Slack's error when `any_of` is not met


def method(required=(), allowed=(), any_of=(), missing_error="invalid_arguments") -> Method:
    return Method(frozenset(required), frozenset(allowed) | frozenset(required) | set(any_of),
                  tuple(any_of), missing_error)


METHODS: dict[str, Method] = {
    "auth.test": method(),
    "apps.connections.open": method(),
    "chat.postMessage": method(["channel"], ["thread_ts", "metadata", "unfurl_links",
                                             "unfurl_media", "mrkdwn", "reply_broadcast"],
                               TEXTS, "no_text"),
    "chat.postEphemeral": method(["channel", "user"], ["thread_ts"], TEXTS, "no_text"),
    "chat.update": method(["channel", "ts"], ["metadata"], TEXTS, "no_text"),
    "chat.startStream": method(["channel", "thread_ts"], ["markdown_text", "chunks",
                                                          "recipient_user_id",
                                                          "recipient_team_id",
                                                          "task_display_mode"]),
    "chat.appendStream": method(["channel", "ts"], [], ("markdown_text", "chunks"), "no_text"),
    "chat.stopStream": method(["channel", "ts"], ["markdown_text", "chunks", "blocks",
                                                  "metadata", "session_status"]),
    "conversations.replies": method(["channel", "ts"], ["limit", "cursor", "oldest", "latest",
                                                        "inclusive", "include_all_metadata"]),
    "conversations.history": method(["channel"], ["limit", "cursor", "oldest", "latest",
                                                  "inclusive", "include_all_metadata"]),
    "conversations.open": method(["users"], ["return_im"]),
    "assistant.threads.setStatus": method(["channel_id", "thread_ts", "status"],
                                          ["loading_messages"]),
    "assistant.threads.setSuggestedPrompts": method(["channel_id", "prompts"],
                                                    ["thread_ts", "title"]),
    "assistant.threads.setTitle": method(["channel_id", "thread_ts", "title"]),
    "views.open": method(["trigger_id", "view"]),
    "files.info": method(["file"]),
    "files.getUploadURLExternal": method(["filename", "length"], ["alt_txt", "snippet_type"]),
    "files.completeUploadExternal": method(["files"], ["channel_id", "channels",
                                                      "initial_comment", "thread_ts",
                                                      "blocks"]),
    "response_url": method([], ["response_type", "replace_original", "delete_original",
                                "thread_ts"] + list(TEXTS)),
}
BLOCK_LIMIT = 50
SECTION_TEXT_LIMIT = 3000
MARKDOWN_LIMIT = 12000  # all markdown blocks of one message together
BUTTON_TEXT_LIMIT = 75
VALUE_LIMIT = 2000
MAX_LOADING_MESSAGES = 10
MAX_PROMPTS = 4


class Rejected(Exception):
    """A call Slack would refuse: `error` is Slack's error code, `why` says what was wrong."""

    def __init__(self, error: str, why: str):
        super().__init__(f"{error}: {why}")
        self.error, self.why = error, why


def check_call(name: str, body: dict) -> None:
    """Rejected unless `name` is a method Slack has and `body` holds the arguments it takes."""
    spec = METHODS.get(name)
    if spec is None:
        raise Rejected("unknown_method", f"no method {name}")
    unknown = sorted(set(body) - spec.allowed - SDK_DEFAULTS)
    if unknown:
        raise Rejected("invalid_arguments", f"{name} takes no {', '.join(unknown)}")
    missing = sorted(a for a in spec.required if body.get(a) in (None, ""))
    if missing:
        raise Rejected("invalid_arguments", f"{name} needs {', '.join(missing)}")
    if spec.any_of and not any(body.get(a) for a in spec.any_of):
        raise Rejected(spec.missing_error, f"{name} needs one of {', '.join(spec.any_of)}")
    if "blocks" in body:
        check_blocks(body["blocks"])
    if "metadata" in body:
        check_metadata(body["metadata"])
    if "chunks" in body:
        check_chunks(body["chunks"])
    extra = CHECKS.get(name)
    if extra:
        extra(body)


def _parsed(value):
    return json.loads(value) if isinstance(value, str) else value


def check_blocks(blocks) -> None:
    """Block Kit as Slack checks it: known block types, text and element limits."""
    blocks = _parsed(blocks)
    if not isinstance(blocks, list) or len(blocks) > BLOCK_LIMIT:
        raise Rejected("invalid_blocks", f"blocks must be a list of at most {BLOCK_LIMIT}")
    markdown, ids = 0, set()
    for block in blocks:
        kind = block.get("type")
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in ids or len(block_id) > 255:
                raise Rejected("invalid_blocks", f"block_id {block_id!r} repeated or too long")
            ids.add(block_id)
        if kind == "markdown":
            if not isinstance(block.get("text"), str) or not block["text"]:
                raise Rejected("invalid_blocks", "a markdown block needs text")
            markdown += len(block["text"])
        elif kind == "section":
            _text(block.get("text"), SECTION_TEXT_LIMIT, "section")
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                raise Rejected("invalid_blocks", "a context block holds 1 to 10 elements")
            for element in elements:
                if element.get("type") in ("mrkdwn", "plain_text"):
                    _text(element, SECTION_TEXT_LIMIT, "context")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                raise Rejected("invalid_blocks", "an actions block holds 1 to 25 elements")
            for element in elements:
                _interactive(element)
        elif kind == "context_actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 5:
                raise Rejected("invalid_blocks", "a context_actions block holds 1 to 5 elements")
            for element in elements:
                _context_action(element)
        elif kind not in ("divider", "header", "rich_text", "image", "input"):
            raise Rejected("invalid_blocks", f"unknown block type {kind!r}")
    if markdown > MARKDOWN_LIMIT:
        raise Rejected("invalid_blocks", f"markdown blocks hold {markdown} characters, over "
                                         f"{MARKDOWN_LIMIT}")


def _text(text, limit: int, where: str) -> None:
    if not isinstance(text, dict) or text.get("type") not in ("mrkdwn", "plain_text") \
            or not isinstance(text.get("text"), str) or not text["text"]:
        raise Rejected("invalid_blocks", f"a {where} needs a mrkdwn or plain_text text object")
    if len(text["text"]) > limit:
        raise Rejected("invalid_blocks", f"{where} text over {limit} characters")


def _interactive(element: dict) -> None:
    if element.get("type") == "button":
        _text(element.get("text"), BUTTON_TEXT_LIMIT, "button")
        if element["text"]["type"] != "plain_text":
            raise Rejected("invalid_blocks", "button text must be plain_text")
    if len(element.get("action_id", "")) > 255 or len(element.get("value", "")) > VALUE_LIMIT:
        raise Rejected("invalid_blocks", "action_id or value too long")


def _context_action(element: dict) -> None:
    kind = element.get("type")
    if kind == "feedback_buttons":
        for which in ("positive_button", "negative_button"):
            button = element.get(which)
            if not isinstance(button, dict) or not isinstance(button.get("value"), str) \
                    or not button["value"] or len(button["value"]) > VALUE_LIMIT:
                raise Rejected("invalid_blocks", f"feedback_buttons needs a {which} with a value")
            _text(button.get("text"), BUTTON_TEXT_LIMIT, which)
            if button["text"]["type"] != "plain_text":
                raise Rejected("invalid_blocks", f"{which} text must be plain_text")
    elif kind == "icon_button":
        if not element.get("icon"):
            raise Rejected("invalid_blocks", "icon_button needs an icon")
        _text(element.get("text"), BUTTON_TEXT_LIMIT, "icon_button")
    else:
        raise Rejected("invalid_blocks", f"context_actions cannot hold {kind!r}")
    if len(element.get("action_id", "")) > 255:
        raise Rejected("invalid_blocks", "action_id too long")


def check_metadata(metadata) -> None:
    metadata = _parsed(metadata)
    if not isinstance(metadata, dict) or not isinstance(metadata.get("event_type"), str) \
            or not isinstance(metadata.get("event_payload"), dict):
        raise Rejected("invalid_metadata_format", "metadata needs event_type and event_payload")


def check_chunks(chunks) -> None:
    chunks = _parsed(chunks)
    if not isinstance(chunks, list) or not chunks:
        raise Rejected("invalid_chunks", "chunks must be a non-empty list")
    for chunk in chunks:
        if chunk.get("type") == "markdown_text":
            if not isinstance(chunk.get("text"), str) or len(chunk["text"]) > MARKDOWN_LIMIT:
                raise Rejected("invalid_chunks", "a markdown_text chunk needs text up to 12,000")
        elif chunk.get("type") not in ("plan_update", "task_update", "blocks"):
            raise Rejected("invalid_chunks", f"unknown chunk type {chunk.get('type')!r}")


def _start_stream(body: dict) -> None:
    if not str(body["channel"]).startswith("D") and not (
            body.get("recipient_user_id") and body.get("recipient_team_id")):
        raise Rejected("invalid_arguments", "streaming outside a DM needs recipient_user_id "
                                            "and recipient_team_id")


def _set_status(body: dict) -> None:
    loading = _parsed(body.get("loading_messages"))
    if loading is not None and (not isinstance(loading, list) or not loading
                                or len(loading) > MAX_LOADING_MESSAGES
                                or not all(isinstance(m, str) and m for m in loading)):
        raise Rejected("invalid_arguments", "loading_messages must be 1 to 10 strings")


def _set_prompts(body: dict) -> None:
    prompts = _parsed(body["prompts"])
    if not isinstance(prompts, list) or not 1 <= len(prompts) <= MAX_PROMPTS or not all(
            isinstance(p, dict) and p.get("title") and p.get("message") for p in prompts):
        raise Rejected("invalid_arguments", "prompts must be 1 to 4 {title, message}")


def _view(body: dict) -> None:
    view = _parsed(body["view"])
    if not isinstance(view, dict) or view.get("type") != "modal" or not view.get("title"):
        raise Rejected("invalid_arguments", "views.open needs a modal view with a title")
    check_blocks(view.get("blocks", []))


CHECKS = {"chat.startStream": _start_stream, "assistant.threads.setStatus": _set_status,
          "assistant.threads.setSuggestedPrompts": _set_prompts, "views.open": _view}


@dataclass
class Stream:
    """A message being streamed: where it is, its text so far, and whether it has stopped."""

    channel: str
    thread_ts: str
    message: dict
    stopped: bool = False
    appends: list[str] = field(default_factory=list)


def chunk_text(chunks) -> str:
    """The markdown text in streaming chunks."""
    return "".join(c.get("text", "") for c in _parsed(chunks) or []
                   if c.get("type") == "markdown_text")

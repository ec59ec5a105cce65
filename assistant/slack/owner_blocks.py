"""Block Kit messages for document owners: which document a file replaces, the preview of a
candidate version with Publish and Discard, the published message with Roll back, and the modal
asking a new document's title and date."""
from __future__ import annotations

from assistant.slack.blocks import SECTION_LIMIT, cut, escape

PUBLISH, DISCARD, ROLLBACK = "pdbot_publish", "pdbot_discard", "pdbot_rollback"
PICK_DOCUMENT, NEW_DOCUMENT_VIEW = "pdbot_pick_document", "pdbot_new_document"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_LIMIT, " …")}}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": {"type": "plain_text", "text": text},
              "action_id": action_id, "value": value}
    return button | ({"style": style} if style else {})


def _label(document: dict) -> str:
    date = f" ({document['date']})" if document.get("date") else ""
    return f"{document.get('title') or document['file']}{date}"


def pick_document_blocks(file_name: str, file_id: str, documents: list[dict], new: str
                         ) -> tuple[list[dict], str]:
    """Ask which live document the file replaces, or whether it is a new one."""
    options = [{"text": {"type": "plain_text", "text": _label(d)[:75]},
                "value": f"{file_id} {d['id']}"} for d in documents if d.get("id")]
    options.append({"text": {"type": "plain_text", "text": "A new document"},
                    "value": f"{file_id} {new}"})
    text = f"Which document does {file_name} replace?"
    return [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)},
             "accessory": {"type": "static_select", "action_id": PICK_DOCUMENT,
                           "placeholder": {"type": "plain_text", "text": "Choose a document"},
                           "options": options}}], text


def new_document_modal(file_id: str, file_name: str) -> dict:
    """The modal asking a new document's title and date."""
    def field(block_id: str, label: str, hint: str, optional: bool) -> dict:
        return {"type": "input", "block_id": block_id, "optional": optional,
                "label": {"type": "plain_text", "text": label},
                "element": {"type": "plain_text_input", "action_id": "value", "max_length": 150,
                            "placeholder": {"type": "plain_text", "text": hint}}}

    return {"type": "modal", "callback_id": NEW_DOCUMENT_VIEW, "private_metadata": file_id,
            "title": {"type": "plain_text", "text": "A new document"},
            "submit": {"type": "plain_text", "text": "Build preview"},
            "blocks": [_section(f"Title and date of {escape(file_name)}, as citations show them."),
                       field("title", "Title", "e.g. Coaching Handbook", False),
                       field("date", "Date", "e.g. September 2026", True)]}


def preview_blocks(candidate, before: dict | None, after: dict | None,
                   eval_line) -> tuple[list[dict], str]:
    """The change report, the eval cases to re-check, the eval before and after, and the
    Publish and Discard buttons for a candidate version."""
    report = candidate.report
    head = (f"*Preview of {escape(candidate.file)}* as _{escape(candidate.title)}_: version "
            f"`{candidate.version}` is built, not live.")
    lines = report.changes.lines() if report.changes else ["No section changed."]
    blocks = [_section(head),
              _section("*Structure found* (the live version's counts in brackets)\n"
                       + escape("\n".join(report.structure_lines()))),
              _section("*What changes*\n```" + escape("\n".join(lines)) + "```"),
              _section("*Eval on the project's case sets*\n"
                       f"Before (live): {eval_line(before)}\nAfter: {eval_line(after)}")]
    if report.warnings:
        blocks.append(_section("*Warnings*\n" + escape("\n".join(report.warnings))))
    blocks.append({"type": "actions", "block_id": "pdbot_candidate", "elements": [
        _button("Publish", PUBLISH, candidate.version, "primary"),
        _button("Discard", DISCARD, candidate.version, "danger")]})
    return blocks, f"Preview of {candidate.file}: version {candidate.version}, not live yet."


def published_blocks(version: str, user: str, previous: str) -> tuple[list[dict], str]:
    """The message a preview becomes once published, with Roll back (when there was a version
    before)."""
    text = f"Published version {version}: staff are answered from it now."
    blocks = [_section(f"<@{user}> published version `{version}`: staff are answered from it now.")]
    if previous:
        blocks.append({"type": "actions", "block_id": "pdbot_published", "elements": [
            _button(f"Roll back to {previous}", ROLLBACK, previous, "danger")]})
    return blocks, text


def note_blocks(text: str) -> tuple[list[dict], str]:
    """A one-line message (discarded, rolled back, refused)."""
    return [_section(escape(text))], text

"""Document owners (SLACK_OWNERS) keep the bot current from Slack.

An owner sends the bot a document in a DM. The bot downloads it (assistant/slack/uploads.py),
asks which catalogue document it replaces unless the file name says so, builds a candidate
version that is not live (ingest/candidate.py), and replies with the change report, the eval
cases to re-check, the eval before and after, and Publish / Discard. Publish makes the version
live in one atomic rename under the ingest lock, as `pdbot ingest` does; the published message
offers Roll back. An owner who DMs `usage` gets the usage summary and its HTML report. Anyone
else who sends a file gets one polite line, and nothing else happens.
"""
from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from pathlib import Path

from assistant.slack.config import SlackSettings
from assistant.slack.owner_blocks import (DISCARD, NEW_DOCUMENT_VIEW, PICK_DOCUMENT, PUBLISH,
                                          ROLLBACK, new_document_modal, note_blocks,
                                          pick_document_blocks, preview_blocks, published_blocks)
from knowledge.errors import PdbotError
from knowledge.settings import Settings

log = logging.getLogger(__name__)
NOT_AN_OWNER = ("Thanks! Only the document owners can update the framework documents, so I "
                "haven't used this file.")
INTERNAL_ERROR = ("Something went wrong while reading that file (the log has the details). "
                  "Nothing was changed.")
USAGE_NOT_ATTACHED = ("(Slack would not take the attached report; `pdbot usage` on the server "
                      "writes the same report.html.)")
NOT_AN_OWNER_ACTION = "Only the document owners can publish, discard or roll back versions."
_USAGE = re.compile(r"^\s*usage(?:\s+(\d{1,3}))?\s*$", re.I)


class OwnerWorkflow:
    """The owners' Slack handlers, over the data directory the answering engine reads."""

    def __init__(self, settings: Settings, slack: SlackSettings, engine, store):
        self.settings = settings
        self.slack = slack
        self.engine = engine  # the Engine (or LLM answerer over it): its embedder, and refresh
        self.store = store  # the FeedbackStore, for usage reports
        self.teams = None  # assistant.slack.teams.Teams: a team's own owners (set by build_app)

    @property
    def _engine(self):
        return getattr(self.engine, "engine", self.engine)

    def is_owner(self, user: str, team: str = "") -> bool:
        slack = self.teams.slack_for(self.slack, team) if self.teams is not None else self.slack
        return user in slack.owners

    def uploads_dir(self, file_id: str) -> Path:
        return self.settings.data_dir / "uploads" / re.sub(r"[^A-Za-z0-9]", "", file_id)

    # --- DMs -----------------------------------------------------------------------------

    def on_file_share(self, event: dict, client) -> None:
        """A file sent to the bot in a DM: an owner's becomes a preview, anyone else's a no."""
        channel, user = event["channel"], event.get("user", "")
        if not self.is_owner(user, event.get("team", "")):
            log.info("file from %s, not an owner: refused", user)
            client.chat_postMessage(channel=channel, text=NOT_AN_OWNER)
            return
        for shared in event.get("files", [])[:1]:  # one document per message
            try:
                self._receive(client, channel, user, shared["id"])
            except Exception:  # a bug must still get the owner a reply, and change nothing
                log.exception("could not use file %s from %s", shared.get("id"), user)
                shutil.rmtree(self.uploads_dir(shared["id"]), ignore_errors=True)
                client.chat_postMessage(channel=channel, text=INTERNAL_ERROR)

    def on_text(self, event: dict, client) -> bool:
        """Handle an owner's `usage [days]` DM; False when the text is an ordinary question."""
        match = _USAGE.match(event.get("text", ""))
        if not match or not self.is_owner(event.get("user", ""), event.get("team", "")):
            return False
        from slack_sdk.errors import SlackApiError

        from assistant.usage_coverage import live_sections
        from assistant.usage_report import build_usage, usage_message, write_usage_report

        report = build_usage(self.store, int(match.group(1) or 30),
                             live=live_sections(self.settings.data_dir))
        text = usage_message(report)
        with tempfile.TemporaryDirectory() as folder:
            paths = write_usage_report(report, Path(folder))
            try:
                client.files_upload_v2(channel=event["channel"], file=str(paths["html"]),
                                       filename="report.html", title="What staff ask",
                                       initial_comment=text)
            except SlackApiError as exc:  # e.g. files:write missing: the figures still arrive
                log.warning("usage report not attached: %s", exc.response.get("error"))
                client.chat_postMessage(channel=event["channel"], text=text + "\n" + USAGE_NOT_ATTACHED)
        return True

    def _receive(self, client, channel: str, user: str, file_id: str) -> None:
        from assistant.slack.uploads import fetch_upload
        from ingest.candidate import live_documents, target_from_name

        folder = self.uploads_dir(file_id)
        try:
            path = fetch_upload(client, file_id, client.token or self.slack.bot_token, folder)
        except PdbotError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            client.chat_postMessage(channel=channel, text=_nothing_changed(exc))
            return
        documents = live_documents(self.settings)
        target = target_from_name(path.name, documents)
        if target is None:
            from ingest.candidate import NEW_DOCUMENT

            blocks, text = pick_document_blocks(path.name, file_id, documents, NEW_DOCUMENT)
            client.chat_postMessage(channel=channel, blocks=blocks, text=text)
            return
        self._preview(client, channel, user, file_id, target)

    def _preview(self, client, channel: str, user: str, file_id: str, target: str,
                 title: str = "", date: str = "", ts: str | None = None) -> None:
        """Build the candidate and post (or update `ts` into) its preview."""
        from evals.affected import affected_cases, case_files
        from evals.version_eval import eval_line, version_summary
        from ingest.candidate import prepare_candidate
        from knowledge.index import indexes_dir, live_version_dir

        folder = self.uploads_dir(file_id)
        uploads = [p for p in folder.iterdir() if p.is_file()] if folder.exists() else []
        if not uploads:
            self._say(client, channel, ts, "That file has expired; please send it again.")
            return
        started = time.perf_counter()
        working = self._say(client, channel, ts, f"Reading {uploads[0].name} and building a "
                            "preview (a minute at most)…")
        ts = ts or working
        embedder = self._engine.embedder
        try:
            candidate = prepare_candidate(self.settings, uploads[0], folder, target, user,
                                          embedder, title=title, date=date)
        except PdbotError as exc:
            shutil.rmtree(folder, ignore_errors=True)  # gone before the reply says so
            self._say(client, channel, ts, _nothing_changed(exc))
            return
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if not candidate.version:
            self._say(client, channel, ts, f"{uploads[0].name} holds the same text as the live "
                      f"{candidate.title}; nothing to publish.")
            return
        if self.settings.database_url:  # its Publish button may reach another replica
            from assistant.store.live_version import store_version

            store_version(self.store.engine, self.settings.data_dir, candidate.version)
        changes = candidate.report.changes
        changes.affected_cases = affected_cases(changes.changed_passages, case_files())
        live = live_version_dir(self.settings.data_dir)
        before = version_summary(self.settings, live, embedder) if live else None
        after = version_summary(self.settings, indexes_dir(self.settings.data_dir)
                                / candidate.version, embedder)
        blocks, text = preview_blocks(candidate, before, after, eval_line)
        client.chat_update(channel=channel, ts=ts, blocks=blocks, text=text)
        log.info("preview of %s posted for %s in %.1fs", candidate.version, user,
                 time.perf_counter() - started)

    @staticmethod
    def _say(client, channel: str, ts: str | None, text: str) -> str:
        """Post `text`, or replace the message `ts` with it; returns the message's ts."""
        blocks, fallback = note_blocks(text)
        if ts:
            client.chat_update(channel=channel, ts=ts, blocks=blocks, text=fallback)
            return ts
        return client.chat_postMessage(channel=channel, blocks=blocks, text=fallback)["ts"]

    # --- buttons, menu and modal -----------------------------------------------------------

    def register(self, app) -> None:
        """Add the owners' action and view handlers to a Bolt app."""

        def owner_only(ack, body, respond) -> bool:
            ack()
            if self.is_owner(body["user"]["id"], _team(body)):
                return True
            respond(response_type="ephemeral", replace_original=False, text=NOT_AN_OWNER_ACTION)
            return False

        @app.action(PICK_DOCUMENT)
        def on_pick(ack, body, action, client, respond):
            if not owner_only(ack, body, respond):
                return
            file_id, target = action["selected_option"]["value"].split(" ", 1)
            from ingest.candidate import NEW_DOCUMENT

            if target == NEW_DOCUMENT:
                name = next((p.name for p in self.uploads_dir(file_id).glob("*")), file_id)
                client.views_open(trigger_id=body["trigger_id"],
                                  view=new_document_modal(file_id, name))
                return
            self._preview(client, body["channel"]["id"], body["user"]["id"], file_id, target,
                          ts=body["message"]["ts"])

        @app.view(NEW_DOCUMENT_VIEW)
        def on_new_document(ack, body, view, client):
            values = view["state"]["values"]
            title = (values.get("title", {}).get("value", {}).get("value") or "").strip()
            if not title:
                ack(response_action="errors", errors={"title": "A title is needed."})
                return
            ack()
            user = body["user"]["id"]
            if not self.is_owner(user, _team(body)):
                return
            date = (values.get("date", {}).get("value", {}).get("value") or "").strip()
            channel = client.conversations_open(users=user)["channel"]["id"]
            from ingest.candidate import NEW_DOCUMENT

            self._preview(client, channel, user, view["private_metadata"], NEW_DOCUMENT,
                          title=title, date=date)

        @app.action(PUBLISH)
        def on_publish(ack, body, action, client, respond):
            if owner_only(ack, body, respond):
                self._make_live(body, action["value"], "publish", client, respond)

        @app.action(DISCARD)
        def on_discard(ack, body, action, client, respond):
            if not owner_only(ack, body, respond):
                return
            from ingest.candidate import discard

            user, version = body["user"]["id"], action["value"]
            discard(self.settings, version, user, team=_team(body))
            blocks, text = note_blocks(f"Discarded version {version}; nothing changed.")
            client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"],
                               blocks=blocks, text=text)

        @app.action(ROLLBACK)
        def on_rollback(ack, body, action, client, respond):
            if owner_only(ack, body, respond):
                self._make_live(body, action["value"], "rollback", client, respond)

    def _make_live(self, body: dict, version: str, event: str, client, respond) -> None:
        """Publish a candidate, or roll back to an earlier version, and say so in the message
        whose button was pressed (a publish offers Roll back to the version before)."""
        from ingest.pipeline import publish_version

        user = body["user"]["id"]
        if self.settings.database_url:  # built on another replica: its files are shared
            from assistant.store.live_version import fetch

            try:
                fetch(self.store.engine, self.settings.data_dir, version)
            except (LookupError, PdbotError):
                pass  # not shared: publish_version says the version is not there
        try:
            entry = publish_version(self.settings, version, by=user, event=event,
                                    team=_team(body))
        except PdbotError as exc:
            respond(response_type="ephemeral", replace_original=False, text=str(exc))
            return
        if self.settings.database_url:  # replicas share the database: live on all of them
            from assistant.store.live_version import share_live

            share_live(self.store.engine, self.settings.data_dir, {**entry, "team": _team(body)})
        self._refresh()
        if event == "publish":
            blocks, text = published_blocks(version, user, entry.get("previous", ""))
        else:
            blocks, text = note_blocks(f"Rolled back: version {version} is live again.")
        client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"],
                           blocks=blocks, text=text)
        log.info("%s of version %s by %s", event, version, user)

    def _refresh(self) -> None:
        """Load the newly live version now, so the next question does not wait for it."""
        refresh = getattr(self._engine, "refresh", None)
        if refresh is not None:
            refresh()


def _team(body: dict) -> str:
    """The Slack team a button or modal came from (recorded with an owner's action)."""
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""


def _nothing_changed(exc: Exception) -> str:
    """An error as the owner's reply, saying that nothing changed (once)."""
    text = str(exc).rstrip()
    return text if "nothing was" in text.lower() else f"{text} Nothing was changed."

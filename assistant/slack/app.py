"""The Bolt app: mentions, DMs, thread follow-ups, the assistant pane, /pd, sharing and feedback.

The bot keeps no conversation state: a thread's earlier turns are read back from Slack with
`conversations.replies`, so several processes can serve the same workspace (they share the
SQLite store in the data directory, which also makes a retried event answered once).
"""
from __future__ import annotations

import logging
import re
import time

from knowledge.errors import PdbotError
from assistant.answer.query import Turn
from assistant.slack.blocks import (FEEDBACK, LEGACY_DOWN, LEGACY_UP, SHARE, answer_blocks,
                                    feedback_vote, reason_modal)
from assistant.slack.config import SlackSettings
from assistant.slack.feedback import FeedbackStore

log = logging.getLogger(__name__)
MAX_HISTORY = 10
STREAM_INTERVAL = 0.5  # seconds between message updates while an LLM reply streams
GREETING = ("Hi! Ask me about Camden's professional development framework: pathways, NPQs, "
            "coaching, hubs and networks. I quote and cite the sections I answer from.")
_MENTION = re.compile(r"<@[A-Z0-9]+>")


class Answerer:
    """Turns Slack text and thread history into an answer, its blocks and a stored record."""

    def __init__(self, engine, store: FeedbackStore, metrics=None):
        self.engine = engine  # the Engine, or an LlmAnswerer over it (which can stream)
        self.store = store
        self.metrics = metrics  # assistant.metrics.Metrics, or None
        self.streams = hasattr(engine, "counts")

    def reply(self, text: str, history: list[Turn], channel: str, share: bool = False,
              on_text=None, user: str = ""):
        """(blocks, fallback text) answering `text`; bad input gets its message as the answer."""
        question = _MENTION.sub("", text or "").strip()
        started = time.perf_counter()
        try:
            if on_text is not None and self.streams:
                answer = self.engine.answer(question, history, on_text=on_text)
            else:
                answer = self.engine.answer(question, history)
        except PdbotError as exc:
            from knowledge.records import Answer

            answer = Answer(question=question, answer=str(exc), answered=False)
        seconds = time.perf_counter() - started
        answer_id = self.store.record_answer(
            answer, [{"role": t.role, "content": t.content} for t in history], channel, user)
        if self.metrics is not None:
            self.metrics.observe_answer(answer.answered, answer.reason, seconds)
        outcome = "answered" if answer.answered else f"refused {answer.reason or 'input'}"
        log.info("answer %s for %s in %s: %s, %d citations, %.0f ms", answer_id, user or "?",
                 channel or "?", outcome, len(answer.citations), seconds * 1000,
                 extra={"event": "answer", "answer_id": answer_id, "user": user,
                        "channel": channel, "answered": answer.answered,
                        "reason": answer.reason, "latency_ms": round(seconds * 1000, 1)})
        # sharing re-posts the stored answer, so without stored text there is nothing to share
        return answer_blocks(answer, answer_id, share=share and self.store.keep_text)

    def post(self, client, channel: str, thread_ts: str | None, text: str,
             history: list[Turn], user: str = "") -> None:
        """Answer into a channel or thread. With an LLM, a placeholder is posted first and
        updated as the reply is written; the final update adds sources and feedback."""
        if not self.streams:
            blocks, reply = self.reply(text, history, channel, user=user)
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, blocks=blocks, text=reply)
            return
        posted = client.chat_postMessage(channel=channel, thread_ts=thread_ts, text="…")
        last = [0.0]

        def on_text(so_far: str) -> None:
            if time.monotonic() - last[0] >= STREAM_INTERVAL:
                last[0] = time.monotonic()
                client.chat_update(channel=channel, ts=posted["ts"], text=so_far + " …")

        blocks, reply = self.reply(text, history, channel, on_text=on_text, user=user)
        client.chat_update(channel=channel, ts=posted["ts"], blocks=blocks, text=reply)


def thread_history(client, channel: str, thread_ts: str, current_ts: str, bot_user_id: str
                   ) -> tuple[list[Turn], bool]:
    """The thread's earlier turns (oldest first) and whether the bot has spoken in it."""
    response = client.conversations_replies(channel=channel, ts=thread_ts, limit=50)
    turns, bot_spoke = [], False
    for message in response.get("messages", []):
        if message.get("ts") == current_ts:
            continue
        from_bot = bool(message.get("bot_id")) or message.get("user") == bot_user_id
        bot_spoke = bot_spoke or from_bot
        text = _MENTION.sub("", message.get("text", "")).strip()
        if text:
            turns.append(Turn("assistant" if from_bot else "user", text))
    return turns[-MAX_HISTORY:], bot_spoke


def build_app(engine, store: FeedbackStore, slack: SlackSettings, client=None,
              process_before_response: bool = False, prompts: tuple[dict, ...] | None = None,
              owners=None, metrics=None):
    """A Bolt App answering with `engine`; `client` defaults to a WebClient for slack.api_url;
    `prompts` are the assistant pane's suggested prompts (default: knowledge/domain/prompts.yml);
    `owners` (an OwnerWorkflow) handles files and `usage` sent in DMs, and its buttons;
    `metrics` (assistant.metrics.Metrics) counts questions, outcomes, latency and votes."""
    if prompts is None:
        from knowledge.domain import load_domain

        prompts = load_domain().prompts
    from slack_bolt import App, Assistant, BoltResponse
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    options = dict(signing_secret=slack.signing_secret or None,
                   process_before_response=process_before_response)
    if client is None:
        # The token goes in by name: Bolt would read SLACK_BOT_TOKEN from the environment
        # anyway and warn that a client overrides it. `pdbot slack` checked the token already
        # (startup.check_slack); the client is pointed at slack.api_url before any call.
        app = App(token=slack.bot_token, token_verification_enabled=False, **options)
        app.client.base_url = slack.api_url
    else:
        app = App(client=client, token_verification_enabled=True, **options)
    app.client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    answerer = Answerer(engine, store, metrics)

    def allowed(channel: str) -> bool:
        return not slack.allowed_channels or channel in slack.allowed_channels or \
            channel.startswith("D")

    @app.middleware
    def once_per_event(body, next):
        """Answer each event once: Slack retries (X-Slack-Retry-Num) carry the same event_id."""
        event_id = body.get("event_id")
        if event_id and not store.claim_event(event_id):
            log.info("skipping event %s already handled", event_id)
            return BoltResponse(status=200, body="")
        return next()

    @app.event("app_mention")
    def on_mention(event, client, context):
        if event.get("bot_id") or not allowed(event["channel"]):
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        history = []
        if event.get("thread_ts"):
            history, _ = thread_history(client, event["channel"], thread_ts, event["ts"],
                                        context.bot_user_id)
        answerer.post(client, event["channel"], thread_ts, event.get("text", ""), history,
                      event.get("user", ""))

    assistant = Assistant()

    @assistant.thread_started
    def on_thread_started(say, set_suggested_prompts):
        say(GREETING)
        set_suggested_prompts(prompts=list(prompts))

    @assistant.user_message
    def on_pane_message(payload, client, context, set_status, set_title):
        set_status("is thinking…")
        history, _ = thread_history(client, payload["channel"], payload["thread_ts"],
                                    payload["ts"], context.bot_user_id)
        if not any(t.role == "user" for t in history):
            set_title(payload.get("text", "")[:60] or "Question")
        answerer.post(client, payload["channel"], payload["thread_ts"], payload.get("text", ""),
                      history, payload.get("user", ""))

    app.assistant(assistant)

    @app.event("message")
    def on_message(event, client, context):
        direct = event.get("channel_type") == "im"
        if direct and event.get("subtype") == "file_share" and owners is not None \
                and not event.get("bot_id"):
            owners.on_file_share(event, client)
            return
        if event.get("subtype") or event.get("bot_id"):
            return  # edits, joins, other bots and ourselves
        text = event.get("text", "")
        if direct and owners is not None and owners.on_text(event, client):
            return
        if direct:
            answerer.post(client, event["channel"], None, text, [], event.get("user", ""))
            return
        thread_ts = event.get("thread_ts")
        if not thread_ts or f"<@{context.bot_user_id}>" in text or not allowed(event["channel"]):
            return  # mentions are answered by on_mention
        history, bot_spoke = thread_history(client, event["channel"], thread_ts, event["ts"],
                                            context.bot_user_id)
        if bot_spoke:  # a reply in a thread the bot answered: a follow-up
            answerer.post(client, event["channel"], thread_ts, text, history, event.get("user", ""))

    @app.command(slack.command)
    def on_command(ack, command, respond):
        ack()
        blocks, text = answerer.reply(command.get("text", ""), [], command.get("channel_id", ""),
                                      share=True, user=command.get("user_id", ""))
        respond(response_type="ephemeral", blocks=blocks, text=text)

    @app.action(SHARE)
    def on_share(ack, body, action, client, respond):
        ack()
        record = store.answer(action["value"])
        if record is None:
            respond(response_type="ephemeral", replace_original=False,
                    text="That answer has expired; please ask again.")
            return
        from knowledge.records import Answer, Citation

        answer = Answer(question=record["question"], answer=record["answer"],
                        answered=bool(record["answered"]),
                        citations=[Citation(**c) for c in record["citations"]])
        blocks, text = answer_blocks(answer, action["value"])
        user = body["user"]["id"]
        client.chat_postMessage(channel=body["channel"]["id"], blocks=blocks,
                                text=f"<@{user}> shared: {text}")
        respond(delete_original=True)

    def vote(answer_id: str, user: str, which: str, trigger_id: str | None, client) -> None:
        store.record_vote(answer_id, user, which)
        if metrics is not None:
            metrics.observe_vote(which)
        log.info("vote %s on answer %s by %s", which, answer_id, user,
                 extra={"event": "vote", "answer_id": answer_id, "user": user, "vote": which})
        if which == "down" and trigger_id:  # 👎 asks what was wrong: it becomes an eval case
            client.views_open(trigger_id=trigger_id, view=reason_modal(answer_id))

    @app.action(FEEDBACK)
    def on_feedback(ack, body, action, client):
        ack()
        which, answer_id = feedback_vote(action["value"])
        vote(answer_id, body["user"]["id"], which, body.get("trigger_id"), client)

    @app.action(LEGACY_UP)  # the buttons of answers posted before the native feedback buttons
    def on_thumbs_up(ack, body, action, client):
        ack()
        vote(action["value"], body["user"]["id"], "up", None, client)

    @app.action(LEGACY_DOWN)
    def on_thumbs_down(ack, body, action, client):
        ack()
        vote(action["value"], body["user"]["id"], "down", body.get("trigger_id"), client)

    @app.view("pdbot_feedback_reason")
    def on_reason(ack, body, view):
        ack()
        reason = (view["state"]["values"].get("reason", {}).get("text", {}).get("value") or "")
        store.record_vote(view["private_metadata"], body["user"]["id"], "down", reason.strip())

    if owners is not None:
        owners.register(app)
    return app

"""The Bolt app: mentions, DMs, thread follow-ups, the agent view (and the legacy assistant pane),
/pd, sharing and feedback.

The bot keeps no conversation state: a thread's earlier turns are read back from Slack with
`conversations.replies`, so several processes can serve the same workspace (they share the
SQLite store in the data directory, which also makes a retried event answered once).
Questions go to the Deliverer (assistant/slack/delivery.py), which always replies.
"""
from __future__ import annotations

import logging

from assistant.slack import wording
from assistant.slack.answering import Answerer, log_answer, new_answer_id
from assistant.slack.blocks import (FEEDBACK, LEGACY_DOWN, LEGACY_UP, SHARE, answer_blocks,
                                    feedback_vote, reason_modal)
from assistant.slack.config import SlackSettings
from assistant.slack.delivery import Deliverer, new_ref
from assistant.slack.feedback import FeedbackStore
from assistant.slack.questions import question_from

log = logging.getLogger(__name__)


def build_app(engine, store: FeedbackStore, slack: SlackSettings, client=None,
              process_before_response: bool = False, prompts: tuple[dict, ...] | None = None,
              owners=None, metrics=None, pending=None):
    """A Bolt App answering with `engine`; `client` defaults to a WebClient for slack.api_url;
    `prompts` are the suggested prompts (default: knowledge/domain/prompts.yml); `owners` (an
    OwnerWorkflow) handles files and `usage` sent in DMs, and its buttons; `metrics`
    (assistant.metrics.Metrics) counts questions, outcomes, failures, latency and votes;
    `pending` (PendingQuestions) keeps questions until answered (default: in `store`)."""
    if prompts is None:
        from knowledge.domain import load_domain

        prompts = load_domain().prompts
    from slack_bolt import App, BoltResponse
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
    answerer = Answerer(engine, metrics)
    deliverer = Deliverer(answerer, store, owners, metrics, pending=pending,
                          recover_minutes=slack.recover_minutes)
    app.deliverer = deliverer  # for `pdbot slack` and tests

    @app.middleware
    def accept_once(body, context, next):
        """Before the acknowledgement: a question is written down as pending (so a crash cannot
        lose it; if it cannot be written, Slack gets a 500 and sends it again) and handed to the
        answering threads; an event seen before (Slack's retry, same event_id) is not taken
        again."""
        event_id = body.get("event_id")
        if not event_id:
            return next()
        question = question_from(body, context.bot_user_id, slack)
        first = deliverer.accept(question) if question is not None else \
            store.claim_event(event_id)
        if not first:
            log.info("skipping event %s already handled", event_id)
            return BoltResponse(status=200, body="")
        if question is not None:
            deliverer.submit(question, context.client, context.bot_user_id)
        return next()

    @app.event("app_mention")
    def on_mention():
        """Taken by accept_once (a question); this listener only acknowledges it."""

    @app.event("message")
    def on_message(event, client):
        if event.get("channel_type") == "im" and event.get("subtype") == "file_share" \
                and owners is not None and not event.get("bot_id"):
            owners.on_file_share(event, client)

    @app.event("app_home_opened")
    def on_home_opened(event, client):
        """The agent view: a person opened the Messages tab (a conversation starts there)."""
        if event.get("tab") == "messages" and event.get("channel"):
            greet(client, event["channel"], None, prompts)

    @app.event("assistant_thread_started")
    def on_thread_started(event, client):
        """The legacy assistant pane (assistant_view): a person opened a new thread."""
        thread = event.get("assistant_thread") or {}
        if thread.get("channel_id") and thread.get("thread_ts"):
            greet(client, thread["channel_id"], thread["thread_ts"], prompts)

    @app.event("assistant_thread_context_changed")
    def on_context_changed():
        """The legacy pane moved to another channel: answers do not depend on it."""

    @app.command(slack.command)
    def on_command(ack, command, respond):
        ack()
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        try:
            answer, seconds = answerer.answer(command.get("text", ""), [])
            answer_id = store.record_answer(answer, [], channel, user, answer_id=new_answer_id())
            log_answer(answer_id, answer, user, channel, seconds)
            # sharing re-posts the stored answer, so without stored text there is nothing to share
            blocks, text = answer_blocks(answer, answer_id, share=store.keep_text)
            respond(response_type="ephemeral", blocks=blocks, text=text)
        except Exception:
            if metrics is not None:
                metrics.failed.inc()
            respond(response_type="ephemeral", text=wording.went_wrong(failure("/pd", user)))

    @app.action(SHARE)
    def on_share(ack, body, action, client, respond):
        ack()
        record = store.answer(action["value"])
        if record is None:
            respond(response_type="ephemeral", replace_original=False,
                    text=wording.SHARE_EXPIRED)
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

    @app.error
    def on_error(error, body):
        """Anything a listener raised that it did not handle itself: logged with a ref."""
        event = body.get("event") or {}
        failure(event.get("type") or body.get("type") or "request",
                event.get("user") or (body.get("user") or {}).get("id", ""), error)

    if owners is not None:
        owners.register(app)
    return app


def greet(client, channel: str, thread_ts: str | None, prompts) -> None:
    """Suggested prompts for a conversation, and the greeting: in the legacy pane on every new
    thread, in the agent view's Messages tab once (when the conversation is still empty)."""
    try:
        client.assistant_threads_setSuggestedPrompts(channel_id=channel, thread_ts=thread_ts,
                                                     title=wording.PROMPTS_TITLE,
                                                     prompts=list(prompts))
        if thread_ts is None and client.conversations_history(channel=channel,
                                                              limit=1).get("messages"):
            return
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=wording.GREETING)
    except Exception as exc:
        failure("greeting", "", exc)


def failure(what: str, user: str, error: BaseException | None = None) -> str:
    """Log a failure with its traceback and a short ref (said to the person); returns the ref."""
    ref = new_ref()
    log.error("%s for %s failed (ref %s)", what, user or "?", ref,
              exc_info=error if error is not None else True,
              extra={"event": "failed", "ref": ref, "user": user})
    return ref

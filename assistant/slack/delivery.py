"""A question taken is a question replied to: read its thread, answer it in that thread (posted
at once, or streamed when a model writes it), record the answer and cross the question off.

Every question the bot takes ends in a reply: the answer, a refusal with its reason, or the one
line "Something went wrong on my side (ref N)", where N finds the traceback in the log. An
untagged thread message that turns out not to be for the bot (assistant/slack/etiquette.py), or
an owner's command, is not a question taken.

Questions come in pending (assistant/slack/pending.py). One left pending by a process that
stopped is answered after a restart with a line saying sorry for the delay, unless it is older
than SLACK_RECOVER_MINUTES (then one line asks the person to ask again), and unless its answer
was posted before the crash: every answer carries message metadata naming its event, and the
thread is checked for it first, so a crash between posting and marking posts nothing twice. A
streamed reply cut short by the crash is replaced by the answer, not followed by a second one
(its message is noted as pending the moment the stream begins).
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from assistant.answer.query import Turn
from assistant.slack import wording
from assistant.slack.answering import Answerer, history_dicts, log_answer, new_answer_id
from assistant.slack.blocks import answer_blocks, closing_blocks
from assistant.slack.etiquette import is_follow_up
from assistant.slack.pending import LEASE_SECONDS, PendingQuestions
from assistant.slack.pending_store import StorePendingQuestions
from assistant.slack.questions import Question
from assistant.slack.recovery import process_owner
from assistant.slack.streaming import StreamedReply
from assistant.slack.threads import answer_metadata, posted_answer, read_thread, turns

log = logging.getLogger(__name__)
ANSWER_THREADS = 4  # questions answered at once (the engine quotes one at a time; Slack calls
                    # and model calls overlap)
MAX_ATTEMPTS = 5  # a question taken up this many times without a reply is given up (logged)
RETRY_SECONDS = 60.0  # a question that could not be replied to is tried again after this


def new_ref() -> str:
    """A short reference that ties a "something went wrong" reply to its log record."""
    return secrets.token_hex(4)


class Deliverer:
    """Answers questions in their threads with `answerer`, recording each in `store` and
    crossing it off in `pending` (default: the pending questions kept in `store`)."""

    def __init__(self, answerer: Answerer, store, owners=None, metrics=None,
                 pending: PendingQuestions | None = None, recover_minutes: int = 60):
        self.answerer = answerer
        self.store = store  # the FeedbackStore
        self.owners = owners  # OwnerWorkflow: an owner's `usage` DM is a command, not a question
        self.client_for = None  # team id -> (client, bot user id); set with many workspaces
        self.metrics = metrics
        self.pending = pending or StorePendingQuestions(store)
        self.recover_seconds = recover_minutes * 60
        self.owner = process_owner()  # who holds the leases of the questions this process takes
        self.recovered = threading.Event()  # unset while questions from before a restart wait
        self.recovered.set()
        self._pool = ThreadPoolExecutor(max_workers=ANSWER_THREADS,
                                        thread_name_prefix="pdbot-answer")

    def accept(self, q: Question) -> bool:
        """Write a question down before Slack gets its acknowledgement; False for a retry."""
        return self.pending.accept(q, self.owner, LEASE_SECONDS)

    def submit(self, q: Question, client, bot_user_id: str) -> Future:
        """Answer `q` on the answering threads, not Bolt's: a long answer or a publish holding
        the engine never keeps Bolt from acknowledging a button or a command in time. Questions
        left from before a restart go first."""
        def after_recovered() -> str:
            self.recovered.wait()
            return self.deliver(q, client, bot_user_id)

        return self._pool.submit(after_recovered)

    def recover(self, questions: list[Question], client, bot_user_id: str,
                first: bool = False) -> None:
        """Answer questions left pending by a process that stopped; `first`: before any new
        question (at start-up)."""
        if not questions:
            return
        if first:
            self.recovered.clear()
        left = [len(questions)]
        lock = threading.Lock()
        started = time.monotonic()

        def one(q: Question) -> None:
            try:
                self.deliver(q, client, bot_user_id)
            finally:
                with lock:
                    left[0] -= 1
                    if left[0] == 0:
                        self.recovered.set()
                        log.info("finished the %d questions left pending in %.1f s",
                                 len(questions), time.monotonic() - started,
                                 extra={"event": "recovered", "count": len(questions)})

        for q in questions:
            self._pool.submit(one, q)

    def drain(self) -> None:
        """Finish every question submitted (a graceful stop), then stop the threads."""
        self.recovered.set()
        self._pool.shutdown(wait=True)

    def deliver(self, q: Question, client, bot_user_id: str) -> str:
        """Reply to `q` whatever happens; the outcome: answered, refused, skipped, expired or
        failed. `client` None: the team's own (`client_for`, many workspaces)."""
        if client is None and self.client_for is not None:
            client, bot_user_id = self.client_for(q.team)
            if client is None:  # the team uninstalled the app: nobody to answer
                self.pending.finish(q, "failed")
                return "failed"
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
            if self.say(client, q, wording.went_wrong(ref)) or q.attempts >= MAX_ATTEMPTS:
                self.pending.finish(q, "failed")
            else:  # Slack cannot be reached even for one line: try again later
                self.pending.release(q, RETRY_SECONDS)
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
        if q.attempts > MAX_ATTEMPTS:  # it took a process down each time: give it up
            raise RuntimeError(f"given up after {q.attempts - 1} attempts")
        thread = read_thread(client, q.channel, q.thread_ts, metadata=q.recovered) \
            if q.in_thread or q.recovered else []
        if q.kind == "reply" and not is_follow_up(q.user, q.text, thread, bot_user_id):
            self.pending.finish(q, "skipped")
            return "skipped"
        if q.kind == "dm" and self.owners is not None and self.owners.on_text(
                {"channel": q.channel, "user": q.user, "text": q.text, "team": q.team}, client):
            self.pending.finish(q, "skipped")
            return "skipped"
        history = turns([m for m in thread if m.get("ts") != q.reply_ts], q.ts,
                        bot_user_id)  # a reply a crash cut short is not an earlier turn
        if q.recovered:
            outcome = self._recovered(q, client, thread, history)
            if outcome:
                return outcome
        if q.kind == "dm":
            self._title(client, q, thread, history)
        self._status(client, q)
        answer_id = new_answer_id()
        metadata = answer_metadata(q.event_id, answer_id)
        stream = None
        if self.answerer.streams and not q.recovered:
            stream = StreamedReply(client, q.channel, q.thread_ts, q.team, q.user,
                                   on_start=lambda ts: self._replying(q, ts))
        answer, seconds = self.answerer.answer(q.question, history,
                                               stream.on_text if stream else None)
        lead = wording.SORRY_FOR_THE_DELAY if q.recovered else ""
        blocks, text = answer_blocks(answer, answer_id, lead=lead)
        posted = stream.finish(answer, closing_blocks(answer, answer_id), blocks, text,
                               metadata) if stream else None
        if posted is None:
            self._post(client, q, blocks, text, metadata)
        self._record(q, answer, answer_id, history)
        log_answer(answer_id, answer, q.user, q.channel, seconds)
        if q.recovered and self.metrics is not None:
            self.metrics.recovered.inc()
        return "answered" if answer.answered else "refused"

    def _recovered(self, q: Question, client, thread: list[dict], history: list[Turn]) -> str:
        """For a question left from before a restart: "answered" when its answer is already in
        the thread (recorded now, not posted again), "expired" when it is too old (one line
        asks to ask again), "" to answer it now."""
        answer_id = posted_answer(thread, q.event_id)
        if answer_id is not None:  # posted, then the process died before marking it
            try:  # the answer again (not posted), for the record its buttons refer to
                answer, _ = self.answerer.answer(q.question, history)
                self._record(q, answer, answer_id or new_answer_id(), history)
            except Exception:
                log.exception("event %s: answer found in its thread but not recorded", q.event_id)
                self.pending.finish(q, "answered")
            log.info("event %s was answered before the restart; marked, not posted again",
                     q.event_id, extra={"event": "recovered_posted", "event_id": q.event_id})
            if self.metrics is not None:
                self.metrics.recovered.inc()
            return "answered"
        if time.time() - q.created <= self.recover_seconds:
            return ""
        self.say(client, q, wording.ask_again(self.recover_seconds // 60))
        self.pending.finish(q, "expired")
        log.info("event %s from %s expired (%.0f min old)", q.event_id, q.user,
                 (time.time() - q.created) / 60, extra={"event": "expired", "user": q.user,
                                                        "event_id": q.event_id})
        if self.metrics is not None:
            self.metrics.expired.inc()
        return "expired"

    def _post(self, client, q: Question, blocks: list[dict], text: str, metadata: dict) -> None:
        """Post the answer in the question's thread; when a crash cut its streamed reply short,
        replace that message instead (ended first, if Slack still has it streaming)."""
        if q.reply_ts:
            try:
                client.chat_stopStream(channel=q.channel, ts=q.reply_ts)
            except Exception as exc:  # expired long ago, as a rule: nothing to end
                log.debug("stream %s already ended: %s", q.reply_ts, exc)
            try:
                client.chat_update(channel=q.channel, ts=q.reply_ts, blocks=blocks, text=text,
                                   metadata=metadata)
                return
            except Exception as exc:  # deleted meanwhile: the answer is posted after all
                log.warning("event %s: could not replace its cut-short reply (%s); posting",
                            q.event_id, exc)
        client.chat_postMessage(channel=q.channel, thread_ts=q.thread_ts, blocks=blocks,
                                text=text, metadata=metadata)

    def _replying(self, q: Question, ts: str) -> None:
        """Note the message a streamed reply began in (found again after a crash)."""
        try:
            self.pending.replying(q, ts)
        except Exception:  # the stream goes on; only a crash before its end would repeat it
            log.exception("event %s: could not note its streamed reply", q.event_id)

    def _record(self, q: Question, answer, answer_id: str, history: list[Turn]) -> None:
        """Record a posted answer and mark its question answered (one transaction). Should that
        fail, the question is given back: the next sweep finds the answer in its thread by its
        metadata and marks it then, without posting again."""
        try:
            self.pending.answered(q, answer, answer_id, history_dicts(history))
        except Exception:
            log.exception("answer %s to event %s posted but not recorded; marked later",
                          answer_id, q.event_id)
            try:
                self.pending.release(q, RETRY_SECONDS)
            except Exception:
                log.exception("event %s left to its lease", q.event_id)

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

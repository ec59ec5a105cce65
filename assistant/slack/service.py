"""`pdbot slack` from start to stop: every check first, then the engine warmed up, then serving.

Nothing half-starts: the data directory, the Chroma server and Slack (tokens, scopes) are checked,
the model and index load and answer one question, questions a stopped process left pending are
taken over (answered before any new one), and expired data is purged, all before the HTTP port
opens or Socket Mode connects. A daily purge, and lease renewal with take-overs of stopped
processes' questions, run until the server stops; a stop (SIGTERM) first answers every question
already acknowledged.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from typing import Callable

from assistant.slack.config import SlackSettings
from knowledge.settings import Settings

log = logging.getLogger(__name__)
WARM_UP_QUESTION = "What should an HLTA do next?"
CHECK_TIMEOUT = 10  # seconds for each start-up call to Slack


def run_slack(settings: Settings, slack: SlackSettings, load_answerer: Callable[[], object],
              host: str, port: int | None, make_owners: Callable | None = None) -> int:
    """Check, load, warm up, then serve until SIGTERM or Ctrl-C (HTTP mode on host:port;
    Socket Mode with health and metrics on host:port when a port is given)."""
    from assistant.metrics import Metrics
    from assistant.slack.app import build_app
    from assistant.slack.feedback import FeedbackStore
    from assistant.slack.pending_sqlite import SqlitePendingQuestions
    from assistant.slack.recovery import Recovery
    from assistant.slack.retention import DailyPurge, purge_expired
    from assistant.slack.startup import check_slack, manifest_scopes
    from knowledge.data_dir import require_writable
    from knowledge.domain import load_domain

    require_writable(settings.data_dir)
    if settings.chroma_url:
        from knowledge.vector_store import check_server

        check_server(settings.chroma_url)
    identity = check_slack(_startup_client(slack), manifest_scopes(), slack.app_token)
    answerer = load_answerer()
    seconds = warm_up(answerer)
    store = FeedbackStore(settings.data_dir / "feedback.sqlite3",
                          keep_text=settings.store_questions)
    pending = SqlitePendingQuestions(store)
    metrics = Metrics(llm_fallbacks=lambda: getattr(answerer, "counts", {}).get("fallback", 0),
                      pending=pending.count)
    owners = make_owners(answerer, store) if make_owners is not None else None
    app = build_app(answerer, store, slack, prompts=load_domain(settings.domain_dir).prompts,
                    owners=owners, metrics=metrics, pending=pending)
    recovery = Recovery(app.deliverer, app.client, identity["user_id"])
    left = recovery.start()  # before the purge, so an old question still gets its one line
    log.info("ready: Slack accepted the bot @%s (%s) in %s; warm-up answer in %.1f s; %s",
             identity["user"], identity["user_id"], identity["team"], seconds,
             left_pending(left, slack.recover_minutes),
             extra={"event": "ready", "bot_user_id": identity["user_id"],
                    "team_id": identity["team_id"], "latency_ms": round(seconds * 1000, 1),
                    "recovered": left["recovering"], "expired": left["expiring"]})
    purge_expired(store, settings.retention_days)
    ready = threading.Event()
    ready.set()  # everything above succeeded: /healthz answers 200 from the first request
    purge = DailyPurge(store, settings.retention_days).start()
    _stop_on_sigterm()
    try:
        _serve(app, slack, host, port, ready, metrics)
    except KeyboardInterrupt:
        pass  # Ctrl-C or SIGTERM: a normal stop
    finally:
        ready.clear()
        recovery.stop()
        app.deliverer.drain()  # questions already acknowledged are answered before exit
        purge.stop()
        log.info("stopped", extra={"event": "stop"})
    return 0


def left_pending(counts: dict[str, int], minutes: int) -> str:
    """The start-up line's account of questions a stopped process left unanswered."""
    recovering, expiring = counts["recovering"], counts["expiring"]
    if not recovering and not expiring:
        return "no questions were left pending"
    said = f"{recovering} question{' was' if recovering == 1 else 's were'} left pending, " \
           f"answered first"
    if expiring:
        said += f", {expiring} older than {minutes} min get a line asking to ask again"
    return said


def warm_up(answerer) -> float:
    """Answer one question with the extractive engine (loads the model, the index and the
    classifiers), so the first staff question is as fast as any; returns the seconds it took."""
    started = time.perf_counter()
    getattr(answerer, "engine", answerer).answer(WARM_UP_QUESTION)
    return time.perf_counter() - started


def _startup_client(slack: SlackSettings):
    """A Web API client for the start-up checks: a short time-out, no retries, and its own
    logger, quiet below DEBUG (a failure is reported once, as the start-up error)."""
    from slack_sdk import WebClient

    quiet = logging.getLogger(f"{__name__}.web")
    quiet.setLevel(logging.DEBUG if log.isEnabledFor(logging.DEBUG) else logging.CRITICAL)
    return WebClient(token=slack.bot_token, base_url=slack.api_url, timeout=CHECK_TIMEOUT,
                     retry_handlers=[], logger=quiet)


def _serve(app, slack: SlackSettings, host: str, port: int | None, ready, metrics) -> None:
    from assistant.slack.server import serve_http, serve_socket_mode, start_http

    if not slack.socket_mode:
        serve_http(app, host, port, signing_secret=slack.signing_secret, ready=ready,
                   metrics=metrics)
        return
    ops = None
    if port is not None:  # health and metrics for the supervisor; no Slack requests come here
        ops = start_http(None, host, port, ready=ready, metrics=metrics)
        log.info("health and metrics on http://%s:%s/healthz and /metrics", host, port)
    log.info("connecting to Slack in Socket Mode", extra={"event": "serving"})
    try:
        serve_socket_mode(app, slack.app_token)
    finally:
        if ops is not None:
            ops.close()


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd's stop) ends serving as Ctrl-C does: cleanly, exit code 0."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt

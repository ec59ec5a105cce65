"""Serving the Bolt app: HTTP (waitress) behind a balancer, or Socket Mode; /healthz and /metrics.

Every request to /slack/events passes a gate before Bolt sees it: a body over 1 MB is refused
while it is read (413), the signature and timestamp are checked on the raw bytes (401), and only
then is the body parsed (400 when it does not parse). Each refusal is one log line, no traceback.
With many workspaces (OAuth), `GET /slack/install` and `GET /slack/oauth_redirect` go to Bolt's
OAuth flow, which checks its one-time state itself.
"""
from __future__ import annotations

import hmac
import io
import json
import logging
import threading
import time
from urllib.parse import parse_qsl

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_BODY = 1024 * 1024  # bytes; Slack's own payloads are a few KB
MAX_AGE = 300  # seconds a signed request stays valid (Slack's rule)


class Refused(Exception):
    """A request the gate turns away: its HTTP status and the reason for the log."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def read_body(environ) -> bytes:
    """The request body, refused (413) past MAX_BODY by its Content-Length or as it is read."""
    try:
        declared = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "bad Content-Length") from None
    if declared > MAX_BODY:
        raise Refused(413, f"body of {declared} bytes declared")
    body = environ["wsgi.input"].read(min(declared, MAX_BODY + 1) if declared else MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise Refused(413, "body over 1 MB")
    return body


def verify(secret: str, body: bytes, timestamp: str | None, signature: str | None,
           now: float | None = None) -> None:
    """Refused (401) unless `signature` is Slack's v0 HMAC of `body` with `secret`, made within
    MAX_AGE seconds; checked on the raw bytes, before anything parses them (slack_sdk's
    SignatureVerifier decodes the body as UTF-8 first, which a forged binary body breaks)."""
    if not timestamp or not signature:
        raise Refused(401, "unsigned")
    if not timestamp.isdigit():
        raise Refused(401, "malformed timestamp")
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE:
        raise Refused(401, "stale timestamp")
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, "sha256").hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise Refused(401, "bad signature")


def check_parses(body: bytes, content_type: str) -> None:
    """Refused (400) unless the body parses the way Bolt will parse it (a JSON object, a form,
    or a form whose `payload` is a JSON object)."""
    try:
        text = body.decode("utf-8")
        if content_type == "application/json" or text.startswith("{"):
            parsed = json.loads(text) if text else {}
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            parsed = json.loads(form["payload"]) if "payload" in form else form
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise Refused(400, "body does not parse") from None
    if not isinstance(parsed, dict):
        raise Refused(400, "body is not an object")


def wsgi_app(app, signing_secret: str | None = None, ready: threading.Event | None = None,
             metrics=None):
    """A WSGI application: Slack requests on /slack/events (through the gate), `GET /healthz`
    (200 once `ready` is set, 503 before) and `GET /metrics` (Prometheus text). `app` None:
    health and metrics only (Socket Mode). The secret defaults to the one Bolt verifies with."""
    handler = None
    oauth_paths: tuple[str, ...] = ()
    if app is not None:
        from slack_bolt.adapter.wsgi import SlackRequestHandler

        handler = SlackRequestHandler(app, path=EVENTS_PATH)
        secret = signing_secret if signing_secret is not None else app._signing_secret
        flow = getattr(app, "oauth_flow", None)
        if flow is not None:
            oauth_paths = (flow.install_path, flow.redirect_uri_path)
    if ready is None:
        ready = threading.Event()
        ready.set()

    def refuse(start_response, environ, refused: Refused):
        log.warning("refused %s %s from %s: %s (%d)", environ.get("REQUEST_METHOD"),
                    environ.get("PATH_INFO"), environ.get("REMOTE_ADDR", "?"), refused.reason,
                    refused.status, extra={"event": "http_refused", "status": refused.status})
        if metrics is not None:
            metrics.http_refused.labels(str(refused.status)).inc()
        return _reply(start_response, refused.status, refused.reason.encode())

    def application(environ, start_response):
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _reply(start_response, 200 if ready.is_set() else 503,
                          b"ok" if ready.is_set() else b"starting")
        if path == "/metrics" and method == "GET" and metrics is not None:
            body, content_type = metrics.exposition()
            return _reply(start_response, 200, body, content_type)
        if path in oauth_paths and method == "GET":
            return handler(environ, start_response)
        if path != EVENTS_PATH or handler is None:
            return _reply(start_response, 404, b"not found")
        if method != "POST":
            return _reply(start_response, 405, b"POST only")
        try:
            body = read_body(environ)
            verify(secret, body, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
                   environ.get("HTTP_X_SLACK_SIGNATURE"))
            check_parses(body, environ.get("CONTENT_TYPE") or "")
        except Refused as refused:
            return refuse(start_response, environ, refused)
        environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        return handler(environ, start_response)

    return application


def _reply(start_response, status: int, body: bytes, content_type: str = "text/plain"):
    from http import HTTPStatus

    start_response(f"{status} {HTTPStatus(status).phrase}",
                   [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def create_http(app, host: str = "127.0.0.1", port: int = 0, threads: int = 8, *,
                signing_secret: str | None = None, ready: threading.Event | None = None,
                metrics=None):
    """A waitress server bound to host:port (the port opens here), not yet running. Requests
    waitress itself refuses (malformed HTTP, a body past MAX_BODY) are logged and counted too."""
    from waitress.channel import HTTPChannel
    from waitress.server import create_server
    from waitress.task import ErrorTask

    class CountedErrorTask(ErrorTask):
        def execute(self):
            # logged and counted before the reply goes out, so whoever sees the reply sees them
            status = self.request.error.to_response(self.channel.server.adj.ident)[0]
            log.warning("refused a request from %s: %s", self.channel.addr[0], status,
                        extra={"event": "http_refused", "status": status[:3]})
            if metrics is not None:
                metrics.http_refused.labels(status[:3]).inc()
            super().execute()

    class Channel(HTTPChannel):
        error_task_class = CountedErrorTask

    server = create_server(wsgi_app(app, signing_secret, ready, metrics), host=host, port=port,
                           threads=threads, max_request_body_size=MAX_BODY + 1,
                           ident="pdbot")  # waitress refuses from the limit on
    server.channel_class = Channel
    return server


def start_http(app, host: str = "127.0.0.1", port: int = 0, threads: int = 8, **options):
    """Start serving in a background thread; returns the server (`.effective_port`, `.close()`).
    `options`: signing_secret, ready, metrics (see create_http)."""
    server = create_http(app, host, port, threads, **options)
    closed = threading.Event()
    close = server.close

    def close_server() -> None:
        closed.set()
        close()

    def run() -> None:
        try:
            server.run()
        except OSError:  # close() pulled the socket from under the loop's select()
            if not closed.is_set():
                raise

    server.close = close_server
    threading.Thread(target=run, name="pdbot-http", daemon=True).start()
    return server


def serve_http(app, host: str, port: int, threads: int = 8, **options) -> None:
    """Open the port and serve until interrupted (KeyboardInterrupt), then close it."""
    server = create_http(app, host, port, threads, **options)
    log.info("serving Slack requests on http://%s:%s%s (and GET /healthz, /metrics)", host,
             server.effective_port, EVENTS_PATH, extra={"event": "serving",
                                                        "port": int(server.effective_port)})
    try:
        server.run()
    finally:
        server.close()


def serve_socket_mode(app, app_token: str) -> None:
    """Connect to Slack over Socket Mode (no public URL needed) until interrupted."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)
    try:
        handler.start()
    finally:
        handler.close()

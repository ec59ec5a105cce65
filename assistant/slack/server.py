"""Running the Bolt app: Socket Mode, or HTTP (waitress + Bolt's WSGI adapter) behind a balancer."""
from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def wsgi_app(app):
    """A WSGI application: Slack requests on /slack/events, `GET /healthz` for load balancers."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    handler = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        return handler(environ, start_response)

    return application


def start_http(app, host: str = "127.0.0.1", port: int = 0, threads: int = 8):
    """Start serving in a background thread; returns the server (`.effective_port`, `.close()`)."""
    from waitress.server import create_server

    server = create_server(wsgi_app(app), host=host, port=port, threads=threads)
    thread = threading.Thread(target=server.run, name="pdbot-http", daemon=True)
    thread.start()
    return server


def serve_http(app, host: str, port: int, threads: int = 8) -> None:
    """Serve until interrupted."""
    from waitress import serve

    log.info("serving Slack requests on http://%s:%s%s", host, port, EVENTS_PATH)
    serve(wsgi_app(app), host=host, port=port, threads=threads)


def serve_socket_mode(app, app_token: str) -> None:
    """Connect to Slack over Socket Mode (no public URL needed) until interrupted."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()

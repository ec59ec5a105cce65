"""Start-up checks against Slack before anything serves: reachable, tokens accepted, scopes granted.

Each failure is a SlackStartupError whose one line names the cause and the fix; the messages are
the functions at the end of this module.
"""
from __future__ import annotations

from pathlib import Path

from assistant.errors import SlackStartupError
from knowledge.errors import network_reason

MANIFEST = Path(__file__).with_name("manifest.yaml")
DEFAULT_API_URL = "https://slack.com/api/"
REJECTED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
            "not_allowed_token_type", "invalid_token", "no_permission"}


def manifest_scopes(path: Path = MANIFEST) -> frozenset[str]:
    """The bot scopes the app's manifest asks for."""
    import yaml

    manifest = yaml.safe_load(path.read_text())
    return frozenset(manifest["oauth_config"]["scopes"]["bot"])


def check_slack(client, scopes: frozenset[str], app_token: str = "") -> dict:
    """The bot's identity from `auth.test` (user_id, bot_id, team_id, team); SlackStartupError when
    Slack cannot be reached, rejects the bot token, has not granted `scopes`, or (Socket Mode,
    `app_token` set) rejects the app-level token."""
    url = client.base_url
    response = _call("auth.test", url, client.auth_test, bot_token_rejected)
    granted = granted_scopes(response.headers)
    missing = sorted(scopes - granted) if granted else []  # no header: nothing to compare
    if missing:
        raise SlackStartupError(scopes_missing(missing))
    if app_token:
        _call("apps.connections.open", url,
              lambda: client.apps_connections_open(app_token=app_token), app_token_rejected)
    data = response.data if isinstance(response.data, dict) else {}
    return {key: data.get(key, "") for key in ("user_id", "bot_id", "team_id", "team", "user")}


def granted_scopes(headers) -> frozenset[str]:
    """The scopes in an `x-oauth-scopes` response header (any case); empty when it is absent."""
    for key, value in (headers or {}).items():
        if key.lower() == "x-oauth-scopes":
            text = value if isinstance(value, str) else ",".join(value)
            return frozenset(s.strip() for s in text.split(",") if s.strip())
    return frozenset()


def _call(method: str, url: str, call, rejected):
    """Run one Web API call; a rejected token (`rejected(error)` words it), a network failure or
    an answer that is not Slack's becomes SlackStartupError."""
    from slack_sdk.errors import SlackApiError, SlackRequestError

    try:
        return call()
    except SlackApiError as exc:
        error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
        if error in REJECTED:
            raise SlackStartupError(rejected(error)) from exc
        if not error or error.startswith("Received a response in a non-JSON format"):
            raise SlackStartupError(not_slack(url, f"HTTP {exc.response.status_code}, not "
                                                   "JSON")) from exc
        raise SlackStartupError(call_failed(method, error)) from exc
    except (OSError, SlackRequestError) as exc:  # refused, timed out, DNS, TLS, proxy
        raise SlackStartupError(unreachable(url, network_reason(exc))) from exc
    except ValueError as exc:  # an answer that is not JSON: a proxy's or captive portal's page
        raise SlackStartupError(not_slack(url, "not JSON")) from exc


def unreachable(url: str, reason: str) -> str:
    from urllib.parse import urlparse

    where = "" if url == DEFAULT_API_URL else " (SLACK_API_URL)"
    return (f"Cannot reach Slack at {url}{where}: {reason}. Allow outbound HTTPS from this "
            f"server to {urlparse(url).hostname}, or set HTTPS_PROXY=http://proxy-host:port if "
            f"the school's traffic goes through a proxy.")


def not_slack(url: str, reason: str) -> str:
    return (f"{url} does not answer like Slack's Web API ({reason}): a proxy or firewall may be "
            f"answering instead; check HTTPS_PROXY and SLACK_API_URL.")


def bot_token_rejected(error: str) -> str:
    why = {"account_inactive": "the app was uninstalled or its bot deactivated",
           "token_revoked": "the token was revoked, or the app uninstalled or reinstalled",
           "token_expired": "the token expired, as token rotation is on (turn it off)"}.get(
        error, "the token is wrong, or belongs to another app or workspace")
    return (f"Slack rejected SLACK_BOT_TOKEN with {error}: {why}. Reinstall the app to the "
            f"workspace and copy OAuth & Permissions → Bot User OAuth Token (xoxb-…) again.")


def scopes_missing(missing: list[str]) -> str:
    return (f"The Slack app lacks the scope{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} that assistant/slack/manifest.yaml asks for: add "
            f"{'them' if len(missing) > 1 else 'it'} under OAuth & Permissions → Bot Token "
            f"Scopes (or paste the manifest again), then reinstall the app to the workspace.")


def app_token_rejected(error: str) -> str:
    return (f"Slack rejected SLACK_APP_TOKEN with {error}: create an app-level token with the "
            f"connections:write scope under Basic Information → App-Level Tokens, turn on "
            f"Socket Mode, and set SLACK_APP_TOKEN to it (xapp-…); or unset it for HTTP mode.")


def call_failed(method: str, error: str) -> str:
    return f"Slack answered {method} with the error {error!r}; pdbot cannot start."

"""Slack settings from SLACK_* variables, checked once at start-up with errors that name the variable."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Mapping

from knowledge.errors import PdbotError

DEFAULT_API_URL = "https://slack.com/api/"


class SlackConfigError(PdbotError):
    """A Slack setting is missing or malformed."""


@dataclass(frozen=True)
class SlackSettings:
    """Tokens, where the Web API is, and where the bot may answer."""

    bot_token: str
    signing_secret: str = ""
    app_token: str = ""  # set: Socket Mode; empty: HTTP mode
    api_url: str = DEFAULT_API_URL
    allowed_channels: frozenset[str] = field(default_factory=frozenset)
    command: str = "/pd"
    owners: frozenset[str] = field(default_factory=frozenset)  # user ids who may update documents
    followups: bool = True  # answer the asker's untagged questions in a thread the bot answered
    recover_minutes: int = 60  # after a restart, answer questions left pending up to this old

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def may_answer_in(self, channel: str) -> bool:
        """True for DMs, and for channels SLACK_ALLOWED_CHANNELS lists (all when unset)."""
        return not self.allowed_channels or channel in self.allowed_channels or \
            channel.startswith("D")

    def __repr__(self) -> str:  # never show tokens, even in a traceback
        return (f"SlackSettings(socket_mode={self.socket_mode}, api_url={self.api_url!r}, "
                f"allowed_channels={sorted(self.allowed_channels)!r}, command={self.command!r})")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "SlackSettings":
        """Read and check SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET / SLACK_APP_TOKEN, SLACK_API_URL,
        SLACK_ALLOWED_CHANNELS, SLACK_COMMAND, SLACK_OWNERS, SLACK_THREAD_FOLLOWUPS and
        SLACK_RECOVER_MINUTES."""
        env = os.environ if env is None else env
        bot_token = _token(env, "SLACK_BOT_TOKEN", "xoxb-", required=True)
        app_token = _token(env, "SLACK_APP_TOKEN", "xapp-", required=False)
        secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        if not app_token and not secret:
            raise SlackConfigError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify requests from "
                "Slack (or set SLACK_APP_TOKEN to use Socket Mode).")
        if secret and not re.fullmatch(r"[0-9a-f]{16,}", secret):
            raise SlackConfigError("SLACK_SIGNING_SECRET looks malformed: it should be the hex "
                                   "string from the app's Basic Information page.")
        api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
        if not re.match(r"https?://", api_url):
            raise SlackConfigError("SLACK_API_URL must start with http:// or https://.")
        channels = frozenset(c.strip() for c in env.get("SLACK_ALLOWED_CHANNELS", "").split(",")
                             if c.strip())
        command = env.get("SLACK_COMMAND", "/pd").strip() or "/pd"
        owners = frozenset(u.strip() for u in env.get("SLACK_OWNERS", "").split(",") if u.strip())
        bad = [u for u in owners if not re.fullmatch(r"[UW][A-Z0-9]{2,}", u)]
        if bad:
            raise SlackConfigError(f"SLACK_OWNERS must list Slack user ids like U0123ABCD, not "
                                   f"{', '.join(sorted(bad))}.")
        return cls(bot_token=bot_token, signing_secret=secret, app_token=app_token,
                   api_url=api_url if api_url.endswith("/") else api_url + "/",
                   allowed_channels=channels, command=command, owners=owners,
                   followups=_yes_no(env, "SLACK_THREAD_FOLLOWUPS", True),
                   recover_minutes=_minutes(env, "SLACK_RECOVER_MINUTES", 60))


def _token(env: Mapping[str, str], name: str, prefix: str, required: bool) -> str:
    value = env.get(name, "").strip()
    if not value:
        if required:
            raise SlackConfigError(f"{name} is not set: copy the token starting with "
                                   f"'{prefix}' from the Slack app's settings.")
        return ""
    if not value.startswith(prefix) or len(value) < len(prefix) + 8 or " " in value:
        raise SlackConfigError(f"{name} looks malformed: it should start with '{prefix}'.")
    return value


def _yes_no(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SlackConfigError(f"{name} must be 1 or 0, not {raw!r}.")


def _minutes(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SlackConfigError(f"{name} must be a positive whole number of minutes, not {raw!r}.")
    return int(raw)

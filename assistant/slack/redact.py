"""A logging filter that masks Slack tokens and signing secrets wherever they appear in a record."""
from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\b(xox[abposer]|xapp)-[A-Za-z0-9-]+")


def redact(text: str) -> str:
    """The text with every Slack token replaced by its prefix and '…'."""
    return _TOKEN.sub(lambda m: f"{m.group(1)}-…", text)


class RedactTokens(logging.Filter):
    """Rewrites each record's message with tokens masked (arguments are formatted first)."""

    def __init__(self, secrets: tuple[str, ...] = ()):
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        for secret in self._secrets:
            message = message.replace(secret, "…")
        record.msg, record.args = message, None
        return True


def install(secrets: tuple[str, ...] = ()) -> None:
    """Attach the filter to every handler of the root logger."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig()
    for handler in root.handlers:
        handler.addFilter(RedactTokens(secrets))

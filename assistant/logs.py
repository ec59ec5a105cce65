"""Logging set-up for the command line: plain lines, or one JSON object per line for collectors.

Only the CLI calls `configure`. Ids and timings travel as `extra={...}` on a record; the JSON
format writes them as fields next to time, level, logger and message.
"""
from __future__ import annotations

import json
import logging
import sys
import time

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
NOISY = ("chromadb", "sentence_transformers", "httpx", "alembic")
# attributes every LogRecord has; anything else on a record came in through `extra`
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the record's extras, and the
    traceback as `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) \
                    else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a record comes (as logging's last resort does),
    so a stream swapped by a test runner and closed afterwards is never written to."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def configure(level: str, fmt: str = "text", verbose: bool = False) -> None:
    """Send records at `level` and above to stderr, as text lines or JSON lines (replacing an
    earlier call's handler, leaving others alone); third-party libraries that chatter stay at
    WARNING unless `verbose`."""
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)

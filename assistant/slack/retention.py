"""Stored staff data expires: answers and votes after the retention period, event ids after a day.

`pdbot slack` purges once at start and then daily on a thread of its own, stopped with the server.
"""
from __future__ import annotations

import logging
import threading

from assistant.slack.feedback import DAY, FeedbackStore

log = logging.getLogger(__name__)


def purge_expired(store: FeedbackStore, retention_days: int, teams=None) -> dict[str, int]:
    """Delete what is past its time now (a team with its own period in `teams`, an
    assistant.slack.teams.Teams, by that); logs the counts (never any content)."""
    deleted = store.purge(retention_days, team_days=teams.retention() if teams else None)
    log.info("retention: deleted %d answers, %d votes, %d event ids older than their limit",
             deleted["answers"], deleted["votes"], deleted["events"],
             extra={"event": "retention", "retention_days": retention_days, **deleted})
    return deleted


class DailyPurge:
    """Purges every `interval` seconds (a day) on a daemon thread until `stop()`."""

    def __init__(self, store: FeedbackStore, retention_days: int, interval: float = DAY,
                 teams=None):
        self.store, self.retention_days, self.interval = store, retention_days, interval
        self.teams = teams
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pdbot-retention", daemon=True)

    def start(self) -> "DailyPurge":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                purge_expired(self.store, self.retention_days, self.teams)
            except Exception:  # a locked or damaged store must not stop the bot; tried again
                log.exception("retention: purge failed; trying again in %.0f s", self.interval)

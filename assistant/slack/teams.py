"""Each Slack team's own owners, allowed channels and retention period (many workspaces).

Kept in the store's `teams` table, so every replica sees the same; `pdbot team set` writes it.
What a team leaves unset comes from SLACK_OWNERS, SLACK_ALLOWED_CHANNELS and
PDBOT_RETENTION_DAYS. Reads are cached for a few seconds (a change is live within that).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class TeamSettings:
    """One team's own settings; empty or None: the global setting applies."""

    team_id: str
    owners: frozenset[str] = frozenset()
    allowed_channels: frozenset[str] = frozenset()
    retention_days: int | None = None


class Teams:
    """The `teams` table of a store's engine."""

    def __init__(self, engine, cache_seconds: float = CACHE_SECONDS):
        self.engine = engine
        self.cache_seconds = cache_seconds
        self._cache: tuple[float, dict[str, TeamSettings]] = (0.0, {})
        self._lock = threading.Lock()

    def all(self) -> dict[str, TeamSettings]:
        """Every team with settings of its own, by team id."""
        with self._lock:
            at, teams = self._cache
            if time.monotonic() - at < self.cache_seconds:
                return teams
        from sqlalchemy import select

        from assistant.store.tables import teams as table

        with self.engine.connect() as db:
            rows = db.execute(select(table)).all()
        teams = {r.team_id: TeamSettings(r.team_id, _ids(r.owners), _ids(r.allowed_channels),
                                         r.retention_days) for r in rows}
        with self._lock:
            self._cache = (time.monotonic(), teams)
        return teams

    def get(self, team_id: str) -> TeamSettings | None:
        return self.all().get(team_id or "")

    def set(self, team_id: str, owners: list[str] | None = None,
            channels: list[str] | None = None, retention_days: int | None = None) -> TeamSettings:
        """Change what is given of a team's settings (an empty list clears it); returns them."""
        from assistant.store.database import upsert
        from assistant.store.tables import teams as table

        self._cache = (0.0, {})
        current = self.get(team_id) or TeamSettings(team_id)
        changed = replace(
            current,
            owners=frozenset(owners) if owners is not None else current.owners,
            allowed_channels=frozenset(channels) if channels is not None
            else current.allowed_channels,
            retention_days=retention_days if retention_days is not None
            else current.retention_days)
        with self.engine.begin() as db:
            db.execute(upsert(self.engine, table, dict(
                team_id=team_id, owners=",".join(sorted(changed.owners)),
                allowed_channels=",".join(sorted(changed.allowed_channels)),
                retention_days=changed.retention_days), ["team_id"]))
        self._cache = (0.0, {})
        return changed

    def slack_for(self, slack, team_id: str):
        """`slack` (SlackSettings) with the team's own owners and allowed channels."""
        own = self.get(team_id)
        if own is None:
            return slack
        return replace(slack, owners=own.owners or slack.owners,
                       allowed_channels=own.allowed_channels or slack.allowed_channels)

    def retention(self) -> dict[str, int]:
        """The teams with a retention period of their own, in days."""
        return {t.team_id: t.retention_days for t in self.all().values()
                if t.retention_days is not None}


def _ids(text: str | None) -> frozenset[str]:
    return frozenset(part for part in (text or "").split(",") if part)

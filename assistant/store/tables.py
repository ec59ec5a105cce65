"""The store's tables as the code reads and writes them (the head revision's schema).

Changing a table here needs an Alembic revision in assistant/store/migrations/versions.
"""
from __future__ import annotations

from sqlalchemy import (Column, Double, Integer, LargeBinary, MetaData, Table, Text)

metadata = MetaData()

answers = Table(
    "answers", metadata,
    Column("answer_id", Text, primary_key=True),
    Column("question", Text), Column("history", Text), Column("answer", Text),
    Column("answered", Integer), Column("sections", Text), Column("citations", Text),
    Column("channel", Text), Column("created", Double),
    Column("user", Text, server_default=""), Column("reason", Text, server_default=""),
    Column("vector", LargeBinary),
    Column("team", Text, nullable=False, server_default=""),
)

votes = Table(
    "votes", metadata,
    Column("answer_id", Text, primary_key=True), Column("user", Text, primary_key=True),
    Column("vote", Text), Column("reason", Text), Column("created", Double),
    Column("team", Text, nullable=False, server_default=""),
)

# Slack event ids already handled (a retry is answered once); a question's row is pending
# until answered, with a lease (assistant/slack/pending_store.py).
events = Table(
    "events", metadata,
    Column("event_id", Text, primary_key=True), Column("created", Double),
    Column("status", Text, server_default="done"), Column("kind", Text, server_default=""),
    Column("team", Text, server_default=""), Column("channel", Text, server_default=""),
    Column("thread_ts", Text, server_default=""), Column("ts", Text, server_default=""),
    Column("user", Text, server_default=""), Column("text", Text),
    Column("lease_owner", Text, server_default=""), Column("lease_until", Double, server_default="0"),
    Column("attempts", Integer, server_default="0"), Column("answer_id", Text, server_default=""),
    Column("reply_ts", Text, server_default=""),
)

# Each team's own settings (many workspaces); a column left empty (or NULL) means the
# SLACK_* / PDBOT_* setting applies. Slack's OAuth tables (slack_installations, slack_bots,
# slack_oauth_states) belong to slack_sdk's SQLAlchemy stores.
teams = Table(
    "teams", metadata,
    Column("team_id", Text, primary_key=True),
    Column("owners", Text, nullable=False, server_default=""),
    Column("allowed_channels", Text, nullable=False, server_default=""),
    Column("retention_days", Integer),
)

# The index version live for every replica sharing this database (one row, name 'live'), and
# the published versions' folders as tar.gz archives (assistant/store/live_version.py).
live_version = Table(
    "live_version", metadata,
    Column("name", Text, primary_key=True), Column("version", Text, nullable=False),
    Column("by", Text, nullable=False, server_default=""),
    Column("team", Text, nullable=False, server_default=""),
    Column("event", Text, nullable=False, server_default="publish"),
    Column("at", Double, nullable=False),
)

index_versions = Table(
    "index_versions", metadata,
    Column("version", Text, primary_key=True), Column("archive", LargeBinary, nullable=False),
    Column("created", Double, nullable=False),
)

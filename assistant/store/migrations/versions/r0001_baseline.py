"""Baseline: answers, votes and events as the raw-sqlite3 releases left them.

A store those releases wrote (no alembic_version table) is adopted, not recreated: tables that
exist keep their rows and gain the columns later releases added; missing ones are created.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def tables() -> dict:
    """The three tables' columns, made afresh for each use (a Column belongs to one table)."""
    return {
        "answers": (
            sa.Column("answer_id", sa.Text, primary_key=True), sa.Column("question", sa.Text),
            sa.Column("history", sa.Text), sa.Column("answer", sa.Text),
            sa.Column("answered", sa.Integer), sa.Column("sections", sa.Text),
            sa.Column("citations", sa.Text), sa.Column("channel", sa.Text),
            sa.Column("created", sa.Double), sa.Column("user", sa.Text, server_default=""),
            sa.Column("reason", sa.Text, server_default=""), sa.Column("vector", sa.LargeBinary)),
        "votes": (
            sa.Column("answer_id", sa.Text, primary_key=True),
            sa.Column("user", sa.Text, primary_key=True), sa.Column("vote", sa.Text),
            sa.Column("reason", sa.Text), sa.Column("created", sa.Double)),
        "events": (
            sa.Column("event_id", sa.Text, primary_key=True), sa.Column("created", sa.Double),
            sa.Column("status", sa.Text, server_default="done"),
            sa.Column("kind", sa.Text, server_default=""),
            sa.Column("team", sa.Text, server_default=""),
            sa.Column("channel", sa.Text, server_default=""),
            sa.Column("thread_ts", sa.Text, server_default=""),
            sa.Column("ts", sa.Text, server_default=""),
            sa.Column("user", sa.Text, server_default=""), sa.Column("text", sa.Text),
            sa.Column("lease_owner", sa.Text, server_default=""),
            sa.Column("lease_until", sa.Double, server_default="0"),
            sa.Column("attempts", sa.Integer, server_default="0"),
            sa.Column("answer_id", sa.Text, server_default="")),
    }


INDEXES = (
    ("answers_user", "answers", ["user"]), ("answers_created", "answers", ["created"]),
    ("votes_user", "votes", ["user"]), ("votes_created", "votes", ["created"]),
    ("events_created", "events", ["created"]), ("events_status", "events", ["status", "created"]),
    ("events_user", "events", ["user"]),
)


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    existing = set(inspector.get_table_names())
    for table, columns in tables().items():
        if table not in existing:
            op.create_table(table, *columns)
            continue
        have = {c["name"] for c in inspector.get_columns(table)}
        for column in columns:
            if column.name not in have:
                op.add_column(table, column)
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, if_not_exists=True)


def downgrade() -> None:
    for table in tables():
        op.drop_table(table)

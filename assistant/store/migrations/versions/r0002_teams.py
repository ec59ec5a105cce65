"""Every answer and vote records its Slack team (events already did), for many workspaces.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("answers", "votes"):
        op.add_column(table, sa.Column("team", sa.Text, nullable=False, server_default=""))
    op.create_index("answers_team_user", "answers", ["team", "user"])
    op.create_index("votes_team_user", "votes", ["team", "user"])
    op.create_index("events_team_user", "events", ["team", "user"])


def downgrade() -> None:
    for name, table in (("answers_team_user", "answers"), ("votes_team_user", "votes"),
                        ("events_team_user", "events")):
        op.drop_index(name, table_name=table)
    for table in ("answers", "votes"):
        op.drop_column(table, "team")

"""A pending question notes the message its streamed reply was begun in (`reply_ts`), so an
answer after a crash replaces that message instead of posting a second one.

A store the raw-sqlite3 releases wrote after they added the column already has it (the
baseline adopts it as it is); only stores without it gain it.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("events")}
    if "reply_ts" not in have:
        op.add_column("events", sa.Column("reply_ts", sa.Text, server_default=""))


def downgrade() -> None:
    op.drop_column("events", "reply_ts")

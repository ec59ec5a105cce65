"""Replicas agree on the live index version: a pointer every replica polls, and each published
version's folder (a tar.gz, a few MB; vectors in a Chroma server stay there) for replicas that
do not have it yet.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_version",
        sa.Column("name", sa.Text, primary_key=True),  # one row: 'live'
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=False, server_default=""),
        sa.Column("team", sa.Text, nullable=False, server_default=""),
        sa.Column("event", sa.Text, nullable=False, server_default="publish"),
        sa.Column("at", sa.Double, nullable=False),
    )
    op.create_table(
        "index_versions",
        sa.Column("version", sa.Text, primary_key=True),
        sa.Column("archive", sa.LargeBinary, nullable=False),
        sa.Column("created", sa.Double, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("index_versions")
    op.drop_table("live_version")

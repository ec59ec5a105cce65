"""Many workspaces: Slack's OAuth installations, bots and install states (the tables of
slack_sdk's SQLAlchemy stores, in the same database), and each team's own settings.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def slack_tables(metadata: sa.MetaData) -> list[sa.Table]:
    """slack_installations, slack_bots and slack_oauth_states as slack_sdk defines them."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    store = SQLAlchemyInstallationStore
    return [store.build_installations_table(metadata, store.default_installations_table_name),
            store.build_bots_table(metadata, store.default_bots_table_name),
            SQLAlchemyOAuthStateStore.build_oauth_states_table(
                metadata, SQLAlchemyOAuthStateStore.default_table_name)]


def upgrade() -> None:
    metadata = sa.MetaData()
    tables = slack_tables(metadata)
    metadata.create_all(op.get_bind(), tables=tables)
    op.create_table(
        "teams",
        sa.Column("team_id", sa.Text, primary_key=True),
        sa.Column("owners", sa.Text, nullable=False, server_default=""),
        sa.Column("allowed_channels", sa.Text, nullable=False, server_default=""),
        sa.Column("retention_days", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("teams")
    metadata = sa.MetaData()
    metadata.drop_all(op.get_bind(), tables=slack_tables(metadata))

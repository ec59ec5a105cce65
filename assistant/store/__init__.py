"""The Slack app's database: SQLite in the data directory by default, PostgreSQL when
PDBOT_DATABASE_URL is set, reached through SQLAlchemy and migrated by Alembic revisions."""

"""Alembic's environment: the revisions run on the connection migrate.py passes in."""
from alembic import context


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()

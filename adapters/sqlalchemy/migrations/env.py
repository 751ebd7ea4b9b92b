"""Alembic's environment. The migrator (adapters/sqlalchemy/migrator.py) hands it an open
connection, so migrations run on the service's own tuned async engine."""

from alembic import context

from adapters.sqlalchemy.tables import metadata


def _run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


_run()

"""Alembic environment: run against the connection :func:`sayso.store.open_store` hands over.

Called programmatically (``upgrade head`` on every open), or from the command line with
``alembic -x url=sqlite:///sayso.db ...`` when writing a new revision.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from sayso.store._tables import managed_name, metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table instead
        compare_type=True,
        include_name=managed_name,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    engine = create_engine(str(url))
    with engine.begin() as conn:
        _run(conn)

"""Alembic environment: the URL comes from the caller (``assistant.db.migrate``) or from
``HOTLINE_DATABASE_URL`` / ``HOTLINE_DATA_DIR`` when run as ``alembic`` from the project root."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from assistant.db import (  # noqa: F401  (each module registers its tables on Base)
    attachment_models,
    call_models,
    callback_models,
    catalogue_models,
    governance_models,
    hotspot_models,
    kb_models,
    qa_models,
)
from assistant.db.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from assistant.config import Settings

        url = Settings().resolved_database_url()
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

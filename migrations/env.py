"""Alembic environment: the schema is learnhub.models' metadata; batch mode so SQLite can alter tables."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import learnhub.models  # noqa: F401  (every model registered on the metadata)
from learnhub.extensions import db

config = context.config
# alembic.ini's text logging, unless the app writes JSON lines (learnhub/logs.py keeps its own handler then).
if (config.config_file_name and not config.attributes.get("skip_logging_config")
        and current_app.config["LOG_FORMAT"] != "json"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")
target_metadata = db.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        **{"render_as_batch": True, "compare_type": True, **current_app.extensions["migrate"].configure_args},
    )


def run_migrations_offline() -> None:
    context.configure(url=str(db.engine.url), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # tests hand in their own connection
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    with db.engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Engine behaviour that SQLite needs to be a real embedded database.

WAL lets readers run beside one writer; the busy timeout makes a second writer wait instead of
failing; foreign keys are off by default in SQLite and must be switched on per connection. Write
transactions begin IMMEDIATE so two workers never both read, then both try to upgrade to a write
lock and one dies with "database is locked". Safe (GET/HEAD) requests begin deferred, so readers do
not queue behind each other. PostgreSQL needs none of this and is left alone.
"""

from __future__ import annotations

import sqlite3

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15_000
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Take control of BEGIN from the sqlite3 module, so the "begin" hook below decides its kind.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def writes_on_get(view):
    """Mark a GET view that writes (a download that is audited): its transaction begins IMMEDIATE too."""
    view.writes_on_get = True
    return view


def begins_immediate() -> bool:
    """Whether a new SQLite transaction should take the write lock at once (everything but safe requests)."""
    if not has_request_context() or request.method not in _READ_ONLY_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "writes_on_get", False))


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if begins_immediate() else "BEGIN")

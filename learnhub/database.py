"""Engine behaviour that SQLite needs to be a real embedded database.

WAL lets readers run beside one writer; the busy timeout makes a second writer wait instead of
failing; foreign keys are off by default in SQLite and must be switched on per connection. Write
transactions begin IMMEDIATE so two workers never both read, then both try to upgrade to a write
lock and one dies with "database is locked". Safe (GET/HEAD) requests begin deferred, so readers do
not queue behind each other.

A page marked `reads_only` runs its statements without a transaction (autocommit): a read in PostgreSQL's READ
COMMITTED sees its own snapshot per statement either way, and the BEGIN and ROLLBACK round trips, a third of a
lesson page's time there, are saved (decision 0082); on SQLite no BEGIN is sent either, so each SELECT is its own
transaction there too. A write in such a page is refused (it would not be atomic), on every database.
"""

from __future__ import annotations

import sqlite3
import time

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 15_000
PING_AFTER_IDLE_SECONDS = 10.0
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


def upsert_insert(session: Session):
    """The `insert` of the session's database, which offers ON CONFLICT (SQLite and PostgreSQL both do): for an
    upsert or an insert that skips a conflicting row, in one statement and without a savepoint."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def writes_on_get(view):
    """Mark a GET view that writes (a download that is audited): its transaction begins IMMEDIATE too."""
    view.writes_on_get = True
    return view


def reads_only(view):
    """Mark a page (its GET) that only reads the database: on PostgreSQL it runs without a transaction. Put it
    under the route and login decorators, so the mark is on the function they wrap."""
    view.reads_only = True
    return view


def init_app(app: Flask) -> None:
    """Note, as each request is dispatched, whether its view only reads (only a dispatched request counts: a
    request context made by code, a job building links or a test, never runs without a transaction); watch the
    pools of PostgreSQL engines."""
    app.before_request(_note_read_only_page)
    from learnhub.extensions import db

    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "postgresql":
            _watch_pool(engine)
        elif engine.dialect.name == "sqlite":
            refuse_old_sqlite(sqlite3.sqlite_version_info)


SQLITE_AT_LEAST = (3, 35)  # INSERT ... RETURNING (decision 0086); ON CONFLICT came in 3.24


def refuse_old_sqlite(version: tuple[int, ...]) -> None:
    """Stop at start-up, with a message that says what to do, on an SQLite library too old for LearnHub's
    statements, rather than fail in the middle of a learner's quiz submit."""
    if version < SQLITE_AT_LEAST:
        wanted, found = ".".join(map(str, SQLITE_AT_LEAST)), ".".join(map(str, version))
        raise RuntimeError(f"LearnHub needs SQLite {wanted} or later; this Python's sqlite3 module uses {found}. "
                           "Use a newer Python build or PostgreSQL (LEARNHUB_DATABASE_URL).")


def _note_read_only_page() -> None:
    g.reads_only = _view_attribute("reads_only")


def in_read_only_page() -> bool:
    """Whether this is a dispatched GET (HEAD) of a view marked `reads_only`."""
    return has_request_context() and g.get("reads_only", False)


def _view_attribute(name: str) -> bool:
    """Whether this request is a safe one (GET/HEAD) to a view marked with `name`."""
    if not has_request_context() or request.method not in _READ_ONLY_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, name, False))


def begins_immediate() -> bool:
    """Whether a new SQLite transaction should take the write lock at once (everything but safe requests)."""
    if not has_request_context() or request.method not in _READ_ONLY_METHODS:
        return True
    return _view_attribute("writes_on_get")


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection) -> None:
    if connection.dialect.name != "sqlite" or in_read_only_page():
        return  # a page that only reads: each statement is its own transaction, as on PostgreSQL (decision 0082)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if begins_immediate() else "BEGIN")


class WriteInReadOnlyPage(RuntimeError):
    """A page marked `reads_only` tried to save something: mark it no longer, or move the write to a POST."""


def _watch_pool(engine: Engine) -> None:
    """A pooled connection that sat idle for PING_AFTER_IDLE_SECONDS is pinged as it is handed out, so one the
    server dropped meanwhile (a restart, a failover, an idle timeout) is replaced before a page uses it; one used
    moments ago is not, which saves a round trip on every busy request (decision 0083). In a page marked
    `reads_only` the connection runs in autocommit (decision 0082)."""
    dialect = engine.dialect

    @event.listens_for(engine.pool, "checkout")
    def _checkout(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.get("returned_at")  # (none yet: a new connection, just made)
        if returned_at is not None and time.monotonic() - returned_at > PING_AFTER_IDLE_SECONDS:
            try:
                dialect.do_ping(dbapi_connection)
            except dialect.loaded_dbapi.Error as error:  # dropped: so are the others made before it
                raise exc.InvalidatePoolError(f"pooled connection dropped while idle: {error}") from error
        if in_read_only_page():
            # psycopg sends BEGIN before a transaction's first statement; in autocommit it sends none, and the
            # ROLLBACK at the request's end finds nothing to roll back (no round trip either).
            dbapi_connection.autocommit = True

    @event.listens_for(engine.pool, "checkin")
    def _checkin(dbapi_connection, record) -> None:
        if dbapi_connection is None:  # (invalidated)
            return
        if dbapi_connection.autocommit:
            dbapi_connection.autocommit = False  # (idle: a setting on the client, no round trip)
        record.info["returned_at"] = time.monotonic()


@event.listens_for(Session, "before_flush")
def _refuse_writes_in_read_only_pages(session, _context, _instances) -> None:
    if (session.new or session.deleted or any(session.is_modified(each) for each in session.dirty)) \
            and in_read_only_page():
        raise WriteInReadOnlyPage(f"{request.endpoint} is marked reads_only but saves changes")

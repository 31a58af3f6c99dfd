"""PostgreSQL: each worker hears the catalogue's version replaced, instead of asking for it on every anonymous page
(issue 14, decision 0088).

A logged-in request reads the catalogue's version with its session user (services/catalogue_version); an
anonymous catalogue or course page had only that one round trip to make, which kept it at a third of a bare
Flask "hello" on PostgreSQL. Here a worker keeps one connection of its own that LISTENs on the deployment's
channel: every change to a course replaces the version and sends it with NOTIFY in the same transaction (delivered
at its commit, in commit order, never for a rollback). An anonymous page takes the last version this worker
heard, after reading what the connection has received without waiting (no round trip), so a publication on any
instance reaches the next page served once its notification has arrived, which is as soon as the server sends it.

What keeps it honest:
- the listener is made lazily in each worker process (never shared across a fork), LISTENs before it reads the
  version, so no change falls between the two;
- every CHECK_EVERY_SECONDS an anonymous page asks the database as before; an answer that differs from what was
  heard (a lost notification, a connection a firewall dropped silently) is taken, and the listener replaced, so
  such a fault leaves a page at most that long behind;
- a broken listener connection is noticed at the next read of it: the page asks, and a new listener is made;
- `LEARNHUB_CATALOGUE_LISTEN=false` switches it off, for a PostgreSQL reached through a pooler in transaction
  mode (PgBouncer), where LISTEN does not work.

SQLite needs none of this: its version read is a local call of about 17 us.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, text

# The channel is the deployment's: NOTIFY reaches every session of the database, and two deployments may share one
# database in two schemas (as the tests do). The listener and the notifier compute the same name on the server.
CHANNEL_SQL = "'learnhub_catalogue_' || left(md5(current_schema()), 12)"
NOTIFY = text(f"SELECT pg_notify({CHANNEL_SQL}, :version)")
CHECK_EVERY_SECONDS = 5.0
VERSION_SQL = "SELECT version FROM catalogue_state WHERE id = 1"


class _Listener:
    """One worker's LISTEN connection and the last version it heard."""

    def __init__(self, engine: Engine) -> None:
        from psycopg import sql  # (only PostgreSQL deployments make a listener)

        pooled = engine.raw_connection()
        self.connection = pooled.driver_connection
        pooled.detach()  # this worker's own from now on: never handed to a request, closed with the process
        self.pid, self.url = os.getpid(), engine.url
        try:
            self.connection.autocommit = True
            self.connection.add_notify_handler(self._hear)  # (a notification that arrives with a statement's answer)
            self.connection.add_notice_handler(self._notice)
            channel = self.connection.execute(f"SELECT {CHANNEL_SQL}").fetchone()[0]
            self.connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            row = self.connection.execute(VERSION_SQL).fetchone()
        except BaseException:
            self.connection.close()
            raise
        self.version: str | None = row[0] if row is not None else None
        self.checked_at = time.monotonic()
        self.ended = False

    def _notice(self, diagnostic) -> None:
        # The server's last word before it closes an idle session (a restart, pg_terminate_backend) comes as a
        # notice; the end of the connection itself would only be seen at the next read.
        if diagnostic.severity_nonlocalized in ("FATAL", "PANIC"):
            self.ended = True

    def _hear(self, notification) -> None:
        self.version = notification.payload

    def read(self) -> str | None:
        """The last version heard, after taking in what arrived meanwhile (no wait, no round trip). Raises the
        driver's error when the connection is broken."""
        pgconn = self.connection.pgconn
        pgconn.consume_input()
        while (notification := pgconn.notifies()) is not None:
            self.version = notification.extra.decode()
        if self.ended:
            raise self.connection.OperationalError("the server ended the listener's session")
        return self.version

    def close(self) -> None:
        self.connection.close()  # (psycopg closes a broken connection without an error)


_listener: _Listener | None = None
_lock = threading.Lock()  # (a threaded server's requests share the worker's listener)


def heard(engine: Engine, ask: Callable[[], str | None]) -> str | None:
    """The catalogue's version as this worker last heard it, or from `ask` (a read of the database) when it is time
    to check the listener; None when there is no listener: not PostgreSQL, or none could be made (then the page
    asks as before)."""
    global _listener
    if engine.dialect.name != "postgresql":
        return None
    with _lock:
        listener = _listener
        if listener is not None and (listener.pid != os.getpid() or listener.url != engine.url):
            # a forked child (the parent's connection is not its own), or another app's database (tests)
            if listener.pid == os.getpid():
                listener.close()
            listener = _listener = None
        if listener is None:
            try:
                listener = _listener = _Listener(engine)
            except engine.dialect.loaded_dbapi.Error:
                return None  # (the page's own statement reports a database that is down)
            return listener.version
        try:
            version = listener.read()
        except engine.dialect.loaded_dbapi.Error:
            listener.close()
            _listener = None
            return None
        if time.monotonic() - listener.checked_at <= CHECK_EVERY_SECONDS:
            return version
        asked = ask()
        if asked == version:
            listener.checked_at = time.monotonic()
        else:  # a notification was lost (or is on its way): the answer stands, and a new listener reads afresh
            listener.close()
            _listener = None
        return asked


def forget() -> None:
    """Close this worker's listener (tests, and a worker that stops)."""
    global _listener
    with _lock:
        if _listener is not None and _listener.pid == os.getpid():
            _listener.close()
        _listener = None

"""Pooled connections on PostgreSQL (decision 0083): one used moments ago is handed out without a ping, one that
sat idle is pinged first, and one the server dropped while it sat idle is replaced before a page uses it."""

from __future__ import annotations

import psycopg
import pytest

from learnhub import database
from learnhub.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.integration.learning_helpers import app_with_own_database

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only: a SQLite file has no server to drop it")


def _backend_pids(engine) -> set[int]:
    """The server processes behind the connections now in the pool."""
    pool = engine.pool
    return {record.dbapi_connection.info.backend_pid for record in list(pool._pool.queue)}


def test_a_busy_connection_is_not_pinged_and_one_dropped_while_idle_is_replaced(tmp_path_factory, monkeypatch):
    app = app_with_own_database(tmp_path_factory, "pool_ping", courses=False)
    # /health asks the database through the ORM session, so through the pool, on every request (a page that only
    # reads takes the thread's kept connection instead: decision 0093).
    with app.app_context():
        engine = db.engine
    pings: list[int] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(connection.info.backend_pid)
                        or ping(connection))
    client = app.test_client()
    try:
        for _ in range(3):
            assert client.get("/health").status_code == 200
        assert pings == []  # each time the connection came back moments before: no round trip for a ping
        (pid,) = _backend_pids(engine)

        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # every connection now counts as idle
        assert client.get("/health").status_code == 200
        assert pings == [pid]  # pinged, alive, kept
        assert _backend_pids(engine) == {pid}

        with psycopg.connect(TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://"),
                             autocommit=True) as admin:  # the server drops it, as in a restart
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
        assert client.get("/health").status_code == 200  # the ping found it dropped: a new one served the page
        assert pings == [pid, pid]
        (replacement,) = _backend_pids(engine)
        assert replacement != pid
    finally:
        with app.app_context():
            db.engine.dispose()

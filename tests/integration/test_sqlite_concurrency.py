"""Two writers on SQLite at once: the second waits for the first instead of failing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text

import learnhub.database  # noqa: F401  (the engine hooks under test)


@pytest.mark.parametrize("writers", [2, 6])
def test_concurrent_read_then_write_transactions_all_succeed(tmp_path, writers):
    engine = create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    errors: list[Exception] = []
    barrier = threading.Barrier(writers)

    def bump() -> None:
        try:
            barrier.wait()
            with engine.begin() as connection:  # BEGIN IMMEDIATE outside a safe request
                value = connection.execute(text("SELECT n FROM counter")).scalar()
                connection.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
        except Exception as error:  # collected, asserted below
            errors.append(error)

    threads = [threading.Thread(target=bump) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        total = connection.execute(text("SELECT n FROM counter")).scalar()
    assert errors == []
    assert total == writers  # no lost update: each read-modify-write saw the previous one

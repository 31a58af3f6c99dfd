"""LearnHub's statements need SQLite 3.35 or later (INSERT ... RETURNING, decision 0086): an older library stops the
app at start-up with a message that names the versions and what to do, not in the middle of a quiz submit."""

from __future__ import annotations

import sqlite3

import pytest

from learnhub.database import SQLITE_AT_LEAST, refuse_old_sqlite


def test_an_older_sqlite_is_refused_with_the_versions_and_the_way_out():
    with pytest.raises(RuntimeError) as refused:
        refuse_old_sqlite((3, 34, 1))
    message = str(refused.value)
    assert "SQLite 3.35 or later" in message and "uses 3.34.1" in message and "PostgreSQL" in message


def test_the_versions_from_3_35_on_are_accepted_and_this_machine_has_one():
    refuse_old_sqlite((3, 35, 0))
    refuse_old_sqlite((3, 40, 1))
    assert sqlite3.sqlite_version_info >= SQLITE_AT_LEAST

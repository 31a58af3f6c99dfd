"""The restore procedure of docs/operations.md, run for real on PostgreSQL: `pg_dump -Fc` of a database with
learners in it, `pg_restore --no-owner` into a fresh database, `learnhub db upgrade`, `learnhub report check`.

Each run creates two databases of its own (lh_restore_<random>_source and _copy) on the server named by
LEARNHUB_TEST_DATABASE_URL, and drops them at the end. On SQLite the test is skipped (the embedded default is
backed up with `.backup`, which needs no procedure test); on PostgreSQL without pg_dump and pg_restore it
fails rather than skip, so that CI's PostgreSQL run always covers it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, table, text
from sqlalchemy.engine import URL, make_url

from learnhub.config import normalise_database_url
from learnhub.extensions import db
from learnhub.models import Course
from learnhub.services import accounts, catalogue, learning
from tests.conftest import PROFILE, TEST_DATABASE_URL, make_app, upgrade_database
from tests.integration.learning_helpers import sync_catalogue

pytestmark = [
    pytest.mark.ops,
    pytest.mark.skipif(not TEST_DATABASE_URL.startswith(("postgres://", "postgresql")),
                       reason="backup and restore are tested on PostgreSQL: set LEARNHUB_TEST_DATABASE_URL"),
]

# Tables whose rows a lost backup would lose: the catalogue, people, their learning and its counts.
KEY_TABLES = ("courses", "course_items", "quiz_questions", "users", "enrolments", "item_progress",
              "learner_activity", "attempts", "certificates", "coverage_counts", "audit_events")


def server_url() -> URL:
    return make_url(normalise_database_url(TEST_DATABASE_URL))


def client_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not on PATH: install the PostgreSQL client (apt-get install postgresql-client) "
                    "to run the backup and restore test")
    return path


def run_tool(name: str, *args: str, database: URL) -> None:
    """Run pg_dump or pg_restore on `database`; the password, if any, goes by PGPASSWORD, not the command line."""
    conninfo = database.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, **({"PGPASSWORD": database.password} if database.password else {})}
    done = subprocess.run([client_tool(name), *args, f"--dbname={conninfo}"], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{name} failed: {done.stderr}"


@pytest.fixture
def databases() -> Iterator[tuple[URL, URL]]:
    """Two empty databases of this run's own: the source and the restored copy; both dropped afterwards."""
    base = server_url()
    stem = f"lh_restore_{secrets.token_hex(4)}"
    names = (f"{stem}_source", f"{stem}_copy")
    server = create_engine(base, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=names[0]), base.set(database=names[1])
    finally:
        with server.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def app_on(database: URL, folder: Path):
    return make_app(database.render_as_string(hide_password=False), folder)


def cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, f"learnhub {' '.join(args)}: {result.output}"
    return result.output


def row_counts(app) -> dict[str, int | str]:
    with app.app_context():
        counts = {name: db.session.scalar(select(func.count()).select_from(table(name))) for name in KEY_TABLES}
        counts["alembic_version"] = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.remove()
        db.engine.dispose()  # no connection may outlive the test: the database is dropped
    return counts


def new_learner_takes_a_lesson(app) -> None:
    """A write after the restore: every sequence must be past the restored ids."""
    with app.app_context():
        learner = accounts.create("after-restore@example.org", "a quiet harbour at dawn",
                                  accounts.Profile(**PROFILE), verified=True)
        course = db.session.scalars(select(Course).order_by(Course.id)).first()
        syllabus = catalogue.syllabus(course)
        lesson = next(item for item in syllabus.items if item.kind == "lesson")
        learning.mark_lesson_done(learner, course, lesson, syllabus)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_a_custom_format_dump_restores_into_a_fresh_database_that_passes_report_check(databases, tmp_path):
    client_tool("pg_dump"), client_tool("pg_restore")  # before the work, not after it
    source_url, copy_url = databases
    source = app_on(source_url, tmp_path)
    upgrade_database(source)
    sync_catalogue(source)
    cli(source, "demo", "--learners", "40")  # enrolments, progress, activity, attempts and certificates
    cli(source, "report", "rebuild")
    before = row_counts(source)
    assert all(before[name] > 0 for name in KEY_TABLES), before

    dump = tmp_path / "learnhub.dump"
    run_tool("pg_dump", "-Fc", f"--file={dump}", database=source_url)
    run_tool("pg_restore", "--no-owner", "--exit-on-error", str(dump), database=copy_url)

    restored = app_on(copy_url, tmp_path)
    cli(restored, "db", "upgrade")  # already at head: the step of the procedure after a restore
    assert "coverage rollup matches the facts" in cli(restored, "report", "check")
    assert row_counts(restored) == before

    new_learner_takes_a_lesson(restored)
    after = row_counts(restored)
    assert after["users"] == before["users"] + 1 and after["item_progress"] == before["item_progress"] + 1
    assert "coverage rollup matches the facts" in cli(restored, "report", "check")

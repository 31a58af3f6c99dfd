"""PostgreSQL: an anonymous page takes the catalogue's version its worker heard by LISTEN (issue 14, decision 0088),
with no statement of its own, and still never shows a catalogue from before a change once the change's notification
has arrived: a rollback is never heard, another schema's changes are not heard, a lost notification is found at the
next check, and a broken listener is replaced while the pages ask as before."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, event, select, text

from tests.conftest import TEST_DATABASE_URL
from tests.integration.learning_helpers import app_with_own_database, wait_until_heard

COURSE = "passwords-mfa"
ON_POSTGRESQL = TEST_DATABASE_URL.startswith(("postgres://", "postgresql"))
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="LISTEN and NOTIFY are PostgreSQL's")


@pytest.fixture(autouse=True)
def _no_listener_left():
    from learnhub.services import catalogue_watch

    catalogue_watch.forget()
    yield
    catalogue_watch.forget()


def stored_version(app) -> str:
    from learnhub.extensions import db
    from learnhub.models import CatalogueState

    with app.app_context():
        version = db.session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1))
        db.session.remove()
    return version


def heard_now(app) -> str | None:
    """What this process's listener has heard, without letting it ask the database."""
    from learnhub.extensions import db
    from learnhub.services import catalogue_watch

    def ask():
        raise AssertionError("the listener asked the database")

    with app.app_context():
        return catalogue_watch.heard(db.engine, ask)


def retire_elsewhere(app, course_id: str = COURSE) -> None:
    """Retire a course in a session of its own, committed (as a sync or a publication on another instance)."""
    from learnhub.extensions import db
    from learnhub.models import Course
    from learnhub.services import course_sync

    with app.app_context():
        course_sync.retire(db.session.get(Course, course_id))
        db.session.commit()
        db.session.remove()


def watch_statements(app):
    """Every statement the app sends, through the ORM or on a connection outside it (models/direct_reads): set
    `outside` as direct_reads._outside_session."""
    from learnhub.extensions import db
    from learnhub.models import direct_reads

    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_engine(_connection, _cursor, statement, *_rest):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", on_engine)
    run_outside = direct_reads._outside_session

    def outside(engine, sql, *rest):
        sent.append(sql)
        return run_outside(engine, sql, *rest)

    return sent, engine, on_engine, outside


@postgresql_only
def test_anonymous_pages_ask_nothing_once_their_worker_listens_and_show_a_change_once_heard(
        tmp_path_factory, monkeypatch):
    from learnhub.models import direct_reads

    app = app_with_own_database(tmp_path_factory, "watch_pages")
    visitor = app.test_client()
    pages = ("/courses", f"/courses/{COURSE}")
    for page in pages:  # the first makes the listener; both pages are then kept, the course row too
        assert visitor.get(page).status_code == 200
    assert heard_now(app) == stored_version(app)
    sent, engine, on_engine, outside = watch_statements(app)
    monkeypatch.setattr(direct_reads, "_outside_session", outside)
    try:
        for page in pages:
            assert COURSE in visitor.get(page).get_data(as_text=True)
        assert sent == []  # no statement at all: the version was heard, the course row and the pages kept
        retire_elsewhere(app)
        assert wait_until_heard(app) < 2.0
        del sent[:]
        assert visitor.get(f"/courses/{COURSE}").status_code == 404
        assert f'href="/courses/{COURSE}"' not in visitor.get("/courses").get_data(as_text=True)
        # under the new version: the retired course's row, read once, and the catalogue's live courses
        assert len(sent) == 2 and all("FROM courses" in statement for statement in sent)
    finally:
        event.remove(engine, "before_cursor_execute", on_engine)


@postgresql_only
def test_a_rolled_back_change_and_another_schemas_change_are_not_heard(tmp_path_factory):
    from learnhub.extensions import db
    from learnhub.models import Course

    app = app_with_own_database(tmp_path_factory, "watch_quiet")
    other = app_with_own_database(tmp_path_factory, "watch_other")
    assert app.test_client().get("/courses").status_code == 200
    before = stored_version(app)
    assert heard_now(app) == before
    with app.app_context():  # a change that is flushed (and notified inside its transaction), then rolled back
        course = db.session.get(Course, COURSE)
        course.title = {**course.title, "en": "Never committed"}
        db.session.flush()
        db.session.rollback()
        db.session.remove()
    retire_elsewhere(other)  # committed, in the same PostgreSQL database but the other app's schema
    time.sleep(0.2)  # (far longer than a notification takes to arrive: see the test above)
    assert heard_now(app) == before == stored_version(app)


@postgresql_only
def test_a_lost_notification_is_found_at_the_next_check_and_the_listener_replaced(tmp_path_factory, monkeypatch):
    from learnhub.services import catalogue_watch

    app = app_with_own_database(tmp_path_factory, "watch_lost")
    visitor = app.test_client()
    assert visitor.get(f"/courses/{COURSE}").status_code == 200
    first = catalogue_watch._listener
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as connection:  # changed without a notification, as if it had been lost
        connection.execute(text("UPDATE courses SET retired = true WHERE id = :id"), {"id": COURSE})
        connection.execute(text("UPDATE catalogue_state SET version = 'changed-unheard' WHERE id = 1"))
    engine.dispose()
    time.sleep(0.05)
    assert heard_now(app) != "changed-unheard"  # nothing was heard: within the interval the page would not know
    monkeypatch.setattr(catalogue_watch, "CHECK_EVERY_SECONDS", 0.0)
    assert visitor.get(f"/courses/{COURSE}").status_code == 404  # the check asked, and the answer stands
    assert catalogue_watch._listener is None and first.connection.closed
    monkeypatch.setattr(catalogue_watch, "CHECK_EVERY_SECONDS", 5.0)
    assert visitor.get("/courses").status_code == 200  # a new listener, which read the version afresh
    assert catalogue_watch._listener is not None and catalogue_watch._listener.version == "changed-unheard"


@postgresql_only
def test_a_broken_listener_is_replaced_and_the_page_asks_meanwhile(tmp_path_factory, monkeypatch):
    from learnhub.services import catalogue, catalogue_watch

    app = app_with_own_database(tmp_path_factory, "watch_broken")
    visitor = app.test_client()
    assert visitor.get("/courses").status_code == 200
    first = catalogue_watch._listener
    backend = first.connection.info.backend_pid
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as connection:  # the server ends the listener's session (a restart, an administrator)
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar() is True
    engine.dispose()
    time.sleep(0.1)
    asked: list[str] = []
    first_row = catalogue._first_row
    monkeypatch.setattr(catalogue, "_first_row", lambda sql, params: asked.append(sql) or first_row(sql, params))
    assert visitor.get("/courses").status_code == 200
    assert asked == ["SELECT version FROM catalogue_state WHERE id = 1"]  # asked, as without a listener
    assert catalogue_watch._listener is None
    retire_elsewhere(app)
    assert visitor.get(f"/courses/{COURSE}").status_code == 404  # the new listener read the version as it began
    second = catalogue_watch._listener
    assert second is not None and second.connection.info.backend_pid != backend


@postgresql_only
def test_listening_can_be_switched_off_for_a_pooler_in_transaction_mode(tmp_path_factory, monkeypatch):
    from learnhub.services import catalogue, catalogue_watch

    app = app_with_own_database(tmp_path_factory, "watch_off")
    app.config["CATALOGUE_LISTEN"] = False
    asked: list[str] = []
    first_row = catalogue._first_row
    monkeypatch.setattr(catalogue, "_first_row", lambda sql, params: asked.append(sql) or first_row(sql, params))
    visitor = app.test_client()
    for _ in range(3):
        assert visitor.get("/courses").status_code == 200
    assert len(asked) == 3 and catalogue_watch._listener is None


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite's case")
def test_sqlite_has_no_listener_and_the_page_asks(tmp_path_factory, monkeypatch):
    from learnhub.extensions import db
    from learnhub.services import catalogue, catalogue_watch

    app = app_with_own_database(tmp_path_factory, "watch_sqlite")
    asked: list[str] = []
    first_row = catalogue._first_row
    monkeypatch.setattr(catalogue, "_first_row", lambda sql, params: asked.append(sql) or first_row(sql, params))
    assert app.test_client().get("/courses").status_code == 200
    assert asked == ["SELECT version FROM catalogue_state WHERE id = 1"] and catalogue_watch._listener is None
    with app.app_context():
        assert catalogue_watch.heard(db.engine, lambda: "asked") is None


def test_the_setting_reads_yes_and_no():
    from learnhub.config import ConfigError, load

    assert load({"LEARNHUB_ENV": "testing"})["CATALOGUE_LISTEN"] is True
    assert load({"LEARNHUB_ENV": "testing", "LEARNHUB_CATALOGUE_LISTEN": "false"})["CATALOGUE_LISTEN"] is False
    with pytest.raises(ConfigError, match="LEARNHUB_CATALOGUE_LISTEN"):
        load({"LEARNHUB_ENV": "testing", "LEARNHUB_CATALOGUE_LISTEN": "sometimes"})

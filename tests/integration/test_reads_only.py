"""Pages marked `reads_only` (decision 0082): on PostgreSQL their statements run without a transaction, which
saves the BEGIN and ROLLBACK round trips; the same URL's POST and every unmarked page keep their transaction,
pooled connections go back to the pool in transaction mode, and a write in a marked page is refused on every
database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import has_request_context, request
from sqlalchemy import event

from learnhub.database import WriteInReadOnlyPage
from learnhub.extensions import db as database
from learnhub.models import Course, direct_reads
from learnhub.services import accounts
from tests.conftest import DEFAULT_PASSWORD, PROFILE, TEST_DATABASE_URL, log_in, post_form, sync_courses
from tests.integration.learning_helpers import app_with_own_database

LESSON = "/courses/passwords-mfa/lessons/mfa-methods"
MARKED = {"catalog.index", "catalog.course", "main.home", "learn.lesson", "learn.quiz", "learn.dashboard"}


def test_the_hot_pages_are_marked_and_pages_that_write_are_not(app):
    marked = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "reads_only", False)}
    assert marked == MARKED
    writes = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "writes_on_get", False)}
    assert writes and not writes & marked


def test_a_write_in_a_read_only_page_is_refused_and_a_post_may_write(app, db):
    with app.test_request_context(LESSON, method="GET"):
        app.preprocess_request()  # as when the request is dispatched
        course = db.session.get(Course, "passwords-mfa")
        course.revision = course.revision  # no change: nothing to refuse
        db.session.flush()
        course.title = "Changed by a page that only reads"
        with pytest.raises(WriteInReadOnlyPage, match=r"learn\.lesson is marked reads_only"):
            db.session.flush()
        db.session.rollback()
    for method in ("POST", "GET"):  # the same page's POST; a request context made by code (a job's, a test's)
        with app.test_request_context(LESSON + "/done" if method == "POST" else LESSON, method=method):
            course = db.session.get(Course, "passwords-mfa")
            course.title = f"Changed in a {method}"
            db.session.flush()
            assert db.session.get(Course, "passwords-mfa").title == f"Changed in a {method}"


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only: SQLite has no round trips to save")
def test_read_only_pages_run_without_a_transaction_on_postgresql(tmp_path_factory, monkeypatch):
    app = app_with_own_database(tmp_path_factory, "reads_only", courses=False)
    catalogue = tmp_path_factory.mktemp("reads_only_courses")
    shutil.copytree(Path(app.config["COURSES_DIR"]) / "passwords-mfa", catalogue / "passwords-mfa")
    sync_courses(app, catalogue)
    with app.app_context():
        accounts.create("ana@example.org", DEFAULT_PASSWORD, accounts.Profile(**PROFILE), verified=True)
        database.session.commit()
        engine = database.engine
    statements: list[tuple[str, str, bool, str]] = []  # (method, path, autocommit, transaction status)
    returned: list[bool] = []  # autocommit of each connection as it is back in the pool

    def after_statement(connection, *_rest):
        driver = connection.connection.driver_connection
        statements.append((request.method, request.path, driver.autocommit, driver.info.transaction_status.name))

    def before_reset(dbapi_connection, _record, state):  # an anonymous page's key, read outside the ORM
        if has_request_context() and not state.transaction_was_reset:
            statements.append(("GET", request.path, dbapi_connection.autocommit,
                               dbapi_connection.info.transaction_status.name))

    def back_in_pool(dbapi_connection, _record):
        returned.append(dbapi_connection.autocommit)

    run_outside = direct_reads._outside_session

    def kept_connection_statement(engine, sql, *rest):  # (decision 0093: the thread's kept connection)
        found = run_outside(engine, sql, *rest)
        driver = direct_reads._kept.slot[2].driver_connection
        statements.append((request.method, request.path, driver.autocommit, driver.info.transaction_status.name))
        return found

    monkeypatch.setattr(direct_reads, "_outside_session", kept_connection_statement)
    event.listen(engine, "after_cursor_execute", after_statement)
    event.listen(engine.pool, "reset", before_reset)
    event.listen(engine.pool, "checkin", back_in_pool)
    try:
        client = app.test_client()
        assert client.get("/courses").status_code == 200
        assert {row[2:] for row in statements if row[1] == "/courses"} == {(True, "IDLE")}
        assert log_in(client, "ana@example.org").status_code == 303
        assert post_form(client, "/courses/passwords-mfa/enrol", {}, page="/courses/passwords-mfa").status_code == 303
        client.get(LESSON)  # (its body rendered and cached)
        statements.clear()
        assert client.get(LESSON).status_code == 200
        assert len(statements) == 1  # the person, with the catalogue version and the lesson's state (0084, 0085)
        assert {row[2:] for row in statements} == {(True, "IDLE")}  # no transaction: nothing begun or rolled back
        statements.clear()
        assert post_form(client, LESSON + "/done", {}, page=LESSON).status_code == 303
        writes = [row for row in statements if row[0] == "POST"]
        assert writes and {row[2:] for row in writes} == {(False, "INTRANS")}
        statements.clear()
        assert client.get("/account/profile").status_code == 200  # not marked: in a transaction as always
        assert statements and {row[2:] for row in statements} == {(False, "INTRANS")}
        assert returned and not any(returned)
    finally:
        event.remove(engine, "after_cursor_execute", after_statement)
        event.remove(engine.pool, "reset", before_reset)
        event.remove(engine.pool, "checkin", back_in_pool)
        with app.app_context():
            database.engine.dispose()


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite only: the PostgreSQL test above")
def test_read_only_pages_send_no_begin_on_sqlite(tmp_path_factory):
    """On SQLite too a marked page sends no BEGIN: each SELECT is its own transaction (decision 0082); the same
    URL's POST and an unmarked page still begin one. Seen by SQLite itself (its trace of each statement run, on
    every connection, the one kept outside the ORM too: decision 0092)."""
    app = app_with_own_database(tmp_path_factory, "reads_only_sqlite")
    with app.app_context():
        accounts.create("ana@example.org", DEFAULT_PASSWORD, accounts.Profile(**PROFILE), verified=True)
        database.session.commit()
        engine = database.engine
    statements: list[tuple[str, str]] = []  # (method, statement's first word)

    def trace(dbapi_connection, _record, _proxy):
        dbapi_connection.set_trace_callback(lambda sql: statements.append(
            (request.method, sql.split()[0].upper())) if has_request_context() else None)

    event.listen(engine.pool, "checkout", trace)
    try:
        client = app.test_client()
        assert log_in(client, "ana@example.org").status_code == 303
        assert post_form(client, "/courses/passwords-mfa/enrol", {}, page="/courses/passwords-mfa").status_code == 303
        client.get(LESSON)
        statements.clear()
        assert client.get(LESSON).status_code == 200
        assert statements == [("GET", "SELECT")]  # the person, with the lesson's state (decision 0085)
        statements.clear()
        assert post_form(client, LESSON + "/done", {}, page=LESSON).status_code == 303
        posted = [row for row in statements if row[0] == "POST"]
        assert posted[0] == ("POST", "BEGIN") and ("POST", "COMMIT") in posted
        statements.clear()
        assert client.get("/account/profile").status_code == 200  # not marked
        assert statements[0] == ("GET", "BEGIN")
    finally:
        event.remove(engine.pool, "checkout", trace)
        with app.app_context():
            database.engine.dispose()

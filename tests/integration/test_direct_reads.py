"""Reads around the ORM session (models/direct_reads, decision 0092): a Core select compiled once gives the values the
ORM gives, on both databases; on a page that only reads, the session user is read outside the ORM and held by no
session, and a logout, a disabled account or a role change still counts at the very next request."""

from __future__ import annotations

import pytest
from flask import g
from flask_login import current_user, login_required
from sqlalchemy import PickleType, bindparam, exists, func, inspect, literal_column, select
from sqlalchemy.orm.exc import DetachedInstanceError

from learnhub.database import reads_only
from learnhub.extensions import db as database
from learnhub.models import Course, Enrolment, User
from learnhub.models.direct_reads import PreparedSelect
from learnhub.services import accounts
from tests.conftest import DEFAULT_PASSWORD, PROFILE, log_in, post_form
from tests.integration.learning_helpers import app_with_own_database

COURSE = "passwords-mfa"
LESSON = f"/courses/{COURSE}/lessons/mfa-methods"


def _users_statement():
    users = User.__table__.c
    return select(users.id, users.email, users.active, users.created_at, users.last_login_at,
                  exists().where(Enrolment.learner_id == users.id).label("enrolled"),
                  select(func.count()).select_from(Enrolment).where(Enrolment.learner_id == users.id)
                  .scalar_subquery(),
                  select(Course.title).where(Course.id == bindparam("course_id")).scalar_subquery().label("title"),
                  ).where(users.email == bindparam("email"))


def test_a_prepared_select_gives_what_the_orm_gives(app, db, make_user):
    """Dates, booleans, NULL, an EXISTS, a count and a JSON column come back as the ORM reads them, by position
    and by name; a row that is not there is None."""
    make_user(email="ana@example.org")
    statement = _users_statement()
    params = {"email": "ana@example.org", "course_id": COURSE}
    expected = tuple(db.session.execute(statement, params).one())
    prepared = PreparedSelect(statement)
    with app.test_request_context("/courses", method="GET"):
        g.reads_only = True  # compiled once and sent as it is (here on the tests' connection, their transaction)
        row = prepared.first(params)
        missing = prepared.first({"email": "nobody@example.org", "course_id": COURSE})
    with app.test_request_context("/courses", method="POST"):
        assert tuple(prepared.first(params)) == expected  # a page that writes: SQLAlchemy's own execution
    assert tuple(row) == expected
    assert row.email == "ana@example.org" and row.active is True and row.enrolled is False
    assert row.created_at == expected[3] and row.created_at.year >= 2026  # a datetime, not SQLite's text
    assert row.last_login_at is None
    assert row.title["en"] == expected[7]["en"] and isinstance(row.title, dict)  # JSON decoded
    assert missing is None


def test_a_parameter_the_driver_cannot_take_as_it_is_is_refused(app, db):
    prepared = PreparedSelect(select(literal_column("1")).where(bindparam("value", type_=PickleType).is_not(None)))
    with app.test_request_context("/courses", method="GET"), pytest.raises(TypeError, match="parameter 'value'"):
        g.reads_only = True
        prepared.first({"value": {"a": 1}})


def test_values_written_into_the_statement_are_sent_and_a_missing_parameter_is_named(app, db, make_user):
    """Literal values (compared with, a LIMIT) go with the caller's parameters, in the driver's order; a parameter
    the caller leaves out is refused as SQLAlchemy refuses it; a list or a value computed at execution is refused
    when the statement is compiled."""
    from sqlalchemy.exc import InvalidRequestError

    make_user(email="ana@example.org")
    make_user(email="bea@example.org")
    users = User.__table__.c
    statement = (select(users.email).where(users.active.is_(True), users.id > 0, users.email != bindparam("skip"))
                 .order_by(users.email).limit(1))
    prepared = PreparedSelect(statement)
    with app.test_request_context("/courses", method="GET"):
        g.reads_only = True
        assert prepared.first({"skip": "ana@example.org"}).email == "bea@example.org"
        assert prepared.first({"skip": "bea@example.org"}).email == "ana@example.org"
        with pytest.raises(InvalidRequestError, match="skip"):
            prepared.first({})
        for refused in (users.email.in_(["ana@example.org"]), users.id == bindparam("n", callable_=lambda: 1)):
            with pytest.raises(TypeError, match="list or computed"):
                PreparedSelect(select(users.email).where(refused)).first({})


@pytest.fixture
def own_app(tmp_path_factory):
    app = app_with_own_database(tmp_path_factory, "direct_reads")
    with app.app_context():
        accounts.create("ana@example.org", DEFAULT_PASSWORD, accounts.Profile(**PROFILE), verified=True)
        database.session.commit()

    @app.get("/test/who")
    @login_required
    @reads_only
    def who():  # a page that only reads, showing what it knows of its person

        user = current_user._get_current_object()
        state = inspect(user)
        try:
            user.analyst_countries  # noqa: B018  (a relationship: not loaded in a page that only reads)
            lazy = "loaded"
        except DetachedInstanceError:
            lazy = "detached"
        return f"{user.email} {user.role} persistent={state.persistent} {lazy}"

    yield app
    with app.app_context():
        database.engine.dispose()


def test_outside_the_orm_on_a_page_that_only_reads(own_app):
    """The same values as the ORM's, on a connection outside the ORM (no ORM session made, no statement the
    engine's events see); in a page that writes, through the session as before."""
    statement = _users_statement()
    params = {"email": "ana@example.org", "course_id": COURSE}
    with own_app.app_context():
        expected = tuple(database.session.execute(statement, params).one())
        database.session.remove()
        engine = database.engine
    seen: list[str] = []
    from sqlalchemy import event

    def count(_connection, _cursor, sql, *_rest):
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        prepared = PreparedSelect(statement)
        with own_app.test_request_context("/courses", method="GET"):
            g.reads_only = True  # as database.py notes it when a marked page is dispatched
            assert tuple(prepared.first(params)) == expected
            assert not database.session.registry.has()  # no ORM session was made for it
        assert seen == []
        with own_app.test_request_context("/courses", method="POST"):
            assert tuple(prepared.first(params)) == expected  # a page that writes: the session's connection
            assert database.session.registry.has()
        assert [sql.split()[0] for sql in seen if not sql.startswith("BEGIN")] == ["SELECT"]  # (SQLite: BEGIN too)
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _sessions_made(app, monkeypatch) -> list:
    """Each ORM session made from here on."""
    with app.app_context():
        registry = database.session.registry
    made = []
    factory = registry.createfunc
    monkeypatch.setattr(registry, "createfunc", lambda: made.append(1) or factory())
    return made


def test_a_page_that_only_reads_makes_no_orm_session_and_holds_its_person_in_none(own_app, monkeypatch):
    client = own_app.test_client()
    assert log_in(client, "ana@example.org").status_code == 303
    assert post_form(client, f"/courses/{COURSE}/enrol", {}, page=f"/courses/{COURSE}").status_code == 303
    assert client.get(LESSON).status_code == 200  # (rendered once, then from the page cache)
    made = _sessions_made(own_app, monkeypatch)
    assert client.get(LESSON).status_code == 200
    assert client.get("/test/who").get_data(as_text=True) == "ana@example.org trainee persistent=False detached"
    assert made == []
    assert client.get("/account/profile").status_code == 200  # a page not marked: its person in its session
    assert made == [1]


def test_a_logout_a_role_change_or_a_disabled_account_counts_at_the_next_request(own_app):
    """Read outside the ORM on every request, never kept: each change shows on the very next page."""
    client, other = own_app.test_client(), own_app.test_client()
    for browser in (client, other):
        assert log_in(browser, "ana@example.org").status_code == 303
    assert client.get("/test/who").get_data(as_text=True).startswith("ana@example.org trainee")

    def change(**values):
        with own_app.app_context():
            user = database.session.scalar(select(User).where(User.email == "ana@example.org"))
            for name, value in values.items():
                setattr(user, name, value)
            database.session.commit()

    change(role="trainer")
    assert client.get("/test/who").get_data(as_text=True).startswith("ana@example.org trainer")
    assert 'href="/trainer/"' in client.get("/courses").get_data(as_text=True)
    assert post_form(other, "/logout", {}, page="/courses").status_code == 303  # ends every session of hers
    response = client.get("/test/who")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert log_in(client, "ana@example.org").status_code == 303
    assert client.get("/test/who").status_code == 200
    change(active=False)
    response = client.get(LESSON)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    change(active=True)
    assert client.get("/test/who").status_code == 200
    with own_app.app_context():
        user = database.session.scalar(select(User).where(User.email == "ana@example.org"))
        user.end_all_sessions()  # "log out everywhere"
        database.session.commit()
    response = client.get(LESSON)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_pages_that_only_read_keep_one_connection_and_one_that_breaks_is_replaced(own_app):
    """The thread takes one connection from the pool and keeps it (decision 0093), holding no transaction between
    requests; a connection the server or the file dropped is replaced, and the page is still served."""
    from sqlalchemy import event

    from learnhub.models import direct_reads

    client = own_app.test_client()
    assert log_in(client, "ana@example.org").status_code == 303
    for page in (LESSON, "/test/who", "/courses", f"/courses/{COURSE}"):  # (pages rendered once, then cached)
        assert client.get(page).status_code == 200
    with own_app.app_context():
        engine = database.engine
    taken: list[int] = []

    def checkout(*_args):
        taken.append(1)

    event.listen(engine.pool, "checkout", checkout)
    try:
        for page in (LESSON, "/test/who", "/courses", f"/courses/{COURSE}") * 5:
            assert client.get(page).status_code == 200
        assert taken == []  # every page read its person (and its key) on the kept connection
        kept = direct_reads._kept.slot[2]
        if engine.dialect.name == "sqlite":
            assert kept.driver_connection.in_transaction is False
            kept.driver_connection.close()  # as if the file went away under it
        else:
            assert kept.driver_connection.autocommit is True
            assert kept.driver_connection.info.transaction_status.name == "IDLE"  # never idle in a transaction
            with engine.connect() as other:  # the server ends its session (a restart, an administrator)
                other.exec_driver_sql(f"SELECT pg_terminate_backend({kept.driver_connection.info.backend_pid})")
            taken.clear()
        assert client.get("/test/who").get_data(as_text=True).startswith("ana@example.org trainee")
        assert taken == [1]  # one new connection, then kept
        assert direct_reads._kept.slot[2] is not kept
    finally:
        event.remove(engine.pool, "checkout", checkout)

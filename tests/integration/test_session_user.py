"""The logged-in person is read by one statement on every request (issue 14), never from a cache: a logout
elsewhere, a disabled account or a role change counts at the very next request, and the person read that way
is a full account whose changes are saved."""

from __future__ import annotations

from sqlalchemy import event, update

from learnhub.extensions import db as database
from learnhub.models import User
from learnhub.services import accounts
from tests.conftest import log_in


def test_the_session_user_is_the_whole_account_and_saves_changes(app, db, make_user):
    made = make_user(email="ana@example.org", language="en")
    user_id, token = made.id, made.session_token
    expected = {column.key: getattr(made, column.key) for column in User.__table__.columns}
    db.session.remove()
    statements: list[str] = []
    engine = db.session.get_bind().engine
    listener = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with app.test_request_context():
            user = accounts.session_user(user_id, token)
            assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
            assert "password_hash" not in statements[-1]
            assert accounts.session_user(user_id, token) is user  # the same request: no second statement
            assert {key: getattr(user, key) for key in expected} == expected  # the hash too, read when asked
            user.name = "Ana Changed"
            database.session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    db.session.remove()
    assert db.session.get(User, user_id).name == "Ana Changed"


def test_a_wrong_token_or_a_disabled_account_reads_nobody(app, db, make_user):
    made = make_user(email="ana@example.org")
    user_id, token = made.id, made.session_token
    db.session.remove()
    with app.test_request_context():
        assert accounts.session_user(user_id, "not-the-token") is None
        assert accounts.session_user(user_id + 1000, token) is None
    db.session.execute(update(User).where(User.id == user_id).values(active=False))
    db.session.commit()
    db.session.remove()
    with app.test_request_context():
        assert accounts.session_user(user_id, token) is None


def test_a_role_change_or_a_disabled_account_counts_at_the_next_request(app, db, client, make_user):
    trainer = make_user(role="trainer", email="t@example.org", language="en")
    log_in(client, "t@example.org")
    assert client.get("/trainer/").status_code == 200
    db.session.execute(update(User).where(User.id == trainer.id).values(role="trainee"))
    db.session.commit()
    assert client.get("/trainer/").status_code == 404
    db.session.execute(update(User).where(User.id == trainer.id).values(active=False))
    db.session.commit()
    assert client.get("/learning").status_code == 302  # to the login page


def test_a_logout_elsewhere_ends_this_session_at_the_next_request(app, db, make_user):
    make_user(email="ana@example.org", language="en")
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here, "ana@example.org")
    log_in(elsewhere, "ana@example.org")
    assert here.get("/learning").status_code == 200
    page = elsewhere.get("/learning").get_data(as_text=True)
    from tests.conftest import csrf_token

    elsewhere.post("/logout", data={"csrf_token": csrf_token(page)})  # logging out ends every session
    assert here.get("/learning").status_code == 302

"""LearnHubFlask (web/application.py): the per-request checks it makes once must answer as Flask's own do. The
session cookie is still refused when its signature or age is wrong, even after the same cookie was accepted."""

from __future__ import annotations

import functools
import time

import pytest
from flask import session

from learnhub.web.application import MAX_VERIFIED_COOKIES, LearnHubFlask, SessionCookies

FIRST_KEY = "first-secret-key-first-secret-key"


def small_app() -> LearnHubFlask:
    app = LearnHubFlask(__name__)
    app.secret_key = FIRST_KEY
    app.session_interface = SessionCookies()  # a fresh one: nothing remembered from another test

    @app.get("/put")
    def put():
        session["who"] = "ana"
        session["notes"] = ["first"]
        return "put"

    @app.get("/plain")
    def plain():
        session["who"] = "ana"
        session["visits"] = 1
        return "plain"

    @app.get("/change")
    def change():
        before = f"{session.get('who', '-')}:{session.get('visits', 0)}"
        session["who"] = "bea"  # in this request's session only: the cookie sent again still holds "ana"
        session["visits"] = session.get("visits", 0) + 1
        return before

    @app.get("/read")
    def read():
        notes = session.get("notes", [])
        notes.append("again")  # changed in place, as flask.flash changes its list
        return f"{session.get('who', '-')}:{len(notes)}"

    return app


def signed_cookie(app: LearnHubFlask) -> str:
    client = app.test_client()
    client.get("/put")
    return client.get_cookie("session").value


def read_with(app: LearnHubFlask, cookie: str) -> str:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/read").get_data(as_text=True)


def test_a_cookie_sent_again_reads_the_same_and_each_request_has_its_own_copy():
    app = small_app()
    cookie = signed_cookie(app)
    assert [read_with(app, cookie) for _ in range(3)] == ["ana:2", "ana:2", "ana:2"]


def test_a_plain_session_sent_again_is_remembered_decoded_and_each_request_changes_only_its_own_copy():
    app = small_app()
    client = app.test_client()
    client.get("/plain")
    cookie = client.get_cookie("session").value
    answers = []
    for _ in range(3):
        again = app.test_client()
        again.set_cookie("session", cookie)
        answers.append(again.get("/change").get_data(as_text=True))
    assert answers == ["ana:1", "ana:1", "ana:1"]
    kept = app.session_interface._kept[2][cookie]
    assert kept[1] == {"who": "ana", "visits": 1}  # remembered decoded, and unchanged by the requests


def test_a_session_holding_a_list_is_not_remembered_decoded():
    app = small_app()
    cookie = signed_cookie(app)
    assert read_with(app, cookie) == "ana:2"
    assert app.session_interface._kept[2][cookie][1] is None


@pytest.mark.parametrize("spoil", [
    # the signature's first character (its last may differ only in bits that base64 decoding drops)
    lambda cookie: cookie.rsplit(".", 1)[0] + "." + ("A" if cookie.rsplit(".", 1)[1][0] != "A" else "B")
    + cookie.rsplit(".", 1)[1][1:],
    lambda cookie: "e" + cookie[1:] if cookie[0] != "e" else "f" + cookie[1:],  # the payload
    lambda cookie: cookie.rsplit(".", 1)[0] + ".",  # no signature at all
])
def test_a_changed_cookie_is_refused_even_after_the_real_one_was_accepted(spoil):
    app = small_app()
    cookie = signed_cookie(app)
    assert read_with(app, cookie) == "ana:2"  # accepted, and remembered
    assert read_with(app, spoil(cookie)) == "-:1"  # no session at all
    assert read_with(app, cookie) == "ana:2"


def test_a_remembered_cookie_past_the_session_lifetime_is_refused(monkeypatch):
    app = small_app()
    cookie = signed_cookie(app)
    assert read_with(app, cookie) == "ana:2"
    lifetime = app.permanent_session_lifetime.total_seconds()
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + lifetime - 5)
    assert read_with(app, cookie) == "ana:2"
    monkeypatch.setattr(time, "time", lambda: now + lifetime + 5)
    assert read_with(app, cookie) == "-:1"


def test_a_cookie_signed_with_another_key_is_refused_once_the_key_changes():
    app = small_app()
    cookie = signed_cookie(app)
    assert read_with(app, cookie) == "ana:2"
    app.secret_key = "second-secret-key-second-secret-key"
    assert read_with(app, cookie) == "-:1"
    app.config["SECRET_KEY_FALLBACKS"] = [FIRST_KEY]  # Flask's key rotation still works
    assert read_with(app, cookie) == "ana:2"


def test_the_remembered_cookies_are_bounded():
    app = small_app()
    interface = app.session_interface
    for number in range(MAX_VERIFIED_COOKIES + 10):
        client = app.test_client()
        with client.session_transaction() as fresh:
            fresh["n"] = number
        client.get("/read")
    assert 0 < len(interface._kept[2]) <= MAX_VERIFIED_COOKIES


def test_ensure_sync_returns_plain_functions_and_methods_as_they_are():
    app = small_app()

    def hook():
        return None

    class Holder:
        def method(self):
            return None

    holder = Holder()
    assert app.ensure_sync(hook) is hook
    assert app.ensure_sync(holder.method) == holder.method


def test_ensure_sync_leaves_coroutine_functions_to_flask():
    app = small_app()

    async def hook():
        return None

    # Flask wraps a coroutine function, and needs its "async" extra for that, which LearnHub does not install.
    with pytest.raises(RuntimeError, match="async"):
        app.ensure_sync(hook)
    with pytest.raises(RuntimeError, match="async"):
        app.ensure_sync(functools.partial(hook))

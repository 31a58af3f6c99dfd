"""web/form_tokens: the CSRF token made with a kept signer is Flask-WTF's own token, byte for byte, and Flask-WTF's
check accepts it (decision 0094)."""

from __future__ import annotations

import secrets

import pytest
from flask import Flask, g, render_template_string, session
from flask_wtf import CSRFProtect
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from learnhub.web.form_tokens import form_token

SECRET = "form-token-secret-form-token-secret"


def small_app(**config) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=SECRET, **config)
    CSRFProtect(app)
    app.jinja_env.globals["csrf_token"] = form_token

    @app.get("/form")
    def form():
        return render_template_string('<input name="csrf_token" value="{{ csrf_token() }}">')

    @app.post("/form")
    def sent():
        return "accepted"

    return app


@pytest.fixture
def fixed_clock(monkeypatch):
    """Both makers sign the same second."""
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 1_796_000_000.4)


def both_tokens(raw) -> tuple[str, str, bool]:
    """(ours, Flask-WTF's, whether Flask-WTF's check accepts ours) for a session holding `raw`, in one second."""
    app = small_app()
    with app.test_request_context():
        session["csrf_token"] = raw
        ours = form_token()
        del g.csrf_token  # (Flask-WTF would otherwise return the one just made)
        theirs = generate_csrf()
        try:
            validate_csrf(ours)
        except (ValidationError, TypeError):  # (TypeError: Flask-WTF's compare of a raw token that is not text)
            return ours, theirs, False
        return ours, theirs, True


@pytest.mark.parametrize("raw", [secrets.token_hex(20) for _ in range(8)])
def test_the_token_is_flask_wtfs_own(raw, fixed_clock):
    ours, theirs, accepted = both_tokens(raw)
    assert ours == theirs and accepted


@pytest.mark.parametrize("raw", ["a" * 40, "ab" * 200])
def test_a_repetitive_raw_token_still_validates_though_itsdangerous_would_compress_it(raw, fixed_clock):
    # itsdangerous compresses a payload when that makes it shorter; a raw token of Flask-WTF's is 40 random hex
    # digits and never is. A repetitive one gives another token than Flask-WTF's, which its check accepts.
    ours, theirs, accepted = both_tokens(raw)
    assert ours != theirs and accepted


def test_one_token_per_request_whichever_is_asked_first():
    app = small_app()
    with app.test_request_context():
        first = generate_csrf()
        assert form_token() == first
    with app.test_request_context():
        first = form_token()
        assert generate_csrf() == first


def test_a_session_without_a_raw_token_is_given_one():
    app = small_app()
    with app.test_request_context():
        assert "csrf_token" not in session
        token = form_token()
        assert len(session["csrf_token"]) == 40
        validate_csrf(token)


@pytest.mark.parametrize("kept", [12345, ["list"], "non-ascii-é"])
def test_a_raw_token_that_is_not_ascii_text_is_left_to_flask_wtf(kept, fixed_clock):
    ours, theirs, _accepted = both_tokens(kept)  # (Flask-WTF's own check fails on some of what it signs)
    assert ours == theirs


def test_the_csrf_secret_key_is_used_when_set():
    app = small_app(WTF_CSRF_SECRET_KEY="another-key-another-key-another-key")
    with app.test_request_context():
        token = form_token()
        validate_csrf(token)
        with pytest.raises(ValidationError):
            validate_csrf(token, secret_key=SECRET)


def test_a_form_with_the_token_is_accepted_and_one_without_or_spoiled_is_refused():
    app = small_app()
    client = app.test_client()
    page = client.get("/form").get_data(as_text=True)
    token = page.split('value="', 1)[1].split('"', 1)[0]
    assert client.post("/form", data={"csrf_token": token}).status_code == 200
    assert client.post("/form", data={}).status_code == 400
    spoiled = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.post("/form", data={"csrf_token": spoiled}).status_code == 400
    other = small_app().test_client()  # another browser: its session's raw token is not this one
    other.get("/form")
    assert other.post("/form", data={"csrf_token": token}).status_code == 400

"""A fresh worker's very first page may build its objects by hand (models/row_reader) before any query has set up
SQLAlchemy's mappers in that process: an anonymous course page, or a logged-in lesson right after a worker starts
or restarts. Each is served, in a new interpreter, as the first request of the app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from learnhub.extensions import db as database
from learnhub.services import accounts
from tests.conftest import DEFAULT_PASSWORD, PROFILE, log_in
from tests.integration.learning_helpers import app_with_own_database

ROOT = Path(__file__).resolve().parents[2]
LESSON = "/courses/passwords-mfa/lessons/mfa-methods"
FIRST_REQUEST = """
import json, sys
from learnhub import create_app
config, path, cookie = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
client = create_app(config).test_client()
if cookie:
    client.set_cookie(config["SESSION_COOKIE_NAME"], cookie)
response = client.get(path)
print(json.dumps([response.status_code, response.get_data(as_text=True)]))
"""


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    app = app_with_own_database(tmp_path_factory, "fresh_worker")
    with app.app_context():
        accounts.create("ana@example.org", DEFAULT_PASSWORD, accounts.Profile(**PROFILE), verified=True)
        database.session.commit()
    return app


def first_request(app, path: str, cookie: str = "") -> tuple[int, str]:
    names = ("LEARNHUB_ENV", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "MAIL_DIR", "COURSES_DIR", "QUEUE_URL",
             "MFA_REQUIRED_ROLES", "SESSION_COOKIE_NAME")
    config = {name: app.config[name] for name in names}
    config["MFA_REQUIRED_ROLES"] = list(config["MFA_REQUIRED_ROLES"])
    done = subprocess.run([sys.executable, "-c", FIRST_REQUEST, json.dumps(config), path, cookie], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    status, body = json.loads(done.stdout.strip().splitlines()[-1])
    return status, body


def test_an_anonymous_course_page_as_a_workers_first_request(own_app):
    status, body = first_request(own_app, "/courses/passwords-mfa")
    assert status == 200
    assert "<h1>Passwords, password managers and multi-factor authentication</h1>" in body


def test_a_logged_in_lesson_as_a_workers_first_request(own_app):
    client = own_app.test_client()
    log_in(client, "ana@example.org")
    expected = client.get(LESSON)
    assert expected.status_code == 200
    status, body = first_request(own_app, LESSON, client.get_cookie(own_app.config["SESSION_COOKIE_NAME"]).value)
    assert status == 200
    assert 'name="csrf_token"' in body and "mfa-methods/done" in body

"""The `learnhub` command: creating accounts, demo accounts, and clear errors."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from learnhub.models import AuditEvent, User
from learnhub.services import passwords


def invoke(app, *args, stdin: str = ""):
    return app.test_cli_runner().invoke(args=list(args), input=stdin)


def test_users_create_reads_the_password_from_stdin(app, db):
    result = invoke(app, "users", "create", "  Marta@Ministerio.gob.pe ", "--role", "analyst",
                    "--name", "Marta Quispe", "--country", "pe", "--country", "CO",
                    stdin="three words for marta\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "marta@ministerio.gob.pe"))
    assert (user.role, user.name, user.country) == ("analyst", "Marta Quispe", "PE")
    assert user.countries_in_scope == {"PE", "CO"}
    assert passwords.verify_password(user.password_hash, "three words for marta")
    assert "created analyst marta@ministerio.gob.pe" in result.output
    assert db.session.scalar(select(AuditEvent.event).where(AuditEvent.event == "account.created_by_cli"))


def test_users_create_refuses_bad_input_with_a_clear_message(app, db, make_user):
    make_user(email="taken@example.org")
    cases = [
        (("taken@example.org",), "a long enough password", "already exists"),
        (("new@example.org",), "password1234", "too common"),
        (("new@example.org",), "short", "at least 12 characters"),
        (("new@example.org", "--role", "analyst"), "a long enough password", "needs at least one --country"),
        (("new@example.org", "--country", "US"), "a long enough password", "unknown country code US"),
    ]
    for args, password, message in cases:
        result = invoke(app, "users", "create", *args, stdin=password + "\n")
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output
        assert "Traceback" not in result.output
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_demo_accounts_only_in_development(app, db):
    result = invoke(app, "users", "demo")
    assert result.exit_code == 1
    assert "only created with LEARNHUB_ENV=development" in result.output
    assert db.session.scalar(select(User)) is None


def test_the_console_script_explains_a_configuration_error(tmp_path):
    env = {**os.environ, "LEARNHUB_ENV": "production", "LEARNHUB_INSTANCE_DIR": str(tmp_path)}
    env.pop("LEARNHUB_SECRET_KEY", None)
    learnhub = os.path.join(os.path.dirname(sys.executable), "learnhub")
    result = subprocess.run([learnhub, "db", "current"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "configuration error: LEARNHUB_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_accounts_in_development_are_printed_once(tmp_path):
    env = {**os.environ, "LEARNHUB_ENV": "development", "LEARNHUB_INSTANCE_DIR": str(tmp_path)}
    env.pop("LEARNHUB_DATABASE_URL", None)
    learnhub = os.path.join(os.path.dirname(sys.executable), "learnhub")
    subprocess.run([learnhub, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    first = subprocess.run([learnhub, "users", "demo"], env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0
    assert first.stdout.count("password: demo-") == 4 and "admin@demo.example.org" in first.stdout
    second = subprocess.run([learnhub, "users", "demo"], env=env, capture_output=True, text=True, timeout=60)
    assert "accounts exist already" in second.stdout

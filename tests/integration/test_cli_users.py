"""`learnhub users list|show|set-role|set-scope|disable|enable|reset-password` (issue 17): the admin pages'
rules and audit, exit statuses a script can test, and --json output."""

from __future__ import annotations

import json

from sqlalchemy import select

from learnhub.models import ApiToken, AuditEvent, OutboundMail, User
from learnhub.services import api_tokens


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["users", *args])


def test_list_searches_filters_and_pages_as_json(app, db, make_user):
    make_user(email="maria@example.org", name="María García")
    make_user(email="pedro@example.org", name="Pedro Alves", country="CO")
    make_user(role="trainer", email="tomas@example.org", name="Tomás Núñez")
    result = invoke(app, "list", "--search", "garcia", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [user["email"] for user in data["users"]] == ["maria@example.org"] and data["next_after"] is None
    result = invoke(app, "list", "--limit", "2", "--json")
    first = json.loads(result.stdout)
    assert [user["name"] for user in first["users"]] == ["María García", "Pedro Alves"]
    second = json.loads(invoke(app, "list", "--limit", "2", "--after", str(first["next_after"]), "--json").stdout)
    assert [user["name"] for user in second["users"]] == ["Tomás Núñez"]
    plain = invoke(app, "list", "--role", "trainer")
    assert plain.exit_code == 0 and plain.stdout.splitlines()[0].split("\t")[1:3] == ["tomas@example.org", "trainer"]
    assert invoke(app, "list", "--status", "gone").exit_code == 2


def test_show_names_an_account_by_address_or_id_and_fails_for_nobody(app, db, make_user):
    person = make_user(email="ana@example.org", name="Ana")
    by_id = json.loads(invoke(app, "show", str(person.id), "--json").stdout)
    assert by_id["email"] == "ana@example.org" and by_id["status"] == "active"
    assert "email: ana@example.org" in invoke(app, "show", "ANA@example.org").stdout
    missing = invoke(app, "show", "nobody@example.org")
    assert missing.exit_code == 1
    assert "learnhub: error: not-found:" in missing.stderr


def test_set_role_and_scope_apply_the_pages_rules_and_are_audited(app, db, make_user):
    make_user(role="admin", email="only-admin@example.org")
    person = make_user(email="ana@example.org")
    result = invoke(app, "set-role", "ana@example.org", "analyst", "--country", "do", "--region", "lac", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["changed"] is True and data["user"]["role"] == "analyst"
    assert "DO" in data["user"]["countries_in_scope"] and len(data["user"]["countries_in_scope"]) == 33
    again = json.loads(invoke(app, "set-role", "ana@example.org", "analyst", "--region", "LAC", "--json").stdout)
    assert again["changed"] is False
    scope = invoke(app, "set-scope", str(person.id), "--country", "FR", "--country", "ES", "--json")
    assert json.loads(scope.stdout)["user"]["countries_in_scope"] == ["ES", "FR"]
    assert invoke(app, "set-role", "ana@example.org", "analyst").exit_code == 1
    assert "scope-required" in invoke(app, "set-role", "ana@example.org", "analyst").stderr
    assert "unknown-country" in invoke(app, "set-scope", "ana@example.org", "--country", "US").stderr
    last = invoke(app, "set-role", "only-admin@example.org", "trainee")
    assert last.exit_code == 1 and "last-admin" in last.stderr
    assert "not-analyst" in invoke(app, "set-scope", "only-admin@example.org", "--country", "DO").stderr
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.subject_id == person.id)
                                     .order_by(AuditEvent.id)))
    assert [event.event for event in events] == ["user.role_changed", "user.scope_changed"]
    assert all(event.actor_id is None and event.detail["via"] == "cli" for event in events)
    assert events[1].detail["before"]["countries"][:2] == ["AG", "AR"]
    assert events[1].detail["after"] == {"countries": ["ES", "FR"]}


def test_disable_and_enable_end_sessions_and_tokens(app, db, make_user):
    make_user(role="admin", email="a1@example.org")
    person = make_user(role="analyst", email="ana@example.org", countries=("DO",))
    token, _plaintext = api_tokens.create(person, "script")
    db.session.commit()
    old_session = person.session_token
    result = invoke(app, "disable", "ana@example.org", "--reason", "left", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["user"]["status"] == "disabled"
    db.session.expire_all()
    changed = db.session.get(User, person.id)
    assert not changed.active and changed.session_token != old_session
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert "unchanged" in invoke(app, "disable", "ana@example.org").stdout
    assert invoke(app, "enable", "ana@example.org").exit_code == 0
    assert db.session.get(User, person.id).active
    assert "last-admin" in invoke(app, "disable", "a1@example.org").stderr


def test_reset_password_mails_a_link(app, db, make_user):
    make_user(email="lost@example.org", language="es")
    result = invoke(app, "reset-password", "lost@example.org")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("password reset forced for lost@example.org")
    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.recipient == "lost@example.org"))
    assert mail is not None and "/password/reset/" in mail.body
    assert db.session.scalar(select(User.password_hash).where(User.email == "lost@example.org")) == "!reset"

"""Second factors through the Flask client on a real database: setting up an authenticator app, the
second step at login (code, recovery code, remembered device), re-authentication, throttling of codes,
and the policy that sends roles needing a factor to set one up (decisions 0060 and 0061)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from learnhub.models import AuditEvent, RecoveryCode, RememberedDevice, TotpFactor
from learnhub.services import remembered_devices
from learnhub.web import sessions
from tests.conftest import DEFAULT_PASSWORD, csrf_token, log_in, post_form

SECRET = re.compile(r'id="totp-key">([A-Z2-7 ]+)<')
CODES = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


def enrol(client) -> tuple[pyotp.TOTP, list[str]]:
    """Set up an authenticator app for the logged-in account: returns the app and the recovery codes."""
    assert post_form(client, "/account/security/totp/start", {}, page="/account/security").status_code == 303
    page = client.get("/account/security/totp").get_data(as_text=True)
    app = pyotp.TOTP(SECRET.search(page).group(1).replace(" ", ""))
    response = client.post("/account/security/totp", data={"csrf_token": csrf_token(page), "code": app.now()})
    assert response.status_code == 200
    return app, CODES.findall(response.get_data(as_text=True))


def second_step(client, code: str, **extra):
    page = client.get("/login/second-step")
    assert page.status_code == 200
    return client.post("/login/second-step", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                   "code": code, **extra})


def next_code(app: pyotp.TOTP) -> str:
    """The code of the next time step: accepted (a phone's clock may be ahead), and newer than the one used
    to set the app up (a code of that step or an older one is refused: each works once)."""
    return app.at(time.time() + 30)


def events(db, name: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == name))


def test_setting_up_an_authenticator_shows_a_qr_code_then_ten_recovery_codes_once(client, db, make_user):
    user = make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    post_form(client, "/account/security/totp/start", {}, page="/account/security")
    setup = client.get("/account/security/totp")
    page = setup.get_data(as_text=True)
    assert setup.headers["Cache-Control"] == "no-store"
    assert 'src="data:image/svg+xml' in page and 'alt="QR code for your authenticator app' in page
    row = db.session.get(TotpFactor, user.id)
    assert row.confirmed_at is None and SECRET.search(page).group(1).replace(" ", "") == row.secret

    wrong = client.post("/account/security/totp", data={"csrf_token": csrf_token(page), "code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.get_data(as_text=True)
    app = pyotp.TOTP(row.secret)
    done = client.post("/account/security/totp", data={"csrf_token": csrf_token(page), "code": app.now()})
    codes = CODES.findall(done.get_data(as_text=True))
    assert done.headers["Cache-Control"] == "no-store"
    assert len(codes) == 10 == len(set(codes))
    stored = list(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(stored) == 10 and all(value.startswith("$argon2id$") for value in stored)
    assert not any(code.replace("-", "") in value for code in codes for value in stored)
    assert db.session.get(TotpFactor, user.id).confirmed_at is not None
    assert events(db, "account.totp_enabled") == 1
    overview = client.get("/account/security").get_data(as_text=True)
    assert "You have 10 unused recovery codes." in overview and codes[0] not in overview


def test_login_asks_for_the_code_after_the_password_and_a_code_works_once(app, client, db, make_user):
    make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    authenticator, _codes = enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})

    response = post_form(client, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD,
                                            "next": "/learning"})
    assert response.status_code == 303 and response.headers["Location"] == "/login/second-step?next=/learning"
    assert client.get("/learning").status_code == 302  # the password alone did not log in
    code = next_code(authenticator)
    done = second_step(client, code)
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert client.get("/learning").status_code == 200
    assert events(db, "auth.password_accepted") == 1
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "auth.login")
                             .order_by(AuditEvent.id.desc()).limit(1)) == {"second_factor": "totp"}

    other = app.test_client()
    post_form(other, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD})
    replayed = second_step(other, code)
    assert replayed.status_code == 400 and "used already" in replayed.get_data(as_text=True)
    assert events(db, "auth.second_step_failed") == 1


def test_a_recovery_code_logs_in_once(client, db, make_user):
    make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    _authenticator, codes = enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})
    post_form(client, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD})
    assert second_step(client, " " + codes[3].upper() + " ").status_code == 303
    assert "You have 9 unused recovery codes." in client.get("/account/security").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})
    post_form(client, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD})
    assert second_step(client, codes[3]).status_code == 400


def test_wrong_codes_are_throttled_like_passwords(client, db, make_user):
    make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    authenticator, _codes = enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})
    client.delete_cookie("learnhub_device")  # an unknown browser: the per-account limit (5 per minute)
    post_form(client, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD})
    for _ in range(5):
        assert second_step(client, "123456").status_code == 400
    refused = second_step(client, authenticator.now())
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert 'id="code-error"' in refused.get_data(as_text=True)
    assert client.get("/learning").status_code == 302
    assert events(db, "auth.second_step_throttled") == 1


def test_the_second_step_expires(client, db, make_user):
    make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})
    post_form(client, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD})
    with client.session_transaction() as session:
        pending = session[sessions.PENDING_KEY]
        session[sessions.PENDING_KEY] = {**pending, "at": pending["at"] - sessions.PENDING_SECONDS - 1}
    response = client.get("/login/second-step")
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")


def test_changing_factors_needs_the_password_again_after_ten_minutes(client, db, make_user):
    make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    with client.session_transaction() as session:
        session[sessions.AUTHENTICATED_AT_KEY] -= 11 * 60
    response = post_form(client, "/account/security/totp/start", {}, page="/account/security")
    assert response.headers["Location"] == "/account/security/confirm-password?next=/account/security"
    assert client.get("/account/security/totp").headers["Location"].startswith("/account/security/confirm-password")
    page = "/account/security/confirm-password?next=/account/security"
    wrong = post_form(client, page, {"password": "not my password at all"})
    assert wrong.status_code == 400 and "Your password is not right." in wrong.get_data(as_text=True)
    right = post_form(client, page, {"password": DEFAULT_PASSWORD})
    assert right.status_code == 303 and right.headers["Location"] == "/account/security"
    assert post_form(client, "/account/security/totp/start", {}, page="/account/security").headers[
        "Location"] == "/account/security/totp"
    assert events(db, "account.reauthentication_failed") == 1 and events(db, "account.reauthenticated") == 1


def test_removing_the_authenticator_removes_codes_and_devices(client, db, make_user):
    user = make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    enrol(client)
    response = post_form(client, "/account/security/totp/remove", {}, page="/account/security")
    assert response.status_code == 303
    assert db.session.get(TotpFactor, user.id) is None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id)) == 0
    assert events(db, "account.totp_removed") == 1


def test_a_remembered_device_skips_the_code_until_revoked_or_the_password_changes(app, client, db, make_user):
    user = make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    authenticator, _codes = enrol(client)
    logout = {"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))}
    client.post("/logout", data=logout)
    post_form(client, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD})
    assert second_step(client, next_code(authenticator), remember="y").status_code == 303
    device = db.session.scalars(select(RememberedDevice).where(RememberedDevice.user_id == user.id)).one()
    assert 29 <= (device.expires_at - device.created_at).days <= 30
    assert client.get_cookie(remembered_devices.COOKIE) is not None

    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})
    again = post_form(client, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD})
    assert again.headers["Location"] == "/"  # no second step on this browser
    assert app.test_client().get("/learning").status_code == 302

    revoked = post_form(client, f"/account/security/devices/{device.id}/revoke", {}, page="/account/security")
    assert revoked.status_code == 303 and db.session.get(RememberedDevice, device.id).revoked_at is not None
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})
    asked = post_form(client, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD})
    assert asked.headers["Location"].startswith("/login/second-step")


def test_a_password_change_forgets_remembered_devices(client, db, make_user):
    user = make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    authenticator, _codes = enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})
    post_form(client, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD})
    second_step(client, next_code(authenticator), remember="y")
    new_password = "another long phrase here"
    changed = post_form(client, "/account/password", {"current": DEFAULT_PASSWORD, "password": new_password,
                                                      "confirm": new_password})
    assert changed.status_code == 303
    assert remembered_devices.active(user) == []


@pytest.fixture
def policy(app, monkeypatch):
    """The production default: analysts and admins must have a second factor."""
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", ("analyst", "admin"))


def test_an_analyst_without_a_factor_is_sent_to_set_one_up_before_any_report(client, db, make_user, policy):
    make_user(role="analyst", email="carla@example.org", countries=("DO",), language="en")
    assert log_in(client, "carla@example.org").status_code == 303
    for path in ("/reports/", "/reports/DO", "/learning", "/account/profile"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/account/security", path
    overview = client.get("/account/security").get_data(as_text=True)
    assert "Your role requires a second factor." in overview
    enrol(client)
    assert client.get("/reports/").status_code == 200


@pytest.mark.parametrize(("role", "required"), [("trainee", False), ("trainer", False), ("admin", True)])
def test_the_policy_follows_the_role(client, db, make_user, policy, role, required):
    make_user(role=role, email=f"{role}@example.org")
    log_in(client, f"{role}@example.org")
    response = client.get("/learning")
    assert response.status_code == (303 if required else 200)


def test_trainers_can_be_required_by_configuration(app, client, db, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", ("trainer",))
    make_user(role="trainer", email="tomas@example.org")
    log_in(client, "tomas@example.org")
    assert client.get("/trainer/").headers["Location"] == "/account/security"


def test_quiz_login_takes_the_code_and_keeps_the_answers(app, client, db, make_user):
    make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    authenticator, _codes = enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})
    url = "/courses/passwords-mfa/quizzes/check-passwords-mfa"
    expired = client.post(url, data={"token": "t", "q1": "kept-answer"})
    assert expired.status_code == 401
    asked = client.post(url, data={"csrf_token": csrf_token(expired.get_data(as_text=True)), "token": "t",
                                   "q1": "kept-answer", "email": "ana@example.org", "password": DEFAULT_PASSWORD})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 401 and 'name="code"' in page and 'value="kept-answer"' in page
    assert 'name="password"' not in page
    done = client.post(url, data={"csrf_token": csrf_token(page), "token": "t", "q1": "kept-answer",
                                  "code": next_code(authenticator)})
    assert done.status_code == 404  # logged in; the made-up quiz token is then refused, as for any learner
    assert client.get("/learning").status_code == 200


def test_an_admin_resets_a_users_factors_audited_and_mailed(app, client, db, make_user, mail_dir):
    user = make_user(email="ana@example.org", language="en")
    make_user(role="admin", email="root@example.org")
    log_in(client, "ana@example.org")
    enrol(client)
    owner = client
    admin = app.test_client()
    log_in(admin, "root@example.org")
    unknown = post_form(admin, "/admin/second-factors", {"email": "nobody@example.org"})
    assert unknown.status_code == 400
    done = post_form(admin, "/admin/second-factors", {"email": "ana@example.org"})
    assert done.status_code == 303
    assert db.session.get(TotpFactor, user.id) is None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)) == 0
    assert owner.get("/learning").status_code == 302  # the owner's sessions ended
    detail = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "admin.second_factors_reset")).one()
    assert detail.detail == {"user_id": user.id, "totp": True, "passkeys": 0, "recovery_codes": 10, "devices": 0}
    mails = [path.read_text(encoding="utf-8") for path in mail_dir.glob("*.eml")]
    assert any("ana@example.org" in text and "/account/security" in text for text in mails)
    assert post_form(owner, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD}).headers[
        "Location"] == "/"  # no second step any more


def test_only_admins_reset_factors(client, db, make_user):
    make_user(role="trainer", email="tomas@example.org")
    log_in(client, "tomas@example.org")
    assert client.get("/admin/second-factors").status_code == 404

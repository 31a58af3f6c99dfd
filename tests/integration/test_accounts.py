"""Accounts through the Flask client on a real database: register, log in and out, profile, passwords."""

from __future__ import annotations

import email
import email.policy
import re

from sqlalchemy import func, select

from learnhub.models import AuditEvent, User
from learnhub.services import passwords
from tests.conftest import DEFAULT_PASSWORD, PROFILE, csrf_token, log_in, post_form

REGISTRATION = {**PROFILE, "email": "  Lucia.Fernandez@MAP.gob.do ", "password": "pan de agua con café",
                "confirm": "pan de agua con café", "ecsf_role": "", "gender": "prefer-not-to-say"}


def error_messages(response) -> list[str]:
    return re.findall(r'class="error-message"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)


def read_mail(folder) -> list:
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))]


def audit_events(db, event: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == event)))


def test_registration_creates_a_trainee_with_the_whole_profile(client, db, mail_dir):
    response = post_form(client, "/register", REGISTRATION)
    assert response.status_code == 303 and response.location == "/login"
    user = db.session.scalar(select(User).where(User.email == "lucia.fernandez@map.gob.do"))
    assert (user.role, user.country, user.sector, user.organisation_type, user.language) == (
        "trainee", "DO", "public-administration", "government", "es")
    assert user.gender == "prefer-not-to-say" and user.ecsf_role is None
    assert user.password_hash.startswith("$argon2id$")
    assert user.email_verified_at is None  # until the link in the mail is followed
    # Not logged in by the answer (it must read the same for an address that has an account): log in next.
    assert client.get("/account/profile").status_code == 302
    assert log_in(client, "lucia.fernandez@map.gob.do", REGISTRATION["password"]).status_code == 303
    assert len(audit_events(db, "account.registered")) == 1
    assert [message["To"] for message in read_mail(mail_dir)] == ["lucia.fernandez@map.gob.do"]


def test_registration_refuses_a_role_sent_in_the_form(client, db):
    post_form(client, "/register", {**REGISTRATION, "role": "admin"})
    user = db.session.scalar(select(User).where(User.email == "lucia.fernandez@map.gob.do"))
    assert user.role == "trainee"


def test_registration_errors_name_the_field_and_keep_what_was_typed(client, db):
    response = post_form(client, "/register", {**REGISTRATION, "password": "short", "confirm": "short",
                                               "country": "US"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a password of at least 12 characters." in page
    assert "Not a valid choice" in page  # country outside EU and CELAC
    assert 'value="Ministerio de Administración Pública"' in page
    assert db.session.scalar(select(User)) is None


def test_registration_in_spanish_shows_spanish_messages(client, db):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-DO,es;q=0.9"
    response = post_form(client, "/register", {**REGISTRATION, "password": "corta", "confirm": "corta"})
    page = response.get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Crear cuenta" in page
    assert "Introduzca una contraseña de al menos 12 caracteres." in page


def test_registering_a_taken_address_answers_as_for_a_new_one_and_mails_the_owner(client, db, make_user, mail_dir):
    owner = make_user(email="lucia.fernandez@map.gob.do", language="es")
    response = post_form(client, "/register", REGISTRATION)  # "  Lucia.Fernandez@MAP.gob.do ": case-insensitive
    assert response.status_code == 303 and response.location == "/login"
    assert "Check your mail" in client.get("/login").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert passwords.verify_password(db.session.get(User, owner.id).password_hash, DEFAULT_PASSWORD)  # unchanged
    (message,) = read_mail(mail_dir)
    assert message["To"] == "lucia.fernandez@map.gob.do"
    assert "/password/forgot" in message.get_content() and "/email/verify/" not in message.get_content()


def test_common_passwords_are_refused(client, db):
    for password in ("password1234", "123456789012", "Qwertyuiop123!", "aaaaaaaaaaaaaaa"):
        response = post_form(client, "/register", {**REGISTRATION, "password": password, "confirm": password})
        assert response.status_code == 400, password
        assert "too common" in response.get_data(as_text=True)


def test_login_with_right_and_wrong_password(client, db, make_user):
    user = make_user(email="ana@example.org")
    wrong = log_in(client, "ana@example.org", "not the password at all")
    assert wrong.status_code == 400
    assert "The e-mail address or password is not right." in wrong.get_data(as_text=True)
    unknown = log_in(client, "nobody@example.org", "not the password at all")
    assert error_messages(unknown) == error_messages(wrong)  # the same answer: no account probing
    right = log_in(client, " ANA@example.org ")
    assert right.status_code == 303 and right.location == "/"
    assert [e.actor_id for e in audit_events(db, "auth.login")] == [user.id]
    assert [e.detail["email"] for e in audit_events(db, "auth.login_failed")] == [
        "ana@example.org", "nobody@example.org"]


def test_login_starts_a_fresh_session(client, db, make_user):
    make_user(email="ana@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, "ana@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_ends_the_session_and_a_replayed_cookie_is_refused(client, db, make_user):
    make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    stolen = client.get_cookie("learnhub").value
    assert client.get("/account/profile").status_code == 200
    html = client.get("/account/profile").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_token(html)}).status_code == 303
    assert client.get("/account/profile").status_code == 302
    client.set_cookie("learnhub", stolen)
    replay = client.get("/account/profile")
    assert replay.status_code == 302 and replay.location.startswith("/login")


def test_logout_needs_post(client, db, make_user):
    make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    assert client.get("/logout").status_code == 405
    assert client.get("/account/profile").status_code == 200


def test_password_change_needs_current_password_and_ends_other_sessions(app, client, db, make_user):
    make_user(email="ana@example.org", language="en")
    other_device = app.test_client()
    log_in(other_device, "ana@example.org")
    log_in(client, "ana@example.org")
    wrong = post_form(client, "/account/password", {
        "current": "wrong password here", "password": "a new long passphrase", "confirm": "a new long passphrase"})
    assert "Your current password is not right." in wrong.get_data(as_text=True)
    right = post_form(client, "/account/password", {"current": DEFAULT_PASSWORD, "password": "a new long passphrase",
                                                    "confirm": "a new long passphrase"})
    assert right.status_code == 303
    assert client.get("/account/profile").status_code == 200  # this session goes on
    assert other_device.get("/account/profile").status_code == 302  # the other one is over
    client.get("/")
    assert log_in(app.test_client(), "ana@example.org", "a new long passphrase").status_code == 303


def test_profile_edit_saves_fields_but_never_the_role(client, db, make_user):
    user = make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    response = post_form(client, "/account/profile", {
        **PROFILE, "name": "Ana Pérez", "country": "CO", "sector": "health", "organisation": "Hospital San Juan",
        "organisation_type": "private", "ecsf_role": "cyber-incident-responder", "gender": "", "role": "admin"})
    assert response.status_code == 303
    user = db.session.get(User, user.id)
    assert (user.name, user.country, user.sector, user.ecsf_role, user.gender, user.role) == (
        "Ana Pérez", "CO", "health", "cyber-incident-responder", None, "trainee")


def test_password_reset_through_the_mail_folder(client, db, make_user, mail_dir):
    make_user(email="ana@example.org", language="es")
    response = post_form(client, "/password/forgot", {"email": "Ana@Example.org"})
    assert response.status_code == 303
    messages = list(mail_dir.glob("*.eml"))
    assert len(messages) == 1
    message = email.message_from_bytes(messages[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Restablezca su contraseña de LearnHub"  # in the account's language
    body = message.get_content()
    link = re.search(r"http://\S+/password/reset/(\S+)", body)
    path = f"/password/reset/{link.group(1)}"
    done = post_form(client, path, {"password": "three new words here", "confirm": "three new words here"})
    assert done.status_code == 303
    assert client.get(path).status_code == 404  # single use
    assert log_in(client, "ana@example.org", "three new words here").status_code == 303


def test_password_reset_for_unknown_email_answers_the_same_and_sends_no_link(client, db, mail_dir):
    response = post_form(client, "/password/forgot", {"email": "nobody@example.org"})
    assert response.status_code == 303 and response.location == "/login"
    assert "If an account uses nobody@example.org" in client.get("/login").get_data(as_text=True)
    (message,) = read_mail(mail_dir)  # the same work as for an account: one message, but no reset link in it
    assert message["To"] == "nobody@example.org"
    assert "no active LearnHub account uses this address" in message.get_content()
    assert "/password/reset/" not in message.get_content()


def test_expired_reset_token_is_refused(client, db, make_user):
    from datetime import timedelta

    from learnhub.services import accounts

    user = make_user(email="ana@example.org")
    token = accounts.issue_reset_token(user, timedelta(seconds=-1))
    db.session.commit()
    assert client.get(f"/password/reset/{token}").status_code == 404
    assert client.get("/password/reset/not-a-token").status_code == 404


def test_language_switcher_saves_the_choice(client, db, make_user):
    user = make_user(email="ana@example.org", language="en")
    assert 'name="csrf_token"' not in client.get("/").get_data(as_text=True)  # nothing needs a session here
    response = client.post("/language", data={"language": "es", "next": "/login"})
    assert response.status_code == 303 and response.location == "/login"
    [cookie] = response.headers.getlist("Set-Cookie")  # the visitor's choice, not a session
    assert cookie.startswith("language=es;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    login = client.get("/login")
    assert '<html lang="es">' in login.get_data(as_text=True) and "Set-Cookie" not in login.headers
    log_in(client, "ana@example.org")
    page = client.get("/").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_token(page), "language": "fr", "next": "https://evil.example"})
    assert db.session.get(User, user.id).language == "fr"


def test_a_visitor_who_logged_out_can_still_switch_the_language(client, db, make_user):
    make_user(email="ana@example.org", language="es")
    log_in(client, "ana@example.org")
    page = client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert '<html lang="es">' in client.get("/courses").get_data(as_text=True)  # still the learner's language
    response = client.post("/language", data={"language": "pt", "next": "/courses"})
    assert response.status_code == 303
    assert '<html lang="pt">' in client.get("/courses").get_data(as_text=True)
    client.post("/language", data={"language": "fr", "next": "/courses"})
    assert '<html lang="fr">' in client.get("/login").get_data(as_text=True)


def test_country_names_follow_the_language(client, db):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    spanish = client.get("/register").get_data(as_text=True)
    assert ">República Dominicana<" in spanish and ">Alemania<" in spanish
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    french = client.get("/register").get_data(as_text=True)
    assert ">République dominicaine<" in french and ">Allemagne<" in french


def test_health_reports_database_and_courses(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"
    assert isinstance(response.json["published_courses"], int)

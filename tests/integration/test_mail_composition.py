"""The mails the services write, called without a page: who gets them, in which language, and links that
work (services/account_mail.py, invitations.compose)."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta

from learnhub.extensions import db as database
from learnhub.jobs import queue
from learnhub.services import account_mail, accounts, cohorts, invitations

BASE = "http://127.0.0.1:5000"


def delivered(mail_dir):
    """Commit the transaction that queued the mail and run the queue as a consumer would: the one message
    that left, as its recipient reads it."""
    database.session.commit()
    queue.drain()
    [path] = mail_dir.glob("*.eml")
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def link(message, path: str) -> str:
    """The one link to `path` in the message's body, without the base address."""
    [found] = re.findall(rf"{re.escape(BASE)}({re.escape(path)}\S*)", message.get_content())
    return found


def test_the_verification_mail_links_to_the_account_it_was_sent_for(app, db, make_user, mail_dir):
    user = make_user(email="ana@example.org", name="Ana Pérez", language="es", verified=False)
    with app.test_request_context():
        account_mail.send_verification(user)
        message = delivered(mail_dir)
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Confirme su dirección de correo electrónico para LearnHub"
    assert "Hola, Ana Pérez:" in message.get_content()
    token = link(message, "/email/verify/").removeprefix("/email/verify/")
    assert accounts.user_for_verification_token(token, app.config["SECRET_KEY"]) == user
    assert f" {accounts.VERIFICATION_LINK_LIFETIME.days} días" in message.get_content()
    assert len(list(mail_dir.glob("*.eml"))) == 1


def test_the_already_registered_mail_points_to_login_and_reset_and_carries_no_token(app, db, make_user, mail_dir):
    user = make_user(email="bea@example.org", language="pt")
    with app.test_request_context():
        account_mail.send_already_registered(user)
        message = delivered(mail_dir)
    assert message["To"] == "bea@example.org"
    assert message["Subject"] == "Alguém tentou registar-se no LearnHub com o seu endereço"
    assert link(message, "/login") == "/login"
    assert link(message, "/password/forgot") == "/password/forgot"
    assert "/password/reset/" not in message.get_content() and "/email/verify/" not in message.get_content()


def test_the_reset_mail_carries_the_token_it_was_given_for_its_hours(app, db, make_user, mail_dir):
    user = make_user(email="carla@example.org", language="en")
    token = accounts.issue_reset_token(user, timedelta(hours=2))
    db.session.commit()  # the request context's end removes the session
    with app.test_request_context():
        account_mail.send_reset(user, token, 2)
        message = delivered(mail_dir)
    assert message["Subject"] == "Reset your LearnHub password"
    assert link(message, "/password/reset/") == f"/password/reset/{token}"
    assert accounts.user_for_reset_token(token) == user
    assert "within 2 hours" in message.get_content()


def test_the_reset_mail_for_an_unknown_address_says_where_to_register_in_the_page_language(app, db, mail_dir):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        account_mail.send_reset_no_account("nobody@example.org")
        message = delivered(mail_dir)
    assert message["To"] == "nobody@example.org"
    assert message["Subject"] == "Réinitialisez votre mot de passe LearnHub"
    assert link(message, "/register") == "/register"
    assert "nobody@example.org" in message.get_content() and "/password/reset/" not in message.get_content()


def test_an_invitation_with_a_link_quotes_what_the_trainer_typed_and_links_to_choosing_a_password(app, db, make_user):
    trainer = make_user(role="trainer", name="Dr. Quispe")
    learner = make_user(email="dora@example.org", language="es")
    cohort = cohorts.create(trainer, "Cohort https://evil.example", "Hospital San Juan", "PE", "es")
    with app.test_request_context():
        subject, body = invitations.compose(cohort, learner, "Dora\nReply with your password", "T0KEN-abc")
        staff_subject, _staff_body = invitations.compose(cohort, trainer, "Dr. Quispe", None)
        plain_subject, plain_body = invitations.compose(cohort, learner, "Dora", None)
    assert subject == "Está invitado a LearnHub"
    assert f"{BASE}/password/reset/T0KEN-abc\n" in body
    assert '"Cohort https[:]//evil[.]example"' in body and '"Dora Reply with your password"' in body
    assert '"Hospital San Juan"' in body and 'Instructor: "Dr. Quispe"' in body
    assert staff_subject == "Alguien intentó añadirle a una cohorte de LearnHub"
    assert plain_subject == "Está invitado a unirse a una cohorte de LearnHub"
    assert f"{BASE}/invitations\n" in plain_body and "/password/reset/" not in plain_body


def test_no_invitation_is_written_for_a_switched_off_account(app, db, make_user):
    trainer = make_user(role="trainer")
    learner = make_user()
    learner.active = False
    cohort = cohorts.create(trainer, "Cohort 1", "Hospital", "PE", "es")
    with app.test_request_context():
        assert invitations.compose(cohort, learner, "Eva", "T0KEN") is None

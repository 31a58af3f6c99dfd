"""No door tells whether an address has an account; e-mail verification; reset links; one e-mail rule."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from learnhub.models import User
from learnhub.services import accounts, cohort_csv, mail, passwords
from tests.conftest import PROFILE, csrf_token, fresh_database_url, log_in, make_app, post_form, upgrade_database

REGISTRATION = {**PROFILE, "email": "lucia@map.gob.do", "password": "pan de agua con café",
                "confirm": "pan de agua con café", "ecsf_role": "", "gender": ""}


def read_mail(folder) -> list:
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))]


def link_in(message, path: str) -> str:
    return re.search(rf"http://\S+({re.escape(path)}\S+)", message.get_content()).group(1)


@pytest.fixture
def costly_steps(monkeypatch):
    """Counts the steps that take time (a password hash, a mail) so both branches can be compared."""
    calls = {"hash": 0, "mail": 0}
    real_hash, real_send = passwords.hash_password, mail.send

    def counting_hash(password):
        calls["hash"] += 1
        return real_hash(password)

    def counting_send(*args, **kwargs):
        calls["mail"] += 1
        return real_send(*args, **kwargs)

    monkeypatch.setattr(passwords, "hash_password", counting_hash)
    monkeypatch.setattr(mail, "send", counting_send)
    return calls


def answer(response, client) -> tuple:
    """What the person sees: status, where they are sent, and the message shown there."""
    page = client.get(response.location).get_data(as_text=True)
    return response.status_code, response.location, re.findall(r'class="flash[^"]*">(.*?)</p>', page, re.S)


def test_register_answers_and_works_the_same_whether_or_not_the_address_exists(app, db, make_user, costly_steps,
                                                                               mail_dir):
    make_user(email="taken@map.gob.do")  # Spanish, like the registration: each mail in its reader's language
    costly_steps.update(hash=0, mail=0)
    first = app.test_client()
    new = answer(post_form(first, "/register", REGISTRATION), first)
    steps_new = dict(costly_steps)
    costly_steps.update(hash=0, mail=0)
    client = app.test_client()
    taken = answer(post_form(client, "/register", {**REGISTRATION, "email": "taken@map.gob.do"}), client)
    assert steps_new == costly_steps == {"hash": 1, "mail": 1}
    assert new[:2] == taken[:2] == (303, "/login")
    assert [text.replace("lucia@map.gob.do", "X") for text in new[2]] == \
        [text.replace("taken@map.gob.do", "X") for text in taken[2]]
    subjects = [message["Subject"] for message in read_mail(mail_dir)]
    assert sorted(subjects) == ["Alguien intentó registrarse en LearnHub con su dirección",
                                "Confirme su dirección de correo electrónico para LearnHub"]


def test_password_reset_request_works_the_same_whether_or_not_the_address_exists(app, db, make_user, costly_steps):
    make_user(email="ana@example.org")
    costly_steps.update(hash=0, mail=0)
    client = app.test_client()
    known = answer(post_form(client, "/password/forgot", {"email": "ana@example.org"}), client)
    steps_known = dict(costly_steps)
    costly_steps.update(hash=0, mail=0)
    unknown = answer(post_form(client, "/password/forgot", {"email": "nobody@example.org"}), client)
    assert steps_known == costly_steps == {"hash": 0, "mail": 1}
    assert known[:2] == unknown[:2] == (303, "/login")
    assert known[2][0].replace("ana@", "X@") == unknown[2][0].replace("nobody@", "X@")


def test_following_the_verification_link_verifies_the_address(client, db, mail_dir, monkeypatch):
    post_form(client, "/register", REGISTRATION)
    (message,) = read_mail(mail_dir)
    path = link_in(message, "/email/verify/")
    user = db.session.scalar(select(User).where(User.email == "lucia@map.gob.do"))
    assert user.email_verified_at is None
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert client.get(tampered).status_code == 404
    monkeypatch.setattr(accounts, "VERIFICATION_LINK_LIFETIME", timedelta(seconds=-1))
    assert client.get(path).status_code == 404  # expired
    monkeypatch.undo()
    response = client.get(path)
    assert response.status_code == 303 and response.location == "/login"
    assert db.session.get(User, user.id).email_verified_at is not None
    assert client.get(path).status_code == 303  # a second click is harmless


def test_an_unverified_learner_is_reminded_and_can_ask_again_a_few_times(client, db, make_user, mail_dir):
    make_user(email="ana@example.org", verified=False, language="en")
    log_in(client, "ana@example.org")
    for page in ("/learning", "/account/profile"):
        assert "Please confirm your e-mail address" in client.get(page).get_data(as_text=True), page
    statuses = []
    for _ in range(4):
        token = csrf_token(client.get("/learning").get_data(as_text=True))
        statuses.append(client.post("/email/verify", data={"csrf_token": token}).status_code)
    assert statuses == [303] * 4
    assert len(read_mail(mail_dir)) == 3  # the fourth within the hour is refused
    assert "Too many attempts" in client.get("/learning").get_data(as_text=True)
    path = link_in(read_mail(mail_dir)[-1], "/email/verify/")
    client.get(path)
    assert "Please confirm your e-mail address" not in client.get("/learning").get_data(as_text=True)


def test_registration_is_throttled_per_client_address(client, db):
    statuses = [post_form(client, "/register", {**REGISTRATION, "email": f"person{i}@map.gob.do"}).status_code
                for i in range(6)]
    assert statuses == [303] * 5 + [429]
    refused = post_form(client, "/register", {**REGISTRATION, "email": "late@map.gob.do"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 3000
    assert db.session.scalar(select(User).where(User.email == "late@map.gob.do")) is None


def test_a_password_change_voids_outstanding_reset_links(client, db, make_user, mail_dir):
    make_user(email="ana@example.org")
    post_form(client, "/password/forgot", {"email": "ana@example.org"})
    path = link_in(read_mail(mail_dir)[0], "/password/reset/")
    assert client.get(path).status_code == 200
    log_in(client, "ana@example.org")
    changed = post_form(client, "/account/password", {"current": "a quiet harbour at dawn",
                                                      "password": "another quiet harbour", "confirm":
                                                      "another quiet harbour"})
    assert changed.status_code == 303
    assert client.get(path).status_code == 404
    done = post_form(client, path, {"password": "attacker chosen words", "confirm": "attacker chosen words"},
                     page="/login")
    assert done.status_code == 404


@pytest.mark.parametrize("address", ["ana@demo.learnhub.test", "ana@mail.invalid", "ana@localhost",
                                     "not-an-address"])
def test_one_email_rule_for_every_door_that_creates_an_account(app, client, db, make_user, address):
    register = post_form(client, "/register", {**REGISTRATION, "email": address})
    assert register.status_code == 400
    cli = app.test_cli_runner().invoke(args=["users", "create", address], input="a long enough password\n")
    assert cli.exit_code == 1 and "Traceback" not in cli.output
    parsed = cohort_csv.parse_learners_csv(f"email,name\n{address},Ana\n".encode())
    assert [error.code for error in parsed.errors] == ["bad-email"]
    with pytest.raises(accounts.AccountError):
        accounts.create(address, "a long enough password", accounts.Profile(**PROFILE))
    assert db.session.scalar(select(User)) is None


def test_the_login_form_only_looks_addresses_up(client, db):
    page = log_in(client, "someone@demo.learnhub.test", "whatever the password").get_data(as_text=True)
    assert "The e-mail address or password is not right." in page and "Enter an e-mail address" not in page


def test_demo_accounts_printed_by_the_cli_log_in_through_the_form(tmp_path):
    app = make_app(fresh_database_url("demo_login", tmp_path), tmp_path, LEARNHUB_ENV="development")
    upgrade_database(app)
    result = app.test_cli_runner().invoke(args=["users", "demo"])
    assert result.exit_code == 0, result.output
    printed = re.findall(r"(\S+@\S+)\s+password: (\S+)", result.output)
    assert len(printed) == 4
    for address, password in printed:
        client = app.test_client()
        assert log_in(client, address, password).status_code == 303, address
        assert client.get("/account/profile").status_code == 200

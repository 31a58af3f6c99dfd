"""Passkeys through the Flask client on a real database, with a software authenticator whose answers the
`webauthn` package checks as it checks a browser's: add several, name, rename and remove them, sign in
with one after the password or instead of it, and the answers that must be refused (decision 0062)."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import func, select

from learnhub.models import AuditEvent, Passkey, RecoveryCode
from tests.conftest import DEFAULT_PASSWORD, csrf_token, log_in, post_form
from tests.soft_authenticator import SoftAuthenticator, b64url_decode

RP_ID, ORIGIN = "127.0.0.1", "http://127.0.0.1:5000"  # from the test app's LEARNHUB_BASE_URL
OPTIONS = re.compile(r'data-options="([^"]*)"')


def options_of(page: str) -> dict:
    return json.loads(html.unescape(OPTIONS.search(page).group(1)))


def add_passkey(client, device: SoftAuthenticator, name: str = "Portátil", origin: str | None = None):
    page = client.get("/account/security/passkeys/new").get_data(as_text=True)
    return client.post("/account/security/passkeys/new", data={
        "csrf_token": csrf_token(page), "name": name, "credential": device.create(options_of(page), origin)})


def sign_in(client, device: SoftAuthenticator, **kwargs):
    page = client.get("/login/passkey").get_data(as_text=True)
    options = options_of(page)
    return client.post("/login/passkey", data={"csrf_token": csrf_token(page),
                                               "credential": device.get(options, **kwargs)}), options


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})


def events(db, name: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == name))


@pytest.fixture
def device():
    return SoftAuthenticator(RP_ID, ORIGIN)


def test_adding_a_first_passkey_names_it_and_shows_recovery_codes_once(client, db, make_user, device):
    user = make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    page = client.get("/account/security/passkeys/new")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert re.search(r'<script src="/static/webauthn\.[0-9a-f]+\.js" defer></script>', text)
    options = options_of(text)
    assert options["rp"] == {"id": RP_ID, "name": "LearnHub"} and options["user"]["name"] == "ana@example.org"
    assert len(b64url_decode(options["user"]["id"])) == 32  # an opaque handle, not the address or the row id
    added = add_passkey(client, device, "Portátil de trabajo")
    assert added.status_code == 200 and len(re.findall(r"<li><code>", added.get_data(as_text=True))) == 10
    key = db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)).one()
    assert key.name == "Portátil de trabajo" and key.transports == ["internal"] and key.sign_count == 0
    assert events(db, "account.passkey_added") == 1

    second = SoftAuthenticator(RP_ID, ORIGIN)
    again = client.get("/account/security/passkeys/new").get_data(as_text=True)
    assert [item["id"] for item in options_of(again)["excludeCredentials"]] == [key.credential_id]
    assert add_passkey(client, second, "Llave azul").status_code == 303
    overview = client.get("/account/security").get_data(as_text=True)
    assert "Portátil de trabajo" in overview and "Llave azul" in overview
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id)) == 10  # not replaced by the second key


def test_a_passkey_needs_a_name_our_origin_and_a_fresh_challenge(client, db, make_user, device):
    make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    unnamed = add_passkey(client, device, name="  ")
    assert unnamed.status_code == 400 and 'id="name-error"' in unnamed.get_data(as_text=True)
    phished = add_passkey(client, SoftAuthenticator(RP_ID, ORIGIN), origin="https://learnhub.example.net")
    assert phished.status_code == 400
    page = client.get("/account/security/passkeys/new").get_data(as_text=True)
    answer = device.create(options_of(page))
    data = {"csrf_token": csrf_token(page), "name": "Teléfono", "credential": answer}
    assert client.post("/account/security/passkeys/new", data=data).status_code == 200
    assert client.post("/account/security/passkeys/new", data=data).status_code == 400  # challenge used once
    assert db.session.scalar(select(func.count()).select_from(Passkey)) == 1


def test_after_the_password_a_passkey_is_the_second_step(client, db, make_user, device):
    make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    add_passkey(client, device)
    log_out(client)
    assert post_form(client, "/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD}).headers[
        "Location"].startswith("/login/second-step")
    assert 'href="/login/passkey' in client.get("/login/second-step").get_data(as_text=True)
    response, options = sign_in(client, device)
    assert options["userVerification"] == "preferred"
    assert [item["id"] for item in options["allowCredentials"]] == [db.session.scalar(select(Passkey.credential_id))]
    assert response.status_code == 303 and client.get("/learning").status_code == 200
    detail = db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "auth.login")
                               .order_by(AuditEvent.id.desc()).limit(1))
    assert detail["second_factor"] == "passkey" and detail["password"] is True
    assert db.session.scalar(select(Passkey.sign_count)) == 1


def test_a_passkey_signs_in_instead_of_the_password_only_with_user_verification(app, client, db, make_user, device):
    make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    add_passkey(client, device)
    log_out(client)
    response, options = sign_in(client, device)
    assert options["userVerification"] == "required" and options.get("allowCredentials", []) == []
    assert response.status_code == 303 and client.get("/learning").status_code == 200

    other = app.test_client()
    device.verifies_user = False  # a touch without PIN or fingerprint: one factor only
    refused, _options = sign_in(other, device)
    assert refused.status_code == 400 and other.get("/learning").status_code == 302


def test_tampered_unknown_cloned_or_foreign_passkeys_are_refused(app, client, db, make_user, device):
    make_user(email="ana@example.org")
    make_user(email="bruno@example.org")
    log_in(client, "ana@example.org")
    add_passkey(client, device)
    log_out(client)
    tampered, _ = sign_in(client, device, tamper=True)
    assert tampered.status_code == 400
    unknown, _ = sign_in(client, SoftAuthenticator(RP_ID, ORIGIN))
    assert unknown.status_code == 400
    device.sign_count = 2  # the next use reports 3, below the 5 stored: a copy of the key used elsewhere
    db.session.scalars(select(Passkey)).one().sign_count = 5
    db.session.commit()
    cloned, _ = sign_in(client, device)
    assert cloned.status_code == 400
    assert events(db, "auth.passkey_failed") == 3

    bruno = app.test_client()
    log_in(bruno, "bruno@example.org")
    bruno_key = SoftAuthenticator(RP_ID, ORIGIN)
    add_passkey(bruno, bruno_key)
    log_out(bruno)
    post_form(bruno, "/login", {"email": "bruno@example.org", "password": DEFAULT_PASSWORD})
    foreign, _ = sign_in(bruno, SoftAuthenticator(RP_ID, ORIGIN))
    assert foreign.status_code == 400
    ana_instead, _ = sign_in(bruno, device)  # ana's passkey while bruno's second step is pending
    assert ana_instead.status_code == 400 and bruno.get("/learning").status_code == 302


def test_rename_and_remove_passkeys_only_ones_own(app, client, db, make_user, device):
    user = make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    add_passkey(client, device, "Viejo nombre")
    key = db.session.scalars(select(Passkey)).one()
    renamed = post_form(client, f"/account/security/passkeys/{key.id}/rename", {"name": "Nuevo nombre"},
                        page="/account/security")
    assert renamed.status_code == 303 and db.session.get(Passkey, key.id).name == "Nuevo nombre"

    make_user(email="bruno@example.org")
    bruno = app.test_client()
    log_in(bruno, "bruno@example.org")
    assert post_form(bruno, f"/account/security/passkeys/{key.id}/rename", {"name": "Mío"},
                     page="/account/security").status_code == 404
    assert post_form(bruno, f"/account/security/passkeys/{key.id}/remove", {},
                     page="/account/security").status_code == 404

    removed = post_form(client, f"/account/security/passkeys/{key.id}/remove", {}, page="/account/security")
    assert removed.status_code == 303 and db.session.get(Passkey, key.id) is None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id)) == 0  # no factor left, no codes either
    assert events(db, "account.passkey_removed") == 1


def test_an_analyst_may_meet_the_requirement_with_a_passkey(app, client, db, make_user, device, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", ("analyst", "admin"))
    make_user(role="analyst", email="carla@example.org", countries=("DO",))
    log_in(client, "carla@example.org")
    assert client.get("/reports/").headers["Location"] == "/account/security"
    assert add_passkey(client, device).status_code == 200
    assert client.get("/reports/").status_code == 200


def test_the_security_page_costs_the_same_queries_with_one_passkey_or_five(client, db, make_user):
    from tests.integration.test_learning import count_queries

    make_user(email="ana@example.org")
    log_in(client, "ana@example.org")

    def overview_queries() -> int:
        statements, stop = count_queries(db)
        try:
            assert client.get("/account/security").status_code == 200
        finally:
            stop()
        return len(statements)

    add_passkey(client, SoftAuthenticator(RP_ID, ORIGIN), "Uno")
    client.get("/account/security")  # the first visit after a change also shows its message
    one = overview_queries()
    for number in range(4):
        add_passkey(client, SoftAuthenticator(RP_ID, ORIGIN), f"Llave {number}")
    client.get("/account/security")
    assert db.session.scalar(select(func.count()).select_from(Passkey)) == 5
    assert overview_queries() <= one <= 8  # the user, totp, passkeys, codes, devices and the savepoint pair

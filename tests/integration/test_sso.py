"""Single sign-on through OpenID Connect against a real provider (the npm package oidc-provider, started by
tests/oidc_fixture.py): the happy path with just-in-time accounts, every check of the ID token (nonce,
audience, expiry, signature), no silent linking of an existing account, the provider down, domain routing
on the login page, logout (decision 0063)."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from learnhub.models import AuditEvent, SsoIdentity, User
from learnhub.services import sso_client
from learnhub.services.sso_client import SsoError
from learnhub.sso_settings import parse
from tests.conftest import csrf_token, log_in, post_form
from tests.oidc_fixture import OidcProvider

CALLBACK = "http://localhost/login/sso/"
ACCOUNTS = {
    "nora": {"email": "nora.nunez@map.gob.do", "email_verified": True, "name": "Nora Núñez", "country": "DO",
             "organisation": "Ministerio de Administración Pública"},
    "carla": {"email": "carla@map.gob.do", "email_verified": True, "name": "Carla (MAP)"},
    "sin-verificar": {"email": "carla@map.gob.do", "email_verified": False, "name": "Impostora"},
    "ajena": {"email": "someone@example.org", "email_verified": True, "name": "Ajena"},
    "pablo": {"email": "pablo@map.gob.do", "email_verified": True, "name": "Pablo"},
}


@pytest.fixture(scope="module")
def provider():
    clients = [
        {"client_id": "learnhub", "client_secret": "learnhub-test-secret",
         "redirect_uris": [CALLBACK + "map/callback"], "post_logout_redirect_uris": ["http://localhost/"]},
        {"client_id": "other-app", "client_secret": "other-test-secret",
         "redirect_uris": [CALLBACK + "other/callback"]},
    ]
    running = OidcProvider(clients, ACCOUNTS)
    yield running
    running.stop()


SECRET = "learnhub-test-secret"


def settings(issuer: str, key: str = "map", client_id: str = "learnhub", secret: str = SECRET):
    return parse(json.dumps([{
        "key": key, "name": "Ministerio de Administración Pública", "issuer": issuer, "client_id": client_id,
        "client_secret": secret, "domains": ["map.gob.do"],
        "defaults": {"country": "DO", "sector": "public-administration", "organisation_type": "government"},
    }]), production=False)


@pytest.fixture
def configured(app, provider, monkeypatch):
    sso_client.forget_cache()
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", settings(provider.issuer))
    return app.config["OIDC_PROVIDERS"][0]


def start(client, **params) -> str:
    response = client.get("/login/sso/map", query_string=params)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def come_back(client, provider, authorization_url: str, login: str):
    back = provider.sign_in(authorization_url, login, stop_at=CALLBACK)
    return client.get(back.removeprefix("http://localhost"))


def events(db, name: str) -> list[dict]:
    return list(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == name)))


def test_first_sign_in_creates_the_account_from_the_claims_and_the_next_finds_it(client, db, provider, configured):
    url = start(client, next="/learning")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(provider.issuer + "/auth?")
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == ["learnhub"]
    assert len(query["nonce"][0]) >= 32 and len(query["state"][0]) >= 32 and query["scope"] == ["openid email profile"]
    response = come_back(client, provider, url, "nora")
    assert response.status_code == 303 and response.headers["Location"] == "/learning"
    assert client.get("/learning").status_code == 200
    user = db.session.scalars(select(User).where(User.email == "nora.nunez@map.gob.do")).one()
    assert (user.name, user.country, user.organisation, user.role) == (
        "Nora Núñez", "DO", "Ministerio de Administración Pública", "trainee")
    assert user.sector == "public-administration" and user.email_verified_at is not None
    assert db.session.scalars(select(SsoIdentity.subject).where(SsoIdentity.user_id == user.id)).all() == ["nora"]
    assert events(db, "account.created_by_sso") == [{"provider": "map"}]

    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(as_text=True))})
    again = come_back(client, provider, start(client), "nora")
    assert again.status_code == 303 and client.get("/learning").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email.like("%@map.gob.do"))) == 1


def test_a_wrong_nonce_signs_nobody_in(client, db, provider, configured):
    url = start(client)
    with client.session_transaction() as session:
        session["sso_request"] = {**session["sso_request"], "nonce": "not-the-nonce-that-was-sent"}
    response = come_back(client, provider, url, "nora")
    assert response.status_code == 400
    assert client.get("/learning").status_code == 302
    assert events(db, "auth.sso_failed") == [{"provider": "map", "reason": "nonce"}]
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email.like("%@map.gob.do"))) == 0


def test_a_tampered_state_or_a_replayed_callback_is_refused(client, db, provider, configured):
    back = provider.sign_in(start(client), "nora", stop_at=CALLBACK)
    tampered = back.replace("state=", "state=x")
    assert client.get(tampered.removeprefix("http://localhost")).status_code == 400
    assert client.get(back.removeprefix("http://localhost")).status_code == 400  # the request was used up
    assert [event["reason"] for event in events(db, "auth.sso_failed")] == ["state", "state"]


@pytest.fixture
def real_token(provider):
    """A real ID token issued by the provider to another application ("other-app"), with its nonce."""
    other = settings(provider.issuer, key="other", client_id="other-app", secret="other-test-secret")[0]
    outgoing = sso_client.authorization_request(other, CALLBACK + "other/callback")
    back = provider.sign_in(outgoing.url, "nora", stop_at=CALLBACK)
    claims, id_token = sso_client.complete(other, CALLBACK + "other/callback", back, outgoing)
    return other, claims, id_token, outgoing.nonce


def test_the_id_token_checks_audience_expiry_signature_and_nonce(provider, configured, real_token):
    other, claims, id_token, nonce = real_token
    meta = sso_client.metadata(configured)
    assert claims["aud"] == "other-app" and claims["sub"] == "nora"
    assert sso_client.check_id_token(id_token, other, meta, nonce)["email"] == "nora.nunez@map.gob.do"
    with pytest.raises(SsoError) as audience:
        sso_client.check_id_token(id_token, configured, meta, nonce)  # issued to another client
    assert audience.value.code == "audience"
    with pytest.raises(SsoError) as expired:
        sso_client.check_id_token(id_token, other, meta, nonce, now=claims["exp"] + sso_client.LEEWAY_SECONDS + 1)
    assert expired.value.code == "expired"
    header, payload, signature = id_token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(SsoError) as tampered:
        sso_client.check_id_token(f"{header}.{payload}.{flipped}", other, meta, nonce)
    assert tampered.value.code == "signature"
    with pytest.raises(SsoError) as wrong_nonce:
        sso_client.check_id_token(id_token, other, meta, "another-nonce")
    assert wrong_nonce.value.code == "nonce"
    unsigned = f"{header}.{payload}."
    with pytest.raises(SsoError):
        sso_client.check_id_token(unsigned, other, meta, nonce)


def test_an_existing_account_is_never_linked_silently(app, client, db, make_user, provider, configured):
    owner = make_user(email="carla@map.gob.do", language="en")
    response = come_back(client, provider, start(client), "carla")
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")
    assert client.get("/learning").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SsoIdentity)) == 0
    assert "Log in to it once with your password" in client.get("/login").get_data(as_text=True)

    assert log_in(client, "carla@map.gob.do").status_code == 303  # the owner proves the account
    linked = db.session.scalars(select(SsoIdentity)).one()
    assert (linked.user_id, linked.provider, linked.subject) == (owner.id, "map", "carla")
    assert events(db, "account.sso_linked") == [{"provider": "map"}]

    fresh = app.test_client()
    assert come_back(fresh, provider, start(fresh), "carla").headers["Location"] == "/"
    assert fresh.get("/learning").status_code == 200


def test_an_unverified_or_foreign_e_mail_claim_takes_nothing_over(app, client, db, make_user, provider, configured):
    make_user(email="carla@map.gob.do")
    make_user(email="pablo@map.gob.do", verified=False)
    for login, reason in (("sin-verificar", "unverified"), ("pablo", "unverified"), ("ajena", "foreign-domain")):
        browser = app.test_client()
        response = come_back(browser, provider, start(browser), login)
        assert response.status_code == 403, login
        assert browser.get("/learning").status_code == 302
        assert events(db, "auth.sso_failed")[-1] == {"provider": "map", "reason": reason}
    assert db.session.scalar(select(func.count()).select_from(SsoIdentity)) == 0


def test_a_provider_that_is_down_gets_a_clear_message(app, client, db, monkeypatch):
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    sso_client.forget_cache()
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", settings(f"http://127.0.0.1:{closed}"))
    response = client.get("/login/sso/map")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Ministerio de Administración Pública cannot be reached right now" in page.replace("&#39;", "'")
    assert events(db, "auth.sso_failed") == [{"provider": "map", "reason": "unreachable"}]


def test_the_login_page_routes_a_work_address_to_its_organisation(client, db, provider, configured, make_user):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with your organisation" in page and 'name="sso_email"' in page
    routed = client.post("/login/sso", data={"sso_email": "Nora.Nunez@MAP.gob.do", "next": "/learning"})
    assert routed.status_code == 200  # a link onwards: the CSP's form-action keeps forms from leaving the site
    assert 'href="/login/sso/map?login_hint=nora.nunez@map.gob.do&amp;next=/learning"' in routed.get_data(
        as_text=True)
    unknown = client.post("/login/sso", data={"sso_email": "someone@example.org"})
    assert unknown.status_code == 400 and "No organisation signs in this address here" in unknown.get_data(as_text=True)
    tried = post_form(client, "/login", {"email": "nora.nunez@map.gob.do", "password": "wrong password here"})
    assert "Sign in with Ministerio de Administración Pública" in tried.get_data(as_text=True)


def test_without_providers_the_login_page_has_no_sso_form(client, db):
    assert 'name="sso_email"' not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso/map").status_code == 404


def test_logout_ends_the_session_at_the_provider_too(client, db, provider, configured):
    come_back(client, provider, start(client), "nora")
    response = client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(
        as_text=True))})
    assert response.status_code == 303 and response.headers["Location"] == "/logout/organisation"
    assert client.get("/learning").status_code == 302
    page = client.get("/logout/organisation").get_data(as_text=True)
    location = html.unescape(re.search(r'<a class="button primary" href="([^"]+)"', page).group(1))
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(provider.issuer + "/session/end")
    assert query["post_logout_redirect_uri"] == ["http://localhost/"] and query["id_token_hint"][0].count(".") == 2
    assert client.get("/logout/organisation").headers["Location"] == "/"  # shown once


def test_an_account_with_a_second_factor_still_takes_its_second_step(client, db, provider, configured, make_user):
    import pyotp

    from learnhub.models import TotpFactor

    user = make_user(email="carla@map.gob.do")
    secret = pyotp.random_base32()
    db.session.add(TotpFactor(user_id=user.id, secret=secret, confirmed_at=user.created_at))
    db.session.add(SsoIdentity(user_id=user.id, provider="map", subject="carla"))
    db.session.commit()
    response = come_back(client, provider, start(client), "carla")
    assert response.headers["Location"].startswith("/login/second-step")
    assert client.get("/learning").status_code == 302
    page = client.get("/login/second-step").get_data(as_text=True)
    done = client.post("/login/second-step", data={"csrf_token": csrf_token(page), "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303 and client.get("/learning").status_code == 200
    logout = client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/profile").get_data(
        as_text=True))})
    assert logout.headers["Location"] == "/logout/organisation"  # still known as a session of the provider

"""The read-only reports API and its personal tokens: hashed, shown once, revocable, scoped like their owner."""

from __future__ import annotations

import hashlib
import html
import json
import re
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from learnhub import reference
from learnhub.extensions import db as database
from learnhub.models import ApiToken, AuditEvent, User
from learnhub.models.base import utcnow
from learnhub.reports import coverage, formats
from learnhub.services import accounts, api_tokens
from learnhub.services.api_tokens import ApiTokenError
from tests.conftest import csrf_token, log_in, post_form
from tests.integration.report_helpers import published
from tests.integration.test_reports import YEAR, population  # noqa: F401  (the fixture, used by name)

TOKEN_IN_PAGE = re.compile(r"lh_[A-Za-z0-9_-]{43}")
PAGE = "/account/api-tokens"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def analyst_with_token(make_user, role="analyst", countries=("DO",), email=None):
    user = make_user(role=role, email=email or f"{role}@example.org", countries=countries)
    token, plaintext = api_tokens.create(user, "Nightly export")
    database.session.commit()
    return user, token, plaintext


def logged_in(app, make_user, role="analyst", email=None, countries=("DO",)):
    client = app.test_client()
    user = make_user(role=role, email=email or f"{role}@example.org", countries=countries, language="en")
    assert log_in(client, user.email).status_code == 303
    return client, user


def test_a_new_token_is_shown_once_and_stored_only_hashed(app, db, make_user):
    client, user = logged_in(app, make_user)
    response = post_form(client, PAGE, {"name": "Ministry dashboard", "valid_days": "365"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    plaintext = TOKEN_IN_PAGE.search(page).group(0)
    assert "it will not be shown again" in page
    assert plaintext not in response.headers.get("Set-Cookie", "")  # not kept in the session for a redirect
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert row.prefix == plaintext[:10] and row.name == "Ministry dashboard"
    assert row.expires_at - row.created_at == timedelta(days=365)
    stored = database.session.execute(select(ApiToken.__table__).where(ApiToken.id == row.id)).one()
    assert not any(plaintext in str(value) for value in stored)
    again = client.get(PAGE).get_data(as_text=True)
    assert plaintext not in again and TOKEN_IN_PAGE.search(again) is None
    assert f"{row.prefix}…" in again and "Ministry dashboard" in again
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "api_token.created"))
    assert created.actor_id == user.id and created.detail["token_id"] == row.id
    assert plaintext not in json.dumps(created.detail)
    assert client.get("/api/v1/countries", headers=bearer(plaintext)).status_code == 200


def test_the_form_explains_what_is_wrong(app, db, make_user):
    client, user = logged_in(app, make_user)
    empty = post_form(client, PAGE, {"name": "  ", "valid_days": "90"})
    assert empty.status_code == 400
    assert "Enter a name that says where the token is used." in empty.get_data(as_text=True)
    odd = post_form(client, PAGE, {"name": "x", "valid_days": "45"})
    assert odd.status_code == 400 and "Not a valid choice" in odd.get_data(as_text=True)
    for number in range(api_tokens.MAX_ACTIVE_TOKENS):
        api_tokens.create(user, f"token {number}")
    db.session.commit()
    full = post_form(client, PAGE, {"name": "eleventh", "valid_days": "90"})
    assert full.status_code == 400
    assert "You already have 10 active tokens." in full.get_data(as_text=True)
    assert TOKEN_IN_PAGE.search(full.get_data(as_text=True)) is None


def test_the_service_keeps_its_rules(db, make_user):
    analyst = make_user(role="analyst", countries=("DO",))
    for name, days, code in (("", 90, "name-required"), ("x" * 81, 90, "name-too-long"),
                             ("ok", 45, "unknown-validity")):
        with pytest.raises(ApiTokenError) as error:
            api_tokens.create(analyst, name, days)
        assert error.value.code == code
    for role in ("trainee", "trainer"):
        with pytest.raises(ApiTokenError) as error:
            api_tokens.create(make_user(role=role), "mine")
        assert error.value.code == "role-not-allowed"
    tokens = [api_tokens.create(analyst, f"t{n}")[0] for n in range(10)]
    with pytest.raises(ApiTokenError) as error:
        api_tokens.create(analyst, "one too many")
    assert error.value.code == "too-many-tokens"
    api_tokens.revoke(analyst, tokens[0].id)
    tokens[1].expires_at = utcnow() - timedelta(seconds=1)
    newest, _ = api_tokens.create(analyst, "room again")  # revoked and expired tokens do not count
    api_tokens.create(analyst, "and again")
    assert api_tokens.for_user(analyst)[1].id == newest.id and len(api_tokens.for_user(analyst)) == 12


def test_the_default_validity_is_ninety_days(db, make_user):
    token, plaintext = api_tokens.create(make_user(role="admin"), "default")
    assert token.expires_at - token.created_at == timedelta(days=90)
    assert plaintext.startswith("lh_") and len(plaintext) == 46


def test_a_revoked_token_is_refused(app, db, make_user):
    client, user = logged_in(app, make_user)
    token, plaintext = api_tokens.create(user, "script")
    db.session.commit()
    assert client.get("/api/v1/coverage/DO", headers=bearer(plaintext)).status_code == 200
    page = client.get(PAGE).get_data(as_text=True)
    response = client.post(f"{PAGE}/{token.id}/revoke", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303 and response.location == PAGE
    refused = client.get("/api/v1/coverage/DO", headers=bearer(plaintext))
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert refused.json == {"error": "A valid API token is required: send the header 'Authorization: Bearer <token>'."}
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    revoked = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "api_token.revoked"))
    assert revoked.detail["token_id"] == token.id and revoked.actor_id == user.id
    assert "Revoked on" in client.get(PAGE).get_data(as_text=True)


def test_an_expired_token_is_refused(client, db, make_user):
    _, token, plaintext = analyst_with_token(make_user)
    assert client.get("/api/v1/countries", headers=bearer(plaintext)).status_code == 200
    db.session.get(ApiToken, token.id).expires_at = utcnow() - timedelta(minutes=1)  # the request ended the session
    db.session.commit()
    assert client.get("/api/v1/countries", headers=bearer(plaintext)).status_code == 401


def test_another_users_token_cannot_be_revoked(app, db, make_user):
    _, token, plaintext = analyst_with_token(make_user, email="owner@example.org")
    other, _ = logged_in(app, make_user, email="other@example.org")
    page = other.get(PAGE).get_data(as_text=True)
    assert "Nightly export" not in page and "You have no API token yet." in page
    assert other.post(f"{PAGE}/{token.id}/revoke", data={"csrf_token": csrf_token(page)}).status_code == 404
    assert other.post(f"{PAGE}/99999/revoke", data={"csrf_token": csrf_token(page)}).status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None
    assert app.test_client().get("/api/v1/countries", headers=bearer(plaintext)).status_code == 200


@pytest.mark.parametrize("role", ["trainee", "trainer"])
def test_trainees_and_trainers_cannot_reach_the_token_pages(app, db, make_user, role):
    _, token, _ = analyst_with_token(make_user, email="owner@example.org")
    client, _ = logged_in(app, make_user, role=role, countries=())
    assert client.get(PAGE).status_code == 404
    token_field = csrf_token(client.get("/account/profile").get_data(as_text=True))
    assert client.post(PAGE, data={"csrf_token": token_field, "name": "x", "valid_days": "90"}).status_code == 404
    assert client.post(f"{PAGE}/{token.id}/revoke", data={"csrf_token": token_field}).status_code == 404
    assert "/account/api-tokens" not in client.get("/account/profile").get_data(as_text=True)
    assert db.session.scalar(select(ApiToken).where(ApiToken.id != token.id)) is None
    assert app.test_client().get(PAGE).status_code == 302


def test_the_token_pages_are_linked_for_analysts(app, db, make_user):
    client, _ = logged_in(app, make_user)
    assert 'href="/account/api-tokens"' in client.get("/reports/").get_data(as_text=True)
    assert 'href="/account/api-tokens"' in client.get("/account/profile").get_data(as_text=True)


@pytest.mark.usefixtures("population")
def test_an_analyst_token_reads_only_the_analysts_countries(app, client, db, make_user):
    _, _, plaintext = analyst_with_token(make_user)
    headers = bearer(plaintext)
    assert client.get("/api/v1/countries", headers=headers).json == {
        "countries": [{"code": "DO", "name": "Dominican Republic"}]}
    own = client.get(f"/api/v1/coverage/DO?year={YEAR}", headers=headers)
    assert own.status_code == 200 and own.json["country"] == "DO"
    assert own.json["headline"] == {m: published(app, value, "DO", YEAR, "total", "", m) for m, value in {
        "population": 24, "enrolled": 24, "active": 24, "completed": 20, "certified": 20, "current": 20}.items()}
    assert client.get("/api/v1/coverage/do", headers=headers).json["country"] == "DO"
    assert client.get("/api/v1/coverage/DO?country=CO", headers=headers).json["country"] == "DO"
    unknown = client.get("/api/v1/coverage/XX", headers=headers)
    assert unknown.status_code == 404
    for path in ("/api/v1/coverage/CO", "/api/v1/coverage/co", "/api/v1/coverage/Co",
                 f"/api/v1/coverage/CO?year={YEAR}", "/api/v1/coverage/CO/", "/api/v1/coverage/%43O",
                 "/api/v1/coverage/DO/../CO", "/api/v1/coverage/DO%2FCO",
                 "/api/v1/coverage/CO.json", "/api/v1/coverage/CO%00", "/api/v1/coverage/%EF%BC%A3%EF%BC%AF",
                 "/api/v1/coverage/ CO", "/api/v1/coverage/DO?year=1999", f"/api/v1/coverage/DO?year={YEAR + 2}",
                 "/api/v1/coverage/", "/api/v1/coverage"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json == unknown.json == {"error": "Not found."}, path
        assert response.headers["Cache-Control"] == "no-store", path
    bad_year = client.get("/api/v1/coverage/DO?year=abc", headers=headers)
    assert bad_year.status_code == 400 and bad_year.json["parameter"] == "year"
    assert client.get("/api/v1/coverage/DO?year=2_026", headers=headers).status_code == 400


@pytest.mark.usefixtures("population")
def test_an_admin_token_reads_every_country(client, db, make_user):
    _, _, plaintext = analyst_with_token(make_user, role="admin", countries=())
    listed = client.get("/api/v1/countries", headers=bearer(plaintext)).json["countries"]
    assert [c["code"] for c in listed] == sorted(reference.country_regions()) and len(listed) == 60
    for country in ("CO", "DO", "ES", "BR"):
        response = client.get(f"/api/v1/coverage/{country}?year={YEAR}", headers=bearer(plaintext))
        assert response.status_code == 200 and response.json["country"] == country
    assert client.get("/api/v1/coverage/CO", headers=bearer(plaintext)).json["headline"]["population"] is None


@pytest.mark.usefixtures("population")
def test_the_document_is_the_dashboards_json_in_english(app, db, make_user, monkeypatch):
    monkeypatch.setattr(coverage, "utcnow", lambda: datetime(2026, 3, 1, 12, 0, 0))
    user, _, plaintext = analyst_with_token(make_user)
    user.language = "es"
    db.session.commit()
    response = app.test_client().get(f"/api/v1/coverage/DO?year={YEAR}",
                                     headers={**bearer(plaintext), "Accept-Language": "es"})
    assert response.mimetype == "application/json"
    with app.test_request_context(), force_locale("en"):
        expected, _ = formats.render(coverage.build("DO", YEAR, app.config["SUPPRESSION_K"]), "json", "en")
    assert response.data == expected
    document = json.loads(response.data)
    assert document["generated_at"] == "2026-03-01T12:00:00Z" and document["note"].startswith("Counts of distinct")
    energy = next(row for row in document["cuts"]["sector"] if row["key"] == "energy")
    assert energy["population"] is None  # 4 learners: suppressed, as null


@pytest.mark.usefixtures("population")
def test_a_token_stops_working_when_its_owner_loses_the_role_or_the_country(client, db, make_user):
    user, _, plaintext = analyst_with_token(make_user, countries=("DO", "CO"))
    assert client.get("/api/v1/coverage/CO", headers=bearer(plaintext)).status_code == 200
    user = db.session.get(User, user.id)
    user.analyst_countries = [c for c in user.analyst_countries if c.country == "DO"]
    db.session.commit()
    assert client.get("/api/v1/coverage/CO", headers=bearer(plaintext)).status_code == 404  # scope read at call time
    accounts.set_role(db.session.get(User, user.id), "trainee")
    db.session.commit()
    assert client.get("/api/v1/coverage/DO", headers=bearer(plaintext)).status_code == 401
    assert client.get("/api/v1/countries", headers=bearer(plaintext)).status_code == 401
    accounts.set_role(db.session.get(User, user.id), "analyst", ("DO",))
    db.session.commit()
    assert client.get("/api/v1/countries", headers=bearer(plaintext)).status_code == 401  # revoked, not paused
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id)) is not None


def test_a_token_of_a_deactivated_account_is_refused(client, db, make_user):
    user, _, plaintext = analyst_with_token(make_user)
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/countries", headers=bearer(plaintext)).status_code == 401


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"}, {"Authorization": "Bearer lh_nosuchtoken"},
                                     {"Authorization": "Basic YW5hbHlzdDpwYXNzd29yZA=="}, {"X-Api-Token": "x"}])
def test_a_logged_in_browser_without_a_token_is_refused(app, db, make_user, headers):
    client, _ = logged_in(app, make_user)
    assert client.get("/reports/DO").status_code == 200  # the cookie is good for the pages
    for path in ("/api/v1/countries", "/api/v1/coverage/DO"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="LearnHub API"'
        assert response.headers["Cache-Control"] == "no-store"
        assert set(response.json) == {"error"}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event.like("api.%"))) is None


@pytest.mark.usefixtures("population")
def test_every_call_with_a_token_is_audited(client, db, make_user):
    user, token, plaintext = analyst_with_token(make_user)
    assert token.last_used_at is None
    for path in ("/api/v1/countries", f"/api/v1/coverage/DO?year={YEAR}", "/api/v1/coverage/CO",
                 "/api/v1/coverage/DO?year=abc"):
        client.get(path, headers=bearer(plaintext))
    client.get("/api/v1/countries", headers=bearer("lh_" + "x" * 43))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.event.like("api.%")).order_by(AuditEvent.id)).all()
    assert [(e.event, e.actor_id, e.detail["token_id"], e.detail["status"], e.detail.get("country"))
            for e in events] == [("api.countries_read", user.id, token.id, 200, None),
                                 ("api.coverage_read", user.id, token.id, 200, "DO"),
                                 ("api.coverage_read", user.id, token.id, 404, "CO"),
                                 ("api.coverage_read", user.id, token.id, 400, "DO")]
    assert events[1].detail["year"] == YEAR and events[1].ip == "127.0.0.1"
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_calls_are_limited_per_token(app, client, db, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    _, _, first = analyst_with_token(make_user, email="first@example.org")
    _, _, second = analyst_with_token(make_user, email="second@example.org")
    statuses = [client.get("/api/v1/countries", headers=bearer(first)).status_code for _ in range(3)]
    limited = client.get("/api/v1/coverage/DO", headers=bearer(first))
    assert statuses == [200, 200, 200] and limited.status_code == 429
    assert limited.json["error"].startswith("Too many requests") and "Retry-After" in limited.headers
    assert limited.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/countries", headers=bearer(second)).status_code == 200


def test_wrong_tokens_share_one_allowance_per_address(app, client, db, make_user, monkeypatch):
    """Inventing a new token for each call gains nothing: wrong tokens count against the caller's address."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    statuses = [client.get("/api/v1/countries", headers=bearer(f"lh_{'x' * 42}{n}")).status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    _, _, good = analyst_with_token(make_user)
    assert client.get("/api/v1/countries", headers=bearer(good)).status_code == 200  # its own allowance


def test_api_errors_are_json(client, db):
    for path, method, status in (("/api/v1/nowhere", "get", 404), ("/api/v1/countries", "post", 405),
                                 ("/api/v1/openapi.json", "delete", 405)):
        response = getattr(client, method)(path)
        assert response.status_code == status and response.mimetype == "application/json", path
        assert "error" in response.json
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)  # pages stay HTML


def test_the_openapi_document_describes_every_route(app, client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document["openapi"] == "3.0.3"
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes[path] = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert set(routes) == set(document["paths"]) == {"/api/v1/openapi.json", "/api/v1/countries",
                                                     "/api/v1/coverage/{country}", "/api/v1/regions/{region}"}
    for path, methods in routes.items():
        assert set(document["paths"][path]) == methods, path
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    for path in ("/api/v1/countries", "/api/v1/coverage/{country}", "/api/v1/regions/{region}"):
        assert {"200", "401", "429"} <= set(document["paths"][path]["get"]["responses"]), path
    for path in ("/api/v1/coverage/{country}", "/api/v1/regions/{region}"):
        assert {"400", "404"} <= set(document["paths"][path]["get"]["responses"]), path
    assert "null means suppressed" in document["info"]["description"]
    references = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(document))
    assert references and set(references) <= set(document["components"]["schemas"])


@pytest.mark.usefixtures("population")
def test_the_region_comparison_through_the_api_is_the_download_and_is_scoped(app, client, db, make_user):
    _, token, plaintext = analyst_with_token(make_user, countries=("DO", "CO"))
    response = client.get(f"/api/v1/regions/lac?year={YEAR}", headers=bearer(plaintext))
    assert response.status_code == 200
    assert [line["country"] for line in response.json["countries"]] == ["CO", "DO"]
    assert response.json["countries"][1]["population"] == published(app, 24, "DO", YEAR, "total", "", "population")
    assert response.json["countries"][0]["population"] is None  # 2 learners in CO
    assert response.json["total"]["population"] is None  # it would give CO's 2 away
    assert client.get(f"/api/v1/regions/eu?year={YEAR}", headers=bearer(plaintext)).json["countries"] == []
    assert client.get("/api/v1/regions/africa", headers=bearer(plaintext)).status_code == 404
    assert client.get("/api/v1/regions/lac?year=20x6", headers=bearer(plaintext)).status_code == 400
    assert client.get("/api/v1/regions/lac").status_code == 401
    events = database.session.scalars(select(AuditEvent).where(AuditEvent.event == "api.region_read")
                                      .order_by(AuditEvent.id)).all()
    assert [(event.detail["status"], event.detail["token_id"]) for event in events] == [
        (200, token.id), (200, token.id), (404, token.id), (400, token.id)]
    assert events[0].detail["countries"] == ["CO", "DO"]


def test_the_token_list_reads_in_spanish_with_each_state(app, db, make_user):
    """A token's state is a singular adjective ("Activo"), not the report column "Activos"."""
    user = make_user(role="analyst", email="analista@example.org", countries=("DO",), language="es")
    api_tokens.create(user, "Tablero nocturno")
    expired, _ = api_tokens.create(user, "Exportación vieja")
    expired.expires_at = utcnow() - timedelta(days=1)
    database.session.commit()
    client = app.test_client()
    assert log_in(client, user.email).status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    cells = re.findall(r"<td>([^<]*)</td>", page)
    assert "Activo" in cells and "Vencido" in cells
    assert "Activos" not in cells


@pytest.mark.parametrize(("language", "hint"), [
    ("en", "Send it in the Authorization header: Bearer "), ("es", "Envíelo en el encabezado Authorization: Bearer "),
    ("fr", "Envoyez-le dans l’en-tête Authorization\u202f: Bearer ")])
def test_the_header_hint_names_the_header_once(app, db, make_user, language, hint):
    """Issue 20: the hint read "Authorization: Authorization: Bearer lh_…"."""
    user = make_user(role="analyst", email=f"hint-{language}@example.org", countries=("DO",), language=language)
    client = app.test_client()
    assert log_in(client, user.email).status_code == 303
    page = html.unescape(post_form(client, PAGE, {"name": "Nightly", "valid_days": "30"}).get_data(as_text=True))
    token = TOKEN_IN_PAGE.search(page).group(0)
    assert f"{hint}{token[:10]}…" in page
    assert "Authorization: Authorization" not in page and "Authorization\u202f: Authorization" not in page

"""The security checklist, one test per row: headers, cookies, CSRF, throttling, errors, access matrix."""

from __future__ import annotations

import pytest
from flask import Blueprint

from learnhub.models.users import ROLES
from tests.conftest import DEFAULT_PASSWORD, csrf_token, log_in, make_app


def test_security_headers_on_every_page(client):
    for path in ("/", "/login", "/register", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                          "frame-ancestors 'none'", "form-action 'self'"):
            assert directive in csp, (path, directive)
        assert "unsafe-inline" not in csp and "script-src" not in csp.replace("default-src", "")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin" and "camera=()" in headers["Permissions-Policy"]
        assert all(len(headers.getlist(name)) == 1 for name in (
            "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
            "Permissions-Policy", "Cross-Origin-Opener-Policy")), path
        assert "Strict-Transport-Security" not in headers  # production only (below)


def test_pages_carry_no_inline_script(client):
    for path in ("/", "/login", "/register", "/password/forgot"):
        page = client.get(path).get_data(as_text=True)
        assert "<script" not in page and " onclick=" not in page and "javascript:" not in page


def test_account_pages_are_not_cached(client, make_user):
    make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    assert client.get("/account/profile").headers["Cache-Control"] == "no-store"
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags_in_development(client, make_user):
    make_user(email="ana@example.org")
    response = log_in(client, "ana@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_and_host_only_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNHUB_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("LEARNHUB_BASE_URL", "https://learnhub.example.org")
    monkeypatch.setenv("LEARNHUB_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("LEARNHUB_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")  # production refuses memory://
    app = make_app(f"sqlite:///{tmp_path / 'p.db'}", tmp_path, LEARNHUB_ENV="production")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    response = app.test_client().get("/", base_url="https://learnhub.example.org")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("token", [None, "", "forged-token", "foreign"])
def test_forms_refuse_a_missing_or_foreign_csrf_token(app, client, make_user, token):
    make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    if token == "foreign":  # a valid token, but from someone else's session
        make_user(email="eve@example.org")
        other = app.test_client()
        log_in(other, "eve@example.org")
        token = csrf_token(other.get("/account/profile").get_data(as_text=True))
    data = {"name": "Ana Typed", "password": DEFAULT_PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/account/profile", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please send the form again" in page
    assert 'value="Ana Typed"' in page  # what was typed is kept
    assert DEFAULT_PASSWORD not in page  # but never a password
    assert client.get("/account/profile").status_code == 200


@pytest.mark.parametrize("headers, accepted", [
    ({}, True),  # no browser statement at all: a program, not another site's page
    ({"Sec-Fetch-Site": "same-origin"}, True), ({"Sec-Fetch-Site": "none"}, True),
    ({"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, False),  # Sec-Fetch-Site decides
    ({"Sec-Fetch-Site": "same-site"}, False),  # a sibling subdomain is another site too
    ({"Origin": "http://localhost"}, True), ({"Origin": "https://evil.example"}, False), ({"Origin": "null"}, False),
    ({"Referer": "http://localhost/login"}, True), ({"Referer": "https://evil.example/login"}, False),
])
def test_anonymous_forms_refuse_a_form_sent_from_another_site(client, make_user, headers, accepted):
    make_user(email="ana@example.org", language="en")
    response = client.post("/login", data={"email": "ana@example.org", "password": DEFAULT_PASSWORD},
                           headers=headers)
    if accepted:
        assert response.status_code == 303
        assert client.get("/account/profile").status_code == 200
    else:
        assert response.status_code == 400 and "Please send the form again" in response.get_data(as_text=True)
        assert "Send again" not in response.get_data(as_text=True)
        assert client.get("/account/profile").status_code == 302
    language = client.post("/language", data={"language": "es"}, headers=headers)
    assert language.status_code == (303 if accepted else 400)


def test_anonymous_pages_set_no_cookie_and_may_be_kept_by_a_shared_cache(app, client):
    for path in ("/", "/courses", "/courses/passwords-mfa", "/login", "/register", "/password/forgot"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert 'name="csrf_token"' not in response.get_data(as_text=True), path
        assert response.headers["Cache-Control"] == "public, max-age=60", path
        assert set(response.headers.get_all("Vary")) >= {"Cookie", "Accept-Language"}, path


def test_logged_in_pages_are_never_public(client, make_user):
    make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    for path in ("/", "/courses", "/courses/passwords-mfa", "/learning"):
        assert "public" not in client.get(path).headers.get("Cache-Control", ""), path


def test_logout_needs_csrf_and_the_language_switch_a_form_from_this_site(client, make_user):
    make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    assert client.post("/logout").status_code == 400
    assert client.get("/account/profile").status_code == 200
    assert client.post("/language", data={"language": "es"}, headers={"Origin": "https://evil.example"}
                       ).status_code == 400
    assert client.post("/language", data={"language": "es"}, headers={"Origin": "http://localhost"}
                       ).status_code == 303


def test_login_is_throttled_per_account(client, make_user):
    make_user(email="ana@example.org")
    statuses = [log_in(client, "ana@example.org", f"wrong password number {i}").status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]
    blocked = log_in(client, "ana@example.org")  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert log_in(client, "someone.else@example.org", "whatever password").status_code == 400


def test_successful_logins_do_not_count_against_the_account(client, make_user):
    make_user(email="ana@example.org")
    for _ in range(7):
        assert log_in(client, "ana@example.org").status_code == 303
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})


def test_login_is_throttled_per_ip(app, client, make_user):
    for i in range(30):
        assert log_in(client, f"user{i}@example.org", "wrong password here").status_code == 400
    assert log_in(client, "user99@example.org", "wrong password here").status_code == 429


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "https:evil.example", "https://evil.example", "javascript:alert(1)",
    "/%2F%2Fevil.example", "%2F%2Fevil.example", "/\t/evil.example", "\t//evil.example", "/%5Cevil.example",
    "/%252F%252Fevil.example", "http:/evil.example", "//", " /account",
])
def test_login_never_redirects_off_site(client, make_user, target):
    make_user(email="ana@example.org")
    client.get("/login", query_string={"next": target})
    response = client.post("/login", data={"email": "ana@example.org", "password": DEFAULT_PASSWORD, "next": target})
    assert response.status_code == 303
    assert response.location == "/"


def test_login_follows_a_local_next(client, make_user):
    make_user(email="ana@example.org")
    page = client.get("/login?next=/account/profile").get_data(as_text=True)
    assert 'value="/account/profile"' in page
    response = client.post("/login", data={"email": "ana@example.org", "password": DEFAULT_PASSWORD,
                                           "next": "/account/profile"})
    assert response.location == "/account/profile"


def test_errors_show_a_friendly_page_without_traceback(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'e.db'}", tmp_path)
    boom = Blueprint("boom", __name__)

    @boom.get("/boom")
    def explode():
        raise RuntimeError("secret internal detail")

    app.register_blueprint(boom)
    client = app.test_client()
    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page and "error code" in page
    assert "Traceback" not in page and "secret internal detail" not in page and "RuntimeError" not in page
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and "Page not found" in missing.get_data(as_text=True)


# Every route, every role: the status each one gets. New routes must be added here (see the test below).
def statuses(anonymous: int, logged_in: int, **by_role: int) -> dict[str, int]:
    """Expected status per role: anonymous, then every logged-in role unless named."""
    return {"anonymous": anonymous, **{role: by_role.get(role, logged_in) for role in ROLES}}


ROUTE_MATRIX = {
    ("GET", "/"): statuses(200, 200),
    ("GET", "/health"): statuses(200, 200),
    ("GET", "/login"): statuses(200, 200),
    ("GET", "/register"): statuses(200, 302),
    ("GET", "/password/forgot"): statuses(200, 200),
    ("GET", "/password/reset/<token>"): statuses(404, 404),
    ("GET", "/email/verify/<token>"): statuses(404, 404),
    ("POST", "/email/verify"): statuses(302, 303),
    ("GET", "/account/profile"): statuses(302, 200),
    ("GET", "/account/password"): statuses(302, 200),
    ("GET", "/account/api-tokens"): statuses(302, 404, analyst=200, admin=200),
    ("POST", "/account/api-tokens/<id:token_id>/revoke"): statuses(302, 404),
    ("GET", "/courses"): statuses(200, 200),
    ("GET", "/courses/<course_id>"): statuses(200, 200),
    ("GET", "/courses/<course_id>/lessons/<item_key>"): statuses(302, 200),
    ("GET", "/courses/<course_id>/media/<path:filename>"): statuses(200, 200),
    ("GET", "/courses/<course_id>/quizzes/<item_key>"): statuses(302, 200),
    ("POST", "/courses/<course_id>/quizzes/<item_key>"): statuses(401, 404),
    ("POST", "/courses/<course_id>/enrol"): statuses(302, 303),
    ("POST", "/courses/<course_id>/lessons/<item_key>/done"): statuses(302, 303),
    ("GET", "/attempts/<id:attempt_id>"): statuses(302, 404),
    ("GET", "/learning"): statuses(302, 200),
    ("GET", "/certificates/<code>.pdf"): statuses(302, 404),
    ("GET", "/verify/<code>"): statuses(404, 404),
    ("GET", "/certificates/<code>/badge.<any(json, png, svg):kind>"): statuses(302, 404),
    ("GET", "/badges/status/<id:number>"): statuses(200, 200),
    ("GET", "/.well-known/did.json"): statuses(200, 200),
    ("GET", "/did.json"): statuses(200, 200),
    ("POST", "/learning/notices/dismiss"): statuses(302, 303),
    ("GET", "/invitations"): statuses(302, 200),
    ("POST", "/invitations/<id:cohort_id>/accept"): statuses(302, 404),
    ("POST", "/invitations/<id:cohort_id>/decline"): statuses(302, 404),
    ("GET", "/trainer/"): statuses(302, 404, trainer=200, admin=200),
    ("GET", "/trainer/cohorts/<id:cohort_id>"): statuses(302, 404),
    ("POST", "/trainer/cohorts/<id:cohort_id>/people"): statuses(302, 404),
    ("POST", "/trainer/cohorts/<id:cohort_id>/import"): statuses(302, 404),
    ("POST", "/trainer/cohorts/<id:cohort_id>/import/confirm"): statuses(302, 404),
    ("POST", "/trainer/cohorts/<id:cohort_id>/invitations/send"): statuses(302, 404),
    ("POST", "/trainer/cohorts/<id:cohort_id>/invitations/resend"): statuses(302, 404),
    ("POST", "/trainer/cohorts/<id:cohort_id>/assignments"): statuses(302, 404),
    ("GET", "/trainer/cohorts/<id:cohort_id>/assignments/<id:assignment_id>"): statuses(302, 404),
    ("POST", "/trainer/cohorts/<id:cohort_id>/assignments/<id:assignment_id>"): statuses(302, 404),
    ("GET", "/trainer/cohorts/<id:cohort_id>/people/<id:learner_id>/remove"): statuses(302, 404),
    ("POST", "/trainer/cohorts/<id:cohort_id>/people/<id:learner_id>/remove"): statuses(302, 404),
    ("GET", "/trainer/cohorts/<id:cohort_id>/progress"): statuses(302, 404),
    ("GET", "/trainer/cohorts/<id:cohort_id>/progress.<any(csv, xlsx):fmt>"): statuses(302, 404),
    ("GET", "/trainer/cohorts/<id:cohort_id>/learners/<id:learner_id>"): statuses(302, 404),
    ("GET", "/trainer/certificates/<code>/revoke"): statuses(302, 404),
    ("POST", "/trainer/certificates/<code>/revoke"): statuses(302, 404),
    ("GET", "/trainer/quizzes"): statuses(302, 404, trainer=200, admin=200),
    ("GET", "/trainer/quizzes/<course_id>/<item_key>/analysis"): statuses(302, 404, trainer=200, admin=200),
    ("GET", "/trainer/quizzes/<course_id>/<item_key>/regrade"): statuses(302, 404, trainer=200, admin=200),
    ("GET", "/trainer/quizzes/<course_id>/<item_key>/gift"): statuses(302, 404, trainer=200, admin=200),
    ("GET", "/trainer/marking"): statuses(302, 404, trainer=200, admin=200),
    ("GET", "/trainer/marking/<id:attempt_id>/<question_id>"): statuses(302, 404),
    ("GET", "/trainer/content"): statuses(302, 404, trainer=200, admin=200),
    ("GET", "/trainer/campaigns/"): statuses(302, 404, trainer=200, admin=200),
    ("GET", "/trainer/campaigns/new"): statuses(302, 404, trainer=200, admin=200),
    ("GET", "/trainer/campaigns/<id:campaign_id>"): statuses(302, 404),
    ("POST", "/trainer/campaigns/<id:campaign_id>/<any(close, cancel):action>"): statuses(302, 404),
    ("GET", "/trainer/content/<course_id>"): statuses(302, 404, trainer=200, admin=200),
    ("GET", "/reports/"): statuses(302, 404, analyst=200, admin=200),
    ("GET", "/reports/<country>"): statuses(302, 404, analyst=200, admin=200),
    ("GET", "/reports/<country>.<any(csv, xlsx, json, pdf):fmt>"): statuses(302, 404, analyst=200, admin=200),
    ("GET", "/reports/<country>/targets"): statuses(302, 404, analyst=200, admin=200),
    ("GET", "/reports/regions/<any(eu, lac, all):region>"): statuses(302, 404, analyst=200, admin=200),
    ("GET", "/reports/regions/<any(eu, lac, all):region>.<any(csv, xlsx, json):fmt>"):
        statuses(302, 404, analyst=200, admin=200),
    # The API ignores the session cookie: without a bearer token every role gets 401.
    ("GET", "/api/v1/openapi.json"): statuses(200, 200),
    ("GET", "/api/v1/countries"): statuses(401, 401),
    ("GET", "/api/v1/coverage/<country>"): statuses(401, 401),
    ("GET", "/api/v1/regions/<region>"): statuses(401, 401),
    ("GET", "/login/second-step"): statuses(303, 303),
    ("GET", "/account/security"): statuses(302, 200),
    ("GET", "/account/security/confirm-password"): statuses(302, 200),
    ("GET", "/account/security/totp"): statuses(302, 303),
    ("POST", "/account/security/totp/start"): statuses(302, 303),
    ("POST", "/account/security/totp/remove"): statuses(302, 303),
    ("POST", "/account/security/recovery-codes"): statuses(302, 303),
    ("POST", "/account/security/devices/<id:device_id>/revoke"): statuses(302, 404),
    ("GET", "/account/security/passkeys/new"): statuses(302, 200),
    ("POST", "/account/security/passkeys/<id:passkey_id>/rename"): statuses(302, 303),
    ("POST", "/account/security/passkeys/<id:passkey_id>/remove"): statuses(302, 404),
    ("GET", "/login/passkey"): statuses(200, 302),
    # No OpenID provider is configured in the test app: the provider pages are 404 for everyone.
    ("POST", "/login/sso"): statuses(400, 400),
    ("GET", "/login/sso/<key>"): statuses(404, 404),
    ("GET", "/login/sso/<key>/callback"): statuses(404, 404),
    ("GET", "/logout/organisation"): statuses(303, 303),
    ("POST", "/logout"): statuses(302, 303),
    ("POST", "/language"): statuses(303, 303),
    ("GET", "/admin/jobs"): statuses(302, 404, admin=200),
    ("GET", "/admin/second-factors"): statuses(302, 404, admin=200),
    ("POST", "/admin/jobs/<id:failure_id>/<any(retry, dismiss):action>"): statuses(302, 404, admin=303),
    ("GET", "/admin/users/"): statuses(302, 404, admin=200),
    ("GET", "/admin/users/<id:user_id>"): statuses(302, 404),
    ("POST", "/admin/users/<id:user_id>/role"): statuses(302, 404),
    ("POST", "/admin/users/<id:user_id>/disable"): statuses(302, 404),
    ("POST", "/admin/users/<id:user_id>/<any(enable, unlock, resend, 'reset-password', erase):action>"):
        statuses(302, 404),
    ("GET", "/admin/audit/"): statuses(302, 404, admin=200),
    ("GET", "/admin/audit/events.csv"): statuses(302, 404, admin=200),
    ("GET", "/account/data"): statuses(302, 200),
    ("GET", "/account/data/learnhub-my-data.json"): statuses(302, 200),
    ("GET", "/account/data/summary"): statuses(302, 200),
    ("POST", "/account/data/delete"): statuses(302, 400),
    ("POST", "/account/data/delete/cancel"): statuses(302, 303),
    ("GET", "/admin/organisations/"): statuses(302, 404, admin=200),
    ("POST", "/admin/organisations/<id:organisation_id>/list"): statuses(302, 404),
    ("POST", "/admin/organisations/<id:organisation_id>/merge"): statuses(302, 404),
    ("GET", "/privacy"): statuses(200, 200),
    ("GET", "/terms"): statuses(200, 200),
    ("GET", "/admin/pages/"): statuses(302, 404, admin=200),
    ("GET", "/admin/pages/<any(privacy, terms):key>/<any(en, es, pt, fr):language>"):
        statuses(302, 404, admin=200),
    ("POST", "/admin/pages/<any(privacy, terms):key>/<any(en, es, pt, fr):language>"):
        statuses(302, 404, admin=303),
    ("GET", "/downloads"): statuses(302, 200),
    ("GET", "/downloads/<id:export_id>"): statuses(302, 404),
    # Authoring (issue 16): trainers and admins; a workspace only for its members and admins (999: none).
    ("GET", "/author/"): statuses(302, 404, trainer=200, admin=200),
    ("POST", "/author/new/template"): statuses(302, 404, trainer=400, admin=400),
    ("POST", "/author/new/copy"): statuses(302, 404, trainer=400, admin=400),
    ("POST", "/author/new/upload"): statuses(302, 404, trainer=400, admin=400),
    ("GET", "/author/<id:workspace_id>"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/files/<path:path>"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/files/<path:path>"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/files/<path:path>/preview"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/files/<path:path>/try"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/media/<path:filename>"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/history/<path:path>"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/history/<path:path>/restore"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/download"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/translations"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/translations/<item_key>/<language>"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/translations/<item_key>/<language>"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/media"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/media/replace"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/media/delete"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/media/restore"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/media/file/<path:path>"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/media/history/<path:path>"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/members"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/settings"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/settings"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/modules"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/modules/<step>"): statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/members/remove"): statuses(302, 404),
    ("GET", "/author/<id:workspace_id>/<any(submit, approve, 'request-changes', publish, unpublish):action>"):
        statuses(302, 404),
    ("POST", "/author/<id:workspace_id>/<any(submit, approve, 'request-changes', publish, unpublish):action>"):
        statuses(302, 404),
}


def test_route_matrix_lists_every_route(app):
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    required = {(m, r) for m, r in routes if not (m == "POST" and ("GET", r) in routes)}  # a form's own POST
    assert required <= set(ROUTE_MATRIX), "add new routes to ROUTE_MATRIX with the status each role gets"
    assert set(ROUTE_MATRIX) <= routes, "ROUTE_MATRIX lists a route that does not exist"


PLACEHOLDERS = {"<token>": "some-token", "<course_id>": "passwords-mfa", "<path:filename>": "mfa-ladder-en.png",
                "<id:attempt_id>": "1", "<code>": "NOSUCHCODE23", "<id:cohort_id>": "999",
                "<id:learner_id>": "1", "<id:assignment_id>": "1", "<any(csv, xlsx):fmt>": "csv", "<question_id>": "q1",
                "<country>": "DO", "<any(csv, xlsx, json, pdf):fmt>": "json",
                "<any(eu, lac, all):region>": "lac", "<any(csv, xlsx, json):fmt>": "csv",
                "<id:token_id>": "999", "<region>": "lac", "<id:failure_id>": "999",
                "<any(retry, dismiss):action>": "dismiss", "<id:export_id>": "999",
                "<id:device_id>": "999", "<id:passkey_id>": "999", "<key>": "map",
                "<id:user_id>": "999999", "<id:organisation_id>": "999999", "<any(privacy, terms):key>": "terms",
                "<any(en, es, pt, fr):language>": "pt",
                "<any(enable, unlock, resend, 'reset-password', erase):action>": "unlock",
                "<id:workspace_id>": "999", "<id:campaign_id>": "999",
                "<any(close, cancel):action>": "close", "<path:path>": "course.yaml",
                "<any(json, png, svg):kind>": "png", "<id:number>": "1",
                "<any(submit, approve, 'request-changes', publish, unpublish):action>": "submit", "<language>": "es"}
ITEM_KEYS = {"lessons": "passwords-passphrases", "quizzes": "check-passwords-mfa"}


def any_csrf_token(client) -> str:
    """A valid CSRF token of this client's session: from the profile page, or for a visitor (whose pages have
    none) from the login form a quiz shows to someone whose session ended."""
    profile = client.get("/account/profile")
    if profile.status_code == 200:
        return csrf_token(profile.get_data(as_text=True))
    expired = client.post("/courses/passwords-mfa/quizzes/check-passwords-mfa", data={"token": "t"})
    return csrf_token(expired.get_data(as_text=True))


@pytest.mark.parametrize("role", ["anonymous", "trainee", "trainer", "analyst", "admin"])
def test_route_matrix(app, client, make_user, role):
    sync = app.test_cli_runner().invoke(args=["courses", "sync", app.config["COURSES_DIR"]])
    assert sync.exit_code == 0, sync.output
    if role != "anonymous":
        make_user(role=role, email=f"{role}@example.org", countries=("DO",) if role == "analyst" else ())
        assert log_in(client, f"{role}@example.org").status_code == 303
    for (method, path), expected in ROUTE_MATRIX.items():
        url = path.replace("<item_key>", ITEM_KEYS["quizzes" if "/quizzes/" in path else "lessons"])
        for placeholder, value in PLACEHOLDERS.items():
            url = url.replace(placeholder, value)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": any_csrf_token(client), "language": "en"})
        assert response.status_code == expected[role], (method, path, role)
        if method == "POST" and path == "/logout" and role != "anonymous":
            log_in(client, f"{role}@example.org")

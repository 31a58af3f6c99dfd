"""Administration of accounts in the browser (issue 17): the list finds people by any word, accents folded,
pages by keyset in a constant number of statements; role, scope and access changes take effect at the next
request, are audited with before and after, and never leave the platform without an active admin."""

from __future__ import annotations

import re

from sqlalchemy import event, func, select

from learnhub.models import ApiToken, AuditEvent, ThrottleEvent, User
from learnhub.services import api_tokens, throttle
from tests.conftest import DEFAULT_PASSWORD, form_token, log_in

ROWS = re.compile(r'<th scope="row"><a href="/admin/users/(\d+)">([^<]+)</a>')


def _admin(client, make_user, email="boss@example.org"):
    admin = make_user(role="admin", email=email, name="Boss Admin", language="en")
    assert log_in(client, email).status_code == 303
    return admin


def _people(db, count: int, prefix: str = "Person") -> list[User]:
    """Accounts without a password (no hashing): the listeners fold their names and index their words."""
    people = [User(email=f"{prefix.lower()}{n:04d}@example.org", name=f"{prefix} {n:04d}", password_hash="!x",
                   role="trainee", language="en", country="DO" if n % 2 else "CO", sector="health",
                   organisation="Hospital Central", organisation_type="government") for n in range(count)]
    db.session.add_all(people)
    db.session.commit()
    return people


def _listed(client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200
    return [name for _id, name in ROWS.findall(page.get_data(as_text=True))]


def _post(client, url: str, data: dict, page: str):
    html = client.get(page).get_data(as_text=True)
    return client.post(url, data={**form_token(html), **data})


def test_search_folds_accents_and_case_and_finds_any_word(db, client, make_user):
    _admin(client, make_user)
    make_user(email="maria.garcia@example.org", name="María García Núñez", organisation="Ministerio de Salud")
    make_user(email="pedro@example.org", name="Pedro Alves", organisation="Agência Nacional")
    assert _listed(client, "/admin/users/?q=GARCIA") == ["María García Núñez"]
    assert _listed(client, "/admin/users/?q=nun+mar") == ["María García Núñez"]
    assert _listed(client, "/admin/users/?q=agencia") == ["Pedro Alves"]
    assert _listed(client, "/admin/users/?q=maria.garcia%40exa") == ["María García Núñez"]
    assert _listed(client, "/admin/users/?q=garcia+pedro") == []
    page = client.get("/admin/users/?q=zzz").get_data(as_text=True)
    assert "No account matches." in page


def test_a_renamed_account_is_found_by_its_new_name_only(db, client, make_user):
    _admin(client, make_user)
    person = make_user(email="old@example.org", name="Olga Oldname")
    person.name = "Olga Newname"
    db.session.commit()
    assert _listed(client, "/admin/users/?q=newname") == ["Olga Newname"]
    assert _listed(client, "/admin/users/?q=oldname") == []


def test_filters_and_keyset_pages_cover_every_account_once_in_a_constant_number_of_statements(db, client,
                                                                                             make_user):
    _admin(client, make_user)
    _people(db, 230)
    seen: list[str] = []
    url = "/admin/users/?q=person&country=DO"
    statements_per_page = []
    engine = db.session.get_bind().engine
    while url:
        statements: list[str] = []
        listener = lambda conn, cursor, statement, *rest, seen=statements: seen.append(statement)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            html = client.get(url).get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        statements_per_page.append(len([s for s in statements if s.lstrip().upper().startswith("SELECT")]))
        seen.extend(name for _id, name in ROWS.findall(html))
        found = re.search(r'href="(/admin/users/\?[^"]*after=[^"]*)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [f"Person {n:04d}" for n in range(1, 230, 2)]  # 115 in DO, in order, none twice
    assert len(statements_per_page) == 3
    # The session's account, the page, and on later pages the anchor and "is there a page before": never N+1.
    assert statements_per_page[0] <= 3 and max(statements_per_page) <= 5, statements_per_page
    back = client.get(url_for_before(html)).get_data(as_text=True)
    assert next(name for _id, name in ROWS.findall(back)) == "Person 0101"
    assert _listed(client, "/admin/users/?status=disabled") == []
    assert _listed(client, "/admin/users/?role=admin") == ["Boss Admin"]


def url_for_before(html: str) -> str:
    return re.search(r'href="(/admin/users/\?[^"]*before=[^"]*)" rel="prev"', html).group(1).replace("&amp;", "&")


def test_a_role_and_countries_take_effect_at_the_next_request_and_are_audited(db, client, make_user, app):
    admin = _admin(client, make_user)
    person = make_user(email="ana@example.org", name="Ana Analyst", language="en")
    other = app.test_client()
    assert log_in(other, "ana@example.org").status_code == 303
    assert other.get("/reports/").status_code == 404
    response = _post(client, f"/admin/users/{person.id}/role",
                     {"role": "analyst", "countries": ["DO"], "regions": ["EU"]}, f"/admin/users/{person.id}")
    assert response.status_code == 303
    db.session.expire_all()
    changed = db.session.get(User, person.id)
    assert changed.role == "analyst" and "DO" in changed.countries_in_scope and "FR" in changed.countries_in_scope
    assert len(changed.countries_in_scope) == 28  # DO and the 27 EU states
    assert other.get("/reports/").status_code in (302, 401)  # the old session ended with the old role
    assert log_in(other, "ana@example.org").status_code == 303
    assert other.get("/reports/").status_code == 200
    assert other.get("/reports/DO").status_code == 200
    # Narrowing the scope counts at the next request, without logging out.
    response = _post(client, f"/admin/users/{person.id}/role", {"role": "analyst", "countries": ["CO"]},
                     f"/admin/users/{person.id}")
    assert response.status_code == 303
    assert other.get("/reports/DO").status_code == 404
    assert other.get("/reports/CO").status_code == 200
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.subject_id == person.id)
                                     .order_by(AuditEvent.id)))
    assert [e.event for e in events] == ["user.role_changed", "user.scope_changed"]
    assert events[0].actor_id == admin.id
    assert events[0].detail["before"] == {"role": "trainee", "countries": []}
    assert events[0].detail["after"]["role"] == "analyst"
    assert events[1].detail["after"] == {"countries": ["CO"]}
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "user.scope_changed" in page and "boss@example.org" in page


def test_an_analyst_needs_a_country_and_the_form_says_so(db, client, make_user):
    _admin(client, make_user)
    person = make_user(email="t@example.org")
    response = _post(client, f"/admin/users/{person.id}/role", {"role": "analyst"}, f"/admin/users/{person.id}")
    assert response.status_code == 400
    assert "Choose at least one country or region for an analyst." in response.get_data(as_text=True)
    assert db.session.get(User, person.id).role == "trainee"


def test_the_last_admin_stays_and_nobody_lowers_their_own_role(db, client, make_user):
    admin = _admin(client, make_user)
    response = _post(client, f"/admin/users/{admin.id}/role", {"role": "trainee"}, f"/admin/users/{admin.id}")
    assert response.status_code == 400
    assert "You cannot change your own role" in response.get_data(as_text=True)
    second = make_user(role="admin", email="second@example.org")
    response = _post(client, f"/admin/users/{second.id}/disable", {}, f"/admin/users/{second.id}")
    assert response.status_code == 303
    # Now `admin` is the last active admin: nobody may lower or disable them (here through the service, as
    # another admin would, since the page itself refuses one's own account).
    from learnhub.services import user_admin

    for change in (lambda: user_admin.set_role(user_admin.Actor(second), admin, "trainer"),
                   lambda: user_admin.disable(user_admin.Actor(second), admin)):
        try:
            change()
        except user_admin.AdminError as error:
            assert error.code == "last-admin"
        else:
            raise AssertionError("the last admin was removed")
    db.session.rollback()
    assert db.session.get(User, admin.id).role == "admin" and db.session.get(User, admin.id).active


def test_disabling_ends_sessions_and_api_tokens_at_once_and_login_is_refused(db, client, make_user, app):
    admin = _admin(client, make_user)
    person = make_user(role="analyst", email="ana@example.org", countries=("DO",), language="en")
    token, plaintext = api_tokens.create(person, "script")
    db.session.commit()
    other = app.test_client()
    assert log_in(other, "ana@example.org").status_code == 303
    assert other.get("/reports/").status_code == 200
    assert app.test_client().get("/api/v1/countries", headers={"Authorization": f"Bearer {plaintext}"}
                                 ).status_code == 200
    response = _post(client, f"/admin/users/{person.id}/disable", {"reason": "Left the ministry"},
                     f"/admin/users/{person.id}")
    assert response.status_code == 303
    assert other.get("/reports/").status_code == 302  # the open session is refused
    assert app.test_client().get("/api/v1/countries", headers={"Authorization": f"Bearer {plaintext}"}
                                 ).status_code == 401
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    refused = log_in(other, "ana@example.org")
    assert refused.status_code != 303
    event_row = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "user.disabled"))
    assert event_row.actor_id == admin.id and event_row.subject_id == person.id
    assert event_row.detail["reason"] == "Left the ministry" and event_row.detail["tokens_revoked"] == 1
    assert _listed(client, "/admin/users/?status=disabled") == [person.name]
    response = _post(client, f"/admin/users/{person.id}/enable", {}, f"/admin/users/{person.id}")
    assert response.status_code == 303
    assert log_in(other, "ana@example.org").status_code == 303
    assert db.session.get(ApiToken, token.id).revoked_at is not None  # tokens do not come back


def test_unlock_forgets_the_accounts_failed_logins(db, client, make_user, app):
    _admin(client, make_user)
    person = make_user(email="slow@example.org")
    stranger = app.test_client()
    for _ in range(6):
        log_in(stranger, "slow@example.org", "wrong password here")
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Failed logins slow down this account" in page
    assert _post(client, f"/admin/users/{person.id}/unlock", {}, f"/admin/users/{person.id}").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(ThrottleEvent).where(
        ThrottleEvent.key_hash == throttle.key_hash("login-account", "slow@example.org"))) == 0
    assert "No failed logins hold this account back." in client.get(f"/admin/users/{person.id}").get_data(
        as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "user.unlocked")).subject_id == person.id


def test_forced_reset_stops_the_password_and_mails_a_link(db, client, make_user, app, mail_dir):
    _admin(client, make_user)
    person = make_user(email="lost@example.org", language="en")
    other = app.test_client()
    assert log_in(other, "lost@example.org").status_code == 303
    response = _post(client, f"/admin/users/{person.id}/reset-password", {}, f"/admin/users/{person.id}")
    assert response.status_code == 303
    assert other.get("/learning").status_code == 302
    assert log_in(app.test_client(), "lost@example.org", DEFAULT_PASSWORD).status_code != 303
    from learnhub.models import OutboundMail

    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.recipient == "lost@example.org"))
    assert mail is not None and "/password/reset/" in mail.body


def test_resend_sends_a_new_address_check_to_an_unverified_account(db, client, make_user):
    _admin(client, make_user)
    person = make_user(email="new@example.org", verified=False)
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Send the address check again" in page
    assert _post(client, f"/admin/users/{person.id}/resend", {}, f"/admin/users/{person.id}").status_code == 303
    from learnhub.models import OutboundMail

    assert db.session.scalar(select(func.count()).select_from(OutboundMail).where(
        OutboundMail.recipient == "new@example.org")) == 1
    verified = make_user(email="done@example.org")
    response = _post(client, f"/admin/users/{verified.id}/resend", {}, f"/admin/users/{verified.id}")
    assert response.status_code == 303
    assert "There is no invitation or address check" in client.get(f"/admin/users/{verified.id}").get_data(
        as_text=True)


def test_other_roles_get_404(db, client, make_user):
    person = make_user(role="trainer", email="t@example.org")
    log_in(client, "t@example.org")
    assert client.get("/admin/users/").status_code == 404
    assert client.get(f"/admin/users/{person.id}").status_code == 404

"""The privacy notice and terms of use (issue 17): admins write them per language, everyone reads them in their
language (else English), registration links them, and every change is audited with before and after."""

from __future__ import annotations

from sqlalchemy import select

from learnhub.models import AuditEvent
from tests.conftest import form_token, log_in


def _save(client, key: str, language: str, body: str):
    url = f"/admin/pages/{key}/{language}"
    return client.post(url, data={**form_token(client.get(url).get_data(as_text=True)), "body": body})


def test_an_admin_writes_the_notice_per_language_and_readers_get_theirs_or_english(app, db, client, make_user):
    admin = make_user(role="admin", email="boss@example.org", language="en")
    assert "has not been written yet" in app.test_client().get("/privacy").get_data(as_text=True)
    log_in(client, "boss@example.org")
    assert _save(client, "privacy", "en", "# Privacy\n\nWe keep **only** what reports need.").status_code == 303
    assert _save(client, "privacy", "es", "Guardamos solo lo que los informes necesitan.").status_code == 303
    reader = app.test_client()
    english = reader.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<strong>only</strong>" in english
    spanish = reader.get("/privacy", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Guardamos solo" in spanish and "only" not in spanish
    french = app.test_client().get("/privacy", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "<strong>only</strong>" in french and 'lang="en"' in french
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "page.updated",
                                                      AuditEvent.detail["language"].as_string() == "es"))
    assert event.actor_id == admin.id and event.detail["before"] == "" and event.detail["after"].startswith("Guard")


def test_the_notice_is_sanitised_and_registration_links_both_pages(app, db, client, make_user):
    make_user(role="admin", email="boss@example.org", language="en")
    log_in(client, "boss@example.org")
    _save(client, "terms", "en", "Terms <script>alert(1)</script> apply.")
    page = app.test_client().get("/terms").get_data(as_text=True)
    assert "<script>alert" not in page and "Terms" in page
    register = app.test_client().get("/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/terms"' in register and 'href="/privacy"' in register


def test_other_roles_cannot_edit(db, client, make_user):
    make_user(role="trainer", email="t@example.org")
    log_in(client, "t@example.org")
    assert client.get("/admin/pages/privacy/en").status_code == 404

"""The audit log viewer (issue 17): filters by actor, action, account and dates, pages newest first, exports
CSV (at once, or on the queue when large), and records its own use."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from learnhub.models import AuditEvent, ExportFile
from learnhub.models.base import utcnow
from learnhub.services import audit, housekeeping
from tests.conftest import log_in

ROW = re.compile(r'<th scope="row"><code>([^<]+)</code></th>')


def _events(client, query: str = "") -> list[str]:
    page = client.get("/admin/audit/" + query)
    assert page.status_code == 200, page.status_code
    return ROW.findall(page.get_data(as_text=True))


def _setting(db, make_user):
    admin = make_user(role="admin", email="boss@example.org", language="en")
    ana = make_user(email="ana@example.org")
    audit.record("user.role_changed", actor_id=admin.id, subject_id=ana.id, before={"role": "trainee"},
                 after={"role": "trainer"})
    audit.record("user.disabled", actor_id=admin.id, subject_id=ana.id, before={"active": True},
                 after={"active": False})
    old = audit.record("cohort.created", actor_id=ana.id)
    old.at = datetime(2026, 1, 15, 9, 30)
    db.session.commit()
    return admin, ana


def test_filters_by_actor_action_account_and_dates(db, client, make_user):
    _admin, ana = _setting(db, make_user)
    log_in(client, "boss@example.org")
    assert _events(client, "?actor=boss%40example.org&action=user.") == ["user.disabled", "user.role_changed"]
    assert _events(client, f"?subject={ana.id}") == ["user.disabled", "user.role_changed"]
    assert _events(client, "?action=user.disabled") == ["user.disabled"]
    assert _events(client, "?actor=ana%40example.org") == ["cohort.created"]
    assert _events(client, "?since=2026-01-15&until=2026-01-15") == ["cohort.created"]
    assert _events(client, "?since=2026-01-16&until=2026-01-20") == []
    assert _events(client, "?actor=nobody%40example.org") == []
    bad = client.get("/admin/audit/?since=yesterday")
    assert bad.status_code == 400 and "Not a valid date value" in bad.get_data(as_text=True)


def test_reading_the_log_is_recorded_with_its_filters(db, client, make_user):
    admin, ana = _setting(db, make_user)
    log_in(client, "boss@example.org")
    _events(client, f"?subject={ana.id}&action=user.")
    viewed = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "audit.viewed"))
    assert viewed.actor_id == admin.id and viewed.detail == {"subject": str(ana.id), "action": "user."}
    assert "audit.viewed" in _events(client)  # the viewer shows its own reading, newest first


def test_pages_go_newest_first_without_repeats(db, client, make_user):
    admin = make_user(role="admin", email="boss@example.org", language="en")
    for number in range(120):
        audit.record("test.event", actor_id=admin.id, number=number)
    db.session.commit()
    log_in(client, "boss@example.org")
    seen, url = [], "/admin/audit/?action=test.event"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen.extend(int(n) for n in re.findall(r'(?:&#34;|")number(?:&#34;|"): (\d+)', html))
        found = re.search(r'href="(/admin/audit/\?[^"]*before=[^"]*)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == list(range(119, -1, -1))


def test_csv_export_holds_every_matching_event_and_is_audited(db, client, make_user):
    admin, ana = _setting(db, make_user)
    log_in(client, "boss@example.org")
    response = client.get(f"/admin/audit/events.csv?subject={ana.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["time_utc", "action", "actor_id", "actor_email", "subject_id", "subject_email", "ip",
                       "detail"]
    assert [(row[1], row[3], row[5]) for row in rows[1:]] == [
        ("user.disabled", "boss@example.org", "ana@example.org"),
        ("user.role_changed", "boss@example.org", "ana@example.org")]
    assert '"before": {"active": true}' in rows[1][7]
    exported = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "audit.exported"))
    assert exported.actor_id == admin.id and exported.detail == {"subject": str(ana.id), "rows": 2}


def test_a_large_export_is_prepared_on_the_queue(app, db, client, make_user):
    _setting(db, make_user)
    log_in(client, "boss@example.org")
    app.config["EXPORT_INLINE_LIMIT"], limit = 1, app.config["EXPORT_INLINE_LIMIT"]
    try:
        response = client.get("/admin/audit/events.csv?action=user.")
    finally:
        app.config["EXPORT_INLINE_LIMIT"] = limit
    assert response.status_code == 303 and response.headers["Location"].endswith("/downloads")
    row = db.session.scalar(select(ExportFile).where(ExportFile.kind == "audit_log"))
    assert row is not None and row.parameters["action"] == "user."


def test_other_roles_cannot_read_the_log(db, client, make_user):
    make_user(role="analyst", email="ana@example.org", countries=("DO",))
    log_in(client, "ana@example.org")
    assert client.get("/admin/audit/").status_code == 404
    assert client.get("/admin/audit/events.csv").status_code == 404


def test_housekeeping_purges_events_past_the_retention(app, db, make_user):
    admin = make_user(role="admin", email="boss@example.org")
    kept = audit.record("recent", actor_id=admin.id)
    gone = audit.record("ancient", actor_id=admin.id)
    gone.at = utcnow() - timedelta(days=app.config["AUDIT_RETENTION_DAYS"] + 1)
    db.session.commit()
    with app.app_context():
        housekeeping.run()
    events = set(db.session.scalars(select(AuditEvent.event)))
    assert "recent" in events and "ancient" not in events
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id == kept.id)) == 1

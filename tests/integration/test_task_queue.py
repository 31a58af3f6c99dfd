"""The task queue: every mail is a row delivered by a job, retried, and shown to admins when it fails for good;
the sweep finds work whose message was lost; housekeeping deletes what has outlived its use."""

from __future__ import annotations

import smtplib
from datetime import timedelta

from sqlalchemy import func, select

from learnhub.jobs import queue, tasks
from learnhub.models import AuditEvent, FailedJob, OutboundMail, PasswordResetToken, ThrottleEvent
from learnhub.models.base import utcnow
from learnhub.services import housekeeping, mail
from tests.conftest import csrf_token, log_in, post_form


def outbox(db) -> list[tuple[str, str, int]]:
    rows = db.session.scalars(select(OutboundMail).order_by(OutboundMail.id))
    return [(m.recipient, m.status, m.attempts) for m in rows]


def resolution(db, failure_id: int) -> str | None:
    return db.session.scalar(select(FailedJob.resolution).where(FailedJob.id == failure_id))


def refuse_smtp(monkeypatch) -> list[str]:
    tried: list[str] = []

    def refused(message):
        tried.append(message["To"])
        raise smtplib.SMTPServerDisconnected("mail server down")

    monkeypatch.setattr(mail, "transmit", refused)
    return tried


def test_a_reset_request_writes_one_mail_row_that_a_job_delivers(app, db, client, make_user, mail_dir):
    make_user(email="ana@example.org")
    response = post_form(client, "/password/forgot", {"email": "ana@example.org"})
    assert response.status_code == 303
    assert outbox(db) == [("ana@example.org", "sent", 1)]
    [message] = mail_dir.glob("*.eml")
    assert "ana@example.org" in message.read_text()


def test_a_mail_written_in_a_rolled_back_transaction_is_never_sent(app, db, mail_dir):
    with app.test_request_context():
        mail.send("ghost@example.org", "Never", "Rolled back")
        db.session.rollback()
        db.session.commit()
    assert queue.drain() == 0
    assert outbox(db) == [] and list(mail_dir.glob("*.eml")) == []


def test_a_refused_mail_is_retried_then_dead_and_an_admin_retries_it(app, db, client, make_user, mail_dir,
                                                                      monkeypatch):
    make_user(email="ana@example.org", language="en")
    tried = refuse_smtp(monkeypatch)
    post_form(client, "/password/forgot", {"email": "ana@example.org"})
    # The first try failed: the mail stays owed, with the error, and a retry is scheduled (30 s later).
    [row] = db.session.scalars(select(OutboundMail)).all()
    mail_id = row.id
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "SMTPServerDisconnected: mail server down")
    assert queue.huey.scheduled_count() == 1
    [retry] = queue.huey.scheduled()
    assert (retry.name, retry.args, retry.retries) == ("tasks.deliver_mail", (mail_id,), tasks.MAIL_RETRIES - 1)
    # The last retry fails too: the mail is dead and the failure waits for an admin.
    retry.retries, retry.eta = 0, None  # its time has come
    queue.huey.execute(retry)
    assert outbox(db) == [("ana@example.org", "dead", 2)] and tried == ["ana@example.org"] * 2
    [failure] = db.session.scalars(select(FailedJob)).all()
    failure_id = failure.id
    assert (failure.task, failure.arguments, failure.resolved_at) == ("tasks.deliver_mail", [mail_id], None)
    assert "mail server down" in failure.error

    admin_client = app.test_client()
    make_user(role="admin", email="admin@example.org", language="en")
    log_in(admin_client, "admin@example.org")
    page = admin_client.get("/admin/jobs").get_data(as_text=True)
    assert "E-mail to ana@example.org: Reset your LearnHub password" in page and "mail server down" in page
    assert client.get("/admin/jobs").status_code == 302  # to the login page
    log_in(client, "ana@example.org")
    assert client.get("/admin/jobs").status_code == 404  # a trainee is not told the page exists (role_required)
    monkeypatch.undo()  # the mail server is back
    response = admin_client.post(f"/admin/jobs/{failure_id}/retry", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert outbox(db) == [("ana@example.org", "sent", 3)] and resolution(db, failure_id) == "retried"
    assert len(list(mail_dir.glob("*.eml"))) == 1
    assert "No failed job" in admin_client.get("/admin/jobs").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "job.retried")) == 1


def test_an_admin_dismisses_a_failure_and_it_is_not_retried(app, db, make_user, mail_dir):
    failure = FailedJob(task="tasks.send_invitations", arguments=[12345], error="boom")
    db.session.add(failure)
    db.session.commit()
    failure_id = failure.id
    admin_client = app.test_client()
    make_user(role="admin", email="admin@example.org", language="en")
    log_in(admin_client, "admin@example.org")
    page = admin_client.get("/admin/jobs").get_data(as_text=True)
    assert "tasks.send_invitations" in page
    response = admin_client.post(f"/admin/jobs/{failure_id}/dismiss", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert resolution(db, failure_id) == "dismissed" and queue.huey.pending_count() == 0
    again = admin_client.post(f"/admin/jobs/{failure_id}/retry", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 303 and resolution(db, failure_id) == "dismissed"
    assert queue.huey.pending_count() == 0


def test_the_sweep_wakes_mail_whose_message_was_lost(app, db, mail_dir):
    old = OutboundMail(recipient="lost@example.org", subject="Lost", body="b", created_at=utcnow() - timedelta(hours=1))
    young = OutboundMail(recipient="young@example.org", subject="Young", body="b")
    db.session.add_all([old, young])
    db.session.flush()
    db.session.info.pop(mail.MAILS_TO_WAKE, None)  # as if the consumer holding their messages died
    db.session.commit()
    with app.app_context():
        woken = tasks.sweep.call_local()
    assert woken == {"mails": 1, "invitations": 0, "imports": 0, "regrades": 0, "exports": 0}
    assert queue.drain() == 1
    assert sorted(outbox(db)) == [("lost@example.org", "sent", 1), ("young@example.org", "queued", 0)]


def test_housekeeping_deletes_spent_links_old_events_and_sent_mail_only(app, db, make_user):
    user = make_user(email="ana@example.org")
    now = utcnow()
    db.session.add_all([
        PasswordResetToken(user_id=user.id, token_hash="a" * 64, expires_at=now - timedelta(days=8)),
        PasswordResetToken(user_id=user.id, token_hash="b" * 64, expires_at=now + timedelta(hours=1)),
        ThrottleEvent(scope="login", key_hash="k" * 64, at=now - timedelta(days=2)),
        ThrottleEvent(scope="login", key_hash="k" * 64, at=now),
        OutboundMail(recipient="a@example.org", subject="s", body="b", status="sent", sent_at=now - timedelta(days=15)),
        OutboundMail(recipient="b@example.org", subject="s", body="b", status="dead"),
        AuditEvent(event="old", at=now - timedelta(days=800)),
        AuditEvent(event="recent", at=now - timedelta(days=10)),
    ])
    db.session.commit()
    with app.app_context():
        removed = housekeeping.run()
    assert removed == {"links": 1, "throttle_events": 1, "sent_mail": 1, "resolved_failures": 0,
                       "export_files": 0, "audit_events": 1, "deletion_requests": 0, "inactive_accounts": 0}
    assert db.session.scalars(select(PasswordResetToken.token_hash)).all() == ["b" * 64]
    assert db.session.scalars(select(OutboundMail.status)).all() == ["dead"]
    assert "recent" in db.session.scalars(select(AuditEvent.event)).all()


def test_health_reports_the_queue_the_rate_limit_store_and_the_cache(client, db):
    assert client.get("/courses/passwords-mfa").status_code == 200  # fills this worker's syllabus cache
    body = client.get("/health").get_json()
    assert (body["status"], body["database"], body["queue"], body["queue_kind"]) == ("ok", "ok", "ok", "inline")
    assert body["queued"] == 0
    assert (body["rate_limits"], body["rate_limits_kind"]) == ("ok", "memory")
    assert body["cache"] == "ok" and body["cached_syllabi"] >= 1


def test_health_is_degraded_when_the_rate_limit_store_is_down(client, db, monkeypatch):
    from learnhub.extensions import limiter

    def down():
        raise ConnectionError("redis is gone")

    monkeypatch.setattr(limiter.storage, "check", down)
    response = client.get("/health")
    assert response.status_code == 503
    assert (response.get_json()["status"], response.get_json()["rate_limits"]) == ("degraded", "unavailable")


def test_health_with_rate_limiting_switched_off_is_ok(app, client, db):
    app.config["RATELIMIT_ENABLED"] = False
    try:
        response = client.get("/health")
    finally:
        app.config["RATELIMIT_ENABLED"] = True
    assert (response.status_code, response.get_json()["rate_limits"]) == (200, "off")

"""Expiry reminders: a mail to the learner 30 days and again 7 days before a certificate expires, each sent once.

Run daily by the queue's `remind_expiring_certificates` job (and by `learnhub jobs certificate-reminders`). A
reminder is claimed by a conditional UPDATE of `certificates.reminded_days` in the same transaction as the queued
mail, so two consumers never send the same one, and a run that missed the 30-day reminder (the queue was down)
sends only the 7-day one once inside the last week. Revoked, expired and already renewed certificates, and
certificates of deactivated accounts, get none. COMMITS.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale, format_date, ngettext
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased, joinedload

from learnhub.extensions import db
from learnhub.models import Certificate, User
from learnhub.models.base import utcnow
from learnhub.services import certificates, mail

REMINDERS = (30, 7)
"""Days before expiry at which a reminder goes out, earliest first."""
PER_RUN = 500


def stage(certificate: Certificate, now: datetime) -> int | None:
    """The reminder due for the certificate at `now` (30 or 7), or None: the latest stage whose day has come, if
    it was not sent yet."""
    if certificate.expires_at is None or certificate.expires_at <= now or certificate.revoked_at is not None:
        return None
    left = certificate.expires_at - now
    due = [days for days in REMINDERS if left <= timedelta(days=days)]
    if not due:
        return None
    days = min(due)
    sent = certificate.reminded_days
    return days if sent is None or sent > days else None


def due(now: datetime, limit: int = PER_RUN) -> list[Certificate]:
    """Certificates that expire within the first reminder's window and may owe a reminder: not revoked, not
    renewed, of an active account (one query, learners and courses loaded with them)."""
    newer = aliased(Certificate)
    return list(db.session.scalars(
        select(Certificate).join(User, User.id == Certificate.learner_id)
        .where(Certificate.expires_at > now, Certificate.expires_at <= now + timedelta(days=max(REMINDERS)),
               Certificate.revoked_at.is_(None), User.active.is_(True),
               or_(Certificate.reminded_days.is_(None), Certificate.reminded_days > min(REMINDERS)),
               ~exists().where(newer.renews_id == Certificate.id))
        .options(joinedload(Certificate.learner), joinedload(Certificate.course))
        .order_by(Certificate.expires_at, Certificate.id).limit(limit)))


def send_due() -> int:
    """Queue every reminder due now; returns how many."""
    now = utcnow()
    sent = 0
    for certificate in due(now):
        days = stage(certificate, now)
        if days is None or not _claim(certificate, days):
            continue
        _send(certificate, days, now)
        sent += 1
    db.session.commit()
    return sent


def _claim(certificate: Certificate, days: int) -> bool:
    """Mark the reminder as sent unless another run did first."""
    claimed = db.session.execute(
        update(Certificate).where(Certificate.id == certificate.id,
                                  or_(Certificate.reminded_days.is_(None), Certificate.reminded_days > days))
        .values(reminded_days=days), execution_options={"synchronize_session": False}).rowcount
    return claimed == 1


def _send(certificate: Certificate, days: int, now: datetime) -> None:
    learner = certificate.learner
    left = -(-(certificate.expires_at - now) // timedelta(days=1))  # whole days, rounded up: 29 d 23 h is 30
    with force_locale(learner.language):
        title = certificates.course_title_in(certificate, learner.language)
        subject = ngettext("Your LearnHub certificate expires in %(num)d day",
                           "Your LearnHub certificate expires in %(num)d days", left)
        body = render_template(
            "learn/email/expiry_reminder.txt", learner=learner, title=title, days=left,
            expires=format_date(certificate.expires_at, "long"),
            course_link=mail.link("catalog.course", course_id=certificate.course_id),
            learning_link=mail.link("learn.dashboard"))
    mail.send(learner.email, subject, body)

"""Nightly housekeeping: delete what has outlived its use. Run by the queue's `housekeeping` job (and by
`learnhub jobs housekeeping`); COMMITS."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from learnhub.extensions import db
from learnhub.models import (
    AuditEvent,
    CohortMember,
    ExportFile,
    FailedJob,
    OutboundMail,
    PasswordResetToken,
    ThrottleEvent,
)
from learnhub.models.base import utcnow
from learnhub.services import personal_data, throttle

SPENT_LINKS_KEPT = timedelta(days=7)  # used or expired links, kept a week for support questions
SENT_MAIL_KEPT = timedelta(days=14)  # sent mail bodies hold single-use links: gone after two weeks
RESOLVED_FAILURES_KEPT = timedelta(days=90)


def run() -> dict[str, int]:
    """Delete spent links, old throttle events, sent mail, resolved failures, expired export files and audit
    events older than LEARNHUB_AUDIT_RETENTION_DAYS; erase the accounts whose deletion is due or that were
    inactive too long (personal_data.erase_due); returns how many rows of each went."""
    now = utcnow()
    still_invited = select(CohortMember.invitation_token_id).where(CohortMember.invitation_token_id.is_not(None))
    removed = {
        "links": _delete(delete(PasswordResetToken).where(
            or_(PasswordResetToken.expires_at < now - SPENT_LINKS_KEPT,
                PasswordResetToken.used_at < now - SPENT_LINKS_KEPT),
            PasswordResetToken.id.not_in(still_invited))),
        "throttle_events": _delete(delete(ThrottleEvent).where(ThrottleEvent.at < now - throttle.RETENTION)),
        "sent_mail": _delete(delete(OutboundMail).where(OutboundMail.status == "sent",
                                                        OutboundMail.sent_at < now - SENT_MAIL_KEPT)),
        "resolved_failures": _delete(delete(FailedJob).where(FailedJob.resolved_at < now - RESOLVED_FAILURES_KEPT)),
        "export_files": _delete(delete(ExportFile).where(ExportFile.expires_at <= now)),
        "audit_events": _delete(delete(AuditEvent).where(
            AuditEvent.at < now - timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"]))),
        **personal_data.erase_due(current_app.config["DELETION_DELAY_DAYS"],
                                  current_app.config["INACTIVE_ACCOUNT_DAYS"], now),
    }
    db.session.commit()
    return removed


def _delete(statement) -> int:
    return db.session.execute(statement, execution_options={"synchronize_session": False}).rowcount

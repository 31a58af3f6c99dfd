"""Jobs whose every retry failed: recorded for admins, who retry or dismiss them (/admin/jobs)."""

from __future__ import annotations

from sqlalchemy import func, select

from learnhub.extensions import db
from learnhub.models import FailedJob, OutboundMail
from learnhub.models.base import utcnow


def record(task: str, arguments: list, error: str) -> FailedJob:
    """Note a job that failed for good. Flushes."""
    row = FailedJob(task=task, arguments=arguments, error=error[:1000])
    db.session.add(row)
    db.session.flush()
    return row


def open_failures(limit: int = 200) -> list[FailedJob]:
    """Failures nobody has retried or dismissed yet, newest first."""
    return list(db.session.scalars(select(FailedJob).where(FailedJob.resolved_at.is_(None))
                                   .order_by(FailedJob.failed_at.desc(), FailedJob.id.desc()).limit(limit)))


def open_count() -> int:
    return db.session.scalar(select(func.count()).select_from(FailedJob).where(FailedJob.resolved_at.is_(None)))


def mails_for(failures: list[FailedJob]) -> dict[int, OutboundMail]:
    """The mails the failed deliveries were about, by id, in one query (for the admin page)."""
    ids = [f.arguments[0] for f in failures if f.task == "tasks.deliver_mail" and f.arguments]
    if not ids:
        return {}
    return {m.id: m for m in db.session.scalars(select(OutboundMail).where(OutboundMail.id.in_(ids)))}


def resolve(failure_id: int, resolution: str) -> FailedJob | None:
    """Mark an open failure "retried" or "dismissed"; None when there is no such open failure. Flushes."""
    row = db.session.get(FailedJob, failure_id)
    if row is None or row.resolved_at is not None:
        return None
    row.resolved_at, row.resolution = utcnow(), resolution
    db.session.flush()
    return row

"""Writing the audit log. One function, so every event has the same shape."""

from __future__ import annotations

from learnhub.extensions import db
from learnhub.models import AuditEvent


def record(event: str, *, actor_id: int | None = None, ip: str | None = None, subject_id: int | None = None,
           **detail) -> AuditEvent:
    """Add an audit event to the current transaction (it is kept only if the caller commits). `subject_id`:
    the account the event is about, if any."""
    entry = AuditEvent(event=event, actor_id=actor_id, ip=ip, subject_id=subject_id, detail=detail)
    db.session.add(entry)
    db.session.flush()
    return entry


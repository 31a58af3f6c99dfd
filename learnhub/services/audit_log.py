"""Reading the audit log: filters, keyset pages (newest first) and the CSV export, for admins (issue 17).

Filters: who acted (an account, named by e-mail address or id), the action (an event name, or its family
with a trailing dot: "user." is every change to an account), the account the event is about (its
`subject_id`), and a date range in UTC, both ends included. Each filter is a condition on an indexed
column (actor_id, event, subject_id, at), and pages go by id, newest first: `before` is the last id shown.
Old events are removed by the nightly housekeeping after LEARNHUB_AUDIT_RETENTION_DAYS.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from learnhub.extensions import db
from learnhub.models import AuditEvent, User

PAGE_SIZE = 50
ACTION_CHOICES_LIMIT = 200
NOBODY = -1  # an actor or subject that names no account: matches no event


@dataclass(frozen=True)
class Filters:
    """What the admin asked for, as typed (JSON values: an export on the queue carries them)."""

    actor: str = ""
    action: str = ""
    subject: str = ""
    since: str = ""  # ISO dates
    until: str = ""

    @property
    def any(self) -> bool:
        return any(asdict(self).values())

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value}


FILTER_KEYS = ("actor", "action", "subject", "since", "until")


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    people: dict[int, User]
    before: int | None  # the id to continue from, None on the last page


def account_id(person: str) -> int | None:
    """The id of the account named by an e-mail address or id; NOBODY when none has it; None when blank."""
    text = person.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    found = db.session.scalar(select(User.id).where(User.email == text.lower()))
    return found if found is not None else NOBODY


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def query(filters: Filters):
    """The events matching `filters`, as a select to order and page."""
    statement = select(AuditEvent)
    actor, subject = account_id(filters.actor), account_id(filters.subject)
    if actor is not None:
        statement = statement.where(AuditEvent.actor_id == actor)
    if subject is not None:
        statement = statement.where(AuditEvent.subject_id == subject)
    action = filters.action.strip()
    if action.endswith("."):
        statement = statement.where(AuditEvent.event.startswith(action, autoescape=True))
    elif action:
        statement = statement.where(AuditEvent.event == action)
    since, until = _day(filters.since), _day(filters.until)
    if since is not None:
        statement = statement.where(AuditEvent.at >= datetime.combine(since, time.min))
    if until is not None:
        statement = statement.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time.min))
    return statement


def page(filters: Filters, before: int | None = None, size: int = PAGE_SIZE) -> Page:
    """A page of matching events, newest first, with the accounts they name (one more statement)."""
    statement = query(filters)
    if before is not None:
        statement = statement.where(AuditEvent.id < before)
    rows = list(db.session.scalars(statement.order_by(AuditEvent.id.desc()).limit(size + 1)))
    events = rows[:size]
    return Page(events, people_of(events), events[-1].id if len(rows) > size else None)


def people_of(events: list[AuditEvent]) -> dict[int, User]:
    ids = {event.actor_id for event in events if event.actor_id} | {event.subject_id for event in events
                                                                    if event.subject_id}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def count(filters: Filters) -> int:
    return db.session.scalar(select(func.count()).select_from(query(filters).subquery())) or 0


def actions() -> list[str]:
    """The event names the log holds, for the action filter's list."""
    return list(db.session.scalars(select(AuditEvent.event).distinct().order_by(AuditEvent.event)
                                   .limit(ACTION_CHOICES_LIMIT)))


HEADER = ["time_utc", "action", "actor_id", "actor_email", "subject_id", "subject_email", "ip", "detail"]
EXPORT_BATCH = 2000


def records(filters: Filters) -> list[list]:
    """Every matching event as a CSV row, newest first (read in batches of EXPORT_BATCH)."""
    found: list[list] = []
    before = None
    while True:
        chunk = page(filters, before, EXPORT_BATCH)
        for event in chunk.events:
            actor, subject = chunk.people.get(event.actor_id), chunk.people.get(event.subject_id)
            found.append([event.at.isoformat(sep=" ", timespec="seconds"), event.event, event.actor_id,
                          actor.email if actor else "", event.subject_id, subject.email if subject else "",
                          event.ip or "", json.dumps(event.detail, ensure_ascii=False, sort_keys=True)])
        if chunk.before is None:
            return found
        before = chunk.before

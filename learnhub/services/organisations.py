"""Organisations as records (issue 17, decision 0058): one record per organisation and country, so the reports
by type of organisation and by sector count one spelling, one type and one sector per organisation.

A person names their organisation at registration or in their profile, choosing from the listed ones (the
form suggests them) or typing another ("other"). A name that matches a listed record, case and accents
aside, takes that record's exact name, type and sector; another name becomes an unlisted record of its own,
with the type and sector the person gave. An admin then lists it as it is, or merges it into a listed one:
its people then take the listed record's name, type and sector (the coverage rollup follows, as for any
profile change).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from learnhub.extensions import db
from learnhub.models import Organisation, User
from learnhub.services import audit
from learnhub.text import name_key

SUGGESTED = 500  # listed names a form suggests at most


class OrganisationError(ValueError):
    """Codes: not-listed (a merge target must be listed), same (into itself), other-country."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def suggestions() -> list[str]:
    """Listed organisations' names, for the form's suggestions."""
    return list(db.session.scalars(select(Organisation.name).where(Organisation.listed.is_(True)).distinct()
                                   .order_by(Organisation.name).limit(SUGGESTED)))


def _key(name: str) -> str:
    return name_key(name)[:200]


def link(user: User) -> Organisation | None:
    """Point `user` at the record of the organisation they named (creating an unlisted one for a new name);
    a listed record gives them its exact name, type and sector. Flushes."""
    key = _key(user.organisation or "")
    if not key:
        user.organisation_id = None
        db.session.flush()
        return None
    record = db.session.scalar(select(Organisation).where(Organisation.country == user.country,
                                                          Organisation.name_key == key))
    if record is None:
        record = Organisation(name=user.organisation.strip()[:200], name_key=key, type=user.organisation_type,
                              country=user.country, sector=user.sector, listed=False)
        db.session.add(record)
        db.session.flush()
    elif record.listed:
        user.organisation, user.organisation_type, user.sector = record.name, record.type, record.sector
    user.organisation_id = record.id
    db.session.flush()
    return record


@dataclass(frozen=True)
class Entry:
    record: Organisation
    people: int


def overview(listed: bool, country: str = "") -> list[Entry]:
    """Records (unlisted ones: waiting for an admin) with how many people name each, by country and name."""
    counts = (select(User.organisation_id, func.count().label("people")).where(User.organisation_id.is_not(None))
              .group_by(User.organisation_id).subquery())
    query = (select(Organisation, func.coalesce(counts.c.people, 0))
             .outerjoin(counts, counts.c.organisation_id == Organisation.id)
             .where(Organisation.listed.is_(listed)).order_by(Organisation.country, Organisation.name_key).limit(500))
    if country:
        query = query.where(Organisation.country == country)
    return [Entry(record, people) for record, people in db.session.execute(query)]


def list_as_is(actor: User, record: Organisation, ip: str | None = None) -> bool:
    if record.listed:
        return False
    record.listed = True
    db.session.flush()
    audit.record("organisation.listed", actor_id=actor.id, ip=ip, organisation_id=record.id, name=record.name,
                 country=record.country, type=record.type, sector=record.sector)
    return True


def merge(actor: User, source: Organisation, target: Organisation, ip: str | None = None) -> int:
    """Move everyone who named `source` to the listed `target` (its name, type and sector) and delete `source`.
    Returns how many people moved. Profile changes go through the ORM, so the coverage rollup follows."""
    if not target.listed:
        raise OrganisationError("not-listed")
    if source.id == target.id:
        raise OrganisationError("same")
    if source.country != target.country:
        raise OrganisationError("other-country")
    people = list(db.session.scalars(select(User).where(User.organisation_id == source.id)))
    for person in people:
        person.organisation, person.organisation_type, person.sector = target.name, target.type, target.sector
        person.organisation_id = target.id
    db.session.flush()
    audit.record("organisation.merged", actor_id=actor.id, ip=ip, before={"id": source.id, "name": source.name,
                 "type": source.type, "sector": source.sector}, after={"id": target.id, "name": target.name,
                 "type": target.type, "sector": target.sector}, people=len(people))
    db.session.delete(source)
    db.session.flush()
    return len(people)

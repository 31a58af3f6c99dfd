"""The catalogue's version (issue 14, decision 0084): one random token that any change to any course replaces,
in the same transaction, and that every logged-in request reads with its session user, in the same statement.

A worker keeps course rows between requests under the token it read (services/catalogue), so a lesson, course
or quiz page needs no statement of its own for the course, and still a sync or publication committed on any
instance is seen at the next request there. The token is random rather than a counter or a time: a change rolled
back leaves no token that a later change could reuse, and instances' clocks do not matter.
"""

from __future__ import annotations

import secrets

from flask import g, has_app_context
from sqlalchemy import ScalarSelect, event, select, update
from sqlalchemy.orm import Session

from learnhub.models import CatalogueState, Course
from learnhub.services import catalogue_watch


def column() -> ScalarSelect:
    """The token as a column to add to another statement (the session user's)."""
    return select(CatalogueState.version).where(CatalogueState.id == 1).scalar_subquery()


def note(version: str | None) -> None:
    """Remember for this request the token read with its session user."""
    if has_app_context():
        g.catalogue_version = version


def noted() -> str | None:
    """The token this request read with its session user; None when it read none (anonymous, a command, a job):
    then nothing kept may be used."""
    return g.get("catalogue_version") if has_app_context() else None


def _changes_a_course(session: Session) -> bool:
    return any(isinstance(each, Course) for each in (*session.new, *session.deleted)) or any(
        isinstance(each, Course) and session.is_modified(each) for each in session.dirty)


def _after_flush(session: Session, _context) -> None:
    if _changes_a_course(session):
        version = secrets.token_hex(16)
        connection = session.connection()
        connection.execute(update(CatalogueState).values(version=version))
        if connection.dialect.name == "postgresql":  # heard by every worker's listener at the commit (catalogue_watch)
            connection.execute(catalogue_watch.NOTIFY, {"version": version})


def install() -> None:
    """Replace the token on every flush that adds, changes or deletes a course, in any ORM session (once per
    process): a sync, a publication, a retirement, a test's own change."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)

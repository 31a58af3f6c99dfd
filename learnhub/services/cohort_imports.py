"""A trainer's CSV of people, imported into a cohort by a queue job in chunks rather than inside the request
(decision 0032): a 10,000-row import took longer than a web worker may.

The view checks the file (cohort_csv) and `record`s its good rows; the queue's `run_import` job calls `run`.
Unlike other services, `run` and `give_up` COMMIT. `run` commits once per chunk: the chunk's accounts, pending
memberships (cohorts.add_people) and the import's progress and counts in one transaction. So a consumer killed
mid-import loses only the chunk it was on, which rolls back whole, and the next run (a retry, or the sweep's)
starts again at `done_rows`. Each chunk is taken under a lock on the import's row, so two consumers woken for
the same import never both import a chunk; and add_people never adds anyone twice anyway.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import defer

from learnhub.extensions import db
from learnhub.models import Cohort, CohortImport, User
from learnhub.models.base import utcnow
from learnhub.services import audit, cohorts
from learnhub.services.cohort_csv import ParsedImport
from learnhub.services.cohorts import Person

CHUNK = 500  # people per transaction: about a second of work, so a lost consumer costs little
SUMMARY_SHOWN_FOR = timedelta(days=1)  # how long the cohort page shows a finished import's summary
UNFINISHED = ("queued", "running")
_PERSON_FIELDS = tuple(field.name for field in dataclasses.fields(Person))


def record(cohort: Cohort, trainer: User, parsed: ParsedImport) -> CohortImport:
    """An import of the good rows of `parsed` into `cohort`, queued (the caller queues its job after its commit).
    Flushes."""
    rows = [{name: getattr(row, name) for name in _PERSON_FIELDS} for row in parsed.rows]
    started = CohortImport(cohort_id=cohort.id, trainer_id=trainer.id, status="queued", total_rows=len(rows),
                           done_rows=0, rows=rows, skipped_lines=len({error.line for error in parsed.errors}),
                           heartbeat_at=utcnow())
    db.session.add(started)
    db.session.flush()
    return started


def run(import_id: int, *, chunk: int = CHUNK, max_chunks: int | None = None) -> CohortImport | None:
    """Import the rows not imported yet, `chunk` at a time, committing each; then mark the import done (its rows
    emptied, an audit event for its trainer). Returns the import (None if its cohort was deleted meanwhile).
    `max_chunks` stops after that many chunks, as a consumer killed between two would. Whatever fails rolls
    back the chunk it was in and is raised (the job retries)."""
    rows: list[dict] | None = None
    done_chunks = 0
    try:
        while True:
            found = _locked(import_id)
            if found is None or found.status == "done":
                db.session.rollback()
                return found
            if found.done_rows >= found.total_rows:
                _finish(found)
                db.session.commit()
                return found
            if max_chunks is not None and done_chunks >= max_chunks:
                db.session.rollback()
                return found
            if rows is None:  # read once per run, not once per chunk (10,000 rows are about 1 MB)
                rows = db.session.scalar(select(CohortImport.rows).where(CohortImport.id == import_id))
            _import_chunk(found, rows[found.done_rows:found.done_rows + chunk])
            db.session.commit()
            done_chunks += 1
    except BaseException:
        db.session.rollback()
        raise


def _locked(import_id: int) -> CohortImport | None:
    """The import as it is now, its row locked until the transaction ends (PostgreSQL; a SQLite writer holds
    the whole database already)."""
    return db.session.scalar(select(CohortImport).where(CohortImport.id == import_id).with_for_update()
                             .options(defer(CohortImport.rows)).execution_options(populate_existing=True))


def _import_chunk(found: CohortImport, rows: list[dict]) -> None:
    now = utcnow()
    cohort = db.session.get(Cohort, found.cohort_id)
    result = cohorts.add_people(cohort, [Person(**row) for row in rows])
    if found.status != "running":
        found.status, found.error = "running", None
        found.started_at = found.started_at or now
    found.done_rows += len(rows)
    found.invited += result.invited
    found.already_invited += result.already_invited
    found.already_members += result.already_members
    found.new_accounts += result.new_accounts
    found.staff += result.staff
    found.heartbeat_at = now
    db.session.flush()


def _finish(found: CohortImport) -> None:
    now = utcnow()
    found.status, found.error, found.rows = "done", None, []
    found.started_at = found.started_at or now
    found.finished_at = found.heartbeat_at = now
    audit.record("cohort.imported", actor_id=found.trainer_id, cohort_id=found.cohort_id, import_id=found.id,
                 rows=found.total_rows, skipped_lines=found.skipped_lines, invited=found.invited,
                 already_invited=found.already_invited, already_members=found.already_members,
                 new_accounts=found.new_accounts, staff=found.staff)
    db.session.flush()


def give_up(import_id: int, error: str) -> None:
    """Every try failed: the import is `failed` with the error (for admins; the trainer reads a plain sentence).
    Its rows stay, so an admin's retry of the job resumes it. Commits."""
    db.session.rollback()
    found = _locked(import_id)
    if found is not None and found.status != "done":
        found.status, found.error, found.finished_at = "failed", error[:1000], utcnow()
    db.session.commit()


def lost(before: datetime) -> list[int]:
    """Unfinished imports whose consumer has given no sign of life since `before` (killed, or its message lost
    before any consumer took it)."""
    return list(db.session.scalars(select(CohortImport.id).where(CohortImport.status.in_(UNFINISHED),
                                                                 CohortImport.heartbeat_at < before)
                                   .order_by(CohortImport.id)))


def shown(cohort: Cohort, now: datetime | None = None) -> list[CohortImport]:
    """What the cohort page says about imports, oldest first: every unfinished one, and the latest finished one
    if it finished within SUMMARY_SHOWN_FOR."""
    since = (now or utcnow()) - SUMMARY_SHOWN_FOR
    latest_finished = (select(CohortImport.id).where(CohortImport.cohort_id == cohort.id,
                                                     CohortImport.status.not_in(UNFINISHED),
                                                     CohortImport.finished_at >= since)
                       .order_by(CohortImport.finished_at.desc(), CohortImport.id.desc()).limit(1)).scalar_subquery()
    return list(db.session.scalars(
        select(CohortImport).options(defer(CohortImport.rows))
        .where(CohortImport.cohort_id == cohort.id,
               or_(CohortImport.status.in_(UNFINISHED), CohortImport.id == latest_finished))
        .order_by(CohortImport.created_at, CohortImport.id)))

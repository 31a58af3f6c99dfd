"""The jobs LearnHub runs on its queue: mail, invitations, big exports, the rollup rebuild, sweeps, housekeeping.
Each is small: it calls a service, which does the work and commits.

Retries back off (30 s, 1, 2, 4, 8 min...); a job whose last retry fails is recorded for admins
(queue._record_final_failure). Work that must not be lost is owed in the database first, so the sweep
finds it again if a consumer dies holding its message.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from huey import crontab

from learnhub.extensions import db
from learnhub.jobs.queue import job, periodic, request_context
from learnhub.models.base import utcnow

log = logging.getLogger(__name__)

MAIL_RETRIES = 6  # 30 s + 1 + 2 + 4 + 8 + 16 min: about half an hour of a mail server being down
LOST_AFTER = timedelta(minutes=10)  # owed work older than this, with no delivery yet, is woken again
INVITATIONS_PER_RUN = 500  # one run of send_invitations claims at most this many, then queues the next
IMPORT_RETRIES = 3  # 30 s, 1 and 2 min: each try resumes where the one before stopped


@job(retries=MAIL_RETRIES, retry_delay=30, retry_backoff=2, context=True)
def deliver_mail(mail_id: int, task=None) -> bool:
    """Deliver one queued mail; on the last failed try the mail is marked dead (admins can try again)."""
    from learnhub.services import mail

    try:
        return mail.deliver(mail_id)
    except Exception:
        if task is not None and not task.retries:
            mail.give_up(mail_id)
        raise


@job(retries=3, retry_delay=60, retry_backoff=2)
def send_invitations(cohort_id: int | None = None) -> int:
    """Queue the mail of up to INVITATIONS_PER_RUN owed invitations of a cohort (or all), each claimed once,
    then queue itself again while more are owed: short runs, so other jobs interleave and a consumer killed
    mid-way leaves little to redo (the sweep, or the next run, picks up the rest)."""
    from learnhub.models import Cohort
    from learnhub.services import invitations

    cohort = db.session.get(Cohort, cohort_id) if cohort_id is not None else None
    if cohort_id is not None and cohort is None:
        return 0
    with request_context():
        sending = invitations.send_owed(cohort, max_count=INVITATIONS_PER_RUN)
    if sending.remaining:
        send_invitations(cohort_id)
    return sending.sent


@job(retries=IMPORT_RETRIES, retry_delay=30, retry_backoff=2, context=True)
def run_import(import_id: int, task=None) -> str | None:
    """Import a trainer's CSV into their cohort in chunks, from where any earlier run stopped, then queue the
    sending of the invitations it owes. On the last failed try the import is marked failed (an admin's retry
    resumes it)."""
    from learnhub.services import cohort_imports

    try:
        with request_context():
            found = cohort_imports.run(import_id, chunk=current_app.config["IMPORT_CHUNK_ROWS"])
    except Exception as error:
        if task is not None and not task.retries:
            with request_context():
                cohort_imports.give_up(import_id, f"{type(error).__name__}: {error}")
        raise
    if found is None:
        return None
    status, cohort_id = found.status, found.cohort_id
    db.session.rollback()
    if status == "done":
        send_invitations(cohort_id)
    return status


@job(retries=IMPORT_RETRIES, retry_delay=30, retry_backoff=2, context=True)
def run_regrade(regrade_id: int, task=None) -> str | None:
    """Apply a trainer's regrade of a quiz with many attempts in chunks, from where any earlier run stopped
    (decision 0035). On the last failed try the regrade is marked failed (an admin's retry resumes it)."""
    from learnhub.services import regrades

    try:
        with request_context():
            found = regrades.run(regrade_id)
    except Exception as error:
        if task is not None and not task.retries:
            with request_context():
                regrades.give_up(regrade_id, f"{type(error).__name__}: {error}")
        raise
    status = found.status if found is not None else None
    db.session.rollback()
    return status


@job(retries=2, retry_delay=60, retry_backoff=2, context=True)
def prepare_export(export_id: int, task=None) -> str | None:
    """Build an export too big to build in its request, as the immediate download would (decision 0034);
    on the last failed try its owner sees it failed."""
    from learnhub.services import export_files

    try:
        with request_context():
            return export_files.prepare(export_id)
    except Exception:
        if task is not None and not task.retries:
            export_files.give_up(export_id)
        raise


@job(retries=1, retry_delay=300)
def rebuild_report() -> int:
    """Recount the coverage rollup from the facts, as `learnhub report rebuild` does (`--queue` queues this)."""
    from learnhub.reports import aggregate

    with request_context():
        return aggregate.rebuild_rollup()


@periodic(crontab(minute="*/5"))
def sweep(lost_after: timedelta = LOST_AFTER) -> dict[str, int]:
    """Every five minutes: wake again owed work whose message was lost (a consumer killed mid-job), and imports
    whose consumer has given no sign of life for `lost_after`."""
    from learnhub.services import cohort_imports, export_files, invitations, mail, regrades

    owed_mail = mail.owed(utcnow() - lost_after)
    db.session.rollback()
    for mail_id in owed_mail:
        deliver_mail(mail_id)
    owed_invitations = invitations.owed_count(None)
    db.session.rollback()
    if owed_invitations:
        send_invitations(None)
    lost_imports = cohort_imports.lost(utcnow() - lost_after)
    db.session.rollback()
    for import_id in lost_imports:
        run_import(import_id)
    lost_regrades = regrades.lost(utcnow() - lost_after)
    db.session.rollback()
    for regrade_id in lost_regrades:
        run_regrade(regrade_id)
    owed_exports = export_files.owed(utcnow() - lost_after)
    db.session.rollback()
    for export_id in owed_exports:
        prepare_export(export_id)
    return {"mails": len(owed_mail), "invitations": owed_invitations, "imports": len(lost_imports),
            "regrades": len(lost_regrades), "exports": len(owed_exports)}


@periodic(crontab(minute="17", hour="3"))
def housekeeping() -> dict[str, int]:
    """Every night: delete what has outlived its use (expired links, old throttle events, sent mail bodies,
    resolved failures, expired export files, audit events past retention)."""
    from learnhub.services import housekeeping as service

    removed = service.run()
    log.info("housekeeping removed %s", removed)
    return removed


@periodic(crontab(minute="41", hour="6"))
def remind_expiring_certificates() -> int:
    """Every morning: mail the learners whose certificate expires in 30 or 7 days (each reminder once)."""
    from learnhub.services import certificate_reminders

    with request_context():
        sent = certificate_reminders.send_due()
    log.info("certificate reminders queued: %d", sent)
    return sent


def retry(task: str, arguments: list) -> bool:
    """Queue a failed job again, as an admin asked; a dead mail becomes owed again (woken at commit).
    False for a job this release no longer knows."""
    from learnhub.services import mail

    if task == "tasks.deliver_mail":
        return mail.requeue(*arguments)
    known = {"tasks.send_invitations": send_invitations, "tasks.run_import": run_import,
             "tasks.run_regrade": run_regrade, "tasks.housekeeping": housekeeping, "tasks.sweep": sweep,
             "tasks.prepare_export": prepare_export,
             "tasks.rebuild_report": rebuild_report}
    if task not in known:
        return False
    known[task](*arguments)
    return True

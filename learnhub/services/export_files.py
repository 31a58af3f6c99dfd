"""Exports people download: built while they wait when small, else prepared on the queue (decision 0034).

Each kind of export is declared once in EXPORTS: who may have it, what it is about (its subject), how many
rows it has, and how it is rendered. The download view and the queue's `prepare_export` job both call
`render`, so a prepared file holds the bytes the immediate download would have held.

Above LEARNHUB_EXPORT_INLINE_LIMIT rows, `export` writes an ExportFile row (flushed, in the caller's
transaction) that a job fills in (`prepare`); its owner fetches it from "Your downloads" until it expires
(EXPORT_KEPT), and nightly housekeeping deletes it after that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import defer

from learnhub import exports
from learnhub.extensions import db
from learnhub.models import ExportFile, User
from learnhub.models.base import utcnow
from learnhub.reports import coverage, formats, regional, scope
from learnhub.services import audit_log, cohort_progress, cohorts

EXPORT_KEPT = timedelta(hours=24)  # a prepared file, then gone: it holds learners' results or a report
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Built:
    """A rendered export and the audit event its download records."""

    data: bytes
    mimetype: str
    filename: str
    audit_event: str
    audit_detail: dict[str, Any] = field(default_factory=dict)


class CohortProgress:
    """A cohort's progress table (CSV or XLSX): every page of it, sorted, filtered and searched as on the page.
    Rows: its people."""

    key = "cohort_progress"

    @staticmethod
    def subject(owner: User, parameters: dict):
        if not owner.has_role("trainer", "admin"):
            return None
        return cohorts.cohort_for(owner, parameters["cohort_id"])

    @staticmethod
    def rows(cohort) -> int:
        return cohorts.people_count(cohort)

    @staticmethod
    def file(cohort, parameters: dict) -> tuple[str, str]:
        fmt = parameters["fmt"]
        return f"cohort-{cohort.id}-progress.{fmt}", "text/csv; charset=utf-8" if fmt == "csv" else XLSX

    @classmethod
    def render(cls, owner: User, cohort, parameters: dict) -> Built:
        fmt = parameters["fmt"]
        assigned, rows = cohort_progress.table(cohort, owner, parameters.get("sort"), parameters.get("show"),
                                               parameters.get("course"), parameters.get("q"))
        header, records = cohort_progress.table_records(assigned, rows, parameters["language"])
        data = exports.to_csv(header, records) if fmt == "csv" else exports.to_xlsx(header, records, cohort.name)
        filename, mimetype = cls.file(cohort, parameters)
        return Built(data, mimetype, filename, "cohort.progress_exported",
                     {"cohort_id": cohort.id, "format": fmt, "rows": len(records)})


class CountryCoverage:
    """A country's coverage report (CSV, XLSX, JSON, PDF) for a year. Rows: the rows of all its cuts."""

    key = "coverage"

    @staticmethod
    def subject(owner: User, parameters: dict):
        if parameters["country"] not in scope.countries_in_scope(owner) or not scope.year_reported(parameters["year"]):
            return None
        return coverage.build(parameters["country"], parameters["year"], current_app.config["SUPPRESSION_K"])

    @staticmethod
    def rows(report) -> int:
        return sum(len(cut.rows) for cut in report.cuts)

    @staticmethod
    def file(report, parameters: dict) -> tuple[str, str]:
        fmt = parameters["fmt"]
        return f"learnhub-coverage-{report.country}-{report.year}.{fmt}", formats.MIMETYPES[fmt]

    @classmethod
    def render(cls, owner: User, report, parameters: dict) -> Built:
        data, mimetype = formats.render(report, parameters["fmt"], parameters["language"])
        return Built(data, mimetype, cls.file(report, parameters)[0], "report.downloaded",
                     {"country": report.country, "year": report.year, "format": parameters["fmt"]})


class RegionalComparison:
    """Countries of a region side by side (CSV, XLSX, JSON) for a year. Rows: its countries."""

    key = "regional"

    @staticmethod
    def subject(owner: User, parameters: dict):
        if not owner.has_role("analyst", "admin") or not scope.year_reported(parameters["year"]):
            return None
        return regional.build(parameters["region"], parameters["year"], current_app.config["SUPPRESSION_K"],
                              frozenset(scope.countries_in_scope(owner)))

    @staticmethod
    def rows(comparison) -> int:
        return len(comparison.lines)

    @staticmethod
    def file(comparison, parameters: dict) -> tuple[str, str]:
        fmt = parameters["fmt"]
        return f"learnhub-coverage-{parameters['region']}-{comparison.year}.{fmt}", formats.MIMETYPES[fmt]

    @classmethod
    def render(cls, owner: User, comparison, parameters: dict) -> Built:
        data, mimetype = formats.render_comparison(comparison, parameters["fmt"])
        return Built(data, mimetype, cls.file(comparison, parameters)[0], "report.downloaded",
                     {"region": parameters["region"], "year": comparison.year, "format": parameters["fmt"],
                      "countries": [line.country for line in comparison.lines]})


class AuditLog:
    """The audit log's events matching the viewer's filters (CSV), newest first. Rows: those events."""

    key = "audit_log"

    @staticmethod
    def subject(owner: User, parameters: dict):
        if not owner.has_role("admin"):
            return None
        return audit_log.Filters(**{key: str(parameters.get(key, "")) for key in audit_log.FILTER_KEYS})

    @staticmethod
    def rows(filters) -> int:
        return audit_log.count(filters)

    @staticmethod
    def file(filters, parameters: dict) -> tuple[str, str]:
        return "learnhub-audit-log.csv", "text/csv; charset=utf-8"

    @classmethod
    def render(cls, owner: User, filters, parameters: dict) -> Built:
        rows = audit_log.records(filters)
        filename, mimetype = cls.file(filters, parameters)
        return Built(exports.to_csv(audit_log.HEADER, rows), mimetype, filename, "audit.exported",
                     {**filters.as_dict(), "rows": len(rows)})


EXPORTS = {kind.key: kind for kind in (CohortProgress, CountryCoverage, RegionalComparison, AuditLog)}


def export(owner: User, kind: str, parameters: dict, inline_limit: int) -> Built | ExportFile | None:
    """The export `owner` asked for: rendered now when it has at most `inline_limit` rows, else an
    ExportFile owed to the queue (flushed; queue `prepare_export(row.id)` once the caller commits).
    None when `owner` may not have it. `parameters` are JSON values, with "language" among them."""
    declared = EXPORTS[kind]
    subject = declared.subject(owner, parameters)
    if subject is None:
        return None
    if declared.rows(subject) <= inline_limit:
        return declared.render(owner, subject, parameters)
    filename, mimetype = declared.file(subject, parameters)
    now = utcnow()
    row = ExportFile(owner_id=owner.id, kind=kind, parameters=parameters, filename=filename, mimetype=mimetype,
                     status="queued", created_at=now, expires_at=now + EXPORT_KEPT)
    db.session.add(row)
    db.session.flush()
    return row


def prepare(export_id: int) -> str | None:
    """Build a queued (or failed, when an admin retries it) export as its owner may see it now, in the
    language it was asked in; "ready", or "failed" when the owner lost access. None when there is nothing
    to do (already ready, expired or deleted). COMMITS (a job calls it)."""
    row = db.session.get(ExportFile, export_id)
    if row is None or row.status == "ready" or row.expires_at <= utcnow():
        db.session.rollback()
        return None
    owner = db.session.get(User, row.owner_id)
    declared = EXPORTS[row.kind]
    with force_locale(row.parameters["language"]):
        subject = declared.subject(owner, row.parameters) if owner.active else None
        built = None if subject is None else declared.render(owner, subject, row.parameters)
    if built is None:
        row.status = "failed"
    else:
        now = utcnow()
        row.content, row.mimetype, row.filename = built.data, built.mimetype, built.filename
        row.status, row.ready_at, row.expires_at = "ready", now, now + EXPORT_KEPT
        row.parameters = {**row.parameters, "audit": {"event": built.audit_event, "detail": built.audit_detail}}
    db.session.commit()
    return row.status


def give_up(export_id: int) -> None:
    """Every try to build the export failed: its owner sees it failed (an admin may retry the job). COMMITS."""
    db.session.rollback()
    row = db.session.get(ExportFile, export_id)
    if row is not None and row.status == "queued":
        row.status = "failed"
        db.session.commit()


def owed(before: datetime) -> list[int]:
    """Exports queued before `before` and still not built: their message was lost (the sweep wakes them)."""
    return list(db.session.scalars(select(ExportFile.id).where(
        ExportFile.status == "queued", ExportFile.created_at < before, ExportFile.expires_at > utcnow())))


def files_of(owner: User) -> list[ExportFile]:
    """The owner's exports that have not expired, newest first, without their bytes."""
    return list(db.session.scalars(select(ExportFile).options(defer(ExportFile.content)).where(
        ExportFile.owner_id == owner.id, ExportFile.expires_at > utcnow())
        .order_by(ExportFile.created_at.desc(), ExportFile.id.desc())))


def file_for(owner: User, export_id: int) -> ExportFile | None:
    """The export if it is the owner's and still something they may have (access is read again at every
    download, as for an immediate one); None otherwise, so the view answers 404."""
    row = db.session.get(ExportFile, export_id)
    if row is None or row.owner_id != owner.id:
        return None
    if EXPORTS[row.kind].subject(owner, row.parameters) is None:
        return None
    return row


def is_expired(row: ExportFile) -> bool:
    return row.expires_at <= utcnow()


def audit_of(row: ExportFile) -> tuple[str, dict]:
    """The audit event and detail a download of this prepared file records: those of the immediate download,
    and which file it was."""
    audit = row.parameters["audit"]
    return audit["event"], {**audit["detail"], "export_file_id": row.id}

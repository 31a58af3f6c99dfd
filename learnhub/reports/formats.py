"""A Report as tables and files: labels in the reader's language, CSV, XLSX and JSON from the same values."""

from __future__ import annotations

import json

from flask_babel import gettext as _

from learnhub import exports, i18n
from learnhub.reports import coverage
from learnhub.services import catalogue

FORMATS = ("csv", "xlsx", "json")
MIMETYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def row_label(cut: str, key: str, language: str) -> str:
    """What a row of a cut is called, in the reader's language."""
    if key == coverage.NOT_GIVEN:
        return _("Not given")
    if cut == "sector":
        return i18n.sector_name(key)
    if cut == "organisation_type":
        return str(i18n.ORGANISATION_TYPE_LABELS.get(key, key))
    if cut == "ecsf_role":
        return i18n.ecsf_role_name(key)
    if cut == "gender":
        return str(i18n.GENDER_LABELS.get(key, key))
    if cut == "course_kind":
        return str(i18n.COURSE_KIND_LABELS.get(key, key))
    if cut == "course":
        course = catalogue.course_or_none(key, include_retired=True)
        return course.title_in(language) if course else key
    return key


def metric_names() -> dict[str, str]:
    return {"population": _("Learners"), "enrolled": _("Enrolled"), "active": _("Active"),
            "completed": _("Completed"), "certified": _("Certified")}


def cut_names() -> dict[str, str]:
    return {"sector": _("By sector"), "organisation_type": _("By type of organisation"),
            "ecsf_role": _("By cybersecurity role"), "gender": _("By gender"), "course_kind": _("By type of course"),
            "course": _("By course"), "month": _("By month")}


def flat_records(report: coverage.Report, language: str) -> tuple[list[str], list[list]]:
    """Every cut in one long table: cut, row, then the five metrics (blank where a metric does not apply)."""
    names = metric_names()
    header = [_("Country"), _("Year"), _("Cut"), _("Group"), *(names[m] for m in coverage.METRICS)]
    records = [[report.country, report.year, _("Total"), "", *(None if report.headline[m].suppressed
                                                               else report.headline[m].value
                                                               for m in coverage.METRICS)]]
    for cut in report.cuts:
        for row in cut.rows:
            values = [None if m not in row.values or row.values[m].suppressed else row.values[m].value
                      for m in coverage.METRICS]
            records.append([report.country, report.year, cut_names()[cut.name],
                            row_label(cut.name, row.key, language), *values])
    return header, records


def render(report: coverage.Report, fmt: str, language: str) -> tuple[bytes, str]:
    """The report as a file in `fmt` (csv, xlsx or json) and its media type."""
    if fmt == "csv":
        header, records = flat_records(report, language)
        return exports.to_csv(header, records), MIMETYPES[fmt]
    if fmt == "xlsx":
        header, records = flat_records(report, language)
        return exports.to_xlsx(header, records, f"{report.country} {report.year}"), MIMETYPES[fmt]
    if fmt != "json":
        raise ValueError(f"unknown format {fmt!r}")
    document = {
        "country": report.country, "year": report.year, "suppression_k": report.k,
        "generated_at": report.generated_at.isoformat(timespec="seconds") + "Z",
        "note": _("Counts of distinct learners. Counts from 1 to %(k)d and cells that would reveal them are "
                  "not shown (null).", k=report.k - 1),
        "headline": {m: report.headline[m].value for m in coverage.METRICS},
        "cuts": {cut.name: [{"key": row.key, **{m: row.values[m].value for m in cut.metrics}} for row in cut.rows]
                 for cut in report.cuts},
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode(), MIMETYPES[fmt]

"""A Report as tables and files: labels in the reader's language, CSV, XLSX and JSON from the same values."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from flask_babel import gettext as _
from flask_babel import ngettext

from learnhub import exports, i18n
from learnhub.reports import coverage, perturbation, regional
from learnhub.text import fold

FORMATS = ("csv", "xlsx", "json", "pdf")
MIMETYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def row_labels(cut: coverage.PublishedCut, language: str) -> dict[str, str]:
    """What each row of a cut is called, in the reader's language, as its declaration names them."""
    return cut.declared.row_labels([row.key for row in cut.rows], language)


def metric_names() -> dict[str, str]:
    return {"population": _("Learners"), "enrolled": _("Enrolled"), "active": _("Active"),
            "completed": _("Completed"), "certified": _("Certified"), "current": _("Currently certified")}


def cut_table(report: coverage.Report, cut: coverage.PublishedCut, language: str) -> tuple[list[str], list[list]]:
    """One cut as plain values (None where a count is not shown), with the target and the coverage for
    the cuts that have targets: the same table on the dashboard and in the PDF."""
    names = metric_names()
    targets = report.cut_targets(cut.name)
    header = [str(cut.declared.label), *(names[m] for m in cut.metrics)]
    if targets:
        header += [_("Target"), _("Coverage, percent of target")]
    labels = row_labels(cut, language)
    rows = []
    for row in cut.rows:
        line = [labels[row.key], *(None if row.values[m].suppressed else row.values[m].value for m in cut.metrics)]
        if targets:
            line += [targets.get(row.key), _percent(report.coverage_in(cut.name, row.key))]
        rows.append(line)
    return header, rows


def chart_caption(declared) -> str:
    """What a cut's chart plots, said in words on the page and in the PDF: the measure, then the rows."""
    if declared.line_title:
        return str(declared.line_title)
    return _("Certified learners (number), %(cut)s", cut=str(declared.label).lower())


def flat_records(report: coverage.Report, language: str) -> tuple[list[str], list[list]]:
    """Every cut in one long table: cut, row, then the five metrics (blank where a metric does not apply)."""
    names = metric_names()
    header = [_("Country"), _("Year"), _("Cut"), _("Group"), *(names[m] for m in coverage.METRICS), _("Target"),
              _("Coverage, percent of target")]
    records = [[report.country, report.year, _("Total"), "", *(None if report.headline[m].suppressed
                                                               else report.headline[m].value
                                                               for m in coverage.METRICS),
                report.total_target, _percent(report.coverage())]]
    for cut in report.cuts:
        labels = row_labels(cut, language)
        for row in cut.rows:
            values = [None if m not in row.values or row.values[m].suppressed else row.values[m].value
                      for m in coverage.METRICS]
            records.append([report.country, report.year, str(cut.declared.label), labels[row.key], *values,
                            report.cut_targets(cut.name).get(row.key),
                            _percent(report.coverage_in(cut.name, row.key))])
    return header, records


def learners_definition() -> str:
    return _("Learners: trainees and trainers whose country of work is this country, whose e-mail address is "
             "verified and who did at least one learning step. Enrolled, active (any progress), completed and "
             "certified: distinct such learners with that event in the year.")


def current_definition(moment) -> str:
    """What "currently certified" counts, and at which moment (`cuts.reference_moment`)."""
    return _("Currently certified: distinct learners holding, on %(moment)s UTC, a certificate that was issued by "
             "then, is not revoked and has not expired, whenever it was issued (a renewed certificate counts its "
             "learner once). Certified: learners issued a certificate in the year.", moment=as_of(moment))


def as_of(moment) -> str:
    """The reference moment of "currently certified" as the reports print it."""
    return moment.isoformat(sep=" ", timespec="minutes")


def current_as_of(moment) -> str | None:
    """The reference moment in the JSON documents (ISO 8601, UTC)."""
    return None if moment is None else moment.isoformat(timespec="seconds") + "Z"


def perturbation_definition() -> str:
    return _("Every count is perturbed: it differs from the true count by at most %(d)d, is never below 0, and a "
             "true 0 stays 0. The same count is always shown the same, but rows need not add up exactly to their "
             "total; percentages are computed from the counts shown.", d=perturbation.BOUND)


def definitions(report: coverage.Report) -> list[str]:
    """What the figures mean, as every format states it."""
    return [
        learners_definition(),
        current_definition(report.current_as_of),
        perturbation_definition(),
        _("Counts from 1 to %(k)d are not shown (—), nor any other cell that would let someone work them out from "
          "the totals; no percentage is shown over fewer than %(n)d learners.", k=report.k - 1, n=report.k),
        _("A learner in two courses counts in both course rows and once in the totals; months do not add up to "
          "the year for the same reason."),
    ]


def coverage_definition(k: int) -> str:
    return _("Coverage of the target: currently certified learners of the sectors that have a target (for every "
             "role), over those targets added up; sectors without a target are left out of it. Shown only where the "
             "target is %(k)d or more.", k=k)


def role_coverage_definition() -> str:
    return _("Coverage by role: currently certified learners with that ECSF role over the role's targets, shown "
             "only when every sector sets one (the counts by role are not split by sector).")


def notes(report: coverage.Report) -> list[tuple[str, str]]:
    """The XLSX notes sheet: the filters that made the report, what the figures mean, what is hidden."""
    cells = [row.values[m] for cut in report.cuts for row in cut.rows for m in cut.metrics]
    cells += list(report.headline.values())
    # Only how many: saying which are small and which are complements would narrow what a hidden pair holds.
    hidden = sum(cell.suppressed for cell in cells)
    return [
        (_("Country"), f"{i18n.country_name(report.country)} ({report.country})"),
        (_("Year"), str(report.year)),
        (_("Generated"), report.generated_at.isoformat(timespec="seconds") + "Z"),
        (_("Privacy threshold"), str(report.k)),
        (_("Largest perturbation"), str(perturbation.BOUND)),
        (_("Cells not shown"), _("%(hidden)d: counts from 1 to %(k)d, and other counts that would let someone "
                                 "work those out from the totals.", hidden=hidden, k=report.k - 1)),
        *((_("Definition"), text) for text in definitions(report)),
        (_("Coverage"), coverage_definition(report.k)),
        (_("Coverage by role"), role_coverage_definition()),
        (_("Source"), _("LearnHub coverage reports: the same figures as the dashboard and the CSV, JSON and PDF "
                        "downloads.")),
    ]


def _pdf(report: coverage.Report, language: str) -> bytes:
    from learnhub.reports.numbers import format_number
    from learnhub.reports.pdf import PdfSection, render_report_pdf

    names = metric_names()
    headline = [(names[m], "—" if report.headline[m].suppressed else format_number(report.headline[m].value,
                                                                                  language))
                for m in coverage.METRICS]
    if report.coverage() is not None:
        headline.append((_("Coverage of the target"), f"{format_number(100 * report.coverage(), language)} %"))
    covered = report.target_coverage()
    extra = [] if covered is None or covered.every_sector else [ngettext(
        "Coverage of the target: only the %(num)d sector with a target: %(names)s.",
        "Coverage of the target: only the %(num)d sectors with a target: %(names)s.", len(covered.sectors),
        names=", ".join(sorted((i18n.sector_name(key) for key in covered.sectors), key=fold)))]
    sections = []
    for cut in report.cuts:
        header, rows = cut_table(report, cut, language)
        chart_metric = cut.declared.chart_metric
        chart = [(line[0], row.values[chart_metric].value) for row, line in zip(cut.rows, rows, strict=True)]
        sections.append(PdfSection(str(cut.declared.label), header, rows, chart, chart_caption(cut.declared)))
    return render_report_pdf(
        title=_("Coverage: %(country)s, %(year)s", country=i18n.country_name(report.country), year=report.year),
        subtitle=_("Cybersecurity training of the workforce, LearnHub"), headline=headline,
        definitions=[*definitions(report), *([coverage_definition(report.k)] if report.targets else []), *extra],
        sections=sections,
        footer=_("Generated %(date)s", date=format_date(report.generated_at.date(), "long", locale=language)),
        language=language)


def region_names() -> dict[str, str]:
    return {"eu": _("European Union"), "lac": _("Latin America and the Caribbean"),
            "all": _("European Union, Latin America and the Caribbean")}


def regional_perturbation_definition() -> str:
    return _("Each country's counts are perturbed as in its own report (at most %(d)d from the true count); the "
             "total of a column is the sum of the counts shown.", d=perturbation.BOUND)


def comparison_records(comparison: regional.Comparison) -> tuple[list[str], list[list]]:
    """The regional comparison as one table: a line per country, then the total of the countries shown."""
    names = metric_names()
    header = [_("Country code"), _("Country"), _("Year"), *(names[m] for m in coverage.METRICS), _("Target"),
              _("Coverage, percent of target")]

    def values(cells: dict) -> list:
        return [None if cells[m].suppressed else cells[m].value for m in coverage.METRICS]

    records = [[line.country, i18n.country_name(line.country), comparison.year, *values(line.values), line.target,
                _percent(line.coverage)] for line in comparison.lines]
    records.append(["", _("Total of the countries shown"), comparison.year, *values(comparison.totals),
                    comparison.total_target, _percent(comparison.total_coverage)])
    return header, records


def render_comparison(comparison: regional.Comparison, fmt: str) -> tuple[bytes, str]:
    """The regional comparison as CSV, XLSX or JSON, from the same values as the page."""
    if fmt in ("csv", "xlsx"):
        header, records = comparison_records(comparison)
        if fmt == "csv":
            return exports.to_csv(header, records), MIMETYPES[fmt]
        return exports.to_xlsx(header, records, f"{comparison.region.upper()} {comparison.year}", notes=[
            (_("Region"), region_names()[comparison.region]), (_("Year"), str(comparison.year)),
            (_("Countries shown"), ", ".join(line.country for line in comparison.lines)),
            (_("Privacy threshold"), str(comparison.k)),
            (_("Largest perturbation"), str(perturbation.BOUND)),
            (_("Definition"), learners_definition()),
            (_("Definition"), current_definition(comparison.current_as_of)),
            (_("Definition"), regional_perturbation_definition()),
            (_("Cells not shown"), _("Counts from 1 to %(k)d are not shown; the total of a column is not shown when "
                                     "any country's figure in it is not.", k=comparison.k - 1))],
            notes_title=_("Definitions")), MIMETYPES[fmt]
    if fmt != "json":
        raise ValueError(f"unknown format {fmt!r}")
    document = {
        "region": comparison.region, "year": comparison.year, "suppression_k": comparison.k,
        "perturbation_bound": perturbation.BOUND,
        "generated_at": comparison.generated_at.isoformat(timespec="seconds") + "Z",
        "current_as_of": current_as_of(comparison.current_as_of),
        "note": _("Counts of distinct learners. Counts from 1 to %(k)d are not shown (null); the total is not "
                  "shown when any country's figure is not.", k=comparison.k - 1),
        "countries": [{"country": line.country, **{m: line.values[m].value for m in coverage.METRICS},
                       "target": line.target, "coverage": _percent(line.coverage)} for line in comparison.lines],
        "total": {**{m: comparison.totals[m].value for m in coverage.METRICS}, "target": comparison.total_target,
                  "coverage": _percent(comparison.total_coverage)},
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode(), MIMETYPES[fmt]


def _percent(fraction: float | None) -> float | None:
    """A percentage with one decimal, rounded half up as the dashboard and the PDF print it (26.25 -> 26.3;
    round() would give 26.2, and perturbed counts make such halves common)."""
    if fraction is None:
        return None
    return float(Decimal(repr(100 * fraction)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def render(report: coverage.Report, fmt: str, language: str) -> tuple[bytes, str]:
    """The report as a file in `fmt` (csv, xlsx or json) and its media type."""
    if fmt == "csv":
        header, records = flat_records(report, language)
        return exports.to_csv(header, records), MIMETYPES[fmt]
    if fmt == "xlsx":
        header, records = flat_records(report, language)
        return exports.to_xlsx(header, records, f"{report.country} {report.year}", notes=notes(report),
                               notes_title=_("Definitions")), MIMETYPES[fmt]
    if fmt == "pdf":
        return _pdf(report, language), MIMETYPES[fmt]
    if fmt != "json":
        raise ValueError(f"unknown format {fmt!r}")
    document = {
        "country": report.country, "year": report.year, "suppression_k": report.k,
        "perturbation_bound": perturbation.BOUND,
        "generated_at": report.generated_at.isoformat(timespec="seconds") + "Z",
        "current_as_of": current_as_of(report.current_as_of),
        "note": _("Counts of distinct learners. Counts from 1 to %(k)d and cells that would reveal them are "
                  "not shown (null).", k=report.k - 1),
        "headline": {m: report.headline[m].value for m in coverage.METRICS},
        "targets": report.targets,
        "role_targets": report.role_targets,
        "coverage_sectors": list(report.target_coverage().sectors) if report.targets else [],
        "coverage": {"total": _percent(report.coverage()),
                     **{sector: _percent(report.coverage(sector)) for sector in report.targets}},
        "coverage_by_role": {role: _percent(report.coverage_in("ecsf_role", role)) for role in report.role_targets},
        "cuts": {cut.name: [{"key": row.key, **{m: row.values[m].value for m in cut.metrics}} for row in cut.rows]
                 for cut in report.cuts},
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode(), MIMETYPES[fmt]

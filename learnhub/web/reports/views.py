"""Analysts' coverage reports: a country dashboard and its downloads, only for countries in scope."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from learnhub import i18n, reference
from learnhub.database import writes_on_get
from learnhub.extensions import db
from learnhub.i18n import current_language
from learnhub.models.base import utcnow
from learnhub.reports import charts, coverage, cuts, formats, regional, scope, target_coverage
from learnhub.reports.numbers import NARROW_NO_BREAK_SPACE, format_number
from learnhub.security import audit_request, no_store, role_required
from learnhub.services import targets as target_rules
from learnhub.text import fold
from learnhub.web.exports import views as exports
from learnhub.web.reports.forms import TargetForm, TargetUploadForm

bp = Blueprint("reports", __name__, url_prefix="/reports")
analysts_only = role_required("analyst", "admin")


def _year() -> int:
    """The year asked for (this year by default); 404 for anything but a year reports cover."""
    try:
        year = int(request.args.get("year", utcnow().year))
    except ValueError:
        abort(404)
    if not scope.year_reported(year):
        abort(404)
    return year


def _report(country: str) -> coverage.Report:
    country = country.upper()
    if country not in scope.countries_in_scope(current_user):
        abort(404)
    return coverage.build(country, _year(), current_app.config["SUPPRESSION_K"])


def _comparison(region: str) -> regional.Comparison:
    return regional.build(region, _year(), current_app.config["SUPPRESSION_K"],
                          frozenset(scope.countries_in_scope(current_user)))


@bp.get("/")
@analysts_only
def index():
    year = utcnow().year
    countries = sorted(((code, i18n.country_name(code)) for code in scope.countries_in_scope(current_user)),
                       key=lambda pair: fold(pair[1]))
    return no_store(current_app.make_response(render_template(
        "reports/index.html", countries=countries, years=list(range(year, year - 5, -1)),
        regions=formats.region_names())))


def _percent_text(fraction: float | None) -> str:
    return "—" if fraction is None else f"{figure(100 * fraction)} %"


@bp.get("/regions/<any(eu, lac, all):region>")
@analysts_only
def region(region: str):
    """Countries side by side: a tile map of coverage against target and the table it is drawn from."""
    comparison = _comparison(region)
    names = {line.country: i18n.country_name(line.country) for line in comparison.lines}
    lines = sorted(comparison.lines, key=lambda line: fold(names[line.country]))  # by name, as the reader reads it
    tiles = [charts.Tile(line.country, names[line.country], line.coverage,
                         _percent_text(line.coverage) if line.coverage is not None else
                         (_("no target set") if not line.target else _("not shown"))) for line in comparison.lines]
    chart_caption = _("Coverage of the target by country, %(year)s", year=comparison.year)
    chart = charts.tile_map(
        tiles, title=chart_caption,
        description=_("Each square is a country, coloured by currently certified learners as a share of its target. "
                      "The same figures are in the table below."), chart_id="chart-region",
        legend=[("none", _("no target, not shown or not in your scope"))], regions=regional.REGIONS[region])
    html = render_template(
        "reports/region.html", comparison=comparison, lines=lines, chart=chart, chart_caption=chart_caption,
        names=names, metric_names=formats.metric_names(),
        shown=shown, figure=figure, percent=_percent_text, regions=formats.region_names(),
        definitions={"learners": formats.learners_definition(),
                     "current": formats.current_definition(comparison.current_as_of),
                     "perturbation": formats.regional_perturbation_definition()},
        downloads={fmt: url_for("reports.region_download", region=region, fmt=fmt, year=comparison.year)
                   for fmt in ("csv", "xlsx", "json")})
    return no_store(current_app.make_response(html))


@bp.get("/regions/<any(eu, lac, all):region>.<any(csv, xlsx, json):fmt>")
@writes_on_get
@analysts_only
def region_download(region: str, fmt: str):
    return exports.deliver("regional", region=region, year=_year(), fmt=fmt)


def shown(cell) -> str:
    return "—" if cell.suppressed else figure(cell.value)


def figure(value: int | float | None) -> str:
    """A table value as read on screen, by the report's one rule (reports.numbers: counts grouped by
    thousands, one decimal in the reader's notation: "60.0", "60,0"), with a narrow no-break space; — for None."""
    formatted = None if value is None else format_number(value, current_language(), group=NARROW_NO_BREAK_SPACE)
    return "—" if formatted is None else formatted


@bp.get("/<country>")
@analysts_only
def country(country: str):
    report = _report(country)
    language = current_language()
    names = formats.metric_names()
    sections = []
    for cut in report.cuts:
        header, rows = formats.cut_table(report, cut, language)
        declared, chart_id = cut.declared, f"chart-{cut.name.replace('_', '-')}"
        cells = [row.values[declared.chart_metric] for row in cut.rows]
        caption = formats.chart_caption(declared)
        if declared.line_title:
            chart = charts.line_chart(
                [charts.Point(i18n.month_name(row.key, language, short=True), None if cell.suppressed else cell.value,
                              shown(cell)) for row, cell in zip(cut.rows, cells, strict=True)],
                title=caption, description=_("The same figures are in the table below."), chart_id=chart_id)
        else:
            chart = charts.bar_chart(
                [charts.Bar(line[0], None if cell.suppressed else cell.value, shown(cell))
                 for line, cell in zip(rows, cells, strict=True)],
                title=caption, description=_("The same figures are in the table below."),
                suppressed_text=_("not shown"), chart_id=chart_id)
        column_cells = [row.values[metric] for row in cut.rows for metric in cut.metrics]
        some_hidden = any(cell.suppressed for cell in column_cells)
        sections.append((cut, str(declared.label), chart, caption, header, rows, some_hidden))
    share = report.certified_share()
    hidden = _hidden_figures(report)
    covered = report.target_coverage()
    covered_names = ", ".join(sorted((i18n.sector_name(key) for key in covered.sectors), key=fold)) if covered else ""
    html = render_template("reports/country.html", report=report, sections=sections, names=names, shown=shown,
                           figure=figure, covered=covered, covered_names=covered_names, hidden=hidden,
                           share=share, country_label=i18n.country_name(report.country),
                           definitions={"learners": formats.learners_definition(),
                                        "current": formats.current_definition(report.current_as_of),
                                        "perturbation": formats.perturbation_definition(),
                                        "coverage": formats.coverage_definition(report.k),
                                        "role_coverage": formats.role_coverage_definition()},
                           downloads={fmt: url_for("reports.download", country=report.country, fmt=fmt,
                                                   year=report.year) for fmt in formats.FORMATS})
    return no_store(current_app.make_response(html))


def _mostly_hidden(cells) -> bool:
    """At least as many figures hidden as there are shown above zero (zeros say little: a small country's
    tables are mostly zeros and hidden counts)."""
    hidden = sum(cell.suppressed for cell in cells)
    return hidden > 0 and hidden >= sum(not cell.suppressed and bool(cell.value) for cell in cells)


def _hidden_figures(report: coverage.Report) -> dict:
    """How many figures of the report are not shown, and the coarser figures that can be shown instead (the
    year for the months, the types of course for the courses, the region for the country)."""
    cells = [*report.headline.values(), *(row.values[metric] for cut in report.cuts for row in cut.rows
                                          for metric in cut.metrics)]
    region = reference.country_regions().get(report.country, "").lower()
    return {"count": sum(cell.suppressed for cell in cells), "total": len(cells), "mostly": _mostly_hidden(cells),
            "courses_label": str(cuts.BY_KEY["course_kind"].label),
            "year_shown": any(not cell.suppressed and cell.value for cell in report.headline.values()),
            "kinds_shown": any(not cell.suppressed and cell.value for row in report.cut("course_kind").rows
                               for cell in row.values.values()),
            "region": region if region in regional.REGIONS else None,
            "region_name": formats.region_names().get(region, ""),
            "region_url": url_for("reports.region", region=region, year=report.year)
            if region in regional.REGIONS else None}


@bp.get("/<country>.<any(csv, xlsx, json, pdf):fmt>")
@writes_on_get
@analysts_only
def download(country: str, fmt: str):
    return exports.deliver("coverage", country=country.upper(), year=_year(), fmt=fmt)


@bp.route("/<country>/targets", methods=["GET", "POST"])
@analysts_only
def targets(country: str):
    """Set the year's targets by form (one row) or CSV upload (many rows); nothing is half-applied."""
    country = country.upper()
    if country not in scope.countries_in_scope(current_user):
        abort(404)
    form = TargetForm()
    upload = TargetUploadForm()
    form.fill_choices()
    errors: list = []
    if request.method == "POST" and "file" in request.files:
        if upload.validate_on_submit():
            rows, errors = target_rules.parse_csv(upload.file.data.read())
            if not errors:
                saved = target_rules.save(country, rows, current_user)
                audit_request("targets.uploaded", country=country, rows=saved)
                db.session.commit()
                flash(ngettext("%(num)d target saved.", "%(num)d targets saved.", saved), "success")
                return redirect(url_for("reports.targets", country=country), 303)
    elif form.validate_on_submit():
        row, errors = target_rules.check_row(1, str(form.year.data), form.sector.data, form.ecsf_role.data or "",
                                             str(form.headcount.number))
        if row is not None:
            target_rules.save(country, [row], current_user)
            audit_request("targets.saved", country=country, year=row.year, sector=row.sector,
                          ecsf_role=row.ecsf_role, headcount=row.headcount)
            db.session.commit()
            flash(_("Target saved."), "success")
            return redirect(url_for("reports.targets", country=country), 303)
    if request.method == "GET":
        form.year.data = utcnow().year
    typed = form.year.data  # the year whose targets are listed, if it is one a target can have (else this one)
    year = typed if isinstance(typed, int) and 2000 <= typed <= 2100 else utcnow().year
    status = 400 if (errors or form.errors or upload.errors) else 200
    listed = target_rules.for_country(country, int(year))
    report = coverage.build(country, int(year), current_app.config["SUPPRESSION_K"]) if listed else None
    return no_store(current_app.make_response((render_template(
        "reports/targets.html", country=country, country_label=i18n.country_name(country), form=form, upload=upload,
        errors=errors, targets=listed, figure=figure, progress=_target_progress(report, listed),
        current_definition=formats.current_definition(report.current_as_of) if report else None), status)))


def _target_progress(report: coverage.Report | None, targets) -> list[tuple[str, str]]:
    """For each target listed, its currently certified learners (the figure coverage uses) and its coverage,
    as the country's report publishes them; "—" where the report does not show one."""
    if report is None:
        return []
    metric = target_coverage.METRIC
    rows = {(cut, row.key): row.values[metric] for cut in ("sector", "ecsf_role") for row in report.cut(cut).rows}
    progress = []
    for target in targets:
        if target.ecsf_role:
            cell, share = rows.get(("ecsf_role", target.ecsf_role)), report.coverage_in("ecsf_role", target.ecsf_role)
        else:
            cell, share = rows.get(("sector", target.sector)), report.coverage(target.sector)
        progress.append((shown(cell) if cell else "—", _percent_text(share)))
    return progress

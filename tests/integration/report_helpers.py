"""What a coverage report should publish, worked out from the facts: the oracle for tests of perturbed reports.

Reports never show a true count; tests take the true counts from the live GROUP BY (`aggregate.live_counts`) and
the published value from the same cell keys (`perturbation.for_app`), and check the report against both.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app

from learnhub.extensions import db
from learnhub.models.base import utcnow
from learnhub.reports import aggregate, coverage, perturbation, rollup


def true_counts(country: str, year: int, now: datetime | None = None) -> dict[tuple[str, str, str], int]:
    """(cut, key, metric) -> true distinct learners, straight from the facts; "current" as of `now` (default:
    the present, as a report made now counts it)."""
    connection = db.session.connection()
    counts = {**aggregate.live_counts(connection, country, year),
              **aggregate.current_live(connection, year, now or utcnow(), country)}
    return {(cut, key, metric): value for (_, _, cut, key, metric), value in counts.items()}


def published(app, true: int, country: str, year: int, cut: str, key: str, metric: str) -> int:
    """The value the report of `app` publishes for a cell whose true count is `true` (before suppression)."""
    return perturbation.for_app(app).publish(true, country, rollup.POPULATION_YEAR if metric == "population" else year,
                                          cut, key, metric)


def assert_perturbed_within_bound(report: coverage.Report) -> int:
    """Every cell of `report` is its true count perturbed by its own cell key (within the bound), or hidden
    as small only when that perturbed value is from 1 to k-1. Returns how many cells are published."""
    true = true_counts(report.country, report.year)
    cells = [((rollup.TOTAL, "", metric), cell) for metric, cell in report.headline.items()]
    cells += [((cut.name, row.key, metric), row.values[metric]) for cut in report.cuts for row in cut.rows
              for metric in cut.metrics]
    shown = 0
    for (cut, key, metric), cell in cells:
        count = true.get((cut, key, metric), 0)
        value = published(current_app, count, report.country, report.year, cut, key, metric)
        assert abs(value - count) <= perturbation.BOUND
        if cell.suppressed:
            assert cell.reason != "small" or 0 < value < report.k, (cut, key, metric, count, value)
        else:
            assert cell.value == value, (cut, key, metric, count, value, cell.value)
            shown += 1
    return shown


def percent(numerator: int, denominator: int) -> str:
    """numerator / denominator in percent with one decimal, rounded half up as every format prints it."""
    return str(Decimal(repr(100 * numerator / denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

"""The regional comparison: the headline figures of many countries side by side (EU, Latin America & the
Caribbean, or both), read from the rollup in two queries whatever the number of learners, and a third for
"currently certified", counted from the certificates when read (`rollup.current_counts`).

Each country's figures are perturbed and suppressed exactly as on its own dashboard (the same cell keys,
so the same published value; a published count from 1 to k-1 is not shown). A region's total is the sum
of the published figures, so the columns add up, and it is published only when every country figure in
its column is: each country's figures are published on its own dashboard, so hiding one more country
beside a small one (complementary suppression) would protect nothing, and the only safe total is one
that gives nothing away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from learnhub import reference
from learnhub.extensions import db
from learnhub.models import CoverageCount, Target
from learnhub.models.base import utcnow
from learnhub.reports import perturbation, rollup, target_coverage
from learnhub.reports.coverage import METRICS, published_by_sector
from learnhub.reports.cuts import reference_moment
from learnhub.reports.suppression import Cell, check_k, ratio, suppress_line
from learnhub.reports.target_coverage import TargetCoverage

REGIONS = {"eu": ("EU",), "lac": ("LAC",), "all": ("EU", "LAC")}


@dataclass(frozen=True)
class CountryLine:
    country: str
    values: dict[str, Cell]
    target: int | None
    """Sum of the country's sector targets for every role in the year; None when none is set."""
    k: int
    target_coverage: TargetCoverage | None = None
    """The country's headline coverage, the same figure as on its own dashboard (`target_coverage`)."""

    @property
    def coverage(self) -> float | None:
        """Currently certified in the sectors with a target over those targets, as the country dashboard
        publishes it."""
        return None if self.target_coverage is None else self.target_coverage.value

    @property
    def certified_share(self) -> float | None:
        return ratio(self.values["certified"], self.values["population"], self.k)


@dataclass(frozen=True)
class Comparison:
    region: str
    year: int
    k: int
    generated_at: datetime
    lines: tuple[CountryLine, ...]
    totals: dict[str, Cell]
    """The sum over the countries shown, per metric; suppressed when any country figure of the metric is."""
    current_as_of: datetime | None = None
    """The moment "currently certified" is counted at (`cuts.reference_moment`)."""

    @property
    def total_target(self) -> int | None:
        """The targets of the countries that have one, added up."""
        targets = [line.target for line in self.lines if line.target]
        return sum(targets) if targets else None

    @property
    def total_coverage(self) -> float | None:
        """Currently certified (`target_coverage.METRIC`) over target across the countries that have a target;
        None when any of their certified
        counts is not published (or there is no target)."""
        with_target = [line.target_coverage for line in self.lines if line.target_coverage]
        if not with_target or any(figure.certified is None for figure in with_target):
            return None
        return ratio(sum(figure.certified for figure in with_target), self.total_target, self.k)


def countries_of(region: str) -> list[str]:
    """The states of a region key ("eu", "lac" or "all"), by code."""
    wanted = REGIONS[region]
    return sorted(code for code, group in reference.country_regions().items() if group in wanted)


def build(region: str, year: int, k: int, countries: set[str] | frozenset[str],
          now: datetime | None = None) -> Comparison:
    """The comparison of `region` in `year` over the `countries` the reader may see (others are left out);
    "currently certified" is counted at the reference moment of `year` seen from `now` (default: the present)."""
    k = check_k(k)
    now = now or utcnow()
    shown = [code for code in countries_of(region) if code in countries]
    counts: dict[tuple[str, str], int] = {}
    by_country: dict[str, dict[tuple[str, str, str], int]] = {}
    if shown:
        # The headline of every country, and its sector cut for the coverage of its targets.
        for country, cut, key, metric, learners in db.session.execute(select(
                CoverageCount.country, CoverageCount.cut, CoverageCount.key, CoverageCount.metric,
                CoverageCount.learners).where(
                CoverageCount.country.in_(shown), CoverageCount.year.in_((year, rollup.POPULATION_YEAR)),
                CoverageCount.cut.in_((rollup.TOTAL, "sector")))):
            by_country.setdefault(country, {})[(cut, key, metric)] = learners
            if cut == rollup.TOTAL:
                counts[(country, metric)] = learners
        for (country, _, cut, key, metric), learners in rollup.current_counts(
                db.session, shown, year, now, cuts=(rollup.TOTAL, "sector")).items():
            by_country.setdefault(country, {})[(cut, key, metric)] = learners
            if cut == rollup.TOTAL:
                counts[(country, metric)] = learners
    sector_targets: dict[str, dict[str, int]] = {}
    if shown:
        for country, sector, headcount in db.session.execute(select(Target.country, Target.sector, Target.headcount)
                                                            .where(Target.country.in_(shown), Target.year == year,
                                                                   Target.ecsf_role == "")):
            sector_targets.setdefault(country, {})[sector] = headcount
    keys = perturbation.for_app()
    lines = []
    for country in shown:
        values = {metric: suppress_line([], keys.publish(
            counts.get((country, metric), 0), country, rollup.POPULATION_YEAR if metric == "population" else year,
            rollup.TOTAL, "", metric), k)[1] for metric in METRICS}
        targets = sector_targets.get(country, {})
        figure = None
        if targets:
            certified, by_sector = published_by_sector(country, year, by_country.get(country, {}), k,
                                                       target_coverage.METRIC)
            figure = target_coverage.over_sectors(targets, by_sector, certified, set(by_sector), k)
        lines.append(CountryLine(country, values, sum(targets.values()) if targets else None, k, figure))
    totals = {}
    for metric in METRICS:
        if any(line.values[metric].suppressed for line in lines):
            totals[metric] = Cell(None, True, "complementary")
        else:
            totals[metric] = Cell(sum(line.values[metric].value for line in lines), False, None)
    return Comparison(region, year, k, now, tuple(lines), totals, reference_moment(year, now))

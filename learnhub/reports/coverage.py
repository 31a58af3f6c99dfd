"""Coverage of a country's workforce training: one Report object, drawn from the rollup.

Every number a ministry sees, on screen, in a download or through the API, comes from `build()`, so the
formats can never disagree. Counts are distinct learners (see docs/coverage.md), read from the rollup
(`rollup.py`, one query whatever the country's size) and, for "currently certified", which changes with time
alone and so is not stored, counted from the certificates at the report's reference moment
(`rollup.current_counts`, one more query); each count is perturbed (`perturbation`, at most
±2, the same cell always the same way) and each cut is then suppressed with `suppression` before anyone
sees it, and percentages only stand over a published denominator of k or more. The true counts never
leave this function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from learnhub.extensions import db
from learnhub.models import Course, Target
from learnhub.models.base import utcnow
from learnhub.reports import perturbation, rollup, target_coverage
from learnhub.reports.cuts import BY_KEY, CUTS, METRICS, TOTAL, Frame, reference_moment
from learnhub.reports.cuts import Cut as Declared
from learnhub.reports.suppression import Cell, check_k, ratio, suppress_line, suppress_nested


@dataclass(frozen=True)
class Row:
    key: str
    values: dict[str, Cell]

    def share(self, metric: str, of: str, k: int) -> float | None:
        """metric / of for this row, or None when it may not be published."""
        return ratio(self.values[metric], self.values[of], k)


@dataclass(frozen=True)
class PublishedCut:
    """A cut of one report as published: its rows in the order of its declaration, perturbed and suppressed."""

    name: str
    rows: tuple[Row, ...]

    @property
    def declared(self) -> Declared:
        """The cut's declaration in the registry (`cuts.CUTS`): its label, row names and chart."""
        return BY_KEY[self.name]

    @property
    def metrics(self) -> tuple[str, ...]:
        return self.declared.metrics


@dataclass(frozen=True)
class Report:
    country: str
    year: int
    k: int
    generated_at: datetime
    headline: dict[str, Cell]
    cuts: tuple[PublishedCut, ...]
    """In the order of `cuts.CUTS`."""
    targets: dict[str, int]
    """Sector -> headcount to train this year (targets for every role); empty when none is set."""
    role_targets: dict[str, int] = field(default_factory=dict)
    """ECSF role -> headcount to train this year: the role's targets summed over the sectors that set one."""
    role_target_sectors: dict[str, frozenset[str]] = field(default_factory=dict)
    """ECSF role -> the sectors that set a target for it (its targets describe that role in those sectors only)."""
    current_as_of: datetime | None = None
    """The moment "currently certified" is counted at (`cuts.reference_moment`): when the report was made for
    the current year, the end of the year (start of the next) for a past year."""

    def cut(self, name: str) -> PublishedCut:
        return next(cut for cut in self.cuts if cut.name == name)

    def certified_share(self) -> float | None:
        return ratio(self.headline["certified"], self.headline["population"], self.k)

    @property
    def total_target(self) -> int | None:
        return sum(self.targets.values()) if self.targets else None

    def cut_targets(self, cut_name: str) -> dict[str, int]:
        """Key -> target for the cuts that have targets (sector and ECSF role); empty for the others."""
        return {"sector": self.targets, "ecsf_role": self.role_targets}.get(cut_name, {})

    def sector_keys(self) -> frozenset[str]:
        """Every sector a counted learner of the report can be in (the rows of the sector cut)."""
        return frozenset(row.key for row in self.cut("sector").rows)

    def target_coverage(self) -> target_coverage.TargetCoverage | None:
        """The headline coverage: learners of the sectors that have a target counted by `target_coverage.METRIC`
        (currently certified) over those targets (see `target_coverage.over_sectors`); None when no sector has
        a target."""
        metric = target_coverage.METRIC
        return target_coverage.over_sectors(
            self.targets, {row.key: row.values[metric] for row in self.cut("sector").rows},
            self.headline[metric], self.sector_keys(), self.k)

    def coverage(self, sector: str | None = None) -> float | None:
        """Currently certified (`target_coverage.METRIC`) / target, for the country (sector None: over the
        sectors with a target only) or one sector; None without a target or when it may not be published."""
        if sector is None:
            figure = self.target_coverage()
            return None if figure is None else figure.value
        return self.coverage_in("sector", sector)

    def coverage_in(self, cut_name: str, key: str) -> float | None:
        """Currently certified (`target_coverage.METRIC`) / target for one row of a cut with targets (sector or
        ECSF role), else None. A role's
        coverage is shown only when its targets describe every learner of the row: when every sector sets one
        (the counts by role are not split by sector, decision 0047)."""
        target = self.cut_targets(cut_name).get(key)
        if target is None:
            return None
        if cut_name == "ecsf_role" and not target_coverage.describes(self.role_target_sectors.get(key, frozenset()),
                                                                    self.sector_keys()):
            return None
        row = next((row for row in self.cut(cut_name).rows if row.key == key), None)
        return None if row is None else ratio(row.values[target_coverage.METRIC], target, self.k)

    def role_coverage_limited(self, key: str) -> bool:
        """The role has targets but not in every sector, so its coverage cannot be shown."""
        return key in self.role_targets and not target_coverage.describes(
            self.role_target_sectors.get(key, frozenset()), self.sector_keys())


def build(country: str, year: int, k: int, counts: dict[tuple[str, str, str], int] | None = None,
          now: datetime | None = None) -> Report:
    """The coverage report of `country` for calendar `year`, suppressed with threshold k.

    `counts` ((cut, key, metric) -> learners) defaults to the rollup and the current counts at `now` (default:
    the present); tests pass the live counts. Every count is perturbed with the cell keys of the application
    before it is suppressed.
    """
    k = check_k(k)
    now = now or utcnow()
    if counts is None:
        counts = {**rollup.stored_counts(db.session, country, year),
                  **current_headline_and_cuts(country, year, now)}
    true_headline = {metric: counts.get((TOTAL, "", metric), 0) for metric in METRICS}
    # Which partitions add up exactly to the headline (every learner in one row), judged on the true counts:
    # the perturbed rows never add up exactly, but a hidden headline must still not be their sum.
    exact = {cut.key: {metric: sum(value for (name, _, m), value in counts.items() if name == cut.key and m == metric)
                       == true_headline[metric] for metric in METRICS} for cut in CUTS if cut.partition}
    counts = perturbed(country, year, counts)
    headline_counts = {metric: counts.get((TOTAL, "", metric), 0) for metric in METRICS}
    frame = Frame(year, dict(db.session.execute(select(Course.id, Course.kind).order_by(Course.id)).all()))
    published: dict[str, PublishedCut] = {}
    grouping = {cut.within.cut for cut in CUTS if cut.within}
    for cut in CUTS:
        if cut.within:
            coarse = BY_KEY[cut.within.cut]
            published[cut.key], published[coarse.key] = _nested(cut, coarse, frame, counts, headline_counts, k)
        elif cut.key not in grouping:
            published[cut.key] = _cut(cut, cut.rows(frame), counts, headline_counts, k, exact.get(cut.key))
    headline = {metric: suppress_line([], headline_counts[metric], k)[1] for metric in METRICS}
    targets: dict[str, int] = {}
    role_targets: dict[str, int] = {}
    role_sectors: dict[str, set[str]] = {}
    for target in db.session.scalars(select(Target).where(Target.country == country, Target.year == year)):
        if target.ecsf_role:
            role_targets[target.ecsf_role] = role_targets.get(target.ecsf_role, 0) + target.headcount
            role_sectors.setdefault(target.ecsf_role, set()).add(target.sector)
        else:
            targets[target.sector] = target.headcount
    return Report(country, year, k, now, headline, tuple(published[cut.key] for cut in CUTS), targets,
                  role_targets, {role: frozenset(sectors) for role, sectors in role_sectors.items()},
                  reference_moment(year, now))


def current_headline_and_cuts(country: str, year: int, now: datetime) -> dict[tuple[str, str, str], int]:
    """The true "currently certified" counts of a country's report, (cut, key, "current") -> learners."""
    return {(cut, key, metric): learners for (_, _, cut, key, metric), learners
            in rollup.current_counts(db.session, (country,), year, now).items()}


def published_by_sector(country: str, year: int, counts: dict[tuple[str, str, str], int], k: int,
                        metric: str) -> tuple[Cell, dict[str, Cell]]:
    """The headline's and each sector's count of `metric` in a country's report, published exactly as `build`
    publishes them (the same perturbation, the same suppression of the sector cut), from the true counts of
    the total and the sector cut (others may be left out): what the regional comparison needs for coverage."""
    sector = BY_KEY["sector"]
    true_total = counts.get((TOTAL, "", metric), 0)
    exact = sum(value for (name, _, counted), value in counts.items()
                if name == sector.key and counted == metric) == true_total
    keys = sector.rows(Frame(year, {}))
    keys = keys + _other_keys(sector.key, counts, keys)  # rows of any metric, as `build` finds them
    counts = perturbed(country, year, {key: value for key, value in counts.items() if key[2] == metric})
    total = counts.get((TOTAL, "", metric), 0)
    cells, _ = suppress_line([counts.get((sector.key, key, metric), 0) for key in keys], total, k, exact=exact)
    return suppress_line([], total, k)[1], dict(zip(keys, cells, strict=True))


def perturbed(country: str, year: int, counts: dict[tuple[str, str, str], int]) -> dict[tuple[str, str, str], int]:
    """The published value of every count of a country's report for `year` (population cells use the
    rollup's year 0, so they are perturbed alike in every year's report)."""
    keys = perturbation.for_app()
    return {(cut, key, metric): keys.publish(value, country, rollup.POPULATION_YEAR if metric == "population"
                                             else year, cut, key, metric)
            for (cut, key, metric), value in counts.items()}


def _other_keys(name: str, counts: dict, known: list[str]) -> list[str]:
    """The keys of a cut found in the counts but not among the rows it always shows, sorted."""
    return sorted({key for cut, key, _ in counts if cut == name} - set(known))


def _cut(cut: Declared, keys: list[str], counts: dict, totals: dict[str, int], k: int,
         exact: dict[str, bool] | None = None) -> PublishedCut:
    """One cut's rows, in the order of `keys` and then any other key the counts hold, suppressed per metric
    against the headline. `exact[metric]`: the true rows add up to the true total (see `suppress_line`)."""
    keys = keys + _other_keys(cut.key, counts, keys)
    columns = {}
    for metric in cut.metrics:
        cells, _ = suppress_line([counts.get((cut.key, key, metric), 0) for key in keys], totals[metric], k,
                                 exact=None if exact is None else exact[metric])
        columns[metric] = cells
    return PublishedCut(cut.key, tuple(Row(key, {metric: columns[metric][index] for metric in cut.metrics})
                                       for index, key in enumerate(keys)))


def _nested(fine: Declared, coarse: Declared, frame: Frame, counts: dict, totals: dict[str, int],
            k: int) -> tuple[PublishedCut, PublishedCut]:
    """A cut and the coarser cut its rows group into (courses into course kinds), suppressed together, so a
    group's figure never gives back a row the finer cut hides."""
    fine_keys = fine.rows(frame)
    fine_keys += _other_keys(fine.key, counts, fine_keys)
    coarse_keys = list(dict.fromkeys([*coarse.rows(frame), *(fine.within.row(frame, key) for key in fine_keys)]))
    coarse_keys += _other_keys(coarse.key, counts, coarse_keys)
    group_of = [coarse_keys.index(fine.within.row(frame, key)) for key in fine_keys]
    fine_cells: dict[str, list[Cell]] = {}
    coarse_cells: dict[str, list[Cell]] = {}
    for metric in fine.metrics:
        fine_cells[metric], coarse_cells[metric], _ = suppress_nested(
            [counts.get((fine.key, key, metric), 0) for key in fine_keys], group_of,
            [counts.get((coarse.key, key, metric), 0) for key in coarse_keys], totals[metric], k)

    def published(cut: Declared, keys: list[str], cells: dict[str, list[Cell]]) -> PublishedCut:
        return PublishedCut(cut.key, tuple(Row(key, {metric: cells[metric][index] for metric in cut.metrics})
                                           for index, key in enumerate(keys)))

    return published(fine, fine_keys, fine_cells), published(coarse, coarse_keys, coarse_cells)

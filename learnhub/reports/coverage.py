"""Coverage of a country's workforce training: one Report object, drawn from the rollup.

Every number a ministry sees, on screen, in a download or through the API, comes from `build()`, so the
formats can never disagree. Counts are distinct learners (see docs/coverage.md), read from the rollup
(`rollup.py`, two queries whatever the country's size); each count is perturbed (`perturbation`, at most
±2, the same cell always the same way) and each cut is then suppressed with `suppression` before anyone
sees it, and percentages only stand over a published denominator of k or more. The true counts never
leave this function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from learnhub import reference
from learnhub.extensions import db
from learnhub.models import Course, Target
from learnhub.models.base import utcnow
from learnhub.reports import perturbation, rollup
from learnhub.reports.suppression import Cell, check_k, ratio, suppress_line, suppress_nested

METRICS = ("population", "enrolled", "active", "completed", "certified")
PROFILE_CUTS = ("sector", "organisation_type", "ecsf_role", "gender")
CUTS = (*PROFILE_CUTS, "course_kind", "course", "month")
NOT_GIVEN = ""


@dataclass(frozen=True)
class Row:
    key: str
    values: dict[str, Cell]

    def share(self, metric: str, of: str, k: int) -> float | None:
        """metric / of for this row, or None when it may not be published."""
        return ratio(self.values[metric], self.values[of], k)


@dataclass(frozen=True)
class Cut:
    name: str
    metrics: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Report:
    country: str
    year: int
    k: int
    generated_at: datetime
    headline: dict[str, Cell]
    cuts: tuple[Cut, ...]
    targets: dict[str, int]
    """Sector -> headcount to train this year (targets for every role); empty when none is set."""
    role_targets: dict[str, int] = field(default_factory=dict)
    """ECSF role -> headcount to train this year: the role's targets summed over the sectors that set one."""

    def cut(self, name: str) -> Cut:
        return next(cut for cut in self.cuts if cut.name == name)

    def certified_share(self) -> float | None:
        return ratio(self.headline["certified"], self.headline["population"], self.k)

    @property
    def total_target(self) -> int | None:
        return sum(self.targets.values()) if self.targets else None

    def cut_targets(self, cut_name: str) -> dict[str, int]:
        """Key -> target for the cuts that have targets (sector and ECSF role); empty for the others."""
        return {"sector": self.targets, "ecsf_role": self.role_targets}.get(cut_name, {})

    def coverage(self, sector: str | None = None) -> float | None:
        """Certified / target, for the country (sector None) or one sector; None without a target or when
        the certified count may not be published."""
        if sector is None:
            return ratio(self.headline["certified"], self.total_target, self.k) if self.targets else None
        return self.coverage_in("sector", sector)

    def coverage_in(self, cut_name: str, key: str) -> float | None:
        """Certified / target for one row of a cut with targets (sector or ECSF role), else None."""
        target = self.cut_targets(cut_name).get(key)
        if target is None:
            return None
        row = next((row for row in self.cut(cut_name).rows if row.key == key), None)
        return None if row is None else ratio(row.values["certified"], target, self.k)


def build(country: str, year: int, k: int, counts: dict[tuple[str, str, str], int] | None = None) -> Report:
    """The coverage report of `country` for calendar `year`, suppressed with threshold k.

    `counts` ((cut, key, metric) -> learners) defaults to the rollup; tests pass the live counts. Every
    count is perturbed with the cell keys of the application before it is suppressed.
    """
    k = check_k(k)
    if counts is None:
        counts = rollup.stored_counts(db.session, country, year)
    true_headline = {metric: counts.get((rollup.TOTAL, "", metric), 0) for metric in METRICS}
    # Which profile cuts add up exactly to the headline (every learner in one row), judged on the true counts:
    # the perturbed rows never add up exactly, but a hidden headline must still not be their sum.
    exact = {name: {metric: sum(value for (cut, _, m), value in counts.items() if cut == name and m == metric)
                    == true_headline[metric] for metric in METRICS} for name in PROFILE_CUTS}
    counts = perturbed(country, year, counts)
    headline_counts = {metric: counts.get((rollup.TOTAL, "", metric), 0) for metric in METRICS}
    cuts = [_cut(name, _profile_keys(name), METRICS, counts, headline_counts, k, exact[name])
            for name in PROFILE_CUTS]
    cuts.extend(_course_cuts(dict(db.session.execute(select(Course.id, Course.kind).order_by(Course.id)).all()),
                             counts, headline_counts, k))
    # The year's headline bounds the months (a learner active in two months counts in both, so the months
    # add up to the headline or more): a lone hidden month is protected against it like any other cut.
    cuts.append(_cut("month", [f"{year}-{month:02d}" for month in range(1, 13)], METRICS[1:], counts,
                     headline_counts, k))
    headline = {metric: suppress_line([], headline_counts[metric], k)[1] for metric in METRICS}
    targets: dict[str, int] = {}
    role_targets: dict[str, int] = {}
    for target in db.session.scalars(select(Target).where(Target.country == country, Target.year == year)):
        if target.ecsf_role:
            role_targets[target.ecsf_role] = role_targets.get(target.ecsf_role, 0) + target.headcount
        else:
            targets[target.sector] = target.headcount
    return Report(country, year, k, utcnow(), headline, tuple(cuts), targets, role_targets)


def perturbed(country: str, year: int, counts: dict[tuple[str, str, str], int]) -> dict[tuple[str, str, str], int]:
    """The published value of every count of a country's report for `year` (population cells use the
    rollup's year 0, so they are perturbed alike in every year's report)."""
    keys = perturbation.for_app()
    return {(cut, key, metric): keys.publish(value, country, rollup.POPULATION_YEAR if metric == "population"
                                             else year, cut, key, metric)
            for (cut, key, metric), value in counts.items()}


def _cut(name: str, keys: list[str], metrics: tuple[str, ...], counts: dict, totals: dict[str, int] | None,
         k: int, exact: dict[str, bool] | None = None) -> Cut:
    """One cut's rows, in the order of `keys` and then any other key the counts hold, suppressed per metric.
    `exact[metric]`: the true rows add up to the true total (see `suppress_line`)."""
    keys = keys + sorted({key for cut, key, _ in counts if cut == name} - set(keys))
    columns = {}
    for metric in metrics:
        cells, _ = suppress_line([counts.get((name, key, metric), 0) for key in keys],
                                 None if totals is None else totals[metric], k,
                                 exact=None if exact is None else exact[metric])
        columns[metric] = cells
    return Cut(name, metrics, tuple(Row(key, {metric: columns[metric][index] for metric in metrics})
                                    for index, key in enumerate(keys)))


def _course_cuts(kinds: dict[str, str], counts: dict, totals: dict[str, int], k: int) -> tuple[Cut, Cut]:
    """The course cut and the course-kind cut, suppressed together (each kind is a group of courses), so
    a kind's figure never gives back a course the course cut hides."""
    courses = list(kinds) + sorted({key for cut, key, _ in counts if cut == "course"} - set(kinds))
    kind_keys = list(dict.fromkeys(kinds.get(course, "") for course in courses))
    kind_keys += sorted({key for cut, key, _ in counts if cut == "course_kind"} - set(kind_keys))
    group_of = [kind_keys.index(kinds.get(course, "")) for course in courses]
    course_cells: dict[str, list[Cell]] = {}
    kind_cells: dict[str, list[Cell]] = {}
    for metric in METRICS[1:]:
        course_cells[metric], kind_cells[metric], _ = suppress_nested(
            [counts.get(("course", key, metric), 0) for key in courses], group_of,
            [counts.get(("course_kind", key, metric), 0) for key in kind_keys], totals[metric], k)

    def cut(name: str, keys: list[str], cells: dict[str, list[Cell]]) -> Cut:
        return Cut(name, METRICS[1:], tuple(Row(key, {metric: cells[metric][index] for metric in METRICS[1:]})
                                            for index, key in enumerate(keys)))

    return cut("course", courses, course_cells), cut("course_kind", kind_keys, kind_cells)


def _profile_keys(name: str) -> list[str]:
    if name == "sector":
        return [entry.id for entry in reference.sectors()]
    if name == "organisation_type":
        return list(reference.ORGANISATION_TYPES)
    if name == "ecsf_role":
        return [entry.id for entry in reference.ecsf_roles()] + [NOT_GIVEN]
    return [*reference.GENDERS, NOT_GIVEN]

"""Coverage of a country's workforce training: one Report object, drawn from live queries.

Every number a ministry sees, on screen or in a download, comes from `build()`, so the formats can
never disagree. Counts are distinct learners (see docs/coverage.md); each cut is suppressed with
`suppression` before anyone sees it, and percentages only stand over a published denominator of k or
more. This version answers from live GROUP BY queries; rollup tables for national scale are the next
step (the issue is open).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, extract, select, union

from learnhub import reference
from learnhub.extensions import db
from learnhub.models import Attempt, Certificate, Course, Enrolment, ItemProgress, Target, User
from learnhub.models.base import utcnow
from learnhub.reports.suppression import Cell, check_k, ratio, suppress_line

METRICS = ("population", "enrolled", "active", "completed", "certified")
PROFILE_CUTS = ("sector", "organisation_type", "ecsf_role", "gender")
CUTS = (*PROFILE_CUTS, "course_kind", "course", "month")
NOT_GIVEN = ""
# Analysts and administrators report on and run the programme; they are not its learners.
LEARNER_ROLES = ("trainee", "trainer")


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

    def cut(self, name: str) -> Cut:
        return next(cut for cut in self.cuts if cut.name == name)

    def certified_share(self) -> float | None:
        return ratio(self.headline["certified"], self.headline["population"], self.k)

    @property
    def total_target(self) -> int | None:
        return sum(self.targets.values()) if self.targets else None

    def coverage(self, sector: str | None = None) -> float | None:
        """Certified / target, for the country (sector None) or one sector; None without a target or when
        the certified count may not be published."""
        if sector is None:
            return ratio(self.headline["certified"], self.total_target, self.k) if self.targets else None
        if sector not in self.targets:
            return None
        row = next(row for row in self.cut("sector").rows if row.key == sector)
        return ratio(row.values["certified"], self.targets[sector], self.k)


def _year_range(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


def build(country: str, year: int, k: int) -> Report:
    """The coverage report of `country` for calendar `year`, suppressed with threshold k."""
    k = check_k(k)
    start, end = _year_range(year)
    counted = (User.country == country, User.role.in_(LEARNER_ROLES))
    people = {row.id: row for row in db.session.execute(select(
        User.id, User.sector, User.organisation_type, User.ecsf_role, User.gender).where(*counted))}
    in_country = select(User.id).where(*counted).scalar_subquery()

    def learners(query) -> set[int]:
        return set(db.session.scalars(query))

    enrolled = learners(select(Enrolment.learner_id).where(
        Enrolment.learner_id.in_(in_country), Enrolment.enrolled_at >= start, Enrolment.enrolled_at < end))
    completed = learners(select(Enrolment.learner_id).where(
        Enrolment.learner_id.in_(in_country), Enrolment.completed_at >= start, Enrolment.completed_at < end))
    certified = learners(select(Certificate.learner_id).where(
        Certificate.learner_id.in_(in_country), Certificate.revoked_at.is_(None),
        Certificate.issued_at >= start, Certificate.issued_at < end))
    activity = union(
        select(ItemProgress.learner_id, ItemProgress.course_id, ItemProgress.updated_at.label("at")).where(
            ItemProgress.learner_id.in_(in_country), ItemProgress.updated_at >= start, ItemProgress.updated_at < end),
        select(Attempt.learner_id, Attempt.course_id, Attempt.submitted_at.label("at")).where(
            Attempt.learner_id.in_(in_country), Attempt.submitted_at >= start, Attempt.submitted_at < end),
    ).subquery()
    active_rows = db.session.execute(select(activity.c.learner_id, activity.c.course_id,
                                            extract("month", activity.c.at))).all()
    active = {learner for learner, _, _ in active_rows}
    sets = {"population": set(people), "enrolled": enrolled, "active": active, "completed": completed,
            "certified": certified}
    headline_counts = {metric: len(sets[metric]) for metric in METRICS}

    cuts = [_profile_cut(name, people, sets, headline_counts, k) for name in PROFILE_CUTS]
    course_sets = _course_sets(in_country, start, end, active_rows)
    cuts.append(_course_cut("course", course_sets, headline_counts, k, key=lambda course: course.id))
    cuts.append(_course_cut("course_kind", course_sets, headline_counts, k, key=lambda course: course.kind))
    cuts.append(_month_cut(in_country, start, end, active_rows, headline_counts, k))
    headline = {metric: suppress_line([], headline_counts[metric], k)[1] for metric in METRICS}
    targets = {target.sector: target.headcount for target in db.session.scalars(select(Target).where(
        Target.country == country, Target.year == year, Target.ecsf_role == ""))}
    return Report(country, year, k, utcnow(), headline, tuple(cuts), targets)


def _suppressed_rows(keys: list[str], counts: dict[str, dict[str, int]], metrics: tuple[str, ...],
                     totals: dict[str, int], k: int) -> tuple[Row, ...]:
    columns = {}
    for metric in metrics:
        cells, _ = suppress_line([counts[key].get(metric, 0) for key in keys], totals[metric], k)
        columns[metric] = cells
    return tuple(Row(key, {metric: columns[metric][index] for metric in metrics}) for index, key in enumerate(keys))


def _profile_cut(name: str, people: dict, sets: dict, totals: dict, k: int) -> Cut:
    """Learners by a profile field: every learner in exactly one row, so the rows add up to the total."""
    keys = _profile_keys(name)
    counts: dict[str, dict[str, int]] = {key: defaultdict(int) for key in keys}
    for learner_id, person in people.items():
        key = getattr(person, name) or NOT_GIVEN
        if key not in counts:
            counts[key] = defaultdict(int)
            keys.append(key)
        for metric in METRICS:
            if learner_id in sets[metric]:
                counts[key][metric] += 1
    return Cut(name, METRICS, _suppressed_rows(keys, counts, METRICS, totals, k))


def _profile_keys(name: str) -> list[str]:
    if name == "sector":
        return [entry.id for entry in reference.sectors()]
    if name == "organisation_type":
        return list(reference.ORGANISATION_TYPES)
    if name == "ecsf_role":
        return [entry.id for entry in reference.ecsf_roles()] + [NOT_GIVEN]
    return [*reference.GENDERS, NOT_GIVEN]


def _course_sets(in_country, start, end, active_rows) -> dict[Course, dict[str, set[int]]]:
    courses = {course.id: course for course in db.session.scalars(select(Course))}
    sets: dict[str, dict[str, set[int]]] = {cid: {m: set() for m in METRICS[1:]} for cid in courses}
    for learner, course_id, enrolled_at, completed_at in db.session.execute(select(
            Enrolment.learner_id, Enrolment.course_id, Enrolment.enrolled_at, Enrolment.completed_at).where(
            Enrolment.learner_id.in_(in_country), and_(Enrolment.enrolled_at < end))):
        if start <= enrolled_at < end:
            sets[course_id]["enrolled"].add(learner)
        if completed_at is not None and start <= completed_at < end:
            sets[course_id]["completed"].add(learner)
    for learner, course_id in db.session.execute(select(Certificate.learner_id, Certificate.course_id).where(
            Certificate.learner_id.in_(in_country), Certificate.revoked_at.is_(None),
            Certificate.issued_at >= start, Certificate.issued_at < end)):
        sets[course_id]["certified"].add(learner)
    for learner, course_id, _ in active_rows:
        sets[course_id]["active"].add(learner)
    return {courses[cid]: value for cid, value in sets.items()}


def _course_cut(name: str, course_sets: dict, totals: dict, k: int, key) -> Cut:
    """Learners by course (or course kind): a learner in two courses counts in both rows, once in the total."""
    metrics = METRICS[1:]
    grouped: dict[str, dict[str, set[int]]] = {}
    for course, sets in sorted(course_sets.items(), key=lambda pair: pair[0].id):
        bucket = grouped.setdefault(key(course), {m: set() for m in metrics})
        for metric in metrics:
            bucket[metric] |= sets[metric]
    keys = list(grouped)
    counts = {group: {m: len(grouped[group][m]) for m in metrics} for group in keys}
    return Cut(name, metrics, _suppressed_rows(keys, counts, metrics, totals, k))


def _month_cut(in_country, start, end, active_rows, totals: dict, k: int) -> Cut:
    """Learners active, enrolling, completing and certified in each month of the year."""
    metrics = METRICS[1:]
    months = {f"{start.year}-{m:02d}": {metric: set() for metric in metrics} for m in range(1, 13)}
    for learner, enrolled_at, completed_at in db.session.execute(select(
            Enrolment.learner_id, Enrolment.enrolled_at, Enrolment.completed_at).where(
            Enrolment.learner_id.in_(in_country))):
        if start <= enrolled_at < end:
            months[f"{start.year}-{enrolled_at.month:02d}"]["enrolled"].add(learner)
        if completed_at is not None and start <= completed_at < end:
            months[f"{start.year}-{completed_at.month:02d}"]["completed"].add(learner)
    for learner, issued_at in db.session.execute(select(Certificate.learner_id, Certificate.issued_at).where(
            Certificate.learner_id.in_(in_country), Certificate.revoked_at.is_(None),
            Certificate.issued_at >= start, Certificate.issued_at < end)):
        months[f"{start.year}-{issued_at.month:02d}"]["certified"].add(learner)
    for learner, _, month in active_rows:
        months[f"{start.year}-{int(month):02d}"]["active"].add(learner)
    keys = list(months)
    counts = {key: {metric: len(months[key][metric]) for metric in metrics} for key in keys}
    # A learner may be active in several months: the months do not add up to the year, so no total is shared.
    columns = {metric: suppress_line([counts[key][metric] for key in keys], None, k)[0] for metric in metrics}
    return Cut("month", metrics, tuple(Row(key, {m: columns[m][i] for m in metrics}) for i, key in enumerate(keys)))

"""Coverage counts straight from the facts with GROUP BY: the oracle the rollup is tested against, what
`learnhub report rebuild` writes, and the baseline of the reports benchmark.

Deliberately written apart from `rollup.contributions` (set-based SQL here, one learner at a time
there): two ways to the same numbers, so either being wrong shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, exists, extract, func, insert, literal, select, union_all

from learnhub.extensions import db
from learnhub.models import Certificate, Course, CoverageCount, Enrolment, LearnerActivity, User
from learnhub.reports.cuts import (
    CURRENT,
    FACT_CUTS,
    LEARNER_ROLES,
    POPULATION_YEAR,
    PROFILE_CUTS,
    TOTAL,
    Basis,
    CountKey,
    holds,
    reference_moment,
)
from learnhub.services.audit import record as audit


def _facts():
    """(learner_id, course_id, year, month, metric) for every fact a metric counts."""
    def dated(metric: str, learner, course, at, *where):
        return select(learner.label("learner_id"), course.label("course_id"),
                      extract("year", at).label("year"), extract("month", at).label("month"),
                      literal(metric).label("metric")).where(*where)

    return union_all(
        dated("enrolled", Enrolment.learner_id, Enrolment.course_id, Enrolment.enrolled_at),
        dated("completed", Enrolment.learner_id, Enrolment.course_id, Enrolment.completed_at,
              Enrolment.completed_at.is_not(None)),
        dated("certified", Certificate.learner_id, Certificate.course_id, Certificate.issued_at,
              Certificate.revoked_at.is_(None)),
        select(LearnerActivity.learner_id, LearnerActivity.course_id, LearnerActivity.year, LearnerActivity.month,
               literal("active").label("metric")),
    ).subquery("facts")


@dataclass(frozen=True)
class Grouping:
    """How the GROUP BY reads the row of a fact for one basis of a cut: the key to group on, whether the
    courses are joined for it, and the row key a (year, grouped value) makes."""

    key: Callable
    """facts subquery -> the SQL expression grouped on."""
    joins_courses: bool = False
    row: Callable[[int, object], str] = lambda year, value: value


FACT_ROWS: dict[Basis, Grouping] = {
    Basis.COURSE: Grouping(lambda facts: facts.c.course_id),
    Basis.COURSE_KIND: Grouping(lambda facts: func.coalesce(Course.kind, ""), joins_courses=True),
    Basis.MONTH: Grouping(lambda facts: facts.c.month, row=lambda year, month: f"{year}-{int(month):02d}"),
}
"""Every basis of a cut but the profile (read from the users column named like the cut)."""


def live_counts(connection: Connection, country: str | None = None, year: int | None = None, *,
                cuts: tuple[str, ...] | None = None) -> Counter:
    """Distinct learners per (country, year, cut, key, metric), for one country and year or for all, and for
    every cut or only `cuts`."""
    facts = _facts()
    # Counted learners: verified e-mail and at least one learning step (docs/coverage.md, "Learners").
    learners = [User.role.in_(LEARNER_ROLES), User.email_verified_at.is_not(None),
                exists().where(LearnerActivity.learner_id == User.id)] + ([User.country == country] if country else [])
    fact_filter = [facts.c.year == year] if year is not None else []
    counts: Counter = Counter()
    base = select(User.country, facts.c.year).select_from(facts).join(User, User.id == facts.c.learner_id).where(
        *learners, *fact_filter)
    profile = {TOTAL: literal(""), **{cut.key: func.coalesce(getattr(User, cut.key), "") for cut in PROFILE_CUTS}}
    groups = {**{cut: Grouping(lambda facts, key=key: key) for cut, key in profile.items()},
              **{cut.key: FACT_ROWS[cut.basis] for cut in FACT_CUTS}}
    for cut, grouping in groups.items():
        if cuts is not None and cut not in cuts:
            continue
        key = grouping.key(facts)
        query = base.add_columns(key.label("key"), facts.c.metric, func.count(facts.c.learner_id.distinct()))
        if grouping.joins_courses:
            query = query.outerjoin(Course, Course.id == facts.c.course_id)
        query = query.group_by(User.country, facts.c.year, key, facts.c.metric)
        for row_country, row_year, row_key, metric, number in connection.execute(query):
            year_ = int(row_year)
            counts[(row_country, year_, cut, grouping.row(year_, row_key), metric)] = number
    people = select(User.country).where(*learners)
    for cut, key in profile.items():
        if cuts is not None and cut not in cuts:
            continue
        query = people.add_columns(key.label("key"), func.count(User.id)).group_by(User.country, key)
        for row_country, row_key, number in connection.execute(query):
            counts[(row_country, POPULATION_YEAR, cut, row_key, "population")] = number
    return counts


def current_live(connection: Connection, year: int, now: datetime, country: str | None = None) -> Counter:
    """Learners currently certified per (country, year, cut, key, "current"), the oracle of
    `rollup.current_counts`: every certificate of the counted learners read row by row and judged with
    `cuts.holds` in Python, where the rollup asks the database with the same rule as a WHERE clause."""
    moment = reference_moment(year, now)
    learners = [User.role.in_(LEARNER_ROLES), User.email_verified_at.is_not(None),
                exists().where(LearnerActivity.learner_id == User.id)] + ([User.country == country] if country else [])
    query = (select(Certificate.learner_id, Certificate.course_id, Certificate.issued_at, Certificate.expires_at,
                    Certificate.revoked_at, Course.kind, User.country,
                    *(getattr(User, cut.key) for cut in PROFILE_CUTS))
             .join(User, User.id == Certificate.learner_id).outerjoin(Course, Course.id == Certificate.course_id)
             .where(*learners))
    cells: dict[CountKey, set[int]] = {}
    for row in connection.execute(query):
        learner, course, issued, expires, revoked, kind, row_country, *profile = row
        if not holds(issued, expires, revoked, moment):
            continue
        rows = [(TOTAL, ""), *((cut.key, value or "") for cut, value in zip(PROFILE_CUTS, profile, strict=True))]
        for cut in FACT_CUTS:
            if cut.basis is Basis.COURSE:
                rows.append((cut.key, course))
            elif cut.basis is Basis.COURSE_KIND:
                rows.append((cut.key, kind or ""))
            elif cut.basis is Basis.MONTH and issued.year == year:
                rows.append((cut.key, f"{year}-{issued.month:02d}"))
        for cut_key, key in rows:
            cells.setdefault((row_country, year, cut_key, key, CURRENT), set()).add(learner)
    return Counter({key: len(people) for key, people in cells.items()})


def stored(connection: Connection, country: str | None = None, year: int | None = None) -> Counter:
    """The rollup as stored, in the shape of `live_counts` (zero rows left out)."""
    query = select(CoverageCount).where(CoverageCount.learners != 0)
    if country:
        query = query.where(CoverageCount.country == country)
    if year is not None:
        query = query.where(CoverageCount.year.in_((year, POPULATION_YEAR)))
    return Counter({(row.country, row.year, row.cut, row.key, row.metric): row.learners
                    for row in connection.execute(query)})


def rebuild(connection: Connection) -> int:
    """Replace the whole rollup by the live counts; returns the number of rows written."""
    counts = live_counts(connection)
    connection.execute(delete(CoverageCount))
    return _write(connection, counts)


def rebuild_rollup() -> int:
    """Replace the whole rollup by the live counts and record it in the audit log; returns the rows written.
    COMMITS: `learnhub report rebuild` and the queue's `rebuild_report` job call it."""
    rows = rebuild(db.session.connection())
    audit("report.rollup_rebuilt", actor_id=None, rows=rows)
    db.session.commit()
    return rows


def recount_cut(connection: Connection, cut: str) -> int:
    """Replace one cut of the rollup, in every country and year, by the live counts; returns the rows
    written. For changes that move many learners at once, such as a course changing kind."""
    counts = live_counts(connection, cuts=(cut,))
    connection.execute(delete(CoverageCount).where(CoverageCount.cut == cut))
    return _write(connection, counts)


def _write(connection: Connection, counts: Counter) -> int:
    rows = [dict(zip(("country", "year", "cut", "key", "metric"), key, strict=True), learners=value)
            for key, value in sorted(counts.items())]
    for start in range(0, len(rows), 5000):
        connection.execute(insert(CoverageCount), rows[start:start + 5000])
    return len(rows)


def nonzero(counts: Counter) -> dict[CountKey, int]:
    """Counts without zeros, for comparing a rollup with the live counts."""
    return {key: value for key, value in counts.items() if value}

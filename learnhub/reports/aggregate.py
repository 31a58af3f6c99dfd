"""Coverage counts straight from the facts with GROUP BY: the oracle the rollup is tested against, what
`learnhub report rebuild` writes, and the baseline of the reports benchmark.

Deliberately written apart from `rollup.contributions` (set-based SQL here, one learner at a time
there): two ways to the same numbers, so either being wrong shows.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, delete, exists, extract, func, insert, literal, select, union_all

from learnhub.models import Certificate, Course, CoverageCount, Enrolment, LearnerActivity, User
from learnhub.reports.cuts import LEARNER_ROLES, POPULATION_YEAR, PROFILE_CUTS, TOTAL, CountKey


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
    groups = {TOTAL: literal(""), **{cut: func.coalesce(getattr(User, cut), "") for cut in PROFILE_CUTS},
              "course": facts.c.course_id, "course_kind": func.coalesce(Course.kind, ""),
              "month": facts.c.month}
    for cut, key in groups.items():
        if cuts is not None and cut not in cuts:
            continue
        query = base.add_columns(key.label("key"), facts.c.metric, func.count(facts.c.learner_id.distinct()))
        if cut == "course_kind":
            query = query.outerjoin(Course, Course.id == facts.c.course_id)
        query = query.group_by(User.country, facts.c.year, key, facts.c.metric)
        for row_country, row_year, row_key, metric, number in connection.execute(query):
            year_ = int(row_year)
            if cut == "month":
                row_key = f"{year_}-{int(row_key):02d}"
            counts[(row_country, year_, cut, row_key, metric)] = number
    people = select(User.country).where(*learners)
    for cut, key in {TOTAL: literal(""), **{c: func.coalesce(getattr(User, c), "") for c in PROFILE_CUTS}}.items():
        if cuts is not None and cut not in cuts:
            continue
        query = people.add_columns(key.label("key"), func.count(User.id)).group_by(User.country, key)
        for row_country, row_key, number in connection.execute(query):
            counts[(row_country, POPULATION_YEAR, cut, row_key, "population")] = number
    return counts


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

"""The coverage rollup: distinct-learner counts per country, year and report cell, kept current in the
same transaction as the facts they count, so a national dashboard reads a few hundred rows instead of
millions.

The facts are enrolments (enrolled, completed), certificates that stand (certified), learner activity
months (active) and the learner's profile (population). Only *counted* learners are in it: trainees and
trainers whose e-mail address is verified and who did at least one learning step (an activity month), so
accounts registered to move a figure move nothing until each has a mailbox and has studied (issue 11). A
learner's verification, or their first step, brings all their facts in at once, in the same flush.

Whenever a flush adds or changes one of the facts, or the verification, the listener below recomputes
what that learner contributes to the rollup, before and after, and adds the difference to
`coverage_counts`. A learner's contribution is a set of cells (`contributions`): a learner counts once in
a cell however many facts put them there, which is what makes the counts distinct-learner counts. Bulk
loads that bypass the ORM (the demo generator) call `learnhub.reports.aggregate.rebuild` instead, and
tests check the rollup against that live GROUP BY.

On PostgreSQL the learner's user row is locked (SELECT ... FOR NO KEY UPDATE) before their facts are read, so
two concurrent transactions of the same learner cannot both count them as new; SQLite writers are
already serialised (BEGIN IMMEDIATE). Counter rows are upserted in key order, so transactions never wait
on each other in a cycle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, String, cast, event, exists, extract, func, inspect, literal, select, union_all
from sqlalchemy.orm import Session

from learnhub.database import upsert_insert
from learnhub.models import Certificate, Course, CoverageCount, Enrolment, LearnerActivity, User
from learnhub.reports import aggregate
from learnhub.reports.cuts import (
    CURRENT,
    CUTS,
    EVENT_METRICS,
    FACT_CUTS,
    LEARNER_ROLES,
    POPULATION_YEAR,
    PROFILE_CUTS,
    TOTAL,
    Basis,
    CountKey,
    holds_clause,
    reference_moment,
)

PROFILE_COLUMNS = ("country", "role", *(cut.key for cut in PROFILE_CUTS), "email_verified_at")
"""The columns of `users` that decide a learner's cells."""


@dataclass(frozen=True)
class Profile:
    """What of a learner decides the cells they count in."""

    country: str
    role: str
    rows: tuple[str, ...]
    """The learner's row in each profile cut, in the order of `PROFILE_CUTS` ("" when not given)."""
    verified: bool = True
    """The e-mail address is verified (users.email_verified_at is set)."""

    @property
    def counted(self) -> bool:
        """A learner the reports may count, once they have done a learning step (see `contributions`)."""
        return self.role in LEARNER_ROLES and self.verified

    @classmethod
    def of(cls, row) -> Profile:
        """The profile of a User, or of a row of `PROFILE_COLUMNS`."""
        return cls(row.country, row.role, tuple(getattr(row, cut.key) or "" for cut in PROFILE_CUTS),
                   row.email_verified_at is not None)


@dataclass(frozen=True)
class Fact:
    """One thing a learner did that a metric counts: in a course (of a kind), in a month."""

    course_id: str
    year: int
    month: int


FACT_ROWS: dict[Basis, Callable[[Fact, dict[str, str]], str]] = {
    Basis.COURSE: lambda fact, kinds: fact.course_id,
    Basis.COURSE_KIND: lambda fact, kinds: kinds.get(fact.course_id, ""),
    Basis.MONTH: lambda fact, kinds: f"{fact.year}-{fact.month:02d}",
}
"""The row a fact puts its learner in, for each basis of a cut but the profile (course kinds by course id)."""


def contributions(profile: Profile | None, facts: dict[str, Iterable[Fact]], kinds: dict[str, str],
                  population: bool, stepped: bool = True) -> set[CountKey]:
    """The cells a learner counts in, given their profile and their facts per metric.

    None unless the profile is counted and the learner `stepped` (did at least one learning step, in any
    year). The headline and profile cuts count the learner once per year and metric; the cuts of facts once
    per row their facts fall in (`FACT_ROWS`). `population` adds the population cells.
    """
    if profile is None or not profile.counted or not stepped:
        return set()
    country = profile.country
    cells: set[CountKey] = set()
    profile_rows = [(TOTAL, ""), *zip((cut.key for cut in PROFILE_CUTS), profile.rows, strict=True)]
    if population:
        cells.update((country, POPULATION_YEAR, cut, key, "population") for cut, key in profile_rows)
    for metric, metric_facts in facts.items():
        for fact in metric_facts:
            year = fact.year
            cells.update((country, year, cut, key, metric) for cut, key in profile_rows)
            cells.update((country, year, cut.key, FACT_ROWS[cut.basis](fact, kinds), metric) for cut in FACT_CUTS)
    return cells


# --- reading a learner's facts -------------------------------------------------------------------------

def _fact(course_id: str, at: datetime) -> Fact:
    return Fact(course_id, at.year, at.month)


def learner_facts(session: Session, learner_id: int, metrics: Iterable[str]) -> dict[str, set[Fact]]:
    """The learner's facts, as stored now, for each metric asked."""
    facts: dict[str, set[Fact]] = {}
    metrics = set(metrics)
    if metrics & {"enrolled", "completed"}:
        rows = session.execute(select(Enrolment.course_id, Enrolment.enrolled_at, Enrolment.completed_at).where(
            Enrolment.learner_id == learner_id)).all()
        if "enrolled" in metrics:
            facts["enrolled"] = {_fact(course, enrolled) for course, enrolled, _ in rows}
        if "completed" in metrics:
            facts["completed"] = {_fact(course, completed) for course, _, completed in rows if completed}
    if "certified" in metrics:
        facts["certified"] = {_fact(course, issued) for course, issued in session.execute(select(
            Certificate.course_id, Certificate.issued_at).where(
            Certificate.learner_id == learner_id, Certificate.revoked_at.is_(None)))}
    if "active" in metrics:
        facts["active"] = {Fact(*row) for row in session.execute(select(
            LearnerActivity.course_id, LearnerActivity.year, LearnerActivity.month).where(
            LearnerActivity.learner_id == learner_id))}
    return facts


def course_kinds(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Course.id, Course.kind)).all())


# --- what a flush changed ------------------------------------------------------------------------------

@dataclass
class _LearnerChange:
    """What one flush did to one learner's facts: facts to take away from and put back into the stored
    state to get the state before the flush, the metrics touched, and the profile before (if changed)."""

    added: dict[str, set[Fact]] = field(default_factory=dict)
    removed: dict[str, set[Fact]] = field(default_factory=dict)
    profile_before: Profile | None = None
    profile_changed: bool = False
    created: bool = False

    def note(self, metric: str, before: Fact | None, after: Fact | None) -> None:
        if before == after:
            return
        self.added.setdefault(metric, set())
        self.removed.setdefault(metric, set())
        if after is not None:
            self.added[metric].add(after)
        if before is not None:
            self.removed[metric].add(before)


def _held_by_others(session: Session, certificate: Certificate) -> tuple[set[Fact], set[Fact]]:
    """The facts the learner's other certificates of the same course give, before and after this flush: a
    renewal issued in the month of the certificate it renews adds no fact, and revoking one of the two takes
    none away (decision 0064). One query, run only for a certificate that changes a fact."""
    before: set[Fact] = set()
    after: set[Fact] = set()
    for other in session.scalars(select(Certificate).where(
            Certificate.learner_id == certificate.learner_id, Certificate.course_id == certificate.course_id,
            Certificate.id != certificate.id)):
        if other.revoked_at is None:
            after.add(_fact(other.course_id, other.issued_at))
        if other not in session.new and _before(other, "revoked_at") is None:
            before.add(_fact(other.course_id, _before(other, "issued_at")))
    return before, after


def _before(obj, attribute: str):
    """The attribute's value before this flush (its current value when unchanged)."""
    history = inspect(obj).attrs[attribute].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return None if inspect(obj).pending or history.added else getattr(obj, attribute)


def _dated(course_id, at) -> Fact | None:
    return None if at is None else _fact(course_id, at)


def _changes(session: Session) -> dict[int, _LearnerChange]:
    changes: dict[int, _LearnerChange] = {}

    def change(learner_id: int) -> _LearnerChange:
        return changes.setdefault(learner_id, _LearnerChange())

    for obj in session.new:
        if isinstance(obj, Enrolment):
            change(obj.learner_id).note("enrolled", None, _fact(obj.course_id, obj.enrolled_at))
            change(obj.learner_id).note("completed", None, _dated(obj.course_id, obj.completed_at))
        elif isinstance(obj, Certificate):
            if obj.revoked_at is None:
                held_before, held_after = _held_by_others(session, obj)
                after = _fact(obj.course_id, obj.issued_at)
                change(obj.learner_id).note("certified", None, None if after in held_after else after)
        elif isinstance(obj, LearnerActivity):
            change(obj.learner_id).note("active", None, Fact(obj.course_id, obj.year, obj.month))
        elif isinstance(obj, User):
            change(obj.id).created = True
    for obj in session.dirty:
        if isinstance(obj, Enrolment):
            course = obj.course_id
            change_ = change(obj.learner_id)
            change_.note("enrolled", _dated(course, _before(obj, "enrolled_at")), _fact(course, obj.enrolled_at))
            change_.note("completed", _dated(course, _before(obj, "completed_at")), _dated(course, obj.completed_at))
        elif isinstance(obj, Certificate):
            before = None if _before(obj, "revoked_at") is not None else _fact(obj.course_id, _before(obj, "issued_at"))
            after = None if obj.revoked_at is not None else _fact(obj.course_id, obj.issued_at)
            if before != after:
                held_before, held_after = _held_by_others(session, obj)
                change(obj.learner_id).note("certified", None if before in held_before else before,
                                            None if after in held_after else after)
        elif isinstance(obj, User):
            before = Profile(_before(obj, "country") or "", _before(obj, "role") or "",
                             tuple(_before(obj, cut.key) or "" for cut in PROFILE_CUTS),
                             _before(obj, "email_verified_at") is not None)
            if before != Profile.of(obj):
                change(obj.id).profile_before = before
                change(obj.id).profile_changed = True
    return {learner: item for learner, item in changes.items()
            if item.created or item.profile_changed or any(item.added.values()) or any(item.removed.values())}


def _delta_for(session: Session, learner_id: int, item: _LearnerChange, kinds: dict[str, str]) -> Counter:
    query = select(*(getattr(User, name) for name in PROFILE_COLUMNS)).where(User.id == learner_id)
    if session.get_bind().dialect.name == "postgresql":
        # FOR NO KEY UPDATE, not FOR UPDATE: the transaction already holds a key-share lock on this row
        # from its own enrolment or activity insert (the foreign key), and so may a concurrent
        # transaction of the same learner; FOR UPDATE would conflict with those and deadlock.
        query = query.with_for_update(key_share=True)
    row = session.execute(query).one_or_none()
    profile_after = Profile.of(row) if row is not None else None
    profile_before = None if item.created else (item.profile_before if item.profile_changed else profile_after)
    # Read after the lock, in a statement of its own: on PostgreSQL it then sees a concurrent transaction's
    # first step that committed while this one waited (a subquery of the locking SELECT would not).
    stepped_after = row is not None and bool(session.scalar(select(exists().where(
        LearnerActivity.learner_id == learner_id))))

    def facts_before(after: dict[str, set[Fact]]) -> dict[str, set[Fact]]:
        return {metric: (after[metric] - item.added.get(metric, set())) | item.removed.get(metric, set())
                for metric in after}

    metrics = EVENT_METRICS if item.profile_changed else tuple(m for m in EVENT_METRICS if m in item.added)
    after = learner_facts(session, learner_id, metrics) if metrics else {}
    before = facts_before(after)
    # Activity rows are only ever added: the learner had a step before this flush unless every one is new.
    stepped_before = bool(before["active"]) if "active" in before else stepped_after
    counted_before = profile_before is not None and profile_before.counted and stepped_before
    counted_after = profile_after is not None and profile_after.counted and stepped_after
    population = item.created or item.profile_changed or counted_before != counted_after
    if population and metrics != EVENT_METRICS:
        # Verified, or a first step: every fact of the learner enters (or leaves) the counts at once.
        after = learner_facts(session, learner_id, EVENT_METRICS)
        before = facts_before(after)
    delta: Counter = Counter()
    delta.update(contributions(profile_after, after, kinds, population, stepped_after))
    delta.subtract(contributions(profile_before, before, kinds, population, stepped_before))
    return delta


def apply(session: Session, delta: Counter) -> None:
    """Add `delta` to the stored counts, creating rows as needed, in key order (no lock cycles)."""
    rows = [{"country": key[0], "year": key[1], "cut": key[2], "key": key[3], "metric": key[4], "learners": value}
            for key, value in sorted(delta.items()) if value]
    if not rows:
        return
    statement = upsert_insert(session)(CoverageCount.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["country", "year", "cut", "key", "metric"],
        set_={"learners": CoverageCount.__table__.c.learners + statement.excluded.learners})
    session.execute(statement, rows)


def _course_kind_changed(session: Session) -> bool:
    """A course changed kind in this flush, so every cut read from course kinds is recounted."""
    return any(isinstance(obj, Course) and inspect(obj).attrs["kind"].history.has_changes() for obj in session.dirty)


def _after_flush(session: Session, _context) -> None:
    changes = _changes(session)
    if changes:
        kinds = course_kinds(session)
        total: Counter = Counter()
        for learner_id in sorted(changes):
            total.update(_delta_for(session, learner_id, changes[learner_id], kinds))
        apply(session, total)
    if _course_kind_changed(session):
        # Every learner of the course moves from one course-kind row to another (a content sync changed
        # course.yaml): recount those cuts from the facts, rare enough to afford the GROUP BY.
        for cut in CUTS:
            if cut.basis is Basis.COURSE_KIND:
                aggregate.recount_cut(session.connection(), cut.key)


def install() -> None:
    """Keep the rollup current on every flush of every ORM session (once per process): whichever session
    writes a fact (the app's, a test's, a command's), its counts move with it."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def stored_counts(session: Session, country: str, year: int) -> dict[tuple[str, str, str], int]:
    """The rollup of one country and year, with its population: (cut, key, metric) -> learners."""
    rows = session.execute(select(CoverageCount.cut, CoverageCount.key, CoverageCount.metric,
                                  CoverageCount.learners).where(
        CoverageCount.country == country, CoverageCount.year.in_((year, POPULATION_YEAR)),
        CoverageCount.learners != 0))
    return {(cut, key, metric): learners for cut, key, metric, learners in rows}


# --- currently certified: counted when read -------------------------------------------------------------

def current_counts(session: Session, countries: Collection[str] | None, year: int, now: datetime, *,
                   cuts: Collection[str] | None = None) -> dict[CountKey, int]:
    """Learners currently certified, per (country, year, cut, key, "current"), in one query.

    Currency changes with time alone (a certificate expires without any write), so it is not in the rollup:
    it is counted here from the certificates, for the counted learners of `countries` (None: every
    country), at the reference moment of `year` (`cuts.reference_moment`), for every cut or only `cuts`
    (`TOTAL` for the headline). A learner counts once per cell however many certificates they hold (a
    renewal and the certificate it renews), like "certified". In the cuts of facts the certificate's course
    and its kind give the row, and the month cut counts the certificates issued in each month of `year`.
    """
    moment = reference_moment(year, now)
    where = [holds_clause(moment), User.role.in_(LEARNER_ROLES),
             User.email_verified_at.is_not(None), exists().where(LearnerActivity.learner_id == User.id)]
    if countries is not None:
        where.append(User.country.in_(list(countries)))
    profile = {TOTAL: literal(""), **{cut.key: func.coalesce(getattr(User, cut.key), "") for cut in PROFILE_CUTS}}
    by_fact = {Basis.COURSE: Certificate.course_id, Basis.COURSE_KIND: func.coalesce(Course.kind, ""),
               Basis.MONTH: cast(cast(extract("month", Certificate.issued_at), Integer), String)}
    keys = {**profile, **{cut.key: by_fact[cut.basis] for cut in FACT_CUTS}}
    bases = {cut.key: cut.basis for cut in CUTS}
    selects = []
    for cut, key in keys.items():
        if cuts is not None and cut not in cuts:
            continue
        query = (select(User.country, literal(cut).label("cut"), cast(key, String).label("key"),
                        func.count(User.id.distinct()))
                 .select_from(Certificate).join(User, User.id == Certificate.learner_id))
        if bases.get(cut) is Basis.COURSE_KIND:
            query = query.outerjoin(Course, Course.id == Certificate.course_id)
        if bases.get(cut) is Basis.MONTH:
            query = query.where(extract("year", Certificate.issued_at) == year)
        selects.append(query.where(*where).group_by(User.country, key))
    if not selects:
        return {}
    counts: dict[CountKey, int] = {}
    for country, cut, key, learners in session.execute(union_all(*selects)):
        if bases.get(cut) is Basis.MONTH:
            key = f"{year}-{int(key):02d}"
        counts[(country, year, cut, key, CURRENT)] = learners
    return counts

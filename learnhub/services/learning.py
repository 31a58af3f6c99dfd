"""A learner's way through a course: enrolment, lessons done, quiz results, completion.

Every progress write goes through here, so completion (and the certificate it brings) is checked
in one place, in the same transaction as the write.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import DateTime, Integer, Select, String, and_, bindparam, case, exists, func, literal, select
from sqlalchemy.exc import IntegrityError

from learnhub.database import upsert_insert
from learnhub.extensions import db
from learnhub.models import Attempt, Course, CourseItem, Enrolment, ItemProgress, LearnerActivity, User
from learnhub.models.base import utcnow
from learnhub.services import certificates
from learnhub.services.catalogue import ItemInfo, Syllabus


def enrolment(learner: User, course: Course) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(
        Enrolment.learner_id == learner.id, Enrolment.course_id == course.id))


def enrol(learner: User, course: Course) -> Enrolment:
    """The learner's enrolment in the course, created if needed (safe against a concurrent double click)."""
    existing = enrolment(learner, course)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            created = Enrolment(learner_id=learner.id, course_id=course.id)
            db.session.add(created)
        return created
    except IntegrityError:
        return enrolment(learner, course)


def _touch(learner: User, course: Course, item: ItemInfo, record: Enrolment) -> None:
    """The learner acted on an item: their place in the course (`record`, written at the next flush), and the
    month's activity for reports.

    The month's activity row is looked for only when the enrolment's last activity, written with such a row
    by this function, was in another month (or there was none yet): a hot learner pays no query for it."""
    now = utcnow()
    before = record.last_activity_at if record.last_item_id is not None else None
    record.last_item_id = item.id
    record.last_activity_at = now
    if before is not None and (before.year, before.month) == (now.year, now.month):
        return
    key = {"learner_id": learner.id, "course_id": course.id, "year": now.year, "month": now.month}
    if db.session.get(LearnerActivity, key) is None:
        try:
            with db.session.begin_nested():
                db.session.add(LearnerActivity(**key))
        except IntegrityError:
            pass  # a concurrent request of the same learner recorded this month first


class _Bound:
    """The values of the prebuilt progress upserts, as bound parameters."""

    learner_id = bindparam("learner_id", type_=Integer)
    course_id = bindparam("course_id", type_=String)
    item_id = bindparam("item_id", type_=Integer)
    now = bindparam("now", type_=DateTime)


def _of_the_quiz():
    return Attempt.learner_id == _Bound.learner_id, Attempt.item_id == _Bound.item_id


@functools.cache
def _progress_upsert(kind: str, insert):
    """The statement that writes a learner's progress row on an item, whether it exists or not, and returns it:
    a lesson is done; a quiz's row is brought in line with its attempts (their number, the best score, passed if
    any attempt passed), read in the same statement. Built once per kind of item and database (issue 14)."""
    if kind == "lesson":
        values: dict = {"state": literal("done"), "attempts": literal(0)}
    else:
        values = {
            "attempts": select(func.count(Attempt.id)).where(*_of_the_quiz()).scalar_subquery(),
            "best_score": select(func.max(Attempt.score)).where(*_of_the_quiz()).scalar_subquery(),
            "state": case((exists().where(*_of_the_quiz(), Attempt.passed.is_(True)), "passed"), else_="failed")}
    changed = [name for name in values if kind != "lesson" or name != "attempts"] + ["updated_at"]
    table = ItemProgress.__table__
    statement = insert(table).values(
        learner_id=_Bound.learner_id, course_id=_Bound.course_id, item_id=_Bound.item_id, updated_at=_Bound.now,
        **values)
    upsert = statement.on_conflict_do_update(index_elements=[table.c.learner_id, table.c.item_id],
                                             set_={name: statement.excluded[name] for name in changed})
    # A Core statement, its row loaded as an ItemProgress: less work than the ORM's bulk INSERT path.
    return select(ItemProgress).from_statement(upsert.returning(*table.columns)).execution_options(
        populate_existing=True)


def _record(learner: User, course: Course, item: ItemInfo, syllabus: Syllabus, *, by_learner: bool) -> ItemProgress:
    """Write the learner's progress on the item (one upsert), then, from the course's progress read once: their
    place in the course and the month's activity (when the learner acted), and completion. A learner who acts on an
    item is enrolled first, if they were not. Flushes; the caller commits.

    A lesson done this way is three statements besides the transaction's own (the upsert, the course's progress,
    the enrolment's update), where reading each row before writing it took six (issue 14)."""
    statement = _progress_upsert(item.kind, upsert_insert(db.session))
    row = db.session.scalars(statement, {
        "learner_id": learner.id, "course_id": course.id, "item_id": item.id, "now": utcnow()}).one()
    progress = course_progress(learner, course, syllabus)
    if by_learner:
        if progress.enrolment is None:
            enrol(learner, course)
            progress = course_progress(learner, course, syllabus)
        _touch(learner, course, item, progress.enrolment)
    complete_if_done(learner, course, syllabus, progress)
    db.session.flush()
    return row


def mark_lesson_done(learner: User, course: Course, item: ItemInfo, syllabus: Syllabus) -> ItemProgress:
    """Record a lesson as done (idempotent: done again, it is dated again) and check whether the course is now
    complete."""
    return _record(learner, course, item, syllabus, by_learner=True)


def record_quiz_result(learner: User, course: Course, item: ItemInfo, syllabus: Syllabus, *,
                       by_learner: bool = True) -> ItemProgress:
    """Bring the learner's quiz progress in line with their attempts: the best score counts, the quiz is
    passed if any attempt passed. Called after a submit, or (by_learner=False) after an essay mark or a
    regrade, which must not look like the learner's own activity."""
    return _record(learner, course, item, syllabus, by_learner=by_learner)


@dataclass(frozen=True)
class CourseProgress:
    """The learner's state on each live item of a course, and what follows from it."""

    states: dict[int, ItemProgress]
    syllabus: Syllabus
    enrolment: Enrolment | None
    renewal_since: datetime | None = None  # when the renewal window of the certificate at stake opened

    def state(self, item: ItemInfo) -> str:
        row = self.states.get(item.id)
        return row.state if row else "not-started"

    def is_finished(self, item: ItemInfo) -> bool:
        return self.state(item) == ("done" if item.kind == "lesson" else "passed")

    @property
    def finished_count(self) -> int:
        return sum(self.is_finished(item) for item in self.syllabus.items)

    @property
    def percent(self) -> int:
        total = len(self.syllabus.items)
        return round(100 * self.finished_count / total) if total else 0

    @property
    def complete(self) -> bool:
        return bool(self.syllabus.items) and self.finished_count == len(self.syllabus.items)

    def done_before(self, item: ItemInfo, since: datetime | None) -> bool:
        """A lesson marked done, but before `since` (a renewal window's start): to be done again to renew."""
        row = self.states.get(item.id)
        return since is not None and row is not None and row.state == "done" and row.updated_at < since

    def attempts_left(self, item: ItemInfo) -> int | None:
        if item.max_attempts is None:
            return None
        row = self.states.get(item.id)
        return max(item.max_attempts - (row.attempts if row else 0), 0)

    def signature(self) -> tuple:
        """Everything of the learner's that a course page shows, as a key for the page cache (web/page_cache)."""
        enrolment = self.enrolment
        rows = sorted((item_id, row.state, self.score_key(row.best_score), row.attempts)
                      for item_id, row in self.states.items())
        return (enrolment is not None, enrolment.last_item_id if enrolment else None, tuple(rows))

    @staticmethod
    def score_key(score: float | None) -> float | None:
        """A best score as the signature holds it: to six places, the same whether it was read as a number or out
        of JSON (SQLite's keeps 15 significant digits, so 2/3 would not compare equal otherwise)."""
        return None if score is None else round(float(score), 6)

    def shows_answers(self, item: CourseItem) -> bool:
        """Whether the quiz's answer review may show the right answers now (its `show_answers`, decision
        0053): `always`; `never`; `after_pass` once the learner has passed it, or has no attempt left (nothing
        is left to protect then)."""
        setting = item.show_answers
        if setting == "always":
            return True
        if setting == "never":
            return False
        return self.state(item) == "passed" or self.attempts_left(item) == 0

    def next_item(self) -> CourseItem | None:
        """Where to continue: the first unfinished item after the last one visited, else the first unfinished."""
        items = self.syllabus.items
        unfinished = [item for item in items if not self.is_finished(item)]
        if not unfinished:
            return None
        last = self.enrolment.last_item_id if self.enrolment else None
        positions = {item.id: index for index, item in enumerate(items)}
        if last in positions:
            after = [item for item in unfinished if positions[item.id] >= positions[last]]
            if after:
                return after[0]
        return unfinished[0]


class _BoundLearner:
    """The learner of course_progress's prebuilt query as bound parameters, with the attributes that the
    certificate and campaign subqueries read from a User."""

    id = bindparam("learner_id", type_=Integer)
    country = bindparam("learner_country", type_=String)
    sector = bindparam("learner_sector", type_=String)
    organisation_id = bindparam("learner_organisation_id", type_=Integer)


@functools.cache
def _progress_query(certificate_at_stake: bool) -> Select:
    """course_progress's statement, built once per shape and then only given values: building the certificate
    and campaign subqueries anew on every page cost more than running them (issue 14)."""
    columns: list = [Enrolment, ItemProgress]
    if certificate_at_stake:
        target = bindparam("target_id", type_=String)
        columns += [certificates.renewal_expiry(_BoundLearner.id, target),
                    certificates.renewal_campaign_start(_BoundLearner, target)]
    return select(*columns).outerjoin(ItemProgress, and_(
        ItemProgress.learner_id == Enrolment.learner_id, ItemProgress.course_id == Enrolment.course_id)).where(
        Enrolment.learner_id == _BoundLearner.id, Enrolment.course_id == bindparam("course_id", type_=String))


def course_progress(learner: User | None, course: Course, syllabus: Syllabus) -> CourseProgress:
    """One query whatever the course size: the enrolment with the learner's progress rows joined to it
    (progress is only ever recorded for an enrolled learner: `_touch` enrols first) and, for a course that
    issues or renews a certificate, the expiry of the certificate at stake and the start of a campaign that opens
    its renewal window early, for that window."""
    if learner is None or not learner.is_authenticated:
        return CourseProgress({}, syllabus, None)
    at_stake = bool(course.certificate or course.renews)
    values = {"learner_id": learner.id, "course_id": course.id}
    if at_stake:
        values.update(target_id=course.renews or course.id, learner_country=learner.country,
                      learner_sector=learner.sector, learner_organisation_id=learner.organisation_id)
    rows = db.session.execute(_progress_query(at_stake), values).all()
    states = {row[1].item_id: row[1] for row in rows if row[1] is not None}
    if not rows:
        return CourseProgress(states, syllabus, None)
    renewal = certificates.window_open_since(rows[0][2], rows[0][3]) if at_stake else None
    return CourseProgress(states, syllabus, rows[0][0], renewal)


def complete_if_done(learner: User, course: Course, syllabus: Syllabus, progress: CourseProgress) -> None:
    """Mark the enrolment complete and issue the certificate once every lesson is done and quiz passed; a course
    completed again renews its certificate, and a refresher (`renews`) the certificate of the course it renews,
    when that one is due for renewal (certificates.renew). `progress` is the learner's, read after the last write."""
    if not progress.complete or progress.enrolment is None:
        return
    if progress.enrolment.completed_at is None:
        progress.enrolment.completed_at = utcnow()

    def retaken(since):
        return completed_since(learner, course, syllabus, since)

    if course.certificate:
        certificates.issue(learner, course, retaken=retaken)
    if course.renews:
        target = db.session.get(Course, course.renews)
        if target is not None and target.certificate:
            certificates.renew(learner, target, via=course, retaken=retaken)
    db.session.flush()


def completed_since(learner: User, course: Course, syllabus: Syllabus, since) -> bool:
    """Whether the learner did every live lesson and passed every live quiz of the course again at or after
    `since`: lessons marked done since then, quizzes with a passing attempt submitted since then (two queries)."""
    lessons = {item.id for item in syllabus.items if item.kind == "lesson"}
    quizzes = {item.id for item in syllabus.items if item.kind != "lesson"}
    if not lessons and not quizzes:
        return False
    done = db.session.scalar(select(func.count(ItemProgress.id)).where(
        ItemProgress.learner_id == learner.id, ItemProgress.item_id.in_(lessons), ItemProgress.state == "done",
        ItemProgress.updated_at >= since)) if lessons else 0
    passed = db.session.scalar(select(func.count(func.distinct(Attempt.item_id))).where(
        Attempt.learner_id == learner.id, Attempt.item_id.in_(quizzes), Attempt.passed.is_(True),
        Attempt.submitted_at >= since)) if quizzes else 0
    return done == len(lessons) and passed == len(quizzes)


@dataclass(frozen=True)
class DashboardRow:
    course: Course
    enrolment: Enrolment | None
    finished: int
    total: int
    due_on: date | None = None
    assigned: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 0

    @property
    def overdue(self) -> bool:
        completed = self.enrolment is not None and self.enrolment.completed_at is not None
        return self.due_on is not None and self.due_on < utcnow().date() and not completed


def dashboard(learner: User) -> list[DashboardRow]:
    """The learner's courses with progress: courses assigned to their cohorts first (earliest due date
    first, even before they enrol), then the others by most recent activity. Four queries."""
    from learnhub.models import Assignment, CohortMember

    due: dict[str, date | None] = {}
    for course_id, due_on in db.session.execute(select(Assignment.course_id, Assignment.due_on).join(
            CohortMember, CohortMember.cohort_id == Assignment.cohort_id).where(
            CohortMember.learner_id == learner.id, CohortMember.accepted_at.is_not(None))):  # invited is not joined
        if course_id not in due or (due_on is not None and (due[course_id] is None or due_on < due[course_id])):
            due[course_id] = due_on
    enrolled = {course.id: (enrolment, course) for enrolment, course in db.session.execute(
        select(Enrolment, Course).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.learner_id == learner.id).order_by(Enrolment.last_activity_at.desc())).all()}
    missing = [course_id for course_id in due if course_id not in enrolled]
    courses = {course.id: course for _, course in enrolled.values()}
    if missing:
        courses.update({c.id: c for c in db.session.scalars(select(Course).where(Course.id.in_(missing)))})
    if not courses:
        return []
    items = db.session.execute(select(CourseItem.id, CourseItem.course_id, CourseItem.kind).where(
        CourseItem.course_id.in_(list(courses)), CourseItem.retired.is_(False))).all()
    states = dict(db.session.execute(select(ItemProgress.item_id, ItemProgress.state).where(
        ItemProgress.learner_id == learner.id, ItemProgress.course_id.in_(list(courses)))).all())
    totals: dict[str, int] = {}
    finished: dict[str, int] = {}
    for item_id, course_id, kind in items:
        totals[course_id] = totals.get(course_id, 0) + 1
        if states.get(item_id) == ("done" if kind == "lesson" else "passed"):
            finished[course_id] = finished.get(course_id, 0) + 1

    def row(course_id: str) -> DashboardRow:
        return DashboardRow(courses[course_id], enrolled.get(course_id, (None, None))[0], finished.get(course_id, 0),
                            totals.get(course_id, 0), due.get(course_id), course_id in due)

    assigned = sorted((row(c) for c in due if c in courses), key=lambda r: (r.due_on is None, r.due_on or date.max))
    others = [row(c) for c in enrolled if c not in due]
    return assigned + others

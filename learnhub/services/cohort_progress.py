"""A cohort's progress table: what each person has done of the courses assigned to the cohort, as the viewer
may see it (trainer_scope: accepted members, assigned courses, facts from joining on; decision 0021).

Two reads of one table, with one order and one cell rule (decision 0042):

- `summary` and `page`: the top of the trainer's page (how many people, started, completed, overdue, per
  course and over every course) and one page of rows. Ordering, filtering, searching and counting run in
  SQL over the whole cohort; cells are read only for the page's learners, so a page costs a constant number
  of queries and its HTML does not grow with the cohort.
- `table`: every row, in the page's order, for the CSV and XLSX exports (all pages, never only one).

A cell's state comes from the learner's enrolment as the viewer sees it: "completed" when the course was
completed since joining, "in-progress" when the learner was active in it since joining (marking a lesson
done and submitting a quiz both move `last_activity_at`), else "not-started". Its figures count the
lessons marked done and the quiz attempts submitted since joining. A learner's state over several courses
(the filters) follows from the cells: not started in any, completed in every one, in progress otherwise;
overdue when any cell is. `Criteria.course` narrows the filters and the progress and activity sorts to
one course.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, true, union_all

from learnhub.extensions import db
from learnhub.models import Assignment, Attempt, Cohort, CohortMember, CourseItem, Enrolment, ItemProgress, User
from learnhub.models.base import utcnow
from learnhub.services import cohorts, trainer_scope

SORTS = ("name", "email", "progress", "activity", "overdue")
FILTERS = ("all", "not-started", "in-progress", "completed", "overdue", "invited")
PAGE_SIZE = 50
SEARCH_LENGTH = 200  # characters of a search kept (as the catalogue's)
# The queries below are SQLAlchemy Core over the tables: the ORM's compile step for a select of mapped
# attributes, and aliased(), cost about a millisecond each per statement, more than SQLite took to answer
# them. `member` is a membership read inside a subquery, `cell` the one the cells hang from.
_MEMBERS, _USERS, _ENROLMENTS = CohortMember.__table__, User.__table__, Enrolment.__table__
_PROGRESS, _ATTEMPTS, _ASSIGNMENTS = ItemProgress.__table__, Attempt.__table__, Assignment.__table__
_MEMBER, _CELL = _MEMBERS.alias("member"), _MEMBERS.alias("cell")


@dataclass(frozen=True)
class Criteria:
    """What the viewer asked for: a sort, a filter (`show`), the one assigned course the filter and the
    progress and activity sorts look at (None: every assigned course) and a search in names and e-mails."""

    sort: str = "name"
    show: str = "all"
    course: str | None = None
    search: str = ""

    @classmethod
    def of(cls, sort: str | None, show: str | None, course: str | None, search: str | None,
           course_ids: Iterable[str]) -> Criteria:
        """Unknown values fall back to the defaults (by name, everyone, every course, no search)."""
        return cls(sort if sort in SORTS else "name", show if show in FILTERS else "all",
                   course if course and course in set(course_ids) else None,
                   " ".join((search or "").split())[:SEARCH_LENGTH])

    def args(self) -> dict[str, str]:
        """The criteria as URL parameters, defaults left out (a page link or an export link adds its own)."""
        found = {"sort": self.sort if self.sort != "name" else "", "show": self.show if self.show != "all" else "",
                 "course": self.course or "", "q": self.search}
        return {key: value for key, value in found.items() if value}


@dataclass(frozen=True)
class Cell:
    """One learner on one assigned course, from what the viewer may see of it (trainer_scope)."""

    state: str            # "not-started", "in-progress", "completed"
    finished: int
    total: int
    score: float | None   # mean of the best scores of the course's quizzes attempted
    on: datetime | None   # completion date, else last activity
    overdue: bool


@dataclass(frozen=True)
class LearnerName:
    """The few columns of a learner the progress table shows (loading whole accounts costs 2,000 objects)."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class ProgressRow:
    learner: LearnerName
    cells: tuple[Cell, ...]
    pending: bool = False
    """Invited, not accepted yet: listed, with no cells (nothing of their learning is shown)."""

    @property
    def overdue(self) -> bool:
        return any(cell.overdue for cell in self.cells)

    @property
    def not_started(self) -> bool:
        return not self.pending and all(cell.state == "not-started" for cell in self.cells)


@dataclass(frozen=True)
class CourseSummary:
    """One assigned course over the cohort's joined members."""

    assignment: Assignment
    items: int
    learners: int
    started: int
    completed: int
    overdue: int

    @property
    def not_started(self) -> int:
        return self.learners - self.started

    @property
    def in_progress(self) -> int:
        return self.started - self.completed


@dataclass(frozen=True)
class Summary:
    """The cohort at a glance: its people, and its joined members by state over every assigned course (the
    filters' counts), then per course."""

    people: int
    joined: int
    not_started: int
    in_progress: int
    completed: int
    overdue: int
    courses: list[CourseSummary]

    @property
    def invited(self) -> int:
        return self.people - self.joined

    def count(self, show: str) -> int:
        """How many rows the filter `show` lists over every assigned course."""
        return {"all": self.people, "invited": self.invited, "not-started": self.not_started,
                "in-progress": self.in_progress, "completed": self.completed, "overdue": self.overdue}[show]


@dataclass(frozen=True)
class Page:
    rows: list[ProgressRow]
    number: int
    pages: int      # at least 1
    matching: int   # rows matching the criteria over all pages
    first: int      # position of the first row shown, from 1 (0 when nothing matches)

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


@dataclass(frozen=True)
class Courses:
    """The cohort's assigned courses (soonest due first) and their live items: what every read of the table
    starts from. `today` decides what is overdue."""

    assigned: list[Assignment]
    items: dict[str, list[tuple[int, str]]]  # course id -> (item id, kind) of its items not retired
    today: date

    @property
    def ids(self) -> list[str]:
        return [a.course_id for a in self.assigned]

    def total(self, course_id: str) -> int:
        return len(self.items.get(course_id, ()))

    def due(self, course_ids: Iterable[str]) -> list[str]:
        """Those of `course_ids` due before today."""
        due = {a.course_id for a in self.assigned if a.due_on is not None and a.due_on < self.today}
        return [course_id for course_id in course_ids if course_id in due]

    def item_ids(self, kind: str, course_ids: Iterable[str] | None = None) -> list[int]:
        return [item_id for course_id in (self.ids if course_ids is None else course_ids)
                for item_id, item_kind in self.items.get(course_id, ()) if item_kind == kind]


def courses(cohort: Cohort, today: date | None = None) -> Courses:
    """Two queries: the assignments with their courses, and the live items of those courses."""
    assigned = cohorts.assignments(cohort)
    items: dict[str, list[tuple[int, str]]] = {}
    for item_id, course_id, kind in db.session.execute(
            select(CourseItem.id, CourseItem.course_id, CourseItem.kind)
            .where(CourseItem.course_id.in_([a.course_id for a in assigned]), CourseItem.retired.is_(False))
            .order_by(CourseItem.id)):
        items.setdefault(course_id, []).append((item_id, kind))
    return Courses(assigned, items, today or utcnow().date())


def summary(cohort: Cohort, viewer: User, plan: Courses) -> Summary:
    """Two queries over the cohort's enrolments: per course, and per member (then over every course), with the
    cohort's counts of people and joined members beside the second. The courses are picked in Python, not
    in WHERE: SQLite then reads each member's few enrolments by learner instead of probing every course."""
    member = _MEMBER
    completed, started = _states(viewer, member)
    per_course = {course_id: (int(started or 0), int(done or 0)) for course_id, started, done in db.session.execute(
        select(_ENROLMENTS.c.course_id, _sum(started), _sum(completed))
        .select_from(member).join(_ENROLMENTS, _ENROLMENTS.c.learner_id == member.c.learner_id)
        .where(member.c.cohort_id == cohort.id, member.c.accepted_at.is_not(None)).group_by(_ENROLMENTS.c.course_id))}
    due = plan.due(plan.ids)
    flags = _flags(cohort, viewer, plan.ids, due)
    people = select(func.count()).select_from(_MEMBERS).where(_MEMBERS.c.cohort_id == cohort.id)
    found = db.session.execute(select(
        people.scalar_subquery(), people.where(_MEMBERS.c.accepted_at.is_not(None)).scalar_subquery(),
        _sum(flags.c.started > 0), _sum(_completed_all(flags, plan.ids)),
        _sum(and_(true() if due else false(), flags.c.completed_due == len(due)))).select_from(flags)).one()
    people_count, joined, started_any, completed_all, due_done = (int(n or 0) for n in found)
    courses = []
    for assignment in plan.assigned:
        started_here, completed_here = per_course.get(assignment.course_id, (0, 0))
        courses.append(CourseSummary(assignment, plan.total(assignment.course_id), joined, started_here,
                                     completed_here, joined - completed_here if assignment.course_id in due else 0))
    return Summary(people_count, joined, joined - started_any, started_any - completed_all, completed_all,
                   joined - due_done if due else 0, courses)


def page(cohort: Cohort, viewer: User, plan: Courses, criteria: Criteria, number: int,
         size: int = PAGE_SIZE) -> Page:
    """Page `number` (from 1; past the last page: the last page) of the rows matching `criteria`, in their
    order. Two queries: the page's people with the count of all matching, then the page's cells (a third
    when `number` was past the last page)."""
    ordered = _ordered(cohort, viewer, plan, criteria)
    number = max(number, 1)
    people = db.session.execute(ordered.add_columns(func.count().over().label("matching"))
                                .limit(size).offset((number - 1) * size)).all()
    if not people and number > 1:
        matching = db.session.scalar(select(func.count()).select_from(ordered.subquery()))
        number = max(math.ceil(matching / size), 1)
        people = db.session.execute(ordered.add_columns(func.count().over().label("matching"))
                                    .limit(size).offset((number - 1) * size)).all()
    matching = people[0].matching if people else 0
    rows = _rows(cohort, viewer, plan, [(p.id, p.name, p.email, p.accepted_at) for p in people])
    return Page(rows, number, max(math.ceil(matching / size), 1), matching, (number - 1) * size + 1 if rows else 0)


def table(cohort: Cohort, viewer: User, sort: str | None = None, show: str | None = None, course: str | None = None,
          search: str | None = None, today: date | None = None) -> tuple[list[Assignment], list[ProgressRow]]:
    """Every row matching the criteria (as `Criteria.of` reads them), in the page's order: what the exports
    hold. Four queries."""
    plan = courses(cohort, today)
    criteria = Criteria.of(sort, show, course, search, plan.ids)
    people = db.session.execute(_ordered(cohort, viewer, plan, criteria)).all()
    return plan.assigned, _rows(cohort, viewer, plan, [tuple(p) for p in people], every=True)


def table_records(assigned: list[Assignment], rows: list[ProgressRow], language: str) -> tuple[list, list]:
    """Header and rows of the progress table as plain values, for CSV and XLSX exports."""
    states = {"completed": gettext("Completed"), "in-progress": gettext("In progress"),
              "not-started": gettext("Not started")}
    # Each heading is a gettext call of its own: pybabel cannot see a call inside an f-string, and a message it
    # does not extract stays English in every language.
    columns = (gettext("Status"), gettext("Items done"), gettext("Score"), gettext("Date"))
    overdue = gettext("Overdue")
    header = [gettext("Name"), gettext("E-mail address")]
    for assignment in assigned:
        title = assignment.course.title_in(language)
        header += [f"{title}: {column}" for column in columns]
    records = []
    for row in rows:
        record: list = [row.learner.name, row.learner.email]
        if row.pending:
            record += [gettext("Invited, not joined yet"), "", None, ""] * len(assigned)
        for cell in row.cells:
            state = states[cell.state] + (f" ({overdue})" if cell.overdue else "")
            on = cell.on.date().isoformat() if cell.on else ""
            record += [state, f"{cell.finished}/{cell.total}", cell.score, on]
        records.append(record)
    return header, records



def _sum(condition) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _states(viewer: User, member) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """SQL of a cell's state over a joined enrolment and membership: (completed, started) since joining."""
    completed = trainer_scope.shown_since(viewer, _ENROLMENTS.c.completed_at, member.c.accepted_at)
    active = trainer_scope.shown_since(viewer, _ENROLMENTS.c.last_activity_at, member.c.accepted_at)
    return completed, or_(completed, active)


def _flags(cohort: Cohort, viewer: User, course_ids: list[str], due_ids: list[str]):
    """Per accepted member with an enrolment: in how many of `course_ids` they started and completed, how many
    of `due_ids` they completed, and their last activity in `course_ids`, since joining. One GROUP BY over the cohort's
    enrolments; a member without a row has started nothing. The courses are tested in the sums, not in the
    WHERE clause: SQLite then reads each member's few enrolments by learner instead of probing every course."""
    member = _MEMBER
    completed, started = _states(viewer, member)
    assigned = _ENROLMENTS.c.course_id.in_(course_ids)
    activity = and_(assigned, trainer_scope.shown_since(viewer, _ENROLMENTS.c.last_activity_at, member.c.accepted_at))
    columns = [member.c.learner_id.label("learner_id"), _sum(and_(assigned, started)).label("started"),
               _sum(and_(assigned, completed)).label("completed"),
               _sum(and_(_ENROLMENTS.c.course_id.in_(due_ids), completed)).label("completed_due"),
               func.max(case((activity, _ENROLMENTS.c.last_activity_at))).label("last_activity")]
    return (select(*columns).select_from(member).join(_ENROLMENTS, _ENROLMENTS.c.learner_id == member.c.learner_id)
            .where(member.c.cohort_id == cohort.id, member.c.accepted_at.is_not(None))
            .group_by(member.c.learner_id).subquery("flags"))


def _completed_all(flags, course_ids: list[str]) -> ColumnElement[bool]:
    return and_(true() if course_ids else false(), flags.c.completed == len(course_ids))


def _overdue_any(flags, due_ids: list[str]) -> ColumnElement[bool]:
    """Some course due before today is not completed (an accepted member without flags completed none)."""
    return and_(true() if due_ids else false(), func.coalesce(flags.c.completed_due, 0) < len(due_ids))


def _progress(cohort: Cohort, viewer: User, plan: Courses, course_ids: list[str]):
    """Per accepted member: the sum over `course_ids` of the share of each course's items finished since
    joining (lessons marked done, quizzes passed), times `_scale`: each item weighs scale // its course's
    items, exactly, so equal shares tie."""
    scale = _scale([plan.total(course_id) for course_id in course_ids])
    weights = {item_id: scale // plan.total(course_id) for course_id in course_ids
               for item_id, _kind in plan.items.get(course_id, ())}
    if not weights:
        return None
    member = _MEMBER
    joined = and_(member.c.cohort_id == cohort.id, member.c.accepted_at.is_not(None))
    # Only lessons have the state "done". Items outside `course_ids` (or retired) weigh 0 rather than being
    # left out in WHERE, so that SQLite reads each member's rows by learner instead of probing every item.
    lessons = (select(member.c.learner_id, func.sum(case(weights, value=_PROGRESS.c.item_id, else_=0)).label("w"))
               .select_from(member).join(_PROGRESS, _PROGRESS.c.learner_id == member.c.learner_id)
               .where(joined, _PROGRESS.c.state == "done",
                      trainer_scope.shown_since(viewer, _PROGRESS.c.updated_at, member.c.accepted_at))
               .group_by(member.c.learner_id))
    passed = (select(member.c.learner_id, _ATTEMPTS.c.item_id).distinct()  # a quiz passed twice counts once
              .select_from(member).join(_ATTEMPTS, _ATTEMPTS.c.learner_id == member.c.learner_id)
              .where(joined, _ATTEMPTS.c.passed.is_(True),
                     trainer_scope.shown_since(viewer, _ATTEMPTS.c.submitted_at, member.c.accepted_at))
              .subquery("passed"))
    quizzes = (select(passed.c.learner_id, func.sum(case(weights, value=passed.c.item_id, else_=0)).label("w"))
               .group_by(passed.c.learner_id))
    done = union_all(lessons, quizzes).subquery("done")
    return (select(done.c.learner_id, func.sum(done.c.w).label("progress"))
            .group_by(done.c.learner_id).subquery("progress"))


def _scale(totals: list[int]) -> int:
    """A multiple of every course's number of items (so that each item's weight is exact), or 10**12 when
    that would be too big to sum in 64 bits (then equal shares may differ in the last of 12 digits)."""
    scale = math.lcm(*(total for total in totals if total)) if any(totals) else 1
    return scale if scale <= 10**12 else 10**12


def _ordered(cohort: Cohort, viewer: User, plan: Courses, criteria: Criteria) -> Select:
    """The people matching `criteria` in its order: (id, name, email, accepted_at). Joins what the filter and
    the sort need and nothing else, so the default page (by name, everyone) reads members and names only."""
    course_ids = [criteria.course] if criteria.course else plan.ids
    due_ids = plan.due(course_ids)
    query = (select(_USERS.c.id, _USERS.c.name, _USERS.c.email, _MEMBERS.c.accepted_at)
             .join(_MEMBERS, _MEMBERS.c.learner_id == _USERS.c.id).where(_MEMBERS.c.cohort_id == cohort.id))
    joined = _MEMBERS.c.accepted_at.is_not(None)
    flags = _flags(cohort, viewer, course_ids, due_ids)
    if criteria.show in ("not-started", "in-progress", "completed", "overdue") or criteria.sort in ("activity",
                                                                                                   "overdue"):
        query = query.outerjoin(flags, flags.c.learner_id == _USERS.c.id)
    if criteria.show == "invited":
        query = query.where(_MEMBERS.c.accepted_at.is_(None))
    elif criteria.show == "not-started":
        query = query.where(joined, func.coalesce(flags.c.started, 0) == 0)
    elif criteria.show == "in-progress":
        query = query.where(flags.c.started > 0, flags.c.completed < len(course_ids))
    elif criteria.show == "completed":
        query = query.where(_completed_all(flags, course_ids))
    elif criteria.show == "overdue":
        query = query.where(joined, _overdue_any(flags, due_ids))
    if criteria.search:
        pattern = "%" + criteria.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(_USERS.c.name.ilike(pattern, escape="\\"), _USERS.c.email.ilike(pattern, escape="\\")))
    name = func.lower(_USERS.c.name)
    if criteria.sort == "email":
        return query.order_by(_USERS.c.email, _USERS.c.id)
    if criteria.sort == "progress":
        progress = _progress(cohort, viewer, plan, course_ids)
        if progress is None:
            return query.order_by(name, _USERS.c.id)
        return query.outerjoin(progress, progress.c.learner_id == _USERS.c.id).order_by(
            func.coalesce(progress.c.progress, 0).desc(), name, _USERS.c.id)
    if criteria.sort == "activity":
        return query.order_by(flags.c.last_activity.desc().nulls_last(), name, _USERS.c.id)
    if criteria.sort == "overdue":
        return query.order_by(case((and_(joined, _overdue_any(flags, due_ids)), 0), else_=1), name, _USERS.c.id)
    return query.order_by(name, _USERS.c.id)


def _rows(cohort: Cohort, viewer: User, plan: Courses, people: list[tuple], every: bool = False) -> list[ProgressRow]:
    """The rows of `people` (id, name, email, accepted_at), in their order, with their cells read in one query:
    the page's learners only, or (`every`) the whole cohort's."""
    joined_ids = [person[0] for person in people if person[3] is not None]
    cells: dict[tuple[int, str], tuple] = {}
    if plan.assigned and joined_ids:
        cells = {(row[0], row[1]): row[2:] for row in db.session.execute(
            _cell_query(cohort, viewer, plan, None if every else joined_ids))}
    rows = []
    for learner_id, name, email, accepted_at in people:
        person = LearnerName(learner_id, name, email)
        window = trainer_scope.window(viewer, learner_id, accepted_at)
        if not window.accepted:
            rows.append(ProgressRow(person, (), pending=True))
            continue
        rows.append(ProgressRow(person, tuple(
            _cell(window, cells.get((learner_id, a.course_id), ()), plan.total(a.course_id), a.due_on, plan.today)
            for a in plan.assigned)))
    return rows


def _cell(window: trainer_scope.Membership, found: tuple, total: int, due_on: date | None, today: date) -> Cell:
    completed_at, last_activity_at, lessons, passed, mean = found or (None, None, None, None, None)
    completed_at = completed_at if window.shows(completed_at) else None
    last_activity_at = last_activity_at if window.shows(last_activity_at) else None
    state = "completed" if completed_at else ("in-progress" if last_activity_at else "not-started")
    return Cell(state, int(lessons or 0) + int(passed or 0), total, round(float(mean), 1) if mean is not None else None,
                completed_at or last_activity_at, due_on is not None and due_on < today and completed_at is None)


def _cell_query(cohort: Cohort, viewer: User, plan: Courses, learner_ids: list[int] | None) -> Select:
    """One row per accepted member (of `learner_ids`, or all) and assigned course: (learner id, course id,
    enrolment's completed_at and last_activity_at, lessons done since joining, quizzes passed since joining,
    mean of the best scores of the quizzes attempted since joining). Dates are filtered by the caller."""
    member = _MEMBER

    def among(column) -> ColumnElement[bool]:
        return column.in_(learner_ids) if learner_ids is not None else true()

    # Every table is narrowed to the learners by its own column: PostgreSQL then reads their rows only,
    # instead of hashing the whole cohort's memberships and every enrolment.
    joined = and_(member.c.cohort_id == cohort.id, member.c.accepted_at.is_not(None), among(member.c.learner_id))

    lessons = (select(_PROGRESS.c.learner_id, _PROGRESS.c.course_id, func.count().label("done"))
               .join(member, and_(member.c.learner_id == _PROGRESS.c.learner_id, joined))
               .where(among(_PROGRESS.c.learner_id), _PROGRESS.c.item_id.in_(plan.item_ids("lesson")),
                      _PROGRESS.c.state == "done",
                      trainer_scope.shown_since(viewer, _PROGRESS.c.updated_at, member.c.accepted_at))
               .group_by(_PROGRESS.c.learner_id, _PROGRESS.c.course_id).subquery("lessons"))
    best = (select(_ATTEMPTS.c.learner_id, _ATTEMPTS.c.course_id, func.max(_ATTEMPTS.c.score).label("best"),
                   func.max(case((_ATTEMPTS.c.passed.is_(True), 1), else_=0)).label("passed"))
            .join(member, and_(member.c.learner_id == _ATTEMPTS.c.learner_id, joined))
            .where(among(_ATTEMPTS.c.learner_id), _ATTEMPTS.c.item_id.in_(plan.item_ids("quiz")),
                   trainer_scope.shown_since(viewer, _ATTEMPTS.c.submitted_at, member.c.accepted_at))
            .group_by(_ATTEMPTS.c.learner_id, _ATTEMPTS.c.course_id, _ATTEMPTS.c.item_id).subquery("best"))
    quizzes = (select(best.c.learner_id, best.c.course_id, func.sum(best.c.passed).label("passed"),
                      func.avg(best.c.best).label("mean"))
               .group_by(best.c.learner_id, best.c.course_id).subquery("quizzes"))
    cell = _CELL
    return (select(cell.c.learner_id, _ASSIGNMENTS.c.course_id, _ENROLMENTS.c.completed_at,
                   _ENROLMENTS.c.last_activity_at, lessons.c.done, quizzes.c.passed, quizzes.c.mean)
            .select_from(cell).join(_ASSIGNMENTS, _ASSIGNMENTS.c.cohort_id == cell.c.cohort_id)
            .outerjoin(_ENROLMENTS, and_(_ENROLMENTS.c.learner_id == cell.c.learner_id, among(_ENROLMENTS.c.learner_id),
                                       _ENROLMENTS.c.course_id == _ASSIGNMENTS.c.course_id))
            .outerjoin(lessons, and_(lessons.c.learner_id == cell.c.learner_id,
                                     lessons.c.course_id == _ASSIGNMENTS.c.course_id))
            .outerjoin(quizzes, and_(quizzes.c.learner_id == cell.c.learner_id,
                                     quizzes.c.course_id == _ASSIGNMENTS.c.course_id))
            .where(cell.c.cohort_id == cohort.id, cell.c.accepted_at.is_not(None), among(cell.c.learner_id)))

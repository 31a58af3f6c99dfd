"""A cohort's progress table: what each person has done of the courses assigned to the cohort, as the viewer
may see it (trainer_scope: accepted members, assigned courses, facts from joining on; decision 0021).

Two reads of one table, with one order and one cell rule (decision 0036):

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
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true, union_all
from sqlalchemy.orm import aliased

from learnhub.extensions import db
from learnhub.models import Assignment, Attempt, Cohort, CohortMember, CourseItem, Enrolment, ItemProgress, User
from learnhub.models.base import utcnow
from learnhub.services import cohorts, trainer_scope

SORTS = ("name", "email", "progress", "activity", "overdue")
FILTERS = ("all", "not-started", "in-progress", "completed", "overdue", "invited")
PAGE_SIZE = 50
SEARCH_LENGTH = 200  # characters of a search kept (as the catalogue's)
PROGRESS_SCALE = 1_000_000  # progress sorts by sum(finished * SCALE // total) over courses: integers tie exactly


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


def summary(cohort: Cohort, viewer: User, assigned: list[Assignment], today: date | None = None) -> Summary:
    """Two queries: per assigned course (with its number of live items), and per person over every course."""
    today = today or utcnow().date()
    member = aliased(CohortMember)
    completed, started = _states(viewer, member)
    items = (select(func.count()).select_from(CourseItem)
             .where(CourseItem.course_id == Assignment.course_id, CourseItem.retired.is_(False))
             .correlate(Assignment).scalar_subquery())
    per_course = {course_id: counts for course_id, *counts in db.session.execute(
        select(Assignment.course_id, items, func.count(member.learner_id), _sum(started), _sum(completed),
               _sum(_overdue(completed, today)))
        .select_from(Assignment)
        .outerjoin(member, and_(member.cohort_id == Assignment.cohort_id, member.accepted_at.is_not(None)))
        .outerjoin(Enrolment, and_(Enrolment.learner_id == member.learner_id,
                                   Enrolment.course_id == Assignment.course_id))
        .where(Assignment.cohort_id == cohort.id).group_by(Assignment.course_id))}
    flags = _flags(cohort, viewer, [a.course_id for a in assigned], today)
    people, joined, not_started, completed_all, overdue = db.session.execute(
        select(func.count(), func.count(CohortMember.accepted_at),
               _sum(and_(CohortMember.accepted_at.is_not(None), func.coalesce(flags.c.started, 0) == 0)),
               _sum(_completed_all(flags)), _sum(flags.c.overdue > 0))
        .select_from(CohortMember).outerjoin(flags, flags.c.learner_id == CohortMember.learner_id)
        .where(CohortMember.cohort_id == cohort.id)).one()
    return Summary(people, joined, int(not_started or 0), joined - int(not_started or 0) - int(completed_all or 0),
                   int(completed_all or 0), int(overdue or 0),
                   [CourseSummary(a, *(int(n or 0) for n in per_course[a.course_id])) for a in assigned])


def page(cohort: Cohort, viewer: User, assigned: list[Assignment], totals: dict[str, int], criteria: Criteria,
         number: int, size: int = PAGE_SIZE, today: date | None = None) -> Page:
    """Page `number` (from 1; past the last page: the last page) of the rows matching `criteria`, in their
    order. Two queries: the page's people with the count of all matching, then the page's cells (a third
    when `number` was past the last page). `totals` are the assigned courses' live items."""
    today = today or utcnow().date()
    ordered = _ordered(cohort, viewer, assigned, totals, criteria, today)
    number = max(number, 1)
    people = db.session.execute(ordered.add_columns(func.count().over().label("matching"))
                                .limit(size).offset((number - 1) * size)).all()
    if not people and number > 1:
        matching = db.session.scalar(select(func.count()).select_from(ordered.subquery()))
        number = max(math.ceil(matching / size), 1)
        people = db.session.execute(ordered.add_columns(func.count().over().label("matching"))
                                    .limit(size).offset((number - 1) * size)).all()
    matching = people[0].matching if people else 0
    rows = _rows(cohort, viewer, assigned, totals, [(p.id, p.name, p.email, p.accepted_at) for p in people], today)
    return Page(rows, number, max(math.ceil(matching / size), 1), matching, (number - 1) * size + 1 if rows else 0)


def table(cohort: Cohort, viewer: User, sort: str | None = None, show: str | None = None, course: str | None = None,
          search: str | None = None, today: date | None = None) -> tuple[list[Assignment], list[ProgressRow]]:
    """Every row matching the criteria (as `Criteria.of` reads them), in the page's order: what the exports
    hold. Four queries."""
    today = today or utcnow().date()
    assigned = cohorts.assignments(cohort)
    criteria = Criteria.of(sort, show, course, search, [a.course_id for a in assigned])
    totals = item_totals([a.course_id for a in assigned])
    people = db.session.execute(_ordered(cohort, viewer, assigned, totals, criteria, today)).all()
    return assigned, _rows(cohort, viewer, assigned, totals, [tuple(p) for p in people], today, every=True)


def table_records(assigned: list[Assignment], rows: list[ProgressRow], language: str) -> tuple[list, list]:
    """Header and rows of the progress table as plain values, for CSV and XLSX exports."""
    states = {"completed": gettext("Completed"), "in-progress": gettext("In progress"),
              "not-started": gettext("Not started")}
    header = [gettext("Name"), gettext("E-mail address")]
    for assignment in assigned:
        title = assignment.course.title_in(language)
        header += [f"{title}: {gettext('Status')}", f"{title}: {gettext('Items done')}",
                   f"{title}: {gettext('Score')}", f"{title}: {gettext('Date')}"]
    records = []
    for row in rows:
        record: list = [row.learner.name, row.learner.email]
        if row.pending:
            record += [gettext("Invited, not joined yet"), "", None, ""] * len(assigned)
        for cell in row.cells:
            state = states[cell.state] + (f" ({gettext('Overdue')})" if cell.overdue else "")
            on = cell.on.date().isoformat() if cell.on else ""
            record += [state, f"{cell.finished}/{cell.total}", cell.score, on]
        records.append(record)
    return header, records


def item_totals(course_ids: list[str]) -> dict[str, int]:
    """Live (not retired) items per course."""
    return dict(db.session.execute(select(CourseItem.course_id, func.count()).where(
        CourseItem.course_id.in_(course_ids), CourseItem.retired.is_(False)).group_by(CourseItem.course_id)).all())


def _sum(condition) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _states(viewer: User, member) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """SQL of a cell's state over an outer-joined enrolment: (completed, started) since joining."""
    completed = trainer_scope.shown_since(viewer, Enrolment.completed_at, member.accepted_at)
    return completed, or_(completed, trainer_scope.shown_since(viewer, Enrolment.last_activity_at, member.accepted_at))


def _overdue(completed, today: date) -> ColumnElement[bool]:
    """Due before today and not completed (an absent enrolment is not completed: NULL counts as false)."""
    return and_(Assignment.due_on < today, case((completed, 1), else_=0) == 0)


def _completed_all(flags) -> ColumnElement[bool]:
    return and_(flags.c.courses > 0, flags.c.completed == flags.c.courses)


def _flags(cohort: Cohort, viewer: User, course_ids: list[str], today: date):
    """Per accepted member, over the courses `course_ids`: how many there are, started, completed and overdue,
    and the last activity since joining. One GROUP BY over members x assignments x enrolments."""
    member = aliased(CohortMember)
    completed, started = _states(viewer, member)
    activity = trainer_scope.shown_since(viewer, Enrolment.last_activity_at, member.accepted_at)
    return (select(member.learner_id.label("learner_id"), func.count(Assignment.id).label("courses"),
                   _sum(started).label("started"), _sum(completed).label("completed"),
                   _sum(_overdue(completed, today)).label("overdue"),
                   func.max(case((activity, Enrolment.last_activity_at))).label("last_activity"))
            .select_from(member).join(Assignment, Assignment.cohort_id == member.cohort_id)
            .outerjoin(Enrolment, and_(Enrolment.learner_id == member.learner_id,
                                       Enrolment.course_id == Assignment.course_id))
            .where(member.cohort_id == cohort.id, member.accepted_at.is_not(None),
                   Assignment.course_id.in_(course_ids))
            .group_by(member.learner_id).subquery("flags"))


def _progress(cohort: Cohort, viewer: User, totals: dict[str, int]):
    """Per accepted member: the sum over `totals`' courses of the share of items finished since joining
    (lessons marked done, quizzes passed), scaled to integers so that equal shares tie."""
    member = aliased(CohortMember)
    course_ids = [course_id for course_id, total in totals.items() if total]
    joined = and_(member.cohort_id == cohort.id, member.accepted_at.is_not(None))
    lessons = (select(ItemProgress.learner_id, ItemProgress.course_id, ItemProgress.item_id)
               .join(member, and_(member.learner_id == ItemProgress.learner_id, joined))
               .join(CourseItem, CourseItem.id == ItemProgress.item_id)
               .where(ItemProgress.course_id.in_(course_ids), ItemProgress.state == "done",
                      CourseItem.kind == "lesson", CourseItem.retired.is_(False),
                      trainer_scope.shown_since(viewer, ItemProgress.updated_at, member.accepted_at)))
    quizzes = (select(Attempt.learner_id, Attempt.course_id, Attempt.item_id)
               .join(member, and_(member.learner_id == Attempt.learner_id, joined))
               .join(CourseItem, CourseItem.id == Attempt.item_id)
               .where(Attempt.course_id.in_(course_ids), Attempt.passed.is_(True), CourseItem.retired.is_(False),
                      trainer_scope.shown_since(viewer, Attempt.submitted_at, member.accepted_at)))
    done = union_all(lessons, quizzes).subquery("done")
    per_course = (select(done.c.learner_id, done.c.course_id, func.count(done.c.item_id.distinct()).label("n"))
                  .group_by(done.c.learner_id, done.c.course_id).subquery("per_course"))
    share = per_course.c.n * PROGRESS_SCALE // case(totals, value=per_course.c.course_id, else_=1)
    return (select(per_course.c.learner_id, func.sum(share).label("progress"))
            .group_by(per_course.c.learner_id).subquery("progress"))


def _ordered(cohort: Cohort, viewer: User, assigned: list[Assignment], totals: dict[str, int],
             criteria: Criteria, today: date) -> Select:
    """The people matching `criteria` in its order: (id, name, email, accepted_at). Joins what the filter and
    the sort need and nothing else, so the default page (by name, everyone) reads members and names only."""
    course_ids = [criteria.course] if criteria.course else [a.course_id for a in assigned]
    query = (select(User.id, User.name, User.email, CohortMember.accepted_at)
             .join(CohortMember, CohortMember.learner_id == User.id).where(CohortMember.cohort_id == cohort.id))
    name = func.lower(User.name)
    flags = None
    if criteria.show in ("not-started", "in-progress", "completed", "overdue") or criteria.sort in ("activity",
                                                                                                   "overdue"):
        flags = _flags(cohort, viewer, course_ids, today)
        query = query.outerjoin(flags, flags.c.learner_id == User.id)
    joined = CohortMember.accepted_at.is_not(None)
    if criteria.show == "invited":
        query = query.where(CohortMember.accepted_at.is_(None))
    elif criteria.show == "not-started":
        query = query.where(joined, func.coalesce(flags.c.started, 0) == 0)
    elif criteria.show == "in-progress":
        query = query.where(flags.c.started > 0, flags.c.completed < flags.c.courses)
    elif criteria.show == "completed":
        query = query.where(_completed_all(flags))
    elif criteria.show == "overdue":
        query = query.where(flags.c.overdue > 0)
    if criteria.search:
        pattern = "%" + criteria.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\")))
    if criteria.sort == "email":
        return query.order_by(User.email, User.id)
    if criteria.sort == "progress":
        progress = _progress(cohort, viewer, {course_id: totals.get(course_id, 0) for course_id in course_ids})
        return query.outerjoin(progress, progress.c.learner_id == User.id).order_by(
            func.coalesce(progress.c.progress, 0).desc(), name, User.id)
    if criteria.sort == "activity":
        return query.order_by(flags.c.last_activity.desc().nulls_last(), name, User.id)
    if criteria.sort == "overdue":
        return query.order_by(case((flags.c.overdue > 0, 0), else_=1), name, User.id)
    return query.order_by(name, User.id)


def _rows(cohort: Cohort, viewer: User, assigned: list[Assignment], totals: dict[str, int],
          people: list[tuple], today: date, every: bool = False) -> list[ProgressRow]:
    """The rows of `people` (id, name, email, accepted_at), in their order, with their cells read in one query:
    the page's learners only, or (`every`) the whole cohort's."""
    joined_ids = [person[0] for person in people if person[3] is not None]
    cells: dict[tuple[int, str], tuple] = {}
    if assigned and joined_ids:
        cells = {(row[0], row[1]): row[2:] for row in db.session.execute(
            _cell_query(cohort, viewer, [a.course_id for a in assigned], None if every else joined_ids))}
    plan = [(a.course_id, a.due_on, totals.get(a.course_id, 0)) for a in assigned]
    rows = []
    for learner_id, name, email, accepted_at in people:
        person = LearnerName(learner_id, name, email)
        window = trainer_scope.window(viewer, learner_id, accepted_at)
        if not window.accepted:
            rows.append(ProgressRow(person, (), pending=True))
            continue
        rows.append(ProgressRow(person, tuple(
            _cell(window, cells.get((learner_id, course_id), ()), total, due_on, today)
            for course_id, due_on, total in plan)))
    return rows


def _cell(window: trainer_scope.Membership, found: tuple, total: int, due_on: date | None, today: date) -> Cell:
    completed_at, last_activity_at, lessons, passed, mean = found or (None, None, None, None, None)
    completed_at = completed_at if window.shows(completed_at) else None
    last_activity_at = last_activity_at if window.shows(last_activity_at) else None
    state = "completed" if completed_at else ("in-progress" if last_activity_at else "not-started")
    return Cell(state, int(lessons or 0) + int(passed or 0), total, round(float(mean), 1) if mean is not None else None,
                completed_at or last_activity_at, due_on is not None and due_on < today and completed_at is None)


def _cell_query(cohort: Cohort, viewer: User, course_ids: list[str], learner_ids: list[int] | None) -> Select:
    """One row per accepted member (of `learner_ids`, or all) and assigned course: (learner id, course id,
    enrolment's completed_at and last_activity_at, lessons done since joining, quizzes passed since joining,
    mean of the best scores of the quizzes attempted since joining). Dates are filtered by the caller."""
    member = aliased(CohortMember)
    joined = and_(member.cohort_id == cohort.id, member.accepted_at.is_not(None))

    def among(column) -> ColumnElement[bool]:
        return column.in_(learner_ids) if learner_ids is not None else true()

    lessons = (select(ItemProgress.learner_id, ItemProgress.course_id, func.count().label("done"))
               .join(member, and_(member.learner_id == ItemProgress.learner_id, joined))
               .join(CourseItem, CourseItem.id == ItemProgress.item_id)
               .where(among(ItemProgress.learner_id), ItemProgress.course_id.in_(course_ids),
                      ItemProgress.state == "done", CourseItem.kind == "lesson", CourseItem.retired.is_(False),
                      trainer_scope.shown_since(viewer, ItemProgress.updated_at, member.accepted_at))
               .group_by(ItemProgress.learner_id, ItemProgress.course_id).subquery("lessons"))
    best = (select(Attempt.learner_id, Attempt.course_id, func.max(Attempt.score).label("best"),
                   func.max(case((Attempt.passed.is_(True), 1), else_=0)).label("passed"))
            .join(member, and_(member.learner_id == Attempt.learner_id, joined))
            .join(CourseItem, CourseItem.id == Attempt.item_id)
            .where(among(Attempt.learner_id), Attempt.course_id.in_(course_ids), CourseItem.retired.is_(False),
                   trainer_scope.shown_since(viewer, Attempt.submitted_at, member.accepted_at))
            .group_by(Attempt.learner_id, Attempt.course_id, Attempt.item_id).subquery("best"))
    quizzes = (select(best.c.learner_id, best.c.course_id, func.sum(best.c.passed).label("passed"),
                      func.avg(best.c.best).label("mean"))
               .group_by(best.c.learner_id, best.c.course_id).subquery("quizzes"))
    cell = aliased(CohortMember)
    return (select(cell.learner_id, Assignment.course_id, Enrolment.completed_at, Enrolment.last_activity_at,
                   lessons.c.done, quizzes.c.passed, quizzes.c.mean)
            .select_from(cell).join(Assignment, Assignment.cohort_id == cell.cohort_id)
            .outerjoin(Enrolment, and_(Enrolment.learner_id == cell.learner_id,
                                       Enrolment.course_id == Assignment.course_id))
            .outerjoin(lessons, and_(lessons.c.learner_id == cell.learner_id,
                                     lessons.c.course_id == Assignment.course_id))
            .outerjoin(quizzes, and_(quizzes.c.learner_id == cell.learner_id,
                                     quizzes.c.course_id == Assignment.course_id))
            .where(cell.cohort_id == cohort.id, cell.accepted_at.is_not(None), among(cell.learner_id)))

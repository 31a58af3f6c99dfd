"""Cohorts: trainers' groups of learners, their members, assignments and progress table.

A trainer sees only their own cohorts and the learners in them; an admin sees every cohort. Every
lookup here takes the acting user, so a view cannot forget the check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import and_, case, func, or_, select

from learnhub.extensions import db
from learnhub.models import (
    Assignment,
    Attempt,
    Certificate,
    Cohort,
    CohortMember,
    Course,
    CourseItem,
    Enrolment,
    ItemProgress,
    User,
)
from learnhub.models.base import utcnow
from learnhub.services import accounts

INVITATION_DAYS = 14
# An invited person has no password until they follow their link; no Argon2 hash ever matches this.
NO_PASSWORD = "!invited"  # noqa: S105  (a marker, never a password)


def visible_cohorts(user: User) -> list[Cohort]:
    query = select(Cohort).order_by(Cohort.created_at.desc(), Cohort.id.desc())
    if not user.has_role("admin"):
        query = query.where(Cohort.trainer_id == user.id)
    return list(db.session.scalars(query))


def cohort_for(user: User, cohort_id: int) -> Cohort | None:
    """The cohort if `user` runs it (or is an admin); None otherwise, so the view answers 404."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or (cohort.trainer_id != user.id and not user.has_role("admin")):
        return None
    return cohort


def create(trainer: User, name: str, organisation: str, country: str, language: str) -> Cohort:
    cohort = Cohort(trainer_id=trainer.id, name=name.strip(), organisation=organisation.strip(),
                    country=country, language=language)
    db.session.add(cohort)
    db.session.flush()
    return cohort


def members(cohort: Cohort) -> list[User]:
    """The people who accepted to join the cohort (those only invited are `invitations.pending_people`)."""
    return list(db.session.scalars(select(User).join(CohortMember, CohortMember.learner_id == User.id)
                                   .where(CohortMember.cohort_id == cohort.id, CohortMember.accepted_at.is_not(None))
                                   .order_by(User.name, User.id)))


def is_member(cohort: Cohort, learner_id: int) -> bool:
    return db.session.get(CohortMember, (cohort.id, learner_id)) is not None


@dataclass
class AddResult:
    """What adding people did. Everyone new is `invited`, whether the address had a trainee account, a staff
    account or none: a trainer must not learn who uses LearnHub, or who is staff (decision 0020). The last two
    counts are for the audit log only, never for the trainer's page."""

    invited: int = 0
    already_invited: int = 0
    already_members: int = 0
    new_accounts: int = 0
    staff: int = 0


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    country: str | None = None
    sector: str | None = None
    organisation: str | None = None
    organisation_type: str | None = None
    ecsf_role: str | None = None
    language: str | None = None


def add_people(cohort: Cohort, people: Iterable[Person]) -> AddResult:
    """Invite people by e-mail: nobody joins here. Each new address becomes a pending membership (accepted_at
    empty) that owes an invitation mail (`invitations.send_owed` sends it, after the caller's commit); a
    person without an account gets one without a password, which their invitation link lets them choose.
    A staff account (trainer, analyst, admin) is invited like anyone, so the trainer cannot tell, but can
    never accept and is told so by mail instead. Nobody is ever duplicated: e-mails compare trimmed and
    lower-cased, against the database and within the list. Re-adding someone whose invitation was never
    sent leaves it owed, so the caller's next send delivers it. Flushes."""
    wanted: dict[str, Person] = {}
    for person in people:
        wanted.setdefault(accounts.normalise_email(person.email), person)
    existing: dict[str, User] = {}
    emails = list(wanted)
    for start in range(0, len(emails), 500):
        chunk = emails[start:start + 500]
        existing.update({user.email: user for user in db.session.scalars(select(User).where(User.email.in_(chunk)))})
    current = dict(db.session.execute(select(CohortMember.learner_id, CohortMember.accepted_at)
                                      .where(CohortMember.cohort_id == cohort.id)).all())
    result = AddResult()
    invite: list[tuple[User, Person]] = []
    for email, person in wanted.items():
        user = existing.get(email)
        if user is None:
            user = User(email=email, name=person.name.strip()[:120], password_hash=NO_PASSWORD, role="trainee",
                        language=person.language or cohort.language, country=person.country or cohort.country,
                        sector=person.sector or "public-administration",
                        organisation=(person.organisation or cohort.organisation)[:200],
                        organisation_type=person.organisation_type or "government", ecsf_role=person.ecsf_role)
            db.session.add(user)
            result.new_accounts += 1
        elif user.id in current:
            if current[user.id] is None:
                result.already_invited += 1
            else:
                result.already_members += 1
            continue
        elif user.role != "trainee":
            result.staff += 1
        invite.append((user, person))
    db.session.flush()
    now = utcnow()
    db.session.add_all(CohortMember(cohort_id=cohort.id, learner_id=user.id, invited_name=person.name.strip()[:120],
                                    invitation_queued_at=now) for user, person in invite)
    result.invited = len(invite)
    db.session.flush()
    return result


def assign(cohort: Cohort, course: Course, due_on: date | None) -> Assignment:
    """Assign a course (or change its due date when already assigned)."""
    assignment = db.session.scalar(select(Assignment).where(Assignment.cohort_id == cohort.id,
                                                            Assignment.course_id == course.id))
    if assignment is None:
        assignment = Assignment(cohort_id=cohort.id, course_id=course.id)
        db.session.add(assignment)
    assignment.due_on = due_on
    db.session.flush()
    return assignment


def assignments(cohort: Cohort) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(Assignment.cohort_id == cohort.id)
                                   .order_by(Assignment.due_on.is_(None), Assignment.due_on, Assignment.id)))


@dataclass(frozen=True)
class Cell:
    """One learner on one assigned course."""

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

    @property
    def overdue(self) -> bool:
        return any(cell.overdue for cell in self.cells)

    @property
    def not_started(self) -> bool:
        return all(cell.state == "not-started" for cell in self.cells)


def progress_table(cohort: Cohort, today: date | None = None) -> tuple[list[Assignment], list[ProgressRow]]:
    """Learners x assigned courses in five queries, whatever the cohort's size."""
    today = today or utcnow().date()
    assigned = assignments(cohort)
    people = [LearnerName(*row) for row in db.session.execute(
        select(User.id, User.name, User.email).join(CohortMember, CohortMember.learner_id == User.id)
        .where(CohortMember.cohort_id == cohort.id).order_by(User.name, User.id))]
    course_ids = [a.course_id for a in assigned]
    if not course_ids or not people:
        return assigned, [ProgressRow(person, ()) for person in people]
    member_ids = select(CohortMember.learner_id).where(CohortMember.cohort_id == cohort.id).scalar_subquery()
    totals = dict(db.session.execute(select(CourseItem.course_id, func.count()).where(
        CourseItem.course_id.in_(course_ids), CourseItem.retired.is_(False)).group_by(CourseItem.course_id)).all())
    enrolments = {(learner_id, course_id): (completed_at, last_activity_at)
                  for learner_id, course_id, completed_at, last_activity_at in db.session.execute(select(
                      Enrolment.learner_id, Enrolment.course_id, Enrolment.completed_at, Enrolment.last_activity_at)
                      .where(Enrolment.course_id.in_(course_ids), Enrolment.learner_id.in_(member_ids)))}
    finished_item = or_(and_(CourseItem.kind == "lesson", ItemProgress.state == "done"),
                        and_(CourseItem.kind == "quiz", ItemProgress.state == "passed"))
    aggregated = db.session.execute(
        select(ItemProgress.learner_id, ItemProgress.course_id, func.sum(case((finished_item, 1), else_=0)),
               func.avg(ItemProgress.best_score))
        .join(CourseItem, CourseItem.id == ItemProgress.item_id)
        .where(ItemProgress.course_id.in_(course_ids), ItemProgress.learner_id.in_(member_ids),
               CourseItem.retired.is_(False))
        .group_by(ItemProgress.learner_id, ItemProgress.course_id)).all()
    finished = {(learner_id, course_id): int(done or 0) for learner_id, course_id, done, _ in aggregated}
    scores = {(learner_id, course_id): float(mean) for learner_id, course_id, _, mean in aggregated
              if mean is not None}
    plan = [(a.course_id, a.due_on, totals.get(a.course_id, 0)) for a in assigned]
    rows = []
    for person in people:
        cells = []
        for course_id, due_on, total in plan:
            key = (person.id, course_id)
            enrolment = enrolments.get(key)
            completed = enrolment is not None and enrolment[0] is not None
            done = finished.get(key, 0)
            mean = scores.get(key)
            cells.append(Cell(
                "completed" if completed else ("in-progress" if enrolment or done else "not-started"),
                done, total, round(mean, 1) if mean is not None else None,
                (enrolment[0] or enrolment[1]) if enrolment else None,
                due_on is not None and due_on < today and not completed))
        rows.append(ProgressRow(person, tuple(cells)))
    return assigned, rows


SORTS = ("name", "email", "progress", "overdue")
FILTERS = ("all", "overdue", "not-started")


def sort_and_filter(rows: list[ProgressRow], sort: str, show: str) -> list[ProgressRow]:
    if show == "overdue":
        rows = [row for row in rows if row.overdue]
    elif show == "not-started":
        rows = [row for row in rows if row.not_started]
    keys = {
        "name": lambda row: (row.learner.name.casefold(), row.learner.id),
        "email": lambda row: row.learner.email,
        "progress": lambda row: (-sum(cell.finished / cell.total for cell in row.cells if cell.total),
                                 row.learner.name.casefold()),
        "overdue": lambda row: (not row.overdue, row.learner.name.casefold()),
    }
    return sorted(rows, key=keys.get(sort, keys["name"]))


def learners_of(user: User) -> select:
    """Ids of the learners a trainer may see (members of their cohorts); every learner for admins."""
    if user.has_role("admin"):
        return select(User.id)
    return select(CohortMember.learner_id).join(Cohort, Cohort.id == CohortMember.cohort_id).where(
        Cohort.trainer_id == user.id)


def can_see_learner(user: User, learner_id: int) -> bool:
    """Whether `user` may see this learner: a member of one of their cohorts, or anyone for an admin."""
    if user.has_role("admin"):
        return db.session.get(User, learner_id) is not None
    return db.session.scalar(select(CohortMember.learner_id).join(Cohort, Cohort.id == CohortMember.cohort_id).where(
        Cohort.trainer_id == user.id, CohortMember.learner_id == learner_id).limit(1)) is not None


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
        for cell in row.cells:
            state = states[cell.state] + (f" ({gettext('Overdue')})" if cell.overdue else "")
            on = cell.on.date().isoformat() if cell.on else ""
            record += [state, f"{cell.finished}/{cell.total}", cell.score, on]
        records.append(record)
    return header, records


@dataclass(frozen=True)
class CourseDetail:
    assignment: Assignment
    items: list[tuple[object, ItemProgress | None]]
    attempts: list[Attempt]
    certificate: Certificate | None


@dataclass(frozen=True)
class LearnerDetails:
    learner: User
    courses: list[CourseDetail]


def learner_details(cohort: Cohort, learner_id: int) -> LearnerDetails:
    """One learner's item-by-item progress, attempts and certificates in the cohort's assigned courses."""
    from learnhub.services import catalogue

    learner = db.session.get(User, learner_id)
    assigned = assignments(cohort)
    course_ids = [a.course_id for a in assigned]
    progress = {row.item_id: row for row in db.session.scalars(select(ItemProgress).where(
        ItemProgress.learner_id == learner_id, ItemProgress.course_id.in_(course_ids)))}
    attempts = list(db.session.scalars(select(Attempt).where(
        Attempt.learner_id == learner_id, Attempt.course_id.in_(course_ids)).order_by(Attempt.submitted_at)))
    issued = {c.course_id: c for c in db.session.scalars(select(Certificate).where(
        Certificate.learner_id == learner_id, Certificate.course_id.in_(course_ids)))}
    courses = []
    for assignment in assigned:
        syllabus = catalogue.syllabus(assignment.course)
        courses.append(CourseDetail(
            assignment, [(item, progress.get(item.id)) for item in syllabus.items],
            [a for a in attempts if a.course_id == assignment.course_id], issued.get(assignment.course_id)))
    return LearnerDetails(learner, courses)

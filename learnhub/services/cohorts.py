"""Cohorts: trainers' groups of learners, their members and assignments, and one learner's details (the
progress table of a whole cohort is `cohort_progress`).

A trainer sees only their own cohorts; an admin sees every cohort. Every lookup here takes the acting
user, so a view cannot forget the check. What a cohort's pages show of each learner (accepted members,
assigned courses, from joining on) is the rule of trainer_scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from learnhub.extensions import db
from learnhub.models import (
    Assignment,
    Attempt,
    Certificate,
    Cohort,
    CohortMember,
    Course,
    ItemProgress,
    PasswordResetToken,
    User,
)
from learnhub.models.base import utcnow
from learnhub.services import accounts, certificates, organisations, trainer_scope

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
    empty) that owes an invitation mail (the queue's send_invitations job sends it, after the caller's commit); a
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
    created: list[User] = []
    for email, person in wanted.items():
        user = existing.get(email)
        if user is None:
            user = User(email=email, name=person.name.strip()[:120], password_hash=NO_PASSWORD, role="trainee",
                        language=person.language or cohort.language, country=person.country or cohort.country,
                        sector=person.sector or "public-administration",
                        organisation=(person.organisation or cohort.organisation)[:200],
                        organisation_type=person.organisation_type or "government", ecsf_role=person.ecsf_role)
            db.session.add(user)
            created.append(user)
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
    for user in created:  # their organisation's record (decision 0058)
        organisations.link(user)
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


def due_date_in_past(due_on: date | None, today: date | None = None) -> bool:
    """Whether a due date would make the course overdue the day it is set: allowed (a trainer may record a
    deadline already missed), but only once the trainer has confirmed it, since it is usually a typing slip."""
    return due_on is not None and due_on < (today or date.today())


def assignment_for(cohort: Cohort, assignment_id: int) -> Assignment | None:
    """One of the cohort's assignments; None for another cohort's, so the view answers 404."""
    found = db.session.get(Assignment, assignment_id)
    return found if found is not None and found.cohort_id == cohort.id else None


def change_due_date(assignment: Assignment, due_on: date | None) -> date | None:
    """Set (or clear, with None) the due date; returns the previous one, for the audit log. Flushes."""
    before, assignment.due_on = assignment.due_on, due_on
    db.session.flush()
    return before


@dataclass(frozen=True)
class Removal:
    """Who was removed from a cohort, for the confirmation page and the audit log."""

    learner_id: int
    name: str        # the name the trainer typed, else the account's
    email: str
    had_joined: bool


def removal(cohort: Cohort, learner_id: int) -> Removal | None:
    """What removing `learner_id` from the cohort would remove; None when they are not in it (joined or
    invited)."""
    row = db.session.execute(select(CohortMember, User).join(User, User.id == CohortMember.learner_id).where(
        CohortMember.cohort_id == cohort.id, CohortMember.learner_id == learner_id)).first()
    if row is None:
        return None
    member, user = row
    name = user.name if member.accepted_at is not None else (member.invited_name or "")
    return Removal(learner_id, name, user.email, member.accepted_at is not None)


def remove_person(cohort: Cohort, learner_id: int) -> Removal | None:
    """Take a person out of the cohort: a member stops being one, an invitation is withdrawn (its link, if the
    person has no password yet, stops working). Only the membership goes: the person's account, enrolments,
    attempts and certificates are theirs and stay; the trainer simply stops seeing them (trainer_scope reads
    memberships). Re-adding them later is a new invitation that needs their consent again. Flushes."""
    found = removal(cohort, learner_id)
    if found is None:
        return None
    member = db.session.get(CohortMember, (cohort.id, learner_id))
    if member.invitation_token_id is not None:
        db.session.execute(update(PasswordResetToken).where(PasswordResetToken.id == member.invitation_token_id,
                                                            PasswordResetToken.used_at.is_(None))
                           .values(used_at=utcnow()), execution_options={"synchronize_session": False})
    db.session.delete(member)
    db.session.flush()
    return found


def assignments(cohort: Cohort) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(Assignment.cohort_id == cohort.id)
                                   .options(joinedload(Assignment.course))
                                   .order_by(Assignment.due_on.is_(None), Assignment.due_on, Assignment.id)))


def people_count(cohort: Cohort) -> int:
    """Rows of the cohort's progress table before any filter: everyone added, joined or only invited."""
    return db.session.scalar(select(func.count()).select_from(CohortMember).where(CohortMember.cohort_id == cohort.id))


@dataclass(frozen=True)
class ItemState:
    """A learner's state on one item as the viewer may see it: "done" (lesson), "passed" or "failed" (quiz)."""

    state: str
    best_score: float | None = None
    attempts: int = 0


@dataclass(frozen=True)
class CourseDetail:
    assignment: Assignment
    items: list[tuple[object, ItemState | None]]
    attempts: list[tuple[Attempt, object]]
    """(attempt, its quiz item), oldest first."""
    certificate: Certificate | None

    @property
    def certificate_status(self) -> str | None:
        """"valid", "expired" or "revoked" now (decision 0064); None without a certificate."""
        return certificates.status(self.certificate) if self.certificate is not None else None


@dataclass(frozen=True)
class LearnerDetails:
    learner: User
    courses: list[CourseDetail]


def learner_details(cohort: Cohort, member: trainer_scope.Membership) -> LearnerDetails:
    """One learner's item-by-item progress, attempts and certificates in the cohort's assigned courses, from
    the member's window on (trainer_scope): lessons marked done since, quiz states from the attempts
    submitted since, a certificate issued since. Five queries, whatever the number of courses."""
    from learnhub.services import catalogue

    learner = db.session.get(User, member.learner_id)
    assigned = assignments(cohort)
    course_ids = [a.course_id for a in assigned]
    lessons = {row.item_id: row for row in db.session.scalars(select(ItemProgress).where(
        ItemProgress.learner_id == member.learner_id, ItemProgress.course_id.in_(course_ids),
        ItemProgress.state == "done")) if member.shows(row.updated_at)}
    attempts = [a for a in db.session.scalars(select(Attempt).where(
        Attempt.learner_id == member.learner_id, Attempt.course_id.in_(course_ids))
        .order_by(Attempt.submitted_at, Attempt.id)) if member.shows(a.submitted_at)]
    issued = {c.course_id: c for c in db.session.scalars(select(Certificate).where(
        Certificate.learner_id == member.learner_id, Certificate.course_id.in_(course_ids))
        .order_by(Certificate.generation))  # the newest generation of each course wins
        if member.shows(c.issued_at)}
    courses = []
    for assignment in assigned:
        syllabus = catalogue.syllabus(assignment.course)
        quizzes = {item.id: item for item in syllabus.items if item.kind == "quiz"}
        shown = [(a, quizzes.get(a.item_id)) for a in attempts if a.course_id == assignment.course_id]
        states: dict[int, ItemState] = {}
        for item in syllabus.items:
            if item.kind == "lesson" and item.id in lessons:
                states[item.id] = ItemState("done")
            elif item.kind == "quiz" and (mine := [a for a, quiz in shown if quiz is item]):
                scores = [a.score for a in mine if a.score is not None]
                states[item.id] = ItemState("passed" if any(a.passed for a in mine) else "failed",
                                            max(scores) if scores else None, len(mine))
        courses.append(CourseDetail(assignment, [(item, states.get(item.id)) for item in syllabus.items],
                                    [(a, quiz) for a, quiz in shown if quiz is not None],
                                    issued.get(assignment.course_id)))
    return LearnerDetails(learner, courses)

"""What a trainer may see and act on of a learner: the one rule every trainer page and action uses.

A fact about a learner (item progress, enrolment, quiz attempt, essay answer, certificate) in a course,
dated at time T, is within a trainer's sight when the learner is an *accepted* member of one of the
trainer's cohorts, the course is assigned to that same cohort, and T is at or after the moment the
learner accepted to join it (``CohortMember.accepted_at``). An invitation not accepted yet gives
nothing; nothing from before joining is shown, and nothing of courses the cohort was not assigned.
Admins see everything. Anything outside the rule is simply not found, so views answer 404.
Decision 0021 says why and what each page does with it.

Two forms of the same rule:

- :func:`visible` for pages across cohorts (marking queue, question analysis, regrades, revoking):
  some cohort of the trainer's grants the fact.
- :func:`in_cohort` and :func:`membership` for the pages of one cohort (progress table and its
  exports, a learner's detail): that cohort's membership grants it, and its ``accepted_at`` is the
  start of what is shown (``since``; None for admins, who see all).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, true

from learnhub.extensions import db
from learnhub.models import Assignment, Attempt, Certificate, Cohort, CohortMember, User
from learnhub.services import certificates


def sees_everything(user: User) -> bool:
    return user.has_role("admin")


def _accepted(learner_id, at=None) -> list[ColumnElement[bool]]:
    """The membership row is the learner's, was accepted, and the fact dated `at` is not older than that
    (no date: no limit in time)."""
    conditions = [CohortMember.learner_id == learner_id, CohortMember.accepted_at.is_not(None)]
    if at is not None:
        conditions.append(CohortMember.accepted_at <= at)
    return conditions


def visible(user: User, learner_id, course_id, at) -> ColumnElement[bool]:
    """SQL condition on columns (or values) of a fact: whether `user` may see it (see the module)."""
    if sees_everything(user):
        return true()
    return select(CohortMember.learner_id).join(Cohort, Cohort.id == CohortMember.cohort_id).join(
        Assignment, Assignment.cohort_id == CohortMember.cohort_id).where(
        Cohort.trainer_id == user.id, Assignment.course_id == course_id, *_accepted(learner_id, at)).exists()


def attempts(user: User) -> ColumnElement[bool]:
    """The attempts `user` may see, mark and regrade: dated when they were submitted."""
    return visible(user, Attempt.learner_id, Attempt.course_id, Attempt.submitted_at)


def attempt(user: User, attempt_id: int) -> Attempt | None:
    """The attempt when `user` may see it; None (the view answers 404) otherwise."""
    return db.session.scalar(select(Attempt).where(Attempt.id == attempt_id, attempts(user)))


def certificate(user: User, code: str) -> Certificate | None:
    """The certificate when `user` has authority over it: it was issued in a course assigned to one of
    their cohorts after the learner accepted to join that cohort (any certificate for an admin)."""
    return db.session.scalar(select(Certificate).where(
        Certificate.code == certificates.normalise_code(code),
        visible(user, Certificate.learner_id, Certificate.course_id, Certificate.issued_at)))


@dataclass(frozen=True)
class Membership:
    """A learner as one cohort's pages show them to a viewer: facts at or after `since` (None: all)."""

    learner_id: int
    accepted: bool
    since: datetime | None

    def shows(self, at: datetime | None) -> bool:
        """Whether a fact dated `at` is shown (a missing date is nothing to show)."""
        return at is not None and (self.since is None or at >= self.since)


def membership(viewer: User, cohort: Cohort, learner_id: int) -> Membership | None:
    """The learner's membership of the cohort as `viewer` may see it: an accepted member for a trainer (an
    invited one is not found), any member for an admin."""
    row = db.session.get(CohortMember, (cohort.id, learner_id))
    if row is None or (row.accepted_at is None and not sees_everything(viewer)):
        return None
    return window(viewer, learner_id, row.accepted_at)


def window(viewer: User, learner_id: int, accepted_at: datetime | None) -> Membership:
    """A cohort member's window for `viewer`, from the membership's `accepted_at`."""
    since = None if sees_everything(viewer) else accepted_at
    return Membership(learner_id, accepted_at is not None, since)


def shown_since(viewer: User, at, accepted_at) -> ColumnElement[bool]:
    """SQL form of `Membership.shows` over a joined membership row: the fact dated `at` (a column, maybe NULL)
    shows when it has a date that is, for anyone but an admin, not older than the membership's
    `accepted_at`. The caller keeps to accepted members of the cohort and to its assigned courses."""
    return at.is_not(None) if sees_everything(viewer) else at >= accepted_at


def in_cohort(viewer: User, cohort: Cohort, learner_id, at) -> ColumnElement[bool]:
    """SQL condition: a fact of `learner_id` dated `at` shows on the cohort's pages. The learner accepted to
    join the cohort and, for anyone but an admin, the fact is not older than that. The caller keeps to
    the courses assigned to the cohort."""
    return select(CohortMember.learner_id).where(
        CohortMember.cohort_id == cohort.id,
        *_accepted(learner_id, None if sees_everything(viewer) else at)).exists()

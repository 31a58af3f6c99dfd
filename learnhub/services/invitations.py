"""Cohort invitations: a person joins a cohort only by accepting, and every invitation mail is owed until it
is sent, so an interrupted send loses none and a repeated one sends none twice (decision 0020).

A membership with `accepted_at` empty is an invitation. It is open from the moment its mail is sent for
INVITATION_DAYS; the learner accepts or declines it while logged in, or, if they had no password yet,
accepts it by choosing one through the link in the mail (which also proves the address).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import aliased

from learnhub.extensions import db
from learnhub.models import Cohort, CohortMember, PasswordResetToken, User
from learnhub.models.base import utcnow
from learnhub.services import accounts, mail
from learnhub.services.cohorts import INVITATION_DAYS, NO_PASSWORD

VALIDITY = timedelta(days=INVITATION_DAYS)
_PENDING = CohortMember.accepted_at.is_(None)


@dataclass(frozen=True)
class PendingPerson:
    """One line of the trainer's list of people invited and not yet joined: only what the trainer typed
    (the e-mail and the name), never the account's own name, so the list reveals nobody's account."""

    learner_id: int
    name: str
    email: str
    status: str                 # "not-sent", "sent" or "expired"
    sent_at: datetime | None    # the last invitation that went out
    sends: int


def status(queued_at: datetime | None, sent_at: datetime | None, now: datetime) -> str:
    if queued_at is not None or sent_at is None:
        return "not-sent"
    return "sent" if sent_at + VALIDITY > now else "expired"


def pending_people(cohort: Cohort, limit: int | None = None) -> list[PendingPerson]:
    """Everyone invited to the cohort who has not accepted (the first `limit`), in the order they were added.
    Staff accounts a trainer typed are listed like anyone else: they can never accept, but the trainer
    cannot tell."""
    now = utcnow()
    rows = db.session.execute(
        select(CohortMember.learner_id, CohortMember.invited_name, User.email, CohortMember.invitation_queued_at,
               CohortMember.invitation_sent_at, CohortMember.invitations_sent)
        .join(User, User.id == CohortMember.learner_id)
        .where(CohortMember.cohort_id == cohort.id, _PENDING)
        .order_by(CohortMember.added_at, CohortMember.learner_id).limit(limit))
    return [PendingPerson(learner_id, name or "", email, status(queued_at, sent_at, now), sent_at, sends)
            for learner_id, name, email, queued_at, sent_at, sends in rows]


def has_no_password(user: User) -> bool:
    """Whether the account was made by a cohort invitation and its person has not chosen a password yet."""
    return user.password_hash == NO_PASSWORD


def pending_count(cohort: Cohort) -> int:
    return db.session.scalar(select(func.count()).select_from(CohortMember).where(
        CohortMember.cohort_id == cohort.id, _PENDING))


def owed_count(cohort_id: int | None = None) -> int:
    """Invitations waiting to be sent, in one cohort or everywhere."""
    query = select(func.count()).select_from(CohortMember).where(
        _PENDING, CohortMember.invitation_queued_at.is_not(None))
    if cohort_id is not None:
        query = query.where(CohortMember.cohort_id == cohort_id)
    return db.session.scalar(query)


def queue(cohort: Cohort, learner_id: int | None = None) -> int:
    """Owe a new invitation mail to one pending person of the cohort (or to all of them): a resend. Returns
    how many were queued; 0 when `learner_id` is not pending in this cohort. Flushes."""
    query = update(CohortMember).where(CohortMember.cohort_id == cohort.id, _PENDING,
                                       CohortMember.invitation_queued_at.is_(None))
    if learner_id is not None:
        query = query.where(CohortMember.learner_id == learner_id)
    queued = db.session.execute(query.values(invitation_queued_at=utcnow()),
                                execution_options={"synchronize_session": False}).rowcount
    db.session.expire_all()
    return queued


def is_pending(cohort: Cohort, learner_id: int) -> bool:
    return db.session.scalar(select(CohortMember.learner_id).where(
        CohortMember.cohort_id == cohort.id, CohortMember.learner_id == learner_id, _PENDING)) is not None


# --- The learner's side --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Invitation:
    """An open invitation as its learner sees it."""

    cohort_id: int
    cohort_name: str
    organisation: str
    trainer_name: str
    sent_at: datetime
    expires_at: datetime


def open_for(learner: User) -> list[Invitation]:
    """The learner's invitations they may still accept: sent, not expired. Staff accounts have none."""
    if learner.role != "trainee":
        return []
    trainer = aliased(User)
    rows = db.session.execute(
        select(Cohort.id, Cohort.name, Cohort.organisation, trainer.name, CohortMember.invitation_sent_at)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .join(trainer, trainer.id == Cohort.trainer_id)
        .where(CohortMember.learner_id == learner.id, _PENDING,
               CohortMember.invitation_sent_at > utcnow() - VALIDITY)
        .order_by(CohortMember.invitation_sent_at.desc(), Cohort.id))
    return [Invitation(cohort_id, name, organisation, trainer_name, sent_at, sent_at + VALIDITY)
            for cohort_id, name, organisation, trainer_name, sent_at in rows]


def _open_membership(learner: User, cohort_id: int) -> CohortMember | None:
    if not any(invitation.cohort_id == cohort_id for invitation in open_for(learner)):
        return None
    return db.session.get(CohortMember, (cohort_id, learner.id))


def accept(learner: User, cohort_id: int) -> bool:
    """The learner joins the cohort: from now on its trainer sees their work in its courses. False when there
    is no open invitation (never sent, expired, already answered, or a staff account). Flushes."""
    member = _open_membership(learner, cohort_id)
    if member is None:
        return False
    # Conditional, so two tabs accepting at once record one acceptance with one date.
    return db.session.execute(
        update(CohortMember).where(CohortMember.cohort_id == cohort_id, CohortMember.learner_id == learner.id,
                                   _PENDING).values(accepted_at=utcnow(), invitation_queued_at=None),
        execution_options={"synchronize_session": False}).rowcount == 1


def decline(learner: User, cohort_id: int) -> bool:
    """The learner refuses: the invitation is deleted, and its link (if any) stops working. Flushes."""
    member = _open_membership(learner, cohort_id)
    if member is None:
        return False
    _retire_token(member.invitation_token_id)
    db.session.execute(delete(CohortMember).where(CohortMember.cohort_id == cohort_id,
                                                  CohortMember.learner_id == learner.id, _PENDING),
                       execution_options={"synchronize_session": False})
    db.session.expire_all()
    return True


def linked_to_link(token: str) -> list[Cohort]:
    """The cohorts whose invitation mail carried this still-valid link, for the page where the invited person
    chooses their password: choosing it accepts them."""
    row = db.session.scalar(select(PasswordResetToken).where(
        PasswordResetToken.token_hash == accounts.token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return []
    return list(db.session.scalars(select(Cohort).join(CohortMember, CohortMember.cohort_id == Cohort.id).where(
        CohortMember.invitation_token_id == row.id, CohortMember.learner_id == row.user_id, _PENDING)))


def accept_by_link(user: User, cohorts: list[Cohort]) -> None:
    """The invited person chose a password through their invitation link: that is their consent to join these
    cohorts (the page said so), and proof that they read mail at the address. Flushes."""
    if not cohorts or user.role != "trainee":
        return
    db.session.execute(update(CohortMember).where(
        CohortMember.learner_id == user.id, CohortMember.cohort_id.in_([c.id for c in cohorts]), _PENDING)
        .values(accepted_at=utcnow(), invitation_queued_at=None), execution_options={"synchronize_session": False})
    accounts.mark_email_verified(user)


# --- Sending ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sending:
    """What a round of sending did: how many invitation mails were queued, and how many are still owed."""

    sent: int
    remaining: int


def send_owed(cohort: Cohort | None = None, *, max_count: int | None = None, max_seconds: float | None = None,
              clock: Callable[[], float] = time.monotonic) -> Sending:
    """Queue the mail of every owed invitation (of one cohort, or all) until none is owed, `max_count` went,
    or `max_seconds` passed. Run by the queue's `send_invitations` job.

    Unlike other services this COMMITS, once per invitation: the membership is claimed (a conditional
    update: no other consumer can claim the same one) and its mail queued (services/mail) in one
    transaction. So a consumer killed mid-way loses no invitation, and running this again queues exactly
    the ones still owed, never one twice. Needs a request context for links and languages."""
    start = clock()
    sent = 0
    cohort_id = cohort.id if cohort is not None else None
    while True:
        query = select(CohortMember.cohort_id, CohortMember.learner_id).where(
            _PENDING, CohortMember.invitation_queued_at.is_not(None))
        if cohort_id is not None:
            query = query.where(CohortMember.cohort_id == cohort_id)
        batch = db.session.execute(query.order_by(CohortMember.invitation_queued_at, CohortMember.cohort_id,
                                                  CohortMember.learner_id).limit(100)).all()
        db.session.rollback()  # no transaction stays open between mails
        if not batch:
            break
        for key in batch:
            if (max_count is not None and sent >= max_count) or (
                    max_seconds is not None and clock() - start >= max_seconds):
                return Sending(sent, _owed(cohort_id))
            if _send_one(*key):
                sent += 1
    return Sending(sent, _owed(cohort_id))


def _owed(cohort_id: int | None) -> int:
    count = owed_count(cohort_id)
    db.session.rollback()
    return count


def _send_one(cohort_id: int, learner_id: int) -> bool:
    """Claim the invitation and queue its mail, then commit; False when another consumer claimed it first or
    it was answered meanwhile."""
    member = db.session.get(CohortMember, (cohort_id, learner_id))
    if member is None or member.accepted_at is not None or member.invitation_queued_at is None:
        db.session.rollback()
        return False
    queued_at, previous_token = member.invitation_queued_at, member.invitation_token_id
    now = utcnow()
    key = (CohortMember.cohort_id == cohort_id, CohortMember.learner_id == learner_id)
    claimed = db.session.execute(
        update(CohortMember).where(*key, _PENDING, CohortMember.invitation_queued_at == queued_at)
        .values(invitation_queued_at=None, invitation_sent_at=now, invitations_sent=CohortMember.invitations_sent + 1),
        execution_options={"synchronize_session": False}).rowcount
    if claimed != 1:
        db.session.rollback()
        return False
    user = db.session.get(User, learner_id)
    cohort = db.session.get(Cohort, cohort_id)
    link_token = new_token = None
    if user.role == "trainee" and has_no_password(user):
        # A person without a password gets a fresh single-use link; the one sent before dies with it.
        link_token = secrets.token_urlsafe(32)
        new_token = PasswordResetToken(user_id=user.id, token_hash=accounts.token_hash(link_token),
                                       expires_at=now + VALIDITY)
        db.session.add(new_token)
        db.session.flush()
        db.session.execute(update(CohortMember).where(*key).values(invitation_token_id=new_token.id),
                           execution_options={"synchronize_session": False})
    message = compose(cohort, user, member.invited_name, link_token)
    if message is not None:
        mail.send(user.email, *message)
    if new_token is not None:
        _retire_token(previous_token)  # the mail is owed durably now: the link sent before dies with it
    db.session.commit()
    db.session.expire_all()
    return True


def _retire_token(token_id: int | None) -> None:
    if token_id is not None:
        db.session.execute(update(PasswordResetToken).where(PasswordResetToken.id == token_id,
                                                            PasswordResetToken.used_at.is_(None))
                           .values(used_at=utcnow()), execution_options={"synchronize_session": False})


def compose(cohort: Cohort, user: User, typed_name: str | None, link_token: str | None) -> tuple[str, str] | None:
    """Subject and body of the invitation, in the person's language; None for an account that is switched
    off (nothing is sent, but the trainer sees it sent like any other). Every value a trainer typed goes
    through `mail.quoted` after a fixed label; subjects are fixed words."""
    if not user.active:
        return None
    values = {"cohort": mail.quoted(cohort.name), "organisation": mail.quoted(cohort.organisation),
              "trainer": mail.quoted(cohort.trainer.name), "days": INVITATION_DAYS, "email": user.email}
    with force_locale(user.language):
        if user.role != "trainee":
            return (_("Someone tried to add you to a LearnHub cohort"),
                    render_template("trainer/email/staff.txt", **values))
        if link_token is not None:
            return (_("You are invited to LearnHub"),
                    render_template("trainer/email/invite.txt", link=mail.link("auth.reset_password", token=link_token),
                                    name=mail.quoted(typed_name), **values))
        return (_("You are invited to join a LearnHub cohort"),
                render_template("trainer/email/invited.txt", link=mail.link("learn.invitations_page"), **values))

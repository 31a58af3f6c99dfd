"""Recertification campaigns (issue 19, decision 0071): who is in one, who has completed it, and what a trainer,
an admin and a learner see of it.

**Population.** Resolved here and only here (`population`), when asked: for a "cohorts" campaign the accepted
members of its cohorts (for a trainer, only of cohorts they run), for a "filter" campaign (admins) every active
account whose country, sector and organisation record match the filter's non-empty parts. Erased and disabled
accounts are never in it. It is a SQL subquery of user ids, so every figure is one query whatever its size.

**Completion.** A person has completed a campaign when they hold a certificate of its course that was issued at
or after the campaign started (a first certificate or a renewal), is not revoked, and has not expired by the end
of the due date (`qualifying`). The learner's dashboard, the trainer's figures and the list of people all use
that one condition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from learnhub.extensions import db
from learnhub.models import Assignment, Certificate, Cohort, CohortMember, Course, Enrolment, Organisation, User
from learnhub.models.base import utcnow
from learnhub.models.campaigns import Campaign, CampaignCohort
from learnhub.services import audit, campaign_window, cohorts, trainer_scope

PEOPLE_PER_PAGE = 50


class CampaignError(Exception):
    """A campaign that cannot be started or ended; `code` says why (the view words it), `field` which input."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


def valid_through(due_on: date) -> datetime:
    """The first moment after the due date (UTC): a certificate must not expire before it (`Campaign.due_at`)."""
    return datetime.combine(due_on + timedelta(days=1), time.min)


def qualifying(campaign: Campaign, learner_id) -> ColumnElement[bool]:
    """SQL condition on `certificates` rows: a certificate of `learner_id` (a column or a value) that completes
    the campaign (one campaign, or the Campaign class in a query over campaigns). The one definition of
    completion (see the module)."""
    return and_(Certificate.learner_id == learner_id, Certificate.course_id == campaign.course_id,
                Certificate.issued_at >= campaign.started_at, Certificate.revoked_at.is_(None),
                or_(Certificate.expires_at.is_(None), Certificate.expires_at >= campaign.due_at))


def has_completed(campaign: Campaign, learner_id: int) -> bool:
    """Whether the person holds a certificate that completes the campaign (`qualifying`). One query."""
    return bool(db.session.scalar(select(exists().where(qualifying(campaign, learner_id)))))


def population(campaign: Campaign, viewer: User | None = None) -> Select:
    """The ids of the accounts in the campaign (for a trainer `viewer`, only those in cohorts they run), as a
    subquery. Active, not erased accounts only."""
    people = select(User.id).where(User.active.is_(True), User.erased_at.is_(None))
    if campaign.population == "cohorts":
        members = select(CohortMember.learner_id).join(
            CampaignCohort, CampaignCohort.cohort_id == CohortMember.cohort_id).where(
            CampaignCohort.campaign_id == campaign.id, CohortMember.accepted_at.is_not(None))
        if viewer is not None and not trainer_scope.sees_everything(viewer):
            members = members.join(Cohort, Cohort.id == CohortMember.cohort_id).where(Cohort.trainer_id == viewer.id)
        return people.where(User.id.in_(members))
    for column, value in ((User.country, campaign.country), (User.sector, campaign.sector),
                          (User.organisation_id, campaign.organisation_id)):
        if value is not None:
            people = people.where(column == value)
    return people


# --- Starting and ending -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """An admin's population filter; empty strings match everyone. `organisation` is a name, found in `country`."""

    country: str = ""
    sector: str = ""
    organisation: str = ""

    @property
    def empty(self) -> bool:
        return not (self.country or self.sector or self.organisation)


def campaign_courses() -> list[Course]:
    """The courses a campaign may be about: live courses that give a certificate."""
    return list(db.session.scalars(select(Course).where(Course.retired.is_(False), Course.certificate.is_(True))
                                   .order_by(Course.id)))


def _organisation(country: str, name: str) -> Organisation:
    from learnhub.text import name_key

    if not country:
        raise CampaignError("organisation-needs-country", "country")
    record = db.session.scalar(select(Organisation).where(Organisation.country == country,
                                                          Organisation.name_key == name_key(name)[:200]))
    if record is None:
        raise CampaignError("unknown-organisation", "organisation")
    return record


def start(starter: User, course: Course, due_on: date, *, title: str = "", cohort_ids: Iterable[int] = (),
          where: Filter | None = None, ip: str | None = None, today: date | None = None) -> Campaign:
    """Start a campaign, audited. A trainer names some of their cohorts; an admin names cohorts or a filter
    (not both). The course is assigned to each cohort that does not have it yet, with the campaign's due date,
    so the trainer's pages show its learners' work there (decision 0021). Flushes; raises CampaignError."""
    admin = trainer_scope.sees_everything(starter)
    where = where if where is not None and admin else Filter()
    chosen = sorted(set(cohort_ids))
    if due_on < (today or utcnow().date()):
        raise CampaignError("due-in-past", "due_on")
    if not course.certificate or course.retired:
        raise CampaignError("no-certificate", "course")
    if chosen and not where.empty:
        raise CampaignError("cohorts-and-filter", "cohorts")
    if not chosen and where.empty:
        raise CampaignError("no-population", "cohorts")
    organisation = _organisation(where.country, where.organisation) if where.organisation else None
    found = [cohorts.cohort_for(starter, cohort_id) for cohort_id in chosen]
    if any(cohort is None for cohort in found):
        raise CampaignError("unknown-cohort", "cohorts")
    campaign = Campaign(course_id=course.id, title=title.strip() or None, due_on=due_on,
                        due_at=valid_through(due_on), started_by_id=starter.id,
                        started_at=utcnow(), state="open", population="cohorts" if chosen else "filter",
                        country=where.country or None, sector=where.sector or None,
                        organisation_id=organisation.id if organisation else None)
    db.session.add(campaign)
    db.session.flush()
    assigned = set(db.session.scalars(select(Assignment.cohort_id).where(
        Assignment.course_id == course.id, Assignment.cohort_id.in_(chosen)))) if chosen else set()
    for cohort in found:
        db.session.add(CampaignCohort(campaign_id=campaign.id, cohort_id=cohort.id))
        if cohort.id not in assigned:
            cohorts.assign(cohort, course, due_on)
    db.session.flush()
    audit.record("campaign.started", actor_id=starter.id, ip=ip, campaign_id=campaign.id, course_id=course.id,
                 due_on=due_on.isoformat(), cohort_ids=chosen, country=campaign.country, sector=campaign.sector,
                 organisation_id=campaign.organisation_id)
    return campaign


def end(actor: User, campaign: Campaign, state: str, ip: str | None = None) -> bool:
    """Close ("closed") or cancel ("cancelled") an open campaign, audited; learners stop seeing it. False when it
    was no longer open."""
    if state not in ("closed", "cancelled"):
        raise ValueError(state)
    if not campaign.is_open:
        return False
    campaign.state, campaign.ended_at = state, utcnow()
    db.session.flush()
    audit.record(f"campaign.{state}", actor_id=actor.id, ip=ip, campaign_id=campaign.id)
    return True


# --- What a trainer or admin sees ----------------------------------------------------------------------------


def _visible(viewer: User) -> ColumnElement[bool]:
    """Campaigns `viewer` may see: every one for an admin; for a trainer those they started and those started
    (by an admin) for one of their cohorts, where they see only their cohorts' people (`population`)."""
    if trainer_scope.sees_everything(viewer):
        return Campaign.id.is_not(None)
    theirs = select(CampaignCohort.campaign_id).join(Cohort, Cohort.id == CampaignCohort.cohort_id).where(
        CampaignCohort.campaign_id == Campaign.id, Cohort.trainer_id == viewer.id).exists()
    return or_(Campaign.started_by_id == viewer.id, theirs)


def may_end(viewer: User, campaign: Campaign) -> bool:
    """Whether `viewer` may close or cancel the campaign: the person who started it, or an admin."""
    return campaign.started_by_id == viewer.id or trainer_scope.sees_everything(viewer)


def campaign_for(viewer: User, campaign_id: int) -> Campaign | None:
    """The campaign when `viewer` may see it; None (the view answers 404) otherwise."""
    return db.session.scalar(select(Campaign).where(Campaign.id == campaign_id, _visible(viewer)))


def listed(viewer: User) -> list[Campaign]:
    """The campaigns `viewer` may see, open ones first, each by due date. One query (with their courses)."""
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(select(Campaign).where(_visible(viewer)).options(joinedload(Campaign.course))
                                   .order_by((Campaign.state != "open"), Campaign.due_on, Campaign.id)))


def cohort_names(campaign: Campaign, viewer: User) -> list[str]:
    query = select(Cohort.name).join(CampaignCohort, CampaignCohort.cohort_id == Cohort.id).where(
        CampaignCohort.campaign_id == campaign.id).order_by(Cohort.name)
    if not trainer_scope.sees_everything(viewer):
        query = query.where(Cohort.trainer_id == viewer.id)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Week:
    number: int  # 1 for the week the campaign started
    starts: date
    completed: int  # people whose first qualifying certificate was issued that week
    total: int  # completed by the end of that week

    def percent(self, size: int) -> float:
        return 100 * self.total / size if size else 0


@dataclass(frozen=True)
class Summary:
    size: int
    completed: int
    weeks: list[Week]
    overdue: bool  # the due date has passed

    @property
    def percent(self) -> float:
        return 100 * self.completed / self.size if self.size else 0

    @property
    def not_completed(self) -> int:
        return self.size - self.completed


def _first_completions(campaign: Campaign, people: Select):
    """Subquery: (learner_id, done_at) for each person of `people` who completed, done_at being when their first
    qualifying certificate was issued."""
    return (select(Certificate.learner_id.label("learner_id"), func.min(Certificate.issued_at).label("done_at"))
            .where(qualifying(campaign, Certificate.learner_id), Certificate.learner_id.in_(people))
            .group_by(Certificate.learner_id).subquery())


def summary(campaign: Campaign, viewer: User, now: datetime | None = None) -> Summary:
    """Population size, completions, and completions by week since the start (up to this week, or the week the
    campaign ended). Two queries whatever the population's size."""
    now = now or utcnow()
    people = population(campaign, viewer)
    size = db.session.scalar(select(func.count()).select_from(people.subquery())) or 0
    firsts = _first_completions(campaign, people)
    done = sorted(db.session.scalars(select(firsts.c.done_at)))
    start_day = campaign.started_at.date()
    last_day = min(now, campaign.ended_at or now).date()
    counts = [0] * ((max(last_day, start_day) - start_day).days // 7 + 1)
    for moment in done:
        index = min((moment.date() - start_day).days // 7, len(counts) - 1)
        counts[max(index, 0)] += 1
    weeks, running = [], 0
    for index, count in enumerate(counts):
        running += count
        weeks.append(Week(index + 1, start_day + timedelta(days=7 * index), count, running))
    return Summary(size, len(done), weeks, now.date() > campaign.due_on)


@dataclass(frozen=True)
class PersonRow:
    learner_id: int
    name: str
    email: str
    done_at: datetime | None


def people(campaign: Campaign, viewer: User, page: int = 1,
           per_page: int = PEOPLE_PER_PAGE) -> tuple[list[PersonRow], int]:
    """One page of the people in the campaign (by name) with when they completed it, and the number of pages.
    Two queries whatever the population's size."""
    members = population(campaign, viewer)
    total = db.session.scalar(select(func.count()).select_from(members.subquery())) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    firsts = _first_completions(campaign, members)
    rows = db.session.execute(
        select(User.id, User.name, User.email, firsts.c.done_at).where(User.id.in_(members))
        .outerjoin(firsts, firsts.c.learner_id == User.id).order_by(User.name_key, User.id)
        .limit(per_page).offset((min(page, pages) - 1) * per_page)).all()
    return [PersonRow(*row) for row in rows], pages


# --- What a learner sees ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Open:
    """An open campaign a learner has to complete: its course, and whether they are enrolled in it."""

    campaign: Campaign
    course: Course
    enrolled: bool

    @property
    def overdue(self) -> bool:
        return self.campaign.due_on < utcnow().date()


def open_for(learner: User) -> list[Open]:
    """The open campaigns that concern the learner and that they have not completed, earliest due first. One
    query."""
    if not learner.active or learner.erased_at is not None:
        return []
    enrolment = exists().where(Enrolment.learner_id == learner.id, Enrolment.course_id == Campaign.course_id)
    completed = exists().where(qualifying(Campaign, learner.id))
    rows = db.session.execute(
        select(Campaign, Course, enrolment).join(Course, Course.id == Campaign.course_id).where(
            Campaign.state == "open", ~completed,
            campaign_window.concerns(learner))
        .order_by(Campaign.due_on, Campaign.id)).all()
    seen: set[str] = set()
    shown = []
    for campaign, course, enrolled in rows:
        if course.id not in seen:  # two campaigns on one course: the earliest due one
            seen.add(course.id)
            shown.append(Open(campaign, course, bool(enrolled)))
    return shown

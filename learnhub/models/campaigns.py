"""Recertification campaigns (issue 19, decision 0071): a course that a population must (re)certify in by a due
date. Who is in the population is resolved by `services/campaigns.py`, never stored person by person."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.extensions import db
from learnhub.models.base import utcnow
from learnhub.models.courses import Course

CAMPAIGN_STATES = ("open", "closed", "cancelled")
POPULATION_KINDS = ("cohorts", "filter")


class Campaign(db.Model):
    """A recertification campaign. `population` says how its people are found: "cohorts" (the accepted members
    of the cohorts in `campaign_cohorts`) or "filter" (admins only: every active account whose country, sector
    and organisation record match the filter's non-empty parts). `state`: "open" (learners see it), "closed"
    (done; its figures stay) or "cancelled" (started by mistake); `ended_at` is when it stopped being open."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    """None: the course's title is shown."""
    due_on: Mapped[date]
    due_at: Mapped[datetime]
    """The first moment after `due_on` (UTC), kept with it: a certificate that completes the campaign must not
    expire before then (services/campaigns.qualifying compares with it in SQL)."""
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="open")
    ended_at: Mapped[datetime | None]
    population: Mapped[str] = mapped_column(String(16), default="cohorts")
    country: Mapped[str | None] = mapped_column(String(2))
    sector: Mapped[str | None] = mapped_column(String(64))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship()

    __table_args__ = (Index("ix_campaigns_state_due_on", "state", "due_on"),)

    @property
    def is_open(self) -> bool:
        return self.state == "open"


class CampaignCohort(db.Model):
    """One cohort of a campaign whose population is "cohorts"."""

    __tablename__ = "campaign_cohorts"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)

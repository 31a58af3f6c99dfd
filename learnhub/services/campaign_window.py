"""When an open recertification campaign lets a learner renew a certificate early (decision 0071).

A certificate is renewed in its renewal window, 30 days before expiry (decision 0064). A campaign asks for a
certificate issued since it started, so it opens the window of the certificates it concerns from its start: a
learner whose newest certificate of the campaign's course was issued before an open campaign that concerns them
started may renew it from then on, also when it would never expire. Only models here: `certificates` and
`learning` use it, and `campaigns` builds on it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, or_, select

from learnhub.models import CohortMember, User
from learnhub.models.campaigns import Campaign, CampaignCohort


def concerns(learner: User) -> ColumnElement[bool]:
    """SQL condition over `campaigns`: the campaign's population includes the learner (an accepted member of one
    of its cohorts, or matching its filter). Open or not: the caller says. The learner may be columns of a `users`
    row any number of levels out (item_state): the cohort subquery correlates to every enclosing statement."""
    in_cohorts = and_(Campaign.population == "cohorts", select(CohortMember.learner_id).join(
        CampaignCohort, CampaignCohort.cohort_id == CohortMember.cohort_id).where(
        CampaignCohort.campaign_id == Campaign.id, CohortMember.learner_id == learner.id,
        CohortMember.accepted_at.is_not(None)).correlate_except(CohortMember, CampaignCohort).exists())
    matches = and_(Campaign.population == "filter",
                   or_(Campaign.country.is_(None), Campaign.country == learner.country),
                   or_(Campaign.sector.is_(None), Campaign.sector == learner.sector),
                   or_(Campaign.organisation_id.is_(None), Campaign.organisation_id == learner.organisation_id))
    return or_(in_cohorts, matches)


def opens(learner: User, course_id: str, issued_at) -> ScalarSelect:
    """Scalar subquery: the start of the earliest open campaign on the course that concerns the learner and
    started after `issued_at` (their newest certificate's issue, a value or a column); NULL when none."""
    return (select(func.min(Campaign.started_at)).where(
        Campaign.state == "open", Campaign.course_id == course_id, Campaign.started_at > issued_at, concerns(learner))
        .scalar_subquery())

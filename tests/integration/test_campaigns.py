"""Recertification campaigns (issue 19, decision 0071): the completion rule, the trainer's and admin's pages, who
sees what, the learner's dashboard, and query counts that do not grow with the population."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, insert, select

from learnhub.models import AuditEvent, Certificate, Cohort, CohortMember, Course, User
from learnhub.models.base import utcnow
from learnhub.models.campaigns import Campaign, CampaignCohort
from learnhub.services import campaigns, cohorts, personal_data
from tests.conftest import csrf_token, log_in, post_form
from tests.integration.progress_helpers import add_learners
from tests.integration.test_learning import COURSE, complete_course, count_queries

STARTED = datetime(2027, 3, 1, 9, 0)
DUE = date(2027, 4, 30)


# --- The completion rule ---------------------------------------------------------------------------------------


@pytest.fixture
def rule(db, make_user):
    """A learner and a cohort campaign on COURSE started on STARTED, due DUE; `certify` gives the learner a
    certificate."""
    trainer = make_user(role="trainer", email="rule-trainer@example.org")
    learner = make_user(email="rule-learner@example.org")
    campaign = Campaign(course_id=COURSE, due_on=DUE, due_at=campaigns.valid_through(DUE), started_at=STARTED,
                        started_by_id=trainer.id, state="open", population="cohorts")
    db.session.add(campaign)
    db.session.flush()
    generation = iter(range(1, 100))

    def certify(issued_at, *, expires_at=None, revoked_at=None, course_id=COURSE):
        db.session.add(Certificate(code=f"RULE{next(generation):08d}", learner_id=learner.id, course_id=course_id,
                                   learner_name=learner.name, course_title={"en": "x"}, minutes=10,
                                   issued_at=issued_at, expires_at=expires_at, revoked_at=revoked_at,
                                   generation=next(generation)))
        db.session.flush()

    return campaign, learner, certify


def test_a_certificate_from_before_the_start_does_not_complete_it(rule):
    campaign, learner, certify = rule
    certify(STARTED - timedelta(days=200), expires_at=STARTED + timedelta(days=165))
    assert not campaigns.has_completed(campaign, learner.id)


def test_a_certificate_issued_at_or_after_the_start_completes_it(rule):
    campaign, learner, certify = rule
    certify(STARTED)
    assert campaigns.has_completed(campaign, learner.id)


def test_a_revoked_certificate_does_not_complete_it(rule):
    campaign, learner, certify = rule
    certify(STARTED + timedelta(days=3), revoked_at=STARTED + timedelta(days=4))
    assert not campaigns.has_completed(campaign, learner.id)


def test_a_certificate_that_expires_by_the_due_date_does_not_complete_it(rule):
    campaign, learner, certify = rule
    certify(STARTED + timedelta(days=1), expires_at=datetime(2027, 4, 30, 23, 59))  # gone on the due day itself
    assert not campaigns.has_completed(campaign, learner.id)
    certify(STARTED + timedelta(days=2), expires_at=datetime(2027, 5, 1, 0, 0))  # valid all of the due day
    assert campaigns.has_completed(campaign, learner.id)


def test_a_renewal_issued_since_the_start_completes_it_and_another_course_does_not(rule):
    campaign, learner, certify = rule
    certify(STARTED - timedelta(days=360), expires_at=STARTED + timedelta(days=5))  # generation 1
    certify(STARTED + timedelta(days=10), course_id="incident-response-fundamentals")
    assert not campaigns.has_completed(campaign, learner.id)
    certify(STARTED + timedelta(days=4), expires_at=STARTED + timedelta(days=370))  # the renewal
    assert campaigns.has_completed(campaign, learner.id)


# --- Trainers and admins ---------------------------------------------------------------------------------------


def _cohort(db, trainer: User, name: str = "Enfermería 2027") -> Cohort:
    cohort = cohorts.create(trainer, name, "MSP", "DO", "en")
    db.session.commit()
    return cohort


def _join(db, cohort: Cohort, learner: User) -> None:
    db.session.add(CohortMember(cohort_id=cohort.id, learner_id=learner.id, accepted_at=utcnow()))
    db.session.commit()


def _start(client, **data):
    return post_form(client, "/trainer/campaigns/new", data)


def test_a_trainer_starts_a_campaign_for_a_cohort_and_follows_it(app, db, client, trainer, make_user):
    cohort = _cohort(db, trainer)
    _join(db, cohort, make_user(email="ana@example.org", name="Ana Abreu"))
    _join(db, cohort, make_user(email="bea@example.org", name="Bea Bosch"))
    make_user(email="outside@example.org", name="Otto Outside")  # same country, not in the cohort
    form = client.get("/trainer/campaigns/new").get_data(as_text=True)
    assert '<label for="course">Course</label>' in form and f'<label for="cohort-{cohort.id}">' in form
    assert 'name="country"' not in form  # a trainer picks cohorts only
    response = _start(client, course=COURSE, title="Recertificación 2027", due_on="2099-06-30",
                      cohorts=str(cohort.id))
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.course_id, campaign.due_on, campaign.state, campaign.population) == (
        COURSE, date(2099, 6, 30), "open", "cohorts")
    assert cohorts.assignments(cohort)[0].course_id == COURSE  # assigned, with the campaign's due date
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "campaign.started"))
    assert event.actor_id == trainer.id and event.detail["cohort_ids"] == [cohort.id]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Recertificación 2027</h1>" in page and "Enfermería 2027" in page
    assert re.search(r"<dt>People</dt><dd>2</dd>", page) and re.search(r"<dt>Completed</dt><dd>0 ", page)
    assert '<th scope="row">Ana Abreu</th>' in page and '<th scope="row">Bea Bosch</th>' in page
    assert "Otto Outside" not in page and 'role="region"' in page
    assert "Week 1, from" in page

    listing = client.get("/trainer/campaigns/").get_data(as_text=True)
    assert "Recertificación 2027" in listing and "Open" in listing
    closed = post_form(client, f"/trainer/campaigns/{campaign.id}/cancel", {},
                       page=f"/trainer/campaigns/{campaign.id}")
    assert closed.status_code == 303
    assert db.session.execute(select(Campaign.state, Campaign.ended_at.is_not(None))).one() == ("cancelled", True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "campaign.cancelled")) is not None


def test_errors_name_the_field_and_keep_what_was_typed(app, db, client, trainer):
    cohort = _cohort(db, trainer)
    missing = _start(client, course=COURSE, title="Mi campaña", due_on="")
    page = missing.get_data(as_text=True)
    assert missing.status_code == 400
    assert "Due date: Enter the due date." in page and "Cohorts: Choose at least one cohort." in page
    assert 'value="Mi campaña"' in page and f'<option selected value="{COURSE}">' in page
    past = _start(client, course=COURSE, due_on="2020-01-01", cohorts=str(cohort.id))
    page = past.get_data(as_text=True)
    assert past.status_code == 400 and "Due date: Choose a due date from today on." in page
    assert 'value="2020-01-01"' in page and f'id="cohort-{cohort.id}" checked' in page
    assert db.session.scalar(select(Campaign)) is None


def test_a_trainer_neither_sees_nor_uses_another_trainers_cohort_or_campaign(app, db, client, trainer, make_user):
    other = make_user(role="trainer", email="other@example.org")
    theirs = _cohort(db, other, "Their cohort")
    campaign = campaigns.start(other, db.session.get(Course, COURSE), date(2099, 1, 1), cohort_ids=[theirs.id])
    db.session.commit()
    assert client.get(f"/trainer/campaigns/{campaign.id}").status_code == 404
    assert post_form(client, f"/trainer/campaigns/{campaign.id}/close", {},
                     page="/trainer/campaigns/").status_code == 404
    assert "Their cohort" not in client.get("/trainer/campaigns/new").get_data(as_text=True)
    assert _start(client, course=COURSE, due_on="2099-01-01", cohorts=str(theirs.id)).status_code == 400
    assert "Their cohort" not in client.get("/trainer/campaigns/").get_data(as_text=True)
    assert db.session.scalar(select(Campaign).where(Campaign.started_by_id == trainer.id)) is None
    assert db.session.scalar(select(Campaign.state).where(Campaign.id == campaign.id)) == "open"


def test_an_admin_starts_a_campaign_for_a_country(app, db, client, make_user):
    admin = make_user(role="admin", email="admin@example.org", language="en")
    make_user(email="do1@example.org", name="Dora Uno", country="DO")
    make_user(email="do2@example.org", name="Dario Dos", country="DO", sector="health")
    make_user(email="mx@example.org", name="Mara Mex", country="MX")
    log_in(client, "admin@example.org")
    form = client.get("/trainer/campaigns/new").get_data(as_text=True)
    assert '<label for="country">Country</label>' in form and '<label for="sector">Sector</label>' in form
    unknown = _start(client, course=COURSE, due_on="2099-01-01", country="DO", organisation="Nowhere Inc")
    assert unknown.status_code == 400
    refused = unknown.get_data(as_text=True)
    assert "Organisation: No organisation of this name is known in this country." in refused
    assert 'value="Nowhere Inc"' in refused and '<option selected value="DO">' in refused
    response = _start(client, course=COURSE, due_on="2099-01-01", country="DO")
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.population, campaign.country, campaign.started_by_id) == ("filter", "DO", admin.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dora Uno" in page and "Dario Dos" in page and "Mara Mex" not in page
    # The admin is in the Dominican Republic too (PROFILE): every active account matching the filter.
    assert re.search(r"<dt>People</dt><dd>3</dd>", page)
    by_sector = campaigns.start(admin, db.session.get(Course, COURSE), date(2099, 1, 1),
                                where=campaigns.Filter(country="DO", sector="health"))
    assert campaigns.summary(by_sector, admin).size == 1


def test_the_learner_sees_the_campaign_first_until_they_complete_it(app, db, client, make_user):
    trainer = make_user(role="trainer", email="t@example.org")
    cohort = _cohort(db, trainer)
    learner = make_user(email="learner@example.org", name="Camila Rojas", language="en")
    _join(db, cohort, learner)
    campaigns.start(trainer, db.session.get(Course, COURSE), date(2099, 5, 31), cohort_ids=[cohort.id],
                    title="Annual passwords campaign")
    db.session.commit()
    log_in(client, "learner@example.org")
    for path in ("/", "/learning"):
        page = client.get(path).get_data(as_text=True)
        assert "Recertification requested" in page and "Annual passwords campaign" in page
        assert "by May 31, 2099" in page
        later = "Assigned to you" if path == "/" else "My courses"
        assert page.index("Recertification requested") < page.index(later)
        assert f'action="/courses/{COURSE}/enrol"' in page  # not enrolled yet: the button enrols
    complete_course(app, client, learner, COURSE)
    assert campaigns.has_completed(db.session.scalar(select(Campaign)), learner.id)
    for path in ("/", "/learning"):
        assert "Recertification requested" not in client.get(path).get_data(as_text=True)


def test_a_closed_campaign_and_one_for_another_cohort_are_not_shown(app, db, client, make_user):
    trainer = make_user(role="trainer", email="t@example.org")
    mine, other = _cohort(db, trainer, "Mine"), _cohort(db, trainer, "Other")
    learner = make_user(email="learner@example.org")
    _join(db, mine, learner)
    course = db.session.get(Course, COURSE)
    closed = campaigns.start(trainer, course, date(2099, 1, 1), cohort_ids=[mine.id])
    campaigns.end(trainer, closed, "closed")
    campaigns.start(trainer, course, date(2099, 1, 1), cohort_ids=[other.id])
    assert campaigns.open_for(learner) == []
    db.session.add(CohortMember(cohort_id=other.id, learner_id=learner.id))  # invited, not accepted
    db.session.flush()
    assert campaigns.open_for(learner) == []


def test_queries_on_the_campaign_page_do_not_grow_with_its_population(app, db, client, trainer):
    counts = []
    for size, prefix in ((5, "Small"), (120, "Large")):
        cohort = _cohort(db, trainer, prefix)
        add_learners(db.session, cohort.id, size, prefix=prefix)
        campaign = campaigns.start(trainer, db.session.get(Course, COURSE), date(2099, 1, 1), cohort_ids=[cohort.id])
        db.session.commit()
        people = db.session.scalars(select(CohortMember.learner_id).where(CohortMember.cohort_id == cohort.id,
                                                                          CohortMember.accepted_at.is_not(None)))
        db.session.execute(insert(Certificate), [
            {"code": f"{prefix.upper()[:4]}{i:08d}", "learner_id": learner_id, "course_id": COURSE,
             "learner_name": "x", "course_title": {"en": "x"}, "minutes": 5, "issued_at": utcnow(), "generation": 1}
            for i, learner_id in enumerate(list(people)[::2])])
        db.session.commit()
        url = f"/trainer/campaigns/{campaign.id}"
        client.get(url)
        statements, stop = count_queries(db)
        try:
            page = client.get(url).get_data(as_text=True)
        finally:
            stop()
        counts.append(len(statements))
        assert "Completed that week" in page
    assert counts[0] == counts[1], counts
    large = db.session.scalar(select(Campaign).order_by(Campaign.id.desc()))
    summary = campaigns.summary(large, trainer)
    assert summary.size == 108 and summary.completed == 54 and summary.weeks[-1].total == 54  # 9 in 10 accepted
    rows, pages = campaigns.people(large, trainer, page=3)
    assert pages == 3 and len(rows) == 8


def test_the_campaigns_a_person_started_are_in_their_copy(db, make_user):
    trainer = make_user(role="trainer", email="t@example.org")
    cohort = cohorts.create(trainer, "C", "MSP", "DO", "en")
    campaign = campaigns.start(trainer, db.session.get(Course, COURSE), date(2099, 1, 1), cohort_ids=[cohort.id])
    copy = personal_data.collect(trainer)
    assert [row["id"] for row in copy["tables"]["campaigns"]] == [campaign.id]
    assert db.session.scalar(select(CampaignCohort.cohort_id)) == cohort.id


def test_a_week_table_counts_first_completions_by_week(db, make_user):
    trainer = make_user(role="trainer", email="t@example.org")
    cohort = cohorts.create(trainer, "C", "MSP", "DO", "en")
    learners = [make_user(email=f"w{i}@example.org") for i in range(3)]
    with time_machine.travel(datetime(2027, 3, 1, 9), tick=False):
        for learner in learners:
            db.session.add(CohortMember(cohort_id=cohort.id, learner_id=learner.id, accepted_at=utcnow()))
        campaign = campaigns.start(trainer, db.session.get(Course, COURSE), date(2027, 4, 30),
                                   cohort_ids=[cohort.id])
    for i, (learner, day) in enumerate(zip(learners[:2], (2, 10), strict=True)):
        db.session.add(Certificate(code=f"WEEK{i:08d}", learner_id=learner.id, course_id=COURSE, learner_name="x",
                                   course_title={"en": "x"}, minutes=5, issued_at=datetime(2027, 3, day, 12),
                                   generation=1))
    db.session.flush()
    summary = campaigns.summary(campaign, trainer, now=datetime(2027, 3, 20))
    assert [(w.number, w.starts, w.completed, w.total) for w in summary.weeks] == [
        (1, date(2027, 3, 1), 1, 1), (2, date(2027, 3, 8), 1, 2), (3, date(2027, 3, 15), 0, 2)]
    assert summary.size == 3 and round(summary.percent, 1) == 66.7 and not summary.overdue
    assert campaigns.summary(campaign, trainer, now=datetime(2027, 5, 1)).overdue


def test_csrf_and_the_learner_button_to_a_course_they_are_enrolled_in(app, db, client, make_user):
    trainer = make_user(role="trainer", email="t@example.org")
    cohort = _cohort(db, trainer)
    learner = make_user(email="learner@example.org", language="en")
    _join(db, cohort, learner)
    campaigns.start(trainer, db.session.get(Course, COURSE), date(2099, 5, 31), cohort_ids=[cohort.id])
    db.session.commit()
    log_in(client, "learner@example.org")
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    client.post(f"/courses/{COURSE}/enrol", data={"csrf_token": csrf_token(page)})
    home = client.get("/").get_data(as_text=True)
    assert f'href="/courses/{COURSE}">Go to the course' in home


# --- A campaign opens the renewal window from its start --------------------------------------------------------


def _certified_then_campaign(app, db, client, make_user, valid_months):
    """A learner who completed COURSE (valid for `valid_months`, None: never expires) before a campaign on it that
    concerns them started a day later."""
    course = db.session.get(Course, COURSE)
    course.valid_months, course.synced_at = valid_months, utcnow()
    db.session.commit()
    trainer = make_user(role="trainer", email="t@example.org")
    cohort = _cohort(db, trainer)
    learner = make_user(email="learner@example.org", language="en")
    _join(db, cohort, learner)
    with time_machine.travel(datetime(2027, 1, 10, 9), tick=False):
        log_in(client, "learner@example.org")
        complete_course(app, client, learner, COURSE)
    with time_machine.travel(datetime(2027, 1, 11, 9), tick=False):
        campaign = campaigns.start(trainer, course, date(2027, 3, 31), cohort_ids=[cohort.id])
        db.session.commit()
    return learner, campaign


@pytest.mark.parametrize("valid_months", [12, None])
def test_an_open_campaign_lets_a_certified_learner_renew_early(app, db, client, make_user, valid_months):
    learner, campaign = _certified_then_campaign(app, db, client, make_user, valid_months)
    with time_machine.travel(datetime(2027, 1, 20, 9), tick=False):
        log_in(client, "learner@example.org")
        assert not campaigns.has_completed(campaign, learner.id)
        page = client.get("/courses/passwords-mfa/lessons/passwords-passphrases").get_data(as_text=True)
        assert "To renew your certificate, mark this lesson as done again" in page
        complete_course(app, client, learner, COURSE)
        held = list(db.session.scalars(select(Certificate).where(Certificate.learner_id == learner.id)
                                       .order_by(Certificate.generation)))
        assert [c.generation for c in held] == [1, 2] and held[1].renews_id == held[0].id
        if valid_months:  # renewed early: no days lost
            assert held[1].expires_at == datetime(2029, 1, 10, 9)
        else:
            assert held[1].expires_at is None
        assert campaigns.has_completed(campaign, learner.id)
        assert campaigns.open_for(learner) == []
        complete_course(app, client, learner, COURSE)  # once renewed, the campaign opens nothing more
        assert db.session.scalar(select(func.count(Certificate.id)).where(Certificate.learner_id == learner.id)) == 2


def test_without_an_open_campaign_a_certificate_waits_for_its_window(app, db, client, make_user):
    learner, campaign = _certified_then_campaign(app, db, client, make_user, 12)
    campaigns.end(learner, campaign, "closed")
    db.session.commit()
    with time_machine.travel(datetime(2027, 1, 20, 9), tick=False):
        log_in(client, "learner@example.org")
        page = client.get("/courses/passwords-mfa/lessons/passwords-passphrases").get_data(as_text=True)
        assert "To renew your certificate" not in page
        complete_course(app, client, learner, COURSE)
        assert db.session.scalar(select(func.count(Certificate.id)).where(Certificate.learner_id == learner.id)) == 1


def test_a_trainer_sees_an_admins_campaign_on_their_cohort_with_only_their_people(app, db, client, trainer,
                                                                                    make_user):
    admin = make_user(role="admin", email="admin@example.org")
    other = make_user(role="trainer", email="other@example.org")
    mine, theirs = _cohort(db, trainer, "Mine"), _cohort(db, other, "Theirs")
    _join(db, mine, make_user(email="mine@example.org", name="Mía Mine"))
    _join(db, theirs, make_user(email="theirs@example.org", name="Teo Theirs"))
    campaign = campaigns.start(admin, db.session.get(Course, COURSE), date(2099, 1, 1),
                               cohort_ids=[mine.id, theirs.id])
    db.session.commit()
    page = client.get(f"/trainer/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Mía Mine" in page and "Teo Theirs" not in page and "Theirs" not in page
    assert re.search(r"<dt>People</dt><dd>1</dd>", page) and "Close the campaign" not in page
    assert post_form(client, f"/trainer/campaigns/{campaign.id}/close", {},
                     page="/trainer/campaigns/").status_code == 403
    assert campaigns.summary(campaign, admin).size == 2


def test_a_filter_campaign_reaches_the_learners_who_match_it(db, make_user):
    admin = make_user(role="admin", email="admin@example.org")
    nurse = make_user(email="nurse@example.org", country="PE", sector="health")
    clerk = make_user(email="clerk@example.org", country="PE", sector="public-administration")
    abroad = make_user(email="abroad@example.org", country="CL", sector="health")
    campaigns.start(admin, db.session.get(Course, COURSE), date(2099, 1, 1),
                    where=campaigns.Filter(country="PE", sector="health"))
    assert [entry.course.id for entry in campaigns.open_for(nurse)] == [COURSE]
    assert campaigns.open_for(clerk) == [] and campaigns.open_for(abroad) == []
    personal_data.erase(nurse)
    assert campaigns.open_for(nurse) == []


def test_erasing_the_trainer_who_started_a_campaign_keeps_it(db, make_user):
    trainer = make_user(role="trainer", email="t@example.org")
    cohort = cohorts.create(trainer, "C", "MSP", "DO", "en")
    campaign = campaigns.start(trainer, db.session.get(Course, COURSE), date(2099, 1, 1), cohort_ids=[cohort.id])
    assert personal_data.erase(trainer)
    db.session.flush()
    assert db.session.get(Campaign, campaign.id).started_by_id == trainer.id and campaign.is_open

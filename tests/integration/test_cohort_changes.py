"""A trainer removes a person from a cohort and changes a due date (issue 20): a confirmation step, an audit
event, the person's own learning kept; a due date in the past is warned about and saved only once confirmed."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from learnhub.models import Assignment, Attempt, AuditEvent, CohortMember, Enrolment, User
from tests.conftest import log_in, post_form
from tests.integration.learning_helpers import submit_quiz
from tests.integration.test_invitations import mails
from tests.integration.test_trainer import assign, create_cohort, enrol_learner

COURSE = "passwords-mfa"


def test_removing_a_member_asks_first_then_keeps_their_learning(app, db, client, trainer, make_user):
    cohort_id = create_cohort(client)
    assign(client, cohort_id, COURSE)
    learner, learner_client = enrol_learner(app, db, client, make_user, cohort_id)
    submit_quiz(learner_client, app, learner, COURSE, "check-passwords-mfa", right=True)
    cohort_page = client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    url = f"/trainer/cohorts/{cohort_id}/people/{learner.id}/remove"
    assert f'href="{url}"' in cohort_page
    confirm = client.get(url)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "ana@example.org" in page and "stays theirs" in page
    assert db.session.get(CohortMember, (cohort_id, learner.id)) is not None  # asking changed nothing
    response = post_form(client, url, {}, page=url)
    assert response.status_code == 303 and response.location == f"/trainer/cohorts/{cohort_id}"
    db.session.expire_all()
    assert db.session.get(CohortMember, (cohort_id, learner.id)) is None
    assert db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.learner_id == learner.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.learner_id == learner.id))
    assert db.session.get(User, learner.id) is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "cohort.person_removed"))
    assert event.actor_id == trainer.id
    assert event.detail == {"cohort_id": cohort_id, "learner_id": learner.id, "had_joined": True}
    after = client.get(response.location).get_data(as_text=True)
    assert "ana@example.org is no longer in the cohort" in after and "0 members" in after
    # The trainer no longer sees them; the learner still sees their own attempt.
    assert client.get(f"/trainer/cohorts/{cohort_id}/learners/{learner.id}").status_code == 404
    assert client.get(url).status_code == 404
    assert "passwords-mfa" in learner_client.get("/learning").get_data(as_text=True)


def test_removing_an_invited_person_withdraws_the_invitation_and_its_link(app, db, client, trainer, mail_dir):
    cohort_id = create_cohort(client)
    post_form(client, f"/trainer/cohorts/{cohort_id}/people", {"email": "new@example.org", "name": "New"},
              page=f"/trainer/cohorts/{cohort_id}")
    [invitation] = mails(mail_dir)
    link = re.search(r"http://\S+(/password/reset/\S+)", invitation.get_content()).group(1)
    person = db.session.scalar(select(User).where(User.email == "new@example.org"))
    url = f"/trainer/cohorts/{cohort_id}/people/{person.id}/remove"
    assert f'href="{url}"' in client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    assert "the link in it stops working" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {}, page=url).status_code == 303
    assert app.test_client().get(link).status_code == 404
    detail = db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "cohort.person_removed"))
    assert detail["had_joined"] is False
    assert "0 invited, not joined yet" in client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)


def test_another_trainer_cannot_remove_or_change_anything(app, db, client, trainer, make_user):
    cohort_id = create_cohort(client)
    assign(client, cohort_id, COURSE)
    learner, _ = enrol_learner(app, db, client, make_user, cohort_id)
    assignment_id = db.session.scalar(select(Assignment.id).where(Assignment.cohort_id == cohort_id))
    make_user(role="trainer", email="other@example.org")
    other = app.test_client()
    log_in(other, "other@example.org")
    own = create_cohort(other, "Mine")
    for url in (f"/trainer/cohorts/{cohort_id}/people/{learner.id}/remove",
                f"/trainer/cohorts/{cohort_id}/assignments/{assignment_id}",
                f"/trainer/cohorts/{own}/people/{learner.id}/remove",       # not in their cohort
                f"/trainer/cohorts/{own}/assignments/{assignment_id}"):     # another cohort's assignment
        assert other.get(url).status_code == 404, url
        assert post_form(other, url, {"due_on": ""}, page=f"/trainer/cohorts/{own}").status_code == 404, url
    assert db.session.get(CohortMember, (cohort_id, learner.id)) is not None


def test_a_due_date_changes_and_a_past_one_needs_confirming(app, db, client, trainer):
    cohort_id = create_cohort(client)
    assign(client, cohort_id, COURSE, date.today() + timedelta(days=7))
    assignment = db.session.scalar(select(Assignment).where(Assignment.cohort_id == cohort_id))
    url = f"/trainer/cohorts/{cohort_id}/assignments/{assignment.id}"
    assert f'href="{url}"' in client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    form = client.get(url).get_data(as_text=True)
    assert f'value="{(date.today() + timedelta(days=7)).isoformat()}"' in form
    later = date.today() + timedelta(days=30)
    assert post_form(client, url, {"due_on": later.isoformat()}, page=url).status_code == 303
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).due_on == later
    # A date in the past: warned, nothing saved, the date typed kept, a button to confirm it.
    past = date.today() - timedelta(days=3)
    warned = post_form(client, url, {"due_on": past.isoformat()}, page=url)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200 and 'role="alert"' in page and "is already past" in page
    assert f'value="{past.isoformat()}"' in page and 'name="confirm_past" value="y"' in page
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).due_on == later
    assert post_form(client, url, {"due_on": past.isoformat(), "confirm_past": "y"}, page=url).status_code == 303
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).due_on == past
    events = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "cohort.due_date_changed")
                                .order_by(AuditEvent.id)).all()
    assert [(e["before"], e["after"]) for e in events] == [
        ((date.today() + timedelta(days=7)).isoformat(), later.isoformat()), (later.isoformat(), past.isoformat())]
    # No date at all is allowed, and a date that is not one is an error naming the field.
    assert post_form(client, url, {"due_on": ""}, page=url).status_code == 303
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).due_on is None
    assert post_form(client, url, {"due_on": "31/02/2026"}, page=url).status_code == 400


def test_assigning_with_a_past_due_date_asks_first(app, db, client, trainer):
    cohort_id = create_cohort(client)
    past = date.today() - timedelta(days=1)
    page_url = f"/trainer/cohorts/{cohort_id}"
    warned = post_form(client, f"{page_url}/assignments", {"course": COURSE, "due_on": past.isoformat()},
                       page=page_url)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200 and "is already past" in page and 'name="confirm_past" value="y"' in page
    assert f'<option selected value="{COURSE}">' in page or f'value="{COURSE}" selected' in page
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    confirmed = post_form(client, f"{page_url}/assignments",
                          {"course": COURSE, "due_on": past.isoformat(), "confirm_past": "y"}, page=page_url)
    assert confirmed.status_code == 303
    assert db.session.scalar(select(Assignment.due_on).where(Assignment.cohort_id == cohort_id)) == past

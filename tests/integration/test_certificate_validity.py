"""Certificates that expire (course.yaml `valid_for`), the verification page's valid / expired / revoked, the
30- and 7-day reminders, and renewal by completing the course (or a `renews` refresher) again (decision 0064).
Time moves with time-machine (decision 0066): every clock of the app reads `datetime.now`."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from learnhub.jobs import tasks
from learnhub.jobs.queue import request_context
from learnhub.models import Certificate, Course, OutboundMail
from learnhub.services import certificate_reminders, certificates
from tests.conftest import csrf_token, log_in
from tests.integration.test_learning import COURSE, complete_course

REFRESHER = "reporting-incidents"
START = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
LESSON = "account-recovery"


def at(*args) -> time_machine.travel:
    return time_machine.travel(datetime(*args, tzinfo=UTC), tick=False)


@pytest.fixture
def expiring(app, db):
    """passwords-mfa valid for 1 month; reporting-incidents its refresher (as a sync would set them: with a new
    sync time, so that no page cached before is served)."""
    course, refresher = db.session.get(Course, COURSE), db.session.get(Course, REFRESHER)
    course.valid_months, refresher.renews = 1, COURSE
    course.synced_at = refresher.synced_at = datetime.now(UTC).replace(tzinfo=None)
    db.session.commit()


@pytest.fixture
def learner(app, db, client, make_user, expiring):
    with time_machine.travel(START, tick=False):
        user = make_user(email="learner@example.org", language="en", name="Camila Rojas")
        assert log_in(client, "learner@example.org").status_code == 303
    return user


def certificates_of(db, learner_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.learner_id == learner_id,
                                                             Certificate.course_id == COURSE)
                                   .order_by(Certificate.generation)))


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert certificates.add_months(datetime(2027, 1, 10, 9), 1) == datetime(2027, 2, 10, 9)
    assert certificates.add_months(datetime(2027, 1, 31), 1) == datetime(2027, 2, 28)
    assert certificates.add_months(datetime(2028, 1, 31), 1) == datetime(2028, 2, 29)
    assert certificates.add_months(datetime(2027, 11, 30), 3) == datetime(2028, 2, 29)
    assert certificates.add_months(datetime(2027, 6, 1), 24) == datetime(2029, 6, 1)


def test_a_certificate_shows_its_expiry_and_the_verification_page_follows_the_clock(app, client, db, learner):
    with at(2027, 1, 10, 9):
        complete_course(app, client, learner, COURSE)
        [certificate] = certificates_of(db, learner.id)
        assert certificate.expires_at == datetime(2027, 2, 10, 9) and certificate.generation == 1
        dashboard = client.get("/learning").get_data(as_text=True)
        assert "Valid until Feb 10, 2027" in dashboard
        pdf = client.get(f"/certificates/{certificate.code}.pdf")
        assert pdf.status_code == 200
        if shutil.which("pdftotext"):
            assert "Valid until February 10, 2027" in pdf_text(pdf.data)
        verify = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
        assert '<strong class="valid">Valid</strong>' in verify and "Feb 10, 2027" in verify

    with at(2027, 2, 10, 9, 0, 1):  # one second after it expired
        verify = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
        assert '<strong class="revoked">Expired</strong>' in verify and "Valid</strong>" not in verify
        assert log_in(client, "learner@example.org").status_code == 303
        refused = client.get(f"/certificates/{certificate.code}.pdf")
        assert refused.status_code == 410 and refused.mimetype == "text/html"
        assert "expired on Feb 10, 2027" in refused.get_data(as_text=True)
        dashboard = client.get("/learning").get_data(as_text=True)
        assert "Expired on Feb 10, 2027" in dashboard and "complete the course again to renew it" in dashboard
        assert f"/certificates/{certificate.code}.pdf" not in dashboard

        certificate = db.session.get(Certificate, certificate.id)
        certificate.revoked_at = datetime(2027, 2, 10, 10)  # revocation wins over expiry
        db.session.commit()
        verify = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
        assert '<strong class="revoked">Revoked</strong>' in verify and "Expired" not in verify


def test_a_course_without_valid_for_never_expires(app, client, db, learner):
    db.session.get(Course, COURSE).valid_months = None
    db.session.commit()
    with at(2027, 1, 10, 9):
        complete_course(app, client, learner, COURSE)
    [certificate] = certificates_of(db, learner.id)
    assert certificate.expires_at is None
    with at(2047, 1, 10, 9):
        verify = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
        assert '<strong class="valid">Valid</strong>' in verify and "Valid until" not in verify


def send_due(app) -> int:
    with app.app_context(), request_context():
        return certificate_reminders.send_due()


def reminders(db) -> list[tuple[str, str]]:
    return [(mail.recipient, mail.subject) for mail in db.session.scalars(
        select(OutboundMail).where(OutboundMail.subject.like("%certificate expires%")).order_by(OutboundMail.id))]


def test_reminders_go_out_30_and_7_days_before_expiry_each_once(app, client, db, learner, make_user):
    with at(2027, 1, 10, 9):
        complete_course(app, client, learner, COURSE)  # expires 2027-02-10 09:00
    with app.app_context():
        with at(2027, 1, 10, 9, 30):  # 31 days before: nothing yet
            assert tasks.remind_expiring_certificates.call_local() == 0
        with at(2027, 1, 11, 9, 0):  # 30 days before
            assert tasks.remind_expiring_certificates.call_local() == 1
            assert tasks.remind_expiring_certificates.call_local() == 0  # sent once
        with at(2027, 1, 20, 9, 0):
            assert tasks.remind_expiring_certificates.call_local() == 0
        with at(2027, 2, 3, 9, 0):  # 7 days before
            assert tasks.remind_expiring_certificates.call_local() == 1
        with at(2027, 2, 6, 9, 0):
            assert tasks.remind_expiring_certificates.call_local() == 0
        with at(2027, 2, 11, 9, 0):  # expired: no more mail
            assert tasks.remind_expiring_certificates.call_local() == 0
    assert reminders(db) == [("learner@example.org", "Your LearnHub certificate expires in 30 days"),
                             ("learner@example.org", "Your LearnHub certificate expires in 7 days")]
    body = db.session.scalars(select(OutboundMail).where(OutboundMail.subject.like("%in 7 days"))).one().body
    assert "Hello Camila Rojas," in body and "expires in 7 days, on February 10, 2027." in body
    assert "/courses/passwords-mfa" in body and "/learning" in body


def test_a_missed_first_reminder_sends_only_the_last_and_revoked_or_renewed_ones_get_none(app, client, db, learner,
                                                                                           make_user):
    with at(2027, 1, 10, 9):
        complete_course(app, client, learner, COURSE)
    with at(2027, 2, 5, 9):  # the queue was down for weeks: only the 7-day reminder
        assert send_due(app) == 1
        assert send_due(app) == 0
    [certificate] = certificates_of(db, learner.id)
    assert certificate.reminded_days == 7
    assert [subject for _, subject in reminders(db)] == ["Your LearnHub certificate expires in 5 days"]

    certificate.reminded_days, certificate.revoked_at = None, datetime(2027, 2, 5, 10)
    db.session.commit()
    with at(2027, 2, 6, 9):
        assert send_due(app) == 0


def test_spanish_reminders_use_the_plural_of_their_language(app, client, db, make_user, expiring):
    with at(2027, 1, 10, 9):
        spanish = make_user(email="lucia@example.org", language="es", name="Lucía Fernández")
        assert log_in(client, "lucia@example.org").status_code == 303
        complete_course(app, client, spanish, COURSE)
    with at(2027, 2, 9, 10):
        assert send_due(app) == 1
    mail = db.session.scalars(select(OutboundMail).where(OutboundMail.recipient == "lucia@example.org")).one()
    assert mail.subject == "Su certificado de LearnHub vence en 1 día"
    assert "Hola, Lucía Fernández:" in mail.body and "10 de febrero de 2027" in mail.body


def test_completing_the_course_again_in_the_renewal_window_issues_a_linked_renewal(app, client, db, learner):
    with at(2027, 1, 10, 9):
        complete_course(app, client, learner, COURSE)
    with at(2027, 1, 10, 12):  # completed again before the window opens (30 days before expiry): nothing new
        assert log_in(client, "learner@example.org").status_code == 303
        complete_course(app, client, learner, COURSE)
    assert len(certificates_of(db, learner.id)) == 1
    with at(2027, 2, 1, 9):  # in the window: the renewal runs from the old expiry, no day lost
        assert log_in(client, "learner@example.org").status_code == 303
        complete_course(app, client, learner, COURSE)
    first, second = certificates_of(db, learner.id)
    assert (second.generation, second.renews_id) == (2, first.id)
    assert second.issued_at == datetime(2027, 2, 1, 9) and second.expires_at == datetime(2027, 3, 10, 9)
    assert second.code != first.code and second.minutes == first.minutes
    with at(2027, 2, 1, 9, 30):  # a lesson done once more re-checks completion: the renewal is not due
        page = client.get(f"/courses/{COURSE}/lessons/{LESSON}").get_data(as_text=True)
        assert client.post(f"/courses/{COURSE}/lessons/{LESSON}/done",
                           data={"csrf_token": csrf_token(page)}).status_code == 303
    assert len(certificates_of(db, learner.id)) == 2
    with at(2027, 2, 20, 9):
        old = app.test_client().get(f"/verify/{first.code}").get_data(as_text=True)
        new = app.test_client().get(f"/verify/{second.code}").get_data(as_text=True)
        assert "Expired</strong>" in old and "Valid</strong>" in new
        assert log_in(client, "learner@example.org").status_code == 303
        dashboard = client.get("/learning").get_data(as_text=True)
        assert f"/certificates/{second.code}.pdf" in dashboard and "(renewed)" in dashboard


def test_only_a_course_done_again_since_the_window_opened_renews(app, client, db, learner):
    with at(2027, 1, 10, 9):
        complete_course(app, client, learner, COURSE)
    with at(2027, 3, 1, 9):  # expired; one lesson done again is not the course done again
        assert log_in(client, "learner@example.org").status_code == 303
        page = client.get(f"/courses/{COURSE}/lessons/{LESSON}").get_data(as_text=True)
        assert client.post(f"/courses/{COURSE}/lessons/{LESSON}/done",
                           data={"csrf_token": csrf_token(page)}).status_code == 303
        assert len(certificates_of(db, learner.id)) == 1
        complete_course(app, client, learner, COURSE)  # after expiry: valid from today
    first, second = certificates_of(db, learner.id)
    assert second.renews_id == first.id and second.expires_at == datetime(2027, 4, 1, 9)


def test_a_refresher_course_renews_the_certificate_of_the_course_it_names(app, client, db, learner):
    with at(2027, 1, 10, 9):
        complete_course(app, client, learner, COURSE)
    with at(2027, 1, 10, 12):  # the refresher before the window (it opens on 11 January): its own certificate only
        complete_course(app, client, learner, REFRESHER)
    assert len(certificates_of(db, learner.id)) == 1
    with at(2027, 2, 5, 9):
        assert log_in(client, "learner@example.org").status_code == 303
        complete_course(app, client, learner, REFRESHER)
    first, second = certificates_of(db, learner.id)
    assert (second.generation, second.renews_id, second.course_id) == (2, first.id, COURSE)
    assert second.minutes == db.session.get(Course, REFRESHER).minutes
    assert second.expires_at == datetime(2027, 3, 10, 9)


def test_a_revoked_certificate_is_not_renewed(app, client, db, learner):
    with at(2027, 1, 10, 9):
        complete_course(app, client, learner, COURSE)
    [certificate] = certificates_of(db, learner.id)
    certificate.revoked_at = datetime(2027, 1, 20)
    db.session.commit()
    with at(2027, 2, 5, 9):
        assert log_in(client, "learner@example.org").status_code == 303
        complete_course(app, client, learner, COURSE)
    assert len(certificates_of(db, learner.id)) == 1


def test_in_the_renewal_window_done_lessons_ask_to_be_done_again_and_lead_on_to_the_quiz(app, client, db, learner):
    with at(2027, 1, 10, 9):
        complete_course(app, client, learner, COURSE)
        page = client.get(f"/courses/{COURSE}/lessons/{LESSON}").get_data(as_text=True)
        assert "You have marked this lesson as done." in page and "mark this lesson as done again" not in page
    with at(2027, 2, 2, 9):  # the window opened on 11 January
        assert log_in(client, "learner@example.org").status_code == 303
        page = client.get(f"/courses/{COURSE}/lessons/{LESSON}").get_data(as_text=True)
        assert "To renew your certificate, mark this lesson as done again." in page
        assert "You have marked this lesson as done." not in page
        done = client.post(f"/courses/{COURSE}/lessons/{LESSON}/done", data={"csrf_token": csrf_token(page)})
        assert done.status_code == 303 and done.headers["Location"].endswith("/quizzes/check-passwords-mfa")
        page = client.get(f"/courses/{COURSE}/lessons/{LESSON}").get_data(as_text=True)
        assert "You have marked this lesson as done." in page  # done again since the window opened
    assert len(certificates_of(db, learner.id)) == 1  # the other lessons and the quiz are still to do


def test_the_course_page_says_how_long_the_certificate_is_valid(app, client, db, expiring, make_user):
    assert "Certificate on completion (valid for 1 month)" in client.get(f"/courses/{COURSE}").get_data(as_text=True)
    course = db.session.get(Course, COURSE)
    course.valid_months, course.synced_at = 24, datetime(2030, 1, 1)
    db.session.commit()
    make_user(email="es@example.org", language="es")
    assert log_in(client, "es@example.org").status_code == 303
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert "Certificado al completar el curso (válido durante 2 años)" in page

"""What a trainer sees of a learner (issue 11, decision 0021): trainer B who adds trainer A's learner to
B's cohort sees nothing of A's courses, nothing while the invitation is not accepted, and nothing from
before the learner accepted, even in a course both cohorts are assigned; trainer A still sees everything.
One test per path: learner detail, attempts, essay answers, progress table and exports, marking queue,
question analysis, regrade, revoking; and what a revoked certificate looks like to its learner."""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from learnhub.models import Attempt, AuditEvent, Certificate, Course, User
from learnhub.services import certificates
from tests.conftest import csrf_token, log_in, post_form
from tests.integration.learning_helpers import CATALOGUE, items_of, submit_quiz, swap_answer_key, sync_catalogue
from tests.integration.test_learning import complete_course, count_queries
from tests.integration.test_trainer import accept, assign, create_cohort, enrol_learner

COURSE, QUIZ = "passwords-mfa", "check-passwords-mfa"
ESSAY_COURSE, ESSAY_QUIZ = "ics-critical-infrastructure", "check-ot-security"


@dataclass
class Scene:
    ana: User
    ana_client: object
    a: object          # trainer A's client: Ana joined A's cohort and did everything below in it
    b: object          # trainer B's client: B added Ana to B's cohort afterwards; she has not accepted yet
    cohort_a: int
    cohort_b: int
    essay_link: str    # A's marking link for Ana's essay
    certificate: Certificate

    def accept_b(self, db) -> None:
        accept(db, self.cohort_b, self.ana.id)

    def detail(self, client, cohort_id):
        return client.get(f"/trainer/cohorts/{cohort_id}/learners/{self.ana.id}")


@pytest.fixture
def scene(app, db, client, make_user, mail_dir) -> Scene:
    make_user(role="trainer", email="trainer.a@example.org", language="en", name="Trainer A")
    log_in(client, "trainer.a@example.org")
    cohort_a = create_cohort(client, "Cohort A")
    assign(client, cohort_a, COURSE)
    assign(client, cohort_a, ESSAY_COURSE)
    ana, ana_client = enrol_learner(app, db, client, make_user, cohort_a)
    complete_course(app, ana_client, ana, COURSE)                 # lessons, a passed quiz, a certificate
    submit_quiz(ana_client, app, ana, ESSAY_COURSE, ESSAY_QUIZ, right=True)  # an essay awaiting marking
    queue = client.get("/trainer/marking").get_data(as_text=True)
    essay_link = re.search(r'href="(/trainer/marking/\d+/[^"]+)"', queue).group(1)
    certificate = db.session.scalar(select(Certificate).where(Certificate.learner_id == ana.id))
    assert certificate is not None and certificate.course_id == COURSE
    b = app.test_client()
    make_user(role="trainer", email="trainer.b@example.org", language="en", name="Trainer B")
    log_in(b, "trainer.b@example.org")
    cohort_b = create_cohort(b, "Cohort B")
    assign(b, cohort_b, COURSE)   # the same course as A's cohort: still nothing from before Ana joined B
    added = post_form(b, f"/trainer/cohorts/{cohort_b}/people", {"email": ana.email, "name": "Ana"},
                      page=f"/trainer/cohorts/{cohort_b}")
    assert added.status_code == 303
    return Scene(ana, ana_client, client, b, cohort_a, cohort_b, essay_link, certificate)


def attempts_listed(html: str) -> int:
    match = re.search(r'<ul class="attempt-list">(.*?)</ul>', html, re.S)
    return match.group(1).count("<li>") if match else 0


def test_learner_detail_shows_only_what_happened_in_the_viewers_cohort_after_joining(db, scene):
    mine = scene.detail(scene.a, scene.cohort_a)
    assert mine.status_code == 200
    page = mine.get_data(as_text=True)
    assert "Passed" in page and "best 100%" in page and certificates.display_code(scene.certificate.code) in page
    assert ">Done<" in page
    assert scene.detail(scene.b, scene.cohort_b).status_code == 404          # invited, not accepted
    assert scene.detail(scene.b, scene.cohort_a).status_code == 404          # A's cohort
    scene.accept_b(db)
    theirs = scene.detail(scene.b, scene.cohort_b)
    assert theirs.status_code == 200
    page = theirs.get_data(as_text=True)
    assert "Ana Learner" in page
    assert "Passed" not in page and ">Done<" not in page and "best " not in page      # all before joining B
    assert certificates.display_code(scene.certificate.code) not in page
    assert db.session.get(Course, ESSAY_COURSE).title_in("en") not in page            # only B's courses


def test_attempts_before_joining_are_not_listed_and_later_ones_are(app, db, scene):
    assert attempts_listed(scene.detail(scene.a, scene.cohort_a).get_data(as_text=True)) == 1
    scene.accept_b(db)
    assert attempts_listed(scene.detail(scene.b, scene.cohort_b).get_data(as_text=True)) == 0
    submit_quiz(scene.ana_client, app, scene.ana, COURSE, QUIZ, right=False)       # after joining B
    page = scene.detail(scene.b, scene.cohort_b).get_data(as_text=True)
    assert attempts_listed(page) == 1 and "not passed" in page and "Not passed yet" in page
    assert "Passed" not in page and "best 100%" not in page      # the passed attempt came before joining B
    assert attempts_listed(scene.detail(scene.a, scene.cohort_a).get_data(as_text=True)) == 2


def test_essay_answers_of_another_trainers_course_stay_hidden(app, db, scene):
    mine = scene.a.get(scene.essay_link)
    assert mine.status_code == 200 and "isolate the affected systems" in mine.get_data(as_text=True)
    token = csrf_token(scene.b.get("/trainer/marking").get_data(as_text=True))
    attempt_id = int(scene.essay_link.split("/")[3])

    def b_cannot_read_or_mark():
        assert scene.b.get(scene.essay_link).status_code == 404
        assert scene.b.post(scene.essay_link, data={"csrf_token": token, "score": "0",
                                                    "feedback": "x"}).status_code == 404
        assert db.session.get(Attempt, attempt_id).awaiting_marking == 1

    b_cannot_read_or_mark()                    # invited only
    scene.accept_b(db)
    b_cannot_read_or_mark()                    # accepted, but the course is not assigned to B
    assign(scene.b, scene.cohort_b, ESSAY_COURSE)
    b_cannot_read_or_mark()                    # assigned now, but the essay was written before joining B


def test_progress_table_and_exports_show_pending_then_only_facts_after_joining(app, db, scene):
    def csv_row(client, cohort_id):
        text = client.get(f"/trainer/cohorts/{cohort_id}/progress.csv").data.decode("utf-8")
        return next(line for line in text.splitlines() if "ana@example.org" in line)

    def xlsx_row(client, cohort_id):
        sheet = load_workbook(io.BytesIO(client.get(f"/trainer/cohorts/{cohort_id}/progress.xlsx").data)).active
        return [cell.value for cell in next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "ana@example.org")]

    total = len(items_of(COURSE))
    assert csv_row(scene.a, scene.cohort_a).startswith(f"Ana Learner,ana@example.org,Completed,{total}/{total},100")
    assert xlsx_row(scene.a, scene.cohort_a)[2:5] == ["Completed", f"{total}/{total}", 100]
    table = scene.b.get(f"/trainer/cohorts/{scene.cohort_b}/progress").get_data(as_text=True)
    assert "Invited, not joined yet" in table and f"/learners/{scene.ana.id}" not in table
    assert csv_row(scene.b, scene.cohort_b) == "Ana Learner,ana@example.org,\"Invited, not joined yet\",,,"
    assert xlsx_row(scene.b, scene.cohort_b) == ["Ana Learner", "ana@example.org", "Invited, not joined yet", None,
                                                 None, None]
    scene.accept_b(db)
    assert csv_row(scene.b, scene.cohort_b) == f"Ana Learner,ana@example.org,Not started,0/{total},,"
    assert xlsx_row(scene.b, scene.cohort_b) == ["Ana Learner", "ana@example.org", "Not started", f"0/{total}",
                                                 None, None]
    page = scene.b.get(f"/trainer/cohorts/{scene.cohort_b}/progress").get_data(as_text=True)
    table = page.split('<table class="progress-table"')[1].split("</table>")[0]  # the summary names every state
    assert "Completed" not in table and "100%" not in table
    assert "Ana Learner" in table and "<td>Not started</td>" in table  # nothing from before joining: no detail
    submit_quiz(scene.ana_client, app, scene.ana, COURSE, QUIZ, right=False)       # after joining B
    row = xlsx_row(scene.b, scene.cohort_b)
    assert row[2:4] == ["In progress", f"0/{total}"] and row[4] is not None and row[4] < 100
    assert xlsx_row(scene.a, scene.cohort_a)[2:5] == ["Completed", f"{total}/{total}", 100]  # best score stays


def test_marking_queue_lists_only_essays_in_the_trainers_courses_written_after_joining(app, db, scene):
    def links(client):
        return re.findall(r'href="(/trainer/marking/\d+/[^"]+)"', client.get("/trainer/marking").get_data(as_text=True))

    assert links(scene.a) == [scene.essay_link]
    assert links(scene.b) == []
    scene.accept_b(db)
    assert links(scene.b) == []
    submit_quiz(scene.ana_client, app, scene.ana, ESSAY_COURSE, ESSAY_QUIZ, right=True)  # after joining B
    assert links(scene.b) == []                # the course is not assigned to B's cohort
    assign(scene.b, scene.cohort_b, ESSAY_COURSE)
    later = links(scene.b)
    assert len(later) == 1 and later[0] != scene.essay_link
    assert scene.b.get(later[0]).status_code == 200
    assert sorted(links(scene.a)) == sorted([scene.essay_link, later[0]])


def test_question_analysis_counts_only_attempts_after_joining(app, db, scene):
    url = f"/trainer/quizzes/{COURSE}/{QUIZ}/analysis"
    assert "First attempts of 1 learner in your cohorts" in scene.a.get(url).get_data(as_text=True)
    assert "First attempts of 0 learners" in scene.b.get(url).get_data(as_text=True)
    scene.accept_b(db)
    assert "First attempts of 0 learners" in scene.b.get(url).get_data(as_text=True)
    submit_quiz(scene.ana_client, app, scene.ana, COURSE, QUIZ, right=False)        # after joining B
    page = scene.b.get(url).get_data(as_text=True)
    assert "First attempts of 1 learner in your cohorts" in page and "Mean score: 100%" not in page


def test_regrade_touches_only_attempts_the_trainer_may_see(app, db, scene, tmp_path):
    scene.accept_b(db)
    before = db.session.scalar(select(Attempt.score).where(Attempt.course_id == COURSE))
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    for name in ("check-passwords-mfa.gift", "check-passwords-mfa.es.gift", "check-passwords-mfa.pt.gift"):
        path = copy / COURSE / name
        path.write_text(swap_answer_key(path.read_text(), "length-vs-complexity"))
    sync_catalogue(app, copy)
    url = f"/trainer/quizzes/{COURSE}/{QUIZ}/regrade"
    assert "No attempt would change" in scene.b.get(url).get_data(as_text=True)
    applied = post_form(scene.b, url, {})
    assert applied.status_code == 303
    assert "Regraded 0 attempts" in scene.b.get(applied.location).get_data(as_text=True)
    assert db.session.scalar(select(Attempt.score).where(Attempt.course_id == COURSE)) == before
    assert "1 attempt would change" in scene.a.get(url).get_data(as_text=True)


def test_revoking_needs_authority_over_the_course_a_reason_and_is_audited(app, db, scene, make_user):
    code = scene.certificate.code
    url = f"/trainer/certificates/{code}/revoke"
    token = csrf_token(scene.b.get("/trainer/").get_data(as_text=True))

    def b_cannot():
        assert scene.b.get(url).status_code == 404
        assert scene.b.post(url, data={"csrf_token": token, "reason": "Mine now"}).status_code == 404
        assert db.session.get(Certificate, scene.certificate.id).revoked_at is None

    b_cannot()                                 # invited only
    scene.accept_b(db)
    b_cannot()                                 # accepted, same course, but issued before Ana joined B
    # A certificate B has authority over: issued after Ana joined B, in a course assigned to B's cohort.
    assign(scene.b, scene.cohort_b, "reporting-incidents")
    complete_course(app, scene.ana_client, scene.ana, "reporting-incidents")
    assert scene.b.get(f"/trainer/certificates/{certificate_of(db, scene.ana, 'reporting-incidents')}/revoke"
                       ).status_code == 200

    confirm = scene.a.get(f"{url}?next=/trainer/cohorts/{scene.cohort_a}/learners/{scene.ana.id}")
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and db.session.get(Certificate, scene.certificate.id).revoked_at is None
    assert "Ana Learner" in page and certificates.display_code(code) in page and "Passwords" in page
    assert 'name="reason"' in page and 'maxlength="500"' in page
    for reason in ("", "   ", "x" * 501):
        refused = scene.a.post(url, data={"csrf_token": csrf_token(page), "reason": reason})
        assert refused.status_code == 400
        assert db.session.get(Certificate, scene.certificate.id).revoked_at is None
    done = scene.a.post(f"{url}?next=/trainer/cohorts/{scene.cohort_a}/learners/{scene.ana.id}",
                        data={"csrf_token": csrf_token(page), "reason": "Quiz answers were shared"})
    assert done.status_code == 303 and done.location.endswith(f"/learners/{scene.ana.id}")
    revoked = db.session.get(Certificate, scene.certificate.id)
    assert revoked.revoked_at is not None and revoked.revoked_reason == "Quiz answers were shared"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "certificate.revoked"))
    trainer_a = db.session.scalar(select(User).where(User.email == "trainer.a@example.org"))
    assert event.actor_id == trainer_a.id
    assert (event.detail["certificate"], event.detail["reason"]) == (code, "Quiz answers were shared")
    detail = scene.detail(scene.a, scene.cohort_a).get_data(as_text=True)
    assert "Revoked on" in detail and "Quiz answers were shared" in detail
    # An admin has authority over every certificate.
    admin = app.test_client()
    make_user(role="admin", email="admin@example.org")
    log_in(admin, "admin@example.org")
    assert admin.get(f"/trainer/certificates/{certificate_of(db, scene.ana, 'reporting-incidents')}/revoke"
                     ).status_code == 200


def certificate_of(db, learner, course_id: str) -> str:
    return db.session.scalar(select(Certificate.code).where(Certificate.learner_id == learner.id,
                                                           Certificate.course_id == course_id))


def test_a_revoked_certificate_is_marked_for_its_learner_refused_as_pdf_and_verifies_as_revoked(app, db, scene):
    code = scene.certificate.code
    assert scene.ana_client.get(f"/certificates/{code}.pdf").status_code == 200
    page = scene.a.get(f"/trainer/certificates/{code}/revoke").get_data(as_text=True)
    scene.a.post(f"/trainer/certificates/{code}/revoke", data={"csrf_token": csrf_token(page),
                                                               "reason": "Identity not confirmed"})
    dashboard = scene.ana_client.get("/learning").get_data(as_text=True)
    certificates_section = dashboard.split('id="certificates"')[1]
    assert "Revoked on" in certificates_section and "Identity not confirmed" in certificates_section
    assert f"/certificates/{code}.pdf" not in dashboard
    assert "Certificate revoked" in dashboard.split('id="my-courses"')[1].split("</table>")[0]
    refused = scene.ana_client.get(f"/certificates/{code}.pdf")
    assert refused.status_code == 410 and refused.mimetype == "text/html"
    text = refused.get_data(as_text=True)
    assert "This certificate was revoked" in text and "Identity not confirmed" in text
    assert b"%PDF" not in refused.data
    verify = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert '<strong class="revoked">Revoked</strong>' in verify and "Identity not confirmed" not in verify
    # Nobody logged out reads it: the PDF asks for a login first, revoked or not.
    anonymous = app.test_client().get(f"/certificates/{code}.pdf")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")


def test_the_cohort_pages_read_a_constant_number_of_queries(app, db, scene, make_user):
    def queries(client, path) -> int:
        statements, stop = count_queries(db)
        try:
            assert client.get(path).status_code == 200
        finally:
            stop()
        return len(statements)

    table = f"/trainer/cohorts/{scene.cohort_a}/progress"
    detail = f"/trainer/cohorts/{scene.cohort_a}/learners/{scene.ana.id}"
    one_learner, one_detail = queries(scene.a, table), queries(scene.a, detail)
    for index in range(3):
        learner, learner_client = enrol_learner(app, db, scene.a, make_user, scene.cohort_a, f"l{index}@example.org")
        submit_quiz(learner_client, app, learner, COURSE, QUIZ, right=True)
    for course in db.session.scalars(select(Course.id).where(Course.id.not_in([COURSE, ESSAY_COURSE]))):
        assign(scene.a, scene.cohort_a, course)
    assert queries(scene.a, table) == one_learner
    queries(scene.a, detail)                  # reads each new course's syllabus once; it is cached afterwards
    assert queries(scene.a, detail) == one_detail


def test_each_cohort_grants_its_own_courses_from_its_own_acceptance(app, db, make_user):
    """The rule itself (trainer_scope.visible): one trainer, two cohorts with different courses, joined at
    different times; each membership opens only its cohort's courses, from its own accepted_at."""
    from datetime import timedelta

    from learnhub.models import Assignment, Cohort, CohortMember
    from learnhub.models.base import utcnow
    from learnhub.services import trainer_scope

    trainer = make_user(role="trainer", email="t@example.org")
    other = make_user(role="trainer", email="other@example.org")
    admin = make_user(role="admin", email="admin@example.org")
    learner = make_user(email="ana@example.org")
    now = utcnow()
    first, second = Cohort(trainer_id=trainer.id, name="1", organisation="O", country="DO", language="es"), \
        Cohort(trainer_id=trainer.id, name="2", organisation="O", country="DO", language="es")
    db.session.add_all([first, second])
    db.session.flush()
    db.session.add_all([Assignment(cohort_id=first.id, course_id=COURSE), Assignment(cohort_id=second.id,
                                                                                      course_id=ESSAY_COURSE),
                        CohortMember(cohort_id=first.id, learner_id=learner.id, accepted_at=now - timedelta(days=10)),
                        CohortMember(cohort_id=second.id, learner_id=learner.id, accepted_at=now - timedelta(days=2))])
    db.session.flush()

    def sees(user, course_id, days_ago):
        return db.session.scalar(select(trainer_scope.visible(user, learner.id, course_id,
                                                              now - timedelta(days=days_ago))))

    assert sees(trainer, COURSE, 5) and sees(trainer, COURSE, 10) and not sees(trainer, COURSE, 11)
    assert sees(trainer, ESSAY_COURSE, 1) and not sees(trainer, ESSAY_COURSE, 5)   # cohort 2 joined later
    assert not sees(trainer, "reporting-incidents", 0)                              # assigned to neither
    assert not sees(other, COURSE, 0)
    assert sees(admin, "reporting-incidents", 1000)
    db.session.get(CohortMember, (second.id, learner.id)).accepted_at = None        # back to invited only
    db.session.flush()
    assert not sees(trainer, ESSAY_COURSE, 0) and sees(trainer, COURSE, 0)


def test_the_trainer_sees_when_a_certificate_expires_or_expired(app, db, scene):
    """Decision 0064: the learner page says "Valid until" for a certificate with an expiry, "Expired on" after."""
    url = f"/trainer/cohorts/{scene.cohort_a}/learners/{scene.ana.id}"
    page = scene.a.get(url).get_data(as_text=True)
    assert "Valid until" not in page and "Expired on" not in page  # the course has no valid_for
    certificate = db.session.get(Certificate, scene.certificate.id)
    certificate.expires_at = datetime(2099, 3, 1, 12)
    db.session.commit()
    assert "Valid until Mar 1, 2099" in scene.a.get(url).get_data(as_text=True)
    certificate = db.session.get(Certificate, scene.certificate.id)  # the request closed the session
    certificate.expires_at = datetime(2020, 3, 1, 12)
    db.session.commit()
    page = scene.a.get(url).get_data(as_text=True)
    assert "Expired on Mar 1, 2020" in page and "Valid until" not in page

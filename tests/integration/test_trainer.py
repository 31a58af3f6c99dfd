"""Trainers through the Flask client: cohorts, imports, assignments, progress, exports, marking, regrades."""

from __future__ import annotations

import email
import email.policy
import io
import re
import shutil
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from learnhub.models import Attempt, AuditEvent, Cohort, CohortMember, Notice, User
from learnhub.models.base import utcnow
from learnhub.services import cohort_csv, cohorts
from tests.conftest import csrf_token, log_in, post_form
from tests.integration.learning_helpers import (
    CATALOGUE,
    accept_invitation,
    submit_quiz,
    swap_answer_key,
    sync_catalogue,
)


def create_cohort(client, name="Hospital San Juan, cohort 1", language="es") -> int:
    response = post_form(client, "/trainer/", {"name": name, "organisation": "Hospital San Juan", "country": "DO",
                                               "language": language})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(re.search(r"/trainer/cohorts/(\d+)", response.location).group(1))


def upload(client, cohort_id: int, data: bytes, name="people.csv"):
    page = client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    return client.post(f"/trainer/cohorts/{cohort_id}/import", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), name)})


def test_staff_accounts_never_become_members_and_the_trainer_cannot_tell(client, db, trainer, make_user):
    # Before issue 11 the trainer read "boss@example.org cannot be added to a cohort": an answer that told
    # who is staff. Now every address gets the same answer and the same line in the pending list.
    cohort_id = create_cohort(client)
    make_user(role="admin", email="boss@example.org")
    make_user(email="ana@example.org")
    messages = []
    for address in ("boss@example.org", "ana@example.org", "zoe@example.org"):  # staff, trainee, nobody
        response = post_form(client, f"/trainer/cohorts/{cohort_id}/people", {"email": address, "name": "A"},
                             page=f"/trainer/cohorts/{cohort_id}")
        assert response.status_code == 303
        page = client.get(response.location).get_data(as_text=True)
        messages.append([m.replace(address, "EMAIL") for m in re.findall(r'class="flash[^"]*">([^<]+)<', page)])
    assert messages[0] == messages[1] == messages[2] == [
        "EMAIL is invited to the cohort and joins once they accept.", "1 invitation is on its way."]
    assert db.session.scalar(select(func.count()).select_from(CohortMember)
                             .where(CohortMember.accepted_at.is_not(None))) == 0
    assert cohorts.members(db.session.get(Cohort, cohort_id)) == []


def test_only_trainers_and_admins_reach_trainer_pages(app, db, make_user):
    for role, status in (("trainee", 404), ("analyst", 404), ("trainer", 200), ("admin", 200)):
        client = app.test_client()
        make_user(role=role, email=f"{role}@example.org", countries=("DO",) if role == "analyst" else ())
        log_in(client, f"{role}@example.org")
        assert client.get("/trainer/").status_code == status, role


def test_trainers_never_see_each_others_cohorts_learners_or_exports(app, db, client, trainer, make_user):
    cohort_id = create_cohort(client)
    make_user(email="ana@example.org")
    post_form(client, f"/trainer/cohorts/{cohort_id}/people", {"email": "ana@example.org", "name": "Ana"},
              page=f"/trainer/cohorts/{cohort_id}")
    ana = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    other = app.test_client()
    make_user(role="trainer", email="other.trainer@example.org")
    log_in(other, "other.trainer@example.org")
    for path in (f"/trainer/cohorts/{cohort_id}", f"/trainer/cohorts/{cohort_id}/progress",
                 f"/trainer/cohorts/{cohort_id}/progress.csv", f"/trainer/cohorts/{cohort_id}/progress.xlsx",
                 f"/trainer/cohorts/{cohort_id}/learners/{ana.id}"):
        assert other.get(path).status_code == 404, path
    page = other.get("/trainer/").get_data(as_text=True)
    assert "Hospital San Juan, cohort 1" not in page
    token = csrf_token(page)
    assert other.post(f"/trainer/cohorts/{cohort_id}/people", data={"csrf_token": token, "email": "x@example.org",
                                                                     "name": "X"}).status_code == 404
    for action in ("send", "resend"):
        assert other.post(f"/trainer/cohorts/{cohort_id}/invitations/{action}",
                          data={"csrf_token": token, "learner": str(ana.id)}).status_code == 404
    # a learner who is not in the trainer's cohort answers 404 too
    stranger = make_user(email="stranger@example.org")
    assert client.get(f"/trainer/cohorts/{cohort_id}/learners/{stranger.id}").status_code == 404


def test_adding_people_invites_accounts_and_newcomers_and_never_duplicates(client, db, trainer, make_user,
                                                                         mail_dir):
    # Before issue 11 an existing account joined at once; now everyone is invited and joins on accepting.
    cohort_id = create_cohort(client)
    make_user(email="ana@example.org", language="en")
    for address in ("ana@example.org", " NEW.person@Example.org ", "new.person@example.org"):
        response = post_form(client, f"/trainer/cohorts/{cohort_id}/people", {"email": address, "name": "Person"},
                             page=f"/trainer/cohorts/{cohort_id}")
        assert response.status_code == 303
    assert db.session.scalars(select(CohortMember.accepted_at)).all() == [None, None]
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "new.person@example.org")) == 1
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in mail_dir.glob("*.eml")]
    assert sorted(m["To"] for m in messages) == ["ana@example.org", "new.person@example.org"]  # one mail each
    invitation = next(m for m in messages if m["To"] == "new.person@example.org")
    assert invitation["Subject"] == "Está invitado a LearnHub"  # the cohort's language, Spanish
    link = re.search(r"http://\S+/password/reset/(\S+)", invitation.get_content()).group(1)
    assert client.get(f"/password/reset/{link}").status_code == 200
    existing = next(m for m in messages if m["To"] == "ana@example.org")
    assert existing["Subject"] == "You are invited to join a LearnHub cohort"
    assert "http://127.0.0.1:5000/invitations" in existing.get_content()


def test_csv_with_bad_rows_imports_nothing_until_confirmed(client, db, trainer, mail_dir):
    cohort_id = create_cohort(client)
    data = ("nombre;correo;país;sector\n"
            "Ana Pérez;ana@example.org;República Dominicana;health\n"
            "Sin correo;;DO;health\n"
            "Luis Gómez;luis@example;DO;energy\n"
            "Ana again;ANA@example.org ;DO;health\n"
            "Rosa Díaz;rosa@example.org;Perú;public-administration\n").encode("cp1252")
    check = upload(client, cohort_id, data)
    page = check.get_data(as_text=True)
    assert check.status_code == 200
    assert "Line 3" in page and "Line 4" in page and "Line 5" in page
    assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 0
    confirm = client.post(f"/trainer/cohorts/{cohort_id}/import/confirm", data={
        "csrf_token": csrf_token(page), "upload": re.search(r'name="upload" type="hidden" value="([^"]+)"|'
                                                            r'id="upload" name="upload" type="hidden" value="([^"]+)"',
                                                            page).group(0).split('value="')[1].rstrip('"')})
    assert confirm.status_code == 303
    people = db.session.scalars(select(User).join(CohortMember, CohortMember.learner_id == User.id)).all()
    assert sorted((u.email, u.name, u.country) for u in people) == [
        ("ana@example.org", "Ana Pérez", "DO"), ("rosa@example.org", "Rosa Díaz", "PE")]
    assert len(list(mail_dir.glob("*.eml"))) == 2


def test_a_clean_csv_with_bom_imports_at_once(client, db, trainer):
    cohort_id = create_cohort(client)
    data = "\ufeffname,email\nKevin Baptiste,kevin@ttcsirt.gov.tt\n".encode()
    response = upload(client, cohort_id, data)
    assert response.status_code == 303
    assert db.session.scalar(select(User.name).join(CohortMember, CohortMember.learner_id == User.id)) == \
        "Kevin Baptiste"


def test_ten_thousand_rows_import_without_duplicates(db, trainer):
    lines = ["name,email"] + [f"Learner {i},learner{i}@example.org" for i in range(10_000)]
    lines.append("Learner 5 again, LEARNER5@example.org")
    parsed = cohort_csv.parse_learners_csv("\n".join(lines).encode())
    assert len(parsed.rows) == 10_000 and [e.code for e in parsed.errors] == ["duplicate-email"]
    cohort = cohorts.create(trainer, "Big", "Ministerio", "CO", "es")
    result = cohorts.add_people(cohort, [cohorts.Person(r.email, r.name) for r in parsed.rows])
    again = cohorts.add_people(cohort, [cohorts.Person(r.email, r.name) for r in parsed.rows[:100]])
    assert (result.invited, result.new_accounts) == (10_000, 10_000)
    assert (again.invited, again.already_invited) == (0, 100)
    assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 10_000


def accept(db, cohort_id: int, learner_id: int, at=None) -> None:
    """The learner accepts the invitation to the cohort (now, or at `at`); the trainer sees from then on."""
    db.session.get(CohortMember, (cohort_id, learner_id)).accepted_at = at or utcnow()
    db.session.commit()


def enrol_learner(app, db, client, make_user, cohort_id, address="ana@example.org", language="en"):
    """The trainer invites an existing trainee, who logs in and accepts."""
    learner = make_user(email=address, language=language, name="Ana Learner")
    post_form(client, f"/trainer/cohorts/{cohort_id}/people", {"email": address, "name": "Ana"},
              page=f"/trainer/cohorts/{cohort_id}")
    learner_client = app.test_client()
    log_in(learner_client, address)
    accept_invitation(learner_client, cohort_id)
    return learner, learner_client


def assign(client, cohort_id, course_id, due_on=None):
    """Assign a course; a due date in the past is confirmed, as the trainer does on the warning (issue 20)."""
    return post_form(client, f"/trainer/cohorts/{cohort_id}/assignments",
                     {"course": course_id, "due_on": due_on.isoformat() if due_on else "",
                      "confirm_past": "y" if due_on and due_on < date.today() else ""},
                     page=f"/trainer/cohorts/{cohort_id}")


def test_assignments_come_first_on_the_dashboard_and_overdue_is_marked(app, db, client, trainer, make_user):
    cohort_id = create_cohort(client)
    _, learner_client = enrol_learner(app, db, client, make_user, cohort_id)
    assert assign(client, cohort_id, "passwords-mfa", date.today() - timedelta(days=1)).status_code == 303
    assert assign(client, cohort_id, "reporting-incidents", date.today() + timedelta(days=30)).status_code == 303
    page = learner_client.get("/learning").get_data(as_text=True)
    rows = re.findall(r'<a href="/courses/([a-z-]+)">', page)
    assert rows[:2] == ["passwords-mfa", "reporting-incidents"]
    assert page.count("Overdue") == 1
    progress = client.get(f"/trainer/cohorts/{cohort_id}/progress?show=overdue").get_data(as_text=True)
    assert "Ana Learner" in progress and "Overdue" in progress


def test_progress_table_updates_and_exports_safely(app, db, client, trainer, make_user):
    cohort_id = create_cohort(client)
    learner, learner_client = enrol_learner(app, db, client, make_user, cohort_id)
    db.session.get(User, learner.id).name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    assign(client, cohort_id, "passwords-mfa")
    assert "Not started" in client.get(f"/trainer/cohorts/{cohort_id}/progress").get_data(as_text=True)
    submit_quiz(learner_client, app, learner, "passwords-mfa", "check-passwords-mfa", right=True)
    table = client.get(f"/trainer/cohorts/{cohort_id}/progress").get_data(as_text=True)
    assert "In progress" in table and "1/5" in table and "100%" in table
    csv_response = client.get(f"/trainer/cohorts/{cohort_id}/progress.csv")
    text = csv_response.data.decode("utf-8")
    assert text.startswith("\ufeff") and "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    workbook = load_workbook(io.BytesIO(client.get(f"/trainer/cohorts/{cohort_id}/progress.xlsx").data))
    values = [cell.value for cell in workbook.active[2]]
    assert values[0].startswith("'=HYPERLINK") and values[4] == 100
    assert [cell.value for cell in workbook.active[1]][:3] == ["Name", "E-mail address", "Passwords, password managers "
                                                                "and multi-factor authentication: Status"]
    events = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "cohort.progress_exported"))
    assert [e["format"] for e in events] == ["csv", "xlsx"]


def test_essay_marking_updates_the_attempt_and_tells_the_learner(app, db, client, trainer, make_user):
    cohort_id = create_cohort(client)
    learner, learner_client = enrol_learner(app, db, client, make_user, cohort_id)
    assign(client, cohort_id, "ics-critical-infrastructure")  # a trainer marks only in the cohort's courses
    response, _, _ = submit_quiz(learner_client, app, learner, "ics-critical-infrastructure", "check-ot-security",
                                 right=True)
    attempt = db.session.scalar(select(Attempt))
    assert (attempt.awaiting_marking, attempt.passed) == (1, False)
    queue = client.get("/trainer/marking").get_data(as_text=True)
    link = re.search(r'href="(/trainer/marking/\d+/[^"]+)"', queue).group(1)
    bad = post_form(client, link, {"score": "150", "feedback": "x"})
    assert bad.status_code == 400 and "Enter a mark from 0 to 100." in bad.get_data(as_text=True)
    marked = post_form(client, link, {"score": "80", "feedback": "Good plan; add who calls the CSIRT."})
    assert marked.status_code == 303
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.awaiting_marking == 0 and attempt.passed is True and attempt.score > 95
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1
    dashboard = learner_client.get("/learning").get_data(as_text=True)
    assert "A trainer marked your essay." in dashboard
    result = learner_client.get(response.location).get_data(as_text=True)
    assert "Correct" in result or "Partly correct (80%)" in result
    event = db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "attempt.essay_marked"))
    assert event["passed_before"] is False and event["passed_after"] is True
    assert "Nothing is waiting to be marked." in client.get("/trainer/marking").get_data(as_text=True)


def test_regrade_preview_equals_what_is_applied(app, db, client, trainer, make_user, tmp_path):
    cohort_id = create_cohort(client)
    learner, learner_client = enrol_learner(app, db, client, make_user, cohort_id)
    assign(client, cohort_id, "passwords-mfa")  # a trainer regrades only in the cohort's courses
    submit_quiz(learner_client, app, learner, "passwords-mfa", "check-passwords-mfa", right=True)
    before = db.session.scalar(select(Attempt.score))
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    quiz = copy / "passwords-mfa" / "check-passwords-mfa.gift"
    es_quiz = copy / "passwords-mfa" / "check-passwords-mfa.es.gift"
    pt_quiz = copy / "passwords-mfa" / "check-passwords-mfa.pt.gift"
    for path in (quiz, es_quiz, pt_quiz):
        path.write_text(swap_answer_key(path.read_text(), "length-vs-complexity"))
    sync_catalogue(app, copy)
    page = client.get("/trainer/quizzes/passwords-mfa/check-passwords-mfa/regrade").get_data(as_text=True)
    assert "1 attempt would change" in page
    previewed = re.findall(r"<td>([\d.]+)%</td>", page)
    applied = post_form(client, "/trainer/quizzes/passwords-mfa/check-passwords-mfa/regrade", {})
    assert applied.status_code == 303
    after = db.session.scalar(select(Attempt.score))
    assert after < before and previewed == [f"{round(before, 1)}", f"{round(after, 1)}"]
    event = db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "attempt.regraded"))
    assert (event["score_before"], event["score_after"]) == (before, after)
    again = client.get("/trainer/quizzes/passwords-mfa/check-passwords-mfa/regrade").get_data(as_text=True)
    assert "No attempt would change" in again


def test_question_analysis_counts_first_attempts(app, db, client, trainer, make_user):
    cohort_id = create_cohort(client)
    assign(client, cohort_id, "passwords-mfa")  # the analysis counts only the cohort's courses
    for index in range(5):
        learner, learner_client = enrol_learner(app, db, client, make_user, cohort_id, f"l{index}@example.org")
        submit_quiz(learner_client, app, learner, "passwords-mfa", "check-passwords-mfa", right=index < 3)
    page = client.get("/trainer/quizzes/passwords-mfa/check-passwords-mfa/analysis").get_data(as_text=True)
    assert "First attempts of 5 learners" in page
    assert "60%" in page  # 3 of 5 learners right on every auto-graded question


def test_content_preview_shows_problems_and_renders_before_sync(app, db, client, trainer, tmp_path):
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    (copy / "passwords-mfa" / "course.yaml").write_text(
        (copy / "passwords-mfa" / "course.yaml").read_text().replace("level:", "levle:", 1))
    app.config["COURSES_DIR"] = str(copy)
    try:
        listing = client.get("/trainer/content").get_data(as_text=True)
        assert "courses/passwords-mfa/course.yaml" in listing and "did you mean &#39;level&#39;?" in listing
        preview = client.get("/trainer/content/phishing-social-engineering")
        assert preview.status_code == 200 and preview.get_data(as_text=True).count("<fieldset") >= 8
        assert client.get("/trainer/content/..%2Fetc").status_code == 404
    finally:
        app.config["COURSES_DIR"] = str(CATALOGUE)


def test_cohort_form_errors_keep_what_was_typed(client, db, trainer):
    response = post_form(client, "/trainer/", {"name": "", "organisation": "MINSA", "country": "XX",
                                               "language": "es"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter a name for the cohort." in page and 'value="MINSA"' in page
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0

"""A trainer's journey in the browser: cohort, CSV import, invitation accepted by the learner, assignment,
progress, export, marking, regrade."""

from __future__ import annotations

import io
import shutil
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.test_learner_journey import answer_quiz
from tests.integration.learning_helpers import CATALOGUE, swap_answer_key

CSV = (b"name;email;country;sector\n"
       b"Marisol Quispe;marisol@minsa.gob.pe;PE;health\n"
       b"No e-mail here;;PE;health\n"
       b"Jean-Baptiste Louis;jb.louis@mspp.gouv.ht;HT;health\n")


def test_trainer_journey(page: Page, live_server, live_app, check_page, log_in_as, tmp_path):
    learner_page = page.context.browser.new_page()
    learner_email = None
    try:
        # The learner who will take the course has an account already.
        learner_email = log_in_as_other(learner_page, live_server, live_app)
        log_in_as("en", role="trainer")
        page.get_by_role("link", name="Trainer").click()
        check_page()
        page.get_by_label("Cohort name").fill("CSIRT Caribe 2026")
        page.get_by_label("Organisation").fill("CARICOM IMPACS")
        page.get_by_label("Country").select_option("TT")
        page.get_by_role("button", name="Create cohort").click()
        check_page()
        expect(page.get_by_role("heading", level=1)).to_have_text("CSIRT Caribe 2026")
        # Import a CSV with a bad row: nothing happens until the trainer confirms the good rows.
        page.get_by_label("CSV file").set_input_files(files=[{"name": "people.csv", "mimeType": "text/csv",
                                                              "buffer": CSV}])
        page.get_by_role("button", name="Check the file").click()
        check_page()
        expect(page.get_by_role("alert")).to_contain_text("Line 3")
        page.get_by_role("button", name="Import the valid rows").click()
        check_page()
        # The import ran as a job (inline here, right after the request): the page says what it did.
        expect(page.get_by_role("status")).to_contain_text("Imported 2 rows: 2 invited")
        page.get_by_label("E-mail address").fill(learner_email)
        page.get_by_label("Full name").fill("Kevin Baptiste")
        page.get_by_role("button", name="Add to cohort").click()
        check_page()
        expect(page.get_by_role("status").filter(has_text="is invited to the cohort and joins once they accept")
               ).to_be_visible()
        expect(page.locator("table", has_text="Invited, not joined yet")).to_contain_text("Kevin Baptiste")
        # The learner consents: the invitation waits on "My learning" until they accept it, logged in.
        learner_page.goto(live_server + "/learning")
        check_page(learner_page)
        invitation = learner_page.locator("section", has_text="Cohort invitations")
        expect(invitation).to_contain_text("CSIRT Caribe 2026")
        invitation.get_by_role("button", name="Accept and join").click()
        expect(learner_page.get_by_role("status").filter(has_text="You joined the cohort")).to_be_visible()
        page.reload()
        check_page()
        expect(page.locator("table", has_text="Members")).to_contain_text("Kevin Baptiste")
        assignments = (("passwords-mfa", date.today() + timedelta(days=14)), ("ics-critical-infrastructure", None))
        for course, due in assignments:
            page.get_by_label("Course", exact=True).select_option(course)
            if due:
                page.get_by_label("Due date (optional)").fill(due.isoformat())
            page.get_by_role("button", name="Assign course").click()
            check_page()
        page.get_by_role("link", name="Progress table").click()
        check_page()
        expect(page.locator(".progress-table tbody tr", has_text="Kevin Baptiste")).to_have_count(1)
        # The learner completes the assigned course and answers the quiz with an essay.
        complete_passwords_course(learner_page, live_server, live_app, learner_email)
        learner_page.goto(live_server + "/courses/ics-critical-infrastructure/quizzes/check-ot-security")
        answer_quiz(learner_page, live_app, learner_email, right=True, course="ics-critical-infrastructure",
                    quiz="check-ot-security")
        learner_page.get_by_role("button", name="Submit answers").click()
        expect(learner_page.get_by_role("status")).to_contain_text("awaits marking")
        page.reload()
        check_page()
        row = page.locator(".progress-table tbody tr", has_text="Kevin Baptiste")
        expect(row).to_contain_text("Completed")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download Excel (XLSX)").click()
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        assert any(r[0].value == "Kevin Baptiste" and r[2].value == "Completed" for r in sheet.iter_rows(min_row=2))
        # Mark the essay.
        page.get_by_role("link", name="Essays to mark").click()
        check_page()
        page.locator("main ul a").first.click()
        check_page()
        page.get_by_label("Mark (0 to 100%)").fill("90")
        page.get_by_label("Feedback for the learner").fill("Clear plan. Name who informs TT-CSIRT.")
        page.get_by_role("button", name="Save mark").click()
        check_page()
        expect(page.get_by_role("status")).to_contain_text("Mark saved")
        # Correct an answer key, sync, preview the regrade and apply it.
        copy = tmp_path / "courses"
        shutil.copytree(CATALOGUE, copy)
        for path in sorted((copy / "passwords-mfa").glob("check-passwords-mfa*.gift")):  # every language
            path.write_text(swap_answer_key(path.read_text(), "length-vs-complexity"))
        sync(live_app, copy)
        page.get_by_role("link", name="Quizzes").click()
        check_page()
        page.locator("tr", has_text="Passwords, password managers").get_by_role("link", name="Regrade").click()
        check_page()
        expect(page.locator("table caption")).to_contain_text("1 attempt would change")
        page.get_by_role("button", name="Apply the regrade").click()
        check_page()
        expect(page.get_by_role("status")).to_contain_text("Regraded 1 attempt;")
        # Revoke the learner's certificate: a confirmation page asks why; the learner sees it revoked.
        page.get_by_role("link", name="Cohorts").first.click()
        check_page()
        page.get_by_role("link", name="CSIRT Caribe 2026").click()
        check_page()
        page.get_by_role("link", name="Progress table").click()
        check_page()
        page.get_by_role("link", name="Kevin Baptiste").click()
        check_page()
        page.get_by_role("link", name="Revoke certificate").click()
        check_page()
        page.get_by_role("button", name="Revoke certificate").click()
        check_page()
        expect(page.get_by_role("alert")).to_contain_text("Say why the certificate is revoked.")
        page.get_by_label("Reason for revoking").fill("Completed by someone else")
        page.get_by_role("button", name="Revoke certificate").click()
        check_page()
        expect(page.get_by_role("status")).to_contain_text("is revoked")
        expect(page.locator("main")).to_contain_text("Completed by someone else")
        learner_page.goto(live_server + "/learning")
        check_page(learner_page)
        expect(learner_page.locator("main")).to_contain_text("Revoked on")
        expect(learner_page.get_by_role("link", name="Download PDF")).to_have_count(0)
    finally:
        learner_page.close()
        sync(live_app, CATALOGUE)  # leave the shared live database as the other browser tests expect it


def sync(live_app, folder: Path) -> None:
    result = live_app.test_cli_runner().invoke(args=["courses", "sync", str(folder)])
    assert result.exit_code == 0, result.output


def log_in_as_other(learner_page: Page, live_server: str, live_app) -> str:
    from learnhub.extensions import db
    from learnhub.services import accounts
    from tests.conftest import DEFAULT_PASSWORD, PROFILE

    email = "kevin.baptiste@ttcsirt.gov.tt"
    with live_app.app_context():
        if accounts.find_by_email(email) is None:
            accounts.create(email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": "en",
                                                                          "name": "Kevin Baptiste"}))
            db.session.commit()
        db.session.remove()
    learner_page.goto(live_server + "/login")
    learner_page.locator("#email").fill(email)
    learner_page.locator("#password").fill(DEFAULT_PASSWORD)
    learner_page.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
    learner_page.wait_for_url(live_server + "/")
    return email


def complete_passwords_course(learner_page: Page, live_server: str, live_app, email: str) -> None:
    learner_page.goto(live_server + "/learning")
    expect(learner_page.locator("main")).to_contain_text("Assigned")
    learner_page.goto(live_server + "/courses/passwords-mfa")
    learner_page.get_by_role("button", name="Enrol in this course").click()
    while learner_page.get_by_role("button", name="Mark as done and continue").count():
        learner_page.get_by_role("button", name="Mark as done and continue").click()
    answer_quiz(learner_page, live_app, email, right=True)
    learner_page.get_by_role("button", name="Submit answers").click()
    expect(learner_page.get_by_role("status")).to_contain_text("Passed")

"""Authoring in the browser, review and publishing (issue 16, decision 0074), in Spanish with axe on every page:
a trainer creates a course and adds a second trainer as reviewer; a validation error blocks submitting; once
fixed, the author submits and cannot approve their own work; the reviewer approves and publishes; a trainee
finds the course in the catalogue and reads its lesson."""

from __future__ import annotations

import secrets

from playwright.sync_api import Page, expect

from learnhub.extensions import db
from learnhub.services import accounts
from tests.browser.test_trainer_spanish_journey import es
from tests.conftest import DEFAULT_PASSWORD, PROFILE

BROKEN = "---\nminutes: 5\n---\nSin título todavía.\n"
FIXED = "---\ntitle: Qué es el phishing\nminutes: 5\n---\nEl phishing es un engaño por correo.\n"


def log_in_form(page: Page, live_server: str, check_page, email: str) -> None:
    page.goto(live_server + "/login")
    check_page()
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
    page.wait_for_url(live_server + "/")
    check_page()


def log_out(page: Page, check_page) -> None:
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("status")).to_contain_text("Su sesión se cerró.")
    check_page()


def take_step(page: Page, check_page, link: str, comment: str = "") -> None:
    page.get_by_role("link", name=es(link), exact=True).click()
    check_page()
    if comment:
        page.get_by_label(es("Comment")).fill(comment)
    page.get_by_role("button", name=es(link), exact=True).click()
    check_page()


def test_author_submits_a_reviewer_approves_and_publishes_a_trainee_reads_it(
        page: Page, live_server, live_app, check_page, log_in_as):
    course_id = f"phishing-{secrets.token_hex(3)}"
    reviewer = f"revisora-{secrets.token_hex(4)}@example.org"
    with live_app.app_context():
        accounts.create(reviewer, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": "es",
                                                                        "name": "Rosa Revisora"}), role="trainer")
        db.session.commit()
        db.session.remove()

    log_in_as("es", role="trainer")
    page.goto(live_server + "/author/")
    check_page()
    page.get_by_label("Identificador del curso").fill(course_id)
    page.get_by_label("Título del curso").fill("Phishing: lo básico")
    page.get_by_role("button", name="Crear a partir de la plantilla vacía").click()
    check_page()
    workspace_url = page.url
    expect(page.locator("#review + p")).to_contain_text(f"{es('State:')} {es('Draft')}")

    page.get_by_label(es("E-mail of a trainer or administrator")).fill(reviewer)
    page.get_by_label(es("Role"), exact=True).select_option("reviewer")
    page.get_by_role("button", name=es("Add or change member")).click()
    check_page()
    expect(page.get_by_role("status")).to_contain_text(es("Member added."))
    expect(page.locator("table", has_text="Rosa Revisora")).to_contain_text(es("Reviewer"))

    # An error blocks submitting; the submit page names it at its line.
    page.get_by_role("link", name="introduction.md", exact=True).click()
    check_page()
    page.get_by_role("link", name="Editar como texto sin formato").click()  # the whole file, front matter too
    check_page()
    page.get_by_label("Contenido del archivo").fill(BROKEN)
    page.get_by_role("button", name="Guardar").click()
    check_page()
    page.goto(workspace_url)
    check_page()
    take_step(page, check_page, "Submit for review")
    expect(page.get_by_role("alert")).to_contain_text("1 error de validación")
    expect(page.locator("li.problem-error")).to_contain_text("lesson has no title")
    page.goto(workspace_url + "/files/introduction.md?plain=1")
    check_page()
    page.get_by_label("Contenido del archivo").fill(FIXED)
    page.get_by_role("button", name="Guardar").click()
    check_page()
    page.goto(workspace_url)
    check_page()
    take_step(page, check_page, "Submit for review", "Lista para revisar")
    expect(page.get_by_role("status")).to_contain_text(es("Submitted for review."))
    expect(page.get_by_role("link", name=es("Approve"), exact=True)).to_be_visible()  # an owner may review...
    take_step(page, check_page, "Approve")  # ...but not what they submitted
    expect(page.get_by_role("alert")).to_contain_text(
        es("Approve: you submitted this version; another reviewer must approve it."))
    log_out(page, check_page)

    log_in_form(page, live_server, check_page, reviewer)
    page.goto(live_server + "/author/")
    check_page()
    page.get_by_role("link", name=course_id).click()
    check_page()
    expect(page.get_by_role("link", name=es("Submit for review"))).to_have_count(0)
    take_step(page, check_page, "Approve", "Correcto")
    expect(page.get_by_role("status")).to_contain_text(es("Approved."))
    take_step(page, check_page, "Publish", "Primera edición")
    expect(page.get_by_role("status")).to_contain_text(es("Published: the course is live in the catalogue."))
    expect(page.locator("#review + p")).to_contain_text(es("Published"))
    history = page.get_by_role("table", name=es("History of the review"))
    expect(history.locator("tbody tr").first).to_contain_text("Primera edición")
    expect(history.locator("tbody tr")).to_have_count(3)  # submitted, approved, published (a refusal is no step)
    log_out(page, check_page)

    log_in_as("es")
    page.goto(live_server + "/courses")
    check_page()
    page.get_by_role("link", name="Phishing: lo básico").click()
    check_page()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phishing: lo básico")
    page.get_by_role("link", name="Qué es el phishing").first.click()
    check_page()
    expect(page.locator("main")).to_contain_text("El phishing es un engaño por correo.")

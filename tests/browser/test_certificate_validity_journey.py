"""A Spanish-speaking learner's certificate that expires (decision 0064), in the browser with axe on every page:
complete a course with `valid_for: 1 month`, see the expiry on "Mi aprendizaje" and in the PDF, get the 30-day
reminder, time moves past the expiry (time-machine, decision 0066: the live server runs in this process), the
verification page says it expired and the PDF is refused, a trainer's recertification campaign brings the
learner back (first on their home page), the course is completed again and a renewal is issued."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect

from learnhub.extensions import db
from learnhub.jobs import tasks
from learnhub.models import Certificate, Cohort, CohortMember, Course, OutboundMail, User
from learnhub.models.base import utcnow
from learnhub.services import accounts
from tests.browser.test_learner_journey import answer_quiz
from tests.conftest import DEFAULT_PASSWORD, PROFILE

COURSE = "passwords-mfa"


@pytest.fixture
def one_month_course(live_app):
    with live_app.app_context():  # as a sync sets it: with a new sync time, so no page cached before is served
        course = db.session.get(Course, COURSE)
        synced = course.synced_at
        course.valid_months, course.synced_at = 1, datetime.now(UTC).replace(tzinfo=None)
        db.session.commit()
    yield
    with live_app.app_context():  # the live app is shared with the other browser tests
        course = db.session.get(Course, COURSE)
        course.valid_months, course.synced_at = None, synced
        db.session.commit()


def log_in_again(page: Page, live_server: str, check_page, email: str) -> None:
    page.goto(live_server + "/login")
    check_page()
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
    page.wait_for_url(live_server + "/")
    check_page()


def complete_in_the_browser(page: Page, live_server: str, live_app, check_page, email: str) -> None:
    page.goto(f"{live_server}/courses/{COURSE}")
    check_page()
    enrol = page.get_by_role("button", name="Inscribirse en este curso")
    if enrol.count():
        enrol.click()
    else:
        page.locator("main a[href*='/lessons/']").first.click()
    check_page()
    while page.get_by_role("button", name="Marcar como completada y continuar").count():
        page.get_by_role("button", name="Marcar como completada y continuar").click()
        check_page()
    expect(page.locator("form.quiz")).to_be_visible()
    answer_quiz(page, live_app, email, right=True)
    page.get_by_role("button", name="Enviar respuestas").click()
    check_page()
    expect(page.get_by_role("status")).to_contain_text("Aprobado")


def start_campaign_for(page: Page, live_server: str, live_app, check_page, learner_email: str) -> str:
    """A Spanish-speaking trainer, in a browser of their own, starts a campaign for the course with a cohort
    holding the learner, due in two weeks (a renewed one-month certificate lasts past that); returns its title."""
    trainer_email = f"formadora-{secrets.token_hex(4)}@example.org"
    cohort_name = f"Renovación {secrets.token_hex(2)}"
    with live_app.app_context():
        trainer = accounts.create(trainer_email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": "es"}),
                                  role="trainer")
        learner = db.session.scalar(db.select(User).where(User.email == learner_email))
        cohort = Cohort(trainer_id=trainer.id, name=cohort_name, organisation="Ministerio de Salud", country="PE",
                        language="es")
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=cohort.id, learner_id=learner.id, accepted_at=utcnow()))
        db.session.commit()
        db.session.remove()
    trainer_page = page.context.browser.new_page(locale="es-ES")
    try:
        log_in_again(trainer_page, live_server, lambda: check_page(trainer_page), trainer_email)
        trainer_page.goto(live_server + "/trainer/campaigns/")
        check_page(trainer_page)
        trainer_page.get_by_role("link", name="Iniciar una campaña").click()
        check_page(trainer_page)
        title = "Recertificación anual de contraseñas"
        trainer_page.get_by_label("Curso", exact=True).select_option(COURSE)
        trainer_page.get_by_label("Título (opcional)").fill(title)
        trainer_page.get_by_label("Fecha límite", exact=True).fill((utcnow().date() + timedelta(days=14)).isoformat())
        trainer_page.get_by_label(cohort_name).check()
        trainer_page.get_by_role("button", name="Iniciar la campaña").click()
        check_page(trainer_page)
        expect(trainer_page.get_by_role("heading", level=1)).to_have_text(title)
    finally:
        trainer_page.close()
    return title


def codes(live_app, email: str) -> list[str]:
    with live_app.app_context():
        learner = db.session.scalar(db.select(User).where(User.email == email))
        found = list(db.session.scalars(db.select(Certificate.code).where(Certificate.learner_id == learner.id)
                                        .order_by(Certificate.generation)))
        db.session.remove()
    return found


def test_an_expiring_certificate_in_spanish(page: Page, live_server, live_app, check_page, log_in_as,
                                            one_month_course):
    with time_machine.travel(datetime(2027, 1, 10, 9, 0, tzinfo=UTC), tick=True):
        email = log_in_as("es")
        complete_in_the_browser(page, live_server, live_app, check_page, email)
        page.get_by_role("link", name="Mi aprendizaje").click()
        check_page()
        expect(page.locator("main")).to_contain_text("Válido hasta el 10 feb 2027")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Descargar PDF").click()
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(download_info.value.path()), "-"], capture_output=True,
                                  text=True, check=True).stdout
            assert "Válido hasta el 10 de febrero de 2027" in text and "Lucía Fernández" in text
        [first] = codes(live_app, email)

    with time_machine.travel(datetime(2027, 1, 11, 9, 30, tzinfo=UTC), tick=True):  # 30 days before expiry
        with live_app.app_context():
            assert tasks.remind_expiring_certificates.call_local() >= 1
            subjects = list(db.session.scalars(db.select(OutboundMail.subject).where(OutboundMail.recipient == email)
                                               .where(OutboundMail.subject.like("%certificado%"))))
            db.session.remove()
        assert subjects == ["Su certificado de LearnHub vence en 30 días"]

    with time_machine.travel(datetime(2027, 2, 11, 10, 0, tzinfo=UTC), tick=True):  # a day after expiry
        verifier = page.context.browser.new_page(locale="es")  # anyone reading the code, in Spanish
        try:
            verifier.goto(f"{live_server}/verify/{first}")
            check_page(verifier)
            expect(verifier.locator(".certificate-facts")).to_contain_text("Vencido")
            expect(verifier.locator(".certificate-facts")).to_contain_text("Válido hasta10 feb 2027")
        finally:
            verifier.close()
        log_in_again(page, live_server, check_page, email)
        page.goto(live_server + "/learning")
        check_page()
        expect(page.locator("main")).to_contain_text("Vencido el 10 feb 2027")
        expect(page.get_by_role("link", name="Descargar PDF")).to_have_count(0)
        page.goto(f"{live_server}/certificates/{first}.pdf")
        check_page()
        expect(page.locator("h1")).to_have_text("Este certificado ha vencido")
        # A trainer's recertification campaign brings the learner back: first on their home page, its link
        # into the course; completing it again issues a new certificate, linked to the old one.
        title = start_campaign_for(page, live_server, live_app, check_page, email)
        page.goto(live_server + "/")
        check_page()
        campaigns = page.get_by_role("region", name="Recertificación solicitada")
        expect(campaigns).to_contain_text(title)
        expect(page.locator("main section").first).to_have_attribute("aria-labelledby", "campaigns-heading")
        campaigns.get_by_role("link", name=re.compile("Ir al curso")).click()
        check_page()
        assert page.url == f"{live_server}/courses/{COURSE}"
        complete_in_the_browser(page, live_server, live_app, check_page, email)
        page.goto(live_server + "/")
        check_page()
        expect(page.locator("main")).not_to_contain_text("Recertificación solicitada")
        page.goto(live_server + "/learning")
        check_page()
        expect(page.locator("main")).to_contain_text("Válido hasta el 11 mar 2027")
        expect(page.locator("main")).to_contain_text("(renovado)")
        first_again, second = codes(live_app, email)
        assert first_again == first and second != first
        page.goto(f"{live_server}/verify/{second}")
        check_page()
        expect(page.locator(".certificate-facts")).to_contain_text("Válido")
        expect(page.locator(".certificate-facts")).not_to_contain_text("Vencido")

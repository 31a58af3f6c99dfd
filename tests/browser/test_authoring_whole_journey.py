"""Issue 16's whole journey, in Spanish with axe on every page (no violation of any impact): a trainer creates a
course with two lessons (one with an image) and a quiz with every GIFT type, sees a validation error at its line
and fixes it, adds the Portuguese translation of one lesson and submits; a reviewer approves and publishes; a
trainee takes it; the author changes a quiz answer and the course is published again, and the trainee's earlier
attempt still shows the questions as they were.

With LEARNHUB_DOC_SCREENSHOTS=1 it also saves the screenshots of docs/authoring.md (docs/images/authoring-*.png)."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from playwright.sync_api import Page, expect

from learnhub.extensions import db
from learnhub.services import accounts
from tests.browser.test_authoring_review_journey import take_step
from tests.browser.test_learner_journey import answer_quiz
from tests.browser.test_trainer_spanish_journey import es
from tests.conftest import DEFAULT_PASSWORD, PROFILE

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
INTRODUCTION = ("---\ntitle: Qué es el phishing\nminutes: 5\n---\n"
                "El phishing es un engaño: un mensaje que imita a alguien de confianza para que usted haga clic, "
                "abra un adjunto o entregue una contraseña.\n")
FACTORS = ("---\ntitle: Segundos factores\nminutes: 5\n---\n"
           "No todos los segundos factores protegen igual frente al phishing: un código por SMS se puede pedir "
           "con engaños, una llave de acceso no.\n\n"
           "![Escalera de segundos factores, de la contraseña sola a la llave de acceso](media/escalera.png)\n")
PICTURE = Path(__file__).resolve().parents[2] / "courses" / "passwords-mfa" / "media" / "mfa-ladder-es.png"
ALT = "Escalera de segundos factores, de la contraseña sola a la llave de acceso"
INTRODUCTION_PT = ("---\ntitle: O que é o phishing\nminutes: 5\n---\n"
                   "O phishing é um engano: uma mensagem que imita alguém de confiança para que você clique, abra "
                   "um anexo ou entregue uma senha.\n")
QUIZ = """::repaso:: Las preguntas siguientes repasan las dos lecciones.

::dominio:: ¿Qué dominio envía realmente un mensaje de soporte@banco-ejemplo.com.co.verificar.net? {
=verificar.net#Correcto: el dominio se lee de derecha a izquierda.
~banco-ejemplo.com.co#No: esa parte es un subdominio de verificar.net.
~soporte
}

::mfa:: La autenticación multifactor detiene todos los ataques de phishing. {F}

::numero:: ¿A qué número se llama en España para pedir ayuda en ciberseguridad? {=017}

::horas:: ¿Cuántas horas da NIS2 para la alerta temprana de un incidente significativo? {#24:0}

::canales:: Empareje cada engaño con su canal. {=Phishing -> correo =Smishing -> SMS =Vishing -> voz}

::senales:: ¿Cuáles son señales de alerta? {~%50%Urgencia ~%50%Remitente desconocido ~%-100%Su colega de siempre}

::reportar:: Reporte el phishing a su {=equipo de seguridad ~familia ~vecino} lo antes posible.

::relato:: Describa cómo reportaría un mensaje sospechoso en su institución. {}
"""
BROKEN_QUIZ = QUIZ.replace("{#24:0}", "{#24:0")  # a brace left open


def shot(page: Page, name: str, show=None) -> None:
    """A screenshot for docs/authoring.md, of the screen with `show` (a locator) scrolled into it."""
    if os.environ.get("LEARNHUB_DOC_SCREENSHOTS"):
        IMAGES.mkdir(parents=True, exist_ok=True)
        if show is not None:
            show.scroll_into_view_if_needed()
        page.screenshot(path=str(IMAGES / f"authoring-{name}.png"))


def new_page(page: Page) -> Page:
    other = page.context.browser.new_page(viewport={"width": 1280, "height": 900}, locale="es-ES")
    other.set_default_timeout(8_000)
    return other


def log_in(target: Page, live_server: str, check_page, email: str) -> None:
    target.goto(live_server + "/login")
    check_page(target)
    target.locator("#email").fill(email)
    target.locator("#password").fill(DEFAULT_PASSWORD)
    target.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
    target.wait_for_url(live_server + "/")
    check_page(target)


def edit_as_text(page: Page, check_page, url: str, text: str) -> None:
    page.goto(url + "?plain=1")
    check_page()
    page.get_by_label("Contenido del archivo").fill(text)
    page.get_by_role("button", name="Guardar", exact=True).click()
    check_page()
    expect(page.get_by_role("status")).to_contain_text("Guardado como una nueva versión.")


def add_item(page: Page, check_page, kind: str, key: str, title: str) -> None:
    page.get_by_label("Módulo", exact=True).select_option(index=0)
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Identificador del elemento").fill(key)
    page.get_by_label("Título de un archivo nuevo").fill(title)
    page.get_by_role("button", name="Añadir el elemento").click()
    check_page()


def test_a_course_authored_reviewed_published_taken_and_republished_in_spanish(
        page: Page, live_server, live_app, check_page, log_in_as, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    course_id = f"phishing-{secrets.token_hex(3)}"
    reviewer_email = f"revisor-{secrets.token_hex(4)}@example.org"
    with live_app.app_context():
        accounts.create(reviewer_email, DEFAULT_PASSWORD, accounts.Profile(
            **{**PROFILE, "language": "es", "name": "Raúl Revisor"}), role="trainer")
        db.session.commit()
        db.session.remove()

    # The trainer creates the course and names its reviewer.
    log_in_as("es", role="trainer")
    page.goto(live_server + "/author/")
    check_page()
    shot(page, "1-workspaces")
    page.get_by_label("Identificador del curso").fill(course_id)
    page.get_by_label("Título del curso").fill("Phishing: reconocer y reportar")
    page.get_by_role("button", name="Crear a partir de la plantilla vacía").click()
    check_page()
    workspace_url = page.url
    page.get_by_label(es("E-mail of a trainer or administrator")).fill(reviewer_email)
    page.get_by_label(es("Role"), exact=True).select_option("reviewer")
    page.get_by_role("button", name=es("Add or change member")).click()
    check_page()

    # Portuguese becomes a course language; a second lesson and a quiz join the module, as new files.
    page.get_by_role("link", name="Ajustes del curso", exact=True).click()
    check_page()
    page.get_by_label("Idiomas", exact=True).fill("en, pt")
    page.get_by_role("button", name="Guardar los ajustes").click()
    check_page()
    expect(page.get_by_role("status")).to_contain_text("Guardado como una nueva versión de course.yaml.")
    shot(page, "2-settings")
    page.goto(workspace_url)
    page.get_by_role("link", name="Módulos y elementos", exact=True).click()
    check_page()
    add_item(page, check_page, "Lección", "factores", "Segundos factores")
    add_item(page, check_page, "Cuestionario", "comprobar", "Compruebe lo aprendido")
    expect(page.locator("section.card").first).to_contain_text("factores")
    expect(page.locator("section.card").first).to_contain_text("comprobar")
    shot(page, "3-modules")

    # The image, uploaded, and the two lessons written (the first in its fields, the second as text).
    page.goto(workspace_url + "/media")
    check_page()
    picture = tmp_path / "escalera.png"
    picture.write_bytes(PICTURE.read_bytes())
    page.get_by_label("Imagen o PDF").set_input_files(str(picture))
    page.get_by_role("button", name="Subir", exact=True).click()
    check_page()
    expect(page.get_by_role("status")).to_contain_text("media/escalera.png subido.")
    edit_as_text(page, check_page, f"{workspace_url}/files/introduction.md", INTRODUCTION)
    edit_as_text(page, check_page, f"{workspace_url}/files/factores.md", FACTORS)
    page.get_by_role("button", name="Vista previa").click()
    check_page()
    expect(page.locator(f"main img[alt='{ALT}']")).to_be_visible()
    shot(page, "4-preview", page.locator("main img"))

    # The quiz, with a brace left open: the error at its line, then fixed; its preview, tried.
    edit_as_text(page, check_page, f"{workspace_url}/files/comprobar.gift", BROKEN_QUIZ)
    problems = page.get_by_role("region", name="Problemas en este archivo")
    line = QUIZ[:QUIZ.index("{#24:0}")].count("\n") + 1
    expect(problems.locator("li.problem-error").first).to_contain_text(re.compile(rf"línea {line}\s*:"))
    expect(problems.locator("li.problem-error").first).to_contain_text(f"{line} | ::horas::")
    shot(page, "5-error-at-its-line")
    edit_as_text(page, check_page, f"{workspace_url}/files/comprobar.gift", QUIZ)
    expect(page.get_by_role("region", name="Problemas en este archivo")).to_contain_text("Sin problemas")
    page.get_by_role("button", name="Vista previa").click()
    check_page()
    expect(page.locator("fieldset.question")).to_have_count(8)  # and the description, a text of its own
    expect(page.locator("main")).to_contain_text("Las preguntas siguientes repasan las dos lecciones.")
    for kind in ("choice", "truefalse", "short", "numeric", "matching", "multi", "essay"):
        expect(page.locator(f"fieldset.question-{kind}").first).to_be_attached()

    # The Portuguese translation of the first lesson, side by side.
    page.goto(workspace_url + "/translations")
    check_page()
    page.locator("tbody tr", has_text="introduction").get_by_role(
        "link", name=re.compile(r"^Traducir\s*: Qué es el phishing, portugués$")).click()
    check_page()
    page.get_by_label("Traducción", exact=True).fill(INTRODUCTION_PT)
    page.get_by_role("button", name="Guardar la traducción").click()
    check_page()
    expect(page.get_by_role("region", name="Problemas en este archivo")).to_contain_text("Sin problemas")
    shot(page, "6-translation")

    # Submitted; the reviewer approves and publishes.
    page.goto(workspace_url)
    check_page()
    take_step(page, check_page, "Submit for review", "Primera versión completa")
    expect(page.get_by_role("status")).to_contain_text(es("Submitted for review."))
    reviewer = new_page(page)
    trainee = new_page(page)
    try:
        log_in(reviewer, live_server, check_page, reviewer_email)
        reviewer.goto(workspace_url)
        check_page(reviewer)
        take_step(reviewer, lambda: check_page(reviewer), "Approve", "Correcto")
        take_step(reviewer, lambda: check_page(reviewer), "Publish", "Primera edición")
        expect(reviewer.get_by_role("status")).to_contain_text(
            es("Published: the course is live in the catalogue."))
        shot(reviewer, "7-published")

        # A trainee takes it: the lesson with its image, in the catalogue; the quiz, answered.
        trainee_email = f"participante-{secrets.token_hex(4)}@example.org"
        with live_app.app_context():
            accounts.create(trainee_email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": "es"}))
            db.session.commit()
            db.session.remove()
        log_in(trainee, live_server, check_page, trainee_email)
        trainee.goto(f"{live_server}/courses/{course_id}")
        check_page(trainee)
        trainee.get_by_role("button", name="Inscribirse en este curso").click()
        check_page(trainee)
        while trainee.get_by_role("button", name="Marcar como completada y continuar").count():
            if trainee.locator("main img").count():
                expect(trainee.locator("main img")).to_have_attribute("alt", ALT)
                assert trainee.request.get(live_server + trainee.locator("main img").get_attribute("src")).ok
            trainee.get_by_role("button", name="Marcar como completada y continuar").click()
            check_page(trainee)
        answer_quiz(trainee, live_app, trainee_email, right=True, course=course_id, quiz="comprobar")
        trainee.get_by_role("button", name="Enviar respuestas").click()
        check_page(trainee)
        attempt_url = trainee.url
        old_option = trainee.locator("main label", has_text=re.compile(r"^\s*banco-ejemplo\.com\.co\s*$"))
        expect(old_option).to_have_count(1)

        # The author changes an answer; the course is published again; the attempt keeps what it showed.
        edit_as_text(page, check_page, f"{workspace_url}/files/comprobar.gift",
                     QUIZ.replace("~banco-ejemplo.com.co#", "~banco-ejemplo.co#"))
        page.goto(workspace_url)
        check_page()
        take_step(page, check_page, "Submit for review", "Una respuesta corregida")
        reviewer.goto(workspace_url)
        check_page(reviewer)
        take_step(reviewer, lambda: check_page(reviewer), "Approve")
        take_step(reviewer, lambda: check_page(reviewer), "Publish", "Segunda edición")
        trainee.goto(f"{live_server}/courses/{course_id}/quizzes/comprobar")
        check_page(trainee)
        expect(trainee.locator("form.quiz label", has_text=re.compile(r"^\s*banco-ejemplo\.co\s*$"))).to_have_count(1)
        expect(trainee.locator("form.quiz label", has_text=re.compile(r"^\s*banco-ejemplo\.com\.co\s*$"))) \
            .to_have_count(0)
        trainee.goto(attempt_url)
        check_page(trainee)
        expect(old_option).to_have_count(1)  # the attempt, as it was shown
        expect(trainee.locator("main label", has_text=re.compile(r"^\s*banco-ejemplo\.co\s*$"))).to_have_count(0)
    finally:
        reviewer.close()
        trainee.close()

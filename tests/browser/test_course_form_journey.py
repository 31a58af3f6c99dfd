"""course.yaml as forms (issue 16, decision 0080), in Spanish on a 390-pixel phone and a 1280-pixel desktop: a
trainer changes a course's title and level in "Course settings", adds a module with a new quiz (and sets its
attempts and shuffling), moves the module up and removes a lesson (after a confirmation that says its file
stays). axe on every page (no violation of any impact), and no page wider than the screen."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.browser.authoring_steps import new_workspace
from tests.browser.test_trainer_spanish_journey import check  # noqa: F401  (the fixture)


@pytest.mark.parametrize("width", (390, 1280))
def test_a_trainer_edits_course_settings_and_modules_in_spanish(page: Page, live_server, log_in_as, check,  # noqa: F811
                                                                 width):
    page.set_viewport_size({"width": width, "height": 900})
    course_id = f"ajustes-{width}-{secrets.token_hex(3)}"
    log_in_as("es", role="trainer")
    workspace_url = new_workspace(page, live_server, check, course_id)

    # Course settings: the title and the level.
    page.get_by_role("link", name="Ajustes del curso", exact=True).click()
    check()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ajustes del curso {course_id}")
    page.get_by_label("Título", exact=True).fill("Phishing: detectar y reportar")
    page.get_by_label("Nivel", exact=True).select_option(label="Intermedio")
    page.get_by_label("Minutos", exact=True).fill("muchos")  # a mistake first: named, and nothing lost
    page.get_by_role("button", name="Guardar los ajustes").click()
    check()
    expect(page.get_by_role("alert")).to_contain_text("Minutos: escriba un número entero")
    expect(page.get_by_label("Título", exact=True)).to_have_value("Phishing: detectar y reportar")
    page.get_by_label("Minutos", exact=True).fill("45")
    page.get_by_role("button", name="Guardar los ajustes").click()
    check()
    expect(page.get_by_role("status")).to_contain_text("Guardado como una nueva versión de course.yaml.")
    expect(page.get_by_label("Nivel", exact=True)).to_have_value("intermediate")

    # Modules: a new module with a new quiz, moved above the first one.
    page.get_by_role("link", name="Módulos y elementos", exact=True).click()
    check()
    page.get_by_label("Identificador del módulo").fill("responder")
    page.get_by_label("Título del módulo").fill("Responder y reportar")
    page.get_by_role("button", name="Añadir el módulo").click()
    check()
    page.get_by_label("Módulo", exact=True).select_option(label="Responder y reportar")
    page.get_by_label("Cuestionario", exact=True).check()
    page.get_by_label("Identificador del elemento").fill("comprobar")
    page.get_by_label("Título de un archivo nuevo").fill("Compruebe lo aprendido")
    page.get_by_role("button", name="Añadir el elemento").click()
    check()
    settings = page.locator("details", has=page.get_by_text("Ajustes del cuestionario"))
    settings.locator("summary").click()
    check()
    settings.get_by_label("Intentos permitidos").fill("3")
    settings.get_by_label("Mezclar preguntas y opciones").check()
    settings.get_by_role("button", name="Guardar los ajustes del cuestionario").click()
    check()
    page.get_by_role("button", name=re.compile(r"^Subir el módulo\s*: responder$")).click()
    check()
    headings = page.locator("section.card h2")
    expect(headings.first).to_contain_text("Responder y reportar")
    expect(headings.nth(1)).to_contain_text("First module")
    expect(page.locator("section.card").first.locator("li")).to_contain_text("comprobar")

    # Removing the lesson asks first and keeps its file.
    page.get_by_role("button", name=re.compile(r"^Quitar\s*: introduction$")).click()
    check()
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Quitar introduction del módulo module-1?")
    expect(page.get_by_text("los archivos de lecciones y cuestionarios quedan en el espacio")).to_be_visible()
    page.get_by_role("button", name="Sí, quitar").click()
    check()
    expect(page.locator("section.card").nth(1)).to_contain_text("Todavía no hay elementos.")
    expect(page.get_by_text("Archivos del curso que ningún módulo incluye todavía:")).to_contain_text("introduction.md")

    # The file editor shows the result, and the quiz file exists.
    page.goto(workspace_url)
    check()
    expect(page.get_by_role("link", name="comprobar.gift", exact=True)).to_be_visible()
    page.get_by_role("link", name="course.yaml", exact=True).click()
    check()
    text = page.get_by_label("Contenido del archivo").input_value()
    assert "max_attempts: 3" in text and "shuffle: true" in text
    assert "level: intermediate" in text and "en: 'Phishing: detectar y reportar'" in text and "minutes: 45" in text
    assert text.index("id: responder") < text.index("id: module-1") and "lesson: introduction" not in text

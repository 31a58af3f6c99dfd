"""Authoring in the browser, first slice (issue 16), in Spanish: a trainer creates a course from the
template, breaks a lesson, sees the validation error at its line next to the editor, fixes it, and reads
the file's history with a line-numbered diff. axe on every page."""

from __future__ import annotations

import secrets

from playwright.sync_api import Page, expect

BROKEN = "---\nminutes: 5\n---\nSin título todavía.\n"
FIXED = "---\ntitle: Qué es el phishing\nminutes: 5\n---\nEl phishing es un engaño.\n"


def test_authoring_journey_in_spanish(page: Page, live_server, check_page, log_in_as):
    course_id = f"phishing-{secrets.token_hex(3)}"
    log_in_as("es", role="trainer")
    page.get_by_role("link", name="Instructor").click()
    check_page()
    page.get_by_role("link", name="Creación de cursos").click()
    check_page()
    expect(page.get_by_text("Todavía no pertenece a ningún espacio de trabajo de curso.")).to_be_visible()
    page.get_by_label("Identificador del curso").fill(course_id)
    page.get_by_label("Título del curso").fill("Phishing: lo básico")
    page.get_by_role("button", name="Crear a partir de la plantilla vacía").click()
    check_page()
    expect(page.get_by_role("heading", level=1)).to_have_text(course_id)
    expect(page.get_by_role("status")).to_contain_text(f"Espacio de trabajo {course_id} creado.")
    expect(page.get_by_text("Sin problemas")).to_be_visible()

    page.get_by_role("link", name="introduction.md", exact=True).click()
    check_page()
    page.get_by_role("link", name="Editar como texto sin formato").click()  # the whole file, front matter too
    check_page()
    page.get_by_label("Contenido del archivo").fill(BROKEN)
    page.get_by_role("button", name="Guardar").click()
    check_page()
    expect(page.get_by_role("status")).to_contain_text("Guardado como una nueva versión.")
    problems = page.locator("section.editor-problems")
    expect(problems).to_contain_text("1 error")
    expect(problems.locator("li.problem-error")).to_contain_text("línea 1")
    expect(problems.locator("li.problem-error")).to_contain_text("lesson has no title")
    expect(page.get_by_label("Contenido del archivo")).to_have_value(BROKEN)

    page.get_by_label("Contenido del archivo").fill(FIXED)
    page.get_by_role("button", name="Guardar").click()
    check_page()
    expect(problems).to_contain_text("Sin problemas")

    page.get_by_role("link", name="Historial de este archivo").click()
    check_page()
    expect(page.locator("caption")).to_have_text("3 versiones")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Cambios de la versión")
    expect(page.locator("tr.diff-added", has_text="El phishing es un engaño.")).to_contain_text("5")
    expect(page.locator("tr.diff-removed", has_text="Sin título todavía.")).to_contain_text("eliminada")
    page.locator("input[name=old]").last.check()  # the template's version against the newest
    page.get_by_role("button", name="Comparar").click()
    check_page()
    expect(page.locator("tr.diff-removed", has_text="Write the lesson here, in Markdown.")).to_be_visible()
    expect(page.locator("tr.diff-added", has_text="El phishing es un engaño.")).to_be_visible()

"""Steps the authoring journeys share (issue 16)."""

from __future__ import annotations

from playwright.sync_api import Page


def new_workspace(page: Page, live_server: str, check, course_id: str, title: str = "Phishing: lo básico") -> str:
    """From "Creación de cursos", a workspace from the empty template, in Spanish; returns its URL. `check` runs
    on each page (axe and the page's width)."""
    page.goto(live_server + "/author/")
    check()
    page.get_by_label("Identificador del curso").fill(course_id)
    page.get_by_label("Título del curso").fill(title)
    page.get_by_role("button", name="Crear a partir de la plantilla vacía").click()
    check()
    return page.url

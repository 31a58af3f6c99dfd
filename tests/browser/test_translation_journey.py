"""Translating a course in the browser (issue 16, decision 0077), in Spanish on a 390-pixel phone and a 1280-pixel
desktop: a trainer adds Portuguese to a new course, translates its lesson side by side, changes the source and
sees the translation marked older with what changed, and brings it up to date. axe on every page (no violation
of any impact), and no page wider than the screen."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.browser.authoring_steps import new_workspace
from tests.browser.test_trainer_spanish_journey import check  # noqa: F401  (the fixture)

LESSON_PT = "---\ntitle: O que é o phishing\nminutes: 5\n---\nO phishing é um engano.\n"


@pytest.mark.parametrize("width", (390, 1280))
def test_translating_a_lesson_side_by_side_in_spanish(page: Page, live_server, log_in_as, check, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    course_id = f"traducir-{width}-{secrets.token_hex(3)}"
    log_in_as("es", role="trainer")
    workspace_url = new_workspace(page, live_server, check, course_id)

    # Portuguese becomes a course language in course.yaml, through the editor.
    page.get_by_role("link", name="course.yaml", exact=True).click()
    check()
    editor = page.get_by_label("Contenido del archivo")
    editor.fill(editor.input_value().replace("languages: [en]", "languages: [en, pt]"))
    page.get_by_role("button", name="Guardar").click()
    check()

    page.goto(workspace_url)
    page.get_by_role("link", name="Traducciones", exact=True).click()
    check()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Traducciones de {course_id}")
    row = page.locator("tbody tr", has_text="introduction")
    expect(row.locator("td.translation-source")).to_have_text("Original: introduction.md")
    expect(row.locator("td.translation-not-listed")).to_have_count(2)  # Spanish and French: not course languages
    row.get_by_role("link", name=re.compile(r"^Traducir\s*: Introduction, portugués$")).click()
    check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Introduction en portugués")
    expect(page.locator("pre.source-text")).to_contain_text("Write the lesson here, in Markdown.")
    translation = page.get_by_label("Traducción", exact=True)
    expect(translation).to_have_attribute("lang", "pt")
    expect(translation).to_have_value(page.locator("pre.source-text").inner_text() + "\n")
    translation.fill(LESSON_PT)
    page.get_by_role("button", name="Guardar la traducción").click()
    check()
    expect(page.get_by_role("status")).to_contain_text("Guardado como una nueva versión.")
    expect(page.get_by_role("region", name="Problemas en este archivo")).to_contain_text("Sin problemas")

    # The source changes: the translation is older, and its page shows what changed.
    page.goto(workspace_url)
    page.get_by_role("link", name="introduction.md", exact=True).click()
    check()
    page.get_by_role("link", name="Editar como texto sin formato").click()  # the whole file, front matter too
    check()
    editor = page.get_by_label("Contenido del archivo")
    editor.fill(editor.input_value() + "A new closing paragraph.\n")
    page.get_by_role("button", name="Guardar").click()
    check()
    page.goto(workspace_url + "/translations")
    check()
    row = page.locator("tbody tr", has_text="introduction")
    row.get_by_role("link", name=re.compile(r"^Más antigua que el original\s*: Introduction, portugués$")).click()
    check()
    changes = page.get_by_role("region", name="El original cambió desde la última vez que se guardó esta traducción")
    expect(changes.locator("tr.diff-added")).to_contain_text("A new closing paragraph.")
    translation = page.get_by_label("Traducción", exact=True)
    expect(translation).to_have_value(LESSON_PT)
    translation.fill(LESSON_PT + "Um parágrafo final novo.\n")
    page.get_by_role("button", name="Guardar la traducción").click()
    check()
    page.get_by_role("link", name="Volver a las traducciones").click()
    check()
    expect(page.locator("tbody tr", has_text="introduction").locator("td.translation-current")).to_have_text(
        "Al día: Introduction, portugués")

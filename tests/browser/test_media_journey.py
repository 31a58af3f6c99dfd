"""Media in the browser (issue 16, decision 0078), in Spanish on a 390-pixel phone and a 1280-pixel desktop: a
trainer uploads an image, uses it in a lesson without alt text, sees the error at its line in the editor and
"used without alt text" on the media page, then fixes it. axe on every page, no page wider than the screen."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.browser.authoring_steps import new_workspace
from tests.browser.test_trainer_spanish_journey import check  # noqa: F401  (the fixture)
from tests.integration.test_workspace_media import PNG

LESSON = "---\ntitle: Señales de alerta\nminutes: 5\n---\nMire:\n\n{image}\n"


@pytest.mark.parametrize("width", (390, 1280))
def test_uploading_an_image_and_giving_it_alt_text_in_spanish(page: Page, live_server, log_in_as,
                                                             check, width, tmp_path):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    course_id = f"imagenes-{width}-{secrets.token_hex(3)}"
    log_in_as("es", role="trainer")
    workspace_url = new_workspace(page, live_server, check, course_id)

    page.get_by_role("link", name="Multimedia", exact=True).click()
    check()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Multimedia de {course_id}")
    picture = tmp_path / "senales.png"
    picture.write_bytes(PNG)
    page.get_by_label("Imagen o PDF").set_input_files(str(picture))
    page.get_by_role("button", name="Subir", exact=True).click()
    check()
    expect(page.get_by_role("status")).to_contain_text("media/senales.png subido.")
    expect(page.locator("table.media-files tbody tr")).to_contain_text("No se usa en ninguna lección")
    page.get_by_role("link", name="Historial media/senales.png").click()
    check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Historial de media/senales.png")

    # Used in the lesson without alt text: an error at its line, and the media page says so.
    page.goto(workspace_url)
    page.get_by_role("link", name="introduction.md", exact=True).click()
    check()
    expect(page.get_by_text("Para mostrar una imagen subida, escriba ![texto alternativo](media/nombre.png).")) \
        .to_be_visible()
    page.get_by_role("link", name="Editar como texto sin formato").click()  # the whole file, front matter too
    check()
    editor = page.get_by_label("Contenido del archivo")
    editor.fill(LESSON.format(image="![](media/senales.png)"))
    page.get_by_role("button", name="Guardar").click()
    check()
    problems = page.get_by_role("region", name="Problemas en este archivo")
    expect(problems).to_contain_text(re.compile(r"línea 7\s*:\s*image 'media/senales.png' has no alt text"))
    expect(problems).to_contain_text("7 | ![](media/senales.png)")
    page.get_by_role("link", name="Suba imágenes en la página de multimedia").click()
    check()
    expect(page.locator("table.media-files")).to_contain_text("usada sin texto alternativo")

    # Fixed: the alt text shows on the media page and the lesson has no problem left.
    page.goto(workspace_url + "/files/introduction.md?plain=1")
    page.get_by_label("Contenido del archivo").fill(LESSON.format(image="![Tres señales de alerta](media/senales.png)"))
    page.get_by_role("button", name="Guardar").click()
    check()
    expect(page.get_by_role("region", name="Problemas en este archivo")).to_contain_text("Sin problemas")
    page.goto(workspace_url + "/media")
    check()
    expect(page.locator("table.media-files")).to_contain_text("Tres señales de alerta")
    expect(page.locator("table.media-files")).not_to_contain_text("usada sin texto alternativo")

"""Issue 20, "Trainers", in the browser and in Spanish, on a 390-pixel phone and a 1280-pixel desktop: the cohort
CSV in the interface's own words, past due dates confirmed, a person removed, the progress export's headers,
the question analysis, the result of a quiz whose essay awaits marking, and an invited person's welcome.

Every page is checked with axe (no violation of any impact) and must not be wider than the screen."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
import secrets
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import Page, expect

from tests.browser.test_learner_journey import answer_quiz
from tests.conftest import DEFAULT_PASSWORD

WIDTHS = (390, 1280)
SPANISH = Translations.load(str(Path(__file__).resolve().parents[2] / "learnhub" / "translations"), ["es"])


def es(text: str) -> str:
    """What the Spanish interface says for `text` (the catalogue, not a copy of it that could drift)."""
    translated = SPANISH.gettext(text)
    assert translated != text or text in ("Score",), f"no Spanish for {text!r}"
    return translated


@pytest.fixture
def check(page: Page, axe, check_page):
    """axe with no violation at all (not only the serious ones), and no sideways scrolling at this width."""

    def run(target: Page | None = None) -> None:
        current = target or page
        check_page(current)
        violations = axe.run(current).response["violations"]
        assert violations == [], [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        width = current.viewport_size["width"]
        scroll = current.evaluate("document.scrollingElement.scrollWidth")
        assert scroll <= width, f"{current.url} is {scroll} px wide on a {width} px screen"

    return run


def new_page(page: Page, width: int) -> Page:
    other = page.context.browser.new_page(viewport={"width": width, "height": 900}, locale="es-ES")
    other.set_default_timeout(8_000)
    return other


def spanish_trainer(page: Page, live_server, log_in_as, check, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in_as("es", role="trainer")
    page.goto(live_server + "/trainer/")
    check()
    page.get_by_label(es("Cohort name")).fill(f"CSIRT Andino {secrets.token_hex(2)}")
    page.get_by_label(es("Organisation"), exact=True).fill("Ministerio de Salud")
    page.get_by_label(es("Country")).select_option("PE")
    page.get_by_role("button", name=es("Create cohort")).click()
    check()


SPANISH_CSV = "\n".join([
    "Correo;Nombre;País;Sector;Tipo de organización",
    "{p}ana@minsa.gob.pe;Ana Quispe;Perú;Salud;Gobierno u organismo público",
    "{p}luis@ute.com.uy;Luis Pérez;Uruguay;Energía;Sector privado",
    "{p}eva@mef.gob.do;Eva Núñez;República Dominicana;Administración pública;Sector privado",
])


def upload(page: Page, data: bytes) -> None:
    page.get_by_label(es("CSV file")).set_input_files(files=[{"name": "personas.csv", "mimeType": "text/csv",
                                                               "buffer": data}])
    page.get_by_role("button", name=es("Check the file")).click()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_spanish_trainers_cohort(page: Page, live_server, log_in_as, check, width):
    spanish_trainer(page, live_server, log_in_as, check, width)
    cohort_url = page.url
    prefix = f"w{width}."
    # Item 1: the names the Spanish interface shows are read; a wrong one lists what is accepted.
    upload(page, SPANISH_CSV.format(p=prefix).encode("utf-8"))
    check()
    expect(page.get_by_role("status").filter(has_text="Se importaron")).to_contain_text(
        "Se importaron 3 filas: 3 personas invitadas")
    upload(page, f"correo;nombre;sector\n{prefix}x@minsa.gob.pe;X;Minería\n".encode())
    check()
    expect(page.get_by_role("alert")).to_contain_text("Línea 2: “Minería” en la columna de sector no es un sector")
    expect(page.get_by_role("alert")).to_contain_text("Salud (health)")
    page.goto(cohort_url)
    # Item 5: a due date in the past is warned about and saved only once confirmed.
    page.get_by_label(es("Course"), exact=True).select_option("passwords-mfa")
    page.get_by_label(es("Due date (optional)")).fill((date.today() - timedelta(days=2)).isoformat())
    page.get_by_role("button", name=es("Assign course")).click()
    check()
    warning = page.locator(".past-date")
    expect(warning).to_contain_text("ya pasó")
    warning.get_by_role("button", name=es("Yes, keep this date in the past")).click()
    check()
    expect(page.locator("ul.assignments")).to_contain_text("fecha límite:")
    # ... and changed on its own page.
    page.get_by_role("link", name=re.compile(es("Change the due date"))).first.click()
    check()
    page.get_by_label(es("Due date (optional)")).fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_role("button", name=es("Save the due date")).click()
    check()
    expect(page.get_by_role("status").filter(has_text="Se guardó la fecha límite")).to_be_visible()
    # A person is removed after a confirmation page.
    page.get_by_role("link", name=f"Quitar a {prefix}eva@mef.gob.do de la cohorte").click()
    check()
    expect(page.get_by_role("heading", level=1)).to_have_text(es("Remove from the cohort"))
    page.get_by_role("button", name=es("Remove from the cohort")).click()
    check()
    expect(page.get_by_role("status").filter(has_text="ya no está en la cohorte")).to_be_visible()
    expect(page.locator("table", has_text=es("Invited, not joined yet"))).not_to_contain_text(f"{prefix}eva@mef.gob.do")
    # Item 3: the export's headers are Spanish.
    page.get_by_role("link", name=es("Progress table")).click()
    check()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("CSV")).first.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert any(column.endswith(": Elementos completados") for column in header), header
    assert any(column.endswith(": Puntuación") for column in header), header
    # Item 2: question analysis shows the questions' text in Spanish, not their ids.
    page.goto(live_server + "/trainer/quizzes/passwords-mfa/check-passwords-mfa/analysis")
    check()
    first = page.locator("tbody th").first
    expect(first).to_contain_text("¿")
    expect(page.locator("main")).to_contain_text("Primeros intentos de 0 participantes")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_result_awaiting_marking_invites_no_retry(page: Page, live_server, live_app, log_in_as, check, width):
    page.set_viewport_size({"width": width, "height": 900})
    learner = log_in_as("es")
    page.goto(live_server + "/courses/ics-critical-infrastructure")
    check()
    page.get_by_role("button", name=es("Enrol in this course")).click()
    check()
    page.goto(live_server + "/courses/ics-critical-infrastructure/quizzes/check-ot-security")
    check()
    answer_quiz(page, live_app, learner, right=False, course="ics-critical-infrastructure", quiz="check-ot-security")
    page.get_by_role("button", name=es("Submit answers")).click()
    check()
    result = page.locator(".result")
    expect(result).to_have_class(re.compile(r"\bresult-pending\b"))
    expect(result).to_contain_text("Resultado: pendiente de corrección")
    expect(result).not_to_contain_text("Puntuación")
    expect(page.get_by_role("link", name=es("Try again"))).to_have_count(0)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_invited_person_is_welcomed_and_logged_in(page: Page, live_server, log_in_as, check, mail_folder,
                                                      width):
    spanish_trainer(page, live_server, log_in_as, check, width)
    address = f"nueva.{width}.{secrets.token_hex(3)}@example.org"
    page.get_by_label(es("E-mail address")).fill(address)
    page.get_by_label(es("Full name")).fill("Nueva Persona")
    page.get_by_role("button", name=es("Add to cohort")).click()
    check()
    [invitation] = [m for m in (email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                                for p in mail_folder.glob("*.eml")) if m["To"] == address]
    link = live_server + re.search(r"http://\S+?(/password/reset/\S+)", invitation.get_content()).group(1)
    visitor = new_page(page, width)
    try:
        visitor.goto(link)
        check(visitor)
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Le damos la bienvenida a LearnHub")
        expect(visitor).to_have_title(re.compile("^Le damos la bienvenida a LearnHub"))
        visitor.locator("#password").fill(DEFAULT_PASSWORD)
        visitor.locator("#confirm").fill(DEFAULT_PASSWORD)
        visitor.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
        visitor.wait_for_url(live_server + "/learning")
        check(visitor)
        expect(visitor.get_by_role("status").filter(has_text="Se unió a la cohorte")).to_be_visible()
    finally:
        visitor.close()

"""A newcomer's journey in the browser: register in Spanish, log out and in, switch language, reset a password."""

from __future__ import annotations

import email
import email.policy
import re

from playwright.sync_api import Page, expect

PASSWORD = "mangos maduros en la playa"
NEW_PASSWORD = "tres palabras nuevas aqui"


def register_in_spanish(page: Page, live_server: str, check_page, address: str) -> None:
    page.goto(live_server + "/")
    check_page()
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    check_page()
    page.get_by_role("link", name="Crear cuenta").first.click()
    check_page()
    page.get_by_label("Nombre completo").fill("Rosa Martínez")
    page.get_by_label("Correo electrónico").fill(address)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_label("Repita la contraseña").fill(PASSWORD)
    page.get_by_label("País donde trabaja").select_option("PE")
    page.get_by_label("Sector").select_option("health")
    page.get_by_label("Organización", exact=True).fill("Hospital Regional de Cusco")
    page.get_by_label("Tipo de organización").select_option("government")
    page.get_by_label("Género (opcional)").select_option("prefer-not-to-say")
    page.get_by_role("button", name="Crear cuenta").click()
    # "Check your mail": the same answer as for an address that has an account, so not logged in yet.
    expect(page.get_by_role("status")).to_contain_text(address)
    check_page()
    page.get_by_label("Correo electrónico").fill(address)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.locator("main")).to_contain_text("Rosa Martínez")
    check_page()


def test_register_in_spanish_log_out_and_in_again(page: Page, live_server, check_page):
    register_in_spanish(page, live_server, check_page, "rosa.martinez@hrc.gob.pe")
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("status")).to_contain_text("Su sesión se cerró.")
    check_page()
    page.get_by_role("link", name="Iniciar sesión").first.click()
    check_page()
    page.get_by_label("Correo electrónico").fill("rosa.martinez@hrc.gob.pe")
    page.get_by_label("Contraseña").fill("una contraseña equivocada")
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.locator(".error-message")).to_contain_text("no son correctos")
    check_page()
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.locator("main")).to_contain_text("Rosa Martínez")
    check_page()
    page.get_by_role("link", name="Mi perfil").click()
    expect(page.get_by_label("País donde trabaja")).to_have_value("PE")
    check_page()


def test_registration_errors_are_announced_and_nothing_typed_is_lost(page: Page, live_server, check_page):
    page.goto(live_server + "/register")
    check_page()
    page.get_by_label("Full name").fill("Kevin Baptiste")
    page.get_by_label("E-mail address").fill("kevin@ttcsirt.gov.tt")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_label("Organisation", exact=True).fill("TT-CSIRT")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a password of at least 12 characters.")
    expect(page.get_by_label("Full name")).to_have_value("Kevin Baptiste")
    expect(page.get_by_label("Organisation", exact=True)).to_have_value("TT-CSIRT")
    check_page()


def test_keyboard_user_can_skip_to_content(page: Page, live_server, check_page):
    page.goto(live_server + "/login")
    check_page()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_reset_a_forgotten_password_through_the_mail_folder(page: Page, live_server, check_page, mail_folder):
    register_in_spanish(page, live_server, check_page, "ana.reset@cncs.gob.do")
    page.get_by_role("button", name="Cerrar sesión").click()
    check_page()
    page.goto(live_server + "/login")
    check_page()
    page.get_by_role("link", name="¿Olvidó su contraseña?").click()
    check_page()
    page.get_by_label("Correo electrónico").fill("ana.reset@cncs.gob.do")
    page.get_by_role("button", name="Enviar enlace").click()
    expect(page.get_by_role("status")).to_contain_text("ana.reset@cncs.gob.do")
    check_page()
    sent = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in mail_folder.glob("*.eml")]
    # Registering sent a verification mail too: take the one that carries the reset link.
    [link] = [found.group(0) for m in sent if m["To"] == "ana.reset@cncs.gob.do"
              for found in [re.search(r"http://\S+/password/reset/\S+", m.get_content())] if found]
    path = link.split("/password/", 1)[1]
    page.goto(f"{live_server}/password/{path}")
    check_page()
    page.get_by_label("Nueva contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repita la nueva contraseña").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Guardar nueva contraseña").click()
    check_page()
    page.get_by_label("Correo electrónico").fill("ana.reset@cncs.gob.do")
    page.get_by_label("Contraseña").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("link", name="Mi perfil")).to_be_visible()
    check_page()

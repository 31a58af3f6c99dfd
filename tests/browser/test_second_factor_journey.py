"""Second factor in the browser, in Portuguese: set up an authenticator app (the QR code, the key, a first
code), save the recovery codes, log in with a code and then with a recovery code; an analyst without a
second factor is sent to set one up before any report (decisions 0060 and 0061). axe checks every page."""

from __future__ import annotations

import secrets
import time

import pyotp
from playwright.sync_api import Page, expect

from tests.conftest import DEFAULT_PASSWORD, PROFILE


def log_in_with_password(page: Page, live_server: str, check_page, email: str) -> None:
    page.goto(live_server + "/login")
    check_page()
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form.stack button[type=submit], form.stack input[type=submit]").click()


def set_up_authenticator(page: Page, check_page) -> tuple[pyotp.TOTP, list[str]]:
    page.get_by_role("link", name="Segurança de acesso").click()
    check_page()
    page.get_by_role("button", name="Configurar um aplicativo autenticador").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configurar um aplicativo autenticador")
    expect(page.get_by_role("img", name="Código QR para o seu aplicativo autenticador")).to_be_visible()
    check_page()
    app = pyotp.TOTP(page.locator("#totp-key").inner_text().replace(" ", ""))
    page.get_by_label("Código do aplicativo").fill("000000")
    page.get_by_role("button", name="Ativar").click()
    expect(page.locator(".error-message")).to_contain_text("Esse código não está correto")
    check_page()
    page.get_by_label("Código do aplicativo").fill(app.now())
    page.get_by_role("button", name="Ativar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seus códigos de recuperação")
    check_page()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    page.get_by_role("link", name="Já os guardei").click()
    expect(page.locator("main")).to_contain_text("Você tem 10 códigos de recuperação não usados.")
    check_page()
    return app, codes


def test_set_up_an_authenticator_and_log_in_with_a_code_then_a_recovery_code(page: Page, live_server, check_page,
                                                                             log_in_as):
    email = log_in_as("pt")
    page.get_by_role("link", name="Meu perfil").click()
    check_page()
    app, codes = set_up_authenticator(page, check_page)
    assert len(codes) == 10

    page.get_by_role("button", name="Sair").click()
    check_page()
    log_in_with_password(page, live_server, check_page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Segunda etapa")
    check_page()
    page.get_by_label("Código", exact=True).fill(app.at(time.time() + 30))  # newer than the code used to set up
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url(live_server + "/")
    check_page()

    page.get_by_role("button", name="Sair").click()
    check_page()
    log_in_with_password(page, live_server, check_page, email)
    check_page()
    page.get_by_label("Código", exact=True).fill(codes[0])
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url(live_server + "/")
    check_page()
    page.goto(live_server + "/account/security")
    expect(page.locator("main")).to_contain_text("Você tem 9 códigos de recuperação não usados.")
    check_page()


def test_an_analyst_without_a_second_factor_sets_one_up_before_any_report(page: Page, live_server, live_app,
                                                                         check_page, monkeypatch):
    from learnhub.extensions import db
    from learnhub.services import accounts

    monkeypatch.setitem(live_app.config, "MFA_REQUIRED_ROLES", ("analyst", "admin"))
    email = f"analista-{secrets.token_hex(4)}@example.org"
    with live_app.app_context():
        accounts.create(email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": "pt"}), role="analyst",
                        countries=("DO",))
        db.session.commit()
    log_in_with_password(page, live_server, check_page, email)
    page.wait_for_url(live_server + "/account/security")
    check_page()
    page.goto(live_server + "/reports/DO")
    page.wait_for_url(live_server + "/account/security")
    expect(page.get_by_role("status").first).to_contain_text("Sua função exige um segundo fator")
    check_page()
    page.get_by_role("button", name="Configurar um aplicativo autenticador").click()
    check_page()
    app = pyotp.TOTP(page.locator("#totp-key").inner_text().replace(" ", ""))
    page.get_by_label("Código do aplicativo").fill(app.now())
    page.get_by_role("button", name="Ativar").click()
    check_page()
    page.get_by_role("link", name="Já os guardei").click()
    check_page()
    page.get_by_role("link", name="Relatórios").click()
    expect(page).to_have_url(live_server + "/reports/")
    check_page()


def test_add_a_passkey_with_a_virtual_authenticator_and_sign_in_with_it(page: Page, live_server, live_app, check_page,
                                                                       monkeypatch):
    """Chromium's virtual authenticator (CDP WebAuthn.addVirtualAuthenticator) stands in for a phone or a
    security key; the site is reached as localhost, a name WebAuthn accepts as a relying party."""
    from learnhub.extensions import db
    from learnhub.services import accounts

    site = live_server.replace("127.0.0.1", "localhost")
    monkeypatch.setitem(live_app.config, "BASE_URL", site)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    email = f"chave-{secrets.token_hex(4)}@example.org"
    with live_app.app_context():
        accounts.create(email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": "pt"}))
        db.session.commit()
    log_in_with_password(page, site, check_page, email)
    page.wait_for_url(site + "/")
    check_page()
    page.goto(site + "/account/security")
    check_page()
    page.get_by_role("link", name="Adicionar uma chave de acesso").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adicionar uma chave de acesso")
    check_page()
    page.get_by_label("Nome da chave de acesso").fill("Notebook do trabalho")
    page.get_by_role("button", name="Adicionar uma chave de acesso").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seus códigos de recuperação")
    expect(page.get_by_role("status")).to_contain_text("Notebook do trabalho")
    check_page()
    page.get_by_role("link", name="Já os guardei").click()
    expect(page.locator(".passkeys")).to_contain_text("Notebook do trabalho")
    check_page()

    # After the password, the passkey as the second step.
    page.get_by_role("button", name="Sair").click()
    check_page()
    log_in_with_password(page, site, check_page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Segunda etapa")
    check_page()
    page.get_by_role("link", name="Usar uma chave de acesso").click()
    check_page()
    page.get_by_role("button", name="Usar uma chave de acesso").click()
    page.wait_for_url(site + "/")
    check_page()

    # Instead of the password: the login page's link, and the passkey alone.
    page.get_by_role("button", name="Sair").click()
    check_page()
    page.goto(site + "/login")
    check_page()
    page.get_by_role("link", name="Entrar com uma chave de acesso").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrar com uma chave de acesso")
    check_page()
    page.get_by_role("button", name="Usar uma chave de acesso").click()
    page.wait_for_url(site + "/")
    expect(page.get_by_role("button", name="Sair")).to_be_visible()
    check_page()

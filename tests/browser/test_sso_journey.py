"""Single sign-on in the browser, in Portuguese: a work address on the login page leads to the organisation's
OpenID provider (the real npm oidc-provider, tests/oidc_fixture.py), which signs the person in and sends them
back with a new account; logging out ends the session at the provider too (decision 0063). axe checks every
page, the provider's own pages included."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from learnhub.services import sso_client
from learnhub.sso_settings import parse
from tests.oidc_fixture import OidcProvider


def test_sign_in_through_the_organisations_provider(page: Page, live_server, live_app, check_page, monkeypatch):
    provider = OidcProvider(
        [{"client_id": "learnhub", "client_secret": "learnhub-browser-secret",
          "redirect_uris": [live_server + "/login/sso/mitic/callback"],
          "post_logout_redirect_uris": [live_server + "/"]}],
        {"joana": {"email": "joana.silva@mitic.gob.do", "email_verified": True, "name": "Joana Silva",
                   "country": "DO", "organisation": "MITIC"}})
    try:
        sso_client.forget_cache()
        monkeypatch.setitem(live_app.config, "OIDC_PROVIDERS", parse(json.dumps([{
            "key": "mitic", "name": "MITIC", "issuer": provider.issuer, "client_id": "learnhub",
            "client_secret": "learnhub-browser-secret", "domains": ["mitic.gob.do"],
            "defaults": {"country": "DO", "sector": "public-administration", "organisation_type": "government"},
        }]), production=False))
        page.goto(live_server + "/login")
        check_page()
        page.get_by_label("Language").select_option("pt")
        page.get_by_role("button", name="Change").click()
        expect(page.locator("html")).to_have_attribute("lang", "pt")
        check_page()
        page.get_by_label("E-mail do trabalho").fill("joana.silva@mitic.gob.do")
        page.get_by_role("button", name="Continuar com minha organização").click()
        check_page()
        page.get_by_role("link", name="Continuar para MITIC").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Test provider: sign in")
        check_page()
        page.get_by_label("Login").fill("joana")
        page.get_by_label("Password").fill("any password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server + "/")
        expect(page.get_by_role("status")).to_contain_text("Boas-vindas ao LearnHub")
        check_page()
        page.get_by_role("link", name="Meu perfil").click()
        expect(page.locator("main")).to_contain_text("joana.silva@mitic.gob.do")
        check_page()

        page.get_by_role("button", name="Sair").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Você saiu da sua conta.")
        check_page()
        page.get_by_role("link", name="Sair também de MITIC").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Test provider: sign out")
        check_page()
        page.get_by_role("button", name="Sign out of the test provider").click()
        page.wait_for_url(live_server + "/")
        expect(page.get_by_role("link", name="Entrar").first).to_be_visible()
        check_page()
    finally:
        provider.stop()

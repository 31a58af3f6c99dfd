"""An analyst creates a personal API token, sees it once, reads a report with it, then revokes it."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_analyst_creates_uses_and_revokes_an_api_token(page: Page, live_server, live_app, check_page, log_in_as):
    from learnhub.extensions import db
    from learnhub.models import AnalystCountry, User

    email = log_in_as("en", role="analyst")
    with live_app.app_context():
        analyst = db.session.scalar(db.select(User).where(User.email == email))
        analyst.analyst_countries = [AnalystCountry(country="DO")]
        db.session.commit()
        db.session.remove()
    page.get_by_role("link", name="Reports").click()
    check_page()
    page.get_by_role("link", name="Manage your API tokens").click()
    check_page()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("Name of the token").fill("Ministry dashboard")
    page.get_by_label("Valid for").select_option("30")
    page.get_by_role("button", name="Create token").click()
    check_page()
    expect(page.locator("main")).to_contain_text("it will not be shown again")
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("lh_") and len(token) == 46

    api = live_server + "/api/v1/coverage/DO"
    answer = page.request.get(api, headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    assert answer.json()["country"] == "DO" and "headline" in answer.json()
    cookie_only = page.request.get(api)  # the browser's session cookie goes along, and is not enough
    assert cookie_only.status == 401 and cookie_only.json()["error"]

    page.goto(live_server + "/account/api-tokens")
    check_page()
    assert token not in page.content()
    row = page.get_by_role("row").filter(has_text="Ministry dashboard")
    expect(row).to_contain_text(token[:10] + "…")
    expect(row).to_contain_text("Active")
    expect(row).not_to_contain_text("Never")  # it has been used
    row.get_by_role("button", name="Revoke Ministry dashboard").click()
    check_page()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    expect(page.get_by_role("row").filter(has_text="Ministry dashboard")).to_contain_text("Revoked on")
    refused = page.request.get(api, headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 401 and refused.headers["www-authenticate"].startswith("Bearer")

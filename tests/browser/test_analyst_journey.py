"""An analyst reads the country dashboard in Spanish and downloads each format."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect


def test_analyst_reads_the_dashboard_in_spanish_and_downloads(page: Page, live_server, live_app, check_page,
                                                              log_in_as):
    from learnhub.extensions import db
    from learnhub.models import User

    email = log_in_as("es", role="analyst")
    with live_app.app_context():
        analyst = db.session.scalar(db.select(User).where(User.email == email))
        from learnhub.models import AnalystCountry

        analyst.analyst_countries = [AnalystCountry(country="DO")]
        db.session.commit()
        db.session.remove()
    page.get_by_role("link", name="Informes").click()
    check_page()
    page.get_by_role("link", name="República Dominicana").click()
    check_page()
    expect(page.get_by_role("heading", level=1)).to_contain_text("República Dominicana")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    downloads = {}
    for label, fmt in (("CSV", "csv"), ("JSON", "json"), ("Excel (XLSX)", "xlsx")):
        with page.expect_download() as download:
            page.get_by_role("link", name=label, exact=True).click()
        downloads[fmt] = Path(download.value.path()).read_bytes()
    document = json.loads(downloads["json"])
    assert document["country"] == "DO" and set(document["headline"]) == {
        "population", "enrolled", "active", "completed", "certified"}
    sheet = load_workbook(io.BytesIO(downloads["xlsx"])).active
    assert sheet.cell(row=2, column=1).value == "DO"
    assert downloads["csv"].startswith("\ufeff".encode())
    headline = page.locator(".headline dd").first.inner_text()
    shown = document["headline"]["population"]
    assert headline == ("—" if shown is None else str(shown))

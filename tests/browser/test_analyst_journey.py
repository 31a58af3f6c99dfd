"""An analyst reads the country dashboard and the regional comparison in Spanish and downloads each
format; every download carries the figures the page shows."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

COUNTRY = "UY"  # no other browser test puts learners here
LEARNERS = 14
CERTIFIED = 11


def _learners_in_uruguay(live_app) -> None:
    """14 verified learners enrolled this year, each with a learning step, 11 of them certified (through the
    ORM: the rollup follows)."""
    from learnhub.extensions import db
    from learnhub.models import Certificate, Enrolment, LearnerActivity
    from learnhub.models.base import utcnow
    from learnhub.services import accounts
    from tests.conftest import PROFILE

    with live_app.app_context():
        now = utcnow()
        for index in range(LEARNERS):
            learner = accounts.create(f"uy{index}@example.org", "correct horse battery staple", accounts.Profile(
                **{**PROFILE, "country": COUNTRY, "sector": "energy"}), verified=True)
            db.session.add(Enrolment(learner_id=learner.id, course_id="passwords-mfa", enrolled_at=now,
                                     last_activity_at=now, completed_at=now if index < CERTIFIED else None))
            db.session.add(LearnerActivity(learner_id=learner.id, course_id="passwords-mfa", year=now.year,
                                           month=now.month))
            if index < CERTIFIED:
                db.session.add(Certificate(code=f"UYCODE{index:06d}", learner_id=learner.id, course_id="passwords-mfa",
                                           learner_name=learner.name, course_title={"en": "x"}, minutes=60,
                                           issued_at=now))
        db.session.commit()
        db.session.remove()


def test_analyst_reads_the_dashboard_in_spanish_and_downloads(page: Page, live_server, live_app, check_page,
                                                              log_in_as):
    from learnhub.extensions import db
    from learnhub.models import AnalystCountry, User

    _learners_in_uruguay(live_app)
    email = log_in_as("es", role="analyst")
    with live_app.app_context():
        analyst = db.session.scalar(db.select(User).where(User.email == email))
        analyst.analyst_countries = [AnalystCountry(country=COUNTRY)]
        db.session.commit()
        db.session.remove()
    page.get_by_role("link", name="Informes").click()
    check_page()
    page.get_by_role("link", name="Uruguay").click()
    check_page()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uruguay")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    # What the page must show: the true counts (14, 14, 14, 11, 11, and 11 currently certified: issued today),
    # each perturbed by its own cell key.
    from learnhub.models.base import utcnow
    from learnhub.reports import coverage, perturbation

    with live_app.app_context():
        report = coverage.build(COUNTRY, utcnow().year, live_app.config["SUPPRESSION_K"])
        db.session.remove()
    values = [report.headline[m].value for m in coverage.METRICS]
    for value, true in zip(values, (LEARNERS, LEARNERS, LEARNERS, CERTIFIED, CERTIFIED, CERTIFIED),
                           strict=True):
        assert value is None or abs(value - true) <= perturbation.BOUND
    energy = next(row for row in report.cut("sector").rows if row.key == "energy")
    energy_values = [energy.values[m].value for m in coverage.METRICS]
    figures = ["—" if value is None else str(value) for value in values]
    headline = page.locator(".headline dd").all_inner_texts()
    assert headline[:6] == figures

    downloads = {}
    for label, fmt in (("CSV", "csv"), ("JSON", "json"), ("Excel (XLSX)", "xlsx"), ("PDF", "pdf")):
        with page.expect_download() as download:
            page.get_by_role("link", name=label, exact=True).click()
        downloads[fmt] = Path(download.value.path()).read_bytes()
    document = json.loads(downloads["json"])
    assert document["country"] == COUNTRY
    assert [document["headline"][m] for m in coverage.METRICS] == values
    sheet = load_workbook(io.BytesIO(downloads["xlsx"])).active
    assert [cell.value for cell in sheet[2]][:10] == [COUNTRY, document["year"], "Total", None, *values]
    assert downloads["csv"].startswith("\ufeff".encode())
    total = next(csv.reader(io.StringIO(downloads["csv"].decode("utf-8-sig").splitlines()[1])))
    assert total[4:10] == ["" if value is None else str(value) for value in values]
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=downloads["pdf"], capture_output=True,
                          check=True).stdout.decode()
    assert "Uruguay" in text and "Cobertura" in text
    lines = [line.split() for line in text.splitlines()]
    # the headline figures above their labels, five to a line: "currently certified" opens the next one
    assert figures[:5] in lines
    next_figures = next(line for line in lines[lines.index(figures[:5]) + 1:]
                        if line and (line[0][0].isdigit() or line[0] == "—"))  # past the labels, however wrapped
    assert next_figures[0] == figures[5]
    assert ["Energía", *("—" if value is None else str(value) for value in energy_values)] in lines  # sector row

    page.goto(f"{live_server}/reports/regions/lac")
    check_page()
    row = page.locator("tbody tr", has_text="Uruguay")
    expect(row).to_have_count(1)
    assert row.locator("td").all_inner_texts()[:6] == figures  # the same figures as the country's own report
    expect(page.locator("svg[role=img]")).to_be_visible()

""""Currently certified" in every report (issue 19, decision 0070): counted when a report is read, from the
certificates that stand at its reference moment, beside "Certified" (issued in the year), in the page, the
CSV, the XLSX, the JSON and the PDF, and the figure coverage against targets uses.

The learners of DO, all in health, each with a learning step in March 2025 (so they are counted):
  14 certified in March 2025, no expiry                          certified 2025, current from then on
   6 certified in February 2025, expired 31 December 2025 noon    certified 2025, not current at its end
   3 certified in April 2025, revoked in June                     neither
   4 renewed: the first (Nov 2024) expired Nov 2025, the renewal  certified 2025 once, current once
     (Oct 2025) runs to 2036
   2 certified in June 2025, expiring 2 January 2026              current at the end of 2025 only
   2 certified on 5 January 2026, no expiry                       current in 2026 only
   3 certified in 2023, no expiry                                 current, not certified in 2025
So 2025, judged at its end (1 January 2026): 26 certified, 23 currently certified.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import datetime

import pytest
from openpyxl import load_workbook

from learnhub.models import Certificate, LearnerActivity, Target
from learnhub.models.base import utcnow
from learnhub.reports import aggregate, coverage, rollup
from tests.integration.report_helpers import assert_perturbed_within_bound, percent, published, true_counts
from tests.integration.test_learning import count_queries
from tests.integration.test_reports import analyst_client

PAST = 2025
NOW_YEAR = utcnow().year
COURSE = "passwords-mfa"
GROUPS = (  # (how many, [(issued, expires, revoked), ...])
    (14, [(datetime(2025, 3, 10), None, None)]),
    (6, [(datetime(2025, 2, 1), datetime(2025, 12, 31, 12), None)]),
    (3, [(datetime(2025, 4, 1), None, datetime(2025, 6, 1))]),
    (4, [(datetime(2024, 11, 1), datetime(2025, 11, 1), None), (datetime(2025, 10, 20), datetime(2036, 10, 20), None)]),
    (2, [(datetime(2025, 6, 1), datetime(2026, 1, 2), None)]),
    (2, [(datetime(2026, 1, 5), None, None)]),
    (3, [(datetime(2023, 5, 5), None, None)]),
)


@pytest.fixture
def holders(app, db, make_user):
    number = 0
    for size, certificates in GROUPS:
        for _ in range(size):
            learner = make_user(email=f"holder{number}@example.org", country="DO", sector="health")
            db.session.add(LearnerActivity(learner_id=learner.id, course_id=COURSE, year=2025, month=3))
            previous = None
            for generation, (issued, expires, revoked) in enumerate(certificates, start=1):
                previous = Certificate(code=f"H{number:04d}G{generation}", learner_id=learner.id, course_id=COURSE,
                                       learner_name=learner.name, course_title={"en": "x"}, minutes=60,
                                       issued_at=issued, expires_at=expires, revoked_at=revoked,
                                       generation=generation, renews=previous)
                db.session.add(previous)
            number += 1
    db.session.commit()


@pytest.mark.usefixtures("holders")
def test_the_past_year_counts_who_held_a_standing_certificate_as_it_ended(app, db):
    with app.app_context():
        true = true_counts("DO", PAST)
        assert (true[("total", "", "certified")], true[("total", "", "current")]) == (26, 23)
        assert true[("sector", "health", "current")] == 23
        assert true[("course", COURSE, "current")] == 23
        # the month cut: the standing certificates issued in each month of the year (the 3 of 2023 are in none)
        assert {key: value for (cut, key, metric), value in true.items() if cut == "month" and metric == "current"} == {
            "2025-03": 14, "2025-06": 2, "2025-10": 4}
        report = coverage.build("DO", PAST, 10)
        assert report.current_as_of == datetime(2026, 1, 1)
        assert report.headline["current"].value == published(app, 23, "DO", PAST, "total", "", "current")
        assert report.headline["certified"].value == published(app, 26, "DO", PAST, "total", "", "certified")
        assert_perturbed_within_bound(report)


@pytest.mark.usefixtures("holders")
def test_the_present_counts_at_the_moment_expired_yesterday_out_expiring_tomorrow_in(app, db):
    with app.app_context():
        def current(now: datetime) -> int:
            return rollup.current_counts(db.session, ("DO",), 2026, now)[("DO", 2026, "total", "", "current")]

        # 1 January 2026 at noon: the 2 expiring tomorrow still stand, the 2 of 5 January are not issued yet
        assert current(datetime(2026, 1, 1, 12)) == 14 + 4 + 2 + 3
        # 3 January: those 2 expired yesterday
        assert current(datetime(2026, 1, 3)) == 14 + 4 + 3
        # 6 January: the 2 issued the day before stand
        assert current(datetime(2026, 1, 6)) == 14 + 4 + 3 + 2
        report = coverage.build("DO", 2026, 10, now=datetime(2026, 1, 3))
        assert report.current_as_of == datetime(2026, 1, 3)
        assert report.headline["current"].value == published(app, 21, "DO", 2026, "total", "", "current")
        assert aggregate.current_live(db.session.connection(), 2026, datetime(2026, 1, 3), "DO")[
            ("DO", 2026, "total", "", "current")] == 21


@pytest.mark.usefixtures("holders")
def test_a_country_report_reads_the_rollup_once_and_the_certificates_once(app, db):
    """The page speed: one query of the rollup, one more for currency (the other reads are the courses and
    the targets, as before)."""
    with app.app_context():
        statements, stop = count_queries(db)
        try:
            coverage.build("DO", PAST, 10)
        finally:
            stop()
    assert sum("coverage_counts" in statement for statement in statements) == 1, statements
    assert sum("certificates" in statement for statement in statements) == 1, statements
    assert len([statement for statement in statements if not statement.startswith("SAVEPOINT")]) <= 4, statements


@pytest.mark.usefixtures("holders")
def test_every_format_shows_currently_certified_after_certified(app, db, make_user):
    db.session.add(Target(country="DO", year=PAST, sector="health", ecsf_role="", headcount=40))
    db.session.commit()
    client = analyst_client(app, make_user)
    current = published(app, 23, "DO", PAST, "total", "", "current")
    certified = published(app, 26, "DO", PAST, "total", "", "certified")
    health = published(app, 23, "DO", PAST, "sector", "health", "current")

    page = client.get(f"/reports/DO?year={PAST}").get_data(as_text=True)
    assert f"<div><dt>Certified</dt><dd>{certified}</dd></div>" in page
    assert f"<div><dt>Currently certified</dt><dd>{current}</dd></div>" in page
    # coverage of the target counts the current figure, and the page says so
    assert f"<dd>{percent(health, 40)} %</dd>" in page and "Currently certified over the target" in page
    assert "Currently certified: distinct learners holding, on 2026-01-01 00:00 UTC" in page

    rows = list(csv.reader(io.StringIO(client.get(f"/reports/DO.csv?year={PAST}").data.decode("utf-8-sig"))))
    at = rows[0].index("Certified")
    assert rows[0][at + 1] == "Currently certified"
    assert rows[1][at:at + 2] == [str(certified), str(current)]
    health_row = next(row for row in rows if row[3] == "Health")
    assert health_row[at + 1] == str(health) and health_row[-1] == percent(health, 40)

    workbook = load_workbook(io.BytesIO(client.get(f"/reports/DO.xlsx?year={PAST}").data))
    sheet = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert sheet[0][at:at + 2] == ["Certified", "Currently certified"] and sheet[1][at:at + 2] == [certified, current]
    notes = [row[1].value for row in workbook["Definitions"].iter_rows()]
    assert any(str(note).startswith("Currently certified: distinct learners holding, on 2026-01-01 00:00 UTC")
               for note in notes)

    document = json.loads(client.get(f"/reports/DO.json?year={PAST}").data)
    assert document["headline"]["current"] == current and document["headline"]["certified"] == certified
    assert document["current_as_of"] == "2026-01-01T00:00:00Z"
    assert next(row for row in document["cuts"]["sector"] if row["key"] == "health")["current"] == health
    assert document["coverage"]["health"] == float(percent(health, 40))

    pdf = client.get(f"/reports/DO.pdf?year={PAST}")
    assert pdf.mimetype == "application/pdf"
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True,
                                       check=True).stdout.decode().split())
        # the headline: five figures over their labels, then the current figure (and the coverage) on the next line
        assert re.search(rf"{certified} Learners Enrolled Active Completed Certified {current} .*Currently certified",
                         text), text[:400]


@pytest.mark.usefixtures("holders")
def test_the_api_and_the_regional_comparison_carry_the_current_figure(app, db, make_user):
    from tests.integration.test_api import analyst_with_token, bearer

    _, _, plaintext = analyst_with_token(make_user, email="api-analyst@example.org")
    document = app.test_client().get(f"/api/v1/coverage/DO?year={PAST}", headers=bearer(plaintext)).json
    assert document["headline"]["current"] == published(app, 23, "DO", PAST, "total", "", "current")
    assert document["current_as_of"] == "2026-01-01T00:00:00Z"
    client = analyst_client(app, make_user, countries=("DO",))
    region = json.loads(client.get(f"/reports/regions/lac.json?year={PAST}").data)
    assert region["countries"][0]["current"] == document["headline"]["current"]
    assert region["current_as_of"] == "2026-01-01T00:00:00Z"
    page = client.get(f"/reports/regions/lac?year={PAST}").get_data(as_text=True)
    assert '<th scope="col">Currently certified</th>' in page
    assert f"<td>{document['headline']['current']}</td>" in page


@pytest.mark.usefixtures("holders")
def test_the_targets_page_shows_the_current_figure_it_compares_with(app, db, make_user):
    db.session.add(Target(country="DO", year=NOW_YEAR, sector="health", ecsf_role="", headcount=40))
    db.session.commit()
    client = analyst_client(app, make_user)
    page = client.get("/reports/DO/targets").get_data(as_text=True)
    # today: the 14, the 4 renewals (to 2036), the 3 of 2023 and the 2 of January 2026
    health = published(app, 23, "DO", NOW_YEAR, "sector", "health", "current")
    assert "Coverage is currently certified learners" in page
    assert '<th scope="col">Currently certified</th>' in page
    assert f"<td>{health}</td><td>{percent(health, 40)} %</td>" in page
    assert 'id="coverage-figure"' in page


@pytest.mark.usefixtures("holders")
def test_report_check_compares_the_current_counts_at_the_present_moment(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report", "check"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        now = utcnow()
        cells = (len(aggregate.nonzero(aggregate.live_counts(db.session.connection())))
                 + len(aggregate.nonzero(aggregate.current_live(db.session.connection(), now.year, now))))
    assert f"coverage rollup matches the facts ({cells} counts)" in result.output


@pytest.mark.usefixtures("holders")
def test_the_cli_writes_the_current_figure(app, db, make_user, tmp_path):
    make_user(role="analyst", email="cli-analyst@example.org", countries=("DO",))
    target = tmp_path / "do.json"
    result = app.test_cli_runner().invoke(args=["report", "coverage", "--country", "DO", "--year", str(PAST),
                                                "--format", "json", "-o", str(target), "--as",
                                                "cli-analyst@example.org"])
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text())
    assert document["headline"]["current"] == published(app, 23, "DO", PAST, "total", "", "current")

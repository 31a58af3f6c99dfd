"""Coverage reports for analysts: scope, suppression, and every format carrying the same numbers."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, select

from learnhub.extensions import db as database
from learnhub.models import AuditEvent, Certificate, Course, Enrolment, LearnerActivity
from learnhub.models.base import utcnow
from learnhub.reports import coverage, cuts, perturbation
from tests.conftest import log_in
from tests.integration.report_helpers import assert_perturbed_within_bound, percent, published, true_counts

YEAR = utcnow().year


@pytest.fixture
def population(app, db, make_user):
    """24 learners in DO (20 health, 4 energy; 12 women, 12 men), 2 in CO, each with a learning step this month (so
    they are counted); the first 20 complete and are certified."""
    now = utcnow()
    learners = [make_user(email=f"do{i}@example.org", country="DO", sector="health" if i < 20 else "energy",
                          gender="woman" if i % 2 else "man") for i in range(24)]
    learners += [make_user(email=f"co{i}@example.org", country="CO") for i in range(2)]
    for index, learner in enumerate(learners):
        completed = now if index < 20 else None
        db.session.add(Enrolment(learner_id=learner.id, course_id="passwords-mfa", enrolled_at=now,
                                 last_activity_at=now, completed_at=completed))
        db.session.add(LearnerActivity(learner_id=learner.id, course_id="passwords-mfa", year=now.year,
                                       month=now.month))
        if completed:
            db.session.add(Certificate(code=f"CODE{index:08d}", learner_id=learner.id, course_id="passwords-mfa",
                                       learner_name=learner.name, course_title={"en": "x"}, minutes=60,
                                       issued_at=now))
    db.session.commit()
    return learners


def analyst_client(app, make_user, countries=("DO",), language="en"):
    client = app.test_client()
    make_user(role="analyst", email="analyst@example.org", countries=countries, language=language)
    log_in(client, "analyst@example.org")
    return client


def test_the_report_counts_distinct_learners_and_suppresses_small_cells(app, db, population):
    with app.app_context():
        report = coverage.build("DO", YEAR, 10)
        true = true_counts("DO", YEAR)
        shown = assert_perturbed_within_bound(report)
        assert coverage.build("DO", YEAR, 10).cuts == report.cuts  # read again: the same figures
        assert {m: true[("total", "", m)] for m in coverage.METRICS} == {
            "population": 24, "enrolled": 24, "active": 24, "completed": 20, "certified": 20, "current": 20}
        expected = {m: published(app, true[("total", "", m)], "DO", YEAR, "total", "", m) for m in coverage.METRICS}
        assert {m: report.headline[m].value for m in coverage.METRICS} == expected
        assert all(abs(expected[m] - true[("total", "", m)]) <= perturbation.BOUND for m in coverage.METRICS)
        assert shown > 20
        sectors = {row.key: row.values for row in report.cut("sector").rows}
        assert sectors["energy"]["population"].reason == "small"  # 4 learners, published 2 to 6: 1..k-1
        # with the total published, health alone would give the total minus 20 (within a few) away: hidden too
        assert sectors["health"]["population"].reason == "complementary"
        assert sectors["transport"]["population"].value == 0  # a true zero stays zero and reveals nobody
        genders = {row.key: row.values for row in report.cut("gender").rows}
        assert genders["woman"]["population"].value == published(app, 12, "DO", YEAR, "gender", "woman", "population")
        assert genders["man"]["population"].value == published(app, 12, "DO", YEAR, "gender", "man", "population")
        assert report.certified_share() == pytest.approx(expected["certified"] / expected["population"])


def test_analysts_see_only_their_countries_whatever_the_form(app, db, population, make_user):
    client = analyst_client(app, make_user)
    assert client.get("/reports/DO").status_code == 200
    for path in ("/reports/CO", "/reports/co", "/reports/CO.csv", "/reports/CO.json", "/reports/CO.xlsx",
                 "/reports/CO?year=2020", "/reports/XX", "/reports/DO?year=abc", "/reports/DO?year=1900"):
        assert client.get(path).status_code == 404, path
    page = client.get("/reports/").get_data(as_text=True)
    assert "/reports/DO" in page and "/reports/CO" not in page
    trainee = app.test_client()
    make_user(email="trainee@example.org")
    log_in(trainee, "trainee@example.org")
    assert trainee.get("/reports/DO").status_code == 404
    assert app.test_client().get("/reports/DO").status_code == 302


def test_every_format_carries_the_same_numbers_and_is_audited(app, db, population, make_user):
    client = analyst_client(app, make_user)
    page = client.get(f"/reports/DO?year={YEAR}")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "<svg" in html and "<script" not in html
    as_json = json.loads(client.get(f"/reports/DO.json?year={YEAR}").data)
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/DO.csv?year={YEAR}").data.decode("utf-8-sig"))))
    workbook = load_workbook(io.BytesIO(client.get(f"/reports/DO.xlsx?year={YEAR}").data))
    sheet = workbook.active
    xlsx = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet["E2"].number_format == "#,##0" and sheet.auto_filter.ref == sheet.dimensions
    notes = {row[0].value: row[1].value for row in workbook["Definitions"].iter_rows()}
    assert notes["Country"] == "Dominican Republic (DO)" and notes["Year"] == str(YEAR)
    assert notes["Privacy threshold"] == "10"
    assert notes["Largest perturbation"] == "2" and as_json["perturbation_bound"] == 2
    with app.app_context():
        report = coverage.build("DO", YEAR, 10)
        assert_perturbed_within_bound(report)
    hidden = sum(cell.suppressed for cell in [*report.headline.values(), *(
        row.values[m] for cut in report.cuts for row in cut.rows for m in cut.metrics)])
    assert hidden >= 4  # at least the 4 energy learners (population, enrolled, active) and a complement
    assert notes["Cells not shown"] == (f"{hidden}: counts from 1 to 9, and other counts that would let someone "
                                        "work those out from the totals.")
    headline = [report.headline[m].value for m in coverage.METRICS]
    assert all(value is not None for value in headline)
    assert [as_json["headline"][m] for m in coverage.METRICS] == headline
    # Six figures since "Currently certified" joined (issue 19): its column comes right after "Certified".
    assert rows[0][8:10] == ["Certified", "Currently certified"]
    assert rows[1][4:10] == [str(value) for value in headline] and xlsx[1][4:10] == headline
    women = next(row for row in report.cut("gender").rows if row.key == "woman").values
    women_values = [women[m].value for m in coverage.METRICS]
    women_csv = next(r for r in rows if r[3] == "Woman")
    women_xlsx = next(r for r in xlsx if r[3] == "Woman")
    women_json = next(r for r in as_json["cuts"]["gender"] if r["key"] == "woman")
    assert women_csv[4:10] == ["" if v is None else str(v) for v in women_values] and women_xlsx[4:10] == women_values
    assert [women_json[m] for m in coverage.METRICS] == women_values
    assert women_values[0] == published(app, 12, "DO", YEAR, "gender", "woman", "population")
    energy_json = next(r for r in as_json["cuts"]["sector"] if r["key"] == "energy")
    energy_csv = next(r for r in rows if r[3] == "Energy")
    assert energy_json["population"] is None and energy_csv[4] == ""
    assert f"<td>{women_values[0]}</td>" in html
    # the definitions say who is counted and how far a figure may be from the truth, in every format
    assert "whose e-mail address is verified and who did at least one learning step" in html
    assert "differs from the true count by at most 2" in html
    assert any("differs from the true count by at most 2" in str(row[1].value)
               for row in workbook["Definitions"].iter_rows())
    pdf = client.get(f"/reports/DO.pdf?year={YEAR}")
    assert pdf.mimetype == "application/pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True,
                              check=True).stdout.decode()
        woman_rows = [line.split()[1:] for line in text.splitlines() if line.strip().startswith("Woman")]
        # the table row (the chart's label line has one value)
        assert ["—" if v is None else str(v) for v in women_values] in woman_rows
        assert "differs from the true count by at most 2" in " ".join(text.split())
    events = database.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "report.downloaded"))
    assert sorted(e["format"] for e in events) == ["csv", "json", "pdf", "xlsx"]


def test_the_dashboard_reads_in_spanish(app, db, population, make_user):
    from learnhub.models import Target

    db.session.add(Target(country="DO", year=YEAR, sector="health", ecsf_role="", headcount=40))
    db.session.commit()
    client = analyst_client(app, make_user, language="es")
    page = client.get("/reports/DO").get_data(as_text=True)
    assert "República Dominicana" in page and '<html lang="es">' in page
    # The headline compares like with like: the 20 currently certified of health (perturbed; coverage counts
    # the current figure, decision 0070) with health's target of 40.
    health = published(app, 20, "DO", YEAR, "sector", "health", "current")
    assert f"<dd>{percent(health, 40)} %</dd>".replace(".", ",") in page  # in the Spanish notation
    assert "Solo el sector con meta: Salud." in page  # and says so
    sector = page[page.index('id="cut-sector"'):page.index('id="cut-organisation_type"')]
    assert f"<td>{health}</td><td>40</td><td>{percent(health, 40)}</td>".replace(".", ",") in sector


def test_every_format_shows_the_cuts_and_rows_in_the_order_and_words_of_the_registry(app, db, population,
                                                                                     make_user):
    client = analyst_client(app, make_user, language="es")
    with app.test_request_context(), force_locale("es"):
        labels = [str(cut.label) for cut in cuts.CUTS]
        report = coverage.build("DO", YEAR, 10)
        kinds = database.session.execute(select(Course.id, Course.kind).order_by(Course.id)).all()
        frame = cuts.Frame(YEAR, dict(kinds))
        row_labels = {cut.key: list(cut.row_labels([row.key for row in report.cut(cut.key).rows], "es").values())
                      for cut in cuts.CUTS}
    keys = [cut.key for cut in cuts.CUTS]
    assert labels[0] == "Por sector"  # translated where shown
    assert [published.name for published in report.cuts] == keys
    for cut in cuts.CUTS:  # the rows every report shows come first, in the registry's order
        shown = [row.key for row in report.cut(cut.key).rows]
        assert shown[:len(cut.rows(frame))] == cut.rows(frame), cut.key

    def grouped(records: list[list]) -> list[tuple[str, list[str]]]:
        """(cut, [row labels]) in the order of a flat table, after the header and the total."""
        order: dict[str, list[str]] = {}
        for record in records[2:]:
            order.setdefault(record[2], []).append(record[3])
        return list(order.items())

    expected = [(label, row_labels[key]) for key, label in zip(keys, labels, strict=True)]
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/DO.csv?year={YEAR}").data.decode("utf-8-sig"))))
    assert grouped(rows) == expected
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/DO.xlsx?year={YEAR}").data)).active
    assert grouped([[cell.value for cell in row] for row in sheet.iter_rows()]) == expected
    document = json.loads(client.get(f"/reports/DO.json?year={YEAR}").data)
    assert list(document["cuts"]) == keys
    assert [[row["key"] for row in document["cuts"][key]] for key in keys] == [
        [row.key for row in report.cut(key).rows] for key in keys]
    page = client.get(f"/reports/DO?year={YEAR}").get_data(as_text=True)
    headings = [(key, html.unescape(title)) for key, title in re.findall(r'<h2 id="cut-([a-z_]+)">([^<]*)</h2>', page)]
    assert headings == list(zip(keys, labels, strict=True))
    charts = re.findall(r'class="lh-chart lh-chart-(\w+)" role="img" aria-labelledby="chart-([a-z-]+)-title', page)
    assert charts == [("line" if cut.line_title else "bar", cut.key.replace("_", "-")) for cut in cuts.CUTS]
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=client.get(f"/reports/DO.pdf?year={YEAR}").data,
                              capture_output=True, check=True).stdout.decode()
        headings_at = [next(index for index, line in enumerate(text.splitlines()) if line.strip() == label)
                       for label in labels]
        assert headings_at == sorted(headings_at)


def test_courses_removed_later_keep_their_rows(app, db, population):
    db.session.get(Course, "passwords-mfa").retired = True
    db.session.commit()
    with app.app_context():
        report = coverage.build("DO", YEAR, 10)
    assert {row.key for row in report.cut("course").rows} >= {"passwords-mfa"}


def test_the_command_line_writes_the_same_report_within_scope(app, db, population, make_user, tmp_path):
    make_user(role="analyst", email="analyst@example.org", countries=("DO",), language="en")
    runner = app.test_cli_runner()
    target = tmp_path / "do.json"
    result = runner.invoke(args=["report", "coverage", "--country", "do", "--format", "json", "-o", str(target),
                                 "--as", "analyst@example.org"])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["headline"]["certified"] == published(app, 20, "DO", YEAR, "total", "",
                                                                                 "certified")
    refused = runner.invoke(args=["report", "coverage", "--country", "CO", "--format", "csv", "-o",
                                  str(tmp_path / "co.csv"), "--as", "analyst@example.org"])
    assert refused.exit_code == 1 and "CO is not in the scope of analyst@example.org" in refused.output
    assert not (tmp_path / "co.csv").exists()


def upload_targets(client, country: str, data: bytes):
    page = client.get(f"/reports/{country}/targets").get_data(as_text=True)
    from tests.conftest import csrf_token

    return client.post(f"/reports/{country}/targets", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), "targets.csv")})


def test_targets_from_a_csv_are_all_or_nothing_and_give_coverage(app, db, population, make_user):
    from learnhub.models import Target

    client = analyst_client(app, make_user)
    bad = (f"año;sector;rol;meta\n{YEAR};health;;40\n{YEAR};salud pública;;10\n{YEAR};energy;;-5\n"
           f"{YEAR};health;;41\n").encode("cp1252")
    response = upload_targets(client, "DO", bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 3" in page and "Line 4" in page and "Line 5" in page and "Nothing was saved" in page
    assert db.session.scalar(select(func.count()).select_from(Target)) == 0
    good = f"year,sector,role,headcount\n{YEAR},health,,40\n{YEAR},Energy,,10\n{YEAR},health,CISO,5\n".encode()
    assert upload_targets(client, "DO", good).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Target)) == 3
    document = json.loads(client.get(f"/reports/DO.json?year={YEAR}").data)
    assert document["targets"] == {"health": 40, "energy": 10}
    # coverage counts the currently certified (decision 0070): here the same learners, their own cell keys
    health = published(app, 20, "DO", YEAR, "sector", "health", "current")
    energy = published(app, 0, "DO", YEAR, "sector", "energy", "current")
    # over the sectors with a target only: health's and energy's published currently certified, of 50
    assert document["coverage"]["total"] == float(percent(health + energy, 50))
    assert document["coverage_sectors"] == ["energy", "health"]
    assert abs(document["coverage"]["total"] - 40.0) <= 100 * perturbation.BOUND / 50
    assert document["coverage"]["health"] == float(percent(health, 40))  # the published health figure of 40
    assert document["coverage"]["energy"] == 0.0  # a true zero stays zero; over a target of k or more, published
    assert upload_targets(client, "CO", good).status_code == 404


def test_one_target_by_form_and_clear_messages(app, db, population, make_user):
    from learnhub.models import Target
    from tests.conftest import post_form

    client = analyst_client(app, make_user)
    bad = post_form(client, "/reports/DO/targets", {"year": "20x6", "sector": "health", "ecsf_role": "",
                                                    "headcount": "ten"})
    assert bad.status_code == 400 and "Enter a year such as 2026." in bad.get_data(as_text=True)
    good = post_form(client, "/reports/DO/targets", {"year": str(YEAR), "sector": "health", "ecsf_role": "",
                                                     "headcount": "25"})
    assert good.status_code == 303
    assert db.session.scalar(select(Target.headcount)) == 25


def test_role_targets_give_coverage_by_role_in_every_format(app, db, population, make_user):
    """12 certified CISOs in DO (published 10 to 14) against CISO targets of 1 in each of the 20 sectors, about
    60 %; a role with a target in every sector and nobody certified shows a true 0 %; a role whose targets are
    set in some sectors only shows no coverage (its certified learners of the other sectors are not split
    out), nor do roles without a target (issue 20: never over a population the target does not describe)."""
    from learnhub import reference
    from learnhub.models import Target

    now = utcnow()
    for index in range(12):
        learner = make_user(email=f"ciso{index}@example.org", country="DO", sector="health", ecsf_role="ciso")
        db.session.add(Enrolment(learner_id=learner.id, course_id="passwords-mfa", enrolled_at=now,
                                 last_activity_at=now, completed_at=now))
        db.session.add(LearnerActivity(learner_id=learner.id, course_id="passwords-mfa", year=now.year,
                                       month=now.month))
        db.session.add(Certificate(code=f"CISO{index:08d}", learner_id=learner.id, course_id="passwords-mfa",
                                   learner_name=learner.name, course_title={"en": "x"}, minutes=60, issued_at=now))
    sectors = [entry.id for entry in reference.sectors()]
    db.session.add_all([Target(country="DO", year=YEAR, sector=sector, ecsf_role="ciso", headcount=1)
                        for sector in sectors])
    db.session.add_all([Target(country="DO", year=YEAR, sector=sector, ecsf_role="penetration-tester", headcount=1)
                        for sector in sectors])
    db.session.add_all([Target(country="DO", year=YEAR, sector="health", ecsf_role="cybersecurity-auditor",
                               headcount=15),
                        Target(country="DO", year=YEAR, sector="health", ecsf_role="", headcount=40)])
    db.session.commit()
    with app.app_context():
        report = coverage.build("DO", YEAR, 10)
    # Coverage counts the currently certified (decision 0070): all of them here, each cell perturbed by its key.
    ciso_certified = published(app, 12, "DO", YEAR, "ecsf_role", "ciso", "current")
    health_certified = published(app, 32, "DO", YEAR, "sector", "health", "current")
    assert report.role_targets == {"ciso": 20, "penetration-tester": 20, "cybersecurity-auditor": 15}
    assert report.targets == {"health": 40}
    assert report.coverage_in("ecsf_role", "ciso") == pytest.approx(ciso_certified / 20)  # from the published 12
    assert abs(report.coverage_in("ecsf_role", "ciso") - 0.6) <= perturbation.BOUND / 20
    assert report.coverage_in("ecsf_role", "penetration-tester") == 0.0
    assert report.coverage_in("ecsf_role", "cybersecurity-auditor") is None  # health auditors only: not shown
    assert report.role_coverage_limited("cybersecurity-auditor") and not report.role_coverage_limited("ciso")
    assert report.coverage_in("ecsf_role", "cyber-threat-intelligence-specialist") is None
    assert report.coverage_in("gender", "woman") is None

    client = analyst_client(app, make_user)
    document = json.loads(client.get(f"/reports/DO.json?year={YEAR}").data)
    assert document["role_targets"] == {"ciso": 20, "penetration-tester": 20, "cybersecurity-auditor": 15}
    assert document["coverage_by_role"] == {"ciso": float(percent(ciso_certified, 20)), "penetration-tester": 0.0,
                                            "cybersecurity-auditor": None}
    assert document["coverage"]["health"] == float(percent(health_certified, 40))  # 32 certified in health of 40

    text = client.get(f"/reports/DO.csv?year={YEAR}").data.decode("utf-8-sig")
    rows = {(row["Cut"], row["Group"]): row for row in csv.DictReader(io.StringIO(text))}
    ciso = rows[("By cybersecurity role", "Chief Information Security Officer (CISO)")]
    assert (ciso["Currently certified"], ciso["Target"], ciso["Coverage, percent of target"]) == (
        str(ciso_certified), "20", percent(ciso_certified, 20))
    auditor = rows[("By cybersecurity role", "Cybersecurity Auditor")]
    assert (auditor["Target"], auditor["Coverage, percent of target"]) == ("15", "")

    page = client.get(f"/reports/DO?year={YEAR}").get_data(as_text=True)
    role_section = page[page.index('id="cut-ecsf_role"'):page.index('id="cut-gender"')]
    assert "<th scope=\"col\">Target</th>" in role_section
    assert f"<td>{ciso_certified}</td><td>20</td><td>{percent(ciso_certified, 20)}</td>" in role_section
    gender_section = page[page.index('id="cut-gender"'):page.index('id="cut-course"')]
    assert "Target" not in gender_section


def test_report_downloads_neutralise_spreadsheet_formulas(app, db, population, make_user):
    """A course title is trainer content: one that starts like a formula stays text in the CSV and XLSX."""
    course = db.session.get(Course, "passwords-mfa")
    course.title = {language: '=HYPERLINK("http://evil.example","x")' for language in course.title}
    db.session.commit()
    client = analyst_client(app, make_user)
    text = client.get(f"/reports/DO.csv?year={YEAR}").data.decode("utf-8-sig")
    groups = [row["Group"] for row in csv.DictReader(io.StringIO(text))]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in groups
    assert not any(group.startswith("=") for group in groups)
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/DO.xlsx?year={YEAR}").data)).worksheets[0]
    values = [cell.value for cell in sheet["D"]]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_hidden_month_cannot_be_worked_out_from_the_year(app, db):
    """The review's case (k = 10): 23 certified in the year, 20 in January and 3 in February, all in one
    course. With the year as the months' bound, February is not alone: January is hidden too."""
    counts = {("total", "", "certified"): 23, ("course", "passwords-mfa", "certified"): 23,
              ("course_kind", "awareness", "certified"): 23, ("month", f"{YEAR}-01", "certified"): 20,
              ("month", f"{YEAR}-02", "certified"): 3}
    with app.app_context():
        report = coverage.build("DO", YEAR, 10, counts=counts)
    months = {row.key: row.values["certified"] for row in report.cut("month").rows}
    assert months[f"{YEAR}-02"].reason == "small"  # 3, published 1 to 5
    assert months[f"{YEAR}-01"].suppressed
    assert report.headline["certified"].value == published(app, 23, "DO", YEAR, "total", "", "certified")
    kinds = {row.key: row.values["certified"] for row in report.cut("course_kind").rows}
    assert kinds["awareness"].value == published(app, 23, "DO", YEAR, "course_kind", "awareness", "certified")


def test_a_target_is_typed_in_the_readers_notation_with_one_clear_error(app, db, population, make_user):
    """Issue 20: "1.200" in a Spanish session gave two errors, one of them written "50,000,000"."""
    from learnhub.models import Target
    from tests.conftest import post_form

    client = analyst_client(app, make_user, language="es")
    good = post_form(client, "/reports/DO/targets", {"year": str(YEAR), "sector": "health", "ecsf_role": "",
                                                     "headcount": "1.200"})
    assert good.status_code == 303
    assert db.session.scalar(select(Target.headcount)) == 1200
    bad = post_form(client, "/reports/DO/targets", {"year": str(YEAR), "sector": "energy", "ecsf_role": "",
                                                    "headcount": "1,5"})
    page = html.unescape(bad.get_data(as_text=True))
    assert bad.status_code == 400
    messages = re.findall(r'<p class="error-message"[^>]*>(.*?)</p>', page)
    assert messages == ["<span>Introduzca un número entero de 0 a 50.000.000, por ejemplo 1.200.</span> "], messages
    assert "50,000,000" not in page and "Not a valid integer" not in page
    assert 'value="1,5"' in page  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(Target)) == 1


def test_a_hidden_month_says_why_and_offers_the_year(app, db, population, make_user):
    """Issue 20: 24 learners of DO active this month and 3 more in another month: that month's active count (3,
    small) and, to protect it, this month's are hidden; the page says why (k, complementary suppression) and
    offers the year."""
    now = utcnow()
    other = 1 if now.month != 1 else 2
    for index in range(3):
        learner = make_user(email=f"late{index}@example.org", country="DO", sector="health")
        db.session.add(LearnerActivity(learner_id=learner.id, course_id="passwords-mfa", year=now.year, month=other))
    db.session.commit()
    client = analyst_client(app, make_user, language="es")
    page = html.unescape(client.get(f"/reports/DO?year={YEAR}").get_data(as_text=True))
    month = page[page.index('id="cut-month"'):page.index("</section>", page.index('id="cut-month"'))]
    assert "Algunas cifras de esta tabla no se muestran (—)." in month and 'href="#not-shown"' in month
    assert '<details class="not-shown" id="not-shown">' in page  # closed: most figures are shown
    assert "supresión complementaria" in page and "Un recuento de 1 a 9 nunca se muestra" in page
    assert ('<a href="#headline">El año en lugar de los meses: las cifras del principio de esta página son de todo '
            f'{YEAR}.') in page
    assert 'href="/reports/regions/lac?year=' in page and "La región en lugar del país" in page


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_names_months_measures_and_dates_in_the_readers_language(app, db, population, make_user):
    """Issue 20: months as "2026-01", charts without their measure, an ISO date in the footer."""
    from babel.dates import format_date

    client = analyst_client(app, make_user, language="es")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=client.get(f"/reports/DO.pdf?year={YEAR}").data,
                          capture_output=True, check=True).stdout.decode()
    assert f"enero de {YEAR}" in text and f"{YEAR}-01" not in text
    assert "Participantes certificados (número), por sector" in text
    assert f"Generado el {format_date(utcnow().date(), 'long', locale='es')}" in " ".join(text.split())
    csv_text = client.get(f"/reports/DO.csv?year={YEAR}").data.decode("utf-8-sig")
    assert f"diciembre de {YEAR}" in csv_text or f"enero de {YEAR}" in csv_text

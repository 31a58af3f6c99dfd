"""The regional comparison: countries side by side from the rollup, scoped, suppressed, downloadable."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from learnhub.models import AuditEvent, Target
from learnhub.reports import coverage as coverage_module
from learnhub.reports import regional
from tests.integration.report_helpers import percent, published
from tests.integration.test_learning import count_queries
from tests.integration.test_reports import YEAR, analyst_client, population  # noqa: F401  (fixture)


def test_the_lac_comparison_shows_countries_in_scope_with_small_counts_and_their_totals_hidden(
        app, db, make_user, population):  # noqa: F811
    client = analyst_client(app, make_user, countries=("DO", "CO", "ES"))
    page = client.get(f"/reports/regions/lac?year={YEAR}").get_data(as_text=True)
    assert "Dominican Republic" in page and "Colombia" in page
    assert "Spain" not in page  # in scope, but not in this region
    with app.app_context():
        comparison = regional.build("lac", YEAR, 10, frozenset({"DO", "CO", "ES"}))
    lines = {line.country: line for line in comparison.lines}
    assert list(lines) == ["CO", "DO"]
    true = {"population": 24, "enrolled": 24, "active": 24, "completed": 20, "certified": 20, "current": 20}
    # each country's figure is its own report's headline: the same cell, the same perturbation
    assert {m: lines["DO"].values[m].value for m in true} == {
        m: published(app, value, "DO", YEAR, "total", "", m) for m, value in true.items()}
    assert 0 < published(app, 2, "CO", YEAR, "total", "", "population") < 10
    assert lines["CO"].values["population"].suppressed and lines["CO"].values["population"].reason == "small"
    # CO's 2 learners are hidden, so the total would give them away: it is hidden too.
    assert comparison.totals["population"].suppressed
    # No one in CO completed: a true zero stays zero, and the total of that column, the sum of the published
    # figures, is published.
    assert lines["CO"].values["completed"].value == 0
    assert comparison.totals["completed"].value == lines["DO"].values["completed"].value


def test_an_analyst_sees_only_their_countries_in_the_comparison(app, db, make_user, population):  # noqa: F811
    client = analyst_client(app, make_user, countries=("DO",))
    page = client.get(f"/reports/regions/all?year={YEAR}").get_data(as_text=True)
    assert "Dominican Republic" in page and "Colombia" not in page
    body = client.get(f"/reports/regions/lac.json?year={YEAR}").get_json() or json.loads(
        client.get(f"/reports/regions/lac.json?year={YEAR}").data)
    assert [line["country"] for line in body["countries"]] == ["DO"]
    eu = client.get(f"/reports/regions/eu?year={YEAR}").get_data(as_text=True)
    assert "None of the countries of this region is in your scope." in eu


def test_coverage_against_targets_and_downloads_carry_the_page_values(app, db, make_user, population):  # noqa: F811
    with app.app_context():
        db.session.add_all([Target(country="DO", year=YEAR, sector="health", ecsf_role="", headcount=40),
                            Target(country="DO", year=YEAR, sector="energy", ecsf_role="", headcount=40)])
        db.session.commit()
    client = analyst_client(app, make_user, countries=("DO", "CO"))
    page = client.get(f"/reports/regions/lac?year={YEAR}").get_data(as_text=True)
    figures = {m: published(app, value, "DO", YEAR, "total", "", m) for m, value in
               {"population": 24, "enrolled": 24, "active": 24, "completed": 20, "certified": 20,
                "current": 20}.items()}
    # Over the sectors with a target only (health and energy), as on DO's own dashboard: their published
    # certified counts added up, of a target of 80.
    with app.app_context():
        own = coverage_module.build("DO", YEAR, 10).target_coverage()
    # Coverage counts the currently certified (decision 0070): the same 20 learners, their own cell keys.
    health = published(app, 20, "DO", YEAR, "sector", "health", "current")
    energy = published(app, 0, "DO", YEAR, "sector", "energy", "current")
    assert own.certified == health + energy and own.sectors == ("energy", "health")
    coverage = percent(health + energy, 80)
    assert f"{coverage} %" in page
    assert '<svg' in page and f"Dominican Republic: {coverage} %" in page  # the map tile's title
    assert "differs from the true count" not in page and "at most 2 from the true count" in page
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/regions/lac.csv?year={YEAR}").data.decode("utf-8-sig"))))
    do_row = next(row for row in rows if row[0] == "DO")
    assert do_row[3:] == [*(str(value) for value in figures.values()), "80", coverage]
    assert rows[-1][1] == "Total of the countries shown" and rows[-1][3] == ""  # population total hidden
    document = json.loads(client.get(f"/reports/regions/lac.json?year={YEAR}").data)
    assert document["countries"][1] == {"country": "DO", **figures, "target": 80, "coverage": float(coverage)}
    assert document["total"]["coverage"] == float(coverage)  # only DO has a target
    assert document["perturbation_bound"] == 2
    with app.app_context():
        audited = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "report.downloaded")).all()
    assert [event.detail["format"] for event in audited] == ["csv", "json"]
    assert audited[0].detail["countries"] == ["CO", "DO"]


def test_the_comparison_of_every_country_takes_a_constant_number_of_queries(app, db, make_user, population):  # noqa: F811
    make_user(role="admin", email="admin@example.org")
    from tests.conftest import log_in

    client = app.test_client()
    log_in(client, "admin@example.org")
    statements, stop = count_queries(db)
    try:
        response = client.get(f"/reports/regions/all?year={YEAR}")
    finally:
        stop()
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('<th scope="row"><a href="/reports/') == 60
    # 6 at most, the "currently certified" query of every country included (one, decision 0070)
    assert len(statements) <= 6, statements
    assert sum("FROM certificates" in statement for statement in statements) == 1, statements


def test_a_bad_year_or_region_is_not_found(app, db, make_user):
    client = analyst_client(app, make_user, countries=("DO",))
    assert client.get("/reports/regions/lac?year=1999").status_code == 404
    assert client.get("/reports/regions/lac?year=abc").status_code == 404
    assert client.get("/reports/regions/africa").status_code == 404
    assert client.get("/reports/regions/lac.pdf").status_code == 404

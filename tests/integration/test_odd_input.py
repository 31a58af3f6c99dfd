"""The audit's odd inputs, one by one: each is a 404, a 400 or a form error, never a 500 (issue 11).

The fuzz test (test_fuzz_odd_input.py) throws the same values at every route and form; these tests pin the
exact answer for each case the audit named.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from learnhub.models import Attempt, Cohort, User
from learnhub.web.forms import BaseForm
from tests.conftest import DEFAULT_PASSWORD, csrf_token, log_in, post_form
from tests.integration.learning_helpers import accept_invitation, submit_quiz

HUGE_IDS = ("2147483648", "9223372036854775808", "18446744073709551616", "9" * 5000, "0", "-1", "1.5", "%C2%B9")


@pytest.fixture
def trainer_client(app, db, client, make_user):
    make_user(role="trainer", email="trainer@example.org", name="Tomás Trainer", language="en")
    log_in(client, "trainer@example.org")
    return client


def cohort_with_learner(client, make_user, learner_name="Ana Learner") -> tuple[int, User]:
    response = post_form(client, "/trainer/", {"name": "Cohort", "organisation": "MINSA", "country": "DO",
                                               "language": "es"})
    cohort_id = int(re.search(r"/trainer/cohorts/(\d+)", response.location).group(1))
    learner = make_user(email="ana@example.org", name="Ana")
    post_form(client, f"/trainer/cohorts/{cohort_id}/people", {"email": "ana@example.org", "name": "Ana"},
              page=f"/trainer/cohorts/{cohort_id}")
    post_form(client, f"/trainer/cohorts/{cohort_id}/assignments",
              {"course": "ics-critical-infrastructure", "due_on": ""}, page=f"/trainer/cohorts/{cohort_id}")
    learner_client = client.application.test_client()
    log_in(learner_client, "ana@example.org")
    accept_invitation(learner_client, cohort_id)  # the trainer sees the learner's work from now on
    return cohort_id, learner


# --- ids out of range ----------------------------------------------------------------------------------

def test_no_route_takes_an_unbounded_integer(app):
    """Every integer in a path is a row id through the `id` converter: 1 to 2^31 - 1, or no such page."""
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    assert not [rule for rule in rules if "<int:" in rule or "<int(" in rule]
    assert {rule for rule in rules if "<id:" in rule} >= {
        "/attempts/<id:attempt_id>", "/trainer/cohorts/<id:cohort_id>",
        "/trainer/marking/<id:attempt_id>/<question_id>", "/account/api-tokens/<id:token_id>/revoke"}


def test_ids_beyond_what_the_database_stores_are_not_found(app, db, client, make_user):
    make_user(role="admin", email="admin@example.org")
    log_in(client, "admin@example.org")
    token = csrf_token(client.get("/account/api-tokens").get_data(as_text=True))
    for value in HUGE_IDS:
        for path in (f"/attempts/{value}", f"/trainer/cohorts/{value}", f"/trainer/cohorts/{value}/progress.xlsx",
                     f"/trainer/cohorts/1/learners/{value}", f"/trainer/marking/{value}/q1"):
            assert client.get(path).status_code == 404, path
        assert client.post(f"/account/api-tokens/{value}/revoke", data={"csrf_token": token}).status_code == 404
    assert client.get("/attempts/2147483647").status_code == 404  # the largest id: looked up, not there


# --- NUL bytes -----------------------------------------------------------------------------------------

def test_a_nul_byte_in_the_path_is_not_found_and_in_a_query_or_form_a_bad_request(app, db, client, make_user):
    for path in ("/courses/passwords-mfa%00", "/courses/a%00b/lessons/x", "/verify/AB%00CD", "/password/reset/x%00",
                 "/api/v1/coverage/D%00O"):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/v1/coverage/D%00O").get_json() == {"error": "Not found."}
    assert client.get("/courses?text=pass%00word").status_code == 400
    assert client.get("/courses?text=password").status_code == 200
    assert client.get("/courses?text=pass%2500word").status_code == 200  # the text "%00": no NUL in it
    assert client.get("/courses?text=pass\x00word").status_code == 400  # a raw NUL, not escaped
    make_user(email="ana@example.org")
    refused = client.post("/login", data={"email": "ana@example.org\x00", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 400 and "Something is not right" in refused.get_data(as_text=True)


# --- control characters in every text field ------------------------------------------------------------

def test_every_form_is_a_base_form():
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import learnhub.web

    for module in pkgutil.walk_packages(learnhub.web.__path__, "learnhub.web."):
        importlib.import_module(module.name)
    forms = [form for form in _subclasses(FlaskForm) if form.__module__.startswith("learnhub.")]
    assert len(forms) >= 18
    assert [form.__qualname__ for form in forms if not issubclass(form, BaseForm)] == []


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_names_and_organisations_lose_control_characters_at_input(app, db, trainer_client, make_user):
    response = post_form(trainer_client, "/trainer/", {
        "name": "Equipo\x07 Norte\tA", "organisation": "Hospital\x0bSan Juan\x1b", "country": "DO", "language": "es"})
    assert response.status_code == 303
    cohort = db.session.scalar(select(Cohort))
    assert (cohort.name, cohort.organisation) == ("Equipo Norte A", "Hospital San Juan")
    log_in(client := app.test_client(), make_user(email="zoe@example.org").email)
    profile = post_form(client, "/account/profile", {
        "name": "Zoé\x07 Pérez\x85", "language": "es", "country": "DO", "sector": "health",
        "organisation": "MINSA\r\nDO", "organisation_type": "government"})
    assert profile.status_code == 303
    zoe = db.session.scalar(select(User).where(User.email == "zoe@example.org"))
    assert (zoe.name, zoe.organisation) == ("Zoé Pérez", "MINSA  DO")


def test_progress_exports_of_names_holding_control_characters(app, db, trainer_client, make_user):
    """The audit's 500: names stored before input was cleaned (or by another way in) still export."""
    cohort_id, learner = cohort_with_learner(trainer_client, make_user)
    db.session.get(User, learner.id).name = "Ana\x07 Bell\x0b;=2+3"
    db.session.commit()
    xlsx = trainer_client.get(f"/trainer/cohorts/{cohort_id}/progress.xlsx")
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.data)).active["A2"].value == "Ana Bell;'=2+3"
    text = trainer_client.get(f"/trainer/cohorts/{cohort_id}/progress.csv").data.decode("utf-8-sig")
    assert "Ana Bell;'=2+3" in text and "\x07" not in text


# --- numbers and years ---------------------------------------------------------------------------------

@pytest.mark.parametrize("score", ["sNaN", "NaN", "inf", "-Infinity", "1e309", "9" * 5000, "-0.0001"])
def test_an_essay_mark_that_is_not_a_finite_number_is_a_form_error(app, db, trainer_client, make_user, score):
    _cohort_id, learner = cohort_with_learner(trainer_client, make_user)
    learner_client = app.test_client()
    log_in(learner_client, "ana@example.org")
    submit_quiz(learner_client, app, learner, "ics-critical-infrastructure", "check-ot-security", right=True)
    link = re.search(r'href="(/trainer/marking/\d+/[^"]+)"',
                     trainer_client.get("/trainer/marking").get_data(as_text=True)).group(1)
    response = post_form(trainer_client, link, {"score": score, "feedback": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a number." in page or "Enter a mark from 0 to 100." in page
    assert db.session.scalar(select(Attempt.awaiting_marking)) == 1


def test_a_huge_year_is_a_form_error_or_not_found(app, db, make_user):
    client = app.test_client()
    make_user(role="analyst", email="analyst@example.org", countries=("DO",), language="en")
    log_in(client, "analyst@example.org")
    for year in ("99999999999", "2147483648", "-1", "1e9", "9" * 5000):
        bad = post_form(client, "/reports/DO/targets", {"year": year, "sector": "health", "ecsf_role": "",
                                                        "headcount": "5"})
        assert bad.status_code == 400 and "Enter a year such as 2026." in bad.get_data(as_text=True), year
        for path in (f"/reports/DO?year={year}", f"/reports/DO.xlsx?year={year}", f"/reports/regions/lac?year={year}"):
            assert client.get(path).status_code == 404, path
        # A CSV upload does not validate the one-target form, whose year field may still come along.
        page = client.get("/reports/DO/targets").get_data(as_text=True)
        upload = client.post("/reports/DO/targets", content_type="multipart/form-data", data={
            "csrf_token": csrf_token(page), "year": year,
            "file": (io.BytesIO(b"year,sector,headcount\n2026,no-such-sector,5\n"), "t.csv")})
        assert upload.status_code == 400, year


def test_the_cli_refuses_a_huge_year_and_odd_account_input(app, db, make_user):
    make_user(role="analyst", email="analyst@example.org", countries=("DO",))
    runner = app.test_cli_runner()
    for year in ("99999999999", "1999", "2101"):
        result = runner.invoke(args=["report", "coverage", "--country", "DO", "--year", year, "--format", "csv",
                                     "-o", "/dev/null", "--as", "analyst@example.org"])
        assert result.exit_code == 2 and "is not in the range 2000<=x<=2100" in result.output
        assert "Traceback" not in result.output
    result = runner.invoke(args=["demo", "--learners", "1", "--year", "99999999999"])
    assert result.exit_code == 1 and "--year 99999999999 has not started yet" in result.output
    refused = runner.invoke(args=["users", "create", "x\x00@example.org"], input=DEFAULT_PASSWORD + "\n")
    assert refused.exit_code == 1 and "is not an e-mail address" in refused.output
    created = runner.invoke(args=["users", "create", "eve@example.org", "--name", "Eve\x07\tLynn"],
                            input=DEFAULT_PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert db.session.scalar(select(User.name).where(User.email == "eve@example.org")) == "Eve Lynn"


# --- bodies too large ----------------------------------------------------------------------------------

def _too_large(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 413, response.status_code
    assert "Too large to send" in page and "at most 8 MB" in page and "error code" not in page


def test_an_oversized_login_gets_the_friendly_413(app, db, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 8 * 1024 * 1024  # the real default, not a test setting
    _too_large(client.post("/login", data={"email": "a@example.org", "password": "x" * (9 * 1024 * 1024)}))
    prefix = b"email=a%40example.org&password="
    just_over = prefix + b"x" * (limit + 1 - len(prefix))
    assert len(just_over) == limit + 1
    _too_large(client.post("/login", data=just_over, content_type="application/x-www-form-urlencoded"))
    # A multipart text field over Werkzeug's in-memory limit (500 kB) but under the body limit: the same page.
    _too_large(client.post("/login", data={"email": "a@example.org", "password": "x" * (600 * 1024)},
                           content_type="multipart/form-data"))
    assert client.get("/health").status_code == 200


def test_a_50_mb_csv_upload_gets_the_friendly_413(app, db, trainer_client, make_user):
    cohort_id, _learner = cohort_with_learner(trainer_client, make_user)
    page = trainer_client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    big = b"email,name\n" + b"someone@example.org,Some One\n" * (50 * 1024 * 1024 // 28)
    response = trainer_client.post(f"/trainer/cohorts/{cohort_id}/import", content_type="multipart/form-data",
                                   data={"csrf_token": csrf_token(page), "file": (io.BytesIO(big), "people.csv")})
    _too_large(response)
    assert trainer_client.get(f"/trainer/cohorts/{cohort_id}").status_code == 200


def test_gunicorn_passes_the_friendly_413_to_a_client_still_sending(tmp_path):
    """The audit saw gunicorn's bare 500. Through a real gunicorn on 127.0.0.1 the 413 page arrives whole, for a
    9 MB login and a 50 MB body, even to a client that sends everything before it reads (the body is drained:
    a server that closes on unread data resets the connection)."""
    import http.client
    import os
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "LEARNHUB_ENV": "testing", "LEARNHUB_INSTANCE_DIR": str(tmp_path),
           "LEARNHUB_DATABASE_URL": f"sqlite:///{tmp_path / 'learnhub.db'}"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen([str(gunicorn), "--workers", "1", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
                               "--timeout", "30", "wsgi:app"], cwd=Path(__file__).resolve().parents[2], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()[-2000:]
                time.sleep(0.2)
        for size in (9 * 1024 * 1024, 50 * 1024 * 1024):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("POST", "/login", body=b"email=a%40example.org&password=" + b"x" * size,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                page = response.read().decode()
            finally:
                connection.close()
            assert response.status == 413, size
            assert "Too large to send" in page and "at most 8 MB" in page
    finally:
        server.terminate()
        server.wait(timeout=30)

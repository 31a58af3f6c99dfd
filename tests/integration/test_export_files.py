"""Big exports prepared on the queue (decision 0034): a small export downloads at once; above
LEARNHUB_EXPORT_INLINE_LIMIT rows it becomes a file on Your downloads, with the bytes of the immediate
download, only for its owner, until it expires."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from learnhub.jobs import queue
from learnhub.models import AuditEvent, ExportFile
from learnhub.models.base import utcnow
from learnhub.services import housekeeping
from tests.conftest import log_in
from tests.integration.test_trainer import assign, create_cohort, enrol_learner

PREPARED = "Your export is being prepared; it will be on Your downloads."
YEAR = utcnow().year


def _rows(xlsx: bytes) -> list[list]:
    return [[cell.value for cell in row] for sheet in load_workbook(io.BytesIO(xlsx)).worksheets
            for row in sheet.iter_rows()]


def _queued(client, path: str) -> tuple[str, bytes, dict]:
    """Ask for an export over the limit: the answer sends to Your downloads, which lists it ready (the inline
    queue ran the job after the request); returns the page, the file's bytes and its headers."""
    response = client.get(path)
    assert response.status_code == 303 and response.location == "/downloads"
    page = client.get("/downloads").get_data(as_text=True)
    assert PREPARED in page
    link = re.search(r'<a href="(/downloads/\d+)" download>', page).group(1)
    served = client.get(link)
    assert served.status_code == 200
    return link, served.data, served.headers


def _same_headers(inline, queued) -> None:
    for header in ("Content-Type", "Content-Disposition", "Cache-Control"):
        assert queued[header] == inline.headers[header], header


@pytest.fixture
def cohort_id(app, db, client, trainer, make_user):
    cohort_id = create_cohort(client)
    enrol_learner(app, db, client, make_user, cohort_id)
    enrol_learner(app, db, client, make_user, cohort_id, address="bea@example.org")
    assign(client, cohort_id, "passwords-mfa")
    return cohort_id


def test_a_small_progress_export_downloads_at_once(db, client, cohort_id):
    response = client.get(f"/trainer/cohorts/{cohort_id}/progress.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename=cohort-{cohort_id}-progress.csv"
    assert db.session.scalar(select(func.count()).select_from(ExportFile)) == 0


def test_a_big_progress_export_is_prepared_with_the_same_content(app, db, client, cohort_id, monkeypatch):
    path = f"/trainer/cohorts/{cohort_id}/progress"
    inline_csv = client.get(f"{path}.csv?sort=email")
    inline_xlsx = client.get(f"{path}.xlsx?sort=email")
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", 1)  # two people: over the limit
    link, data, headers = _queued(client, f"{path}.csv?sort=email")
    assert data == inline_csv.data and "bea@example.org" in data.decode("utf-8-sig")
    _same_headers(inline_csv, headers)
    _link, xlsx, xlsx_headers = _queued(client, f"{path}.xlsx?sort=email")
    assert _rows(xlsx) == _rows(inline_xlsx.data)
    _same_headers(inline_xlsx, xlsx_headers)
    details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "cohort.progress_exported")
                                 .order_by(AuditEvent.id)).all()
    export_id = int(link.rpartition("/")[2])
    assert details[2] == {"cohort_id": cohort_id, "format": "csv", "rows": 2, "export_file_id": export_id}
    assert [d["format"] for d in details] == ["csv", "xlsx", "csv", "xlsx"]


def test_a_prepared_file_is_only_its_owners_and_goes_when_it_expires(app, db, client, cohort_id, make_user,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", 0)
    link, _data, _headers = _queued(client, f"/trainer/cohorts/{cohort_id}/progress.csv")
    for role in ("trainer", "admin", "analyst"):
        other = app.test_client()
        make_user(role=role, email=f"other-{role}@example.org")
        log_in(other, f"other-{role}@example.org")
        assert other.get(link).status_code == 404, role
        assert "progress.csv" not in other.get("/downloads").get_data(as_text=True)
    assert app.test_client().get(link).status_code == 302  # anonymous: log in first

    row = db.session.get(ExportFile, int(link.rpartition("/")[2]))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(link).status_code == 410
    assert "progress.csv" not in client.get("/downloads").get_data(as_text=True)
    with app.app_context():
        assert housekeeping.run()["export_files"] == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ExportFile)) == 0
    assert client.get(link).status_code == 404


def test_a_file_whose_owner_lost_access_is_refused(app, db, client, cohort_id, trainer, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", 0)
    link, _data, _headers = _queued(client, f"/trainer/cohorts/{cohort_id}/progress.csv")
    trainer = db.session.merge(trainer)
    trainer.role = "trainee"
    db.session.commit()
    assert client.get(link).status_code == 404


def test_a_big_export_queued_while_no_consumer_runs_shows_as_being_prepared(app, db, client, cohort_id,
                                                                             monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", 0)
    monkeypatch.setattr(queue, "drain", lambda limit=0: 0)  # a consumer that has not run yet
    assert client.get(f"/trainer/cohorts/{cohort_id}/progress.csv").status_code == 303
    page = client.get("/downloads").get_data(as_text=True)
    assert "Being prepared" in page and 'download>' not in page
    row = db.session.scalar(select(ExportFile))
    assert row.status == "queued" and client.get(f"/downloads/{row.id}").status_code == 404
    monkeypatch.undo()
    with app.app_context():
        assert queue.drain() == 1
    db.session.expire_all()
    assert db.session.get(ExportFile, row.id).status == "ready"


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_big_coverage_report_is_prepared_with_the_same_content(app, db, make_user, monkeypatch, fmt):
    client = app.test_client()
    make_user(role="analyst", email="analyst@example.org", countries=("DO",), language="en")
    log_in(client, "analyst@example.org")
    path = f"/reports/DO.{fmt}?year={YEAR}"
    inline = client.get(path)
    assert inline.status_code == 200
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", 0)
    _link, data, headers = _queued(client, path)
    _same_headers(inline, headers)
    if fmt == "csv":
        assert data == inline.data
    elif fmt == "json":  # the same document but for the second it was generated at, which this year's report
        # also counts "currently certified" at (decision 0070)
        moments = {"generated_at": None, "current_as_of": None}
        assert {**json.loads(data), **moments} == {**json.loads(inline.data), **moments}
    else:  # the same sheets but for when they were generated (and the moment "currently certified" is as of)
        def timeless(rows):
            return [row for row in rows if row[0] != "Generated" and not str(row[1]).startswith("Currently certified:")]

        assert timeless(_rows(data)) == timeless(_rows(inline.data))
    events = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "report.downloaded")
                                .order_by(AuditEvent.id)).all()
    assert [(e["country"], e["format"], "export_file_id" in e) for e in events] == [("DO", fmt, False),
                                                                                    ("DO", fmt, True)]


def test_a_big_regional_comparison_is_prepared_with_the_same_content(app, db, make_user, monkeypatch):
    client = app.test_client()
    make_user(role="analyst", email="analyst@example.org", countries=("DO", "CO"), language="en")
    log_in(client, "analyst@example.org")
    path = f"/reports/regions/lac.csv?year={YEAR}"
    inline = client.get(path)
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", 1)  # two countries in scope
    _link, data, headers = _queued(client, path)
    assert data == inline.data
    _same_headers(inline, headers)


def test_the_rollup_rebuild_can_be_queued(app, db):
    result = app.test_cli_runner().invoke(args=["report", "rebuild", "--queue"])
    assert result.exit_code == 0 and "queued" in result.output
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.event == "report.rollup_rebuilt")) == 0
    with app.app_context():
        assert queue.drain() == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.event == "report.rollup_rebuilt")) == 1
    result = app.test_cli_runner().invoke(args=["report", "check"])
    assert result.exit_code == 0, result.output

"""An anonymous page on SQLite reads its key on the thread's own connection, kept between requests (decision 0091):
taken from the pool once, holding no transaction between requests, seeing every commit at the next request, and
replaced when it fails."""

from __future__ import annotations

import shutil

import pytest

from tests.integration.learning_helpers import CATALOGUE, app_with_own_database, sync_catalogue

COURSE = "passwords-mfa"


@pytest.fixture
def own_app(tmp_path_factory):
    app = app_with_own_database(tmp_path_factory, "kept_connection")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite only: PostgreSQL's anonymous pages take the version their worker heard (decision 0088)")
    return app


def checkouts(app, monkeypatch) -> list:
    from learnhub.extensions import db

    with app.app_context():
        engine = db.engine
    taken = []
    raw_connection = engine.raw_connection
    monkeypatch.setattr(engine, "raw_connection", lambda: taken.append(1) or raw_connection())
    return taken


def test_anonymous_pages_take_one_connection_from_the_pool_and_keep_it(own_app, monkeypatch):
    from learnhub.models import direct_reads

    visitor = own_app.test_client()
    for page in ("/courses", f"/courses/{COURSE}"):  # rendered once (the ORM's own connection); the slot filled
        assert visitor.get(page).status_code == 200
    taken = checkouts(own_app, monkeypatch)
    for page in ("/courses", f"/courses/{COURSE}", "/courses", f"/courses/{COURSE}") * 5:
        assert visitor.get(page).status_code == 200
    assert taken == []
    kept = direct_reads._kept.slot[2]
    assert kept.dbapi_connection.in_transaction is False  # no read transaction held between requests


def test_a_commit_elsewhere_shows_at_the_next_request_and_the_log_can_be_checkpointed(own_app, tmp_path):
    import sqlite3

    from sqlalchemy.engine import make_url

    visitor = own_app.test_client()
    assert "Reporting" in visitor.get("/courses").get_data(as_text=True)
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    shutil.rmtree(copy / "reporting-incidents")
    sync_catalogue(own_app, copy)  # commits on another connection
    assert visitor.get("/courses/reporting-incidents").status_code == 404
    writer = sqlite3.connect(make_url(own_app.config["SQLALCHEMY_DATABASE_URI"]).database)
    busy, _log, _moved = writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    writer.close()
    assert busy == 0  # the kept connection holds no read transaction that would hold the checkpoint back


def test_a_failed_connection_is_dropped_and_the_page_still_served(own_app, monkeypatch):
    from learnhub.models import direct_reads

    visitor = own_app.test_client()
    for page in ("/courses", f"/courses/{COURSE}"):
        assert visitor.get(page).status_code == 200
    broken = direct_reads._kept.slot[2]
    broken.dbapi_connection.close()  # as if the file went away under it
    taken = checkouts(own_app, monkeypatch)
    assert visitor.get("/courses").status_code == 200
    assert visitor.get(f"/courses/{COURSE}").status_code == 200
    assert taken == [1]  # one new connection, then kept
    assert direct_reads._kept.slot[2] is not broken

"""Fixtures for every layer: the app on a real database, per-test rollback, clients and factories.

The database is SQLite in a temporary folder, or the PostgreSQL server named by
LEARNHUB_TEST_DATABASE_URL. On PostgreSQL each purpose (integration, browser, migrations) gets a
fresh schema of its own, so a run never sees another run's rows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

TEST_DATABASE_URL = os.environ.get("LEARNHUB_TEST_DATABASE_URL", "").strip()
TRANSLATIONS = Path(__file__).resolve().parent.parent / "learnhub" / "translations"
DEFAULT_PASSWORD = "a quiet harbour at dawn"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def pytest_sessionstart(session) -> None:
    """Compile any language catalogue that is missing or older than its .po, so that plain `pytest`
    (without `make`) tests the same translated pages as `make test`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=True)


def pytest_configure(config) -> None:
    """Hash passwords with Argon2's cheapest parameters while testing, as Django's test settings do: the
    suite creates and logs in thousands of accounts, and at RFC 9106 cost (about 0.1 s each on CI) that
    was a large share of its time. What is tested (hash, verify, upgrade, constant work for unknown
    accounts) does not depend on the cost; tests/unit/test_passwords.py checks the production profile."""
    from argon2 import PasswordHasher, profiles

    from learnhub.services import passwords

    passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    passwords._DUMMY_HASH = passwords._hasher.hash("learnhub-timing-equaliser")


def fresh_database_url(purpose: str, folder: Path) -> str:
    """An empty database for `purpose`: a new SQLite file, or a new PostgreSQL schema."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{folder / (purpose + '.db')}"
    from learnhub.config import normalise_database_url

    base = normalise_database_url(TEST_DATABASE_URL)
    schema = f"lh_{purpose}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def make_app(database_url: str, folder: Path, **overrides):
    from learnhub import create_app

    return create_app({
        "LEARNHUB_ENV": "testing",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_DIR": str(folder / "mail"),
        "COURSES_DIR": str(Path(__file__).resolve().parent.parent / "courses"),
        "QUEUE_URL": "inline",  # jobs run in the test's process; production-like apps too (no queue file)
        # No role must have a second factor, so that tests of other features log analysts and admins in with a
        # password; tests of the policy (tests/integration/test_second_factor.py) set the production default.
        "MFA_REQUIRED_ROLES": (),
        **overrides,
    })


def upgrade_database(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def sync_courses(app, folder: Path) -> None:
    """Load course folders through the sync service, as `learnhub courses sync` does; fail on any problem."""
    from learnhub.services import course_sync

    reported: list = []
    with app.app_context():
        summary = course_sync.sync_tree(folder, report=reported.extend)
    assert not summary.failed, [str(problem) for problem in reported]


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app on a migrated database that already holds the real course catalogue, synced once per run
    and committed: each test's changes are rolled back (`db`), so every test starts from that state."""
    folder = tmp_path_factory.mktemp("integration")
    application = make_app(fresh_database_url("integration", folder), folder)
    upgrade_database(application)
    sync_courses(application, Path(application.config["COURSES_DIR"]))
    return application


@pytest.fixture
def db(app) -> Iterator:
    """The database in a transaction rolled back after the test; commits inside become savepoints."""
    from learnhub.extensions import db as database
    from learnhub.extensions import limiter
    from learnhub.jobs import queue
    from learnhub.web import page_cache

    queue.huey.flush()  # no queued job of an earlier test runs in this one
    page_cache.clear()  # no page rendered under an earlier test's settings (a monkeypatched config)
    queue.use_app(app)  # jobs run outside a request run in this test's app

    # No app context stays pushed during the test: each request must get its own (and its own `g`).
    with app.app_context():
        engine = database.engine
        limiter.reset()
    connection = engine.connect()
    outer = connection.begin()
    session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                          expire_on_commit=False))
    original, database.session = database.session, session
    try:
        yield database
    finally:
        session.remove()
        database.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def mail_dir(app) -> Iterator[Path]:
    folder = Path(app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    yield folder


def csrf_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def form_token(html: str) -> dict:
    """The page's CSRF token as form data, or nothing for a page whose forms need none (an anonymous form,
    decision 0037)."""
    match = CSRF_INPUT.search(html)
    return {"csrf_token": match.group(1) or match.group(2)} if match else {}


def post_form(client, url: str, data: dict, page: str | None = None, **kwargs):
    """Fetch the page that holds the form (default: `url`) and post `data` with its CSRF token, if it has one."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**form_token(html), **data}, **kwargs)


PROFILE = {
    "name": "Lucía Fernández", "language": "es", "country": "DO", "sector": "public-administration",
    "organisation": "Ministerio de Administración Pública", "organisation_type": "government",
}


@pytest.fixture
def make_user(db):
    """Create an account directly through the service: make_user(role="trainer", email=...)."""
    from learnhub.services import accounts

    counter = iter(range(1, 10_000))

    def factory(role: str = "trainee", email: str | None = None, password: str = DEFAULT_PASSWORD,
                countries: tuple[str, ...] = (), verified: bool = True, **profile):
        values = {**PROFILE, **profile}
        user = accounts.create(email or f"{role}{next(counter)}@example.org", password,
                               accounts.Profile(**values), role=role, countries=countries, verified=verified)
        db.session.commit()
        return user

    return factory


def log_in(client, email: str, password: str = DEFAULT_PASSWORD):
    return post_form(client, "/login", {"email": email, "password": password})

"""Browser tests: Playwright drives Debian's Chromium against a live server on a database of its own.

Without /usr/bin/chromium the tests skip, saying why; CI sets LEARNHUB_REQUIRE_BROWSER=1 so that a
missing browser fails instead. Every page a test visits must pass axe with no serious or critical
violation: call `check_page(page)` after each navigation; a test that left a loaded page unchecked fails.
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from werkzeug.serving import make_server

from tests.conftest import fresh_database_url, make_app, upgrade_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if CHROMIUM.exists():
        return
    if os.environ.get("LEARNHUB_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"browser tests are required (LEARNHUB_REQUIRE_BROWSER) but {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    app = make_app(fresh_database_url("browser", folder), folder)
    upgrade_database(app)
    synced = app.test_cli_runner().invoke(args=["courses", "sync", app.config["COURSES_DIR"]])
    assert synced.exit_code == 0, synced.output
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def check_page(page, axe):
    """Run axe on the current page and fail on serious or critical violations; remember it was checked."""
    checked: set[str] = set()
    loaded: list[str] = []
    page.on("load", lambda p: loaded.append(p.url.split("#")[0]))

    def check(current=None) -> None:
        target = current or page
        target.wait_for_load_state()
        results = axe.run(target)
        blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in blocking]
        assert not blocking, f"axe on {target.url}: {summary}"
        checked.add(target.url.split("#")[0])

    yield check
    unchecked = [url for url in loaded if url not in checked and not url.endswith((".pdf", ".json"))]
    assert not unchecked, f"pages visited without an accessibility check: {sorted(set(unchecked))}"


@pytest.fixture
def log_in_as(page: Page, live_server: str, live_app, check_page):
    """Create an account directly and log in through the form: log_in_as("es") -> the account's e-mail."""
    from learnhub.extensions import db
    from learnhub.services import accounts
    from tests.conftest import DEFAULT_PASSWORD, PROFILE

    def log_in(language: str = "en", role: str = "trainee") -> str:
        email = f"{role}-{language}-{secrets.token_hex(4)}@example.org"
        with live_app.app_context():
            accounts.create(email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": language}), role=role)
            db.session.commit()
        page.goto(live_server + "/login")
        check_page()
        page.locator("#email").fill(email)
        page.locator("#password").fill(DEFAULT_PASSWORD)
        page.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
        page.wait_for_url(live_server + "/")
        check_page()
        return email

    return log_in


@pytest.fixture
def mail_folder(live_app) -> Path:
    return Path(live_app.config["MAIL_DIR"])


@pytest.fixture(autouse=True)
def _fail_fast(page):
    """Local pages answer in milliseconds; a missing element should fail in seconds, not half a minute."""
    page.set_default_timeout(8_000)


@pytest.fixture(autouse=True)
def _catalogue_as_it_was(live_app):
    """The live app is shared by every browser test: a course a journey publishes from a workspace is retired
    afterwards (as unpublishing does), so the next test's catalogue holds the starter courses only."""
    from learnhub.extensions import db
    from learnhub.models import Course
    from learnhub.services import course_sync

    def live() -> set[str]:
        return set(db.session.scalars(db.select(Course.id).where(Course.retired.is_(False))))

    with live_app.app_context():
        before = live()
        db.session.remove()
    yield
    with live_app.app_context():
        added = live() - before
        for course_id in added:
            course_sync.retire(db.session.get(Course, course_id))
        db.session.commit()
        db.session.remove()

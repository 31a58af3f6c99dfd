"""Every page of the other roles (trainer, analyst, admin), seen by an admin, on a 390-pixel phone and a
1280-pixel desktop in Spanish (issue 20, "Done when"): no page wider than the screen, axe clean.

Pages that another part of issue 20 is still fixing are listed in STILL_OVERFLOWING: they are visited and
axe-checked, but their width is not asserted until they are fixed.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from learnhub.extensions import db
from tests.browser.test_page_widths import DESKTOP, PHONE, assert_fits
from tests.conftest import DEFAULT_PASSWORD, PROFILE

ADMIN = "widths-admin@example.org"
STILL_OVERFLOWING: set[str] = set()
"""Pages a part of issue 20 is still fixing; empty since the content preview lays lessons out as the lesson
page does (tables scroll in their own box)."""


@pytest.fixture(scope="module")
def admin_scene(live_app):
    """An admin, and a trainer's cohort with one member who accepted and one assigned course."""
    from datetime import date

    from learnhub.models import Cohort, Course
    from learnhub.services import accounts, cohorts

    with live_app.app_context():
        if accounts.find_by_email(ADMIN) is None:
            admin = accounts.create(ADMIN, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": "es"}),
                                    role="admin", verified=True)
            cohort = cohorts.create(admin, "Hospitales públicos de la región norte 2026", "MSP", "DO", "es")
            cohorts.add_people(cohort, [cohorts.Person("widths-member@example.org", "Ana Pérez")])
            cohorts.assign(cohort, db.session.get(Course, "passwords-mfa"), date(2026, 12, 31))
            db.session.commit()
        cohort_id = db.session.scalar(db.select(Cohort.id).order_by(Cohort.id.desc()))
        db.session.remove()
    return cohort_id


def admin_paths(cohort_id: int) -> list[str]:
    quiz = "/trainer/quizzes/passwords-mfa/check-passwords-mfa"
    return ["/trainer/", f"/trainer/cohorts/{cohort_id}", f"/trainer/cohorts/{cohort_id}/progress",
            "/trainer/quizzes", f"{quiz}/analysis", f"{quiz}/regrade", "/trainer/marking", "/trainer/content",
            "/trainer/content/passwords-mfa", "/reports/", "/reports/DO", "/reports/DO/targets",
            "/reports/regions/lac", "/reports/regions/eu", "/reports/regions/all", "/admin/jobs", "/downloads",
            "/account/api-tokens", "/admin/users/", "/admin/audit/", "/admin/organisations/", "/admin/pages/",
            "/admin/pages/privacy/es", "/admin/second-factors", "/account/data", "/account/data/summary",
            "/account/security", "/author/"]


def test_every_page_of_every_role_fits_a_phone_and_a_desktop(page: Page, live_server, check_page, admin_scene):
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.goto(live_server + "/login")
    check_page()
    page.locator("#email").fill(ADMIN)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
    page.wait_for_url(live_server + "/")
    check_page()
    failures = []
    for path in admin_paths(admin_scene):
        page.set_viewport_size({"width": PHONE, "height": 844})
        page.goto(live_server + path)
        check_page()
        for width in (PHONE, DESKTOP):
            try:
                assert_fits(page, width)
            except AssertionError as error:
                if path not in STILL_OVERFLOWING:
                    failures.append(str(error).splitlines()[0])
    assert failures == []

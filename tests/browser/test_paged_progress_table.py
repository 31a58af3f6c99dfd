"""The paged progress table in the browser (issue 14): 120 learners, at 1280 and 390 pixels wide, axe-checked;
paging by keyboard, search, filter and sort kept across pages, and the table scrolling inside its own region
on a phone, never the page."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.integration.progress_helpers import COURSE, add_learners


def _cohort_with_learners(live_app, trainer_email: str) -> int:
    from learnhub.extensions import db
    from learnhub.models import Course
    from learnhub.services import accounts, cohorts

    with live_app.app_context():
        trainer = accounts.find_by_email(trainer_email)
        cohort = cohorts.create(trainer, "Paged cohort", "MSP", "DO", "en")
        cohorts.assign(cohort, db.session.get(Course, COURSE), date.today() - timedelta(days=1))
        db.session.commit()
        cohort_id = cohort.id
        add_learners(db.session, cohort_id, 120, prefix="Paged")
        db.session.remove()
    return cohort_id


def no_violations(page: Page, axe) -> None:
    """Not only no serious or critical violation (check_page): none at all, of any impact."""
    violations = axe.run(page).response["violations"]
    assert violations == [], [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_paging_filtering_and_sorting_by_keyboard_at_two_widths(page: Page, live_server, live_app, check_page,
                                                               log_in_as, axe):
    email = log_in_as("en", role="trainer")
    cohort_id = _cohort_with_learners(live_app, email)
    rows = page.locator(".progress-table tbody tr")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/trainer/cohorts/{cohort_id}/progress")
    check_page()
    no_violations(page, axe)
    expect(page.locator(".headline")).to_contain_text("120")
    expect(rows).to_have_count(50)
    expect(page.locator(".pages [aria-current=page]")).to_have_text("Page 1")
    # Next page by keyboard: the pager's links are ordinary links in the tab order.
    page.get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2")
    check_page()
    expect(page.locator(".pages [aria-current=page]")).to_have_text("Page 2")
    expect(rows.first).to_contain_text("Paged 0050")
    # Filter and sort with the form (no script), then page on: the criteria stay in every link.
    page.get_by_label("Show").select_option("in-progress")
    page.get_by_label("Sort by").select_option("progress")
    page.get_by_role("button", name="Apply").click()
    check_page()
    no_violations(page, axe)
    assert "show=in-progress" in page.url and "sort=progress" in page.url and "page=" not in page.url
    expect(page.locator("#rows-shown")).to_have_text("Showing 1 to 36 of 36 people")
    expect(rows).to_have_count(36)
    expect(rows.first).to_contain_text("3/5")  # three lessons of five: the most progress first
    page.get_by_label("Name or e-mail address").fill("paged11")
    page.get_by_label("Name or e-mail address").press("Enter")
    check_page()
    expect(rows).to_have_count(3)  # of paged11 and paged110 to paged119, 113 to 115 are in progress
    expect(page.get_by_label("Show")).to_have_value("in-progress")
    page.get_by_role("link", name="Clear filters").click()
    check_page()
    expect(rows).to_have_count(50)
    # A phone: the page never scrolls sideways; the table scrolls inside its labelled, focusable region.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/trainer/cohorts/{cohort_id}/progress?page=3")
    check_page()
    no_violations(page, axe)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    region = page.get_by_role("region", name="Progress table")
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    for _ in range(20):  # arrow keys scroll smoothly: wait for it (the page's CSP allows no wait_for_function)
        if region.evaluate("element => element.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert region.evaluate("element => element.scrollLeft") > 0
    expect(page.locator(".pages [aria-current=page]")).to_have_text("Page 3")
    page.get_by_role("link", name="Previous").click()
    page.wait_for_url("**page=2")
    check_page()

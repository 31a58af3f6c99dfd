"""Issue 19, recertification campaigns, in the browser and in Spanish, on a 390-pixel phone and a 1280-pixel
desktop: a trainer starts a campaign for their cohort (a refused form first, which keeps what was typed), the
learner sees it first on their home page, completes the course, and the campaign leaves their page; the trainer's
campaign page then counts the completion, by week and by person.

Every page is checked with axe (no violation of any impact) and must not be wider than the screen."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from learnhub.extensions import db
from learnhub.models import Cohort, CohortMember, User
from learnhub.models.base import utcnow
from learnhub.services import accounts
from tests.browser.test_learner_journey import answer_quiz
from tests.browser.test_trainer_spanish_journey import es, new_page
from tests.conftest import DEFAULT_PASSWORD, PROFILE

COURSE = "passwords-mfa"
WIDTHS = (390, 1280)


@pytest.fixture
def check(page: Page, axe, check_page):
    """axe with no violation at all (not only the serious ones), and no sideways scrolling at this width."""

    def run(target: Page | None = None) -> None:
        current = target or page
        check_page(current)
        violations = axe.run(current).response["violations"]
        assert violations == [], [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        width = current.viewport_size["width"]
        scroll = current.evaluate("document.scrollingElement.scrollWidth")
        assert scroll <= width, f"{current.url} is {scroll} px wide on a {width} px screen"

    return run


def cohort_with_learner(live_app, trainer_email: str, name: str) -> tuple[str, str]:
    """A cohort of the trainer's with one learner who accepted to join: (the learner's e-mail, the cohort's id)."""
    learner_email = f"aprendiz-{secrets.token_hex(4)}@example.org"
    with live_app.app_context():
        trainer = db.session.scalar(db.select(User).where(User.email == trainer_email))
        learner = accounts.create(learner_email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": "es"}))
        cohort = Cohort(trainer_id=trainer.id, name=name, organisation="Ministerio de Salud", country="PE",
                        language="es")
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=cohort.id, learner_id=learner.id, accepted_at=utcnow()))
        db.session.commit()
        cohort_id = str(cohort.id)
        db.session.remove()
    return learner_email, cohort_id


def log_in(target: Page, live_server: str, email: str) -> None:
    target.goto(live_server + "/login")
    target.locator("#email").fill(email)
    target.locator("#password").fill(DEFAULT_PASSWORD)
    target.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
    target.wait_for_url(live_server + "/")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_campaign_from_start_to_completion_in_spanish(page: Page, live_server, live_app, log_in_as, check, width):
    page.set_viewport_size({"width": width, "height": 900})
    trainer_email = log_in_as("es", role="trainer")
    cohort_name = f"Enfermería {width}"
    learner_email, cohort_id = cohort_with_learner(live_app, trainer_email, cohort_name)

    # The trainer starts a campaign; a missing cohort is named at its field and nothing typed is lost.
    page.goto(live_server + "/trainer/campaigns/")
    check()
    page.get_by_role("link", name=es("Start a campaign")).click()
    check()
    title = f"Recertificación anual {width}"
    page.get_by_label(es("Course"), exact=True).select_option(COURSE)
    page.get_by_label(es("Title (optional)")).fill(title)
    page.get_by_label(es("Due date"), exact=True).fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name=es("Start the campaign")).click()
    check()
    expect(page.get_by_role("alert")).to_contain_text(f"{es('Cohorts')}: {es('Choose at least one cohort.')}")
    expect(page.get_by_label(es("Title (optional)"))).to_have_value(title)
    page.get_by_label(cohort_name).check()
    page.get_by_role("button", name=es("Start the campaign")).click()
    check()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    campaign_url = page.url
    expect(page.locator("main")).to_contain_text(cohort_name)
    expect(page.locator(".headline")).to_contain_text(re.compile(es("People") + r"\s*1\b"))

    # The learner sees it first on their home page, follows its button into the course and completes it.
    learner = new_page(page, width)
    try:
        log_in(learner, live_server, learner_email)
        check(learner)
        campaigns = learner.get_by_role("region", name=es("Recertification requested"))
        expect(campaigns).to_contain_text(title)
        first_section = learner.locator("main section").first
        expect(first_section).to_have_attribute("aria-labelledby", "campaigns-heading")
        campaigns.get_by_role("button", name=re.compile(es("Start the course"))).click()
        check(learner)
        while learner.get_by_role("button", name=es("Mark as done and continue")).count():
            learner.get_by_role("button", name=es("Mark as done and continue")).click()
            check(learner)
        answer_quiz(learner, live_app, learner_email, right=True)
        learner.get_by_role("button", name=es("Submit answers")).click()
        check(learner)
        learner.goto(live_server + "/")
        check(learner)
        expect(learner.locator("main")).not_to_contain_text(es("Recertification requested"))
        learner.goto(live_server + "/learning")
        check(learner)
        expect(learner.locator("main")).not_to_contain_text(es("Recertification requested"))
    finally:
        learner.close()

    # The trainer sees the completion: in the figures, this week's row and the person's state.
    page.goto(campaign_url)
    check()
    expect(page.locator(".headline")).to_contain_text(re.compile(es("Completed") + r"\s*1\s*\(100"))
    week = page.get_by_role("region", name=es("Completion by week")).locator("tbody tr").last
    expect(week.locator("td").nth(1)).to_have_text("1")
    people = page.get_by_role("region", name=es("People"))
    expect(people).to_contain_text(re.sub(r" %\(date\)s$", "", es("Completed on %(date)s")))
    page.goto(live_server + "/trainer/campaigns/")
    check()
    expect(page.locator("main")).to_contain_text(title)
    assert cohort_id

"""Which page numbers a pager links to (learnhub/web/paging.py) and how the progress table reads its
criteria (cohort_progress.Criteria): short pagers whatever the number of pages, unknown values ignored."""

from __future__ import annotations

import pytest
from flask import Flask

from learnhub.services.cohort_progress import Criteria
from learnhub.web.paging import LAST_PAGE_ASKED, page_links, requested_page


@pytest.mark.parametrize(("current", "pages", "links"), [
    (1, 1, [1]),
    (1, 2, [1, 2]),
    (1, 7, [1, 2, 3, None, 7]),
    (4, 7, [1, 2, 3, 4, 5, 6, 7]),          # a gap of one page shows the page, not an ellipsis
    (5, 40, [1, 2, 3, 4, 5, 6, 7, None, 40]),
    (6, 40, [1, None, 4, 5, 6, 7, 8, None, 40]),
    (40, 40, [1, None, 38, 39, 40]),
    (20, 200, [1, None, 18, 19, 20, 21, 22, None, 200]),
])
def test_a_pager_shows_the_ends_and_two_pages_either_side(current, pages, links):
    assert page_links(current, pages) == links


def test_a_pager_never_grows_with_the_number_of_pages():
    assert max(len(page_links(current, 10_000)) for current in range(1, 10_001)) == 9


@pytest.mark.parametrize(("query", "page"), [("", 1), ("page=3", 3), ("page=0", 1), ("page=-2", 1), ("page=x", 1),
                                             ("page=2.5", 1), (f"page={10**30}", LAST_PAGE_ASKED)])
def test_the_requested_page_is_a_positive_number_within_bounds(query, page):
    with Flask(__name__).test_request_context(f"/?{query}"):
        assert requested_page() == page


def test_unknown_criteria_fall_back_to_the_defaults_and_defaults_leave_the_url():
    courses = ["passwords-mfa", "phishing"]
    assert Criteria.of("bogus", "nope", "other-course", None, courses) == Criteria()
    assert Criteria().args() == {}
    criteria = Criteria.of("progress", "overdue", "phishing", "  Ana   María ", courses)
    assert criteria == Criteria("progress", "overdue", "phishing", "Ana María")
    assert criteria.args() == {"sort": "progress", "show": "overdue", "course": "phishing", "q": "Ana María"}
    assert len(Criteria.of(None, None, None, "x" * 500, courses).search) == 200

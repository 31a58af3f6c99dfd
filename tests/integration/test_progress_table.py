"""The trainer's progress table in pages (issue 14, decision 0042): a summary at the top, pages of 50 rows
whose search, filter and sort survive paging, the same rows in the exports, a constant number of queries
and at most 60 KB of HTML per page at 2,000 learners; and nothing of another trainer's learners."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from learnhub.models import Course
from tests.conftest import log_in
from tests.integration.progress_helpers import COURSE, add_busy_learners, add_learners, every_page, names_on
from tests.integration.test_learning import count_queries
from tests.integration.test_trainer import assign, create_cohort

PAGE_SIZE = 50

def _progress_url(cohort_id: int, query: str = "") -> str:
    return f"/trainer/cohorts/{cohort_id}/progress{query}"


def _csv_names(client, cohort_id: int, query: str = "") -> list[str]:
    response = client.get(f"/trainer/cohorts/{cohort_id}/progress.csv{query}")
    assert response.status_code == 200
    return [row[0] for row in list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))[1:]]


@pytest.fixture
def cohort(app, db, client, trainer):
    """A cohort assigned COURSE, due yesterday: its id."""
    cohort_id = create_cohort(client, "Big cohort", language="en")
    assert assign(client, cohort_id, COURSE, date.today() - timedelta(days=1)).status_code == 303
    return cohort_id


@pytest.mark.parametrize(("people", "pages", "last_page_rows"), [(1, 1, 1), (50, 1, 50), (51, 2, 1), (100, 2, 50),
                                                                 (101, 3, 1)])
def test_pages_hold_fifty_rows_and_every_person_once(db, client, cohort, people, pages, last_page_rows):
    learners = add_learners(db.session, cohort, people)
    names, urls = every_page(client, _progress_url(cohort))
    assert names == sorted(learner.name for learner in learners)
    assert len(urls) == pages
    last = client.get(urls[-1]).get_data(as_text=True)
    assert len(names_on(last)) == last_page_rows
    first = client.get(_progress_url(cohort)).get_data(as_text=True)
    if pages == 1:
        assert 'class="pages"' not in first and 'rel="next"' not in first
    else:
        assert 'aria-current="page"' in first and 'rel="prev"' not in first
        assert re.search(r'<a href="[^"]*page=2"[^>]*><span class="visually-hidden">Page </span>2</a>', first)
        assert 'rel="next"' not in last and 'rel="prev"' in last
        current = re.search(r'<a href="([^"]+)" aria-current="page"><span class="visually-hidden">Page </span>(\d+)',
                            last)
        assert current.group(2) == str(pages) and html.unescape(current.group(1)) == urls[-1]
    shown = re.search(r'id="rows-shown">([^<]+)<', last).group(1)
    first_row = (pages - 1) * PAGE_SIZE + 1
    assert shown == (f"Showing {first_row} to {people} of {people} " + ("person" if people == 1 else "people"))


def test_odd_page_numbers_show_the_first_or_the_last_page(db, client, cohort):
    learners = add_learners(db.session, cohort, 120)
    names = sorted(learner.name for learner in learners)
    for query in ("?page=0", "?page=-3", "?page=abc", "?page=", "?page=1.5"):
        assert names_on(client.get(_progress_url(cohort, query)).get_data(as_text=True)) == names[:50], query
    for query in ("?page=4", "?page=999999999999999999999999"):
        page = client.get(_progress_url(cohort, query))
        assert page.status_code == 200
        assert names_on(page.get_data(as_text=True)) == names[100:], query


def _expected(learners, show: str = "all", sort: str = "name", search: str = "") -> list[str]:
    """The table's rows by the rules of decision 0042, computed from what was inserted."""
    total = 5  # passwords-mfa: four lessons and a quiz
    chosen = [learner for learner in learners
              if search.lower() in learner.name.lower() or search.lower() in learner.email]
    if show == "overdue":  # the course was due yesterday: everyone who joined and has not completed it
        chosen = [learner for learner in chosen if learner.kind in ("not-started", "in-progress")]
    elif show == "invited":
        chosen = [learner for learner in chosen if learner.kind == "pending"]
    elif show != "all":
        chosen = [learner for learner in chosen if learner.kind == show]
    if sort == "progress":
        chosen.sort(key=lambda learner: (-learner.lessons / total, learner.name))
    elif sort == "activity":
        chosen.sort(key=lambda learner: (learner.last_activity is None,
                                         -(learner.last_activity.timestamp() if learner.last_activity else 0),
                                         learner.name))
    elif sort == "email":
        chosen.sort(key=lambda learner: learner.email)
    else:
        chosen.sort(key=lambda learner: learner.name)
    return [learner.name for learner in chosen]


@pytest.mark.parametrize(("show", "sort", "search"), [
    ("all", "progress", ""), ("all", "activity", ""), ("all", "email", ""), ("overdue", "progress", ""),
    ("in-progress", "activity", ""), ("completed", "name", ""), ("not-started", "name", "learner 01"),
    ("invited", "name", ""), ("all", "name", "LEARNER10"), ("overdue", "email", "@example"),
])
def test_filters_sorts_and_searches_survive_paging_and_match_the_export(db, client, cohort, show, sort, search):
    learners = add_learners(db.session, cohort, 160)
    query = f"?show={show}&sort={sort}&q={search.replace(' ', '+')}"
    names, urls = every_page(client, _progress_url(cohort, query))
    expected = _expected(learners, show, sort, search)
    assert names == expected
    for url in urls[1:]:  # every page link carries the criteria along
        assert f"show={show}" in url or show == "all"
        assert f"sort={sort}" in url or sort == "name"
    assert _csv_names(client, cohort, query) == expected  # the export: every page, in the same order


def test_the_summary_counts_people_and_courses_and_links_to_the_filters(db, client, cohort):
    add_learners(db.session, cohort, 40)  # 12 not started, 12 in progress, 12 completed, 4 invited
    page = client.get(_progress_url(cohort)).get_data(as_text=True)
    headline = dict(re.findall(r"<div><dt>([^<]+)</dt><dd>(?:<a [^>]+>)?([\d,]+)", page))
    assert headline == {"People": "40", "Not started": "12", "In progress": "12", "Completed every course": "12",
                        "Overdue": "24", "Invited, not joined yet": "4"}
    row = page.split('<table class="summary-table">')[1].split("</table>")[0]
    assert "over the 36 learners who joined" in row
    cells = re.findall(r"<td>(?:<a href=\"([^\"]+)\">)?([\d,]+|–|[A-Z][a-z]{2} \d+, \d{4})", row)
    assert [count for _link, count in cells][1:] == ["12", "12", "12", "24"]
    links = [html.unescape(link) for link, _count in cells if link]
    assert links[0] == f"/trainer/cohorts/{cohort}/progress?course={COURSE}&show=not-started"
    assert len(names_on(client.get(links[0]).get_data(as_text=True))) == 12
    assert len(names_on(client.get(links[3]).get_data(as_text=True))) == 24


def test_a_course_filter_looks_at_that_course_only(db, client, cohort):
    learners = add_learners(db.session, cohort, 30)
    assert assign(client, cohort, "phishing-social-engineering").status_code == 303
    # Nobody started the second course: over every course nobody has completed everything any more.
    assert names_on(client.get(_progress_url(cohort, "?show=completed")).get_data(as_text=True)) == []
    one = names_on(client.get(_progress_url(cohort, f"?show=completed&course={COURSE}")).get_data(as_text=True))
    assert one == _expected(learners, "completed")
    # An unknown course is every course, and the form says so.
    page = client.get(_progress_url(cohort, "?show=completed&course=no-such-course")).get_data(as_text=True)
    assert names_on(page) == [] and '<option selected value="">Every assigned course</option>' in page


def test_a_search_matches_its_characters_literally(db, client, cohort, make_user):
    add_learners(db.session, cohort, 12)
    for query, expected in (("?q=_", []), ("?q=%25", []), ("?q=learner+0003", ["Learner 0003"]),
                            ("?q=LEARNER11%40", ["Learner 0011"]), ("?q=++learner++0003++", ["Learner 0003"])):
        assert names_on(client.get(_progress_url(cohort, query)).get_data(as_text=True)) == expected, query
    page = client.get(_progress_url(cohort, "?q=%3Cscript%3E")).get_data(as_text=True)
    assert "<script>" not in page and 'value="&lt;script&gt;"' in page and "Nobody matches." in page


def test_a_trainer_never_sees_another_trainers_learners(app, db, client, cohort, make_user):
    add_learners(db.session, cohort, 60, prefix="Mine")
    other = app.test_client()
    make_user(role="trainer", email="other.trainer@example.org", language="en")
    log_in(other, "other.trainer@example.org")
    theirs = create_cohort(other, "Their cohort", language="en")
    assign(other, theirs, COURSE)
    add_learners(db.session, theirs, 60, prefix="Theirs")
    for query in ("", "?q=example.org", "?show=completed&sort=progress", "?sort=activity&page=2", "?show=invited"):
        names, _urls = every_page(client, _progress_url(cohort, query))
        assert names and all(name.startswith("Mine") for name in names), query
        assert not any(name.startswith("Mine") for name in every_page(other, _progress_url(theirs, query))[0])
        assert other.get(_progress_url(cohort, query)).status_code == 404
        assert other.get(f"/trainer/cohorts/{cohort}/progress.csv{query}").status_code == 404
    assert every_page(client, _progress_url(cohort, "?q=theirs"))[0] == []
    page = client.get(_progress_url(cohort)).get_data(as_text=True)
    assert re.search(r"<dt>People</dt><dd><a [^>]+>60<", page)


def test_exports_hold_every_page_and_the_queued_file_keeps_the_criteria(app, db, client, cohort, monkeypatch):
    learners = add_learners(db.session, cohort, 130)
    assert _csv_names(client, cohort) == _expected(learners)  # 130 rows, not the first page's 50
    query = f"?show=in-progress&sort=activity&course={COURSE}&q=learner"
    inline = client.get(f"/trainer/cohorts/{cohort}/progress.xlsx{query}")
    expected = _expected(learners, "in-progress", "activity", "learner")
    assert [row[0].value for row in load_workbook(io.BytesIO(inline.data)).active.iter_rows(min_row=2)] == expected
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", 100)  # 130 people: prepared on the queue
    response = client.get(f"/trainer/cohorts/{cohort}/progress.csv{query}")
    assert response.status_code == 303 and response.location == "/downloads"
    link = re.search(r'<a href="(/downloads/\d+)" download>', client.get("/downloads").get_data(as_text=True))
    prepared = client.get(link.group(1))
    rows = list(csv.reader(io.StringIO(prepared.data.decode("utf-8-sig"))))[1:]
    assert [row[0] for row in rows] == expected


def test_the_page_reads_a_constant_number_of_queries(db, client, cohort):
    def queries(url: str) -> int:
        statements, stop = count_queries(db)
        try:
            assert client.get(url).status_code == 200
        finally:
            stop()
        # Savepoints are the test's transaction (the `db` fixture), not the page's.
        return len([s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))])

    variants = ("", "?sort=progress", "?sort=activity&show=overdue", f"?show=in-progress&course={COURSE}",
                "?q=learner&sort=email", "?sort=overdue&page=2")
    add_learners(db.session, cohort, 10)
    few = {variant: queries(_progress_url(cohort, variant)) for variant in variants}
    add_learners(db.session, cohort, 150, start=10)
    assign(client, cohort, "phishing-social-engineering")
    many = {variant: queries(_progress_url(cohort, variant)) for variant in variants}
    # The user, the cohort, its assignments and their items, two for the summary, the page's people and
    # their cells (page 2 of ten learners is past the last page: one count and the last page again).
    assert few == {**dict.fromkeys(variants, 8), "?sort=overdue&page=2": 10}
    assert many == dict.fromkeys(variants, 8)


def test_a_page_of_two_thousand_learners_stays_under_60_kb(db, client, trainer):
    cohort_id = create_cohort(client, "Two thousand", language="en")
    courses = sorted(db.session.scalars(select(Course.id).where(Course.retired.is_(False))))
    assert len(courses) >= 10  # every course of the catalogue assigned (the issue measured six: 1.36 MB)
    for index, course_id in enumerate(courses):
        assign(client, cohort_id, course_id, date.today() - timedelta(days=1) if index < 2 else None)
    add_busy_learners(db.session, cohort_id, 2000, courses)
    sizes = {}
    for query in ("", "?sort=progress", "?show=overdue&sort=activity&page=3", "?page=40", "?q=busy+learner+01"):
        response = client.get(_progress_url(cohort_id, query))
        page = response.get_data(as_text=True)
        assert len(names_on(page)) == 50, query
        body = page.split('<table class="progress-table"')[1].split("<tbody>")[1].split("</tbody>")[0]
        assert body.count("<td") == 50 * len(courses)
        sizes[query] = len(response.data)
    assert max(sizes.values()) <= 60_000, sizes
    assert re.search(r"<dt>People</dt><dd><a [^>]+>2,000<", client.get(_progress_url(cohort_id)).get_data(as_text=True))

"""Cohorts of many learners for the progress table's tests, inserted in bulk (the services would take minutes
for 2,000 people), and the reading of the table's pages."""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, text

from learnhub.models import Attempt, CohortMember, CourseItem, Enrolment, ItemProgress, User
from learnhub.models.base import utcnow

COURSE = "passwords-mfa"
KINDS = ("not-started",) * 3 + ("in-progress",) * 3 + ("completed",) * 3 + ("pending",)
ROW_NAME = re.compile(r'<th scope="row">(?:<a href="[^"]+">)?([^<]+)')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


@dataclass(frozen=True)
class Learner:
    """A learner as inserted: `kind` is what the table must say of them in COURSE."""

    id: int
    name: str
    email: str
    kind: str                          # "pending", "not-started", "in-progress", "completed"
    lessons: int                       # lessons marked done since joining
    last_activity: datetime | None


def add_learners(session, cohort_id: int, count: int, prefix: str = "Learner", now: datetime | None = None,
                 start: int = 0) -> list[Learner]:
    """`count` people in the cohort, learner i being KINDS[i % 10] in COURSE (which the caller assigns): three
    in ten not started, three in progress (1 to 3 lessons, active i minutes ago), three completed (every
    lesson, active a day and i minutes ago), one only invited. Everyone else joined a week ago."""
    now = now or utcnow()
    numbers = range(start, start + count)
    session.execute(insert(User), [
        {"email": f"{prefix.lower()}{i}@example.org", "name": f"{prefix} {i:04d}", "password_hash": "!test",
         "role": "trainee", "language": "en", "country": "DO", "sector": "health", "organisation": "MSP",
         "organisation_type": "government", "session_token": f"{prefix}{i}", "active": True, "created_at": now}
        for i in numbers])
    ids = dict(session.execute(select(User.email, User.id)
                               .where(User.email.like(f"{prefix.lower()}%@example.org"))).all())
    lessons = list(session.scalars(select(CourseItem.id).where(CourseItem.course_id == COURSE,
                                                               CourseItem.kind == "lesson",
                                                               CourseItem.retired.is_(False))))
    joined = now - timedelta(days=7)
    learners, members, enrolments, progress = [], [], [], []
    for i in numbers:
        kind, learner_id = KINDS[i % 10], ids[f"{prefix.lower()}{i}@example.org"]
        members.append({"cohort_id": cohort_id, "learner_id": learner_id, "added_at": joined,
                        "accepted_at": None if kind == "pending" else joined})
        done, active = 0, None
        if kind in ("in-progress", "completed"):
            done = i % 3 + 1 if kind == "in-progress" else len(lessons)
            active = now - timedelta(minutes=i) if kind == "in-progress" else now - timedelta(days=1, minutes=i)
            enrolments.append({"learner_id": learner_id, "course_id": COURSE, "enrolled_at": active,
                               "last_activity_at": active, "completed_at": active if kind == "completed" else None})
            progress += [{"learner_id": learner_id, "course_id": COURSE, "item_id": item_id, "state": "done",
                          "attempts": 0, "updated_at": active} for item_id in lessons[:done]]
        learners.append(Learner(learner_id, f"{prefix} {i:04d}", f"{prefix.lower()}{i}@example.org", kind, done,
                                active))
    session.execute(insert(CohortMember), members)
    if enrolments:
        session.execute(insert(Enrolment), enrolments)
    if progress:
        session.execute(insert(ItemProgress), progress)
    session.commit()
    return learners


def add_busy_learners(session, cohort_id: int, count: int, course_ids: list[str], seed: int = 7) -> None:
    """`count` accepted learners, each enrolled in about half of `course_ids` with lessons done and quiz
    attempts since joining, as bench/progress_table.py builds them: a table with every kind of cell."""
    rng = random.Random(seed)
    now = utcnow()
    session.execute(insert(User), [
        {"email": f"busy{i}@example.org", "name": f"Busy Learner {i:05d}", "password_hash": "!test",
         "role": "trainee", "language": "en", "country": "DO", "sector": "health", "organisation": "MSP",
         "organisation_type": "government", "session_token": f"busy{i}", "active": True, "created_at": now}
        for i in range(count)])
    ids = list(session.scalars(select(User.id).where(User.email.like("busy%@example.org"))))
    joined = now - timedelta(days=7)
    session.execute(insert(CohortMember), [{"cohort_id": cohort_id, "learner_id": learner_id, "added_at": joined,
                                            "accepted_at": joined} for learner_id in ids])
    items = session.execute(select(CourseItem.id, CourseItem.course_id, CourseItem.kind)
                            .where(CourseItem.course_id.in_(course_ids))).all()
    enrolments, progress, attempts = [], [], []
    for learner_id in ids:
        for course_id in course_ids:
            if rng.random() < 0.5:
                continue
            active = now - timedelta(minutes=rng.randrange(60 * 24 * 6))
            enrolments.append({"learner_id": learner_id, "course_id": course_id, "enrolled_at": active,
                               "last_activity_at": active, "completed_at": active if rng.random() < 0.3 else None})
            for item_id, item_course, kind in items:
                if item_course != course_id or rng.random() >= 0.7:
                    continue
                score = None if kind == "lesson" else rng.uniform(0, 100)
                progress.append({"learner_id": learner_id, "course_id": course_id, "item_id": item_id,
                                 "state": "done" if kind == "lesson" else ("passed" if score >= 70 else "failed"),
                                 "best_score": score, "attempts": 0 if kind == "lesson" else 1, "updated_at": active})
                if kind == "quiz":
                    attempts.append({"token_hash": f"{seed}{len(attempts):063d}", "learner_id": learner_id,
                                     "course_id": course_id, "item_id": item_id, "number": 1, "language": "en",
                                     "course_revision": "test", "questions": [], "answers": {}, "scores": {},
                                     "score": score, "pass_mark": 70.0, "passed": score >= 70, "awaiting_marking": 0,
                                     "marks": {}, "started_at": active, "submitted_at": active})
    session.execute(insert(Enrolment), enrolments)
    session.execute(insert(ItemProgress), progress)
    session.execute(insert(Attempt), attempts)
    if session.get_bind().dialect.name == "postgresql":
        # Fresh planner statistics, as autovacuum gives a table soon after a bulk load (and bench/progress_table.py
        # and `learnhub demo` do at once): the test database's statistics say these tables are nearly empty, and
        # on them PostgreSQL re-ran the per-learner aggregate once per learner (a page took over 15 minutes).
        session.execute(text("ANALYZE"))
    session.commit()


def names_on(page_html: str) -> list[str]:
    """The learners' names in the progress table of a page, in order."""
    table = page_html.split('<table class="progress-table"')[1].split("</table>")[0]
    return [html.unescape(name).strip() for name in ROW_NAME.findall(table)]


def every_page(client, url: str) -> tuple[list[str], list[str]]:
    """Follow the "Next" links from `url`: the names on every page, in order, and the pages' URLs."""
    names, urls = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = response.get_data(as_text=True)
        names += names_on(page)
        urls.append(url)
        following = NEXT.search(page)
        url = html.unescape(following.group(1)) if following else None
        assert len(urls) < 100
    return names, urls

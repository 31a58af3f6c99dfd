"""Demo data: realistic synthetic learners with enrolments, progress, quiz attempts and certificates,
drawn by learnhub.services.demo_learners and stored here.

For demonstrations and benchmarks (dashboards, coverage reports and trainer pages at national scale).
Everything it writes is marked as demo data and it only ever inserts:

- e-mail `demo-<n>@demo.learnhub.test`; seed S numbers its learners from (S - 1) x 5,000,000 + 1, so
  seed 1 makes demo-1, demo-2, ... and different seeds never share accounts;
- organisation names end with " (demo)";
- the password hash is the marker "!demo", which no password verifies: nobody can log in;
- every address counts as verified at the account's creation, so the learners who did a learning step
  are in the coverage reports like any verified learner.

Learner n is drawn from a random generator seeded with n alone, so the same seed and year give the
same learners whatever --learners or --batch, and a learner whose e-mail exists already is skipped
(with everything of theirs): running again adds only the learners that are missing.

Rows go in with bulk Core inserts, one transaction per batch of learners; user ids are read back by
e-mail, so nothing depends on guessing ids or sequences. Bulk inserts bypass the coverage rollup's
flush listener, so the rollup is rebuilt from the facts once at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, literal_column, select, text

from learnhub.extensions import db
from learnhub.models import Attempt, Certificate, Course, Enrolment, ItemProgress, LearnerActivity, User, UserSearchWord
from learnhub.models.base import utcnow
from learnhub.models.users import search_word_rows
from learnhub.reports import aggregate
from learnhub.services import catalogue, certificates
from learnhub.services.demo_learners import CourseOutline, Generator, ItemOutline, Learner, demo_email
from learnhub.text import name_key

MAX_LEARNERS = 5_000_000
"""Most learners one run (and one seed) makes; also the stride between seeds' learner numbers."""
FIRST_YEAR = 2000


class DemoError(Exception):
    """Demo data cannot be made; the message says why and what to do."""


@dataclass
class DemoSummary:
    learners: int = 0
    skipped: int = 0
    enrolments: int = 0
    progress: int = 0
    attempts: int = 0
    certificates: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (f"demo data: {self.learners} learners created ({self.skipped} already there), "
                f"{self.enrolments} enrolments, {self.progress} progress rows, {self.attempts} attempts, "
                f"{self.certificates} certificates in {self.seconds:.1f} s")


def first_number(seed: int) -> int:
    """Learner number of the first learner that `seed` makes."""
    return (seed - 1) * MAX_LEARNERS + 1


def window(year: int, now: datetime) -> tuple[datetime, datetime]:
    """The stretch of time activity falls in: the whole year, or the current year up to `now`."""
    if year < FIRST_YEAR:
        raise DemoError(f"--year {year} is too early; use {FIRST_YEAR} or later")
    if year > now.year:
        raise DemoError(f"--year {year} has not started yet; use {now.year} or earlier")
    start = datetime(year, 1, 1)  # naive UTC, as stored
    end = now if year == now.year else datetime(year + 1, 1, 1) - timedelta(seconds=1)
    return start, end


# --- The catalogue as the generator needs it -----------------------------------------------------------


def _live_courses(published: Sequence[Course]) -> list[CourseOutline]:
    """The published courses with at least one live lesson or quiz, items in course order."""
    found = []
    for course in published:
        items = tuple(ItemOutline(item.id, item.kind == "quiz",
                                  item.pass_mark if item.pass_mark is not None else course.pass_mark,
                                  item.max_attempts)
                      for item in catalogue.syllabus(course).items)
        if items:
            found.append(CourseOutline(course.id, course.kind, dict(course.title), course.minutes, course.revision,
                                       tuple(course.languages), bool(course.certificate), items))
    return found


# --- Storing -------------------------------------------------------------------------------------------

LOOKUP_CHUNK = 1000
"""Values per IN (...) when checking what exists (well under SQLite's and PostgreSQL's limits)."""


# Values every demo row of a table shares, written into the INSERT itself rather than bound per row.
# Attempts store no questions or answers (a minimal snapshot): reviews of demo attempts show nothing.
# Columns left out of both this and the row dicts (regraded_at, revoked_at, revoked_reason) stay NULL.
CONSTANTS = {
    Attempt: {"questions": literal_column("'[]'"), "answers": literal_column("'{}'"),
              "scores": literal_column("'{}'"), "marks": literal_column("'{}'"),
              "awaiting_marking": literal_column("0")},
}


def _existing(column, values: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for index in range(0, len(values), LOOKUP_CHUNK):
        found.update(db.session.scalars(select(column).where(column.in_(values[index:index + LOOKUP_CHUNK]))))
    return found


def _ids_by_email(emails: Sequence[str]) -> dict[str, int]:
    """The ids of the accounts just inserted (read back: RETURNING over many rows is slow with psycopg)."""
    ids: dict[str, int] = {}
    for index in range(0, len(emails), LOOKUP_CHUNK):
        ids.update(db.session.execute(select(User.email, User.id).where(
            User.email.in_(emails[index:index + LOOKUP_CHUNK]))).all())
    return ids


def _unique_codes(rows: list[dict]) -> None:
    """Redraw the (astronomically rare) certificate codes that exist already or repeat in the batch."""
    taken = _existing(Certificate.code, [row["code"] for row in rows])
    seen: set[str] = set()
    for row in rows:
        while row["code"] in taken or row["code"] in seen:
            row["code"] = certificates.new_code()
        seen.add(row["code"])


def _activity(progress: list[dict], attempts: list[dict]) -> list[dict]:
    """The activity months that the progress and attempts of a batch stand for (one row per learner, course
    and month), as the learning service records them one at a time."""
    months = {(row["learner_id"], row["course_id"], row[at].year, row[at].month)
              for rows, at in ((progress, "updated_at"), (attempts, "submitted_at")) for row in rows}
    return [{"learner_id": learner, "course_id": course, "year": year, "month": month}
            for learner, course, year, month in sorted(months)]


def _store(learners: list[Learner], summary: DemoSummary) -> None:
    # Core inserts bypass the model's listeners: the folded name and the search words are written here.
    db.session.execute(insert(User.__table__), [{**learner.user, "name_key": name_key(learner.user["name"])}
                                                for learner in learners])
    ids = _ids_by_email([learner.user["email"] for learner in learners])
    db.session.execute(insert(UserSearchWord.__table__), [
        row for learner in learners for row in search_word_rows(
            ids[learner.user["email"]], learner.user["name"], learner.user["email"], learner.user["organisation"])])
    tables: dict = {Enrolment: [], ItemProgress: [], Attempt: [], Certificate: []}
    for learner in learners:
        learner_id = ids[learner.user["email"]]
        for model, rows in ((Enrolment, learner.enrolments), (ItemProgress, learner.progress),
                            (Attempt, learner.attempts), (Certificate, learner.certificates)):
            for row in rows:
                row["learner_id"] = learner_id
            tables[model].extend(rows)
    _unique_codes(tables[Certificate])
    tables[LearnerActivity] = _activity(tables[ItemProgress], tables[Attempt])
    for model, rows in tables.items():
        if rows:
            db.session.execute(insert(model.__table__).values(**CONSTANTS.get(model, {})), rows)
    db.session.commit()
    summary.learners += len(learners)
    summary.enrolments += len(tables[Enrolment])
    summary.progress += len(tables[ItemProgress])
    summary.attempts += len(tables[Attempt])
    summary.certificates += len(tables[Certificate])


def check(year: int | None = None, now: datetime | None = None) -> tuple[list[CourseOutline], datetime, datetime]:
    """The courses to enrol demo learners in and the stretch of time activity falls in; DemoError where demo
    data must not or cannot be made."""
    if current_app.config["LEARNHUB_ENV"] == "production":
        raise DemoError("demo data is never created in production (LEARNHUB_ENV=production)")
    now = now or utcnow()
    start, end = window(now.year if year is None else year, now)
    published = catalogue.published_courses()
    if not published:
        raise DemoError("sync the courses first: learnhub courses sync")
    courses = _live_courses(published)
    if not courses:
        raise DemoError("no published course has a lesson or quiz; sync the courses first: learnhub courses sync")
    return courses, start, end


def generate(learners: int, *, seed: int = 1, year: int | None = None, batch: int = 5000,
             now: datetime | None = None, on_batch: Callable[[int], object] | None = None) -> DemoSummary:
    """Create `learners` demo learners (numbers from first_number(seed)), skipping those that exist.

    `on_batch` is called after each committed batch with the number of learners it went through.
    """
    began = time.perf_counter()
    if not 1 <= learners <= MAX_LEARNERS:
        raise DemoError(f"--learners must be between 1 and {MAX_LEARNERS:,}")
    if seed < 1:
        raise DemoError("--seed must be 1 or more")
    if batch < 1:
        raise DemoError("--batch must be 1 or more")
    courses, start, end = check(year, now)
    generator = Generator(courses, start, end)
    summary = DemoSummary()
    first = first_number(seed)
    for low in range(first, first + learners, batch):
        numbers = range(low, min(low + batch, first + learners))
        existing = _existing(User.email, [demo_email(number) for number in numbers])
        fresh = [generator.learner(number) for number in numbers if demo_email(number) not in existing]
        summary.skipped += len(numbers) - len(fresh)
        if fresh:
            _store(fresh, summary)
        if on_batch is not None:
            on_batch(len(numbers))
    # Fresh planner statistics: after a bulk load, PostgreSQL would otherwise estimate one user per country
    # until autovacuum catches up, and pick nested loops that turn a report query from seconds into hours.
    db.session.execute(text("ANALYZE"))
    # Bulk inserts bypass the rollup's flush listener: count everything again, once, at the end.
    aggregate.rebuild(db.session.connection())
    db.session.commit()
    summary.seconds = time.perf_counter() - began
    return summary


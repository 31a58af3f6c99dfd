"""Benchmark: a trainer's progress pages for a cohort of 2,000 learners (issues 6 and 14).

Issue 14's goals: at most 60 KB of HTML per page, at most 50 ms of server time per request, usable within
3 s on a 400 kbit/s link with 400 ms of latency; the CSV and XLSX exports stay complete.

The cohort has 2,000 learners assigned the six starter courses (two of them due yesterday), about half
enrolled in each with lessons done and quiz attempts. Each page is asked for through the Flask test client
as a logged-in trainer, in the same run: its HTML bytes, the median wall time and process CPU time per
request, and how many SQL statements it ran. The raw SQL that reads the progress and enrolment rows of the
whole cohort (two plain queries) is the floor any full table pays, for ratios. `--browser` adds the page
in Chromium (/usr/bin/chromium) through Chrome's network emulation (400 kbit/s down and up, 400 ms
latency, cache disabled): first contentful paint, DOMContentLoaded and load.

    .venv/bin/python bench/progress_table.py [--learners 2000] [--database-url URL] [--browser]

The script only asks for URLs, so the same file measures an older checkout too (PYTHONPATH or a copy).
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGES = (
    ("page 1 by name (the default)", ""),
    ("page 1 by progress", "?sort=progress"),
    ("page 1 by last activity", "?sort=activity"),
    ("overdue, by progress, page 3", "?show=overdue&sort=progress&page=3"),
    ("in progress in one course, page 2", "?show=in-progress&course=passwords-mfa&page=2"),
    ("search \"Learner 01\", page 5", "?q=Learner+01&page=5"),
    ("last page by name", "?page=40"),
)
EXPORTS = (("CSV export (all 2,000)", ".csv"), ("XLSX export (all 2,000)", ".xlsx"))
KBIT = 400
LATENCY_MS = 400


def build(app, learners: int) -> tuple[int, int]:
    """The cohort, its trainer and its learners' progress, inserted in bulk. Returns (cohort id, trainer id)."""
    from sqlalchemy import insert, select, text

    from learnhub.extensions import db
    from learnhub.models import Attempt, CohortMember, Course, CourseItem, Enrolment, ItemProgress, User
    from learnhub.models.base import utcnow
    from learnhub.services import accounts, cohorts, passwords

    rng = random.Random(7)
    with app.app_context():
        trainer = accounts.create("trainer@example.org", "benchmark pass phrase", accounts.Profile(
            "Trainer", "en", "DO", "health", "MSP", "government"), role="trainer")
        cohort = cohorts.create(trainer, "Benchmark cohort", "MSP", "DO", "es")
        now = utcnow()
        db.session.execute(insert(User), [
            {"email": f"l{i}@example.org", "name": f"Learner {i:05d}", "password_hash": passwords.hash_password("x")
             if i == 0 else "!bench", "role": "trainee", "language": "es", "country": "DO", "sector": "health",
             "organisation": "MSP", "organisation_type": "government", "session_token": f"t{i}", "active": True,
             "created_at": now} for i in range(learners)])
        learner_ids = list(db.session.scalars(select(User.id).where(User.email.like("l%@example.org"))))
        # Every learner accepted a week ago and did everything since: the whole table is in the trainer's sight.
        joined = now - timedelta(days=7)
        db.session.execute(insert(CohortMember), [{"cohort_id": cohort.id, "learner_id": i, "added_at": joined,
                                                   "accepted_at": joined} for i in learner_ids])
        courses = [row[0] for row in db.session.execute(text("SELECT id FROM courses ORDER BY id"))]
        for index, course_id in enumerate(courses):
            cohorts.assign(cohort, db.session.get(Course, course_id),
                           date.today() - timedelta(days=1) if index < 2 else None)
        items = db.session.execute(select(CourseItem.id, CourseItem.course_id, CourseItem.kind)).all()
        enrolments, progress, attempts = [], [], []
        for learner_id in learner_ids:
            for course_id in courses:
                if rng.random() < 0.5:
                    continue
                active = now - timedelta(minutes=rng.randrange(60 * 24 * 6))
                enrolments.append({"learner_id": learner_id, "course_id": course_id, "enrolled_at": active,
                                   "last_activity_at": active, "completed_at": active if rng.random() < 0.3 else None})
                for item_id, item_course, kind in items:
                    if item_course == course_id and rng.random() < 0.7:
                        score = None if kind == "lesson" else rng.uniform(0, 100)
                        progress.append({"learner_id": learner_id, "course_id": course_id, "item_id": item_id,
                                         "state": "done" if kind == "lesson" else
                                         ("passed" if score >= 70 else "failed"),
                                         "best_score": score, "attempts": 0 if kind == "lesson" else 1,
                                         "updated_at": active})
                        if kind == "quiz":  # trainers' pages read quiz results from the attempts
                            attempts.append({
                                "token_hash": f"{len(attempts):064d}", "learner_id": learner_id,
                                "course_id": course_id, "item_id": item_id, "number": 1, "language": "es",
                                "course_revision": "bench", "questions": [], "answers": {}, "scores": {},
                                "score": score, "pass_mark": 70.0, "passed": score >= 70,
                                "awaiting_marking": 0, "marks": {}, "started_at": active, "submitted_at": active})
        db.session.execute(insert(Enrolment), enrolments)
        db.session.execute(insert(ItemProgress), progress)
        db.session.execute(insert(Attempt), attempts)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        print(f"{len(learner_ids)} learners, {len(courses)} courses, {len(enrolments)} enrolments, "
              f"{len(progress)} progress rows, {len(attempts)} attempts", flush=True)
        return cohort.id, trainer.id


def log_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"csrf_token": token, "email": "trainer@example.org",
                                       "password": "benchmark pass phrase"}).status_code == 303


def measure(app, client, url: str, repeat: int) -> dict:
    """Median wall and CPU milliseconds of `repeat` requests for `url`, its bytes and its SQL statements."""
    from sqlalchemy import event

    from learnhub.extensions import db

    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(*_args) -> None:
        statements.append("")

    client.get(url)  # warm up (templates, the syllabus cache)
    walls, cpus = [], []
    for _ in range(repeat):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
    return {"bytes": len(response.data), "wall": statistics.median(walls), "cpu": statistics.median(cpus),
            "statements": len(statements), "rows": response.data.count(b"<tr")}


def raw_sql(app, cohort_id: int, repeat: int) -> float:
    """The floor of a full table: the cohort's progress and enrolment rows, read with two plain queries."""
    from sqlalchemy import text

    from learnhub.extensions import db

    def once() -> float:
        with app.app_context():
            start = time.perf_counter()
            with db.engine.connect() as connection:
                connection.execute(text(
                    "SELECT p.learner_id, p.item_id, p.state, p.best_score FROM item_progress p "
                    "JOIN cohort_members m ON m.learner_id = p.learner_id WHERE m.cohort_id = :c"),
                    {"c": cohort_id}).all()
                connection.execute(text(
                    "SELECT e.* FROM enrolments e JOIN cohort_members m ON m.learner_id = e.learner_id "
                    "WHERE m.cohort_id = :c"), {"c": cohort_id}).all()
            return time.perf_counter() - start

    once()
    return statistics.median(once() for _ in range(repeat))


def slow_link(app, path: str) -> dict:
    """The page in Chromium over an emulated 400 kbit/s, 400 ms link: cold (cache disabled) first contentful
    paint, DOMContentLoaded and load, in milliseconds from navigation start; and the bytes transferred."""
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(base + "/login")
            page.locator("#email").fill("trainer@example.org")
            page.locator("#password").fill("benchmark pass phrase")
            page.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
            page.wait_for_url(base + "/")
            session = page.context.new_cdp_session(page)
            session.send("Network.enable")
            session.send("Network.setCacheDisabled", {"cacheDisabled": True})
            session.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": LATENCY_MS, "downloadThroughput": KBIT * 1000 / 8,
                "uploadThroughput": KBIT * 1000 / 8})
            page.goto(base + path, wait_until="load", timeout=120_000)
            timing = page.evaluate("""() => {
                const nav = performance.getEntriesByType('navigation')[0];
                const paint = performance.getEntriesByName('first-contentful-paint')[0];
                return {fcp: paint ? paint.startTime : null, dcl: nav.domContentLoadedEventEnd,
                        load: nav.loadEventEnd, bytes: performance.getEntriesByType('resource')
                            .reduce((sum, r) => sum + r.transferSize, nav.transferSize)};
            }""")
            browser.close()
            return timing
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--browser", action="store_true", help="also measure page 1 in Chromium on a slow link")
    args = parser.parse_args()

    from bench.app_setup import bench_app

    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(args.database_url, Path(tmp))
        assert app.test_cli_runner().invoke(args=["courses", "sync"]).exit_code == 0
        cohort_id, _trainer_id = build(app, args.learners)
        client = app.test_client()
        log_in(client)
        base = f"/trainer/cohorts/{cohort_id}/progress"
        floor = raw_sql(app, cohort_id, args.repeat)
        results = [(name, measure(app, client, base + query, args.repeat)) for name, query in PAGES + EXPORTS]
        browser = slow_link(app, base) if args.browser else None
    print(f"\n{'PostgreSQL' if args.database_url else 'SQLite'}, median of {args.repeat}; raw SQL floor "
          f"{floor * 1000:.0f} ms")
    print("| request | HTML or file bytes | `<tr>` | wall ms | CPU ms | ratio to raw SQL | SQL statements |")
    print("|---|---|---|---|---|---|---|")
    for name, result in results:
        print(f"| {name} | {result['bytes']:,} | {result['rows']} | {result['wall'] * 1000:.1f} | "
              f"{result['cpu'] * 1000:.1f} | {result['wall'] / floor:.2f}x | {result['statements']} |")
    if browser:
        print(f"\nChromium, {KBIT} kbit/s, {LATENCY_MS} ms latency, cache disabled, page 1: first contentful paint "
              f"{browser['fcp']:.0f} ms, DOMContentLoaded {browser['dcl']:.0f} ms, load {browser['load']:.0f} ms, "
              f"{browser['bytes']:,} bytes transferred")


if __name__ == "__main__":
    main()

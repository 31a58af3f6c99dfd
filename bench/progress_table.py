"""Benchmark: a trainer's progress table for a cohort of 2,000 learners (issue 6; goal under 300 ms).

The cohort has 2,000 learners assigned the six starter courses, about half of them with progress
(lessons done and quiz attempts). Measured in the same run: the page through the Flask test client,
the service that builds the table, and the raw SQL that reads the same rows (the floor).

    .venv/bin/python bench/progress_table.py [--learners 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from sqlalchemy import insert, select, text

    from bench.app_setup import bench_app
    from learnhub.extensions import db
    from learnhub.models import Attempt, CohortMember, CourseItem, Enrolment, ItemProgress, User
    from learnhub.models.base import utcnow
    from learnhub.services import accounts, cohorts, passwords

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(args.database_url, Path(tmp))
        assert app.test_cli_runner().invoke(args=["courses", "sync"]).exit_code == 0
        with app.app_context():
            trainer = accounts.create("trainer@example.org", "benchmark pass phrase", accounts.Profile(
                "Trainer", "en", "DO", "health", "MSP", "government"), role="trainer")
            cohort = cohorts.create(trainer, "Benchmark cohort", "MSP", "DO", "es")
            now = utcnow()
            db.session.execute(insert(User), [
                {"email": f"l{i}@example.org", "name": f"Learner {i:05d}", "password_hash": passwords.hash_password("x")
                 if i == 0 else "!bench", "role": "trainee", "language": "es", "country": "DO", "sector": "health",
                 "organisation": "MSP", "organisation_type": "government", "session_token": f"t{i}", "active": True,
                 "created_at": now} for i in range(args.learners)])
            learner_ids = list(db.session.scalars(select(User.id).where(User.email.like("l%@example.org"))))
            # Every learner accepted a week ago and did everything since: the whole table is in the trainer's sight.
            joined = now - timedelta(days=7)
            db.session.execute(insert(CohortMember), [{"cohort_id": cohort.id, "learner_id": i, "added_at": joined,
                                                       "accepted_at": joined} for i in learner_ids])
            courses = [row[0] for row in db.session.execute(text("SELECT id FROM courses"))]
            for course_id in courses:
                cohorts.assign(cohort, db.session.get(__import__("learnhub.models", fromlist=["Course"]).Course,
                                                      course_id), None)
            items = db.session.execute(select(CourseItem.id, CourseItem.course_id, CourseItem.kind)).all()
            enrolments, progress, attempts = [], [], []
            for learner_id in learner_ids:
                for course_id in courses:
                    if rng.random() < 0.5:
                        continue
                    enrolments.append({"learner_id": learner_id, "course_id": course_id, "enrolled_at": now,
                                       "last_activity_at": now, "completed_at": now if rng.random() < 0.3 else None})
                    for item_id, item_course, kind in items:
                        if item_course == course_id and rng.random() < 0.7:
                            score = None if kind == "lesson" else rng.uniform(0, 100)
                            progress.append({"learner_id": learner_id, "course_id": course_id, "item_id": item_id,
                                             "state": "done" if kind == "lesson" else
                                             ("passed" if score >= 70 else "failed"),
                                             "best_score": score, "attempts": 0 if kind == "lesson" else 1,
                                             "updated_at": now})
                            if kind == "quiz":  # trainers' pages read quiz results from the attempts
                                attempts.append({
                                    "token_hash": f"{len(attempts):064d}", "learner_id": learner_id,
                                    "course_id": course_id, "item_id": item_id, "number": 1, "language": "es",
                                    "course_revision": "bench", "questions": [], "answers": {}, "scores": {},
                                    "score": score, "pass_mark": 70.0, "passed": score >= 70,
                                    "awaiting_marking": 0, "marks": {}, "started_at": now, "submitted_at": now})
            db.session.execute(insert(Enrolment), enrolments)
            db.session.execute(insert(ItemProgress), progress)
            db.session.execute(insert(Attempt), attempts)
            db.session.commit()
            cohort_id, trainer_id = cohort.id, trainer.id
            print(f"{len(learner_ids)} learners, {len(courses)} courses, {len(enrolments)} enrolments, "
                  f"{len(progress)} progress rows, {len(attempts)} attempts", flush=True)

        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"csrf_token": token, "email": "trainer@example.org",
                                           "password": "benchmark pass phrase"}).status_code == 303

        def page_time() -> float:
            start = time.perf_counter()
            response = client.get(f"/trainer/cohorts/{cohort_id}/progress")
            assert response.status_code == 200 and response.data.count(b"<tr>") > args.learners
            return time.perf_counter() - start

        def service_time() -> float:
            with app.app_context():
                found = db.session.get(__import__("learnhub.models", fromlist=["Cohort"]).Cohort, cohort_id)
                viewer = db.session.get(User, trainer_id)
                start = time.perf_counter()
                cohorts.progress_table(found, viewer)
                elapsed = time.perf_counter() - start
                db.session.remove()
            return elapsed

        def raw_sql_time() -> float:
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

        page_time()  # warm up
        results = {name: statistics.median(fn() for _ in range(args.repeat))
                   for name, fn in (("raw SQL (the rows the table needs)", raw_sql_time),
                                    ("progress_table service", service_time), ("progress page (HTML)", page_time))}
    floor = results["raw SQL (the rows the table needs)"]
    print(f"\n{'PostgreSQL' if args.database_url else 'SQLite'}, median of {args.repeat}")
    print("| step | median | ratio to raw SQL | goal |")
    print("|---|---|---|---|")
    for name, value in results.items():
        print(f"| {name} | {value * 1000:.0f} ms | {value / floor:.1f}x | {'< 300 ms' if 'page' in name else ''} |")


if __name__ == "__main__":
    main()

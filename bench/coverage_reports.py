"""Benchmark: coverage reports at national scale (issue 5; goals: a country dashboard under 200 ms at
1,000,000 learners on SQLite and PostgreSQL, the XLSX of a country under 2 s and 300 MB).

Loads `learnhub demo --learners N` into a fresh database, then measures in the same run, for the
country with the most learners:
- the raw aggregate SQL (the live GROUP BY of learnhub/reports/aggregate.py for that country and year),
  which is what the dashboard would cost without the rollup;
- the dashboard page, the regional comparison of all 60 countries and each download, through the
  Flask test client (routing, templates, SVG charts, suppression, rendering: everything but the network);
- the XLSX download's peak Python memory (tracemalloc) and the process's peak RSS, and the XLSX made by
  `learnhub report coverage` in a new process: its time and peak RSS (GNU time), start-up included;
- the full rollup rebuild, and what keeping the rollup costs a progress write (enrol and first lesson
  done through the learning service, with and without the flush listener).

    .venv/bin/python bench/coverage_reports.py --learners 100000 [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


ADMIN = "bench-admin@example.org"


def median_ms(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    from sqlalchemy import event, func, select
    from sqlalchemy.orm import Session

    from bench.app_setup import bench_app
    from learnhub.extensions import db
    from learnhub.models import Enrolment, ItemProgress, LearnerActivity, User
    from learnhub.models.base import utcnow
    from learnhub.reports import aggregate, rollup
    from learnhub.services import accounts, catalogue, demo, learning

    results: list[tuple[str, str]] = []

    def note(name: str, value: str) -> None:
        results.append((name, value))
        print(f"{name}: {value}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(args.database_url, Path(tmp))
        assert app.test_cli_runner().invoke(args=["courses", "sync"]).exit_code == 0
        year = utcnow().year
        with app.app_context():
            began = time.perf_counter()
            summary = demo.generate(args.learners, seed=1)
            note("demo data (incl. rollup rebuild)", f"{time.perf_counter() - began:.1f} s, {summary.learners:,} "
                 f"learners, {summary.enrolments:,} enrolments, {summary.progress:,} progress rows, "
                 f"{summary.attempts:,} attempts, {summary.certificates:,} certificates")
            activity = db.session.scalar(select(func.count()).select_from(LearnerActivity))
            note("activity months", f"{activity:,}")
            country, size = db.session.execute(select(User.country, func.count()).group_by(User.country)
                                               .order_by(func.count().desc()).limit(1)).one()
            note("country measured", f"{country} ({size:,} learners)")
            admin = accounts.create(ADMIN, "benchmark pass phrase", accounts.Profile(
                "Admin", "en", "ES", "public-administration", "Ministry", "government"), role="admin")
            db.session.commit()
            cookie_id = admin.get_id()

            began = time.perf_counter()
            rows = aggregate.rebuild(db.session.connection())
            db.session.commit()
            note("rollup rebuild (all countries)", f"{time.perf_counter() - began:.1f} s, {rows:,} counts")

            def live_sql():
                aggregate.live_counts(db.session.connection(), country, year)
                db.session.rollback()

            raw = median_ms(live_sql, max(3, args.repeat // 5))
            note("raw aggregate SQL, one country-year", f"{raw:.0f} ms")

        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = cookie_id
            session["_fresh"] = True

        def get(path: str) -> bytes:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response.data

        page = median_ms(lambda: get(f"/reports/{country}?year={year}"), args.repeat)
        note("dashboard page", f"{page:.1f} ms ({raw / page:.0f}x faster than the raw SQL)")
        note("regional comparison, all 60 countries",
             f"{median_ms(lambda: get(f'/reports/regions/all?year={year}'), args.repeat):.1f} ms")
        for fmt in ("csv", "json", "xlsx", "pdf"):
            took = median_ms(lambda fmt=fmt: get(f"/reports/{country}.{fmt}?year={year}"), 5)
            note(f"download {fmt}", f"{took:.1f} ms")
        tracemalloc.start()
        get(f"/reports/{country}.xlsx?year={year}")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        note("XLSX download, peak Python memory", f"{peak / 2**20:.1f} MB")
        note("process peak RSS so far (includes the demo load)",
             f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        # The XLSX goal is about one report on its own: make it in a new process (the command line, same
        # database) and read that process's peak RSS, which the demo load above cannot inflate.
        # GNU time reports the command's own peak: ru_maxrss of a child forked from this process would
        # count the pages it inherited from the demo load.
        output = Path(tmp) / "country.xlsx"
        began = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", str(Path(sys.executable).parent / "learnhub"), "report",
                               "coverage", "--country", country, "--year", str(year), "--format", "xlsx", "-o",
                               str(output), "--as", ADMIN],
                              env={**os.environ, "LEARNHUB_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                                   "LEARNHUB_INSTANCE_DIR": tmp},
                              check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        peak_kb = int(done.stderr.strip().splitlines()[-1])
        note("XLSX by `learnhub report coverage` in a new process (incl. start-up)",
             f"{(time.perf_counter() - began) * 1000:.0f} ms, {output.stat().st_size / 1024:.0f} KB, peak RSS "
             f"{peak_kb / 1024:.0f} MB")

        with app.app_context():
            course = catalogue.course_or_none("passwords-mfa")
            syllabus = catalogue.syllabus(course)
            lesson = next(item for item in syllabus.items if item.kind == "lesson")
            fresh = [row for row in db.session.execute(select(User.id).where(
                User.role == "trainee", User.country == country, ~select(Enrolment.id).where(
                    Enrolment.learner_id == User.id, Enrolment.course_id == course.id).exists()).limit(400))]

            def progress_writes(ids) -> float:
                began = time.perf_counter()
                for (learner_id,) in ids:
                    learner = db.session.get(User, learner_id)
                    learning.mark_lesson_done(learner, course, lesson, syllabus)
                    db.session.commit()
                return (time.perf_counter() - began) * 1000 / len(ids)

            half = len(fresh) // 2
            with_rollup = progress_writes(fresh[:half])
            event.remove(Session, "after_flush", rollup._after_flush)
            without = progress_writes(fresh[half:])
            rollup.install()
            note("first lesson of a course (enrol + activity + rollup), per learner",
                 f"{with_rollup:.1f} ms with the rollup, {without:.1f} ms without")
            assert db.session.scalar(select(func.count()).select_from(ItemProgress).where(
                ItemProgress.item_id == lesson.id)) >= len(fresh)
    print()
    print(f"| {args.learners:,} learners, {'PostgreSQL' if args.database_url else 'SQLite'} | |")
    for name, value in results:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()

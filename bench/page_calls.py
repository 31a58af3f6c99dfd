"""Benchmark (issue 14): statements and Python function calls per request of the hot pages, in-process, on SQLite
or PostgreSQL: counts that do not drift with the machine's load, beside page_speed.py's ratios, which do (up to
25 % between two runs of the same code on shared cores).

A fresh database with the starter catalogue, one learner enrolled in the course, each page requested `--requests`
times to warm the page cache and the quiz form's drawn questions (web/question_fragments, one per question and
shuffled order), then as many times under cProfile; the statements are counted on the engine over one more
request. The graded submit is measured the same way on page_speed.py's generated quiz (no attempt limit): each
submit is of a fresh form, whose GET is not counted. A page marked `reads_only` may read outside the ORM, on a
DB-API connection the engine's events do not see (models/direct_reads: an anonymous page's key, the session user):
those statements are counted where they are sent. Compare two commits by running this in each checkout.

    .venv/bin/python bench/page_calls.py [--requests 500] [--server-url postgresql://root@127.0.0.1:5432/postgres]
        [--profile FOLDER]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.content_sync import add_pair_course  # noqa: E402
from bench.page_speed import create_database  # noqa: E402
from bench.quiz_form import answers  # noqa: E402

BIN = Path(sys.executable).parent
PASSWORD = "benchmark pass phrase"  # noqa: S105  (a throwaway account in a temporary database)
PAGES = [  # (name, path, logged in)
    ("floor: constant page behind login_required", "/bench/floor", True),
    ("lesson", "/courses/passwords-mfa/lessons/mfa-methods", True),
    ("course page", "/courses/passwords-mfa", True),
    ("quiz form", "/courses/passwords-mfa/quizzes/check-passwords-mfa", True),
    ("catalogue /courses", "/courses", True),
    ("catalogue /courses (anonymous)", "/courses", False),
    ("course page (anonymous)", "/courses/passwords-mfa", False),
    ("home (anonymous)", "/", False),
]
PAIR_QUIZ = "/courses/bench-course/quizzes/quiz-00"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--server-url", default="", help="PostgreSQL server; default: SQLite")
    parser.add_argument("--profile", default="", help="write each page's profile to this folder (pstats files)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        shutil.copytree(ROOT / "courses", tmp_path / "courses")
        add_pair_course(tmp_path / "courses")
        os.environ.update({
            "LEARNHUB_ENV": "testing", "LEARNHUB_INSTANCE_DIR": str(tmp_path),
            "LEARNHUB_COURSES_DIR": str(tmp_path / "courses"),
            "LEARNHUB_SECRET_KEY": "benchmark-secret-key-benchmark-secret-key", "LEARNHUB_RATELIMIT_ENABLED": "false",
            "LEARNHUB_MAIL_DIR": str(tmp_path / "mail"), "LEARNHUB_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}"})
        os.environ.pop("LEARNHUB_DATABASE_URL", None)
        database = "SQLite"
        if args.server_url:
            os.environ["LEARNHUB_DATABASE_URL"] = create_database(args.server_url)
            database = "PostgreSQL"
        learnhub = str(BIN / "learnhub")
        subprocess.run([learnhub, "db", "upgrade"], check=True, capture_output=True)
        subprocess.run([learnhub, "courses", "sync"], check=True, capture_output=True)
        subprocess.run([learnhub, "users", "create", "calls@example.org", "--country", "DO"], input=PASSWORD + "\n",
                       text=True, check=True, capture_output=True)
        from sqlalchemy import event

        from bench.floor_wsgi import app  # LearnHub plus /bench/floor
        from learnhub.extensions import db
        from learnhub.models import direct_reads

        client = app.test_client()
        origin = {"Origin": "http://localhost"}  # the login and enrol forms are checked by origin (decision 0037)
        assert client.post("/login", data={"email": "calls@example.org", "password": PASSWORD},
                           headers=origin).status_code == 303
        page = client.get("/courses/passwords-mfa").get_data(as_text=True)
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        assert client.post("/courses/passwords-mfa/enrol", data={"csrf_token": token}).status_code == 303
        assert client.get("/courses/passwords-mfa").status_code == 200  # where enrolling leads: its message shown
        with app.app_context():
            engine = db.engine
        rows = []
        anonymous = app.test_client()
        for name, path, logged_in in PAGES:
            browser = client if logged_in else anonymous
            for _ in range(args.requests):  # warm: the page cache, and the quiz's drawn questions in their orders
                assert browser.get(path).status_code == 200, path
            statements: list[str] = []

            def count(_connection, _cursor, statement, *_rest, into=statements):
                into.append(statement)

            outside = direct_reads._outside_session
            direct_reads._outside_session = lambda engine, sql, *rest, run=outside, into=statements: (
                into.append(sql), run(engine, sql, *rest))[1]
            event.listen(engine, "before_cursor_execute", count)
            assert browser.get(path).status_code == 200, path
            event.remove(engine, "before_cursor_execute", count)
            direct_reads._outside_session = outside
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                browser.get(path)
            profile.disable()
            calls = pstats.Stats(profile).total_calls / args.requests
            if args.profile:
                Path(args.profile).mkdir(parents=True, exist_ok=True)
                profile.dump_stats(Path(args.profile) / f"{len(rows)}.pstats")
            rows.append((name, len(statements), calls))
        rows.append(("graded quiz submit", *submits(engine, client, args.requests, args.profile)))
    print(f"\n{database}, in-process, {args.requests} requests per page\n")
    print("| page | statements | function calls per request |")
    print("|---|---|---|")
    for name, statements, calls in rows:
        print(f"| {name} | {statements} | {calls:,.0f} |")


def submits(engine, client, requests: int, folder: str) -> tuple[int, float]:
    """Statements of one graded submit, and function calls per submit (each of a fresh form, not counted)."""
    from sqlalchemy import event

    def fresh_form() -> dict[str, str]:
        response = client.get(PAIR_QUIZ)
        assert response.status_code == 200
        form = answers(response.get_data(as_text=True))
        assert form is not None, "the benchmark quiz has no attempt limit"
        return form

    for _ in range(3):
        assert client.post(PAIR_QUIZ, data=fresh_form()).status_code == 303
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_rest):
        statements.append(statement)

    form = fresh_form()
    event.listen(engine, "before_cursor_execute", count)
    assert client.post(PAIR_QUIZ, data=form).status_code == 303
    event.remove(engine, "before_cursor_execute", count)
    profile = cProfile.Profile()
    for _ in range(requests):
        form = fresh_form()
        profile.enable()
        client.post(PAIR_QUIZ, data=form)
        profile.disable()
    if folder:
        profile.dump_stats(Path(folder) / "submit.pstats")
    calls = pstats.Stats(profile).total_calls
    return len(statements), calls / requests


if __name__ == "__main__":
    main()

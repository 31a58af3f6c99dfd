"""Benchmark (issue 14): LearnHub's hot pages against a bare Flask "hello", same server, same run, as ratios
and as CPU milliseconds per request.

gunicorn (2 sync workers) serves LearnHub on a fresh database (SQLite by default, or the PostgreSQL server
given by --server-url, in a database of the benchmark's own) with the starter catalogue, and, on another
port, bench/hello.py. Each page is loaded by wrk (2 threads, --clients connections, --seconds) between two
loads of hello; its ratio is its requests per second over the mean of the two hello rates around it, so
a machine that is busier at one moment than another skews the ratio less. CPU time per request is what the
gunicorn workers used (utime + stime, from /proc) over the requests served. The quiz "pairs" (a fresh form
then its graded submit, on a generated quiz without an attempt limit) come from Python threads, as the submit
needs a new form each time.

    .venv/bin/python bench/page_speed.py [--seconds 5] [--clients 4] [--repeat 3] [--server-url postgresql://root@127.0.0.1:5432/postgres]

With --repeat N each page is measured N times in turn (every page once, then again) and the median ratio and
CPU time are reported, with the lowest and highest ratio: on shared cores one load can vary by 15 %.

Each page is loaded unmeasured for --warm seconds before its first measurement, as a worker that has served it a
while: a page cache is warm after one request, but the quiz form draws each question once per arrangement and
worker (web/question_fragments), about 400 drawings for the starter quiz, which a cold 5 s run spends a third of
its time on.

Pages: the floor (a constant page behind login_required, from bench/floor_wsgi.py), a lesson, the course page,
the quiz form, the catalogue and the home page (anonymous and logged in), the login page.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
TICK = os.sysconf("SC_CLK_TCK")
DATABASE = "lh_bench_pages"

from bench.content_sync import add_pair_course  # noqa: E402
from bench.learner_throughput import PASSWORD, Session, measure, serve  # noqa: E402
from bench.load_test import descendants  # noqa: E402
from bench.quiz_form import answers  # noqa: E402

LESSON = "/courses/passwords-mfa/lessons/mfa-methods"
PAIR_QUIZ = "/courses/bench-course/quizzes/quiz-00"  # bench/content_sync.py's generated quiz: no attempt limit
PAGES = [  # (name, path, logged in)
    ("floor: constant page behind login_required", "/bench/floor", True),
    ("lesson (logged in)", LESSON, True),
    ("course page (logged in)", "/courses/passwords-mfa", True),
    ("quiz form (logged in)", "/courses/passwords-mfa/quizzes/check-passwords-mfa", True),
    ("catalogue /courses (logged in)", "/courses", True),
    ("catalogue /courses (anonymous)", "/courses", False),
    ("course page (anonymous)", "/courses/passwords-mfa", False),
    ("home (anonymous)", "/", False),
    ("login page (anonymous)", "/login", False),
]


def cpu_seconds(pid: int) -> float:
    pids = descendants(pid)
    total = 0.0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def wrk(port: int, path: str, cookie: str, args) -> tuple[float, int]:
    """Requests per second and requests served, measured by wrk (C, so the client is never the bottleneck)."""
    command = ["wrk", "-t", "2", "-c", str(args.clients), "-d", f"{args.seconds:.0f}s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            check=True).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{path}: wrk saw errors:\n{output}")
    served = int(re.search(r"(\d+) requests in", output).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), served


def create_database(server_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from learnhub.config import normalise_database_url

    base = make_url(normalise_database_url(server_url))
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    engine.dispose()
    return base.set(database=DATABASE).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--server-url", default="", help="PostgreSQL server; default: SQLite")
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    parser.add_argument("--repeat", type=int, default=1, help="measure each page this many times: medians")
    parser.add_argument("--warm", type=float, default=3, help="seconds of unmeasured load on each page first")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        courses = tmp_path / "courses"  # the catalogue, plus a quiz without an attempt limit for the pairs
        shutil.copytree(ROOT / "courses", courses)
        add_pair_course(courses)
        env = {**os.environ, "LEARNHUB_ENV": "testing", "LEARNHUB_INSTANCE_DIR": str(tmp_path),
               "LEARNHUB_COURSES_DIR": str(courses),
               "LEARNHUB_SECRET_KEY": "benchmark-secret-key-benchmark-secret-key",
               "LEARNHUB_RATELIMIT_ENABLED": "false", "LEARNHUB_MAIL_DIR": str(tmp_path / "mail"),
               "LEARNHUB_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}"}
        env.pop("LEARNHUB_DATABASE_URL", None)
        database = "SQLite"
        if args.server_url:
            env["LEARNHUB_DATABASE_URL"] = create_database(args.server_url)
            database = "PostgreSQL"
        learnhub = str(BIN / "learnhub")
        subprocess.run([learnhub, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([learnhub, "courses", "sync"], env=env, check=True, capture_output=True)
        for i in range(args.clients * (1 + args.repeat)):  # the reader's, then fresh ones for each run of pairs
            subprocess.run([learnhub, "users", "create", f"bench{i}@example.org", "--country", "DO"], env=env,
                           input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        hello = serve("bench.hello:app", 5101, env)
        app = serve("bench.floor_wsgi:app", 5102, env)
        rows = []
        try:
            reader = Session(5102)
            reader.log_in("bench0@example.org")
            status, _ = reader.request("GET", LESSON)
            assert status == 200, status

            hello_runs: list[tuple[float, float]] = []  # (rate, CPU ms per request) of every load of hello

            def hello_rate() -> float:
                cpu = cpu_seconds(hello.pid)
                rate, served = wrk(5101, "/", "", args)
                hello_runs.append((rate, 1000 * (cpu_seconds(hello.pid) - cpu) / max(served, 1)))
                return rate

            pages = [page for page in PAGES if not args.only or args.only in page[0]]
            pairs = not args.only or "quiz" in args.only
            emails = iter(f"bench{i}@example.org" for i in range(args.clients, args.clients * (1 + args.repeat)))

            def logged_in_session() -> Session:
                session = Session(5102)
                session.log_in(next(emails))
                return session

            def pair(session: Session) -> int:
                status, page = session.request("GET", PAIR_QUIZ)
                assert status == 200, status
                form = answers(page)
                assert form is not None, "the benchmark quiz has no attempt limit"
                status, _ = session.request("POST", PAIR_QUIZ, form)
                assert status == 303, status
                return 1

            runs: dict[str, list[tuple[float, float, float]]] = {}  # name: [(rate, ratio, CPU ms)]
            if args.warm > 0:
                warm = argparse.Namespace(**{**vars(args), "seconds": args.warm})
                for _name, path, logged_in in pages:
                    wrk(5102, path, reader.cookie if logged_in else "", warm)
            for _ in range(args.repeat):
                for name, path, logged_in in pages:
                    before = hello_rate()
                    cpu = cpu_seconds(app.pid)
                    rate, served = wrk(5102, path, reader.cookie if logged_in else "", args)
                    used = cpu_seconds(app.pid) - cpu
                    after = hello_rate()
                    runs.setdefault(name, []).append((rate, rate / ((before + after) / 2), 1000 * used / served))
                    print(f"{name}: {rate:.0f} req/s, ratio {runs[name][-1][1]:.3f}, {runs[name][-1][2]:.2f} ms CPU",
                          flush=True)
                if pairs:
                    name = "quiz form + graded submit (pairs)"
                    before = hello_rate()
                    cpu = cpu_seconds(app.pid)
                    rate = measure("quiz pairs", args.seconds, args.clients, logged_in_session, pair)
                    used = cpu_seconds(app.pid) - cpu
                    after = hello_rate()
                    runs.setdefault(name, []).append((rate, rate / ((before + after) / 2),
                                                      1000 * used / max(rate * args.seconds, 1)))
            for name, measured in runs.items():
                rows.append((name, statistics.median(m[0] for m in measured), statistics.median(m[1] for m in measured),
                             statistics.median(m[2] for m in measured), min(m[1] for m in measured),
                             max(m[1] for m in measured)))
            rows.append(("hello (the reference itself)", statistics.median(m[0] for m in hello_runs), 1.0,
                         statistics.median(m[1] for m in hello_runs), 1.0, 1.0))
        finally:
            hello.terminate()
            app.terminate()
    load = os.getloadavg()[0]
    print(f"\n{database}; gunicorn 2 sync workers; wrk {args.clients} connections, {args.seconds:.0f} s per "
          f"page, {args.repeat} time(s); load average after the run {load:.1f}\n")
    print("| page | requests/s | ratio to hello (median) | lowest-highest | CPU ms/request |")
    print("|---|---|---|---|---|")
    for name, rate, ratio, cpu, low, high in rows:
        print(f"| {name} | {rate:.0f} | {ratio:.3f} | {low:.3f}-{high:.3f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()

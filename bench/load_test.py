"""Load test: Locust learners against nginx in front of one, then two LearnHub instances (deploy/up.sh).

Creates a database of its own (lh_bench_load) with 1,000 learners enrolled in every course (services
directly, one password hash shared by all, so setting up costs seconds), then for 1 and 2 instances: starts
the set-up, runs Locust headless (same users, spawn rate and duration; each run has its own 500 learners),
stops it, and prints throughput, p50/p95/p99, errors, and where the CPU time went: PostgreSQL backends of
this database, gunicorn, nginx, the queue consumers and Locust itself (from /proc), with the mean number of
PostgreSQL backends busy on a query (pg_stat_activity sampled every 0.1 s).

By default the learners arrive signed in (a session cookie each, signed here with the deployment's secret
key, as a learner who logged in earlier holds), so the run measures page serving; `--log-in` makes each
learner log in with its password first, which measures a log-in storm (Argon2) instead.

    .venv/bin/python bench/load_test.py --locust /path/to/bench-venv/bin/locust [--seconds 60] [--users 500]

Locust comes from requirements/bench.txt (a venv of its own: python3 -m venv V && V/bin/pip install
--require-hashes -r requirements/bench.txt). Needs PostgreSQL, Redis and nginx as deploy/README.md says.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "benchmark pass phrase"  # noqa: S105  (throwaway accounts in a database of the benchmark's own)
SECRET_KEY = "load-test-only-" * 4  # signs the run's session cookies; the deployment is given the same
DATABASE = "lh_bench_load"
TICK = os.sysconf("SC_CLK_TCK")


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


def create_learners(database_url: str, count: int, folder: Path) -> tuple[dict, list[str]]:
    """`count` verified learners enrolled in every published course; answers the course items for Locust and a
    signed session cookie per learner (the one logging in would set)."""
    from argon2 import PasswordHasher, profiles
    from sqlalchemy import select, update

    from learnhub import create_app
    from learnhub.extensions import db
    from learnhub.models import User
    from learnhub.services import accounts, catalogue, learning, passwords

    real_hash = passwords._hasher.hash(PASSWORD)  # the production cost, once; logging in pays it as it would
    passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    app = create_app({"LEARNHUB_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "QUEUE_URL": "inline",
                      "MAIL_DIR": str(folder / "mail"), "SECRET_KEY": SECRET_KEY})
    items: dict = {}
    with app.app_context():
        courses = catalogue.published_courses()
        for number in range(count):
            learner = accounts.create(f"learner{number}@bench.example.org", PASSWORD, accounts.Profile(
                name=f"Learner {number}", language="en", country="DO", sector="health", organisation="Bench",
                organisation_type="government"), verified=True)
            for course in courses:
                learning.enrol(learner, course)
        db.session.execute(update(User).where(User.email.like("%@bench.example.org")).values(password_hash=real_hash))
        for course in courses:
            syllabus = catalogue.syllabus(course)
            items[course.id] = {plural: [item.key for item in syllabus.items if item.kind == kind]
                                for kind, plural in (("lesson", "lessons"), ("quiz", "quizzes"))}
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(User)) >= count
        signer = app.session_interface.get_signing_serializer(app)
        learners = db.session.scalars(select(User).where(User.email.like("learner%@bench.example.org"))).all()
        by_number = {int(user.email.removeprefix("learner").split("@")[0]): user for user in learners}
        cookies = [signer.dumps({"_user_id": by_number[number].get_id(), "_fresh": True, "language": "en"})
                   for number in range(count)]
        db.session.remove()
        db.engine.dispose()
    return {course: kinds for course, kinds in items.items() if kinds["lessons"] and kinds["quizzes"]}, cookies


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def descendants(pid: int) -> list[int]:
    """`pid` and every process under it (from the parent ids in /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


class Sampler:
    """CPU seconds per group of processes between start() and stop(), and busy PostgreSQL backends of the
    benchmark database, sampled every 0.1 s."""

    def __init__(self, database_url: str, run: Path):
        from sqlalchemy import create_engine

        from learnhub.config import normalise_database_url

        self.engine = create_engine(normalise_database_url(database_url))
        self.run = run
        self.samples: list[int] = []
        self.backends: dict[int, float] = {}
        self.stopping = threading.Event()

    def groups(self, locust_pid: int) -> dict[str, list[int]]:
        pids = {name: [] for name in ("gunicorn", "consumers", "nginx")}
        for file in self.run.glob("*.pid"):
            group = "gunicorn" if file.name.startswith("gunicorn") else (
                "consumers" if file.name.startswith("worker") else "nginx")
            pids[group] += descendants(int(file.read_text().strip()))
        pids["locust"] = descendants(locust_pid)
        return pids

    def _sample(self) -> None:
        from sqlalchemy import text

        with self.engine.connect() as connection:
            while not self.stopping.wait(0.1):
                rows = connection.execute(text(
                    "SELECT pid, state FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
                    {"name": DATABASE}).all()
                self.samples.append(sum(1 for _, state in rows if state == "active"))
                for pid, _ in rows:
                    self.backends.setdefault(pid, cpu_seconds(pid))
                connection.rollback()

    def start(self, locust_pid: int) -> None:
        self.locust_pid = locust_pid
        self.before = {pid: cpu_seconds(pid) for pids in self.groups(locust_pid).values() for pid in pids}
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def stop(self) -> dict:
        groups = self.groups(self.locust_pid)
        used = {name: sum(cpu_seconds(pid) - self.before.get(pid, 0.0) for pid in pids)
                for name, pids in groups.items()}
        used["postgresql"] = sum(cpu_seconds(pid) - start for pid, start in self.backends.items())
        self.stopping.set()
        self.thread.join()
        self.engine.dispose()
        used["pg_busy_backends"] = sum(self.samples) / max(len(self.samples), 1)
        return used


def run_once(instances: int, args, env: dict, items: dict, first: int, run: Path) -> dict:
    ports = " ".join(str(args.port + 1 + n) for n in range(instances))
    env = {**env, "DEPLOY_INSTANCE_PORTS": ports, "DEPLOY_RUN_DIR": str(run)}
    subprocess.run([str(ROOT / "deploy" / "up.sh")], env=env, check=True, timeout=300)
    try:
        prefix = run / "locust"
        locust = subprocess.Popen(
            [args.locust, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--users", str(args.users),
             "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.seconds}s", "--host",
             f"http://127.0.0.1:{args.port}", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            env={**env, "LEARNHUB_BENCH_FIRST": str(first), "LEARNHUB_BENCH_PASSWORD": PASSWORD,
                 "LEARNHUB_BENCH_ITEMS": json.dumps(items), "LEARNHUB_BENCH_THINK": args.think,
                 "LEARNHUB_BENCH_SESSIONS": "" if args.log_in else str(run.parent / "sessions.json")},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        sampler = Sampler(env["LEARNHUB_DATABASE_URL"], run)
        started = time.monotonic()
        sampler.start(locust.pid)
        time.sleep(args.seconds)
        cpu = sampler.stop()  # before Locust exits, while its processes are still there to read
        cpu["wall"] = time.monotonic() - started
        _, errors = locust.communicate(timeout=120)
    finally:
        subprocess.run([str(ROOT / "deploy" / "down.sh")], env=env, check=False, timeout=120)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return {"instances": instances, "requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "rps": float(total["Requests/s"]), "p50": total["50%"], "p95": total["95%"], "p99": total["99%"],
            "cpu": cpu, "locust_errors": errors.decode()[-500:],
            "pages": [row for row in rows if row["Name"] != "Aggregated"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-url", default="postgresql://root@127.0.0.1:5432/postgres",
                        help="a PostgreSQL database on the server where lh_bench_load is (re)created")
    parser.add_argument("--locust", default=shutil.which("locust") or str(Path(sys.executable).parent / "locust"))
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--spawn-rate", type=int, default=50)
    parser.add_argument("--port", type=int, default=5200, help="nginx; the instances take the next ports")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--run-dir", default=str(ROOT / "bench" / "run"))
    parser.add_argument("--think", default="1,5", help="seconds each learner waits between pages: MIN,MAX")
    parser.add_argument("--log-in", action="store_true",
                        help="each learner logs in with its password first (a log-in storm) instead of arriving "
                             "signed in")
    args = parser.parse_args()

    run = Path(args.run_dir)
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    database_url = create_database(args.server_url)
    env = {**os.environ, "LEARNHUB_DATABASE_URL": database_url, "DEPLOY_PORT": str(args.port),
           "LEARNHUB_SECRET_KEY": SECRET_KEY,
           "DEPLOY_REDIS_DB": str(args.redis_db), "DEPLOY_BIN": str(Path(sys.executable).parent),
           # Every learner logs in from 127.0.0.1 through nginx: lift the per-address login limit for the run.
           "LEARNHUB_LOGIN_LIMIT_PER_IP": "100000 per minute", "LEARNHUB_LOG_FORMAT": "json"}
    subprocess.run([str(ROOT / "deploy" / "up.sh")], env={**env, "DEPLOY_INSTANCE_PORTS": str(args.port + 1),
                                                            "DEPLOY_RUN_DIR": str(run / "prepare")},
                   check=True, timeout=300)  # migrate and sync once
    subprocess.run([str(ROOT / "deploy" / "down.sh")], env={**env, "DEPLOY_RUN_DIR": str(run / "prepare")},
                   check=True, timeout=120)
    started = time.monotonic()
    items, cookies = create_learners(database_url, 2 * args.users, run)
    (run / "sessions.json").write_text(json.dumps(cookies))
    print(f"{2 * args.users} learners enrolled in {len(items)} courses in {time.monotonic() - started:.1f} s")

    results = [run_once(n, args, {**env, "DEPLOY_PREPARE": "0"}, items, (n - 1) * args.users, run / f"{n}")
               for n in (1, 2)]
    arrival = "each logs in first" if args.log_in else "signed in already"
    print(f"\n{args.users} users ({arrival}, {args.think} s between pages), spawn rate {args.spawn_rate}/s, "
          f"{args.seconds} s each\n")
    print("| instances | requests | req/s | p50 ms | p95 ms | p99 ms | errors | CPU s: PostgreSQL | gunicorn "
          "| nginx | consumers | Locust | PostgreSQL share of CPU | busy PG backends (mean) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        cpu = result["cpu"]
        spent = sum(cpu[name] for name in ("postgresql", "gunicorn", "nginx", "consumers", "locust"))
        print(f"| {result['instances']} | {result['requests']} | {result['rps']:.1f} | {result['p50']} | "
              f"{result['p95']} | {result['p99']} | {result['failures']} | {cpu['postgresql']:.1f} | "
              f"{cpu['gunicorn']:.1f} | {cpu['nginx']:.1f} | {cpu['consumers']:.1f} | {cpu['locust']:.1f} | "
              f"{cpu['postgresql'] / spent:.0%} | {cpu['pg_busy_backends']:.2f} |")
    wall = results[0]["cpu"]["wall"]
    print(f"\nCPU available: {os.cpu_count()} cores x {wall:.0f} s = {os.cpu_count() * wall:.0f} s per run")
    print("\n| instances | page | requests | p50 ms | p95 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|")
    for result in results:
        for row in result["pages"]:
            print(f"| {result['instances']} | {row['Type']} {row['Name']} | {row['Request Count']} | {row['50%']} | "
                  f"{row['95%']} | {row['99%']} | {row['Failure Count']} |")
    for result in results:
        if result["failures"] or result["locust_errors"].strip():
            print(f"{result['instances']} instance(s): {result['locust_errors']}")


if __name__ == "__main__":
    main()

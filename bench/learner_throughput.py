"""Benchmark: lesson-page and quiz-submit throughput against a bare Flask "hello", same server, same run.

Both apps are served by gunicorn (2 sync workers) on 127.0.0.1. GET endpoints are loaded with wrk
(Debian package `wrk`); the quiz submit, which needs a fresh form per request, by Python threads.
Goal (issue 4): a lesson page at least half the hello throughput.

    .venv/bin/python bench/learner_throughput.py [--seconds 10] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "benchmark pass phrase"  # noqa: S105  (a throwaway account in a temporary database)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def serve(module: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", module],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{module} did not start on port {port}")


class Session:
    """One keep-alive connection with a cookie jar."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.jar: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        """The Cookie header: every cookie the server set (the session and the login's device cookie)."""
        return "; ".join(f"{name}={value}" for name, value in self.jar.items())

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for cookie in response.msg.get_all("Set-Cookie") or ():
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.jar[name] = value
        return response.status, text

    def log_in(self, email: str) -> None:
        _, page = self.request("GET", "/login")
        token = CSRF.search(page)  # none since the login form is checked by origin (decision 0037)
        status, _ = self.request("POST", "/login", {**({"csrf_token": token.group(1)} if token else {}),
                                                    "email": email, "password": PASSWORD})
        assert status == 303, status


def measure(name: str, seconds: float, clients: int, make_session, action) -> float:
    """Requests per second of `action` over `clients` threads for `seconds`."""
    counts = [0] * clients
    sessions = [make_session() for _ in range(clients)]
    deadline = time.perf_counter() + seconds

    def run(index: int) -> None:
        while time.perf_counter() < deadline:
            counts[index] += action(sessions[index])

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = sum(counts) / (time.perf_counter() - start)
    print(f"{name}: {rate:.0f} requests/s", flush=True)
    return rate


def wrk(name: str, port: int, path: str, cookie: str, args) -> float:
    """Requests per second measured by wrk (a C load generator, so the client is never the bottleneck)."""
    command = ["wrk", "-t", "2", "-c", str(args.clients), "-d", f"{args.seconds:.0f}s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            check=True).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{name}: wrk saw errors:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    print(f"{name}: {rate:.0f} requests/s (wrk)", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    from bench.content_sync import build_tree

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        courses = tmp_path / "courses"
        courses.mkdir()
        for course in ("passwords-mfa",):
            subprocess.run(["cp", "-r", str(ROOT / "courses" / course), str(courses)], check=True)
        build_tree(courses / "bench", 1, 1, 1)  # a quiz with unlimited attempts, for the submit measurement
        (courses / "bench" / "course-000").rename(courses / "bench-course")
        (courses / "bench").rmdir()
        yaml = courses / "bench-course" / "course.yaml"
        yaml.write_text(yaml.read_text().replace("id: course-000", "id: bench-course"))
        env = {**os.environ, "LEARNHUB_ENV": "testing", "LEARNHUB_INSTANCE_DIR": str(tmp_path),
               "LEARNHUB_SECRET_KEY": "benchmark-secret-key-benchmark-secret-key",
               "LEARNHUB_COURSES_DIR": str(courses), "LEARNHUB_RATELIMIT_ENABLED": "false",
               "LEARNHUB_MAIL_DIR": str(tmp_path / "mail")}
        env.pop("LEARNHUB_DATABASE_URL", None)
        learnhub = str(BIN / "learnhub")
        subprocess.run([learnhub, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([learnhub, "courses", "sync"], env=env, check=True, capture_output=True)
        for i in range(args.clients):
            subprocess.run([learnhub, "users", "create", f"bench{i}@example.org", "--country", "DO"], env=env,
                           input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        hello = serve("bench.hello:app", 5101, env)
        app = serve("wsgi:app", 5102, env)
        try:
            emails = iter(f"bench{i}@example.org" for i in range(100))

            def logged_in() -> Session:
                session = Session(5102)
                session.log_in(next(emails))
                return session

            def get(path: str):
                def action(session: Session) -> int:
                    status, _ = session.request("GET", path)
                    assert status == 200, (path, status)
                    return 1
                return action

            def submit(session: Session) -> int:
                status, page = session.request("GET", "/courses/bench-course/quizzes/quiz-00")
                assert status == 200, status
                form = {"csrf_token": CSRF.search(page).group(1), "token": TOKEN.search(page).group(1),
                        "q1": "0", "q2": "false", "q3": "017", "q4": "24"}
                status, _ = session.request("POST", "/courses/bench-course/quizzes/quiz-00", form)
                assert status == 303, status
                return 1

            reader = logged_in()
            hello_rate = wrk("hello", 5101, "/", "", args)
            lesson_rate = wrk("lesson page", 5102, "/courses/passwords-mfa/lessons/mfa-methods", reader.cookie, args)
            emails = iter(f"bench{i}@example.org" for i in range(100))
            submit_rate = measure("quiz form + submit", args.seconds, args.clients, logged_in, submit)
        finally:
            hello.terminate()
            app.terminate()
    print(f"\ngunicorn 2 sync workers, {args.clients} connections, {args.seconds:.0f} s each, SQLite")
    print("| endpoint | requests/s | ratio to hello | goal |")
    print("|---|---|---|---|")
    print(f"| hello (bare Flask) | {hello_rate:.0f} | 1.00 | |")
    print(f"| lesson page (logged in) | {lesson_rate:.0f} | {lesson_rate / hello_rate:.2f} | >= 0.50 |")
    print(f"| quiz form + graded submit (pairs/s) | {submit_rate:.0f} | {submit_rate / hello_rate:.2f} | |")


if __name__ == "__main__":
    main()

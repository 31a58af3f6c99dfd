"""Locust learners for bench/load_test.py: each starts signed in (or logs in once), then reads lessons, opens and
submits quizzes and looks at "My learning", with a few seconds' thought between pages.

The accounts (learner<N>@bench.example.org, enrolled in every course) and the course items come from
load_test.py through the environment: LEARNHUB_BENCH_FIRST (the first account number this run uses),
LEARNHUB_BENCH_PASSWORD, LEARNHUB_BENCH_ITEMS (JSON: {course: {"lessons": [...], "quizzes": [...]}}) and,
unless the run measures log-ins, LEARNHUB_BENCH_SESSIONS: a JSON file of session cookies, one per account
number, signed by load_test.py with the deployment's secret key, as a learner who logged in yesterday holds.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # Locust puts only bench/ on the path
from bench import quiz_form

CSRF = quiz_form.CSRF
ITEMS: dict = json.loads(os.environ.get("LEARNHUB_BENCH_ITEMS", "{}"))
PASSWORD = os.environ.get("LEARNHUB_BENCH_PASSWORD", "")
ACCOUNTS = itertools.count(int(os.environ.get("LEARNHUB_BENCH_FIRST", "0")))
SESSIONS: list[str] = (json.loads(open(os.environ["LEARNHUB_BENCH_SESSIONS"]).read())  # noqa: SIM115
                       if os.environ.get("LEARNHUB_BENCH_SESSIONS") else [])
THINK = tuple(float(part) for part in os.environ.get("LEARNHUB_BENCH_THINK", "1,5").split(","))
SESSION_COOKIE = os.environ.get("LEARNHUB_BENCH_SESSION_COOKIE", "learnhub")


class Learner(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        number = next(ACCOUNTS)
        if SESSIONS:
            # For the server's own host, so the cookie it sets back (with a CSRF token) replaces this one.
            self.client.cookies.set(SESSION_COOKIE, SESSIONS[number], domain=urlsplit(self.host).hostname, path="/")
            return
        email = f"learner{number}@bench.example.org"
        page = self.client.get("/login", name="/login").text
        with self.client.post("/login", data={"csrf_token": CSRF.search(page).group(1), "email": email,
                                              "password": PASSWORD}, name="/login [POST]",
                              allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 303:
                answer.failure(f"log in as {email}: {answer.status_code}")

    def _item(self, kind: str) -> tuple[str, str]:
        course = random.choice(list(ITEMS))
        return course, random.choice(ITEMS[course][kind])

    def _page(self, url: str, name: str) -> str:
        """GET a page a signed-in learner sees; a redirect to the login page is a failure, not a page."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} to {answer.headers.get('Location', '')}")
            return answer.text

    @task(6)
    def read_lesson(self) -> None:
        course, lesson = self._item("lessons")
        self._page(f"/courses/{course}/lessons/{lesson}", "/courses/[course]/lessons/[lesson]")

    @task(2)
    def take_quiz(self) -> None:
        course, quiz = self._item("quizzes")
        url = f"/courses/{course}/quizzes/{quiz}"
        page = self._page(url, "/courses/[course]/quizzes/[quiz]")
        filled = quiz_form.answers(page)
        if filled is None:  # every attempt used (three per quiz): the page shows the results only
            return
        with self.client.post(url, data=filled, name="/courses/[course]/quizzes/[quiz] [POST]",
                              allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 303:
                answer.failure(f"quiz submit: {answer.status_code}")

    @task(1)
    def my_learning(self) -> None:
        self._page("/learning", "/learning")

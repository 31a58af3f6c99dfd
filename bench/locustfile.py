"""Locust learners for bench/load_test.py: each logs in once, then reads lessons, opens and submits quizzes and
looks at "My learning", with a few seconds' thought between pages.

The accounts (learner<N>@bench.example.org, enrolled in every course) and the course items come from
load_test.py through the environment: LEARNHUB_BENCH_FIRST (the first account number this run uses),
LEARNHUB_BENCH_PASSWORD and LEARNHUB_BENCH_ITEMS (JSON: {course: {"lessons": [...], "quizzes": [...]}}).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')
CHOICE = re.compile(r'<input[^>]*type="(?:radio|checkbox)"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
ITEMS: dict = json.loads(os.environ.get("LEARNHUB_BENCH_ITEMS", "{}"))
PASSWORD = os.environ.get("LEARNHUB_BENCH_PASSWORD", "")
ACCOUNTS = itertools.count(int(os.environ.get("LEARNHUB_BENCH_FIRST", "0")))


class Learner(HttpUser):
    wait_time = between(1, 5)

    def on_start(self) -> None:
        email = f"learner{next(ACCOUNTS)}@bench.example.org"
        page = self.client.get("/login", name="/login").text
        with self.client.post("/login", data={"csrf_token": CSRF.search(page).group(1), "email": email,
                                              "password": PASSWORD}, name="/login [POST]",
                              allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 303:
                answer.failure(f"log in as {email}: {answer.status_code}")

    def _item(self, kind: str) -> tuple[str, str]:
        course = random.choice(list(ITEMS))
        return course, random.choice(ITEMS[course][kind])

    @task(6)
    def read_lesson(self) -> None:
        course, lesson = self._item("lessons")
        self.client.get(f"/courses/{course}/lessons/{lesson}", name="/courses/[course]/lessons/[lesson]")

    @task(2)
    def take_quiz(self) -> None:
        course, quiz = self._item("quizzes")
        url = f"/courses/{course}/quizzes/{quiz}"
        page = self.client.get(url, name="/courses/[course]/quizzes/[quiz]").text
        token = TOKEN.search(page)
        if token is None:  # every attempt used (three per quiz): the page shows the results only
            return
        answers: dict[str, str] = {}
        for name, value in CHOICE.findall(page):
            answers.setdefault(name, value)
        with self.client.post(url, data={"csrf_token": CSRF.search(page).group(1), "token": token.group(1), **answers},
                              name="/courses/[course]/quizzes/[quiz] [POST]", allow_redirects=False,
                              catch_response=True) as answer:
            if answer.status_code != 303:
                answer.failure(f"quiz submit: {answer.status_code}")

    @task(1)
    def my_learning(self) -> None:
        self.client.get("/learning", name="/learning")

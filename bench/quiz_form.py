"""Filling in a quiz page as the load test's learners do: one answer for every question, whatever its type
(bench/locustfile.py; tests/integration/test_bench_learner.py checks that every quiz in courses/ accepts it)."""

from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')
CHOICE = re.compile(r'<input[^>]*type="(?:radio|checkbox)"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
TEXT = re.compile(r'<(?:input type="text"|textarea)[^>]*name="([^"]+)"')
SELECT = re.compile(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')


def answers(page: str) -> dict[str, str] | None:
    """The form a learner submits for the quiz on `page` (CSRF token, form token, an answer per question), or
    None when the page offers no attempt (every attempt used)."""
    token = TOKEN.search(page)
    if token is None:
        return None
    filled: dict[str, str] = {"csrf_token": CSRF.search(page).group(1), "token": token.group(1)}
    for name, value in CHOICE.findall(page):
        filled.setdefault(name, value)
    for name in TEXT.findall(page):
        filled.setdefault(name, "42")  # a short answer, a number or an essay: any text is an answer
    for name, options in SELECT.findall(page):
        offered = OPTION.findall(options)
        if offered:
            filled.setdefault(name, offered[0])
    return filled

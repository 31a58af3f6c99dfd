"""Checks on parsed GIFT questions for mistakes the syntax allows but an author rarely means.

An unescaped `#` inside an answer starts its feedback, so `=Qu1t0#2024#Well done` shows the answer
"Qu1t0" with the feedback "2024#Well done". The sign that this happened is a feedback that opens with a
run of characters without spaces closed by another `#`: the rest of the answer, then the real feedback.
Feedback written on purpose starts with words ("Right. ..."), so it does not look like that; the run
must hold a letter or a digit, so an entity such as `&#39;` at the start of a feedback is left alone. Write `\\#`
for a `#` that belongs to the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from learnhub.content.problems import Problem
from learnhub.content.questions import Answer, Question

_REST_OF_ANSWER = re.compile(r"([^\s#]*[^\W_][^\s#]*)#")


def _answers(question: Question) -> Iterable[Answer]:
    yield from question.choices
    yield from question.accepted


def hash_in_answer_problems(questions: Iterable[Question], text: str, path: str) -> list[Problem]:
    """A warning for each answer whose feedback looks like the rest of the answer cut at a `#`."""
    lines = text.split("\n")
    problems = []
    for question in questions:
        for answer in _answers(question):
            match = _REST_OF_ANSWER.match(answer.feedback)
            if match is None:
                continue
            rest = match.group(1)
            written = f"{answer.text}#{rest}#"
            line = _line_of(lines, written, question.line)
            problems.append(Problem(path, line, "warning",
                                    f"the '#' in '{answer.text}#{rest}' ends the answer and starts its feedback, "
                                    f"so learners see the answer '{answer.text}' and a feedback starting "
                                    f"'{rest}#'; write '{answer.text}\\#{rest}' if the '#' is part of the answer"))
    return problems


def _line_of(lines: list[str], written: str, start: int) -> int:
    """The first line at or after `start` (1-based) that holds `written`, else `start`."""
    for number in range(max(start, 1), len(lines) + 1):
        if written in lines[number - 1]:
            return number
    return start

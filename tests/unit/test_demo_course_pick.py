"""The demo's share of awareness enrolments does not fall when the catalogue gains skills courses."""

from __future__ import annotations

import random
from datetime import datetime

from learnhub.services.demo_learners import KIND_WEIGHTS, CourseOutline, Generator


def outline(number: int, kind: str) -> CourseOutline:
    return CourseOutline(id=f"{kind}-{number}", kind=kind, title={"en": kind}, minutes=10, revision="r",
                         languages=("en",), certificate=True, items=())


def awareness_share(awareness: int, skills: int, draws: int = 20_000) -> float:
    courses = [outline(n, "awareness") for n in range(awareness)] + [outline(n, "skills") for n in range(skills)]
    pick = Generator(courses, datetime(2026, 1, 1), datetime(2026, 12, 31)).course_pick[False]
    rng = random.Random(7)
    return sum(courses[pick(rng.random())].kind == "awareness" for _ in range(draws)) / draws


def test_a_kinds_weight_is_shared_among_its_courses():
    expected = KIND_WEIGHTS["awareness"] / sum(KIND_WEIGHTS.values())  # 5 / 6
    for awareness, skills in ((3, 3), (4, 6), (1, 9)):
        assert abs(awareness_share(awareness, skills) - expected) < 0.02, (awareness, skills)

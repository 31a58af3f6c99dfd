"""A question type is one class in learnhub/content/qtypes plus its template partial: nothing else in learnhub/
compares a question's type with a type's name, and every registered type provides all a type must (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from learnhub.content.qtypes import QUESTION_TYPES, TYPES
from learnhub.content.qtypes.base import QuestionType

PACKAGE = Path(__file__).resolve().parents[2] / "learnhub"
TYPE_HOMES = (PACKAGE / "content" / "qtypes", PACKAGE / "templates" / "questions")
NOT_ABOUT_QUESTIONS = (PACKAGE / "web" / "api" / "openapi.py",)  # OpenAPI's own "description" keys
NAMES = "|".join(re.escape(name) for name in QUESTION_TYPES)
QUOTED = rf"""["'](?:{NAMES})["']"""
# A quoted type name compared (==, !=), tested for membership (in/not in a literal) or used as a dict key
# mapping to code: the ways code branches on a type.
BRANCHING = re.compile(
    rf"""(?:==|!=)\s*{QUOTED}|{QUOTED}\s*(?:==|!=)|\bin\s*[(\[{{][^)\]}}]*{QUOTED}|{QUOTED}\s*:\s*[\w(]"""
)


def branching_lines(root: Path) -> list[str]:
    """Every line of learnhub/ (outside the type modules and partials) that branches on a type's name."""
    found = []
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.html")]):
        if any(path.is_relative_to(home) for home in TYPE_HOMES) or path in NOT_ABOUT_QUESTIONS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if BRANCHING.search(line):
                found.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()}")
    return found


def test_nothing_outside_the_type_modules_branches_on_a_type_name():
    assert branching_lines(PACKAGE) == []


@pytest.mark.parametrize(
    "line",
    [
        'if question.type == "essay":',
        "if q.type != 'description' %}",
        'if question.type in ("short", "numeric"):',
        '{% elif q.type == "matching" %}',
        '_DISTRIBUTIONS = {"choice": _single_choice}',
        'if "multi" == kind:',
        "elif question.type in ['choice']:",
    ],
)
def test_the_check_finds_the_branching_it_forbids(tmp_path, line):
    (tmp_path / "learnhub").mkdir()
    (tmp_path / "learnhub" / "module.py").write_text(f"x = 1\n{line}\n")
    assert branching_lines(tmp_path / "learnhub") == [f"learnhub/module.py:2: {line.strip()}"]


def test_naming_a_type_without_branching_on_it_is_fine(tmp_path):
    (tmp_path / "learnhub").mkdir()
    (tmp_path / "learnhub" / "module.py").write_text(
        'digest = opaque("choice", index)\nkind = QUESTION_TYPES["short"]\nif original.type != question.type:\n')
    assert branching_lines(tmp_path / "learnhub") == []


@pytest.mark.parametrize("kind", TYPES, ids=lambda kind: kind.name)
def test_every_type_is_registered_once_with_its_partial_and_its_gift_reader(kind):
    assert QUESTION_TYPES[kind.name] is kind
    assert (PACKAGE / "templates" / kind.template).is_file()
    assert type(kind).claims is not QuestionType.claims
    assert kind.name and kind.__module__.startswith("learnhub.content.qtypes.")


def test_gift_tries_the_types_in_moodles_order_and_short_answer_takes_the_rest():
    assert [kind.name for kind in TYPES] == [
        "description", "essay", "numeric", "choice", "multi", "matching", "truefalse", "short"]

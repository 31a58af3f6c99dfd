"""Grading rules of a whole quiz: the mean over auto-graded questions, essays awaiting marking."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from learnhub.content.gift import parse_gift
from learnhub.services.grading import arrange, grade, read_response

QUIZ = """::intro:: Read the scenario first.

::choice:: Which is right? {=right ~wrong ~%50%half}

::multi:: Pick two {~%50%a ~%50%b ~%-100%c}

::tf:: True? {T}

::match:: Match {=one -> 1 =two -> 2 =three -> 3}

::essay:: Explain {}
"""


def questions():
    return parse_gift(QUIZ, "quiz.gift")[0]


def test_the_same_seed_gives_the_same_order_and_shuffle_changes_it():
    first, again = arrange(questions(), True, 42), arrange(questions(), True, 42)
    assert [s.question.id for s in first] == [s.question.id for s in again]
    assert [s.order for s in first] == [s.order for s in again]
    plain = arrange(questions(), False, 42)
    assert [s.question.id for s in plain] == ["intro", "choice", "multi", "tf", "match", "essay"]
    orders = {tuple(s.question.id for s in arrange(questions(), True, seed)) for seed in range(20)}
    assert len(orders) > 1


def test_mean_over_auto_graded_questions_and_essays_wait():
    shown = arrange(questions(), False, 1)
    result = grade(shown, {"choice": 2, "multi": [0, 1], "tf": False, "match": {"0": "1", "1": "2", "2": "1"},
                           "essay": "text"})
    assert result.scores == {"choice": 0.5, "multi": 1.0, "tf": 0.0, "match": 2 / 3, "essay": None}
    assert result.score == round(100 * (0.5 + 1 + 0 + 2 / 3) / 4, 2)
    assert result.awaiting_marking == 1


def test_responses_are_read_from_the_form_in_the_shape_scoring_expects():
    shown = {s.question.id: s for s in arrange(questions(), False, 1)}
    match = shown["match"]
    form = MultiDict([(shown["choice"].field, "0"), (shown["multi"].field, "1"), (shown["multi"].field, "x"),
                      (shown["tf"].field, "true"), (f"{match.field}-0", str(match.offered.index("1"))),
                      (f"{match.field}-1", "99"), (shown["essay"].field, "x" * 20_000)])
    assert read_response(shown["choice"], form) == 0
    assert read_response(shown["multi"], form) == [1]
    assert read_response(shown["tf"], form) is True
    assert read_response(match, form) == {"0": "1"}
    assert len(read_response(shown["essay"], form)) == 10_000
    assert read_response(shown["choice"], MultiDict()) is None

"""Grading rules of a whole quiz: the mean over auto-graded questions, essays awaiting marking; the
opaque option values of a form and how the grader maps them back to the author's indexes."""

from __future__ import annotations

import re
import secrets

import pytest
from werkzeug.datastructures import MultiDict

from learnhub.content.gift import parse_gift
from learnhub.services.grading import arrange, form_key, grade, read_response

SECRET = "test-secret-key-that-is-long-enough-for-tests"

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


def key_for(nonce: str | None = None, secret: str = SECRET) -> bytes:
    return form_key(secret, {"l": 7, "i": 3, "n": nonce or secrets.token_urlsafe(12)})


def shown_by_id(key: bytes, shuffle: bool = False, seed: int = 1) -> dict:
    return {s.question.id: s for s in arrange(questions(), shuffle, seed, key)}


def test_responses_are_read_from_the_form_in_the_shape_scoring_expects():
    shown = shown_by_id(key_for())
    match = shown["match"]
    form = MultiDict([(shown["choice"].field, shown["choice"].choice_values[0]),
                      (shown["multi"].field, shown["multi"].choice_values[1]), (shown["multi"].field, "x"),
                      (shown["tf"].field, "true"), (f"{match.field}-0", match.offered_values[match.offered.index("1")]),
                      (f"{match.field}-1", "99"), (shown["essay"].field, "x" * 20_000)])
    assert read_response(shown["choice"], form) == 0
    assert read_response(shown["multi"], form) == [1]
    assert read_response(shown["tf"], form) is True
    assert read_response(match, form) == {"0": "1"}
    assert len(read_response(shown["essay"], form)) == 10_000
    assert read_response(shown["choice"], MultiDict()) is None


def test_option_values_map_back_to_the_authors_indexes_and_answers():
    shown = shown_by_id(key_for(), shuffle=True, seed=5)
    for question in (shown["choice"], shown["multi"]):
        assert [question.choice_index(v) for v in question.choice_values] == [0, 1, 2]
    match = shown["match"]
    assert [match.offered_answer(v) for v in match.offered_values] == list(match.offered)
    # The same nonce and secret (a retry, a resend after an expired CSRF token, the grader) give the same values.
    first, again = (shown_by_id(key_for(nonce="same-nonce"), shuffle=True, seed=5) for _ in range(2))
    assert [(s.choice_values, s.offered_values) for s in first.values()] == [
        (s.choice_values, s.offered_values) for s in again.values()]
    assert first["choice"].choice_values != shown["choice"].choice_values  # another form, other values


@pytest.mark.parametrize("value", ["0", "1", "2", "", " ", "right", "x" * 5000, "٣"])
def test_old_index_values_and_unknown_values_are_no_answer(value):
    shown = shown_by_id(key_for())
    match = shown["match"]
    form = MultiDict([(shown["choice"].field, value), (shown["multi"].field, value), (f"{match.field}-0", value),
                      (f"{match.field}-1", value), (f"{match.field}-2", value)])
    assert read_response(shown["choice"], form) is None
    assert read_response(shown["multi"], form) == []
    assert read_response(match, form) == {}
    assert grade(tuple(shown.values()), {k: read_response(s, form) for k, s in shown.items()}).scores["choice"] == 0


def test_tampered_values_and_values_of_another_form_are_no_answer():
    shown, other = shown_by_id(key_for()), shown_by_id(key_for())
    right = shown["choice"].choice_values[0]
    tampered = [right[:-1] + ("A" if right[-1] != "A" else "B"), right.upper() if right != right.upper() else
                right.lower(), right + "=", right[:-1], other["choice"].choice_values[0]]
    for value in tampered:
        assert read_response(shown["choice"], MultiDict([(shown["choice"].field, value)])) is None, value
    assert read_response(shown["choice"], MultiDict([(shown["choice"].field, right)])) == 0
    # Another secret key with the same nonce gives other values too.
    foreign = shown_by_id(key_for(nonce="n", secret="another-secret-key-of-some-length"))
    assert set(foreign["choice"].choice_values).isdisjoint(shown_by_id(key_for(nonce="n"))["choice"].choice_values)


def test_option_values_reveal_neither_index_nor_text_nor_order():
    values_of_the_right_choice = set()
    for _ in range(200):
        shown = shown_by_id(key_for(), shuffle=True, seed=secrets.randbits(32))
        choice, match = shown["choice"], shown["match"]
        values = choice.choice_values + shown["multi"].choice_values + match.offered_values
        assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", v) for v in values), values
        assert len(set(choice.choice_values)) == 3 and len(set(match.offered_values)) == len(match.offered)
        texts = {c.text for c in choice.question.choices} | set(match.offered)
        assert not set(values) & (texts | {str(i) for i in range(10)})
        values_of_the_right_choice.add(choice.choice_values[0])
    assert len(values_of_the_right_choice) == 200  # a new value on every form: nothing to learn from one


def test_a_question_without_a_form_key_has_no_values_to_leak():
    shown = shown_by_id(b"")
    with pytest.raises(LookupError):
        _ = shown["choice"].choice_values

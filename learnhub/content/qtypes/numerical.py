"""Numerical: the learner types a number; the first answer whose range holds it, in the author's order, gives
the score and the feedback, as Moodle's numerical question grades it.

GIFT: an answer block starting with ``#``: ``{#3.14:0.01}``, ``{#1..5}``, or several answers marked with
``=`` (text before the first ``=`` is one too), each with an optional ``%weight%`` and ``#feedback``. As
Moodle reads it, the first ``~`` starts the catch-all: an answer for every other number, worth nothing,
whose ``#feedback`` runs to the closing brace (Moodle's exporter writes it as ``~#feedback``). Moodle
ignores anything between that ``~`` and its ``#`` and swallows later answers into the feedback, so LearnHub
refuses both, and warns that a weight there is ignored.

Numbers compare as exact decimals (3.13 lies in 3.14±0.01); a learner may type "3,14". LearnHub refuses
what Moodle accepts and reads oddly: a reversed range (Moodle swaps its ends), a text that is no number
(Moodle's importer then accepts any answer). Legacy-rules questions give the best weight among the ranges
holding the number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from learnhub.content.answers import NumericAnswer
from learnhub.content.decimals import NUMBER, exact, read_number
from learnhub.content.gift_answers import AnswerBlock, Part
from learnhub.content.gift_source import GiftSyntaxError, snippet
from learnhub.content.gift_text import GiftWriteError, PartWriter, number, weight
from learnhub.content.qtypes.base import (
    LEGACY_RULES,
    Distribution,
    QuestionType,
    TextMap,
    clamp,
    get_text,
    typed_distribution,
)


class Numerical(QuestionType):
    name = "numeric"
    fields = ("numbers",)
    template = "questions/numeric.html"
    gift_opening = "#"

    def check(self, question: Any) -> list[str]:
        if max((n.weight for n in question.numbers), default=0.0) < 1:
            return ["numerical question has no answer worth 100%"]
        return []

    def map_texts(self, question: Any, m: TextMap) -> dict[str, Any]:
        return {"numbers": tuple(_replace_feedback(n, m(n.feedback, f"numbers.{i}.feedback"))
                                 for i, n in enumerate(question.numbers))}

    # --- GIFT --------------------------------------------------------------------------------------------

    def claims(self, answers: AnswerBlock) -> bool:
        return answers.starts_with("#")

    def read_gift(self, answers: AnswerBlock) -> dict[str, Any]:
        block = answers.block
        assert block is not None
        start, line = answers.start + 1, answers.line_at(answers.start)
        other = block.find("~", start, answers.end)
        end = answers.end if other == -1 else other
        if block.skip_space(start, end) == end:
            raise answers.error(line, "expected a number after '#'")
        result = []
        for index, part in enumerate(answers.parts(start, end)):
            if not part.text:
                raise answers.error(part.line, f"empty answer after '{part.marker or '#'}'")
            low, high, value = _read_range(part.text, part.line)
            answers.note(f"numbers.{index}.feedback", part.feedback_format, part.feedback_line)
            fraction = float(1 if part.weight is None else part.weight)
            result.append(NumericAnswer(low, high, fraction, part.feedback or "", value))
        if other != -1:
            result.append(self._read_catch_all(answers, other, len(result)))
        return {"numbers": tuple(result)}

    def _read_catch_all(self, answers: AnswerBlock, at: int, index: int) -> NumericAnswer:
        """The ``~`` answer for every other number, from ``at`` to the end of the block."""
        block = answers.block
        assert block is not None
        line = block.line_at(at)
        later = next((i for i in range(at + 1, answers.end) if block.marks[i] in "=~"), -1)
        if later != -1:
            raise answers.error(
                block.line_at(later),
                f"unexpected '{block.marks[later]}' after the catch-all '~' of a numerical question (Moodle reads "
                "the rest of the block as its feedback); put the '~' answer last, or write "
                f"'\\{block.marks[later]}'",
            )
        part: Part = answers.read_part("~", at + 1, answers.end)
        if part.text:
            raise answers.error(
                part.line,
                f"a '~' answer of a numerical question catches every other number, so Moodle ignores "
                f"'{snippet(part.text)}'; write '=%0%{snippet(part.text)}' for a range worth nothing, or "
                "'~#feedback' for what every other number gets",
            )
        if part.weight:
            answers.warn(line, f"the catch-all '~' of a numerical question earns nothing in Moodle; "
                               f"its weight {weight(float(part.weight))}% is ignored")
        answers.note(f"numbers.{index}.feedback", part.feedback_format, part.feedback_line)
        return NumericAnswer(0.0, 0.0, 0.0, part.feedback or "", None, catch_all=True)

    def write_gift(self, question: Any, out: PartWriter) -> list[str] | None:
        lines = []
        for index, answer in enumerate(question.numbers):
            feedback = out.feedback(f"numbers.{index}.feedback", answer.feedback)
            if answer.catch_all:
                if index != len(question.numbers) - 1:
                    raise GiftWriteError(f"the catch-all answer of question '{question.id}' is not its last")
                lines.append("~" + (feedback or "#"))
                continue
            lines.append(("=" if answer.weight == 1 else f"=%{weight(answer.weight)}%") + _range(answer) + feedback)
        return lines

    # --- the form, grading, review, statistics -----------------------------------------------------------

    def read_response(self, shown: Any, form: Any) -> Any:
        return get_text(form, shown.field)

    def matching_answer(self, question: Any, response: Any) -> NumericAnswer | None:
        """The answer that grades ``response``, or None (also for anything that is not a number)."""
        typed = read_number(response)
        if typed is None:
            return None
        holding = [n for n in question.numbers if n.contains(typed)]
        if question.rules == LEGACY_RULES:
            return max(holding, key=lambda n: n.weight, default=None)
        return holding[0] if holding else None

    def score(self, question: Any, response: Any) -> float:
        answer = self.matching_answer(question, response)
        if answer is None:
            return 0.0
        return clamp(answer.weight, 0.0 if question.rules == LEGACY_RULES else -1.0)

    def feedback(self, question: Any, response: Any) -> list[str]:
        answer = self.matching_answer(question, response)
        return [answer.feedback] if answer is not None and answer.feedback else []

    def right_answer(self, question: Any) -> Any:
        """The first numerical answer worth the most (its value and tolerance, or its range)."""
        answers = [n for n in question.numbers if not n.catch_all]
        best = max((n.weight for n in answers), default=0)
        return next((n for n in answers if n.weight == best and best > 0), None)

    def distribution(self, question: Any, responses: Sequence[Any]) -> Distribution:
        """The most frequent answers as typed (trimmed)."""
        return typed_distribution(responses, str.strip)


def _replace_feedback(answer: NumericAnswer, feedback: str) -> NumericAnswer:
    return NumericAnswer(answer.low, answer.high, answer.weight, feedback, answer.value, answer.catch_all)


def _range(answer: NumericAnswer) -> str:
    """``value``, ``value:tolerance`` or ``low..high``, exactly as the answer holds them (a range that floats
    cannot centre on its value is written as ``low..high``)."""
    if answer.value is None:
        return f"{number(answer.low)}..{number(answer.high)}"
    tolerance = exact(answer.high) - exact(answer.value)
    if exact(answer.value) - tolerance != exact(answer.low):  # beyond a float's 15 digits: the same range
        return f"{number(answer.low)}..{number(answer.high)}"
    return number(answer.value) if tolerance == 0 else f"{number(answer.value)}:{number(float(tolerance))}"


def _read_range(written: str, line: int) -> tuple[float, float, float | None]:
    """(low, high, stated value) of ``value``, ``value:tolerance`` or ``low..high``."""
    if ".." in written:
        low_text, high_text = written.split("..", 1)
        low, high = _number(low_text, written, line), _number(high_text, written, line)
        if low > high:
            raise GiftSyntaxError(line, f"numerical range '{snippet(written)}' has its low end above its high end")
        return _finite(low, written, line), _finite(high, written, line), None
    value_text, colon, tolerance_text = written.partition(":")
    value = _number(value_text, written, line)
    tolerance = _number(tolerance_text, written, line) if colon else Decimal(0)
    if tolerance < 0:
        raise GiftSyntaxError(line, f"numerical tolerance in '{snippet(written)}' is negative")
    return (
        _finite(value - tolerance, written, line),
        _finite(value + tolerance, written, line),
        _finite(value, written, line),
    )


def _number(text: str, written: str, line: int) -> Decimal:
    """A number of a numerical answer; its size is checked so later arithmetic cannot overflow."""
    text = text.strip()
    if not NUMBER.fullmatch(text) or not math.isfinite(float(text)):
        raise GiftSyntaxError(line, f"numerical answer '{snippet(written)}' is not a number")
    return Decimal(text)


def _finite(value: Decimal, written: str, line: int) -> float:
    """``value`` as a float, refused when a float cannot hold it."""
    result = float(value)
    if not math.isfinite(result):
        raise GiftSyntaxError(line, f"numerical answer '{snippet(written)}' is out of range")
    return result

"""Single choice: radio buttons; the chosen choice's weight is the score.

GIFT: an answer block with a ``~`` and an ``=`` answer (Moodle's rule: a block with ``~`` is a multiple
choice question, and one with an ``=`` answer takes a single answer). An ``=`` answer is worth 100%;
a ``~`` answer nothing, or its ``%weight%``. Moodle ignores a weight written after ``=`` (it reads
``=%50%x`` as the text "%50%x" worth 100%), so LearnHub refuses one.

Scoring as Moodle grades a single answer: the chosen weight, negative ones included (-1..1); the quiz
total is what keeps a learner's score from going below zero (decision 0040). Questions graded by the
legacy rules scored a negative weight as 0.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from learnhub.content.answers import Answer
from learnhub.content.gift_answers import AnswerBlock
from learnhub.content.gift_text import GiftWriteError, PartWriter, weight
from learnhub.content.qtypes.base import (
    LEGACY_RULES,
    NO_ANSWER,
    Distribution,
    QuestionType,
    TextMap,
    clamp,
    is_index,
)


class SingleChoice(QuestionType):
    name = "choice"
    fields = ("choices",)
    template = "questions/choice.html"

    def check(self, question: Any) -> list[str]:
        if len(question.choices) < 2:
            return ["multiple choice question needs at least two choices"]
        return []

    def map_texts(self, question: Any, m: TextMap) -> dict[str, Any]:
        return {"choices": tuple(
            Answer(m(c.text, f"choices.{i}.text"), c.weight, m(c.feedback, f"choices.{i}.feedback"))
            for i, c in enumerate(question.choices))}

    # --- GIFT --------------------------------------------------------------------------------------------

    def claims(self, answers: AnswerBlock) -> bool:
        return answers.has("~") and answers.has("=")

    def read_gift(self, answers: AnswerBlock) -> dict[str, Any]:
        choices = []
        for index, part in enumerate(answers.parts()):
            if not part.text:
                raise answers.error(part.line, f"empty answer after '{part.marker or '~'}'")
            if part.marker == "=" and part.weight is not None:
                raise answers.error(
                    part.line,
                    f"Moodle gives an '=' answer 100% and reads '%{weight(float(part.weight))}%' as its text; "
                    f"write '~%{weight(float(part.weight))}%' for part of the marks",
                )
            default = 1 if part.marker == "=" else 0
            answers.note(f"choices.{index}.text", part.text_format, part.text_line)
            answers.note(f"choices.{index}.feedback", part.feedback_format, part.feedback_line)
            fraction = float(default if part.weight is None else part.weight)
            choices.append(Answer(part.text, fraction, part.feedback or ""))
        return {"choices": tuple(choices)}

    def write_gift(self, question: Any, out: PartWriter) -> list[str] | None:
        if not any(c.weight == 1 for c in question.choices):
            raise GiftWriteError(f"single choice question '{question.id}' has no answer worth 100%")
        if all(c.weight == 1 for c in question.choices):  # only '=' answers read back as a short answer
            raise GiftWriteError(f"single choice question '{question.id}' has no answer below 100%")
        lines = []
        for index, choice in enumerate(question.choices):
            key = f"choices.{index}.text"
            if choice.weight == 1:
                line = "=" + out.part(key, choice.text, weight_may_follow=True)
            elif choice.weight == 0:
                line = "~" + out.part(key, choice.text, weight_may_follow=True)
            else:
                line = f"~%{weight(choice.weight)}%" + out.part(key, choice.text)
            lines.append(line + out.feedback(f"choices.{index}.feedback", choice.feedback))
        return lines

    # --- the form ----------------------------------------------------------------------------------------

    def arrange(self, question: Any, rng: random.Random, shuffle: bool) -> tuple[tuple[int, ...], tuple[str, ...]]:
        order = list(range(len(question.choices)))
        if shuffle:
            rng.shuffle(order)
        return tuple(order), ()

    def read_response(self, shown: Any, form: Any) -> Any:
        return shown.choice_index(form.get(shown.field, ""))

    # --- grading and review ------------------------------------------------------------------------------

    def score(self, question: Any, response: Any) -> float:
        if not is_index(response, len(question.choices)):
            return 0.0
        return clamp(question.choices[response].weight, 0.0 if question.rules == LEGACY_RULES else -1.0)

    def feedback(self, question: Any, response: Any) -> list[str]:
        if not is_index(response, len(question.choices)):
            return []
        return [question.choices[response].feedback] if question.choices[response].feedback else []

    def right_answer(self, question: Any) -> frozenset[int]:
        """The best choices (those worth the most; 100% in any quiz that validates)."""
        best = max((c.weight for c in question.choices), default=0)
        return frozenset(i for i, c in enumerate(question.choices) if c.weight == best and best > 0)

    # --- statistics --------------------------------------------------------------------------------------

    def distribution(self, question: Any, responses: Sequence[Any]) -> Distribution:
        """Every choice in the author's order, zeros included, then ``(no answer)``."""
        counts = [0] * len(question.choices)
        unanswered = 0
        for response in responses:
            picked = self.counted(question, response)
            for index in picked:
                counts[index] += 1
            unanswered += not picked
        labelled = ((choice.text, n) for choice, n in zip(question.choices, counts, strict=True))
        return (*labelled, (NO_ANSWER, unanswered))

    def counted(self, question: Any, response: Any) -> set[int]:
        """The choices a stored response picked, for the distribution."""
        return {response} if is_index(response, len(question.choices)) else set()

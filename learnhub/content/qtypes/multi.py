"""Multiple answers: check boxes; the sum of the chosen choices' weights, clamped to 0..1, as Moodle grades it.

GIFT: an answer block with a ``~`` and no ``=`` answer, as Moodle decides, so ``{~%100%yellow ~%-50%red}``
gives check boxes. The positive weights must add up to 100% (Moodle refuses the question otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from learnhub.content.decimals import exact, percent
from learnhub.content.gift_answers import AnswerBlock
from learnhub.content.gift_text import PartWriter, weight
from learnhub.content.qtypes.base import clamp, is_index
from learnhub.content.qtypes.choice import SingleChoice

# Positive weights within 0.001% of 100% add up to 100% (three times 33.33333% is 99.99999%).
_FULL_MARKS_SLACK = Decimal("0.00001")


class MultiChoice(SingleChoice):
    name = "multi"
    template = "questions/multi.html"

    def check(self, question: Any) -> list[str]:
        if len(question.choices) < 2:
            return ["multiple choice question needs at least two choices"]
        total = sum((exact(c.weight) for c in question.choices if c.weight > 0), Decimal(0))
        if abs(total - 1) > _FULL_MARKS_SLACK:
            return [f"the right answers of a multiple-answer question add up to {percent(total)}, not 100%"]
        return []

    def claims(self, answers: AnswerBlock) -> bool:
        return answers.has("~") and not answers.has("=")

    def write_gift(self, question: Any, out: PartWriter) -> list[str] | None:
        lines = []
        for index, choice in enumerate(question.choices):
            key = f"choices.{index}.text"
            if choice.weight == 0:
                line = "~" + out.part(key, choice.text, weight_may_follow=True)
            else:
                line = f"~%{weight(choice.weight)}%" + out.part(key, choice.text)
            lines.append(line + out.feedback(f"choices.{index}.feedback", choice.feedback))
        return lines

    def read_response(self, shown: Any, form: Any) -> Any:
        return sorted({index for v in form.getlist(shown.field) if (index := shown.choice_index(v)) is not None})

    def score(self, question: Any, response: Any) -> float:
        chosen = self.chosen(question, response)
        if chosen is None:
            return 0.0
        return clamp(float(sum((exact(question.choices[i].weight) for i in chosen), Decimal(0))))

    def feedback(self, question: Any, response: Any) -> list[str]:
        chosen = self.counted(question, response)
        return [question.choices[i].feedback for i in sorted(chosen) if question.choices[i].feedback]

    def right_answer(self, question: Any) -> frozenset[int]:
        """Every choice that earns marks: together they make 100%."""
        return frozenset(i for i, c in enumerate(question.choices) if c.weight > 0)

    def counted(self, question: Any, response: Any) -> set[int]:
        return self.chosen(question, response, lenient=True) or set()

    def chosen(self, question: Any, response: Any, lenient: bool = False) -> set[int] | None:
        """The choices a response picked; None when it is malformed (not an iterable of indexes). With
        ``lenient``, indexes that are out of range are left out instead."""
        if isinstance(response, str | bytes | Mapping) or response is None:
            return None
        chosen: set[int] = set()
        try:
            for index in response:
                if is_index(index, len(question.choices)):
                    chosen.add(index)
                elif not lenient:
                    return None
        except TypeError:
            return None
        return chosen

"""Description: text between questions, which learners read and do not answer; never scored.

GIFT: a question without braces.
"""

from __future__ import annotations

from typing import Any

from learnhub.content.gift_answers import AnswerBlock
from learnhub.content.gift_text import PartWriter
from learnhub.content.qtypes.base import QuestionType


class Description(QuestionType):
    name = "description"
    auto_graded = False
    answered = False
    template = "questions/description.html"

    def claims(self, answers: AnswerBlock) -> bool:
        return not answers.exists

    def write_gift(self, question: Any, out: PartWriter) -> list[str] | None:
        return None

"""Essay: the learner writes a text; a trainer marks it, and it counts once marked.

GIFT: an empty answer block, ``{}``, optionally holding the general feedback (``{####model answer}``).
"""

from __future__ import annotations

from typing import Any

from learnhub.content.gift_answers import AnswerBlock
from learnhub.content.qtypes.base import QuestionType, get_text


class Essay(QuestionType):
    name = "essay"
    auto_graded = False
    awaits_marking = True
    own_words = True
    template = "questions/essay.html"

    def claims(self, answers: AnswerBlock) -> bool:
        return answers.exists and answers.empty

    def read_response(self, shown: Any, form: Any) -> Any:
        return get_text(form, shown.field)

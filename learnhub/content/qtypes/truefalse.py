"""True/false: full marks for the right truth value, nothing otherwise.

GIFT: ``{T}``, ``{TRUE}``, ``{F}`` or ``{FALSE}``, then ``#feedback for a wrong answer#feedback for a right
one``. Moodle knows these letters in capitals only and reads ``{true}`` as a short answer whose answer is
"true"; LearnHub refuses the lower case instead of asking learners to type the word. Moodle reads a third
``#`` as part of the second feedback; LearnHub refuses it (write ``\\#``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from learnhub.content.gift_answers import AnswerBlock, read_format
from learnhub.content.gift_text import PartWriter
from learnhub.content.qtypes.base import NO_ANSWER, Distribution, QuestionType, TextMap

_LETTERS = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class TrueFalse(QuestionType):
    name = "truefalse"
    fields = ("truth", "feedback_wrong", "feedback_right")
    template = "questions/truefalse.html"

    def validate(self, question: Any) -> None:
        if not isinstance(question.truth, bool):
            raise ValueError("a truefalse question needs truth set to True or False")

    def map_texts(self, question: Any, m: TextMap) -> dict[str, Any]:
        return {"feedback_wrong": m(question.feedback_wrong, "feedback_wrong"),
                "feedback_right": m(question.feedback_right, "feedback_right")}

    # --- GIFT --------------------------------------------------------------------------------------------

    def claims(self, answers: AnswerBlock) -> bool:
        return answers.head().upper() in _LETTERS

    def read_gift(self, answers: AnswerBlock) -> dict[str, Any]:
        head = answers.head()
        if head not in _LETTERS:
            raise answers.error(
                answers.line_at(answers.start),
                f"write '{{{head.upper()}}}' in capitals: Moodle reads '{{{head}}}' as a short answer",
            )
        block = answers.block
        assert block is not None
        feedbacks: dict[str, str] = {}
        hash_at = block.find("#", answers.start, answers.end)
        for key in ("feedback_wrong", "feedback_right"):
            if hash_at == -1:
                break
            following = block.find("#", hash_at + 1, answers.end)
            end = answers.end if following == -1 else following
            text_format, start = read_format(block, hash_at + 1, end)
            answers.note(key, text_format, block.line_at(block.skip_space(start, end)))
            feedbacks[key] = block.text[start:end].strip()
            hash_at = following
        if hash_at != -1:
            raise answers.error(
                block.line_at(hash_at), "expected at most two feedbacks after a true/false answer ('#wrong#right')"
            )
        return {"truth": _LETTERS[head], **feedbacks}

    def write_gift(self, question: Any, out: PartWriter) -> list[str] | None:
        line = "TRUE" if question.truth else "FALSE"
        if question.feedback_wrong or question.feedback_right:
            line += "#" + out.part("feedback_wrong", question.feedback_wrong)
        if question.feedback_right:
            line += "#" + out.part("feedback_right", question.feedback_right)
        return [line]

    # --- the form, grading, review, statistics -----------------------------------------------------------

    def read_response(self, shown: Any, form: Any) -> Any:
        return {"true": True, "false": False}.get(form.get(shown.field, ""))

    def score(self, question: Any, response: Any) -> float:
        return 1.0 if isinstance(response, bool) and response == question.truth else 0.0

    def feedback(self, question: Any, response: Any) -> list[str]:
        if not isinstance(response, bool):
            return []
        text = question.feedback_right if response == question.truth else question.feedback_wrong
        return [text] if text else []

    def right_answer(self, question: Any) -> bool:
        return bool(question.truth)

    def distribution(self, question: Any, responses: Sequence[Any]) -> Distribution:
        """True, False, then ``(no answer)``."""
        said_true = sum(1 for response in responses if response is True)
        said_false = sum(1 for response in responses if response is False)
        return ("True", said_true), ("False", said_false), (NO_ANSWER, len(responses) - said_true - said_false)

"""Short answer: the learner types a text; the first accepted answer it matches, in the author's order, gives
the score and the feedback, as Moodle's short-answer question grades it.

GIFT: every answer block no other type claims, so ``{=no one =nobody}``, ``{One}`` and ``{One =Two}`` (text
before the first ``=`` is an answer too). Each answer is worth 100% unless it has a ``%weight%``; Moodle
drops a ``[format]`` marker before an answer's text, and so does LearnHub.

Matching (Moodle's ``compare_string_with_wildcard``): both sides in Unicode NFC, the response trimmed,
case ignored; inner spaces count as typed. ``*`` in an answer stands for any run of characters (``*ing``,
or ``*`` alone as a catch-all after the right answers); ``\\*`` is a literal star. Questions graded by the
legacy rules compare as LearnHub did before: inner spaces collapsed, ``*`` literal, best weight wins, and
a negative weight scores 0 (Moodle, and the current rules, keep it: -1..1).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from learnhub.content.answers import Answer
from learnhub.content.gift_answers import AnswerBlock
from learnhub.content.gift_text import GiftWriteError, PartWriter, weight
from learnhub.content.qtypes.base import (
    LEGACY_RULES,
    Distribution,
    QuestionType,
    TextMap,
    clamp,
    get_text,
    typed_distribution,
)

_STARS = re.compile(r"(?<!\\)\*+")


def normalise_short_answer(text: str) -> str:
    """The legacy comparison form: trimmed, inner whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


def matches(response: str, answer: str) -> bool:
    """Whether a typed ``response`` matches the accepted ``answer`` as Moodle compares them.

    The answer is cut at unescaped runs of ``*``; the pieces must appear in the response in order, the
    first at its start and the last at its end. Each piece is found at its leftmost place, which for a
    pattern of literals and stars decides the match exactly, in time linear in the pieces' searches (no
    regular expression that a hostile response could make backtrack).
    """
    text = unicodedata.normalize("NFC", response).strip()
    pieces = [_literal(piece) for piece in _STARS.split(unicodedata.normalize("NFC", answer))]
    if len(pieces) == 1:
        return _same(text, pieces[0])
    first, *middle, last = pieces
    if len(first) + len(last) > len(text) or not (_same(text[: len(first)], first)
                                                  and _same(text[len(text) - len(last):], last)):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = _find(text, piece, position, end)
        if found == -1:
            return False
        position = found + len(piece)
    return True


def _literal(piece: str) -> str:
    return piece.replace("\\*", "*")


def _same(a: str, b: str) -> bool:
    """Equal ignoring case as a regular expression's case-insensitive match does (one character for one)."""
    return len(a) == len(b) and re.fullmatch(re.escape(b), a, re.IGNORECASE) is not None


def _find(text: str, piece: str, start: int, end: int) -> int:
    if not piece:
        return start
    found = re.compile(re.escape(piece), re.IGNORECASE).search(text, start, end)
    return -1 if found is None else found.start()


class ShortAnswer(QuestionType):
    name = "short"
    fields = ("accepted",)
    template = "questions/short.html"

    def check(self, question: Any) -> list[str]:
        if max((a.weight for a in question.accepted), default=0.0) < 1:
            return ["short-answer question has no answer worth 100%"]
        return []

    def map_texts(self, question: Any, m: TextMap) -> dict[str, Any]:
        """The accepted answers are compared with what the learner types, so only their feedback maps."""
        return {"accepted": tuple(Answer(a.text, a.weight, m(a.feedback, f"accepted.{i}.feedback"))
                                  for i, a in enumerate(question.accepted))}

    # --- GIFT --------------------------------------------------------------------------------------------

    def claims(self, answers: AnswerBlock) -> bool:
        return True

    def read_gift(self, answers: AnswerBlock) -> dict[str, Any]:
        accepted = []
        for index, part in enumerate(answers.parts()):
            if not part.text:
                raise answers.error(part.line, f"empty answer after '{part.marker or '='}'")
            answers.note(f"accepted.{index}.feedback", part.feedback_format, part.feedback_line)
            fraction = float(1 if part.weight is None else part.weight)
            accepted.append(Answer(part.text, fraction, part.feedback or ""))
        return {"accepted": tuple(accepted)}

    def write_gift(self, question: Any, out: PartWriter) -> list[str] | None:
        lines = []
        for index, answer in enumerate(question.accepted):
            if "->" in answer.text or "->" in answer.feedback:
                raise GiftWriteError(f"short answer '{answer.text}' of question '{question.id}' holds '->', "
                                     "which GIFT reads as a matching question")
            explicit = answer.weight != 1 or answer.text.startswith("%")
            line = f"=%{weight(answer.weight)}%" if explicit else "="
            line += out.part(None, answer.text, weight_may_follow=not explicit)
            lines.append(line + out.feedback(f"accepted.{index}.feedback", answer.feedback))
        return lines

    # --- the form, grading, review, statistics -----------------------------------------------------------

    def read_response(self, shown: Any, form: Any) -> Any:
        return get_text(form, shown.field)

    def matching_answer(self, question: Any, response: Any) -> Any:
        """The accepted answer that grades ``response``, or None."""
        if not isinstance(response, str):
            return None
        if question.rules == LEGACY_RULES:
            typed = normalise_short_answer(response)
            found = [a for a in question.accepted if normalise_short_answer(a.text) == typed]
            return max(found, key=lambda a: a.weight, default=None)
        if not response.strip():
            return None
        return next((a for a in question.accepted if matches(response, a.text)), None)

    def score(self, question: Any, response: Any) -> float:
        answer = self.matching_answer(question, response)
        if answer is None:
            return 0.0
        return clamp(answer.weight, 0.0 if question.rules == LEGACY_RULES else -1.0)

    def feedback(self, question: Any, response: Any) -> list[str]:
        answer = self.matching_answer(question, response)
        return [answer.feedback] if answer is not None and answer.feedback else []

    def right_answer(self, question: Any) -> str | None:
        """The first answer worth the most, as the author wrote it (a '*' wildcard shows as written)."""
        best = max((a.weight for a in question.accepted), default=0)
        return next((a.text for a in question.accepted if a.weight == best and best > 0), None)

    def distribution(self, question: Any, responses: Sequence[Any]) -> Distribution:
        """The most frequent answers, compared as answers are matched (trimmed, case ignored)."""
        return typed_distribution(responses, lambda text: unicodedata.normalize("NFC", text).strip().casefold())

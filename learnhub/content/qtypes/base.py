"""What a question type is: one class that knows everything about its questions, from reading them in GIFT
to counting their answers for the question analysis. Each type lives in its own module of this package and
is registered once, in ``learnhub.content.qtypes``; nothing outside the package branches on a type's name.

A type works on :class:`~learnhub.content.questions.Question` values without importing that module (it
imports the registry, so that would be an import circle): ``question`` below is such a value.

Grading rules have a version, ``question.rules``: attempts store the questions they showed, and a question
stored before LearnHub read GIFT as Moodle does (issue 15) keeps the rules it was graded by, so its review
and any regrade of it come out as they did (decision 0040). New questions get :data:`RULES`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from learnhub.content.gift_answers import AnswerBlock
from learnhub.content.gift_text import PartWriter

LEGACY_RULES = 1
"""Before issue 15: best weight among matching short or numerical answers, short answers compared with
inner spaces collapsed and '*' as a plain character, a negative single-choice weight scored 0."""
RULES = 2
"""Moodle's: the first matching answer in the author's order, Moodle's short-answer comparison with its
'*' wildcard, negative single-choice weights kept."""

NO_ANSWER = "(no answer)"
DISTRIBUTION_TOP = 10
"""How many of the most frequent answers the distribution of a typed answer or a matching prompt lists."""

Distribution = tuple[tuple[str, int], ...]
"""(answer label, how many attempts gave it), for the question analysis."""

TextMap = Callable[[str, str], str]
"""Maps one author text and the key of its part (e.g. "choices.0.feedback") to its replacement."""


class QuestionType:
    """One question type. Subclasses set the class attributes and override what their type does.

    Attributes: ``name`` (the type's key, stored in snapshots: never renamed), ``fields`` (the type's own
    fields of a Question), ``auto_graded`` (``score`` grades it), ``answered`` (a learner answers it: not so
    for a description), ``awaits_marking`` (a trainer marks it: essays), ``own_words`` (the answer is the
    learner's own writing, blanked when their personal data is erased: essays), ``template`` (its form partial).
    """

    name: ClassVar[str] = ""
    fields: ClassVar[tuple[str, ...]] = ()
    auto_graded: ClassVar[bool] = True
    answered: ClassVar[bool] = True
    awaits_marking: ClassVar[bool] = False
    own_words: ClassVar[bool] = False
    template: ClassVar[str] = ""
    gift_opening: ClassVar[str] = ""
    """What GIFT writes right after the opening brace ('#' for numerical questions)."""

    # --- the value ---------------------------------------------------------------------------------------

    def validate(self, question: Any) -> None:
        """Raise ValueError for a value no question of this type can have (checked on construction)."""

    def check(self, question: Any) -> list[str]:
        """The rules of this type the question breaks (e.g. too few choices), as messages for its author."""
        return []

    def map_texts(self, question: Any, m: TextMap) -> dict[str, Any]:
        """The type's own fields with every author text replaced by ``m(text, key)``."""
        return {}

    # --- GIFT --------------------------------------------------------------------------------------------

    def claims(self, answers: AnswerBlock) -> bool:
        """Whether Moodle reads an answer block like this one as this type (tried in the registry's order)."""
        raise NotImplementedError

    def read_gift(self, answers: AnswerBlock) -> dict[str, Any]:
        """The type's own fields from the answer block; raises GiftSyntaxError, notes formats and lines."""
        return {}

    def write_gift(self, question: Any, out: PartWriter) -> list[str] | None:
        """The lines between the braces (without indentation), or None for a question without braces.
        Raises GiftWriteError for a question GIFT cannot express."""
        return []

    # --- the form ----------------------------------------------------------------------------------------

    def arrange(self, question: Any, rng: random.Random, shuffle: bool) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """The display order of its choices (indexes) and the answers a select offers, drawn from ``rng``."""
        return (), ()

    def read_response(self, shown: Any, form: Any) -> Any:
        """The learner's answer from a submitted ``form`` (``get``, ``getlist``), in the shape ``score``
        reads; ``shown`` maps the form's opaque option values back (``choice_index``, ``offered_answer``)."""
        return None

    # --- grading and review ------------------------------------------------------------------------------

    def score(self, question: Any, response: Any) -> float | None:
        """The fraction of marks ``response`` earns (None when not auto-graded); never raises."""
        return None

    def feedback(self, question: Any, response: Any) -> list[str]:
        """The author's feedback texts this response earns, in order; may be empty."""
        return []

    def right_answer(self, question: Any) -> Any:
        """What full marks look like, for the answer review when the quiz shows answers (``show_answers``):
        choice indexes, a truth value, an answer text, a numerical answer, or one answer per matching prompt,
        in the shape the type's partial reads. None when there is nothing to show (essays, descriptions)."""
        return None

    def response_in(self, response: Any, original: Any, question: Any) -> Any:
        """``response``, given to ``original`` (the question in the attempt's language), in the words of
        ``question`` (the same question in another language), for an analysis read in one language. Answers
        stored as indexes or numbers read the same in every language: unchanged."""
        return response

    # --- statistics --------------------------------------------------------------------------------------

    def distribution(self, question: Any, responses: Sequence[Any]) -> Distribution:
        """What the learners answered, counted, for the question analysis."""
        return ()


def is_index(value: Any, size: int) -> bool:
    """Whether ``value`` is an int (not a bool) that indexes a sequence of ``size`` items from the front."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < size


def clamp(fraction: float, low: float = 0.0) -> float:
    """``fraction`` as a float within low..1."""
    return min(1.0, max(low, float(fraction)))


def typed_distribution(responses: Sequence[Any], key: Callable[[str], str]) -> Distribution:
    """The :data:`DISTRIBUTION_TOP` most frequent typed answers, compared by ``key``, ties in order of first
    appearance; blanks and what is neither text nor a number are left out."""
    counts: dict[str, int] = {}
    for response in responses:
        if isinstance(response, int | float) and not isinstance(response, bool):
            response = str(response)
        if isinstance(response, str) and (label := key(response)):
            counts[label] = counts.get(label, 0) + 1
    return tuple(sorted(counts.items(), key=lambda item: -item[1])[:DISTRIBUTION_TOP])


def get_text(form: Mapping[str, str], name: str) -> str:
    """A typed answer from the form, cut to 10,000 characters."""
    return form.get(name, "")[:10_000]

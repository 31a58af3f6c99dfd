"""Quiz questions as typed, immutable values, and the one registry that knows how each type is scored.

Every question is a :class:`Question`: the fields all types share, plus the fields of its own type. The
fields of other types keep their empty defaults (enforced on construction), so that ``to_dict`` writes
only what a type uses and ``from_dict`` restores exactly the same value.

Which type-specific fields a type uses, how it scores a learner's response and which semantic rules it
must meet all live in :data:`QUESTION_TYPES`; nothing else in the code branches on the type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from learnhub.content.decimals import exact, percent, read_number

FORMATS = ("moodle", "html", "markdown", "plain")

# Positive weights within 0.001% of 100% add up to 100% (three times 33.33333% is 99.99999%).
_FULL_MARKS_SLACK = Decimal("0.00001")


@dataclass(frozen=True)
class Answer:
    """A choice of a multiple choice question, or an answer a short-answer question accepts.

    ``weight`` is the fraction of the question's marks it earns, -1..1 (GIFT's ``%50%`` is 0.5).
    """

    text: str
    weight: float
    feedback: str = ""


@dataclass(frozen=True)
class NumericAnswer:
    """A range of numbers a numerical question accepts, inclusive at both ends, with its weight.

    ``value`` is the number the author stated when writing ``value:tolerance`` (or a bare value);
    it is None when the author wrote the range as ``low..high``.
    """

    low: float
    high: float
    weight: float = 1.0
    feedback: str = ""
    value: float | None = None

    @property
    def tolerance(self) -> float | None:
        """The ± tolerance around ``value``; None for a ``low..high`` range."""
        if self.value is None:
            return None
        return float(exact(self.high) - exact(self.value))

    def contains(self, number: Decimal) -> bool:
        """Whether ``number`` lies in this range, compared as exact decimals (3.13 is in 3.14±0.01)."""
        return exact(self.low) <= number <= exact(self.high)


@dataclass(frozen=True)
class MatchPair:
    """One prompt of a matching question and the answer that matches it."""

    prompt: str
    answer: str


@dataclass(frozen=True, kw_only=True)
class Question:
    """One quiz question, as authored (texts are not rendered; see :meth:`map_texts`).

    Fields of every type: ``id`` (the ``::Name::``, else derived from the text), ``named``, ``type`` (a key
    of :data:`QUESTION_TYPES`), ``text``, ``text_after`` (the text after the blank of a missing-word
    question, else ""), ``format`` (one of :data:`FORMATS`; it applies to every text of the question),
    ``general_feedback``, ``category`` and ``line`` (where the question starts in its file, 0 if unknown).

    Type-specific fields, left empty by the other types:

    - choice, multi: ``choices``, in authored order; a response indexes into them.
    - short: ``accepted``, the answers that earn their weight.
    - numeric: ``numbers``, the ranges that earn their weight.
    - matching: ``pairs`` (prompt -> answer, a response indexes the prompts) and ``distractors``
      (answers that match no prompt).
    - truefalse: ``truth`` (the right answer), ``feedback_wrong`` and ``feedback_right``.
    - essay, description: none.
    """

    id: str
    type: str
    text: str
    named: bool = False
    text_after: str = ""
    format: str = "moodle"
    general_feedback: str = ""
    category: str = ""
    line: int = 0
    choices: tuple[Answer, ...] = ()
    accepted: tuple[Answer, ...] = ()
    numbers: tuple[NumericAnswer, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    distractors: tuple[str, ...] = ()
    truth: bool | None = None
    feedback_wrong: str = ""
    feedback_right: str = ""

    def __post_init__(self) -> None:
        """Refuse an unknown type or format, and fields of another type set to anything but empty."""
        kind = QUESTION_TYPES.get(self.type)
        if kind is None:
            raise ValueError(f"unknown question type {self.type!r}")
        if self.format not in FORMATS:
            raise ValueError(f"unknown text format {self.format!r}")
        for name in _TYPE_FIELDS:
            if name not in kind.fields and getattr(self, name) != _TYPE_FIELD_DEFAULTS[name]:
                raise ValueError(f"a {self.type} question has no {name}")
        if self.type == "truefalse" and not isinstance(self.truth, bool):
            raise ValueError("a truefalse question needs truth set to True or False")

    @property
    def kind(self) -> QuestionType:
        """The registry entry of this question's type."""
        return QUESTION_TYPES[self.type]

    @property
    def auto_graded(self) -> bool:
        """Whether :meth:`score` grades this question (False for essays and descriptions)."""
        return self.kind.auto_graded

    def score(self, response: Any) -> float | None:
        """The fraction of marks ``response`` earns, 0..1; None for a type that is not auto-graded.

        Response shapes: choice -> the chosen index (int) or None; multi -> an iterable of chosen indices;
        truefalse -> bool or None; short -> str; numeric -> str as typed ("3,14" reads as 3.14); matching
        -> {prompt index: chosen answer text}. A missing or malformed response scores 0 and never raises.
        """
        return self.kind.score(self, response)

    def feedback(self, response: Any) -> list[str]:
        """The author's feedback for this response (per chosen or matched answer), in order; may be empty."""
        return self.kind.feedback(self, response)

    def check(self) -> list[str]:
        """The rules of its type this question breaks (e.g. too few choices), as error messages."""
        return self.kind.check(self)

    def map_texts(self, fn: Callable[[str, str], str], to_format: str | None = None) -> Question:
        """A copy with every author-written text replaced by ``fn(text, format)``.

        Mapped: text, text_after, general_feedback, each choice's text and feedback, the feedback of
        short and numeric answers, matching prompts, answers and distractors, the true/false feedbacks.
        Not mapped: the accepted short answers, which are compared with what the learner types. Empty
        texts stay empty. The copy's format is ``to_format`` when given (e.g. "html" after rendering).
        """

        def m(text: str) -> str:
            return fn(text, self.format) if text else text

        return dataclasses.replace(
            self,
            format=to_format or self.format,
            text=m(self.text),
            text_after=m(self.text_after),
            general_feedback=m(self.general_feedback),
            choices=tuple(Answer(m(c.text), c.weight, m(c.feedback)) for c in self.choices),
            accepted=tuple(dataclasses.replace(a, feedback=m(a.feedback)) for a in self.accepted),
            numbers=tuple(dataclasses.replace(n, feedback=m(n.feedback)) for n in self.numbers),
            pairs=tuple(MatchPair(m(p.prompt), m(p.answer)) for p in self.pairs),
            distractors=tuple(m(d) for d in self.distractors),
            feedback_wrong=m(self.feedback_wrong),
            feedback_right=m(self.feedback_right),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of the common fields and this type's own fields, keys in a fixed order."""
        data: dict[str, Any] = {name: getattr(self, name) for name in _COMMON_FIELDS}
        for name in self.kind.fields:
            value = getattr(self, name)
            if name in _ENCODE:
                value = _ENCODE[name](value)
            data[name] = value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        """The question ``data`` was made from by :meth:`to_dict` (also after a JSON round trip).

        Raises ValueError when ``data`` is not such a dict.
        """
        try:
            values = {name: data[name] for name in _COMMON_FIELDS}
            kind = QUESTION_TYPES.get(values["type"])
            if kind is None:
                raise ValueError(f"unknown question type {values['type']!r}")
            for name in kind.fields:
                value = data[name]
                values[name] = _DECODE[name](value) if name in _DECODE else value
            return cls(**values)
        except (KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"not a question snapshot: {err!r}") from err


_COMMON_FIELDS = (
    "id",
    "named",
    "type",
    "text",
    "text_after",
    "format",
    "general_feedback",
    "category",
    "line",
)
_TYPE_FIELD_DEFAULTS = {
    f.name: f.default for f in dataclasses.fields(Question) if f.name not in _COMMON_FIELDS
}
_TYPE_FIELDS = tuple(_TYPE_FIELD_DEFAULTS)

_ENCODE: dict[str, Callable[[Any], Any]] = {
    "choices": lambda items: [dataclasses.asdict(a) for a in items],
    "accepted": lambda items: [dataclasses.asdict(a) for a in items],
    "numbers": lambda items: [dataclasses.asdict(n) for n in items],
    "pairs": lambda items: [dataclasses.asdict(p) for p in items],
    "distractors": list,
}
_DECODE: dict[str, Callable[[Any], Any]] = {
    "choices": lambda items: tuple(Answer(**a) for a in items),
    "accepted": lambda items: tuple(Answer(**a) for a in items),
    "numbers": lambda items: tuple(NumericAnswer(**n) for n in items),
    "pairs": lambda items: tuple(MatchPair(**p) for p in items),
    "distractors": tuple,
}


# --- scoring -----------------------------------------------------------------------------------------


def _clamp(fraction: float) -> float:
    return min(1.0, max(0.0, float(fraction)))


def is_index(value: Any, size: int) -> bool:
    """Whether ``value`` is an int (not a bool) that indexes a sequence of ``size`` items from the front."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < size


def normalise_short_answer(text: str) -> str:
    """The form short answers are compared in: trimmed, inner whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


class QuestionType:
    """How the questions of one type are scored and checked; one instance per type in the registry."""

    name: ClassVar[str] = ""
    fields: ClassVar[tuple[str, ...]] = ()
    auto_graded: ClassVar[bool] = True

    def score(self, question: Question, response: Any) -> float | None:
        """The fraction 0..1 of marks ``response`` earns (None when not auto-graded); never raises."""
        raise NotImplementedError

    def check(self, question: Question) -> list[str]:
        """Error messages for the rules of this type ``question`` breaks; empty when it is sound."""
        return []

    def feedback(self, question: Question, response: Any) -> list[str]:
        """Feedback texts the response earns; types without per-answer feedback give none."""
        return []


class SingleChoice(QuestionType):
    """Multiple choice with radio buttons: the chosen choice's weight, negatives clamped to 0."""

    name = "choice"
    fields = ("choices",)

    def score(self, question: Question, response: Any) -> float:
        if not is_index(response, len(question.choices)):
            return 0.0
        return _clamp(question.choices[response].weight)

    def check(self, question: Question) -> list[str]:
        if len(question.choices) < 2:
            return ["multiple choice question needs at least two choices"]
        return []

    def feedback(self, question: Question, response: Any) -> list[str]:
        if not is_index(response, len(question.choices)):
            return []
        return [question.choices[response].feedback] if question.choices[response].feedback else []


class MultiChoice(QuestionType):
    """Multiple choice with check boxes: the sum of the chosen choices' weights, clamped to 0..1."""

    name = "multi"
    fields = ("choices",)

    def score(self, question: Question, response: Any) -> float:
        if isinstance(response, str | bytes | Mapping) or response is None:
            return 0.0
        chosen: set[int] = set()
        try:
            for index in response:
                if not is_index(index, len(question.choices)):
                    return 0.0
                chosen.add(index)
        except TypeError:
            return 0.0
        total = sum((exact(question.choices[i].weight) for i in chosen), Decimal(0))
        return _clamp(float(total))

    def check(self, question: Question) -> list[str]:
        if len(question.choices) < 2:
            return ["multiple choice question needs at least two choices"]
        total = sum((exact(c.weight) for c in question.choices if c.weight > 0), Decimal(0))
        if abs(total - 1) > _FULL_MARKS_SLACK:
            return [f"the right answers of a multiple-answer question add up to {percent(total)}, not 100%"]
        return []

    def feedback(self, question: Question, response: Any) -> list[str]:
        if isinstance(response, str | bytes | Mapping) or response is None:
            return []
        try:
            chosen = sorted({i for i in response if is_index(i, len(question.choices))})
        except TypeError:
            return []
        return [question.choices[i].feedback for i in chosen if question.choices[i].feedback]


class TrueFalse(QuestionType):
    """True/false: full marks for the right truth value, nothing otherwise."""

    name = "truefalse"
    fields = ("truth", "feedback_wrong", "feedback_right")

    def score(self, question: Question, response: Any) -> float:
        return 1.0 if isinstance(response, bool) and response == question.truth else 0.0

    def feedback(self, question: Question, response: Any) -> list[str]:
        if not isinstance(response, bool):
            return []
        text = question.feedback_right if response == question.truth else question.feedback_wrong
        return [text] if text else []


class ShortAnswer(QuestionType):
    """Short answer: the best weight among the accepted answers the response equals.

    Compared case-insensitively after trimming and collapsing inner whitespace.
    """

    name = "short"
    fields = ("accepted",)

    def score(self, question: Question, response: Any) -> float:
        if not isinstance(response, str):
            return 0.0
        typed = normalise_short_answer(response)
        weights = [a.weight for a in question.accepted if normalise_short_answer(a.text) == typed]
        return _clamp(max(weights, default=0.0))

    def check(self, question: Question) -> list[str]:
        if max((a.weight for a in question.accepted), default=0.0) < 1:
            return ["short-answer question has no answer worth 100%"]
        return []

    def feedback(self, question: Question, response: Any) -> list[str]:
        if not isinstance(response, str):
            return []
        typed = normalise_short_answer(response)
        matched = [a for a in question.accepted if normalise_short_answer(a.text) == typed]
        best = max(matched, key=lambda a: a.weight, default=None)
        return [best.feedback] if best is not None and best.feedback else []


class Numeric(QuestionType):
    """Numerical: the best weight among the ranges that contain the number typed."""

    name = "numeric"
    fields = ("numbers",)

    def score(self, question: Question, response: Any) -> float:
        number = read_number(response)
        if number is None:
            return 0.0
        weights = [n.weight for n in question.numbers if n.contains(number)]
        return _clamp(max(weights, default=0.0))

    def check(self, question: Question) -> list[str]:
        if max((n.weight for n in question.numbers), default=0.0) < 1:
            return ["numerical question has no answer worth 100%"]
        return []

    def feedback(self, question: Question, response: Any) -> list[str]:
        number = read_number(response)
        if number is None:
            return []
        best = max((n for n in question.numbers if n.contains(number)), key=lambda n: n.weight, default=None)
        return [best.feedback] if best is not None and best.feedback else []


class Matching(QuestionType):
    """Matching: the fraction of prompts given their own answer.

    The response maps prompt indices (ints, or their decimal strings after a JSON round trip) to the
    chosen answer text.
    """

    name = "matching"
    fields = ("pairs", "distractors")

    def score(self, question: Question, response: Any) -> float:
        if not isinstance(response, Mapping) or not question.pairs:
            return 0.0
        right = 0
        for index, pair in enumerate(question.pairs):
            chosen = response.get(index, response.get(str(index)))
            if isinstance(chosen, str) and chosen == pair.answer:
                right += 1
        return right / len(question.pairs)

    def check(self, question: Question) -> list[str]:
        if len(question.pairs) < 2:
            return ["matching question needs at least two pairs"]
        return []


class Essay(QuestionType):
    """Essay: stored for a trainer to mark, never auto-graded."""

    name = "essay"
    auto_graded = False

    def score(self, question: Question, response: Any) -> None:
        return None


class Description(QuestionType):
    """Description: text between questions, not a question a learner answers; never scored."""

    name = "description"
    auto_graded = False

    def score(self, question: Question, response: Any) -> None:
        return None


QUESTION_TYPES: dict[str, QuestionType] = {
    kind.name: kind
    for kind in (
        SingleChoice(),
        MultiChoice(),
        TrueFalse(),
        ShortAnswer(),
        Numeric(),
        Matching(),
        Essay(),
        Description(),
    )
}

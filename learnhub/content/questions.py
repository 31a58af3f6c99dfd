"""Quiz questions as typed, immutable values, stored as snapshots that always read back the same.

Every question is a :class:`Question`: the fields all types share, plus the fields of its own type. The
fields of other types keep their empty defaults (enforced on construction), so that ``to_dict`` writes
only what a type uses and ``from_dict`` restores exactly the same value. What a type does with its fields
(reading GIFT, its form, scoring, feedback, statistics, writing GIFT) is its class in
``learnhub.content.qtypes``; this module only delegates to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from learnhub.content.answers import Answer, MatchPair, NumericAnswer
from learnhub.content.qtypes import QUESTION_TYPES
from learnhub.content.qtypes.base import LEGACY_RULES, RULES, QuestionType

__all__ = ["FORMATS", "QUESTION_TYPES", "Answer", "MatchPair", "NumericAnswer", "Question", "QuestionType"]

FORMATS = ("moodle", "html", "markdown", "plain")


@dataclass(frozen=True, kw_only=True)
class Question:
    """One quiz question, as authored (texts are not rendered; see :meth:`map_texts`).

    Fields of every type: ``id`` (the ``::Name::``, else derived from the text), ``named``, ``type`` (a key
    of :data:`QUESTION_TYPES`), ``text``, ``text_after`` (the text after the blank of a missing-word
    question, else ""), ``format`` (one of :data:`FORMATS`: the question text's, which every other part
    inherits), ``general_feedback``, ``category``, ``line`` (where the question starts in its file, 0 if
    unknown), ``idnumber`` and ``tags`` (Moodle's ``// [id:...]`` and ``// [tag:...]``), ``formats`` (the
    parts whose format is their own: (part key, format) pairs, e.g. ("choices.1.feedback", "html")) and
    ``rules`` (the grading rules, see ``learnhub.content.qtypes.base``).

    ``lines`` says where each part starts in its file, for problems found while rendering it; it is not
    stored and not compared.

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
    idnumber: str = ""
    tags: tuple[str, ...] = ()
    formats: tuple[tuple[str, str], ...] = ()
    rules: int = RULES
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)
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
        for text_format in (self.format, *(f for _, f in self.formats)):
            if text_format not in FORMATS:
                raise ValueError(f"unknown text format {text_format!r}")
        for name in _TYPE_FIELDS:
            if name not in kind.fields and getattr(self, name) != _TYPE_FIELD_DEFAULTS[name]:
                raise ValueError(f"a {self.type} question has no {name}")
        kind.validate(self)

    @property
    def kind(self) -> QuestionType:
        """The class of this question's type: everything that differs from type to type."""
        return QUESTION_TYPES[self.type]

    @property
    def auto_graded(self) -> bool:
        """Whether :meth:`score` grades this question (False for essays and descriptions)."""
        return self.kind.auto_graded

    def score(self, response: Any) -> float | None:
        """The fraction of marks ``response`` earns, -1..1 (below 0 only for a negative weight, under the
        current rules); None for a type that is not auto-graded.

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

    def part_format(self, key: str) -> str:
        """The format of the part ``key`` ("text", "general_feedback", "choices.0.feedback", ...)."""
        return dict(self.formats).get(key, self.format)

    def part_line(self, key: str) -> int:
        """Where the part ``key`` starts in its file; the question's line when unknown."""
        return dict(self.lines).get(key, self.line)

    def map_texts(self, fn: Callable[[str, str, str], str], to_format: str | None = None) -> Question:
        """A copy with every author-written text replaced by ``fn(text, format, part key)``.

        Mapped: text, text_after, general_feedback, and the texts of the type (choices and their
        feedback, the feedback of short and numeric answers, matching prompts, answers and distractors,
        the true/false feedbacks). Not mapped: the accepted short answers, which are compared with what
        the learner types. Empty texts stay empty. The copy's format is ``to_format`` when given (e.g.
        "html" after rendering), and then no part keeps a format of its own.
        """
        formats = dict(self.formats)

        def m(text: str, key: str) -> str:
            return fn(text, formats.get(key, self.format), key) if text else text

        return dataclasses.replace(
            self,
            format=to_format or self.format,
            formats=() if to_format else self.formats,
            text=m(self.text, "text"),
            text_after=m(self.text_after, "text_after"),
            general_feedback=m(self.general_feedback, "general_feedback"),
            **self.kind.map_texts(self, m),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of the common fields and this type's own fields, keys in a fixed order."""
        data: dict[str, Any] = {name: getattr(self, name) for name in _COMMON_FIELDS}
        data["tags"] = list(self.tags)
        data["formats"] = dict(self.formats)
        for name in self.kind.fields:
            value = getattr(self, name)
            if name in _ENCODE:
                value = _ENCODE[name](value)
            data[name] = value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        """The question ``data`` was made from by :meth:`to_dict` (also after a JSON round trip).

        A snapshot stored before the fields added with issue 15 (idnumber, tags, formats, rules) reads with
        their empty values and the legacy grading rules, under which it was graded. Raises ValueError when
        ``data`` is not such a dict.
        """
        try:
            values = {name: data[name] for name in _COMMON_FIELDS if name not in _LATER_FIELDS}
            values.update(idnumber=data.get("idnumber", ""), tags=tuple(data.get("tags", ())),
                          formats=tuple(sorted(data.get("formats", {}).items())),
                          rules=data.get("rules", LEGACY_RULES))
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
    "idnumber",
    "tags",
    "formats",
    "rules",
)
_LATER_FIELDS = ("idnumber", "tags", "formats", "rules")
"""Common fields that snapshots stored before issue 15 lack."""
_TYPE_FIELD_DEFAULTS = {
    f.name: f.default for f in dataclasses.fields(Question) if f.name not in (*_COMMON_FIELDS, "lines")
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

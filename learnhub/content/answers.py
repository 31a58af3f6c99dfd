"""The parts of a question's answer key, as immutable values: a choice or accepted answer, a numerical
range, a matching pair. Question types build them when they read GIFT and score responses with them;
`learnhub.content.questions` holds them in a :class:`~learnhub.content.questions.Question`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from learnhub.content.decimals import exact


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
    it is None when the author wrote the range as ``low..high``. ``catch_all`` marks Moodle's answer
    for every other number (GIFT's closing ``~#feedback``): it holds any number, earns nothing, and its
    ``low`` and ``high`` mean nothing.
    """

    low: float
    high: float
    weight: float = 1.0
    feedback: str = ""
    value: float | None = None
    catch_all: bool = False

    @property
    def tolerance(self) -> float | None:
        """The ± tolerance around ``value``; None for a ``low..high`` range or the catch-all."""
        if self.value is None or self.catch_all:
            return None
        return float(exact(self.high) - exact(self.value))

    def contains(self, number: Decimal) -> bool:
        """Whether ``number`` lies in this range, compared as exact decimals (3.13 is in 3.14±0.01)."""
        return self.catch_all or exact(self.low) <= number <= exact(self.high)


@dataclass(frozen=True)
class MatchPair:
    """One prompt of a matching question and the answer that matches it."""

    prompt: str
    answer: str

"""Unanswered quiz questions drawn once per worker and arrangement, then given each form's number and option
values (issue 14, decision 0076).

A fresh quiz form spends most of its time drawing questions through their type's partial, and the page cache
cannot hold a form: its order and option values are the learner's own. But what a question draws depends
only on the question itself, the two languages (the page's and the question's), its number and its
arrangement (choice order, matching answers offered). So a question is drawn once with a slot in place of
its number and of each option value (`_Slots`), kept under the rest, and each form fills the slots with its
own: the HTML is the same as drawing it directly (tests/integration/test_quiz_form_fragments.py compares
whole pages for every question type in every language).

The key holds the Question object's identity, and the drawing the object itself, so a changed question after a
sync (a new object) never meets a stale drawing. Only unanswered, answerable questions go through here; a form shown
again with the learner's answers, a review and a preview draw as before. Per worker, at most MAX_FRAGMENTS
drawings (about 1 KB each), the oldest dropped first; nothing is shared between instances.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from operator import itemgetter

from markupsafe import Markup

from learnhub.content.questions import Question
from learnhub.services.grading import ShownQuestion

MAX_FRAGMENTS = 20_000
_SLOT = re.compile("\x02([con])([0-9]*)\x03")  # control characters: never in a drawn page, and not escaped
_fragments: OrderedDict[tuple, _Drawing] = OrderedDict()


class _Slots(ShownQuestion):
    """A shown question with slots for what differs between forms: "\\x02n\\x03" for its number (in its
    label and its field names), "\\x02c3\\x03" for the value of choice 3 (author index), "\\x02o1\\x03" for
    the matching answer offered second."""

    def _values(self, part: str, count: int) -> tuple[str, ...]:
        return tuple(f"\x02{part[0]}{index}\x03" for index in range(count))


_NUMBER = "\x02n\x03"


def fresh_question(draw: Callable[..., str], shown: ShownQuestion, lang: str, page_language: str) -> Markup:
    """`shown`, unanswered, as `draw` (the question_fields macro of learn/_question.html) draws it on a page in
    `page_language` (the current one) with the question's texts in `lang`; from this worker's drawings when
    the same question in the same arrangement was drawn before (at any place in a quiz: its number is a slot
    too)."""
    # Keyed by the question object's identity, which is cheap to hash (a Question's own hash walks all its parts):
    # a worker keeps each quiz's questions between syncs (grading.questions_in), and the drawing holds its question,
    # so an id reused by a new object after a sync is never taken for the old one.
    key = (page_language, lang, id(shown.question), shown.order, shown.offered)
    drawing = _fragments.get(key)
    if drawing is None or drawing.question is not shown.question:
        drawing = _fragments[key] = _Drawing.of(draw(_slots(shown), None, lang=lang), shown.question)
        if len(_fragments) > MAX_FRAGMENTS:
            _fragments.popitem(last=False)
    else:
        _fragments.move_to_end(key)
    return drawing.fill(shown)


def _slots(shown: ShownQuestion) -> _Slots:
    return _Slots(_NUMBER, shown.question, shown.order, shown.offered, b"slots")  # type: ignore[arg-type]


class _Drawing:
    """A drawn question as a %-format string (its own "%" doubled) with one "%s" per slot, and what fills each
    slot as an index into (number, *choice values, *offered values): one C-level pick and one format per form."""

    __slots__ = ("choices", "offered", "pick", "question", "template")

    def __init__(self, template: str, picks: list[int], choices: int, offered: int, question: Question) -> None:
        self.template, self.choices, self.offered, self.question = template, choices, offered, question
        self.pick = (lambda _values: ()) if not picks else (
            (lambda values, at=picks[0]: (values[at],)) if len(picks) == 1 else itemgetter(*picks))

    @classmethod
    def of(cls, drawn: str, question: Question) -> _Drawing:
        pieces, picks, choices, offered = [], [], 0, 0
        # split: text, kind, index, text, kind, index, ..., text (the split keeps the slot's two groups)
        split = _SLOT.split(str(drawn))
        for at in range(0, len(split), 3):
            pieces.append(split[at].replace("%", "%%"))
            if at + 1 < len(split):
                kind, index = split[at + 1], int(split[at + 2] or 0)
                pieces.append("%s")
                if kind == "n":
                    picks.append(0)
                elif kind == "c":
                    picks.append(1 + index)
                    choices = max(choices, index + 1)
                else:
                    picks.append(-1 - index)  # offered values are counted from the end
                    offered = max(offered, index + 1)
        return cls("".join(pieces), picks, choices, offered, question)

    def fill(self, shown: ShownQuestion) -> Markup:
        values = (str(shown.number),
                  *(shown.choice_values if self.choices else ()),
                  *(shown.offered_values[::-1] if self.offered else ()))
        return Markup(self.template % self.pick(values))  # noqa: S704  # nosec B704 (drawn by the autoescaping template; values are base64url)

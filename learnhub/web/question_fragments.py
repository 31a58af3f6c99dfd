"""Unanswered quiz questions drawn once per worker and arrangement, then given each form's number and option
values (issue 14, decision 0076).

A fresh quiz form spends most of its time drawing questions through their type's partial, and the page cache
cannot hold a form: its order and option values are the learner's own. But what a question draws depends
only on the question itself, the two languages (the page's and the question's), its number and its
arrangement (choice order, matching answers offered). So a question is drawn once with a slot in place of
its number and of each option value (`_Slots`), kept under the rest, and each form fills the slots with its
own: the HTML is the same as drawing it directly (tests/integration/test_quiz_form_fragments.py compares
whole pages for every question type in every language).

The key holds the Question itself (frozen, compared by content), so a changed question after a sync is a new
key and never meets a stale drawing. Only unanswered, answerable questions go through here; a form shown
again with the learner's answers, a review and a preview draw as before. Per worker, at most MAX_FRAGMENTS
drawings (about 1 KB each), the oldest dropped first; nothing is shared between instances.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable

from markupsafe import Markup

from learnhub.services.grading import ShownQuestion

MAX_FRAGMENTS = 20_000
_SLOT = re.compile("\x02([con])([0-9]*)\x03")  # control characters: never in a drawn page, and not escaped
_fragments: OrderedDict[tuple, tuple[str | int, ...]] = OrderedDict()


class _Slots(ShownQuestion):
    """A shown question with slots for what differs between forms: "\\x02n\\x03" for its number (in its
    label and its field names), "\\x02c3\\x03" for the value of choice 3 (author index), "\\x02o1\\x03" for
    the matching answer offered second."""

    def _opaque(self, part: str, index: int) -> str:
        return f"\x02{part[0]}{index}\x03"


_NUMBER = "\x02n\x03"


def fresh_question(draw: Callable[..., str], shown: ShownQuestion, lang: str, page_language: str) -> Markup:
    """`shown`, unanswered, as `draw` (the question_fields macro of learn/_question.html) draws it on a page in
    `page_language` (the current one) with the question's texts in `lang`; from this worker's drawings when
    the same question in the same arrangement was drawn before (at any place in a quiz: its number is a slot
    too)."""
    key = (page_language, lang, shown.question, shown.order, shown.offered)
    parts = _fragments.get(key)
    if parts is None:
        slots = _Slots(_NUMBER, shown.question, shown.order, shown.offered, b"slots")  # type: ignore[arg-type]
        split = _SLOT.split(str(draw(slots, None, lang=lang)))
        parts = _fragments[key] = tuple(int(part) if at % 3 == 2 and part else part for at, part in enumerate(split))
        if len(_fragments) > MAX_FRAGMENTS:
            _fragments.popitem(last=False)
    else:
        _fragments.move_to_end(key)
    # parts: text, kind, index, text, kind, index, ..., text (the split keeps the slot's two groups)
    filled = list(parts)
    for at in range(1, len(parts), 3):
        kind = parts[at]
        if kind == "n":
            filled[at] = str(shown.number)
        else:
            filled[at] = (shown.choice_values if kind == "c" else shown.offered_values)[parts[at + 1]]
        filled[at + 1] = ""
    return Markup("".join(filled))  # noqa: S704  # nosec B704 (drawn by the autoescaping template; values are base64url)

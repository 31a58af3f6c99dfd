"""The question types, registered in one place: adding a type is one module here, its template partial in
``templates/questions/``, and its line below (docs/course-format.md, "Adding a question type").

:data:`TYPES` is in the order GIFT tries them, which is Moodle's: no braces, an empty block, ``#``, ``~``
(with or without an ``=``), ``=`` with ``->``, a true/false letter, and anything else a short answer.
"""

from __future__ import annotations

from learnhub.content.qtypes.base import QuestionType
from learnhub.content.qtypes.choice import SingleChoice
from learnhub.content.qtypes.description import Description
from learnhub.content.qtypes.essay import Essay
from learnhub.content.qtypes.matching import Matching
from learnhub.content.qtypes.multi import MultiChoice
from learnhub.content.qtypes.numerical import Numerical
from learnhub.content.qtypes.short import ShortAnswer
from learnhub.content.qtypes.truefalse import TrueFalse

TYPES: tuple[QuestionType, ...] = (
    Description(),
    Essay(),
    Numerical(),
    SingleChoice(),
    MultiChoice(),
    Matching(),
    TrueFalse(),
    ShortAnswer(),
)
QUESTION_TYPES: dict[str, QuestionType] = {kind.name: kind for kind in TYPES}
"""Every type by its name (the ``type`` of a Question)."""

"""The answer block of a GIFT question (what stands between its braces, general feedback set aside), with
the pieces every question type reads it with: answers split at ``=`` and ``~``, ``%weight%``, ``#feedback``
and ``[format]`` markers, each read as Moodle's importer (question/format/gift/format.php) reads them:

- An answer is trimmed before its weight is read, so ``= %50% pink`` has the weight 50%.
- A weight is ``%n%`` with n a plain number (``50``, ``-33.3``, ``5.``); Moodle reads anything else
  between percent signs (``%.5%``, ``% 50%``, ``%ten%``) as answer text, which is seldom what the author
  meant, so LearnHub refuses it (see docs/course-format.md), as it refuses weights beyond -100..100.
- ``#`` starts the answer's feedback, which runs to the next answer.
- ``[moodle]``, ``[html]``, ``[markdown]`` or ``[plain]`` (lower case, as Moodle reads them) right at the
  start of an answer text, a feedback or a matching prompt gives that part its own format. Moodle reads
  ``[HTML]`` as text; LearnHub refuses it rather than show the marker to learners.
- Text before the first ``=`` or ``~`` is an answer too, as in Moodle (``{One}`` is a short answer).

A type records the format and the line of each of its parts with :meth:`AnswerBlock.note`, so that a
problem found while rendering one is reported at that part's own line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from learnhub.content.gift_source import Block, GiftSyntaxError

FORMAT_NAMES = ("moodle", "html", "markdown", "plain")
_FORMAT_MARK = re.compile(r"\[(moodle|html|markdown|plain)\]", re.IGNORECASE)
_MARKER = re.compile(r"[=~]")
_WEIGHT = re.compile(r"-?[0-9]+(?:\.[0-9]*)?")


def read_format(block: Block, start: int, end: int) -> tuple[str | None, int]:
    """A ``[format]`` marker at ``start`` (after spaces): its name and where the text after it starts, else
    (None, start). A marker in another case than Moodle's is an error, not text."""
    at = block.skip_space(start, end)
    found = _FORMAT_MARK.match(block.marks, at, end)
    if found is None:
        return None, start
    name = found.group(1)
    if name != name.lower():
        raise GiftSyntaxError(
            block.line_at(at), f"write '[{name.lower()}]' in lower case: Moodle reads '[{name}]' as text"
        )
    return name, found.end()


def looks_like_format(text: str) -> bool:
    """Whether ``text`` starts with what the reader takes for a ``[format]`` marker, in any case."""
    return _FORMAT_MARK.match(text) is not None


def weight_value(written: str, line: int) -> Decimal:
    """A ``%n%`` weight (``written`` is what stands between the percent signs) as a fraction; for one Moodle
    would read as text, an error that says why and what to write."""
    if not _WEIGHT.fullmatch(written):
        raise GiftSyntaxError(line, _bad_weight(written))
    value = Decimal(written)
    if not -100 <= value <= 100:
        raise GiftSyntaxError(line, f"weight {written}% is outside -100%..100%")
    return value / 100


def _bad_weight(written: str) -> str:
    """Why ``%written%`` is no weight, and the weight meant when it is plain to see."""
    meant = written.strip().removeprefix("+")
    if meant.startswith((".", "-.")):
        meant = meant.replace(".", "0.", 1)
    if meant != written and _WEIGHT.fullmatch(meant):
        return (f"weight '%{written}%' is not written as Moodle reads a weight (it would be answer text); "
                f"write '%{meant}%'")
    return f"weight '%{written}%' is not a number"


@dataclass
class Part:
    """One answer of an answer block, with where each of its texts starts in the file."""

    marker: str
    """'=', '~', or '' for text before the first marker."""
    line: int
    """Where the answer starts: its marker's line."""
    weight: Decimal | None
    text: str
    text_format: str | None
    text_line: int
    feedback: str | None
    """None when there is no '#'; "" for an empty feedback."""
    feedback_format: str | None
    feedback_line: int


@dataclass
class AnswerBlock:
    """The answers of one question between ``start`` and ``end`` of its block (general feedback set
    aside, spaces trimmed); ``block`` is None for a question without braces (a description)."""

    block: Block | None
    start: int = 0
    end: int = 0
    line: int = 0
    """The line of the opening brace."""
    warnings: list[tuple[int, str]] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.block is not None:
            self.start = self.block.skip_space(self.start, self.end)
            while self.end > self.start and self.block.text[self.end - 1].isspace():
                self.end -= 1

    @property
    def exists(self) -> bool:
        return self.block is not None

    @property
    def empty(self) -> bool:
        return self.block is None or self.start == self.end

    @property
    def text(self) -> str:
        """The block as the author means it (escapes resolved)."""
        return "" if self.block is None else self.block.text[self.start : self.end]

    def has(self, token: str) -> bool:
        """Whether ``token`` stands unescaped anywhere in the answers (feedback included), as Moodle tests."""
        return self.block is not None and self.block.find(token, self.start, self.end) != -1

    def starts_with(self, token: str) -> bool:
        return self.block is not None and self.block.marks.startswith(token, self.start, self.end)

    def head(self) -> str:
        """The answers up to the first unescaped '#', trimmed (true/false reads its letter here)."""
        if self.block is None:
            return ""
        hash_at = self.block.find("#", self.start, self.end)
        return self.block.text[self.start : self.end if hash_at == -1 else hash_at].strip()

    def line_at(self, index: int) -> int:
        return self.block.line_at(index) if self.block is not None else self.line

    def error(self, line: int, message: str) -> GiftSyntaxError:
        return GiftSyntaxError(line, message)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append((line, message))

    def note(self, key: str, text_format: str | None, line: int) -> None:
        """Where the part ``key`` of the question (e.g. "choices.2.feedback") starts, and its own format."""
        if text_format is not None:
            self.formats[key] = text_format
        self.lines[key] = line

    # --- answers ---------------------------------------------------------------------------------------

    def parts(self, start: int | None = None, end: int | None = None) -> list[Part]:
        """The answers in [start, end) (default: the whole block), each from an unescaped '=' or '~' to the
        next; text before the first marker is an answer with the marker ''."""
        block = self.block
        assert block is not None
        start = self.start if start is None else start
        end = self.end if end is None else end
        positions = [m.start() for m in _MARKER.finditer(block.marks, start, end)]
        first = positions[0] if positions else end
        found = []
        if block.skip_space(start, first) < first:
            found.append(self.read_part("", start, first))
        bounds = zip(positions, [*positions[1:], end][: len(positions)], strict=True)
        found.extend(self.read_part(block.marks[s], s + 1, e) for s, e in bounds)
        return found

    def read_part(self, marker: str, start: int, end: int) -> Part:
        """An answer after its marker: optional ``%weight%``, optional ``[format]``, its text, optional
        ``#feedback`` (itself optionally starting with ``[format]``)."""
        block = self.block
        assert block is not None
        line = block.line_at(max(start - 1, 0)) if marker else block.line_at(block.skip_space(start, end))
        feedback_at = block.find("#", start, end)
        body_end = end if feedback_at == -1 else feedback_at
        weight, start = self.read_weight(start, body_end, line)
        text_format, start = read_format(block, start, body_end)
        text_line = block.line_at(block.skip_space(start, body_end)) if start < body_end else line
        feedback = feedback_format = None
        feedback_line = line
        if feedback_at != -1:
            feedback_format, feedback_start = read_format(block, feedback_at + 1, end)
            feedback = block.text[feedback_start:end].strip()
            feedback_line = block.line_at(block.skip_space(feedback_start, end))
        return Part(marker, line, weight, block.text[start:body_end].strip(), text_format, text_line,
                    feedback, feedback_format, feedback_line)

    def read_weight(self, start: int, end: int, line: int) -> tuple[Decimal | None, int]:
        """A ``%n%`` weight at ``start`` (after spaces) as a fraction and where the text after it starts;
        (None, start) when there is none."""
        block = self.block
        assert block is not None
        at = block.skip_space(start, end)
        if at < end and block.marks[at] == "%":
            closing = block.find("%", at + 1, end)
            if closing != -1:
                return weight_value(block.text[at + 1 : closing], line), closing + 1
        return None, start

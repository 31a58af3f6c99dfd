"""GIFT source as the reader walks it: a quiz file cut into question blocks (at blank lines, comment lines
set aside), and one block with its escapes resolved, still able to say which file line each character came
from. The rules are the first decisions listed in learnhub.content.gift, which reads the grammar on top.

A :class:`Block` keeps two strings of the same length: ``text``, what the author means, and ``marks``, the
same with every escaped character replaced by NUL, so searching ``marks`` for ``{``, ``=`` or ``#`` finds
only structural characters.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

_ESCAPABLE = frozenset("~=#{}:\\")


class GiftSyntaxError(ValueError):
    """GIFT the parser cannot read: ``line`` (1-based, in the file) and ``message`` (what was expected)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message

    def __reduce__(self):  # keeps the error picklable despite its two-argument constructor
        return (type(self), (self.line, self.message))


@dataclass(frozen=True)
class SourceBlock:
    """One question's lines (number, text) between blank lines, and the ``//`` comment lines among them."""

    lines: list[tuple[int, str]]
    comments: list[str]


def blocks(text: str) -> list[SourceBlock]:
    """The file's questions, split at blank lines; a block of comment lines only is no question.

    Comment lines (``//`` after optional indentation) do not separate questions; as in Moodle, those of a
    block are kept with it, for the ``[id:...]`` and ``[tag:...]`` they may hold.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    found: list[SourceBlock] = []
    current: list[tuple[int, str]] = []
    comments: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            if current:
                found.append(SourceBlock(current, comments))
            current, comments = [], []
        elif stripped.startswith("//"):
            comments.append(stripped)
        else:
            current.append((number, line))
    if current:
        found.append(SourceBlock(current, comments))
    return found


def _resolve(line: str) -> tuple[str, str]:
    """The line with escapes resolved, and the same with every escaped character replaced by NUL."""
    if "\\" not in line:
        return line, line
    text: list[str] = []
    marks: list[str] = []
    i, end = 0, len(line)
    while i < end:
        char = line[i]
        if char == "\\" and i + 1 < end and (line[i + 1] in _ESCAPABLE or line[i + 1] == "n"):
            text.append("\n" if line[i + 1] == "n" else line[i + 1])
            marks.append("\0")
            i += 2
        else:
            text.append(char)
            marks.append(char)
            i += 1
    return "".join(text), "".join(marks)


class Block:
    """One question's source with escapes resolved.

    ``text`` holds the characters as the author means them; ``marks`` has the same length with every
    escaped character replaced by NUL, so searching ``marks`` finds only structural characters.
    """

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        texts: list[str] = []
        marks: list[str] = []
        self._starts: list[int] = []
        self._numbers: list[int] = []
        offset = 0
        for number, line in lines:
            text, mark = _resolve(line)
            self._starts.append(offset)
            self._numbers.append(number)
            texts.append(text)
            marks.append(mark)
            offset += len(text) + 1
        self.text = "\n".join(texts)
        self.marks = "\n".join(marks)
        self.end = len(self.text)
        self.last_line = lines[-1][0]

    def line_at(self, index: int) -> int:
        """The file line of the character at ``index``."""
        return self._numbers[max(bisect_right(self._starts, index) - 1, 0)]

    def find(self, token: str, start: int, end: int) -> int:
        """Index of the first unescaped ``token`` in [start, end), or -1."""
        return self.marks.find(token, start, end)

    def skip_space(self, start: int, end: int) -> int:
        """The index of the first non-whitespace character in [start, end), or ``end``."""
        while start < end and self.text[start].isspace():
            start += 1
        return start

    def snippet(self, start: int, end: int) -> str:
        """The text in [start, end), short enough to quote in a message."""
        return snippet(self.text[start:end])


def snippet(text: str) -> str:
    """Text short enough to quote in a message, on one line."""
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"

"""GIFT source as the reader walks it: a quiz file cut into question blocks (at blank lines, comment lines
dropped), and one block with its escapes resolved, still able to say which file line each character came
from. The rules are the first decisions listed in learnhub.content.gift, which reads the grammar on top.

A :class:`Block` keeps two strings of the same length: ``text``, what the author means, and ``marks``, the
same with every escaped character replaced by NUL, so searching ``marks`` for ``{``, ``=`` or ``#`` finds
only structural characters.
"""

from __future__ import annotations

from bisect import bisect_right

_ESCAPABLE = frozenset("~=#{}:\\")


def blocks(text: str) -> list[list[tuple[int, str]]]:
    """The file's questions as lists of (line number, line), comment lines dropped, split at blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    found: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            if current:
                found.append(current)
                current = []
        elif not stripped.startswith("//"):
            current.append((number, line))
    if current:
        found.append(current)
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

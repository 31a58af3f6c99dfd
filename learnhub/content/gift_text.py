"""Writing texts, weights and numbers as GIFT so that both LearnHub's reader and Moodle's importer read them
back exactly: the pieces every question type's writer uses (the file as a whole is `gift_writer`).

- Every character the reader treats specially is escaped, as Moodle's exporter does: ``\\ ~ = # { } :``
  with a backslash, and a line break as ``\\n``; so a text never spans lines.
- A part's ``[format]`` marker is written when its format differs from the one it inherits, and also when
  the text itself starts with something a reader would take for a marker (``[html]...``) or, where a
  weight may stand, for a weight (``%5% off``): the marker then protects the text.
"""

from __future__ import annotations

from collections.abc import Mapping

from learnhub.content.decimals import exact
from learnhub.content.gift_answers import looks_like_format

_ESCAPES = {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:", "\n": "\\n"}
_TABLE = str.maketrans(_ESCAPES)


class GiftWriteError(ValueError):
    """A question GIFT cannot express (a short answer holding '->' would read back as matching)."""


def escape(text: str) -> str:
    """``text`` with every special character escaped and line breaks written as ``\\n``."""
    return text.translate(_TABLE)


def number(value: float) -> str:
    """A number as its shortest exact decimal, without an exponent: 3.14, 1822, -0.5."""
    return f"{exact(value).normalize():f}"


def weight(fraction: float) -> str:
    """A weight as written between percent signs: 0.5 -> "50", -0.3333333 -> "-33.33333"."""
    return f"{(exact(fraction) * 100).normalize():f}"


class PartWriter:
    """Writes the texts of one question, each with the ``[format]`` marker it needs.

    ``default`` is the question's format, which every part inherits; ``formats`` holds the parts that have
    their own (a key such as "choices.1.feedback" -> format).
    """

    def __init__(self, default: str, formats: Mapping[str, str]) -> None:
        self.default = default
        self.formats = formats

    def part(self, key: str | None, text: str, *, weight_may_follow: bool = False) -> str:
        """The part ``key`` (None: a text whose format is never read, as a short answer) escaped, after the
        marker it needs. ``weight_may_follow``: it stands right after a '=' or '~' with no weight written,
        where a leading '%' would be read as one."""
        text_format = self.formats.get(key, self.default) if key is not None else self.default
        protect = looks_like_format(text) or (weight_may_follow and text.startswith("%"))
        marker = f"[{text_format}]" if text_format != self.default or protect else ""
        return marker + escape(text)

    def feedback(self, key: str, text: str) -> str:
        """``#feedback``, or "" when there is none."""
        return "#" + self.part(key, text) if text else ""

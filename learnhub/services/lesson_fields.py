"""A lesson's front matter as form fields (issue 16, decision 0079): split a lesson file into its front matter
keys (title, minutes: the keys docs/course-format.md gives a lesson) and its Markdown body, and write the fields
back so that an unchanged form gives the file byte for byte.

The front matter block is kept verbatim (the form carries it in a hidden field): only the lines of a key whose
value changed are rewritten, so unknown keys, comments and quoting survive. A block the fields cannot stand for
(no closing line, not YAML, not a mapping, a title that is not text, minutes that are not a whole number) is
refused with the problem, and the editor falls back to the plain text area.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from flask_babel import LazyString, lazy_gettext

from learnhub.content.assembly import FRONT_MATTER_KEYS
from learnhub.content.yaml_lines import LineMap, parse_yaml

FIELDS = FRONT_MATTER_KEYS
"""The keys shown as fields: every key of a lesson's front matter in format v1 (title, minutes)."""
_MINUTES = re.compile(r"^[0-9]{1,4}$")


class NoFields(Exception):
    """The file cannot be edited as fields; `message` says why (the editor shows the plain text instead)."""

    def __init__(self, message: LazyString):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class LessonFields:
    """A lesson file as the form shows it: the front matter block as written (`head`, with its `---` lines and
    line ends; empty when the file has none), the values of title and minutes read from it (as typed, "" when
    absent), the other keys it holds, and the Markdown body after it."""

    head: str
    title: str
    minutes: str
    others: tuple[str, ...]
    body: str


def _head_end(lines: list[str]) -> int | None:
    return next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)


def _parse_head(head: str) -> LineMap:
    lines = head.split("\n")
    end = _head_end(lines)
    if end is None:
        raise NoFields(lazy_gettext("The front matter has no closing '---' line."))
    data, failure = parse_yaml("\n" + "\n".join(lines[1:end]))
    if failure is not None:
        raise NoFields(lazy_gettext("The front matter is not valid YAML (line %(line)d).", line=failure[0]))
    if data is None:
        return LineMap()
    if not isinstance(data, LineMap):
        raise NoFields(lazy_gettext("The front matter is not a list of keys and values."))
    return data


def split(text: str) -> LessonFields:
    """The fields of a lesson file; raises NoFields when its front matter cannot be shown as fields."""
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return LessonFields("", "", "", (), text)
    end = _head_end(lines)
    if end is None:
        raise NoFields(lazy_gettext("The front matter has no closing '---' line."))
    head = "\n".join(lines[: end + 1]) + "\n"
    body = "\n".join(lines[end + 1:])
    if end + 1 == len(lines):  # the file ends on the closing line, without a line end
        head, body = head[:-1], ""
    data = _parse_head(head)
    title, minutes = data.get("title"), data.get("minutes")
    if "title" in data and not isinstance(title, str):
        raise NoFields(lazy_gettext("The title in the front matter is not a text."))
    if "minutes" in data and (isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0):
        raise NoFields(lazy_gettext("The minutes in the front matter are not a whole number."))
    return LessonFields(head, title or "", "" if minutes is None else str(minutes),
                        tuple(str(key) for key in data if key not in FIELDS), body)


def check_minutes(minutes: str) -> LazyString | None:
    """The problem with what was typed as minutes, naming the field; None when it is fine (empty: no key)."""
    if minutes.strip() and not _MINUTES.fullmatch(minutes.strip()):
        return lazy_gettext("Minutes: enter a whole number of minutes, such as 5, or leave it empty.")
    return None


def _yaml_text(value: str) -> str:
    """`value` as a YAML scalar that reads back as exactly `value`: plain when it can be, else double-quoted."""
    data, failure = parse_yaml(f"title: {value}\n")
    if failure is None and isinstance(data, LineMap) and data.get("title") == value and "\n" not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def _spans(head_lines: list[str], data: LineMap) -> dict[str, tuple[int, int]]:
    """key -> (first, last + 1) indexes in the head's lines of each key's entry (its line and the indented lines
    that continue it)."""
    spans = {}
    closing = len(head_lines) - 1
    for key in data:
        first = data.key_line(key) - 1
        last = first + 1
        while last < closing and head_lines[last][:1] in (" ", "\t"):
            last += 1
        spans[str(key)] = (first, last)
    return spans


def join(fields: LessonFields, title: str, minutes: str) -> str:
    """The lesson file with `title` and `minutes` written into the front matter of `fields` and its body; the
    head is kept as written when neither changed. An empty value removes its key; a head left with no key at
    all (and none before) is not written."""
    title, minutes = title.strip(), minutes.strip()
    if minutes.isdigit():
        minutes = str(int(minutes))
    if (title, minutes) == (fields.title.strip(), fields.minutes):
        return fields.head + fields.body
    wanted = {"title": f"title: {_yaml_text(title)}" if title else None,
              "minutes": f"minutes: {minutes}" if minutes else None}
    if not fields.head:
        entries = [line for line in wanted.values() if line]
        return ("---\n" + "\n".join(entries) + "\n---\n" if entries else "") + fields.body
    ends_open = not fields.head.endswith("\n")
    lines = (fields.head + ("\n" if ends_open else "")).split("\n")[:-1]
    spans = _spans(lines, _parse_head(fields.head))
    previous = {"title": fields.title.strip(), "minutes": fields.minutes}
    replaced: dict[int, tuple[int, str | None]] = {}
    added = []
    for key, line in wanted.items():
        if (title, minutes)[FIELDS.index(key)] == previous[key]:
            continue
        if key in spans:
            first, last = spans[key]
            replaced[first] = (last, line)
        elif line:
            added.append(line)
    out: list[str] = []
    index = 0
    while index < len(lines):
        if index in replaced:
            last, line = replaced[index]
            if line:
                out.append(line)
            index = last
            continue
        if index == len(lines) - 1:
            out.extend(added)
        out.append(lines[index])
        index += 1
    head = "\n".join(out) + ("" if ends_open else "\n")
    return head + fields.body

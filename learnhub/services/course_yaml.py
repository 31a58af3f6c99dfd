"""Rewriting course.yaml from a form without losing what the form does not manage (issue 16, decision 0080).

The file is cut into top-level *blocks*: a key at column 0 and every line under it, up to the next key at
column 0. Blank lines and `#` comments at column 0 between two blocks stay where they are. A rewrite replaces
only the blocks of keys whose value changed (compared as the loader reads them, see `same`), adds new keys
after the nearest key that precedes them in the order of format v1, and removes the keys asked for; every
other byte is kept. So an unchanged form gives the same bytes, unknown keys and comments outside a changed
block survive, and a changed block loses the comments inside it (the pages say so). Changed blocks are written
by PyYAML in block style, 110 columns wide: the style of the starter courses.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from learnhub.content.loader import COURSE_KEYS
from learnhub.content.yaml_lines import parse_yaml

REMOVE = object()  # a value for `rewrite`: leave the key out
_KEY_LINE = re.compile(r"""^(["']?)([A-Za-z_][\w-]*)\1\s*:""")  # a plain or quoted key at column 0


def read(text: str) -> dict | None:
    """course.yaml as the loader reads it (YAML 1.2 booleans), or None when it is not a mapping."""
    data, _failure = parse_yaml(text)
    return data if isinstance(data, dict) else None


def blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Top-level key -> (first line, line after its last) over `lines` (kept ends). Trailing blank lines and
    column-0 comments belong to no block."""
    starts = [(index, match.group(2)) for index, line in enumerate(lines) if (match := _KEY_LINE.match(line))]
    spans: dict[str, tuple[int, int]] = {}
    for number, (start, key) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        spans.setdefault(key, (start, end))
    return spans


def dump(key: str, value: Any) -> str:
    """One top-level key written as the starter courses write it."""
    return yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def rewrite(text: str, changes: dict[str, Any]) -> str:
    """`text` with each key of `changes` set to its value (REMOVE: left out); other lines kept as they are."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    spans = blocks(lines)
    replaced: dict[int, tuple[int, str]] = {}  # first line -> (line after, new text)
    added: dict[int, list[str]] = {}  # insert before this line -> texts
    for key, value in changes.items():
        new = "" if value is REMOVE else dump(key, value)
        if key in spans:
            start, end = spans[key]
            replaced[start] = (end, new)
        elif value is not REMOVE:
            added.setdefault(_insertion_line(key, spans, len(lines)), []).append(new)
    out: list[str] = []
    index = 0
    while index <= len(lines):
        out.extend(added.get(index, []))
        if index == len(lines):
            break
        if index in replaced:
            end, new = replaced[index]
            out.append(new)
            index = end
            continue
        out.append(lines[index])
        index += 1
    return "".join(out)


def rewrite_modules(text: str, old: list, new: list) -> str:
    """`text` with the modules list `new`, where `old` is what the file holds: a module that is unchanged keeps
    its lines (and comments) wherever it moves; a changed or new one is written afresh. When the block is not
    a plain block-style list of `old`'s length, the whole block is written again."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    span = blocks(lines).get("modules")
    segments = _segments(lines, span) if span else None
    if segments is None or len(segments[1]) != len(old):
        return rewrite(text, {"modules": new})
    head, parts, indent = segments
    unused = list(range(len(old)))
    body: list[str] = []
    for module in new:
        match = next((index for index in unused if plain(old[index]) == plain(module)), None)
        if match is not None:
            unused.remove(match)
            body.append(parts[match])
        else:
            dumped = yaml.safe_dump([module], sort_keys=False, allow_unicode=True, width=110,
                                    default_flow_style=False)
            body.append("".join(indent + line for line in dumped.splitlines(keepends=True)))
    if not new:
        return rewrite(text, {"modules": new})
    start, end = span  # type: ignore[misc]
    return "".join(lines[:start]) + head + "".join(body) + "".join(lines[end:])


def _segments(lines: list[str], span: tuple[int, int]) -> tuple[str, list[str], str] | None:
    """The `modules:` line (with any comment lines before the first item), each item's lines, and the
    items' indentation; None when the block is not a block-style list."""
    start, end = span
    if lines[start].split("#", 1)[0].strip() != "modules:":
        return None
    starts = [index for index in range(start + 1, end) if re.match(r"^ *- ", lines[index])]
    if not starts:
        return None
    indent = re.match(r"^ *", lines[starts[0]]).group(0)  # type: ignore[union-attr]
    starts = [index for index in starts if lines[index].startswith(indent + "- ")]
    if any(line.strip() and not line.lstrip().startswith("#") for line in lines[start + 1:starts[0]]):
        return None
    bounds = [*starts, end]
    parts = ["".join(lines[bounds[i]:bounds[i + 1]]) for i in range(len(starts))]
    return "".join(lines[start:starts[0]]), parts, indent


def _insertion_line(key: str, spans: dict[str, tuple[int, int]], total: int) -> int:
    """Where a new key goes: after the nearest present key before it in format v1's order, else before the
    nearest one after it, else at the end."""
    order = list(COURSE_KEYS)
    position = order.index(key) if key in order else len(order)
    before = [spans[k][1] for k in order[:position] if k in spans]
    if before:
        return max(before)
    after = [spans[k][0] for k in order[position + 1:] if k in spans]
    return min(after) if after else total


# --- what counts as the same value ------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A loaded value without its line marks: dicts, lists and scalars."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def _trimmed(value: Any) -> Any:
    """Texts as a text area gives them back: line ends LF, no surrounding white space."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return [_trimmed(item) for item in value] if isinstance(value, list) else plain(value)


def local(value: Any, default: str) -> dict:
    """A text or list per language: a plain one is the default language's; empty entries dropped; texts
    trimmed, so that a form sending back what it showed changes nothing."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        value = {default: value}
    return {key: _trimmed(item) for key, item in value.items() if _trimmed(item) not in ("", None, [])}


def same(key: str, old: Any, new: Any, default: str) -> bool:
    """Whether `new` (from the form) means what `old` (from the file; None when absent) means to the loader,
    so that the block is kept byte for byte."""
    if key in ("title", "summary", "objectives"):
        return local(old, default) == local(new, default)
    if key in ("roles", "sectors"):
        return list(old or []) == list(new or [])
    if key == "certificate":
        return (old if old is not None else False) is (new if new is not None else False)
    if key == "fallback":
        return plain(old or {}) == plain(new or {})
    if key == "reviewed":
        return _date_text(old) == _date_text(new)
    if key == "pass_mark" and isinstance(old, bool):
        return False
    return plain(old) == plain(new)


def _date_text(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip() if value is not None else None

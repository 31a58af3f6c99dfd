"""YAML that remembers where things are: mappings and sequences carrying the 1-based line of each key
and item, duplicate keys recorded rather than lost, and YAML 1.2 booleans (only true/false, so that
`no` (Norwegian) and `on` stay strings)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml


class LineMap(dict):
    """A YAML mapping with the line of the mapping, of each key and of each value (1-based)."""

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.key_lines: dict[Any, int] = {}
        self.value_lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int, int]] = []  # (key, line, first line)

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineSeq(list):
    """A YAML sequence with the line of the sequence and of each item."""

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.item_lines: list[int] = []

    def item_line(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class LineLoader(yaml.SafeLoader):
    """yaml.SafeLoader that records line marks, reports duplicate keys, and reads booleans as YAML 1.2
    does: only true/false, so that `no` (Norwegian) and `on` stay strings."""


_BOOL = "tag:yaml.org,2002:bool"
LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
LineLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _construct_map(loader: LineLoader, node: yaml.MappingNode) -> Iterable[LineMap]:
    data = LineMap()
    data.line = node.start_mark.line + 1
    yield data
    first_seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, "found a key that is not a plain value",
                key_node.start_mark,
            ) from None
        line = key_node.start_mark.line + 1
        if key in first_seen:
            data.duplicates.append((key, line, first_seen[key]))
        else:
            first_seen[key] = line
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        data[key] = loader.construct_object(value_node, deep=False)
        data.key_lines[key] = key_node.start_mark.line + 1
        data.value_lines[key] = value_node.start_mark.line + 1


def _construct_seq(loader: LineLoader, node: yaml.SequenceNode) -> Iterable[LineSeq]:
    data = LineSeq()
    data.line = node.start_mark.line + 1
    yield data
    for child in node.value:
        data.item_lines.append(child.start_mark.line + 1)
        data.append(loader.construct_object(child, deep=False))


def _construct_timestamp(loader: LineLoader, node: yaml.ScalarNode):
    """A date or time, or an error at its line: 2025-02-30 names the line rather than the whole file."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as err:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{node.value}' is not a real date ({err})", node.start_mark) from None


LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


_YAML_HINTS = (
    ("mapping values are not allowed", "; if a text contains ': ', put it in quotes"),
    ("'\\t'", "; indent with spaces, not tabs"),
    ("<block", "; check the indentation"),
    ("could not find expected ':'", "; check the indentation, or put the text in quotes"),
)


def _yaml_hint(problem: str) -> str:
    return next((hint for needle, hint in _YAML_HINTS if needle in problem), "")


def parse_yaml(text: str) -> tuple[Any, tuple[int, str] | None]:
    """(data, None), or (None, (line, message)) when the text is not YAML we accept."""
    loader = None
    try:
        loader = LineLoader(text)
        return loader.get_single_data(), None
    except yaml.reader.ReaderError as err:
        line = text[: err.position].count("\n") + 1
        return None, (line, f"invalid YAML: control character #x{err.character:04x} is not allowed")
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = err.problem or err.context or "not valid YAML"
        return None, (line, f"invalid YAML: {problem}{_yaml_hint(problem)}")
    except yaml.YAMLError as err:
        return None, (0, f"invalid YAML: {err}")
    except RecursionError:
        return None, (0, "invalid YAML: nested too deeply")
    except (ValueError, TypeError, OverflowError) as err:  # e.g. a date such as 2024-02-30
        return None, (0, f"invalid YAML: {err}")
    finally:
        if loader is not None:
            loader.dispose()

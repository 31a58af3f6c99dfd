"""The JSON log line: one object per record with the fields an operator filters on."""

from __future__ import annotations

import json
import logging
import sys

from learnhub.logs import JsonFormatter


def record(message: str, *args, level: int = logging.INFO, exc_info=None, **extra) -> logging.LogRecord:
    made = logging.LogRecord("learnhub.requests", level, __file__, 1, message, args, exc_info)
    made.created = 1_767_225_600.25  # 2026-01-01 00:00:00.250 UTC
    made.__dict__.update(extra)
    return made


def test_a_request_record_becomes_one_json_object_with_every_field():
    line = JsonFormatter().format(record(
        "%s %s %s", "GET", "/courses", 200, request_id="abc123",
        method="GET", path="/courses", status=200, duration_ms=12.5,
    ))
    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2026-01-01T00:00:00.250Z", "level": "INFO", "logger": "learnhub.requests",
        "message": "GET /courses 200", "request_id": "abc123",
        "method": "GET", "path": "/courses", "status": 200, "duration_ms": 12.5,
    }


def test_a_record_outside_a_request_has_a_null_request_id_and_no_request_fields():
    entry = json.loads(JsonFormatter().format(record("coverage rollup rebuilt", level=logging.WARNING)))
    assert entry == {
        "time": "2026-01-01T00:00:00.250Z", "level": "WARNING", "logger": "learnhub.requests",
        "message": "coverage rollup rebuilt", "request_id": None,
    }


def test_line_breaks_and_other_line_separators_stay_inside_the_line():
    forged = "/x\n2026-12-04 INFO admin logged in\r\u2028\x85"
    line = JsonFormatter().format(record("path %s", forged))
    assert line.isascii() and len(line.splitlines()) == 1
    assert json.loads(line)["message"] == f"path {forged}"


def test_a_traceback_is_one_string_field():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        entry = json.loads(JsonFormatter().format(record("error", level=logging.ERROR, exc_info=sys.exc_info())))
    assert entry["level"] == "ERROR"
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("RuntimeError: boom")

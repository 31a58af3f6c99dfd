"""Log lines an operator can follow: a request id on every request, JSON lines on demand.

Every request gets an id, sent back in the `X-Request-ID` response header and put on every log record
written while the request runs (`RequestIdFilter`). The id comes from the `X-Request-ID` request
header only when a trusted reverse proxy is in front (LEARNHUB_TRUSTED_PROXIES > 0) and the value is
short and plain; otherwise, and always without a proxy, it is generated, so a client cannot choose
what appears in the logs.

LEARNHUB_LOG_FORMAT=text (the default) leaves Flask's log lines as they were. LEARNHUB_LOG_FORMAT=json
writes every record, the application's and its libraries', to standard error as one JSON object per
line (`JsonFormatter`), and adds one line per request with its method, path, status and duration. Paths
are logged without their query string, and a secret in a path (a password-reset or e-mail verification
token) is replaced by "[redacted]". Decision 0030 says why.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, current_app, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Route arguments that are secrets: /email/verify/<token>, /password/reset/<token>.
SECRET_PATH_ARGUMENTS = frozenset({"token"})
REDACTED = "[redacted]"
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
JSON_HANDLER_NAME = "learnhub-json"
# Loggers whose INFO lines an operator wants in JSON mode: the application's and the migrations'.
INFO_LOGGERS = ("learnhub", "alembic")

_REQUEST_ID_KEY = "learnhub.request_id"
_STARTED_KEY = "learnhub.request_started"
request_log = logging.getLogger("learnhub.requests")


def request_id() -> str | None:
    """The current request's id, fixed at its first use; None outside a request (commands, start-up)."""
    if not has_request_context():
        return None
    environ = request.environ
    if _REQUEST_ID_KEY not in environ:
        environ[_REQUEST_ID_KEY] = _trusted_incoming_id() or uuid.uuid4().hex
    return environ[_REQUEST_ID_KEY]


def _trusted_incoming_id() -> str | None:
    if not current_app.config["TRUSTED_PROXIES"]:
        return None
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if SAFE_REQUEST_ID.fullmatch(value) else None


def loggable_path() -> str:
    """The request's path, never its query string, with secret route arguments replaced by "[redacted]"."""
    path = request.path
    arguments = request.view_args or {}
    for name in SECRET_PATH_ARGUMENTS & arguments.keys():
        secret = str(arguments[name])
        if secret:
            path = path.replace(secret, REDACTED)
    return path


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id`: the current request's, or None outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One record as one line of JSON: time (ISO 8601, UTC), level, logger, message, request_id, the
    request fields when the record carries them, and the traceback as one escaped string.

    Non-ASCII characters are escaped too, so no character in a message (a line break, U+2028) can start
    a line of its own in whatever reads the log."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def init_app(app: Flask) -> None:
    """Request ids for every app, and the process's log handler for the app's format. Called first in
    create_app, so that the request's clock starts before any other hook runs.

    Logging is per process, not per app: the last app created decides the format (tests create both)."""
    app.before_request(_start_clock)
    app.after_request(_send_request_id)
    if app.config["LOG_FORMAT"] == "json":
        _use_json_lines(app)
        app.after_request(_log_request)
    else:
        _drop_json_lines()


def _start_clock() -> None:
    request.environ[_STARTED_KEY] = time.perf_counter()


def _send_request_id(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    return response


def _log_request(response):
    started = request.environ.get(_STARTED_KEY)
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    path = loggable_path()
    request_log.info("%s %s %s", request.method, path, response.status_code, extra={
        "method": request.method, "path": path, "status": response.status_code, "duration_ms": duration_ms,
    })
    return response


def _use_json_lines(app: Flask) -> None:
    root = logging.getLogger()
    _drop_json_lines()
    handler = logging.StreamHandler()  # standard error, where gunicorn and systemd collect it
    handler.set_name(JSON_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    for name in INFO_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    app.logger.removeHandler(default_handler)  # Flask's text line would repeat each record


def _drop_json_lines() -> None:
    """Back to Flask's text lines, if an earlier app in this process switched to JSON."""
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if handler.get_name() == JSON_HANDLER_NAME]
    for handler in ours:
        root.removeHandler(handler)
    if ours:
        for name in INFO_LOGGERS:
            logging.getLogger(name).setLevel(logging.NOTSET)

"""What every request must satisfy before a view reads it, so that odd input is "not found" or "bad
request", never an error deep in a query.

- `<id:name>` in a route: a row id within what both databases store (PostgreSQL's integer, 1 to
  2^31 - 1). 2^31, 2^63, -1, 0 or 5,000 digits match no page, instead of overflowing a query parameter.
- No NUL byte in the path (404), the query string or a form (400): PostgreSQL refuses NUL in text, and
  no person types one. Other control characters are cleaned field by field (learnhub.web.forms).
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """`<id:attempt_id>`: ASCII digits, 1 to MAX_ID; anything else does not match the route (404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


# The bodies Werkzeug parses into request.form; any other body is never read as a form.
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_nul_bytes() -> None:
    """The query is parsed only when its raw text holds a NUL byte or "%00" (which may be "%2500", a literal
    "%00"): a page that never reads its query does not parse it for this check alone (issue 14)."""
    if "\x00" in request.path:
        abort(404)
    query = request.query_string
    if (b"\x00" in query or b"%00" in query) and _has_nul(request.args.items(multi=True)):
        abort(400)
    if request.mimetype in _FORM_TYPES and _has_nul(request.form.items(multi=True)):
        abort(400)


def init_app(app: Flask) -> None:
    """Before the blueprints: their rules need the converter, and the check runs before CSRF and limits."""
    app.url_map.converters["id"] = DatabaseId
    app.before_request(refuse_nul_bytes)

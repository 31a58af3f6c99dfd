"""Request ids and JSON log lines through the app: the id a response carries is the id its log lines carry."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from learnhub.logs import INFO_LOGGERS, JSON_HANDLER_NAME
from tests.conftest import fresh_database_url, make_app, upgrade_database

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("request_logs")
    url = fresh_database_url("request_logs", folder)
    upgrade_database(make_app(url, folder))
    return url


@pytest.fixture
def json_app(database_url, tmp_path):
    """make_json_app(**settings) -> (app, lines): an app writing JSON logs, and a function returning what
    its log handler wrote so far, parsed. The handler is taken out afterwards."""
    root = logging.getLogger()

    def factory(**settings):
        app = make_app(database_url, tmp_path, LOG_FORMAT="json", **settings)
        [handler] = [h for h in root.handlers if h.get_name() == JSON_HANDLER_NAME]
        stream = io.StringIO()
        handler.setStream(stream)
        return app, lambda: [json.loads(line) for line in stream.getvalue().splitlines()]

    yield factory
    for handler in [h for h in root.handlers if h.get_name() == JSON_HANDLER_NAME]:
        root.removeHandler(handler)
    for name in INFO_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_every_response_carries_a_generated_request_id_in_text_mode_too(database_url, tmp_path):
    client = make_app(database_url, tmp_path).test_client()
    first, second = client.get("/health"), client.get("/health")
    assert GENERATED_ID.fullmatch(first.headers["X-Request-ID"])
    assert GENERATED_ID.fullmatch(second.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_request_logs_one_json_line_with_its_id_method_path_status_and_duration(json_app):
    app, lines = json_app()
    response = app.test_client().get("/health?token=s3cret-in-the-query")
    assert response.status_code == 200
    [entry] = [e for e in lines() if e["logger"] == "learnhub.requests"]
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert (entry["level"], entry["method"], entry["path"], entry["status"]) == ("INFO", "GET", "/health", 200)
    assert entry["message"] == "GET /health 200"
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
    assert "s3cret" not in json.dumps(lines())


def test_a_token_in_the_path_is_not_logged(json_app):
    app, lines = json_app()
    client = app.test_client()
    assert client.get("/password/reset/not-a-real-but-secret-token").status_code == 404
    assert client.get("/email/verify/another-secret-token").status_code == 404
    paths = [e["path"] for e in lines() if e["logger"] == "learnhub.requests"]
    assert paths == ["/password/reset/[redacted]", "/email/verify/[redacted]"]
    assert "secret-token" not in json.dumps(lines())


def test_the_proxys_request_id_is_used_only_behind_a_trusted_proxy(json_app):
    app, lines = json_app()
    direct = app.test_client().get("/health", headers={"X-Request-ID": "chosen-by-the-client"})
    assert GENERATED_ID.fullmatch(direct.headers["X-Request-ID"])

    app, lines = json_app(TRUSTED_PROXIES=1)
    proxied = app.test_client().get("/health", headers={"X-Request-ID": "edge-7f3a.01_B"})
    assert proxied.headers["X-Request-ID"] == "edge-7f3a.01_B"
    assert [e["request_id"] for e in lines() if e["logger"] == "learnhub.requests"] == ["edge-7f3a.01_B"]


@pytest.mark.parametrize("unsafe", ["", "a" * 65, "id with spaces", "x\r\nX-Injected: 1", "<script>", "ünïcode"])
def test_an_unsafe_request_id_from_the_proxy_is_replaced(json_app, unsafe):
    app, _ = json_app(TRUSTED_PROXIES=1)
    # Werkzeug's test client refuses a header with a line break, so the environ carries it as a server would.
    response = app.test_client().get("/health", environ_base={"HTTP_X_REQUEST_ID": unsafe})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_a_server_error_logs_a_json_line_with_the_traceback_and_the_responses_request_id(json_app):
    app, lines = json_app()

    @app.route("/_boom/<rest>")
    def boom(rest):
        raise RuntimeError("boom")

    response = app.test_client().get("/_boom/x%0A2026-12-04 INFO admin logged in")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    [error] = [e for e in lines() if e["level"] == "ERROR"]
    assert error["request_id"] == request_id
    assert error["logger"] == "learnhub"
    assert re.fullmatch(r"error [0-9a-f]{12} on GET '/_boom/x\\n2026-12-04 INFO admin logged in'", error["message"])
    assert error["exception"].endswith("RuntimeError: boom")
    [logged] = [e for e in lines() if e["logger"] == "learnhub.requests"]
    assert (logged["request_id"], logged["status"]) == (request_id, 500)


def test_migrations_keep_writing_json_lines(json_app, tmp_path):
    app, lines = json_app()
    upgrade_database(app)  # already at head: alembic still reports its context ("Context impl ...")
    entries = lines()  # every line parsed as JSON: alembic.ini's text format was not loaded over ours
    assert "alembic.runtime.migration" in {e["logger"] for e in entries}
    assert all(e["request_id"] is None for e in entries)

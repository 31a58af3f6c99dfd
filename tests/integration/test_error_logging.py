"""The 500 handler's log line cannot be split by a line break in the request path (ASVS V7.3.1)."""

from __future__ import annotations

import logging

from tests.conftest import make_app


def test_a_line_break_in_the_path_stays_inside_one_log_line(tmp_path, caplog):
    app = make_app(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)

    @app.route("/_boom/<rest>")
    def boom(rest):
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = app.test_client().get("/_boom/x%0A2026-12-04 INFO admin logged in")
    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.getMessage().startswith("error ")]
    message = record.getMessage()
    assert "\n" not in message
    assert message.endswith(r"on GET '/_boom/x\n2026-12-04 INFO admin logged in'")

"""The client address behind a reverse proxy: believed only for the configured number of hops."""

from __future__ import annotations

from flask import request

from learnhub.security import client_ip
from tests.conftest import make_app


def address_seen(app, headers: dict[str, str]) -> tuple[str | None, str | None]:
    seen: dict[str, str | None] = {}

    @app.route("/_whoami")
    def whoami():
        seen["ip"] = client_ip()
        seen["scheme"] = request.scheme
        return "ok"

    app.test_client().get("/_whoami", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    return seen["ip"], seen["scheme"]


def test_forwarded_headers_are_ignored_by_default(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    ip, scheme = address_seen(app, {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert (ip, scheme) == ("10.0.0.2", "http")


def test_one_trusted_proxy_gives_the_client_address_and_scheme(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'a.db'}", tmp_path, TRUSTED_PROXIES=1)
    # A client may prepend a fake address; only the hop the proxy added is believed.
    ip, scheme = address_seen(app, {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"})
    assert (ip, scheme) == ("203.0.113.9", "https")

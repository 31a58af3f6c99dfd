"""Login throttling that holds across workers and instances, and that an attacker cannot turn into a lockout."""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from learnhub.models import AuditEvent
from learnhub.services import login_throttle, throttle
from tests.conftest import (
    CSRF_INPUT,
    DEFAULT_PASSWORD,
    csrf_token,
    fresh_database_url,
    log_in,
    make_app,
)

OWNER_IP, ATTACKER_IP, FRESH_IP = "198.51.100.7", "203.0.113.9", "192.0.2.44"


def client_at(app, ip: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})


def attack(app, email: str, tries: int = 8, ip: str = ATTACKER_IP) -> list[int]:
    attacker = client_at(app, ip)
    return [log_in(attacker, email, f"guess number {i} for you").status_code for i in range(tries)]


def test_an_attacker_elsewhere_cannot_keep_the_owner_out_of_a_browser_that_logged_in_before(app, db, make_user):
    make_user(email="ana@example.org")
    owner = client_at(app, OWNER_IP)
    first = log_in(owner, "ana@example.org")
    assert first.status_code == 303
    cookie = next(value for value in first.headers.getlist("Set-Cookie") if value.startswith("learnhub_device="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=15552000" in cookie  # 180 days
    log_out(owner)
    assert attack(app, "ana@example.org") == [400] * 5 + [429] * 3
    assert log_in(owner, "ana@example.org").status_code == 303  # the right password, from the known browser
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "auth.login_failed")).all()
    throttled = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "auth.login_throttled")).all()
    assert len(failed) == 5 and {event.ip for event in failed} == {ATTACKER_IP}
    assert [event.detail["reason"] for event in throttled] == ["account-slowed"] * 3


def test_an_exhausted_account_slows_down_per_address_instead_of_locking(app, db, make_user):
    make_user(email="ana@example.org")
    assert attack(app, "ana@example.org") == [400] * 5 + [429] * 3
    # A newcomer's browser at another address (no device cookie) still gets a try, and the right password works.
    assert log_in(client_at(app, FRESH_IP), "ana@example.org").status_code == 303
    # A wrong try from there must then wait, as the attacker does, and is told for how long.
    other = client_at(app, "192.0.2.45")
    assert log_in(other, "ana@example.org", "not the password at all").status_code == 400
    refused = log_in(other, "ana@example.org")
    assert refused.status_code == 429 and 55 <= int(refused.headers["Retry-After"]) <= 60
    assert "wait 1 minute and try again" in refused.get_data(as_text=True)  # not "1 minutes" (issue 20)


def test_the_slow_down_doubles_per_failure_up_to_a_cap(app, db):
    limits = login_throttle.LoginLimits.from_config(app.config)
    now = throttle.utcnow()
    with app.app_context():
        for _ in range(5):  # someone else has used up the account's allowance
            throttle.record("login-account", "ana@example.org", now)
        waits = []
        for failures in range(1, 8):
            throttle.record("login-pair", f"ana@example.org|{ATTACKER_IP}", now)
            verdict = login_throttle.check("ana@example.org", ATTACKER_IP, None, limits, now)
            assert not verdict.allowed and verdict.reason == "account-slowed", failures
            waits.append(verdict.retry_after // 60)
        assert waits == [1, 2, 4, 8, 16, 30, 30]
        later = now + timedelta(minutes=31)
        assert login_throttle.check("ana@example.org", ATTACKER_IP, None, limits, later).allowed


def test_a_known_browser_is_limited_by_its_own_failures(app, db, make_user):
    make_user(email="ana@example.org")
    owner = client_at(app, OWNER_IP)
    assert log_in(owner, "ana@example.org").status_code == 303
    log_out(owner)
    statuses = [log_in(owner, "ana@example.org", f"typo {i} in the password").status_code for i in range(5)]
    assert statuses == [400] * 5
    # Beyond its own limit the browser counts as unknown: the account's allowance for strangers is untouched.
    assert log_in(owner, "ana@example.org").status_code == 303


def test_a_forged_or_foreign_device_cookie_is_not_trusted(app, db, make_user):
    make_user(email="ana@example.org")
    make_user(email="bob@example.org")
    browser = client_at(app, ATTACKER_IP)
    assert log_in(browser, "bob@example.org").status_code == 303  # a genuine cookie, for another account
    log_out(browser)
    assert [log_in(browser, "ana@example.org", f"guess {i} again").status_code for i in range(6)] == [400] * 5 + [429]
    browser.set_cookie("learnhub_device", "forged.value", domain="localhost")
    assert log_in(browser, "ana@example.org", "one more guess here").status_code == 429


def test_unknown_addresses_are_throttled_like_known_ones(app, db, make_user):
    make_user(email="ana@example.org")
    known = attack(app, "ana@example.org", ip="203.0.113.1")
    unknown = attack(app, "nobody@example.org", ip="203.0.113.2")
    assert known == unknown == [400] * 5 + [429] * 3


def test_the_quiz_login_is_throttled_with_the_same_counters(app, db, make_user):
    sync = app.test_cli_runner().invoke(args=["courses", "sync", app.config["COURSES_DIR"]])
    assert sync.exit_code == 0, sync.output
    make_user(email="ana@example.org")
    assert attack(app, "ana@example.org") == [400] * 5 + [429] * 3
    attacker = client_at(app, ATTACKER_IP)
    quiz = "/courses/passwords-mfa/quizzes/check-passwords-mfa"
    page = attacker.post(quiz, data={"token": "t"}).get_data(as_text=True)  # the quiz's own login form
    response = attacker.post(quiz, data={
        "csrf_token": csrf_token(page), "email": "ana@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429 and response.headers["Retry-After"]  # the (right) password is not checked
    assert attacker.get("/account/profile").status_code == 302


# --- several processes on one database -------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(port: int, server: subprocess.Popen) -> None:
    for _ in range(150):  # at most 30 s
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10)
            return
        except OSError:  # not listening yet, or still starting
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def bad_login(port: int) -> int:
    """One failed login through a fresh browser (own cookies), as the audit fired them."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(base + "/login", timeout=30).read().decode()
    assert "<form" in page and not CSRF_INPUT.search(page)  # an anonymous form: no session token (decision 0037)
    data = urllib.parse.urlencode({"email": "ana@example.org", "password": "a wrong guess at it"}).encode()
    try:
        return opener.open(base + "/login", data=data, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_limit_holds_across_processes_on_one_database(tmp_path):
    """Two app instances (processes) on one database, the audit's 16 bad logins alternated between them."""
    env = {**os.environ, "LEARNHUB_ENV": "development", "LEARNHUB_INSTANCE_DIR": str(tmp_path),
           "LEARNHUB_DATABASE_URL": fresh_database_url("instances", tmp_path),
           "LEARNHUB_SECRET_KEY": "s" * 48, "LEARNHUB_MAIL_DIR": str(tmp_path / "mail")}
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "learnhub", "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    subprocess.run([bin_dir / "learnhub", "users", "create", "ana@example.org"], env=env, check=True,
                   capture_output=True, input=DEFAULT_PASSWORD + "\n", text=True, timeout=60)
    ports, servers = [free_port(), free_port()], []
    try:
        for port in ports:
            servers.append(subprocess.Popen(
                [bin_dir / "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"], env=env,
                cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        for port, server in zip(ports, servers, strict=True):
            wait_until_serving(port, server)
        statuses = [bad_login(ports[i % 2]) for i in range(16)]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    assert statuses.count(400) == 5 and statuses.count(429) == 11, statuses


# --- Flask-Limiter's shared store (the API limit) on Redis -------------------------------------------

def redis_answers() -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis answers on 127.0.0.1:6379")
def test_the_api_limit_is_counted_in_redis_when_configured(app, tmp_path):
    import redis

    from learnhub.extensions import limiter

    prefix = f"learnhub-test-{uuid.uuid4().hex}"
    shared = make_app(f"sqlite:///{tmp_path / 'redis.db'}", tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
                      RATELIMIT_KEY_PREFIX=prefix, API_RATE_LIMIT="2 per minute")
    connection = redis.Redis(host="127.0.0.1", port=6379)
    try:
        statuses = [shared.test_client().get("/api/v1/countries").status_code for _ in range(3)]
        assert statuses == [401, 401, 429]
        assert any(prefix in key.decode() for key in connection.scan_iter(match=f"*{prefix}*"))
    finally:
        for key in connection.scan_iter(match=f"*{prefix}*"):
            connection.delete(key)
        with app.app_context():
            limiter.init_app(app)  # the session's app gets its memory store back

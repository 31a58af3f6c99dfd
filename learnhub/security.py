"""Access rules and HTTP hardening: safe redirects, role checks, security headers, audit from a request."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, request
from flask_login import current_user, login_required

from learnhub.services import audit

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next_url(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None.

    Refuses scheme-relative (`//x`), backslash (`/\\x`), schemes (`https:x`, `javascript:`), control
    characters and whitespace that browsers strip (tab-split `/\\t/x`), and the same tricks once
    percent-decoded (a decoded `//` would be followed by some clients).
    """
    if not target:
        return None
    for candidate in (target, unquote(target), unquote(unquote(target))):
        if _UNSAFE_CHARACTERS.search(candidate):
            return None
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target


def role_required(*roles: str) -> Callable:
    """Logged-in users of these roles only; others get 404, so the route's existence is not revealed."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def client_ip() -> str | None:
    return request.remote_addr


def audit_request(event: str, actor_id: int | None = None, **detail) -> None:
    """Record an audit event for the current request (actor defaults to the logged-in user)."""
    if actor_id is None and current_user and current_user.is_authenticated:
        actor_id = current_user.id
    audit.record(event, actor_id=actor_id, ip=client_ip(), **detail)


def no_store(response):
    """Pages with a learner's results, a form token or a report must never be kept by a cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def add_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["LEARNHUB_ENV"] == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and request.endpoint.startswith(("auth.", "account.")):
            headers["Cache-Control"] = "no-store"
        return response

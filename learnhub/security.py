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


def same_origin(source: str | None) -> bool:
    """Whether an Origin or Referer value names this site (any value but ours, "null" included, does not)."""
    if not source:
        return False
    parts = urlsplit(source)
    return parts.netloc == request.host and parts.scheme in ("http", "https")


def sent_from_this_site() -> bool:
    """Whether the browser says this request comes from one of our own pages: Sec-Fetch-Site when it sends it,
    else Origin, else Referer. Every browser LearnHub supports sends Sec-Fetch-Site or Origin with a form
    posted from another site, so a request with none of the three did not come from another site's page in
    such a browser (a program, or a privacy tool that strips them); it is let through (decision 0037)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value is not None:
            return same_origin(value)
    return True


def anonymous_form(view: Callable) -> Callable:
    """A form that people use before they have a session (log in, register, reset a password, choose the
    language): protected by the browser's own statement of where the form was sent from (sent_from_this_site)
    instead of a CSRF token, which would need a session cookie on every anonymous page (decision 0037). A
    form from another site gets the CSRF error page, without an offer to resend it."""
    from flask_wtf.csrf import CSRFError

    from learnhub.extensions import csrf

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method == "POST" and not sent_from_this_site():
            raise CSRFError("The form was sent from another site.")
        return view(*args, **kwargs)

    return csrf.exempt(wrapped)


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


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
PRODUCTION_HEADERS = (*SECURITY_HEADERS, ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))


def add_security_headers(app: Flask) -> None:
    defaults = PRODUCTION_HEADERS if app.config["LEARNHUB_ENV"] == "production" else SECURITY_HEADERS

    @app.after_request
    def _headers(response):
        headers = response.headers
        # Each header a view did not set itself (a view may set its own policy). Looked up once, by name: Headers'
        # own setdefault raises and catches an exception per missing name, on every response (issue 14).
        present = {name.lower() for name, _value in headers.items()}
        headers.extend([(name, value) for name, value in defaults if name.lower() not in present])
        if request.endpoint in PUBLIC_PAGES and _shared_cache_may_keep(response):
            headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        elif request.endpoint and request.endpoint.startswith(("auth.", "account.")):
            headers["Cache-Control"] = "no-store"
        if response.mimetype == "text/html":
            headers.add("Vary", "Cookie")  # a page depends on who is logged in and on the chosen language
            headers.add("Vary", "Accept-Language")
        return response


# Anonymous pages that a shared proxy may keep for a minute (decision 0037): the same for every anonymous
# visitor with the same language, and without a cookie.
PUBLIC_PAGES = frozenset({"main.home", "catalog.index", "catalog.course", "auth.login", "auth.register",
                          "auth.forgot_password"})
PUBLIC_MAX_AGE = 60


def _shared_cache_may_keep(response) -> bool:
    return (request.method in ("GET", "HEAD") and response.status_code == 200
            and "Set-Cookie" not in response.headers and "Cache-Control" not in response.headers
            and not current_user.is_authenticated and not request.cookies)

"""LearnHub's Flask class: Flask with two checks it repeats on every request made once instead (issue 14).

Both are per-request costs of the framework, not of LearnHub's pages, paid on every page including the cheapest
(decision 0090):
- `ensure_sync`: Flask asks `inspect.iscoroutinefunction` of every hook and view on every request (eleven times
  on a logged-in page). A plain function or method whose code is not a coroutine's is returned as it is, as Flask
  would; anything else (a coroutine function, a partial, a callable object) takes Flask's own path.
- the session cookie's signature: Flask builds a new serializer for every request that opens or saves a session,
  and checks the cookie's signature with two HMACs each time. Here the serializer is kept while the secret keys
  stay the same, and a cookie whose signature it verified is remembered with the time it was signed, so the same
  cookie, sent again, is only checked for its age (the session's lifetime) and decoded. A cookie is remembered
  only after a full check under the current keys, so nothing unsigned is ever accepted; what is kept is not a
  session (the user behind it is read from the database on every request, services/accounts.session_user).
  When every value it holds is plain (text, a number, true or false: a logged-in session's are), its decoded
  values are remembered too, and each request gets its own copy (decision 0094); a session holding a list or a
  mapping (a flashed message, a login half done) is decoded on every request, as Flask does, so that no request
  can change what another one reads.
"""

from __future__ import annotations

import time
from inspect import CO_COROUTINE
from types import FunctionType, MethodType

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_VERIFIED_COOKIES = 4096  # about 2 MB of cookie text and values per worker at most
_PLAIN = (str, int, float, bool, type(None))  # values a shallow copy cannot share


def _plain_sync(func) -> bool:
    """Whether `func` is an ordinary function, or a method of one, that is not a coroutine function."""
    plain = func.__func__ if type(func) is MethodType else func
    return (type(plain) is FunctionType and not plain.__code__.co_flags & CO_COROUTINE
            and not hasattr(plain, "_is_coroutine_marker"))  # inspect.markcoroutinefunction (Python 3.12+)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its serializer built once per set of secret keys and each verified
    cookie's signing time remembered (for those keys only)."""

    def __init__(self) -> None:
        self._kept: tuple[tuple, URLSafeTimedSerializer | None, dict[str, tuple[int, dict | None]]] | None = None

    def _for_keys(self, app: Flask) -> tuple[tuple, URLSafeTimedSerializer | None, dict[str, tuple[int, dict | None]]]:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app), {})
        return kept

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        return self._for_keys(app)[1]

    def open_session(self, app: Flask, request):
        _keys, serializer, verified = self._for_keys(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = verified.get(value)
        if known is not None and 0 <= time.time() - known[0] <= max_age:
            if known[1] is not None:
                return self.session_class(known[1])  # (a new dict of the same plain values)
            try:  # "payload.timestamp.signature", the payload itself may begin with "." (compressed)
                return self.session_class(serializer.load_payload(value.rsplit(".", 2)[0].encode()))
            except BadSignature:  # pragma: no cover  (it decoded once, under the same keys)
                return self.session_class()
        try:
            data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:  # a bad signature, or expired: no session, as Flask does
            return self.session_class()
        if len(verified) >= MAX_VERIFIED_COOKIES:
            verified.clear()
        plain = isinstance(data, dict) and all(type(item) in _PLAIN for item in data.values())
        verified[value] = (int(signed.timestamp()), dict(data) if plain else None)
        return self.session_class(data)


class LearnHubFlask(Flask):
    """Flask, with `ensure_sync` answered without inspecting plain functions, and SessionCookies."""

    session_interface = SessionCookies()

    def ensure_sync(self, func):
        if _plain_sync(func):
            return func
        return super().ensure_sync(func)

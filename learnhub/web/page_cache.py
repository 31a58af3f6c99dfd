"""Rendered pages kept per worker, keyed by everything they show, so a hot page is rendered once and then
served with only its CSRF tokens filled in (issue 14, decision 0036).

A page may be cached when what it shows depends only on its key: the URL, the interface language, who
is looking as far as the navigation shows it (anonymous, or the role), the course's revision and sync
time (so a sync on any instance changes the key of every page it touches), and whatever per-person state
the caller adds (a lesson's done or not). Its CSRF tokens are rendered as a marker and replaced on each
request by the person's own token. A person with a message waiting (a flash) gets a fresh render, since
the message is theirs alone; so does a render that fails. Nothing here is shared between instances or
outlives the process: each worker holds at most MAX_PAGES pages, dropping the oldest.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable

from flask import render_template, request, session
from flask_login import current_user

from learnhub.i18n import current_language
from learnhub.web.form_tokens import form_token

MAX_PAGES = 2000  # about 10 KB each: 20 MB per worker at most
_MARKER = f"csrf-{secrets.token_hex(16)}"  # never in a page's own text: a new random value per process
_SLOTS = secrets.token_hex(16)  # not the CSRF marker: that one is replaced inside the cached page
_pages: OrderedDict[tuple, str] = OrderedDict()


def _csrf_marker() -> str:
    return _MARKER


def slot(name: str) -> str:
    """A marker for a per-request part of a cached page (a quiz form's token and questions), to render in
    its place and replace in the returned HTML. Random per process, like the CSRF marker."""
    return f"{name}-{_SLOTS}"


def viewer() -> str:
    """Who is looking, as far as the page's navigation can tell: "anonymous" or the role."""
    return current_user.role if current_user.is_authenticated else "anonymous"


def render(template: str, key: tuple, **context) -> str:
    """`template` rendered with `context`, from this worker's cache when the same page (the URL, the
    language, the viewer, and the caller's `key`) was rendered before."""
    return render_built(template, key, lambda: context)


def render_built(template: str, key: tuple, build: Callable[[], dict]) -> str:
    """As render, for a page whose context costs work of its own (queries): `build` runs only when the page
    is not in the cache."""
    if session.get("_flashes"):
        return render_template(template, **build())
    full_key = _full_key(key)
    html = _pages.get(full_key)
    if html is None:
        html = _pages[full_key] = render_template(template, csrf_token=_csrf_marker, **build())
        if len(_pages) > MAX_PAGES:
            _pages.popitem(last=False)
    else:
        _pages.move_to_end(full_key)
    return _with_token(html)


def cached(key: tuple) -> str | None:
    """The page this worker keeps under `key` (with the URL, the language and the viewer, as render keys it),
    ready to send; None when there is none, or when the person has a message waiting (their page is rendered)."""
    if session.get("_flashes"):
        return None
    full_key = _full_key(key)
    html = _pages.get(full_key)
    if html is None:
        return None
    _pages.move_to_end(full_key)
    return _with_token(html)


def _full_key(key: tuple) -> tuple:
    return (request.full_path, current_language(), viewer(), *key)


def _with_token(html: str) -> str:
    return html.replace(_MARKER, form_token()) if _MARKER in html else html


def size() -> int:
    """How many pages this worker holds (for /health)."""
    return len(_pages)


def clear() -> None:
    """Forget every page (tests that change templates or settings between requests)."""
    _pages.clear()

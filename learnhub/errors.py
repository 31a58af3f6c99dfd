"""Friendly error pages: a message in the user's language and an error id, never a traceback."""

from __future__ import annotations

import io
import secrets

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import ClientDisconnected, HTTPException, InternalServerError
from werkzeug.wsgi import get_input_stream

from learnhub.extensions import db
from learnhub.logs import loggable_path
from learnhub.security import sent_from_this_site
from learnhub.web.api import views as api


def _forget_body(drain_limit: int) -> None:
    """After a 413 the form is never parsed again: reading request.form (a form drawn on the error page, a
    limiter key) would raise 413 once more, inside the handler, and the client would get a bare 500. So
    empty form data is stored the way Werkzeug stores what it parsed.

    What the client is still sending is read and thrown away first, up to `drain_limit` bytes: a server
    that closes a connection with unread data resets it, and a browser then shows its own "connection
    reset" instead of this page. Bodies beyond the limit, or without a length, are not waited for."""
    length = request.content_length
    if length and length <= drain_limit:
        # Werkzeug keeps the stream it began parsing; a body refused for its length was never opened.
        stream = request.__dict__.get("stream") or get_input_stream(request.environ, max_content_length=None)
        try:
            while stream.read(64 * 1024):
                pass
        except (OSError, ClientDisconnected):
            pass
    request.__dict__.update(stream=io.BytesIO(), form=ImmutableMultiDict(), files=ImmutableMultiDict())


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        # The form's data is in request.form: the page offers to send it again with a fresh token.
        if request.endpoint == "learn.submit_quiz" and not current_user.is_authenticated:
            # The session (and its CSRF secret) expired mid-quiz: log in and submit in one step.
            return render_template("learn/quiz_login.html", form_data=request.form, failed=False), 401
        # Offer to resend only what came from one of our own pages: a form posted from another site must
        # not become a one-click "send again".
        same_site = sent_from_this_site()
        return render_template("errors/csrf.html", form_data=request.form if same_site else None,
                               action=request.path), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code >= 500:
            return server_error(error)
        if error.code == 413:
            _forget_body(drain_limit=8 * app.config["MAX_CONTENT_LENGTH"])
        if api.is_api_request():  # programs get JSON, whatever went wrong and wherever (routing errors too)
            response = api.error_response(error.code or 400)
            if error.code == 405:
                response.headers["Allow"] = ", ".join(error.valid_methods or ["GET"])
            return response
        template = "errors/429.html" if error.code == 429 else "errors/http.html"
        return render_template(template, error=error,
                               max_megabytes=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)), error.code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        error_id = secrets.token_hex(6)
        original = getattr(error, "original_exception", None) or error
        if not isinstance(original, HTTPException) or isinstance(original, InternalServerError):
            # %r: a decoded path may hold a line break (%0A), which must not start a forged log line; a token in
            # the path is redacted.
            app.logger.error("error %s on %s %r", error_id, request.method, loggable_path(), exc_info=original)
        if api.is_api_request():
            return api.error_response(500, error_id=error_id)
        return render_template("errors/500.html", error_id=error_id), 500

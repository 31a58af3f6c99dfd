"""A read-only JSON API for coverage reports, for programs that hold a personal API token.

Only `Authorization: Bearer <token>` authenticates: the session cookie is ignored, so no page of another
site can make a logged-in browser read reports, and a token's rights (role, scope, expiry, revocation)
are checked again at every call. Every call made with a valid token is audited, refusals included.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import force_locale

from learnhub import i18n
from learnhub.database import writes_on_get
from learnhub.extensions import csrf, db, limiter
from learnhub.models import ApiToken, User
from learnhub.models.base import utcnow
from learnhub.reports import coverage, formats, regional, scope
from learnhub.security import audit_request, client_ip, no_store
from learnhub.services import api_tokens
from learnhub.services.accounts import token_hash

API_PREFIX = "/api/v1"
API_LANGUAGE = "en"
MESSAGES = {
    400: "Bad request.",
    401: "A valid API token is required: send the header 'Authorization: Bearer <token>'.",
    404: "Not found.",
    405: "Method not allowed: the API is read-only (GET).",
    429: "Too many requests for this token; wait and try again (see the Retry-After header).",
    500: "Internal error.",
}
_YEAR = re.compile(r"[0-9]{4}")

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)


class Unauthorized(Exception):
    """No usable token came with the request."""


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def error_response(status: int, message: str | None = None, **detail):
    """The one shape of every API error: {"error": message, ...}, never cached."""
    response = jsonify({"error": message or MESSAGES.get(status, MESSAGES[500]), **detail})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="LearnHub API"'
    return no_store(response)


def presented_token() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return (value.strip() or None) if scheme.lower() == "bearer" else None


def _usable_token() -> ApiToken | None:
    """The request's token if it is usable, looked up once per request (the limiter asks first)."""
    if "api_token" not in g:
        g.api_token = api_tokens.usable_token(presented_token())
    return g.api_token


def _limit_key() -> str:
    """Count per usable token (its hash: never the token itself in the limiter's store); anything else,
    no token or a wrong one, per address, so inventing a new token for each call gains no allowance."""
    token = presented_token()
    return f"api-token:{token_hash(token)}" if _usable_token() is not None else f"api-address:{client_ip()}"


api_limit = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=_limit_key,
                                 error_message=MESSAGES[429])


@bp.errorhandler(Unauthorized)
def unauthorized(_error):
    return error_response(401)


def _token_and_owner() -> tuple[ApiToken, User]:
    token = _usable_token()
    if token is None:
        raise Unauthorized
    return token, db.session.get(User, token.user_id)


def _audit(event: str, token: ApiToken, owner: User, status: int, **detail) -> None:
    audit_request(event, actor_id=owner.id, token_id=token.id, status=status, **detail)
    db.session.commit()


@bp.after_request
def _never_cached(response):
    return no_store(response)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.0.3 description of this API; public, like any API documentation."""
    from learnhub.web.api.openapi import document

    return jsonify(document())


@bp.get("/countries")
@writes_on_get
@api_limit
def countries():
    token, owner = _token_and_owner()
    with force_locale(API_LANGUAGE):
        body = {"countries": [{"code": code, "name": i18n.country_name(code)}
                              for code in scope.countries_in_scope(owner)]}
    _audit("api.countries_read", token, owner, 200, countries=len(body["countries"]))
    return jsonify(body)


def _year() -> int | None:
    """The `year` parameter (this year when absent), or None when it is not a year of four digits."""
    text = request.args.get("year")
    if text is None:
        return utcnow().year
    return int(text) if _YEAR.fullmatch(text) else None


def _year_or_refusal(event: str, token, owner, known: bool, **detail):
    """(year, None), or (None, the audited answer): 400 for a malformed `year`, 404 when what was asked for
    is unknown or out of the owner's scope (`known` false) or the year is not reported."""
    year = _year()
    if year is None:
        _audit(event, token, owner, 400, **detail, year=request.args.get("year", "")[:16])
        return None, error_response(400, "The parameter 'year' must be a year of four digits, such as 2026.",
                                    parameter="year")
    if not known or not scope.year_reported(year):
        _audit(event, token, owner, 404, **detail, year=year)
        return None, error_response(404)
    return year, None


@bp.get("/regions/<region>")
@writes_on_get
@api_limit
def region_comparison(region: str):
    """The countries of a region (eu, lac or all) that the owner may read, side by side, as the regional
    comparison's JSON download."""
    token, owner = _token_and_owner()
    region = region.lower()[:8]
    year, refusal = _year_or_refusal("api.region_read", token, owner, region in regional.REGIONS, region=region)
    if refusal is not None:
        return refusal
    comparison = regional.build(region, year, current_app.config["SUPPRESSION_K"],
                                frozenset(scope.countries_in_scope(owner)))
    with force_locale(API_LANGUAGE):
        data, mimetype = formats.render_comparison(comparison, "json")
    _audit("api.region_read", token, owner, 200, region=region, year=year,
           countries=[line.country for line in comparison.lines])
    return current_app.response_class(data, mimetype=mimetype)


@bp.get("/coverage/<country>")
@writes_on_get
@api_limit
def coverage_report(country: str):
    """The country's report for a year, the same document as the dashboard's JSON download (in English).

    An unknown country and a country outside the owner's scope answer the same 404.
    """
    token, owner = _token_and_owner()
    country = country.upper()[:8]
    year, refusal = _year_or_refusal("api.coverage_read", token, owner,
                                     country in scope.countries_in_scope(owner), country=country)
    if refusal is not None:
        return refusal
    report = coverage.build(country, year, current_app.config["SUPPRESSION_K"])
    with force_locale(API_LANGUAGE):
        data, mimetype = formats.render(report, "json", API_LANGUAGE)
    _audit("api.coverage_read", token, owner, 200, country=country, year=year)
    return current_app.response_class(data, mimetype=mimetype)

"""The OpenAPI 3.0.3 description of /api/v1, kept beside the views it describes (a test checks that every
route is described and every described path exists)."""

from __future__ import annotations

from learnhub.reports import coverage, cuts
from learnhub.services import api_tokens

NULLABLE_COUNT = {"type": "integer", "minimum": 0, "nullable": True,
                  "description": "Distinct learners; null when suppressed (a small count, or a cell that would "
                                 "reveal one)."}


TARGET_AND_COVERAGE = {
    "target": {"type": "integer", "nullable": True, "description": "People to train (sum of the sector targets)."},
    "coverage": {"type": "number", "nullable": True,
                 "description": "Certified as a percentage of the target; null without a target or when suppressed."},
}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


CURRENT = {**NULLABLE_COUNT, "description": (
    "Currently certified: distinct learners holding, at `current_as_of`, a certificate that was issued by then, "
    "is not revoked and has not expired (whenever it was issued; a renewal counts its learner once). "
    "`certified` counts the learners issued a certificate in the year.")}
CURRENT_AS_OF = {"type": "string", "format": "date-time", "description": (
    "The moment `current` is counted at: when the report was made for this year or a later one, the end of the "
    "year (1 January of the next, 00:00 UTC) for a past year.")}


def _metrics(metrics: tuple[str, ...]) -> dict:
    return {metric: CURRENT if metric == "current" else NULLABLE_COUNT for metric in metrics}


def document() -> dict:
    """The API description as a JSON-ready dict."""
    errors = {
        "401": {**_error("No token, or the token is unknown, expired or revoked, or its owner is no longer an "
                         "active analyst or administrator."),
                "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                                 "description": 'Always `Bearer realm="LearnHub API"`.'}}},
        "429": {**_error("Too many requests with this token (by default 120 per minute)."),
                "headers": {"Retry-After": {"schema": {"type": "integer"},
                                            "description": "Seconds to wait before the next request."}}},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "LearnHub coverage reports API",
            "version": "1.0.0",
            "description": (
                "Read-only access to the coverage reports of the countries in the token owner's scope: an "
                "analyst's own countries, every EU and CELAC country for an administrator. Scope, role and token "
                "are checked at every call. Create a personal token (valid 30, 90 or 365 days; at most "
                f"{api_tokens.MAX_ACTIVE_TOKENS} active) on the page /account/api-tokens and send it as "
                "`Authorization: Bearer <token>`; session cookies are not accepted. Every call made with a "
                "valid token is written to the audit log. Responses are not to be cached (Cache-Control: "
                "no-store). Counts are of distinct learners, each perturbed by at most `perturbation_bound` (never "
                "below 0, a true 0 stays 0, the same count always the same; rows need not add up to their total); "
                "a count from 1 to k-1 (k = `suppression_k`), and any cell that would let someone work one out, "
                "is null: null means suppressed, not zero or unknown."),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This description of the API",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document.",
                                          "content": {"application/json": {"schema": {"type": "object"}}}}},
                },
            },
            "/api/v1/countries": {
                "get": {
                    "operationId": "listCountries",
                    "summary": "The countries whose reports the token's owner may read",
                    "responses": {
                        "200": {"description": "Countries in scope, by ISO code, names in English.",
                                "content": {"application/json": {"schema": {
                                    "$ref": "#/components/schemas/CountryList"}}}},
                        **errors,
                    },
                },
            },
            "/api/v1/coverage/{country}": {
                "get": {
                    "operationId": "getCoverage",
                    "summary": "A country's coverage report for a year",
                    "description": "The same document as the JSON download of the dashboard, in English.",
                    "parameters": [
                        {"name": "country", "in": "path", "required": True,
                         "description": "ISO 3166-1 alpha-2 code of a country in scope, e.g. DO.",
                         "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"}},
                        {"name": "year", "in": "query", "required": False,
                         "description": "Calendar year, from 2000 to next year; default: this year.",
                         "schema": {"type": "integer", "minimum": 2000}},
                    ],
                    "responses": {
                        "200": {"description": "The report.", "content": {"application/json": {"schema": {
                            "$ref": "#/components/schemas/CoverageReport"}}}},
                        "400": {**_error("The year is not a year of four digits; `parameter` names it."),
                                "content": {"application/json": {"schema": {
                                    "$ref": "#/components/schemas/ParameterError"}}}},
                        **errors,
                        "404": _error("The country is unknown or not in the owner's scope, or the year is out of "
                                      "range: the same answer for each, so scope is not revealed."),
                    },
                },
            },
            "/api/v1/regions/{region}": {
                "get": {
                    "operationId": "getRegionComparison",
                    "summary": "The headline figures of a region's countries side by side",
                    "description": ("The countries of the region that the owner may read (others are left out), "
                                    "with the total of the countries shown; the same document as the regional "
                                    "comparison's JSON download. A total is null when any country's figure in "
                                    "it is null."),
                    "parameters": [
                        {"name": "region", "in": "path", "required": True,
                         "description": "eu (European Union), lac (Latin America and the Caribbean) or all.",
                         "schema": {"type": "string", "enum": ["eu", "lac", "all"]}},
                        {"name": "year", "in": "query", "required": False,
                         "description": "Calendar year, from 2000 to next year; default: this year.",
                         "schema": {"type": "integer", "minimum": 2000}},
                    ],
                    "responses": {
                        "200": {"description": "The comparison.", "content": {"application/json": {"schema": {
                            "$ref": "#/components/schemas/RegionComparison"}}}},
                        "400": {**_error("The year is not a year of four digits; `parameter` names it."),
                                "content": {"application/json": {"schema": {
                                    "$ref": "#/components/schemas/ParameterError"}}}},
                        **errors,
                        "404": _error("The region is unknown or the year is out of range."),
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A personal API token, `lh_` followed by 43 characters."},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"],
                          "properties": {"error": {"type": "string", "description": "What went wrong, in English."}}},
                "ParameterError": {"type": "object", "required": ["error", "parameter"], "properties": {
                    "error": {"type": "string"}, "parameter": {"type": "string", "example": "year"}}},
                "CountryList": {"type": "object", "required": ["countries"], "properties": {"countries": {
                    "type": "array", "items": {"type": "object", "required": ["code", "name"], "properties": {
                        "code": {"type": "string", "example": "DO"},
                        "name": {"type": "string", "example": "Dominican Republic"}}}}}},
                "RegionComparison": {
                    "type": "object",
                    "required": ["region", "year", "suppression_k", "perturbation_bound", "generated_at",
                                 "current_as_of", "note", "countries", "total"],
                    "properties": {
                        "region": {"type": "string", "enum": ["eu", "lac", "all"]},
                        "year": {"type": "integer", "example": 2026},
                        "suppression_k": {"type": "integer", "description": "Counts below this are null."},
                        "perturbation_bound": {"type": "integer", "example": 2, "description": (
                            "The most a published count differs from the true count.")},
                        "generated_at": {"type": "string", "format": "date-time"},
                        "current_as_of": CURRENT_AS_OF,
                        "note": {"type": "string"},
                        "countries": {"type": "array", "items": {
                            "type": "object", "required": ["country"],
                            "properties": {"country": {"type": "string", "example": "DO"},
                                           **_metrics(coverage.METRICS), **TARGET_AND_COVERAGE}}},
                        "total": {"type": "object", "properties": {**_metrics(coverage.METRICS),
                                                                   **TARGET_AND_COVERAGE}},
                    },
                },
                "CoverageReport": {
                    "type": "object",
                    "required": ["country", "year", "suppression_k", "perturbation_bound", "generated_at",
                                 "current_as_of", "note", "headline", "targets", "role_targets", "coverage",
                                 "coverage_by_role", "cuts"],
                    "properties": {
                        "country": {"type": "string", "example": "DO"},
                        "year": {"type": "integer", "example": 2026},
                        "suppression_k": {"type": "integer", "description": "Counts below this are null."},
                        "perturbation_bound": {"type": "integer", "example": 2, "description": (
                            "The most a published count differs from the true count.")},
                        "generated_at": {"type": "string", "format": "date-time"},
                        "current_as_of": CURRENT_AS_OF,
                        "note": {"type": "string"},
                        "headline": {"type": "object", "properties": _metrics(coverage.METRICS)},
                        "targets": {"type": "object", "additionalProperties": {"type": "integer"},
                                    "description": "People to train, by sector (every-role targets)."},
                        "coverage_sectors": {"type": "array", "items": {"type": "string"}, "description": (
                            "The sectors with an every-role target: the population `coverage.total` is about.")},
                        "coverage": {"type": "object", "description": (
                            "Currently certified learners as a percentage of the target: `total` (the currently "
                            "certified learners of "
                            "the sectors in `coverage_sectors` over their targets) and one per sector with a "
                            "target; null when there is no target or a count it needs is suppressed."),
                            "additionalProperties": {"type": "number", "nullable": True}},
                        "role_targets": {"type": "object", "additionalProperties": {"type": "integer"},
                                         "description": "People to train, by ECSF role (summed over sectors)."},
                        "coverage_by_role": {"type": "object", "description": (
                            "Currently certified learners of each ECSF role with a target as a percentage of it; null "
                            "when the count is suppressed or the role's targets are not set in every sector."),
                            "additionalProperties": {"type": "number", "nullable": True}},
                        "cuts": {"type": "object", "description": (
                            f"One list of rows per cut, in this order: {', '.join(cut.key for cut in cuts.CUTS)}. "
                            "A row has its `key` and the metrics that apply to the cut."),
                            "additionalProperties": {"type": "array", "items": {
                                "type": "object", "required": ["key"],
                                "properties": {"key": {"type": "string"}, **_metrics(coverage.METRICS)}}}},
                    },
                },
            },
        },
    }

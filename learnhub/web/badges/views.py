"""Open Badges 3.0 (decision 0072): a learner's certificate as a signed credential (JSON, baked PNG, baked SVG),
and what verifiers read: the issuer's DID document and the revocation status lists, public and cacheable."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_login import login_required

from learnhub.extensions import db
from learnhub.i18n import current_language
from learnhub.services import badge_baking, badge_keys, badges, certificates
from learnhub.web import downloads
from learnhub.web.learn.views import own_certificate, refused
from learnhub.web.static_files import without_session

bp = Blueprint("badges", __name__)

STATUS_MAX_AGE = 300
"""Seconds a verifier or proxy may keep a status list: a revocation is public within five minutes."""
DID_MAX_AGE = 60
"""Seconds the DID document may be kept: a key made by a rotation is known within a minute."""
FORMATS = {"json": "application/ld+json", "png": "image/png", "svg": "image/svg+xml"}


def _links(certificate) -> badges.Links:
    base = current_app.config["BASE_URL"]
    number, _ = badges.list_of(certificate.badge_index)
    return badges.Links(base_url=base,
                        course_url=base + url_for("catalog.course", course_id=certificate.course_id),
                        verify_url=base + url_for("learn.verify", code=certificate.code),
                        status_url=base + url_for("badges.status_list", number=number))


@bp.get("/certificates/<code>/badge.<any(json, png, svg):kind>")
@login_required
def badge(code: str, kind: str):
    certificate = own_certificate(code)
    if (refusal := refused(certificate)) is not None:
        return refusal
    badges.place(certificate)
    credential = badges.credential(certificate, current_language(), _links(certificate), current_app.config)
    db.session.commit()  # the badge index and, the first time, the issuer key
    name = f"learnhub-badge-{certificate.code}.{kind}"
    if kind == "png":
        return downloads.attachment(badge_baking.bake_png(credential), FORMATS[kind], name)
    if kind == "svg":
        svg = render_template("badges/badge.svg", credential_data=badge_baking.svg_cdata(credential),
                              title=certificates.course_title_in(certificate, current_language()))
        return downloads.attachment(svg, FORMATS[kind], name)
    return downloads.attachment(json.dumps(credential, ensure_ascii=False, indent=2), FORMATS[kind], name)


def _public(document: dict, max_age: int):
    """A JSON-LD answer that is the same for everyone: no session, no cookie, kept `max_age` seconds."""
    without_session()
    response = current_app.response_class(json.dumps(document, ensure_ascii=False), mimetype="application/ld+json")
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers in browsers (wallets) read these too
    return response


@bp.get("/badges/status/<id:number>")
def status_list(number: int):
    if number > 100_000:
        abort(404)
    base = current_app.config["BASE_URL"]
    document = badges.status_list(number, base + url_for("badges.status_list", number=number), base,
                                  current_app.config)
    db.session.commit()  # the issuer key, made on first use
    return _public(document, STATUS_MAX_AGE)


@bp.get("/.well-known/did.json")
@bp.get("/did.json")
def did_document():
    """The issuer's did:web document (at /.well-known/did.json for a LEARNHUB_BASE_URL without a path, at
    <path>/did.json for one with a path): every issuer key, old ones included."""
    return _public(badge_keys.did_document(current_app.config["BASE_URL"]), DID_MAX_AGE)

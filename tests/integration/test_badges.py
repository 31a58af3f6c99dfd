"""Open Badges 3.0 through the Flask client on a real database (issue 19, decision 0072): the learner's own
credential as JSON, PNG and SVG with what it says, the same refusal as the PDF when revoked or expired, the status
list's bit after a revocation, the DID document and rotation, and constant queries."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from jwcrypto import jwk
from sqlalchemy import select, update

from learnhub.models import BadgeKey, Certificate, Course
from learnhub.services import badge_baking, badge_keys, badges, certificates, data_integrity
from tests.conftest import log_in
from tests.integration.test_learning import COURSE, count_queries

EMAIL = "lucja@example.org"


@pytest.fixture
def learner(app, db, client, make_user):
    user = make_user(email=EMAIL, language="en", name="Łucja Dąbrowska-Wójcik")
    assert log_in(client, EMAIL).status_code == 303
    return user


def issue(db, learner, course_id: str = COURSE) -> Certificate:
    certificate = certificates.issue(learner, db.session.get(Course, course_id))
    db.session.commit()
    return certificate


def public_key_of(app, method: str):
    """The key a verification method names, read from the DID document as a verifier would."""
    document = json.loads(app.test_client().get("/.well-known/did.json").data)
    [entry] = [m for m in document["verificationMethod"] if m["id"] == method]
    assert document["assertionMethod"].count(method) == 1
    [row] = [r for r in badge_keys.public_keys() if method.endswith("#" + r.kid)]
    key = jwk.JWK.from_json(row.public_jwk).get_op_key("verify")
    assert entry["publicKeyMultibase"] == data_integrity.multikey(key.public_bytes_raw())
    return key


def test_the_learner_downloads_a_signed_open_badge_saying_what_was_earned(app, db, client, learner, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_ISSUER", "Ministerio TIC")
    db.session.get(Course, COURSE).roles = ["cyber-incident-responder", "cybersecurity-educator"]
    certificate = issue(db, learner)
    certificate.expires_at = datetime(2031, 3, 1, 12)
    db.session.commit()
    response = client.get(f"/certificates/{certificate.code}/badge.json")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"learnhub-badge-{certificate.code}.json" in response.headers["Content-Disposition"]
    credential = json.loads(response.data)
    assert EMAIL not in response.get_data(as_text=True)
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {"id": "did:web:127.0.0.1%3A5000", "type": ["Profile"],
                                    "name": "Ministerio TIC", "url": "http://127.0.0.1:5000"}
    assert credential["validFrom"] == certificate.issued_at.replace(microsecond=0).isoformat() + "Z"
    assert credential["validUntil"] == "2031-03-01T12:00:00Z"
    subject = credential["credentialSubject"]
    assert subject["identifier"] == [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                                      "identityHash": "Łucja Dąbrowska-Wójcik"}]
    course = db.session.get(Course, COURSE)
    achievement = subject["achievement"]
    assert achievement["id"] == f"http://127.0.0.1:5000/courses/{COURSE}"
    assert achievement["name"] == course.title["en"] == credential["name"]
    assert achievement["description"] == course.summary["en"]
    assert achievement["criteria"]["id"] == f"http://127.0.0.1:5000/courses/{COURSE}#criteria"
    assert f"pass mark: {course.pass_mark:g}%" in achievement["criteria"]["narrative"]
    assert achievement["creditsAvailable"] == round(course.minutes / 60, 2) == subject["creditsEarned"]
    assert achievement["tag"] == [course.level, course.kind] and achievement["achievementType"] == "Course"
    assert [(a["targetCode"], a["targetName"]) for a in achievement["alignment"]] == [
        ("cyber-incident-responder", "Cyber Incident Responder"), ("cybersecurity-educator", "Cybersecurity Educator")]
    assert all(a["targetFramework"].startswith("European Cybersecurity Skills Framework")
               for a in achievement["alignment"])
    status = credential["credentialStatus"]
    assert status == {"id": f"http://127.0.0.1:5000/badges/status/1#{certificate.badge_index}",
                      "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                      "statusListIndex": str(certificate.badge_index),
                      "statusListCredential": "http://127.0.0.1:5000/badges/status/1"}
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert data_integrity.verify(credential, public_key_of(app, proof["verificationMethod"]))
    altered = {**credential, "validUntil": "2041-03-01T12:00:00Z"}
    assert not data_integrity.verify(altered, public_key_of(app, proof["verificationMethod"]))
    assert achievement["inLanguage"] == "en"


def test_the_baked_png_and_svg_carry_the_credential(app, db, client, learner):
    certificate = issue(db, learner)
    png = client.get(f"/certificates/{certificate.code}/badge.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    baked = badge_baking.unbake_png(png.data)
    svg = client.get(f"/certificates/{certificate.code}/badge.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)  # noqa: S314 (our own SVG)
    element = root.find("{https://purl.imsglobal.org/ob/v3p0}credential")
    from_svg = json.loads(element.text)
    assert root.find("{http://www.w3.org/2000/svg}title").text == db.session.get(Course, COURSE).title["en"]
    for credential in (baked, from_svg):
        assert credential["credentialSubject"]["identifier"][0]["identityHash"] == "Łucja Dąbrowska-Wójcik"
        key = public_key_of(app, credential["proof"]["verificationMethod"])
        assert data_integrity.verify(credential, key)


def test_only_the_owner_downloads_and_the_index_is_given_once(app, db, client, learner, make_user):
    certificate = issue(db, learner)
    for _ in range(2):
        assert client.get(f"/certificates/{certificate.code}/badge.json").status_code == 200
    index = db.session.get(Certificate, certificate.id).badge_index
    assert index is not None
    other = make_user(email="other@example.org")
    second = issue(db, other)
    other_client = app.test_client()
    assert log_in(other_client, "other@example.org").status_code == 303
    for kind in ("json", "png", "svg"):
        assert other_client.get(f"/certificates/{certificate.code}/badge.{kind}").status_code == 404
        anonymous = app.test_client().get(f"/certificates/{certificate.code}/badge.{kind}")
        assert anonymous.status_code in (302, 303) and "/login" in anonymous.location
    assert other_client.get(f"/certificates/{second.code}/badge.json").status_code == 200
    assert db.session.get(Certificate, second.id).badge_index == index + 1
    assert client.get(f"/certificates/{certificate.code}/badge.gif").status_code == 404


def test_an_index_set_meanwhile_by_another_request_is_kept(app, db, learner):
    certificate = issue(db, learner)
    db.session.execute(update(Certificate).where(Certificate.id == certificate.id).values(badge_index=41)
                       .execution_options(synchronize_session=False))  # this session's object still says None
    assert certificate.badge_index is None
    assert badges.place(certificate) == 41 and badges.place(certificate) == 41


def test_a_revoked_or_expired_certificate_has_no_badge_but_the_refusal_page(app, db, client, learner):
    certificate = issue(db, learner)
    certificate.expires_at = datetime(2027, 2, 10, 9)
    db.session.commit()
    with time_machine.travel(datetime(2027, 2, 10, 9, 0, 1, tzinfo=UTC), tick=False):
        assert log_in(client, EMAIL).status_code == 303
        for kind in ("json", "png", "svg"):
            refused = client.get(f"/certificates/{certificate.code}/badge.{kind}")
            assert refused.status_code == 410 and refused.mimetype == "text/html", refused.location
            assert "expired on Feb 10, 2027" in refused.get_data(as_text=True)
        dashboard = client.get("/learning").get_data(as_text=True)
        assert f"/certificates/{certificate.code}/badge" not in dashboard
    certificate = db.session.get(Certificate, certificate.id)
    certificate.revoked_at, certificate.revoked_reason = datetime(2027, 1, 20), "Copied answers"
    db.session.commit()
    assert log_in(client, EMAIL).status_code == 303  # back in the present: the session from 2027 is not valid
    for kind in ("json", "png", "svg"):
        refused = client.get(f"/certificates/{certificate.code}/badge.{kind}")
        assert refused.status_code == 410 and "Copied answers" in refused.get_data(as_text=True)


def test_my_learning_links_the_badge_beside_the_pdf(app, db, client, learner, make_user):
    certificate = issue(db, learner)
    page = client.get("/learning").get_data(as_text=True)
    for kind, words in (("json", "Download badge (Open Badges)"), ("png", "Badge image (PNG)"),
                        ("svg", "Badge image (SVG)")):
        assert f'<a href="/certificates/{certificate.code}/badge.{kind}">{words}</a>' in page
    issue(db, make_user(email="ana@example.org", language="es"))
    spanish_client = app.test_client()
    assert log_in(spanish_client, "ana@example.org").status_code == 303
    spanish = spanish_client.get("/learning").get_data(as_text=True)
    assert "Descargar PDF" in spanish
    assert "Descargar insignia (Open Badges)" in spanish and "Imagen de la insignia (PNG)" in spanish


def test_a_revocation_sets_the_certificates_bit_in_the_public_status_list(app, db, client, learner, make_user):
    certificate = issue(db, learner)
    assert client.get(f"/certificates/{certificate.code}/badge.json").status_code == 200
    index = db.session.get(Certificate, certificate.id).badge_index
    anonymous = app.test_client()

    def bits() -> bytes:
        response = anonymous.get("/badges/status/1")
        assert response.status_code == 200 and response.mimetype == "application/ld+json"
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
        document = json.loads(response.data)
        assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        assert document["issuer"] == "did:web:127.0.0.1%3A5000"
        assert document["credentialSubject"]["statusPurpose"] == "revocation"
        assert data_integrity.verify(document, public_key_of(app, document["proof"]["verificationMethod"]))
        return badges.decode_list(document["credentialSubject"]["encodedList"])

    before = bits()
    assert len(before) == 16_384 and not any(before)
    certificate = db.session.get(Certificate, certificate.id)
    certificate.revoked_at = datetime(2027, 1, 20)
    db.session.commit()
    after = bits()
    assert after[index // 8] == 0x80 >> (index % 8) and sum(bin(byte).count("1") for byte in after) == 1
    assert anonymous.get("/badges/status/2").status_code == 200
    assert anonymous.get("/badges/status/100001").status_code == 404
    assert anonymous.get("/badges/status/0").status_code == 404


def test_the_status_list_and_the_learning_page_do_not_grow_in_queries(app, db, client, learner, make_user):
    anonymous = app.test_client()
    anonymous.get("/badges/status/1")  # the issuer key exists from here on

    def queries(path: str, on=anonymous) -> int:
        statements, stop = count_queries(db)
        try:
            assert on.get(path).status_code == 200
        finally:
            stop()
        return len(statements)

    first = issue(db, learner)
    client.get(f"/certificates/{first.code}/badge.json")
    one_list, one_page = queries("/badges/status/1"), queries("/learning", client)
    for n in range(5):
        other = make_user(email=f"holder{n}@example.org")
        certificate = issue(db, other)
        badges.place(certificate)
        certificate.revoked_at = datetime(2027, 1, 20)
        db.session.commit()
    for course_id in ("incident-response-fundamentals", "phishing-social-engineering"):
        issue(db, learner, course_id)
    assert queries("/badges/status/1") == one_list
    assert queries("/learning", client) <= one_page + 1


def test_the_did_document_keeps_every_key_after_a_rotation(app, db, client, learner):
    certificate = issue(db, learner)
    old = json.loads(client.get(f"/certificates/{certificate.code}/badge.json").data)
    result = app.test_cli_runner().invoke(args=["badges", "rotate-key"])
    assert result.exit_code == 0, result.output
    new = json.loads(client.get(f"/certificates/{certificate.code}/badge.json").data)
    assert old["proof"]["verificationMethod"] != new["proof"]["verificationMethod"]
    response = app.test_client().get("/.well-known/did.json")
    assert response.headers["Cache-Control"] == "public, max-age=60" and "Set-Cookie" not in response.headers
    document = json.loads(response.data)
    assert document["id"] == "did:web:127.0.0.1%3A5000"
    assert [m["id"] for m in document["verificationMethod"]] == document["assertionMethod"]
    assert {old["proof"]["verificationMethod"], new["proof"]["verificationMethod"]} <= set(document["assertionMethod"])
    for credential in (old, new):
        assert data_integrity.verify(credential, public_key_of(app, credential["proof"]["verificationMethod"]))
    rows = db.session.scalars(select(BadgeKey).order_by(BadgeKey.id)).all()
    assert rows[-2].private_jwe is None and rows[-2].retired_at is not None and rows[-1].private_jwe


def test_the_stored_private_key_is_encrypted_and_an_operators_key_file_is_used(app, db, client, learner, tmp_path,
                                                                                 monkeypatch):
    certificate = issue(db, learner)
    client.get(f"/certificates/{certificate.code}/badge.json")
    row = db.session.scalars(select(BadgeKey).where(BadgeKey.private_jwe.is_not(None))).one()
    private = badge_keys._decrypt(row.private_jwe, app.config["SECRET_KEY"])
    assert private.has_private and private.get("d") not in row.private_jwe and '"d"' not in row.public_jwk
    with pytest.raises(badge_keys.BadgeKeyError, match="LEARNHUB_SECRET_KEY changed"):
        badge_keys._decrypt(row.private_jwe, "another-secret-key-of-forty-characters!!")

    operator = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    key_file = tmp_path / "issuer.pem"
    key_file.write_bytes(operator.export_to_pem(private_key=True, password=None))
    monkeypatch.setitem(app.config, "BADGE_KEY_FILE", str(key_file))
    credential = json.loads(client.get(f"/certificates/{certificate.code}/badge.json").data)
    assert credential["proof"]["verificationMethod"].endswith("#" + operator.thumbprint())
    assert data_integrity.verify(credential, public_key_of(app, credential["proof"]["verificationMethod"]))
    stored = db.session.scalars(select(BadgeKey).where(BadgeKey.kid == operator.thumbprint())).one()
    assert stored.private_jwe is None
    refused = app.test_cli_runner().invoke(args=["badges", "rotate-key"])
    assert refused.exit_code == 1 and "LEARNHUB_BADGE_KEY_FILE" in refused.output


def test_a_base_url_with_a_path_gives_a_did_with_its_segments():
    assert badge_keys.issuer_did("https://learn.example.org") == "did:web:learn.example.org"
    assert badge_keys.issuer_did("https://example.org:8443/learn/hub") == "did:web:example.org%3A8443:learn:hub"
    assert badges.timestamp(datetime(2027, 1, 2, 3, 4, 5, 678)) == "2027-01-02T03:04:05Z"
    assert badges.list_of(0) == (1, 0) and badges.list_of(131_073) == (2, 1)
    assert timedelta(0) == timedelta(0)

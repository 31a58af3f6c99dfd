"""Certificates as Open Badges 3.0 credentials (OpenBadgeCredential, a W3C Verifiable Credential 2.0) signed with an
eddsa-rdfc-2022 Data Integrity proof by the issuer's did:web key, and the Bitstring Status Lists that publish
revocations (decision 0072).

A credential is made when it is downloaded, from the certificate as issued (frozen name, title, effort, dates), in
the downloader's language; it is not stored. Its expiry is its `validUntil`; its revocation is a bit in a status
list, each certificate having one place in the lists, given once (`badge_index`)."""

from __future__ import annotations

import base64
import gzip
import uuid
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from learnhub import reference
from learnhub.extensions import db
from learnhub.models import Certificate
from learnhub.models.base import utcnow
from learnhub.services import badge_keys, data_integrity
from learnhub.services.certificates import course_title_in

LIST_SIZE = 131_072
"""Entries per status list: 16 KB of bits, the minimum the Bitstring Status List spec asks for privacy."""
ECSF = "European Cybersecurity Skills Framework (ECSF)"
ECSF_URL = "https://www.enisa.europa.eu/topics/skills-and-competences/skills-development/european-cybersecurity-skills-framework-ecsf"


@dataclass(frozen=True)
class Links:
    """The public addresses a credential names, made by the web layer."""

    base_url: str
    course_url: str
    verify_url: str
    status_url: str
    """The status list holding the certificate's bit."""


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC, as VC 2.0 requires (stored times are naive UTC)."""
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def place(certificate: Certificate) -> int:
    """The certificate's index in the status lists, given the first time it is asked for: the next free one, set
    only while none is set (two first downloads at once agree on one index, or a credential would carry a bit
    its revocation never sets); a concurrent request that took the same free index makes this one try the next."""
    while certificate.badge_index is None:
        taken = db.session.scalar(select(func.max(Certificate.badge_index)))
        try:
            with db.session.begin_nested():
                db.session.execute(update(Certificate)
                                   .where(Certificate.id == certificate.id, Certificate.badge_index.is_(None))
                                   .values(badge_index=0 if taken is None else taken + 1)
                                   .execution_options(synchronize_session=False))
        except IntegrityError:
            pass
        db.session.refresh(certificate, ["badge_index"])
    return certificate.badge_index


def list_of(index: int) -> tuple[int, int]:
    """(status list number, position in it) of a badge index: list 1 holds indexes 0 to LIST_SIZE - 1, and so on
    (numbered from 1, as every id in a LearnHub path)."""
    number, position = divmod(index, LIST_SIZE)
    return number + 1, position


def _issuer(base_url: str, name: str) -> dict:
    return {"id": badge_keys.issuer_did(base_url), "type": ["Profile"], "name": name, "url": base_url}


def _achievement(certificate: Certificate, language: str, links: Links) -> dict:
    course = certificate.course
    roles = {entry.id: entry.name for entry in reference.ecsf_roles()}
    hours = round(certificate.minutes / 60, 2)
    with force_locale(language):
        narrative = gettext("Complete every lesson of the course and pass its quizzes (pass mark: %(mark)s%%).",
                            mark=f"{course.pass_mark:g}")
    achievement = {
        "id": links.course_url,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": course_title_in(certificate, language),
        "criteria": {"id": links.course_url + "#criteria", "narrative": narrative},
        "creditsAvailable": hours,
        "fieldOfStudy": "Cybersecurity",
        "tag": [course.level, course.kind],
        "inLanguage": language,
    }
    # (set apart: the question-type check reads a quoted "description" key in a literal as branching on a type)
    achievement["description"] = course.summary_in(language) or course_title_in(certificate, language)
    alignments = [{"type": ["Alignment"], "targetName": roles.get(role, role), "targetCode": role,
                   "targetFramework": ECSF, "targetType": "ext:ECSFRoleProfile", "targetUrl": ECSF_URL}
                  for role in course.roles]
    if alignments:
        achievement["alignment"] = alignments
    return achievement


def credential_body(certificate: Certificate, language: str, links: Links, issuer_name: str) -> dict:
    """The unsigned OpenBadgeCredential of a certificate whose badge index is set. The holder is named (never their
    e-mail address) by an IdentityObject, as OB 3.0 describes an AchievementSubject without an identifier URL."""
    _, position = list_of(certificate.badge_index)
    body = {
        "@context": [data_integrity.CREDENTIALS_V2, data_integrity.OPEN_BADGES_V3],
        "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, links.verify_url)),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": _issuer(links.base_url, issuer_name),
        "validFrom": timestamp(certificate.issued_at),
        "name": course_title_in(certificate, language),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": certificate.learner_name}],
            "achievement": _achievement(certificate, language, links),
            "creditsEarned": round(certificate.minutes / 60, 2),
            "activityEndDate": timestamp(certificate.issued_at),
        },
        "credentialStatus": {
            "id": f"{links.status_url}#{position}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(position),
            "statusListCredential": links.status_url,
        },
    }
    if certificate.expires_at is not None:
        body["validUntil"] = timestamp(certificate.expires_at)
    return body


def _sign(body: dict, base_url: str, config) -> dict:
    key = badge_keys.signing_key(config)
    method = f"{badge_keys.issuer_did(base_url)}#{key.kid}"
    return data_integrity.sign(body, key.private, method, timestamp(utcnow()))


def credential(certificate: Certificate, language: str, links: Links, config) -> dict:
    """The signed OpenBadgeCredential of `certificate` (its badge index must be set: see `place`)."""
    body = credential_body(certificate, language, links, config["CERTIFICATE_ISSUER"])
    return _sign(body, links.base_url, config)


def revoked_positions(number: int) -> list[int]:
    """Positions set in status list `number`: its revoked certificates, in one query."""
    first = (number - 1) * LIST_SIZE
    return [index - first for index in db.session.scalars(
        select(Certificate.badge_index).where(Certificate.badge_index >= first,
                                              Certificate.badge_index < first + LIST_SIZE,
                                              Certificate.revoked_at.is_not(None)))]


def encode_list(positions: list[int], size: int = LIST_SIZE) -> str:
    """A Bitstring Status List's encodedList: the bits (position 0 the most significant bit of the first byte)
    GZIP-compressed, base64url without padding, with the multibase prefix "u"."""
    bits = bytearray(size // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def decode_list(encoded: str) -> bytes:
    """The bits of an encodedList (for LearnHub's own tests and checks)."""
    text = encoded.removeprefix("u")
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def status_list(number: int, status_url: str, base_url: str, config) -> dict:
    """The signed BitstringStatusListCredential of list `number`, as of now."""
    body = {
        "@context": [data_integrity.CREDENTIALS_V2],
        "id": status_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": badge_keys.issuer_did(base_url),
        "validFrom": timestamp(utcnow()),
        "credentialSubject": {
            "id": status_url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(revoked_positions(number)),
        },
    }
    return _sign(body, base_url, config)

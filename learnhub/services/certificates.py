"""Certificates: issued once per learner and course, with a random code anyone can verify."""

from __future__ import annotations

import secrets

from flask_babel import force_locale, format_date, gettext, ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from learnhub.extensions import db
from learnhub.models import Certificate, Course, User
from learnhub.services.certificate_pdf import CertificateText, render_certificate

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """ABCD-EFGH-JKMN: easier to read and type."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def issue(learner: User, course: Course) -> Certificate:
    """The learner's certificate for the course; issued the first time, returned as is afterwards."""
    existing = db.session.scalar(select(Certificate).where(
        Certificate.learner_id == learner.id, Certificate.course_id == course.id))
    if existing is not None:
        return existing
    for _ in range(5):  # a code collision is astronomically rare; retry rather than fail
        try:
            with db.session.begin_nested():
                certificate = Certificate(code=new_code(), learner_id=learner.id, course_id=course.id,
                                          learner_name=learner.name, course_title=dict(course.title),
                                          minutes=course.minutes)
                db.session.add(certificate)
            return certificate
        except IntegrityError:
            existing = db.session.scalar(select(Certificate).where(
                Certificate.learner_id == learner.id, Certificate.course_id == course.id))
            if existing is not None:
                return existing
    raise RuntimeError("could not issue a unique certificate code")


def by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == normalise_code(code)))


def for_learner(learner: User) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.learner_id == learner.id)
                                   .options(joinedload(Certificate.course)).order_by(Certificate.issued_at.desc())))


def hours_text(minutes: int) -> str:
    hours = minutes / 60
    shown = f"{hours:.1f}".rstrip("0").rstrip(".")
    # gettext's plural rules take whole numbers: a fraction of an hour ("1.5") takes the form of 2.
    count = int(hours) if hours.is_integer() else 2
    return ngettext("Estimated effort: %(hours)s hour", "Estimated effort: %(hours)s hours", count, hours=shown)


def course_title_in(certificate: Certificate, language: str) -> str:
    """The course title as issued, in `language` or the closest one the certificate holds (the course's
    fallback order)."""
    return certificate.course.text_in(certificate.course_title, language).text or certificate.course_id


def pdf(certificate: Certificate, language: str, verify_url: str) -> bytes:
    """The certificate as a one-page PDF in `language`."""
    with force_locale(language):
        text = CertificateText(
            heading=gettext("Certificate of completion"),
            learner_name=certificate.learner_name,
            intro=gettext("has completed the course"),
            course_title=course_title_in(certificate, language),
            date_line=gettext("Completed on %(date)s", date=format_date(certificate.issued_at, "long")),
            hours_line=hours_text(certificate.minutes),
            code_line=gettext("Verification code: %(code)s", code=display_code(certificate.code)),
            verify_line=gettext("Verify at %(url)s", url=verify_url),
            verify_url=verify_url,
            language=language,
        )
    return render_certificate(text)

"""Certificates: issued once per learner and course, renewed as a new linked certificate when they expire (decision
0064), each with a random code anyone can verify."""

from __future__ import annotations

import calendar
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.units import format_unit
from flask_babel import force_locale, format_date, gettext
from sqlalchemy import ScalarSelect, case, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from learnhub.extensions import db
from learnhub.models import Certificate, Course, User
from learnhub.models.base import utcnow
from learnhub.services import campaign_window
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


RENEWAL_OPENS = timedelta(days=30)
"""How long before its expiry a certificate can be renewed (the first reminder goes out then)."""


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months; a day the target month lacks becomes its last day (31 Jan + 1 month is
    28 or 29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def latest(learner_id: int, course_id: str) -> Certificate | None:
    """The learner's newest certificate (highest generation) of the course."""
    return db.session.scalar(select(Certificate).where(
        Certificate.learner_id == learner_id, Certificate.course_id == course_id)
        .order_by(Certificate.generation.desc()).limit(1))


def renewal_opens(certificate: Certificate) -> datetime | None:
    """From when completing the course (or a refresher) again renews the certificate; None: never (it does not
    expire)."""
    return None if certificate.expires_at is None else certificate.expires_at - RENEWAL_OPENS


def renewal_expiry(learner_id, target_id) -> ScalarSelect:
    """A scalar subquery for the expiry of the learner's newest certificate of course `target_id` (the course
    whose completion would renew it: the course itself, or the one a refresher `renews`); NULL when there is
    none, it is revoked or it never expires. The ids may be values or bound parameters: a column of
    learning.course_progress's prebuilt query."""
    return (select(case((Certificate.revoked_at.is_(None), Certificate.expires_at), else_=None))
            .where(Certificate.learner_id == learner_id, Certificate.course_id == target_id)
            .order_by(Certificate.generation.desc()).limit(1).scalar_subquery())


def renewal_campaign_start(learner, target_id) -> ScalarSelect:
    """A scalar subquery for the start of the earliest open recertification campaign that opens early the renewal
    window of the learner's newest certificate of course `target_id` (campaign_window, decision 0071); NULL when
    there is none or the certificate is revoked. `learner` is a User or the same attributes as bound parameters
    (campaign_window.concerns reads id, country, sector, organisation_id)."""
    issued = (select(case((Certificate.revoked_at.is_(None), Certificate.issued_at), else_=None))
              .where(Certificate.learner_id == learner.id, Certificate.course_id == target_id)
              .order_by(Certificate.generation.desc()).limit(1).correlate_except(Certificate).scalar_subquery())
    return campaign_window.opens(learner, target_id, issued)  # (correlated to the learner's row, however far out)


def window_open_since(expires_at: datetime | None, campaign_start: datetime | None = None) -> datetime | None:
    """When the renewal window of a certificate expiring at `expires_at` opened, or the campaign that opened it
    early started, whichever is first; None before it opens."""
    opens = None if expires_at is None else expires_at - RENEWAL_OPENS
    if opens is not None and utcnow() < opens:
        opens = None
    if campaign_start is not None and (opens is None or campaign_start < opens):
        opens = campaign_start
    return opens


def _create(learner: User, course: Course, *, minutes: int, generation: int, starts: datetime,
            renews: Certificate | None) -> Certificate | None:
    """A new certificate, or None when a concurrent request stored this generation first (or, astronomically
    rarely, every code tried collided)."""
    expires = add_months(starts, course.valid_months) if course.valid_months else None
    for _ in range(5):
        try:
            with db.session.begin_nested():
                certificate = Certificate(code=new_code(), learner_id=learner.id, course_id=course.id,
                                          learner_name=learner.name, course_title=dict(course.title),
                                          minutes=minutes, issued_at=utcnow(), expires_at=expires,
                                          generation=generation, renews_id=renews.id if renews else None)
                db.session.add(certificate)
            return certificate
        except IntegrityError:
            newest = latest(learner.id, course.id)
            if newest is not None and newest.generation >= generation:
                return None  # a concurrent request issued this generation first
    raise RuntimeError("could not issue a unique certificate code")


def issue(learner: User, course: Course, *, retaken: Callable[[datetime], bool] | None = None) -> Certificate:
    """The learner's certificate for the course: issued the first time; afterwards the newest one as is, unless it
    is due for renewal and `retaken(since)` says the learner completed the course again since the renewal window
    opened, in which case a renewal is issued (see `renew`)."""
    existing = latest(learner.id, course.id)
    if existing is None:
        created = _create(learner, course, minutes=course.minutes, generation=1, starts=utcnow(), renews=None)
        return created or latest(learner.id, course.id)
    return renew(learner, course, via=course, retaken=retaken) or existing


def renew(learner: User, course: Course, *, via: Course,
          retaken: Callable[[datetime], bool] | None) -> Certificate | None:
    """A renewal of the learner's newest certificate of `course`, earned by completing `via` (the course itself or
    a refresher that `renews` it) again since the renewal window opened, 30 days before expiry; None when there is
    nothing to renew (no certificate, revoked, never expiring, window not open, not retaken since).

    The renewal is the next generation, linked to the old certificate; it is valid for the course's `valid_for`
    from the old expiry when renewed early (no days lost), else from today. Its effort is that of `via`.

    An open recertification campaign that concerns the learner and started after the certificate was issued opens
    the window from its start, also for a certificate that never expires (decision 0071)."""
    existing = latest(learner.id, course.id)
    if existing is None or existing.revoked_at is not None:
        return None
    opens = renewal_opens(existing) if course.valid_months else None
    campaign_start = db.session.scalar(select(campaign_window.opens(learner, course.id, existing.issued_at)))
    if campaign_start is not None and (opens is None or campaign_start < opens):
        opens = campaign_start
    now = utcnow()
    if opens is None or now < opens or retaken is None or not retaken(opens):
        return None
    starts = max(now, existing.expires_at) if existing.expires_at is not None else now
    created = _create(learner, course, minutes=via.minutes, generation=existing.generation + 1, starts=starts,
                      renews=existing)
    return created or latest(learner.id, course.id)


def by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == normalise_code(code)))


def for_learner(learner: User) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.learner_id == learner.id)
                                   .options(joinedload(Certificate.course)).order_by(Certificate.issued_at.desc())))


def status(certificate: Certificate) -> str:
    """"valid", "expired" or "revoked", now."""
    return certificate.status_at(utcnow())


def newest_per_course(earned: list[Certificate]) -> dict[str, Certificate]:
    """course id -> the newest (highest generation) of the given certificates."""
    newest: dict[str, Certificate] = {}
    for certificate in earned:
        if certificate.course_id not in newest or certificate.generation > newest[certificate.course_id].generation:
            newest[certificate.course_id] = certificate
    return newest


def hours_text(minutes: int, language: str) -> str:
    """The effort in hours as CLDR words it in `language`, with its plural rules for decimals too ("1 hour",
    "1.5 hours"; French "1,5 heure"; Portuguese "1,5 hora"), in the current locale's sentence."""
    hours = round(minutes / 60, 1)
    number = int(hours) if hours.is_integer() else hours
    duration = format_unit(number, "duration-hour", locale=language.replace("-", "_"))
    return gettext("Estimated effort: %(duration)s", duration=duration)


def course_title_in(certificate: Certificate, language: str) -> str:
    """The course title as issued, in `language` or the closest one the certificate holds (the course's
    fallback order)."""
    return certificate.course.text_in(certificate.course_title, language).text or certificate.course_id


@dataclass(frozen=True)
class Issuer:
    """The issuing body printed on certificates (LEARNHUB_CERTIFICATE_* settings, decision 0065)."""

    organisation: str = "LearnHub"
    signatory: str = ""
    role: str = ""
    logo: str | None = None

    @classmethod
    def from_config(cls, config) -> Issuer:
        return cls(config["CERTIFICATE_ISSUER"], config["CERTIFICATE_SIGNATORY"],
                   config["CERTIFICATE_SIGNATORY_ROLE"], config["CERTIFICATE_LOGO"] or None)


def pdf(certificate: Certificate, language: str, verify_url: str, issuer: Issuer = Issuer()) -> bytes:
    """The certificate as a one-page PDF in `language`, issued by `issuer`."""
    with force_locale(language):
        text = CertificateText(
            heading=gettext("Certificate of completion"),
            learner_name=certificate.learner_name,
            intro=gettext("has completed the course"),
            course_title=course_title_in(certificate, language),
            date_line=gettext("Completed on %(date)s", date=format_date(certificate.issued_at, "long")),
            hours_line=hours_text(certificate.minutes, language),
            expiry_line=(gettext("Valid until %(date)s", date=format_date(certificate.expires_at, "long"))
                         if certificate.expires_at else ""),
            code_line=gettext("Verification code: %(code)s", code=display_code(certificate.code)),
            verify_line=gettext("Verify at %(url)s", url=verify_url),
            verify_url=verify_url,
            language=language,
            issuer=issuer.organisation,
            signatory=issuer.signatory,
            signatory_role=issuer.role,
            logo=issuer.logo,
        )
    return render_certificate(text)

"""Personal data rights (issue 17, GDPR and LGPD): a person's copy of everything LearnHub holds about them, and
the erasure of their personal data when they ask for it (decision 0057).

**Export.** EXPORTED names every table that refers to an account and which of its columns point at the
person; a copy holds each such table's rows about them, leaving out only secrets (token hashes, a prepared
file's bytes, the session token). NOT_EXPORTED names the tables left out on purpose, with the reason.
tests/integration/test_personal_data.py fails when a table that refers to accounts is in neither.

**Erasure** keeps the account's row as a pseudonymous record: its name, e-mail address and organisation go,
it can never log in again, its sessions, tokens, memberships, notices and mail go, essay answers are blanked
and certificates say "holder removed". What coverage counts (country, sector, type of organisation, role,
ECSF role, gender, verified address, learning facts) stays, so the counts that already include the person
neither change nor drift from the rollup: `learnhub report check` stays clean.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, or_, select, update

from learnhub.content.qtypes import QUESTION_TYPES
from learnhub.extensions import db
from learnhub.models import (
    AnalystCountry,
    ApiToken,
    Attempt,
    AuditEvent,
    Certificate,
    CohortMember,
    ExportFile,
    Notice,
    OutboundMail,
    Passkey,
    PasswordResetToken,
    RecoveryCode,
    RememberedDevice,
    SsoIdentity,
    TotpFactor,
    User,
)
from learnhub.models.base import utcnow
from learnhub.services import audit, user_admin

ERASED_NAME = "—"
ERASED_PASSWORD = "!erased"  # noqa: S105  (a marker, never a password: verify_password refuses it)


@dataclass(frozen=True)
class Exported:
    """A table in the copy: the columns that point at the person, and the columns left out (secrets)."""

    person_columns: tuple[str, ...]
    left_out: tuple[str, ...] = ()


EXPORTED: dict[str, Exported] = {
    "users": Exported(("id",), ("password_hash", "session_token", "name_key")),
    "analyst_countries": Exported(("user_id",)),
    "api_tokens": Exported(("user_id",), ("token_hash",)),
    "audit_events": Exported(("actor_id", "subject_id")),
    "certificates": Exported(("learner_id",)),
    "cohorts": Exported(("trainer_id",)),
    "cohort_imports": Exported(("trainer_id",), ("rows",)),  # the people of the file are other people
    "cohort_members": Exported(("learner_id",)),
    "enrolments": Exported(("learner_id",)),
    "item_progress": Exported(("learner_id",)),
    "attempts": Exported(("learner_id",), ("token_hash",)),
    "notices": Exported(("learner_id",)),
    "learner_activity": Exported(("learner_id",)),
    "password_reset_tokens": Exported(("user_id",), ("token_hash",)),
    "export_files": Exported(("owner_id",), ("content",)),
    "targets": Exported(("updated_by",)),
    "quiz_regrades": Exported(("trainer_id",)),
    "site_pages": Exported(("updated_by",), ("body",)),  # the page itself is public text, not about them
    # Second factors and single sign-on: which the person has, never what would let someone use them.
    "totp_factors": Exported(("user_id",), ("secret",)),
    "recovery_codes": Exported(("user_id",), ("code_hash",)),
    "remembered_devices": Exported(("user_id",), ("token_hash",)),
    "passkeys": Exported(("user_id",), ("public_key",)),
    "sso_identities": Exported(("user_id",)),
    # Course workspaces they made, joined or saved a file in: which and when; the files are course content.
    "course_workspaces": Exported(("created_by_id",)),
    "workspace_members": Exported(("user_id",)),
    "workspace_file_versions": Exported(("saved_by_id",), ("content",)),
    # The review steps they took (with their comment) and the publications they made.
    "workspace_steps": Exported(("actor_id",)),
    "workspace_publications": Exported(("published_by_id",)),
    # Recertification campaigns they started (kept on erasure: the person is then the pseudonymous record).
    "campaigns": Exported(("started_by_id",)),
}
# The organisation's record (users.organisation_id) is exported with the profile's id; the record itself is
# about the organisation, not the person.
NOT_EXPORTED: dict[str, str] = {
    "user_search_words": "an index of the name, e-mail address and organisation already in the profile",
}


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def collect(user: User) -> dict:
    """Everything about `user`, table by table, as JSON values (one query per table)."""
    tables: dict[str, list[dict]] = {}
    for name, exported in EXPORTED.items():
        table = db.metadata.tables[name]
        columns = [column for column in table.columns if column.name not in exported.left_out]
        condition = or_(*(table.c[column] == user.id for column in exported.person_columns))
        order = list(table.primary_key.columns)
        rows = db.session.execute(select(*columns).where(condition).order_by(*order)).mappings()
        tables[name] = [{key: _value(value) for key, value in row.items()} for row in rows]
    return {"generated_at": utcnow().isoformat(), "account_id": user.id, "tables": tables}


# --- Deletion -------------------------------------------------------------------------------------------------

def request_deletion(user: User) -> bool:
    """Record the person's request (once); an admin confirms it, or housekeeping carries it out later."""
    if user.deletion_requested_at is not None:
        return False
    user.deletion_requested_at = utcnow()
    db.session.flush()
    audit.record("privacy.deletion_requested", actor_id=user.id, subject_id=user.id)
    return True


def cancel_deletion(user: User) -> bool:
    if user.deletion_requested_at is None or user.erased_at is not None:
        return False
    user.deletion_requested_at = None
    db.session.flush()
    audit.record("privacy.deletion_cancelled", actor_id=user.id, subject_id=user.id)
    return True


def pending_requests(limit: int = 20) -> list[User]:
    """Deletion requests waiting for an admin, oldest first."""
    return list(db.session.scalars(select(User).where(User.deletion_requested_at.is_not(None),
                                                      User.erased_at.is_(None))
                                   .order_by(User.deletion_requested_at, User.id).limit(limit)))


def _blank_essays(attempt: Attempt) -> None:
    """Blank the answers written in the learner's own words (essays); choices and numbers say nothing of them."""
    kinds = (QUESTION_TYPES.get(shown["question"].get("type")) for shown in attempt.questions)
    essays = {shown["question"]["id"] for shown, kind in zip(attempt.questions, kinds, strict=True)
              if kind is not None and kind.own_words}
    if essays & attempt.answers.keys():
        attempt.answers = {key: "" if key in essays else value for key, value in attempt.answers.items()}


def erase(user: User, *, actor_id: int | None = None, ip: str | None = None, reason: str = "request") -> bool:
    """Erase the person's personal data, keeping the pseudonymous record coverage counts rest on. False when
    it was erased already. `reason`: "request" (confirmed by an admin, or due), or "inactive"."""
    if user.erased_at is not None:
        return False
    if user.role == "admin" and user.active and user_admin.active_admins() <= 1:
        raise user_admin.AdminError("last-admin")
    now = utcnow()
    email = user.email
    for statement in (
        delete(CohortMember).where(CohortMember.learner_id == user.id),
        delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id),
        delete(ApiToken).where(ApiToken.user_id == user.id),
        delete(Notice).where(Notice.learner_id == user.id),
        delete(ExportFile).where(ExportFile.owner_id == user.id),
        delete(AnalystCountry).where(AnalystCountry.user_id == user.id),
        delete(TotpFactor).where(TotpFactor.user_id == user.id),
        delete(RecoveryCode).where(RecoveryCode.user_id == user.id),
        delete(RememberedDevice).where(RememberedDevice.user_id == user.id),
        delete(Passkey).where(Passkey.user_id == user.id),
        delete(SsoIdentity).where(SsoIdentity.user_id == user.id),
        delete(OutboundMail).where(OutboundMail.recipient == email),
        update(Certificate).where(Certificate.learner_id == user.id).values(learner_name="",
                                                                              holder_removed_at=now),
    ):
        db.session.execute(statement, execution_options={"synchronize_session": False})
    for attempt in db.session.scalars(select(Attempt).where(Attempt.learner_id == user.id)):
        _blank_essays(attempt)
    for event in db.session.scalars(select(AuditEvent).where(
            or_(AuditEvent.actor_id == user.id, AuditEvent.subject_id == user.id))):
        if "email" in event.detail:
            event.detail = {**event.detail, "email": None}
    db.session.expire(user, ["analyst_countries"])
    user.email = f"erased-{user.id}@erased.invalid"
    user.name = ERASED_NAME
    user.organisation = ""
    user.organisation_id = None
    user.password_hash = ERASED_PASSWORD
    user.active = False
    user.last_login_at = None
    user.end_all_sessions()
    user.erased_at = now
    if user.deletion_requested_at is None:
        user.deletion_requested_at = now
    db.session.flush()
    audit.record("privacy.erased", actor_id=actor_id, ip=ip, subject_id=user.id, reason=reason)
    return True


def erase_due(delay_days: int, inactive_days: int, now: datetime | None = None) -> dict[str, int]:
    """Carry out the requests older than `delay_days` (0: none, an admin confirms each) and erase accounts
    nobody logged in to for `inactive_days` (0: none; never an admin). Run by the nightly housekeeping."""
    now = now or utcnow()
    done = {"deletion_requests": 0, "inactive_accounts": 0}
    if delay_days:
        for user in db.session.scalars(select(User).where(
                User.erased_at.is_(None), User.deletion_requested_at < now - timedelta(days=delay_days))).all():
            done["deletion_requests"] += erase(user, reason="request")
    if inactive_days:
        cutoff = now - timedelta(days=inactive_days)
        for user in db.session.scalars(select(User).where(
                User.erased_at.is_(None), User.role != "admin",
                or_(User.last_login_at < cutoff, User.last_login_at.is_(None) & (User.created_at < cutoff)))).all():
            done["inactive_accounts"] += erase(user, reason="inactive")
    return done

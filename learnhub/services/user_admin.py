"""What an admin (or an operator with the CLI) may change about an account, with its rules and its audit.

Every change is recorded with who made it (`actor`, None for the CLI), the account it is about
(`subject_id`), and the values before and after. Two rules keep the platform administrable: the last active
admin can neither lose the role nor be disabled, and nobody changes their own role or disables themselves
(another admin must). A disabled account's sessions and API tokens end at once; it cannot log in until it
is enabled again, which does not bring its old sessions or tokens back (decision 0056).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from learnhub.extensions import db
from learnhub.models import AnalystCountry, ApiToken, Cohort, CohortMember, ThrottleEvent, User
from learnhub.models.base import utcnow
from learnhub.models.users import ROLES
from learnhub.reference import country_regions
from learnhub.services import account_mail, accounts, audit, invitations, throttle
from learnhub.services.cohorts import NO_PASSWORD

RESET_REQUIRED = "!reset"  # (a marker, never a password: verify_password refuses it)
LOGIN_ACCOUNT_SCOPE = "login-account"  # login_throttle's per-account counter


class AdminError(ValueError):
    """A rule about administering accounts was broken; `code` says which, for the caller to phrase.

    Codes: unknown-role, own-role, own-account, last-admin, scope-required, unknown-country, nothing-to-send.
    """

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an admin in the browser (with their address), or the CLI (`user` None)."""

    user: User | None = None
    ip: str | None = None
    via: str = "web"

    @property
    def id(self) -> int | None:
        return self.user.id if self.user is not None else None


def _record(event: str, actor: Actor, user: User, before, after, **detail) -> None:
    audit.record(event, actor_id=actor.id, ip=actor.ip, subject_id=user.id, email=user.email,
                 before=before, after=after, via=actor.via, **detail)


def active_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True))) or 0


def _keep_an_admin(user: User) -> None:
    if user.role == "admin" and user.active and active_admins() <= 1:
        raise AdminError("last-admin")


def scope_countries(countries=(), regions=()) -> tuple[str, ...]:
    """Countries named one by one and every country of the regions named ("EU", "LAC"), sorted, no repeats;
    AdminError("unknown-country") for a code that is neither."""
    known = country_regions()
    codes = {code.strip().upper() for code in countries if code.strip()}
    if codes - known.keys() or set(regions) - set(known.values()):
        raise AdminError("unknown-country")
    codes |= {code for code, region in known.items() if region in set(regions)}
    return tuple(sorted(codes))


def set_role(actor: Actor, user: User, role: str, countries: tuple[str, ...] = ()) -> bool:
    """Give `user` another role (an analyst with `countries` in scope). Returns whether anything changed.

    A changed role ends the person's sessions and API tokens (accounts.set_role): the next request is made
    with the new role, after logging in again."""
    if role not in ROLES:
        raise AdminError("unknown-role")
    if role == user.role == "analyst":
        return set_scope(actor, user, countries)
    countries = scope_countries(countries) if role == "analyst" else ()
    if role == "analyst" and not countries:
        raise AdminError("scope-required")
    if actor.user is not None and actor.user.id == user.id and role != user.role:
        raise AdminError("own-role")
    if role != "admin":
        _keep_an_admin(user)
    before = {"role": user.role, "countries": sorted(user.countries_in_scope)}
    after = {"role": role, "countries": list(countries)}
    if before == after:
        return False
    accounts.set_role(user, role, countries)
    _record("user.role_changed", actor, user, before, after)
    return True


def set_scope(actor: Actor, user: User, countries: tuple[str, ...]) -> bool:
    """Change the countries an analyst reports on; it counts from the person's next request, without ending
    their session (a narrower scope hides at once what it no longer covers)."""
    if user.role != "analyst":
        raise AdminError("unknown-role")
    countries = scope_countries(countries)
    if not countries:
        raise AdminError("scope-required")
    before = sorted(user.countries_in_scope)
    if before == list(countries):
        return False
    kept = {scope.country: scope for scope in user.analyst_countries}  # a row deleted and re-added would clash
    user.analyst_countries = [kept.get(code) or AnalystCountry(country=code) for code in countries]
    db.session.flush()
    _record("user.scope_changed", actor, user, {"countries": before}, {"countries": list(countries)})
    return True


def disable(actor: Actor, user: User, reason: str = "") -> bool:
    """Stop an account at once: its sessions end (the next request of any browser is refused), its API tokens
    are revoked, and it cannot log in. Returns False when it was disabled already."""
    if actor.user is not None and actor.user.id == user.id:
        raise AdminError("own-account")
    if not user.active:
        return False
    _keep_an_admin(user)
    user.active = False
    user.end_all_sessions()
    revoked = db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                                 .values(revoked_at=utcnow())).rowcount
    db.session.flush()
    _record("user.disabled", actor, user, {"active": True}, {"active": False}, reason=reason,
            tokens_revoked=revoked)
    return True


def enable(actor: Actor, user: User) -> bool:
    """Let a disabled account log in again (with its password; old sessions and tokens stay ended)."""
    if user.active:
        return False
    user.active = True
    db.session.flush()
    _record("user.enabled", actor, user, {"active": False}, {"active": True})
    return True


def throttled_for(user: User, limits) -> int | None:
    """Seconds before the account's per-account login limit lets browsers it does not know try again, or None."""
    return throttle.retry_after(LOGIN_ACCOUNT_SCOPE, user.email, limits.per_account)


def unlock(actor: Actor, user: User) -> int:
    """Forget the failed logins counted against the account (not those of any client address), so its owner
    may try again at once from anywhere. Returns how many were forgotten."""
    forgotten = db.session.execute(delete(ThrottleEvent).where(
        ThrottleEvent.scope == LOGIN_ACCOUNT_SCOPE,
        ThrottleEvent.key_hash == throttle.key_hash(LOGIN_ACCOUNT_SCOPE, user.email)),
        execution_options={"synchronize_session": False}).rowcount
    _record("user.unlocked", actor, user, {"failed_logins": forgotten}, {"failed_logins": 0})
    return forgotten


def pending_cohorts(user: User) -> list[Cohort]:
    """Cohorts whose invitation the person has not answered yet."""
    return list(db.session.scalars(select(Cohort).join(CohortMember, CohortMember.cohort_id == Cohort.id).where(
        CohortMember.learner_id == user.id, CohortMember.accepted_at.is_(None)).order_by(Cohort.id)))


def mail_to_resend(user: User) -> str | None:
    """"invitation" (invited, no password chosen yet), "verification" (address not proven) or None."""
    if user.password_hash == NO_PASSWORD and pending_cohorts(user):
        return "invitation"
    if user.email_verified_at is None:
        return "verification"
    return None


def resend_mail(actor: Actor, user: User) -> tuple[str, list[int]]:
    """Owe the person their invitation mails again (returns the cohorts, for the caller to wake the queue), or
    queue a new verification link. AdminError("nothing-to-send") when neither is due. Needs a request context."""
    kind = mail_to_resend(user)
    if kind is None:
        raise AdminError("nothing-to-send")
    cohorts = []
    if kind == "invitation":
        cohorts = [cohort.id for cohort in pending_cohorts(user) if invitations.queue(cohort, user.id)]
    else:
        account_mail.send_verification(user)
    _record("user.mail_resent", actor, user, None, None, mail=kind, cohorts=cohorts)
    return kind, cohorts


def force_password_reset(actor: Actor, user: User, hours: int) -> None:
    """The password stops working and every session ends; the person gets a link (valid `hours`) to choose a
    new one. For an account that may be in someone else's hands. Needs a request context."""
    had_password = user.password_hash.startswith("$")
    user.password_hash = RESET_REQUIRED
    user.end_all_sessions()
    db.session.flush()
    token = accounts.issue_reset_token(user, timedelta(hours=hours))
    account_mail.send_reset(user, token, hours)
    _record("user.password_reset_forced", actor, user, {"password": had_password}, {"password": False})

"""`learnhub users list|show|set-role|set-scope|disable|enable|reset-password`: what the admin pages do, for
operators who automate (issue 17).

Every command names an account by its e-mail address or its id, calls the same service as the pages
(`user_directory`, `user_admin`, with the same rules and the same audit, recorded `via: cli` without an
actor), and with `--json` prints one JSON object on standard output. Exit status: 0 done (also when
nothing needed changing: the JSON's "changed" says which), 1 refused or not found (one line on standard
error, `learnhub: error: CODE: message`), 2 a usage error (click's).
"""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from learnhub.cli_errors import CommandError
from learnhub.extensions import db
from learnhub.models import User
from learnhub.models.users import ROLES
from learnhub.services import user_admin, user_directory
from learnhub.services.user_admin import Actor, AdminError

CLI_ACTOR = Actor(None, None, via="cli")
ADMIN_ERRORS = {
    "unknown-role": "that role does not apply here",
    "own-role": "nobody changes their own role",
    "own-account": "nobody disables their own account",
    "last-admin": "this is the last active admin; make another account admin first",
    "scope-required": "an analyst needs at least one --country or --region",
    "unknown-country": "unknown country code or region; use ISO 3166-1 alpha-2 codes of EU or CELAC states, "
                       "and EU or LAC",
    "nothing-to-send": "there is no invitation or address check to send",
}


def _account(person: str) -> User:
    text = person.strip()
    user = (db.session.get(User, int(text)) if text.isdigit()
            else db.session.scalar(select(User).where(User.email == text.lower())))
    if user is None:
        raise CommandError(f"not-found: no account with e-mail address or id {text}")
    return user


def _refused(error: AdminError) -> CommandError:
    return CommandError(f"{error.code}: {ADMIN_ERRORS.get(error.code, error.code)}")


def as_record(user: User) -> dict:
    """An account as the commands print it (and as --json gives it)."""
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "countries_in_scope": sorted(user.countries_in_scope), "country": user.country,
            "organisation": user.organisation, "organisation_type": user.organisation_type, "sector": user.sector,
            "status": "active" if user.active else "disabled", "email_verified": user.email_verified_at is not None,
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
            "created_at": user.created_at.isoformat()}


def _line(user: User) -> str:
    scope = f" [{','.join(sorted(user.countries_in_scope))}]" if user.role == "analyst" else ""
    return (f"{user.id}\t{user.email}\t{user.role}{scope}\t{user.country}\t"
            f"{'active' if user.active else 'disabled'}\t{user.name}")


def _done(user: User, changed: bool, as_json: bool, verb: str) -> None:
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"changed": changed, "user": as_record(user)}, ensure_ascii=False))
    else:
        click.echo(f"{verb} {user.email} (id {user.id})" if changed else f"unchanged: {user.email} (id {user.id})")


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on standard output.")
scope_options = (
    click.option("--country", "countries", multiple=True, help="A country in scope (ISO code). Repeatable."),
    click.option("--region", "regions", multiple=True, type=click.Choice(("EU", "LAC"), case_sensitive=False),
                 help="Every country of a region in scope. Repeatable."),
)


def _with_scope(command):
    for option in reversed(scope_options):
        command = option(command)
    return command


def _scope(countries, regions) -> tuple[str, ...]:
    try:
        return user_admin.scope_countries(countries, tuple(region.upper() for region in regions))
    except AdminError as error:
        raise _refused(error) from None


def add_commands(users: AppGroup) -> None:
    """Add the administration commands to the `learnhub users` group."""

    @users.command("list")
    @click.option("--search", default="", help="Beginnings of words of the name, e-mail address or organisation.")
    @click.option("--role", type=click.Choice(ROLES))
    @click.option("--country", help="Country of work (ISO code).")
    @click.option("--status", type=click.Choice(user_directory.STATUSES))
    @click.option("--after", type=int, help="Continue after this account id (the JSON's next_after).")
    @click.option("--limit", type=click.IntRange(1, 1000), default=user_directory.PAGE_SIZE, show_default=True)
    @json_option
    def list_users(search, role, country, status, after, limit, as_json):
        """List accounts in name order, one per line (id, e-mail, role, country, status, name)."""
        from learnhub.reference import country_regions

        filters = user_directory.Filters(search=search, role=role or "", country=(country or "").upper(),
                                         status=status or "").clean(country_regions())
        found = user_directory.page(filters, after=after, size=limit)
        if as_json:
            click.echo(json.dumps({"users": [as_record(user) for user in found.users], "next_after": found.after},
                                  ensure_ascii=False))
            return
        for user in found.users:
            click.echo(_line(user))
        if found.after:
            click.echo(f"more: --after {found.after}", err=True)

    @users.command("show")
    @click.argument("person")
    @json_option
    def show_user(person, as_json):
        """Show one account (PERSON: e-mail address or id)."""
        user = _account(person)
        record = as_record(user)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
            return
        for key, value in record.items():
            click.echo(f"{key}: {', '.join(value) if isinstance(value, list) else value}")

    @users.command("set-role")
    @click.argument("person")
    @click.argument("role", type=click.Choice(ROLES))
    @_with_scope
    @json_option
    def set_role(person, role, countries, regions, as_json):
        """Give PERSON another ROLE; an analyst needs --country or --region. Ends their sessions and API tokens."""
        user = _account(person)
        try:
            changed = user_admin.set_role(CLI_ACTOR, user, role, _scope(countries, regions))
        except AdminError as error:
            raise _refused(error) from None
        _done(user, changed, as_json, f"now {role}:")

    @users.command("set-scope")
    @click.argument("person")
    @_with_scope
    @json_option
    def set_scope(person, countries, regions, as_json):
        """Set the countries an analyst reports on (replacing the ones they had)."""
        user = _account(person)
        try:
            changed = user_admin.set_scope(CLI_ACTOR, user, _scope(countries, regions))
        except AdminError as error:
            if error.code == "unknown-role":
                raise CommandError(f"not-analyst: {user.email} is a {user.role}, not an analyst; "
                                   "use set-role") from None
            raise _refused(error) from None
        _done(user, changed, as_json, "scope set for")

    @users.command("disable")
    @click.argument("person")
    @click.option("--reason", default="", help="Kept in the audit log.")
    @json_option
    def disable(person, reason, as_json):
        """Disable an account: its sessions and API tokens end at once; it cannot log in."""
        user = _account(person)
        try:
            changed = user_admin.disable(CLI_ACTOR, user, reason.strip()[:200])
        except AdminError as error:
            raise _refused(error) from None
        _done(user, changed, as_json, "disabled")

    @users.command("enable")
    @click.argument("person")
    @json_option
    def enable(person, as_json):
        """Let a disabled account log in again."""
        user = _account(person)
        _done(user, user_admin.enable(CLI_ACTOR, user), as_json, "enabled")

    @users.command("reset-password")
    @click.argument("person")
    @json_option
    def reset_password(person, as_json):
        """Stop the account's password and sessions, and mail it a link to choose a new password."""
        from learnhub.jobs.queue import request_context

        user = _account(person)
        with request_context():  # the mail's link and language
            user_admin.force_password_reset(CLI_ACTOR, user, current_app.config["PASSWORD_RESET_HOURS"])
            _done(user, True, as_json, "password reset forced for")

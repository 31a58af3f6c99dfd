"""The `learnhub` command: `flask --app learnhub` with LearnHub's own commands added.

Errors a person can fix are printed as one clear line with exit status 1; a traceback only with
--debug (LEARNHUB_DEBUG=1).
"""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup
from sqlalchemy import func, select

from learnhub.config import ConfigError
from learnhub.extensions import db
from learnhub.i18n import LANGUAGE_NAMES
from learnhub.models import User
from learnhub.models.users import ROLES
from learnhub.reference import country_regions
from learnhub.services import accounts
from learnhub.services.accounts import AccountError, Profile
from learnhub.services.audit import record as audit

PASSWORD_ERRORS = {
    "too-short": "the password must have at least 12 characters",
    "too-long": "the password must have at most 128 characters",
    "common": "the password is too common or easy to guess",
    "personal": "the password must not be the name or e-mail address",
}

DEMO_ACCOUNTS = (
    ("admin@demo.learnhub.test", "Ana Admin", "admin", "DO", ()),
    ("trainer@demo.learnhub.test", "Tomás Trainer", "trainer", "CO", ()),
    ("analyst@demo.learnhub.test", "Alba Analyst", "analyst", "DO", ("DO",)),
    ("trainee@demo.learnhub.test", "Teo Trainee", "trainee", "PE", ()),
)


def _create_app(*_args) -> Flask:
    from learnhub import create_app

    return create_app()


def main() -> None:
    try:
        cli.main(prog_name="learnhub")
    except ConfigError as error:
        click.echo(f"learnhub: configuration error: {error}", err=True)
        sys.exit(1)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, add_default_commands=True,
             load_dotenv=False)
def cli() -> None:
    """LearnHub: run, migrate and manage the platform."""


def fail(message: str) -> None:
    click.echo(f"learnhub: error: {message}", err=True)
    sys.exit(1)


def read_password(prompt: str = "Password") -> str:
    """One line from standard input when it is not a terminal; else a hidden prompt, asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


def register_commands(app: Flask) -> None:
    app.cli.add_command(users)


users = AppGroup("users", help="Create accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="trainee", show_default=True)
@click.option("--name", default="", help="Full name (default: the part of the e-mail before @).")
@click.option("--country", "countries", multiple=True,
              help="Country of work (first one) and, for analysts, every country in scope. Repeatable.")
@click.option("--language", type=click.Choice(tuple(LANGUAGE_NAMES)), default="en", show_default=True)
def create_user(email: str, role: str, name: str, countries: tuple[str, ...], language: str) -> None:
    """Create an account; the password is read from standard input (one line) or prompted for."""
    codes = tuple(code.upper() for code in countries)
    unknown = [code for code in codes if code not in country_regions()]
    if unknown:
        fail(f"unknown country code {', '.join(unknown)}; use ISO 3166-1 alpha-2 codes of EU or CELAC states")
    if role == "analyst" and not codes:
        fail("an analyst needs at least one --country in scope")
    password = read_password()
    profile = Profile(name=name.strip() or email.split("@")[0], language=language,
                      country=codes[0] if codes else "DO", sector="public-administration",
                      organisation="-", organisation_type="government")
    try:
        user = accounts.create(email, password, profile, role=role,
                               countries=codes if role == "analyst" else ())
    except AccountError as error:
        message = {"email-taken": f"an account with e-mail {accounts.normalise_email(email)} already exists",
                   **PASSWORD_ERRORS}.get(error.code, error.code)
        fail(message)
    audit("account.created_by_cli", actor_id=None, role=role, user_id=user.id)
    db.session.commit()
    click.echo(f"created {role} {user.email} (id {user.id})")


@users.command("demo")
def create_demo_accounts() -> None:
    """Development only: create one account per role when the database has no accounts, and print them."""
    if current_app.config["LEARNHUB_ENV"] != "development":
        fail("demo accounts are only created with LEARNHUB_ENV=development")
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("accounts exist already; no demo accounts created")
        return
    click.echo("Demo accounts (development only):")
    for email, name, role, country, scope in DEMO_ACCOUNTS:
        password = f"demo-{role}-{os.urandom(4).hex()}"
        accounts.create(email, password, Profile(
            name=name, language="es", country=country, sector="public-administration",
            organisation="LearnHub demo", organisation_type="government"), role=role, countries=scope)
        click.echo(f"  {role:8} {email:28} password: {password}")
    db.session.commit()

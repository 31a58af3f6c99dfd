"""The `learnhub` command: `flask --app learnhub` with LearnHub's own commands added.

Errors a person can fix are printed as one clear line with exit status 1; a traceback only with
--debug (LEARNHUB_DEBUG=1).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import func, select

from learnhub.cli_badges import badges_group
from learnhub.cli_demo import demo_command
from learnhub.cli_errors import CommandError
from learnhub.cli_static import static_group
from learnhub.cli_users import add_commands as add_user_commands
from learnhub.config import ConfigError
from learnhub.content.loader import Checks, load_tree
from learnhub.extensions import db
from learnhub.i18n import LANGUAGE_NAMES
from learnhub.models import User
from learnhub.models.users import ROLES
from learnhub.reference import country_regions
from learnhub.services import accounts, course_sync, gift_export
from learnhub.services.accounts import AccountError, Profile
from learnhub.services.audit import record as audit
from learnhub.text import clean_line

PASSWORD_ERRORS = {
    "too-short": "the password must have at least 12 characters",
    "too-long": "the password must have at most 128 characters",
    "common": "the password is too common or easy to guess",
    "personal": "the password must not be the name or e-mail address",
}
EMAIL_ERRORS = {  # accounts.email_problem, the rule every door applies
    "missing-email": "the e-mail address is empty",
    "too-long": "the e-mail address is longer than 254 characters",
    "bad-email": "that is not an e-mail address; write it like name@example.org",
    "cannot-receive": "that address cannot receive e-mail (special-use domain such as .test, .invalid, .localhost)",
}

MAX_NAME = User.__table__.c.name.type.length  # what the column holds (the e-mail rule bounds addresses)

# example.org is reserved (RFC 2606) and passes the one e-mail rule, so demo accounts log in through the same
# form as everyone; .test addresses would be refused as unable to receive mail (decision 0024).
DEMO_ACCOUNTS = (
    ("admin@demo.example.org", "Ana Admin", "admin", "DO", ()),
    ("trainer@demo.example.org", "Tomás Trainer", "trainer", "CO", ()),
    ("analyst@demo.example.org", "Alba Analyst", "analyst", "DO", ("DO",)),
    ("trainee@demo.example.org", "Teo Trainee", "trainee", "PE", ()),
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


def read_password(prompt: str = "Password") -> str:
    """One line from standard input when it is not a terminal; else a hidden prompt, asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


def register_commands(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(courses)
    app.cli.add_command(report)
    app.cli.add_command(demo_command)
    app.cli.add_command(cohorts_group)
    app.cli.add_command(worker)
    app.cli.add_command(jobs_group)
    app.cli.add_command(static_group)
    app.cli.add_command(badges_group)


users = AppGroup("users", help="Create and administer accounts.")
add_user_commands(users)


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="trainee", show_default=True)
@click.option("--name", default="", help="Full name (default: the part of the e-mail before @).")
@click.option("--country", "countries", multiple=True,
              help="Country of work (first one) and, for analysts, every country in scope. Repeatable.")
@click.option("--language", type=click.Choice(tuple(LANGUAGE_NAMES)), default="en", show_default=True)
def create_user(email: str, role: str, name: str, countries: tuple[str, ...], language: str) -> None:
    """Create an account; the password is read from standard input (one line) or prompted for."""
    name = " ".join(clean_line(name).split())
    if len(name) > MAX_NAME:
        raise CommandError(f"--name is longer than {MAX_NAME} characters; shorten it")
    codes = tuple(code.upper() for code in countries)
    unknown = [code for code in codes if code not in country_regions()]
    if unknown:
        raise CommandError(f"unknown country code {', '.join(unknown)}; "
                           "use ISO 3166-1 alpha-2 codes of EU or CELAC states")
    if role == "analyst" and not codes:
        raise CommandError("an analyst needs at least one --country in scope")
    password = read_password()
    profile = Profile(name=name or email.split("@")[0][:MAX_NAME], language=language,
                      country=codes[0] if codes else "DO", sector="public-administration",
                      organisation="-", organisation_type="government")
    try:
        user = accounts.create(email, password, profile, role=role,
                               countries=codes if role == "analyst" else (), verified=True)
    except AccountError as error:
        message = {"email-taken": f"an account with e-mail {accounts.normalise_email(email)} already exists",
                   **PASSWORD_ERRORS, **EMAIL_ERRORS}.get(error.code, error.code)
        raise CommandError(message) from error
    audit("account.created_by_cli", actor_id=None, role=role, user_id=user.id)
    db.session.commit()
    click.echo(f"created {role} {user.email} (id {user.id})")


@users.command("demo")
def create_demo_accounts() -> None:
    """Development only: create one account per role when the database has no accounts, and print them."""
    if current_app.config["LEARNHUB_ENV"] != "development":
        raise CommandError("demo accounts are only created with LEARNHUB_ENV=development")
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("accounts exist already; no demo accounts created")
        return
    click.echo("Demo accounts (development only):")
    for email, name, role, country, scope in DEMO_ACCOUNTS:
        password = f"demo-{role}-{os.urandom(4).hex()}"
        accounts.create(email, password, Profile(
            name=name, language="es", country=country, sector="public-administration",
            organisation="LearnHub demo", organisation_type="government"), role=role, countries=scope,
            verified=True)
        click.echo(f"  {role:8} {email:28} password: {password}")
    db.session.commit()


cohorts_group = AppGroup("cohorts", help="Operate on trainers' cohorts.")


@cohorts_group.command("send-invitations")
@click.option("--cohort", "cohort_id", type=int, help="Only this cohort's invitations (default: every cohort).")
def send_invitations(cohort_id: int | None) -> None:
    """Queue the mail of every cohort invitation still owed (the queue's consumers deliver them). Safe to run
    again, or while consumers work: each invitation goes out once."""
    from learnhub.models import Cohort
    from learnhub.services import invitations

    cohort = None
    if cohort_id is not None:
        cohort = db.session.get(Cohort, cohort_id)
        if cohort is None:
            raise CommandError(f"no cohort with id {cohort_id}; the id is the number in the cohort page's address")
    from learnhub.jobs.queue import request_context

    with request_context():  # links and the recipient's language need a request context
        sending = invitations.send_owed(cohort)
    click.echo(f"queued {sending.sent} invitation mail(s); {sending.remaining} still owed")


@click.command("worker")
@with_appcontext
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Jobs run at once by this consumer (threads).")
@click.option("--no-periodic", is_flag=True, help="Leave the sweep and housekeeping to other consumers.")
def worker(workers: int, no_periodic: bool) -> None:
    """Consume the task queue (LEARNHUB_QUEUE_URL): deliver mail, send invitations, sweep, keep house. Run
    one or more beside the web server; stop with Ctrl-C (a job cut short is found again by the sweep)."""
    import logging

    from learnhub.jobs import tasks  # noqa: F401  (declares the jobs)
    from learnhub.jobs.queue import huey

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    click.echo(f"learnhub worker: queue {current_app.config['QUEUE_URL'].partition('://')[0]}, "
               f"{workers} thread(s)")
    huey.create_consumer(workers=workers, worker_type="thread", periodic=not no_periodic,
                         check_worker_health=True).run()


jobs_group = AppGroup("jobs", help="Run queue jobs now, in this process.")


@jobs_group.command("sweep")
@click.option("--older-than", "seconds", type=click.IntRange(0), default=600, show_default=True,
              help="Only mail queued (and imports, regrades and exports silent) at least this many seconds ago "
                   "(younger ones may still be on their way).")
def run_sweep(seconds: int) -> None:
    """Wake consumers again for owed mail and invitations whose queue message was lost (a consumer killed
    mid-job), and for imports, regrades and exports whose consumer stopped; consumers also do it every five
    minutes."""
    from datetime import timedelta

    from learnhub.jobs import tasks

    woken = tasks.sweep.call_local(timedelta(seconds=seconds))
    click.echo(f"woke {woken['mails']} mail(s); invitations owed: {woken['invitations']}; "
               f"imports woken: {woken['imports']}; regrades woken: {woken['regrades']}; "
               f"exports woken: {woken['exports']}")


@jobs_group.command("housekeeping")
def run_housekeeping() -> None:
    """Delete spent links, old throttle events, sent mail, resolved failures and audit events past retention
    now (consumers also do it every night)."""
    from learnhub.services import housekeeping

    removed = housekeeping.run()
    click.echo(", ".join(f"{name}: {count}" for name, count in removed.items()))


@jobs_group.command("certificate-reminders")
def run_certificate_reminders() -> None:
    """Queue the mails of certificates expiring in 30 or 7 days now (consumers also do it every morning)."""
    from learnhub.jobs.queue import request_context
    from learnhub.services import certificate_reminders

    with request_context():
        sent = certificate_reminders.send_due()
    click.echo(f"reminders queued: {sent}")


courses = AppGroup("courses", help="Validate course sources and load them into the database.")


def _courses_root(directory: str | None) -> Path:
    root = Path(directory or current_app.config["COURSES_DIR"])
    if not root.is_dir():
        raise CommandError(f"no course folder at {root}; pass the folder that holds the courses, e.g. `courses`")
    return root


def _print_problems(problems) -> None:
    """Each problem on its own line; errors (and plain messages, which only report errors) on stderr."""
    for problem in problems:
        click.echo(str(problem), err=getattr(problem, "is_error", True))


def _checks() -> Checks:
    return Checks(review_max_age_days=current_app.config["REVIEW_MAX_AGE_DAYS"])


@courses.command("validate")
@click.argument("directory", required=False)
def validate_courses(directory: str | None) -> None:
    """Check every course: prints `path:line: error|warning: message`; exit status 1 on any error."""
    root = _courses_root(directory)
    results = load_tree(root, checks=_checks())
    problems = [problem for _, found in results.values() for problem in found]
    _print_problems(problems)
    errors = sum(problem.is_error for problem in problems)
    click.echo(f"{len(results)} courses checked: {errors} errors, {len(problems) - errors} warnings", err=True)
    if errors:
        sys.exit(1)


@courses.command("sync")
@click.argument("directory", required=False)
def sync_courses(directory: str | None) -> None:
    """Validate and load each course in its own transaction; unchanged courses are skipped.

    A course with errors keeps its last good version live; a course whose folder is gone is retired.
    Exit status 1 when any course failed.
    """
    root = _courses_root(directory)

    def with_bar(folders):
        shown = sys.stdout.isatty() and len(folders) > 20
        with click.progressbar(folders, label="Syncing courses", file=None if shown else open(os.devnull, "w")) as bar:
            yield from bar

    summary = course_sync.sync_tree(root, report=_print_problems, progress=with_bar, checks=_checks())
    click.echo(f"courses: {summary}")
    if summary.failed:
        sys.exit(1)


@courses.command("export-gift")
@click.argument("course")
@click.argument("quiz", required=False)
@click.option("--language", help="Only this language's version (default: every language).")
@click.option("--output", type=click.Path(file_okay=False), help="Write the files into this folder, named as in "
              "the course; without it, the one file asked for goes to standard output.")
@click.option("--courses", "directory", type=click.Path(file_okay=False), help="The folder that holds the courses "
              "(default: COURSES_DIR).")
def export_gift(course: str, quiz: str | None, language: str | None, output: str | None,
                directory: str | None) -> None:
    """Write a course's quizzes (or QUIZ) back as GIFT that Moodle and LearnHub read to the same questions.

    One quiz in one language (QUIZ, and --language unless the quiz has only one) prints to standard output;
    several need --output. Exit status 1 when the course has errors or a question cannot be written.
    """
    try:
        files = gift_export.quiz_files(_courses_root(directory), course, quiz, language)
    except gift_export.ExportError as error:
        raise CommandError(error.message) from None
    if output is None:
        if len(files) != 1:
            raise CommandError(f"{len(files)} GIFT files to write; pass --output FOLDER, or name one quiz "
                               "and --language")
        click.echo(files[0].text, nl=False)
        return
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    for found in files:
        (folder / found.name).write_text(found.text, encoding="utf-8")
        click.echo(str(folder / found.name))


report = AppGroup("report", help="Coverage reports for ministries.")


@report.command("coverage")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. DO.")
@click.option("--year", type=click.IntRange(2000, 2100), default=None,
              help="Calendar year, from 2000 to next year (default: this year).")
@click.option("--format", "fmt", type=click.Choice(("csv", "xlsx", "json", "pdf")), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--as", "as_email", required=True,
              help="The analyst (or admin) the report is for: only their countries can be reported.")
def coverage_report(country: str, year: int | None, fmt: str, output: str, as_email: str) -> None:
    """Write a country's coverage report, exactly as the dashboard's download would be."""
    from flask_babel import force_locale

    from learnhub.models.base import utcnow
    from learnhub.reports import coverage, formats, scope

    person = accounts.find_by_email(as_email)
    if person is None or not person.has_role("analyst", "admin"):
        raise CommandError(f"{as_email} is not an analyst or admin account")
    country = country.upper()
    if country not in scope.countries_in_scope(person):
        raise CommandError(f"{country} is not in the scope of {person.email}")
    year = year or utcnow().year
    if not scope.year_reported(year):
        raise CommandError(f"there is no report for {year}: reports cover {scope.FIRST_YEAR} to {utcnow().year + 1}")
    result = coverage.build(country, year, current_app.config["SUPPRESSION_K"])
    with force_locale(person.language):
        data, _ = formats.render(result, fmt, person.language)
    Path(output).write_bytes(data)
    audit("report.downloaded", actor_id=person.id, country=country, year=year, format=fmt, via="cli")
    db.session.commit()
    click.echo(f"wrote {output} ({len(data)} bytes): coverage of {country} in {year}")


@report.command("rebuild")
@click.option("--queue", "queued", is_flag=True,
              help="Queue the rebuild for a consumer (learnhub worker) instead of running it here.")
def rebuild_rollup(queued: bool) -> None:
    """Recount the coverage rollup from the facts (after a bulk load, a restore or a manual fix)."""
    from learnhub.reports import aggregate

    if queued:
        from learnhub.jobs import tasks

        tasks.rebuild_report()
        click.echo("coverage rollup rebuild queued: a consumer (learnhub worker) runs it")
        return
    began = time.perf_counter()
    rows = aggregate.rebuild_rollup()
    click.echo(f"coverage rollup rebuilt: {rows} counts in {time.perf_counter() - began:.1f} s")


@report.command("check")
def check_rollup() -> None:
    """Compare the coverage rollup with a live count of the facts, and the "currently certified" counts that
    reports make when read with their live count at the present moment; exit 1 and list the cells that differ."""
    from learnhub.models.base import utcnow
    from learnhub.reports import aggregate, rollup

    connection = db.session.connection()
    now = utcnow()
    live = {**aggregate.nonzero(aggregate.live_counts(connection)),
            **aggregate.nonzero(aggregate.current_live(connection, now.year, now))}
    stored = {**aggregate.nonzero(aggregate.stored(connection)),
              **aggregate.nonzero(rollup.current_counts(db.session, None, now.year, now))}
    wrong = sorted(key for key in live.keys() | stored.keys() if live.get(key, 0) != stored.get(key, 0))
    for key in wrong[:50]:
        click.echo(f"{' '.join(map(str, key))}: rollup {stored.get(key, 0)}, facts {live.get(key, 0)}")
    if wrong:
        raise CommandError(f"{len(wrong)} counts differ; run: learnhub report rebuild")
    click.echo(f"coverage rollup matches the facts ({len(live)} counts)")

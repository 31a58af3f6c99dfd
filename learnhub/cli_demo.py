"""`learnhub demo`: realistic synthetic learners for demos and benchmarks (never in production).

    learnhub demo --learners 100000 [--seed 1] [--year 2026] [--batch 5000]
    learnhub demo --accounts 100000          (plain accounts, no activity: the user list at scale)

Registered in learnhub/cli.py with `app.cli.add_command(demo_command)`; the work is done by
learnhub.services.demo.
"""

from __future__ import annotations

import os
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from learnhub.cli_errors import CommandError
from learnhub.extensions import db
from learnhub.services import demo, demo_accounts


@click.command("demo")
@click.option("--learners", type=click.IntRange(1, demo.MAX_LEARNERS), default=None,
              help=f"How many demo learners to make (1 to {demo.MAX_LEARNERS:,}).")
@click.option("--accounts", type=click.IntRange(1, demo_accounts.MAX_ACCOUNTS), default=None,
              help="How many plain demo accounts to make, without any activity (to try the administration's "
                   "user list at scale).")
@click.option("--seed", type=click.IntRange(1, 1_000_000), default=1, show_default=True,
              help="Same seed, same learners: running again adds only those missing.")
@click.option("--year", type=int, default=None,
              help="Calendar year the activity falls in (default: this year, up to today).")
@click.option("--batch", type=click.IntRange(1, 100_000), default=5000, show_default=True,
              help="Learners per transaction.")
@with_appcontext
def demo_command(learners: int | None, accounts: int | None, seed: int, year: int | None, batch: int) -> None:
    """Create demo learners with enrolments, progress, quiz attempts and certificates (--learners), or plain
    demo accounts without activity (--accounts), or both.

    Every demo learner has the e-mail demo-<n>@demo.learnhub.test, every plain account
    person<nnnnnnn>@demo.learnhub.test; both have an organisation ending in "(demo)" and no usable password.
    Refused in production, and --learners before the courses are synced.
    """
    if learners is None and accounts is None:
        raise click.UsageError("say how many: --learners N, --accounts N, or both")
    if accounts is not None:
        _make_accounts(accounts)
    if learners is not None:
        _make_learners(learners, seed, year, batch)


def _make_accounts(accounts: int) -> None:
    with open(os.devnull, "w") as devnull, click.progressbar(
            length=accounts, label="Demo accounts", file=None if sys.stdout.isatty() else devnull) as bar:
        try:
            made = demo_accounts.add(accounts, on_batch=bar.update)
        except demo_accounts.DemoAccountsError as error:
            raise CommandError(str(error)) from error
    click.echo(f"{made:,} demo accounts made, {accounts - made:,} existed already")


def _make_learners(learners: int, seed: int, year: int | None, batch: int) -> None:
    try:
        courses, start, end = demo.check(year)  # refuse before the progress bar shows
    except demo.DemoError as error:
        raise CommandError(str(error)) from error
    label = f"Demo learners in {len(courses)} courses, {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    with open(os.devnull, "w") as devnull, click.progressbar(
            length=learners, label=label, file=None if sys.stdout.isatty() else devnull) as bar:
        try:
            summary = demo.generate(learners, seed=seed, year=year, batch=batch, on_batch=bar.update)
        except demo.DemoError as error:
            raise CommandError(str(error)) from error
        except SQLAlchemyError as error:
            db.session.rollback()
            raise CommandError(f"could not store a batch of demo learners ({error.__class__.__name__}); "
                               "the batches before it are kept: run the same command again to add the rest") from error
    click.echo(summary.line())

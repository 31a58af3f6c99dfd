"""`learnhub demo`: realistic synthetic learners for demos and benchmarks (never in production).

    learnhub demo --learners 100000 [--seed 1] [--year 2026] [--batch 5000]

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
from learnhub.services import demo


@click.command("demo")
@click.option("--learners", type=click.IntRange(1, demo.MAX_LEARNERS), required=True,
              help=f"How many demo learners to make (1 to {demo.MAX_LEARNERS:,}).")
@click.option("--seed", type=click.IntRange(1, 1_000_000), default=1, show_default=True,
              help="Same seed, same learners: running again adds only those missing.")
@click.option("--year", type=int, default=None,
              help="Calendar year the activity falls in (default: this year, up to today).")
@click.option("--batch", type=click.IntRange(1, 100_000), default=5000, show_default=True,
              help="Learners per transaction.")
@with_appcontext
def demo_command(learners: int, seed: int, year: int | None, batch: int) -> None:
    """Create demo learners with enrolments, progress, quiz attempts and certificates.

    Every demo account has the e-mail demo-<n>@demo.learnhub.test, an organisation ending in
    "(demo)" and no usable password. Refused in production and before the courses are synced.
    """
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

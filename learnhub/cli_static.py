"""`learnhub static collect DIR`: the static files under their fingerprinted names, for nginx to serve.

    learnhub static collect deploy/run/public/static

Registered in learnhub/cli.py; deploy/up.sh runs it before starting nginx (decision 0041).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from learnhub.cli_errors import CommandError
from learnhub.web import static_files

static_group = AppGroup("static", help="The static files (CSS, icons) for a web server in front.")


@static_group.command("collect")
@click.argument("directory")
def collect_static(directory: str) -> None:
    """Copy every static file into DIRECTORY as NAME.<digest>.EXT, the URL pages link (served there for a
    year by deploy/nginx.conf.template); files already there stay, so older pages keep theirs."""
    target = Path(directory)
    try:
        written = static_files.collect(current_app.extensions["learnhub_static"], target)
    except OSError as error:
        raise CommandError(f"cannot write the static files into {target}: {error.strerror or error}") from None
    click.echo(f"static files: {len(written)} written, "
               f"{len(current_app.extensions['learnhub_static'].hashed) - len(written)} already there, in {target}")

"""The error every `learnhub` command stops with: a `click.ClickException` that exits with status 1.

Its own module so that learnhub/cli.py and the command modules it registers (learnhub/cli_demo.py)
share it without importing each other. The message keeps the `learnhub: error: ...` form the
operators' scripts and the CLI tests read, rather than click's default `Error: ...`.
"""

from __future__ import annotations

from typing import IO

import click


class CommandError(click.ClickException):
    """Raise to stop a command: the message goes to standard error and the exit status is 1."""

    exit_code = 1

    def show(self, file: IO[str] | None = None) -> None:
        click.echo(f"learnhub: error: {self.format_message()}", err=file is None, file=file)

"""`learnhub badges rotate-key`: a new Open Badges issuer key (decision 0072).

    learnhub badges rotate-key

The old key's private part is erased; its public part stays in the issuer's DID document (/.well-known/did.json),
so the credentials it signed keep verifying. Registered in learnhub/cli.py.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from learnhub.cli_errors import CommandError
from learnhub.extensions import db
from learnhub.services import badge_keys

badges_group = AppGroup("badges", help="The Open Badges issuer key.")


@badges_group.command("rotate-key")
def rotate_key() -> None:
    """Make a new issuer key that signs from now on; older public keys stay published."""
    try:
        key = badge_keys.rotate(current_app.config)
    except badge_keys.BadgeKeyError as error:
        raise CommandError(str(error)) from None
    db.session.commit()
    kept = len(badge_keys.public_keys()) - 1
    click.echo(f"new issuer key {key.kid}; {kept} older public key(s) still published")

"""The mails about an account: the address check, "someone tried to register with your address", the
password-reset link, and the answer to a reset asked for an address no account uses.

Each is written in the language of the account it goes to (a mail to an address without an account, in
the language of the page that asked for it) and queued with mail.send in the caller's transaction: it
leaves once the caller commits, with what its link points at, and is retried if the server fails.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from learnhub.models import OutboundMail, User
from learnhub.services import accounts, mail


def send_verification(user: User) -> OutboundMail:
    """A link that confirms the account's address; it works for accounts.VERIFICATION_LINK_LIFETIME."""
    token = accounts.email_verification_token(user, current_app.config["SECRET_KEY"])
    with force_locale(user.language):
        return mail.send(user.email, _("Confirm your e-mail address for LearnHub"), render_template(
            "auth/email/verify.txt", user=user, link=mail.link("auth.verify_email", token=token),
            days=accounts.VERIFICATION_LINK_LIFETIME.days))


def send_already_registered(user: User) -> OutboundMail:
    """To the owner of an address someone registered with again: nothing changed, here is how to log in
    or choose a new password (registration answers the same either way, so this is how they learn it)."""
    with force_locale(user.language):
        return mail.send(user.email, _("Someone tried to register with your address at LearnHub"), render_template(
            "auth/email/already_registered.txt", user=user, link=mail.link("auth.forgot_password"),
            login=mail.link("auth.login")))


def send_reset(user: User, token: str, hours: int) -> OutboundMail:
    """The link (`token`, issued by accounts.issue_reset_token for `hours`) that lets the account's owner
    choose a new password."""
    with force_locale(user.language):
        return mail.send(user.email, _("Reset your LearnHub password"), render_template(
            "auth/email/reset.txt", user=user, link=mail.link("auth.reset_password", token=token), hours=hours))


def send_reset_no_account(email: str) -> OutboundMail:
    """The answer to a reset asked for an address no active account uses: the same one mail an account
    gets, so the work done does not tell who has an account; it says where to register."""
    return mail.send(email, _("Reset your LearnHub password"), render_template(
        "auth/email/reset_no_account.txt", email=email, register=mail.link("auth.register")))


def send_factors_reset(user: User) -> OutboundMail:
    """Tell the owner that an administrator removed their second factors: if they did not ask for it, they
    should say so at once."""
    with force_locale(user.language):
        return mail.send(user.email, _("The second factor of your LearnHub account was reset"), render_template(
            "auth/email/factors_reset.txt", user=user, security=mail.link("factors.overview")))

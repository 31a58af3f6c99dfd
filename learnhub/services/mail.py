"""Outgoing e-mail: queued as rows (OutboundMail) in the caller's transaction, delivered by a queue consumer
through SMTP in production, or as one .eml file per message in a folder in development and tests."""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import unicodedata
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, url_for
from sqlalchemy import select, update

from learnhub.extensions import db
from learnhub.models import OutboundMail
from learnhub.models.base import utcnow

FIELD_LIMIT = 80
MAILS_TO_WAKE = "learnhub.mails_to_wake"  # session.info key: mails written in this transaction
# What a mail reader would turn into a link: a scheme, "www.", or a dotted host name ending in letters.
_LINKABLE = re.compile(r"[a-z][a-z0-9+.-]*:/+|\b(?:mailto|tel|javascript|data|file):|www\.|(?<=\w)\.(?=[a-z]{2,}\b)",
                       re.IGNORECASE)


def quoted(text: str | None, limit: int = FIELD_LIMIT) -> str:
    """Someone else's text (a cohort or person name a trainer typed) made safe to quote in a mail to anyone:
    one line (line breaks, tabs and control or format characters become one space), at most `limit`
    characters (with an ellipsis), nothing a mail reader turns into a link ("https://x.org" reads
    "https[:]//x[.]org"), inside double quotes (its own become single ones). A template puts it after a
    fixed label, so it never reads as the message's own words: an invitation cannot become a phishing mail."""
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text or "")
    text = " ".join(text.split()).replace('"', "'")
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    text = _LINKABLE.sub(lambda match: match.group(0).replace(".", "[.]").replace(":", "[:]"), text)
    return f'"{text}"'


def link(endpoint: str, **values) -> str:
    """The absolute address of a page, for a mail: BASE_URL (the address people reach LearnHub at, whatever
    host the request that sends the mail came through) followed by the page's path."""
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def send(to: str, subject: str, body: str) -> OutboundMail:
    """Queue a plain-text message: a row in the caller's transaction, delivered by a queue consumer once the
    transaction commits (jobs.queue wakes one), with retries; never lost if the mail server is down, and
    never sent if the transaction that wrote it rolls back. Flushes."""
    mail = OutboundMail(recipient=to, subject=subject[:300], body=body)
    db.session.add(mail)
    db.session.flush()
    db.session.info.setdefault(MAILS_TO_WAKE, []).append(mail.id)
    return mail


def deliver(mail_id: int) -> bool:
    """Deliver one queued mail now and mark it sent; COMMITS. Returns False when there was nothing to do
    (already sent, dead, or never committed); raises when the mail server fails, after recording the
    attempt, so the queue retries it."""
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None or mail.status != "queued":
        db.session.rollback()
        return False
    mail.attempts += 1
    mail.attempted_at = utcnow()
    try:
        transmit(compose(mail.recipient, mail.subject, mail.body))
    except (OSError, smtplib.SMTPException) as error:
        mail.last_error = f"{type(error).__name__}: {error}"[:500]
        db.session.commit()
        raise
    mail.status, mail.sent_at, mail.last_error = "sent", utcnow(), None
    db.session.commit()
    return True


def give_up(mail_id: int) -> None:
    """Every retry failed: the mail is dead until an admin tries again (requeue). COMMITS."""
    db.session.execute(update(OutboundMail).where(OutboundMail.id == mail_id, OutboundMail.status == "queued")
                       .values(status="dead"))
    db.session.commit()


def requeue(mail_id: int) -> bool:
    """An admin tries a dead mail again: it is owed once more. Flushes; True when it was dead."""
    changed = db.session.execute(update(OutboundMail).where(OutboundMail.id == mail_id,
                                                            OutboundMail.status == "dead")
                                 .values(status="queued")).rowcount
    if changed:
        db.session.info.setdefault(MAILS_TO_WAKE, []).append(mail_id)
    return bool(changed)


def owed(older_than: datetime, limit: int = 500) -> list[int]:
    """Queued mails written before `older_than`: those whose wake-up may have been lost with a consumer."""
    return list(db.session.scalars(select(OutboundMail.id).where(
        OutboundMail.status == "queued", OutboundMail.created_at < older_than)
        .order_by(OutboundMail.id).limit(limit)))


def compose(to: str, subject: str, body: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="learnhub")
    message.set_content(body)
    return message


def transmit(message: EmailMessage) -> None:
    """Hand a message to the SMTP server (STARTTLS with a verified certificate), or write it to MAIL_DIR as
    an .eml file in development and tests. Raises on failure."""
    config = current_app.config
    if config["MAIL_DIR"]:
        folder = Path(config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        # Written aside, then renamed: a consumer killed mid-write leaves no half message among the .eml files.
        partial = path.with_suffix(".partial")
        partial.write_bytes(bytes(message))
        os.replace(partial, path)
        return
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            # A default context verifies the server's certificate and name; bare starttls() does neither.
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)

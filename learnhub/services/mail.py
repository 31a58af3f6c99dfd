"""Outgoing e-mail: SMTP in production, one .eml file per message in a folder in development and tests."""

from __future__ import annotations

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

FIELD_LIMIT = 80
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


def send(to: str, subject: str, body: str) -> EmailMessage:
    """Deliver a plain-text message now; raises on SMTP failure so the caller can tell the user."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="learnhub")
    message.set_content(body)
    if config["MAIL_DIR"]:
        folder = Path(config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(message))
        return message
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            # A default context verifies the server's certificate and name; bare starttls() does neither.
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
    return message

"""SMTP delivery checks the server's certificate when it upgrades the connection (ASVS V9.2.1)."""

from __future__ import annotations

import ssl
from pathlib import Path

from flask import Flask

from learnhub.services import mail


class FakeSMTP:
    """Records what LearnHub asks of the SMTP connection."""

    instances: list[FakeSMTP] = []

    def __init__(self, host, port, timeout):
        self.host, self.port, self.timeout = host, port, timeout
        self.contexts: list[ssl.SSLContext | None] = []
        self.logins: list[tuple[str, str]] = []
        self.sent = []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        self.contexts.append(context)

    def login(self, username, password):
        self.logins.append((username, password))

    def send_message(self, message):
        self.sent.append(message)


def smtp_app(starttls: bool) -> Flask:
    app = Flask(__name__)
    app.config.update(MAIL_FROM="LearnHub <no-reply@learnhub.invalid>", MAIL_DIR="", SMTP_HOST="smtp.example.org",
                      SMTP_PORT=587, SMTP_STARTTLS=starttls, SMTP_USERNAME="user", SMTP_PASSWORD="pw")
    return app


def test_starttls_verifies_the_server_certificate_and_name(monkeypatch):
    FakeSMTP.instances.clear()
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    with smtp_app(starttls=True).app_context():
        mail.transmit(mail.compose("ana@example.org", "Hola", "Cuerpo"))
    [connection] = FakeSMTP.instances
    [context] = connection.contexts
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert connection.logins == [("user", "pw")]
    assert connection.sent[0]["To"] == "ana@example.org"


def test_no_starttls_when_switched_off(monkeypatch):
    FakeSMTP.instances.clear()
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    with smtp_app(starttls=False).app_context():
        mail.transmit(mail.compose("ana@example.org", "Hola", "Cuerpo"))
    assert FakeSMTP.instances[0].contexts == []


def test_a_mail_folder_only_ever_holds_whole_messages(tmp_path, monkeypatch):
    """The .eml file appears by a rename after it is written, so a consumer killed mid-write (the SIGKILL test
    found a truncated one) leaves no half message where readers look."""
    app = Flask(__name__)
    app.config.update(MAIL_FROM="LearnHub <no-reply@learnhub.invalid>", MAIL_DIR=str(tmp_path))
    renames: list[tuple[str, str]] = []
    real_replace = mail.os.replace

    def watched(source, target):
        assert list(tmp_path.glob("*.eml")) == []  # nothing visible before the rename
        renames.append((Path(source).suffix, Path(target).suffix))
        real_replace(source, target)

    monkeypatch.setattr(mail.os, "replace", watched)
    with app.app_context():
        mail.transmit(mail.compose("ana@example.org", "Hola", "Cuerpo"))
    [written] = tmp_path.glob("*.eml")
    assert renames == [(".partial", ".eml")] and "To: ana@example.org" in written.read_text()
    assert list(tmp_path.glob("*.partial")) == []

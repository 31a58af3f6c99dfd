"""Background work on a task queue (Huey): mail delivery, invitation rounds, sweeps and housekeeping.

`queue` holds the Huey instance and how it is configured from LEARNHUB_QUEUE_URL; `tasks` declares the
jobs. Jobs call services; services never import this package (they record what is owed in the database,
and the queue only wakes a consumer to do it: decision 0031).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from learnhub.jobs import queue, tasks
from learnhub.jobs.tasks import retry
from learnhub.services.mail import MAILS_TO_WAKE

__all__ = ["init_app", "retry"]

_hooks: list = []


def init_app(app: Flask) -> None:
    """Configure the queue for this app and, once per process, wake a consumer for each mail a transaction
    wrote as soon as it commits (the rows exist then); after a rollback, forget them (they do not)."""
    queue.init_app(app)
    if _hooks:
        return

    def wake_for_mail(session) -> None:
        for mail_id in session.info.pop(MAILS_TO_WAKE, ()):
            tasks.deliver_mail(mail_id)

    def forget_mail(session) -> None:
        session.info.pop(MAILS_TO_WAKE, None)

    _hooks.extend([wake_for_mail, forget_mail])
    event.listen(Session, "after_commit", wake_for_mail)
    event.listen(Session, "after_rollback", forget_mail)

"""The task queue: one Huey instance, its storage chosen from LEARNHUB_QUEUE_URL when the app is built.

- `sqlite:///PATH` (the default, instance/queue.db): embedded, nothing to install; consumers on this machine.
- `redis://HOST:PORT/DB`: shared by consumers on several machines.
- `inline` (tests): messages wait in memory and run in the process that queued them, after each request
  (or when `drain()` is called), so a test sees a mail delivered as a user would, without a consumer.

A job is declared with `@job(...)`: it runs inside an app context (a consumer pushes one; inline it runs in
the caller's), and when its last retry fails it is recorded as a FailedJob for admins.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.signals import SIGNAL_ERROR
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from learnhub.extensions import db

log = logging.getLogger(__name__)

huey = Huey("learnhub", storage_class=MemoryStorage, results=False, utc=True)
_state: dict = {"app": None}


def storage_for(url: str, instance_dir: str) -> tuple[type, dict]:
    """Huey storage class and arguments for a queue URL (already checked by config)."""
    if url == "inline":
        return MemoryStorage, {}
    if url.startswith(("redis://", "rediss://")):
        return RedisStorage, {"url": url}
    path = url.removeprefix("sqlite:///") or str(Path(instance_dir) / "queue.db")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteStorage, {"filename": path}


def init_app(app: Flask) -> None:
    """Point the queue at the app's storage, run jobs in its context, and in inline mode run what a request
    queued once it is answered."""
    use_app(app)
    if app.config["QUEUE_URL"] == "inline":
        app.after_request(_drain_after_request)


def use_app(app: Flask) -> None:
    """Make `app` the one whose storage the queue uses and in whose context a job runs when it is run
    outside one (a consumer's). init_app does it; a process holding several apps (the test suite) switches
    to the one under test."""
    storage_class, kwargs = storage_for(app.config["QUEUE_URL"], app.config["INSTANCE_DIR"])
    if not (isinstance(huey.storage, storage_class) and huey.storage_kwargs == kwargs):
        huey.storage_class, huey.storage_kwargs = storage_class, kwargs
        huey.storage = huey.create_storage()
    _state["app"] = app


def job(**options) -> Callable:
    """Declare a job: `@job(retries=5, retry_delay=30, retry_backoff=2)`. Calling the decorated function
    queues it; `.call_local(...)` runs it here and now."""

    def register(function: Callable) -> Callable:
        return huey.task(name=_name(function), **options)(_in_app_context(function))

    return register


def periodic(schedule: Callable, **options) -> Callable:
    """Declare a job that consumers started with periodic scheduling run on `schedule` (a huey crontab)."""

    def register(function: Callable) -> Callable:
        return huey.periodic_task(schedule, name=_name(function), **options)(_in_app_context(function))

    return register


def _name(function: Callable) -> str:
    return f"{function.__module__.rpartition('.')[2]}.{function.__name__}"


def _in_app_context(function: Callable) -> Callable:
    """Run inside the caller's app context when there is one (inline), else inside the consumer's app."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return function(*args, **kwargs)
        with _state["app"].app_context():
            return function(*args, **kwargs)

    return wrapper


def request_context():
    """A request context for work outside a request (a job, a command) that builds links and picks the
    recipient's language: on BASE_URL, and a POST, because such work writes (on SQLite its transactions must
    begin IMMEDIATE, learnhub.database, or two writers deadlock into "database is locked")."""
    return current_app.test_request_context(base_url=current_app.config["BASE_URL"], method="POST")


def drain(limit: int = 10_000) -> int:
    """Run queued messages in this process until none is left (inline mode and tests); returns how many ran.
    Scheduled retries are not waited for."""
    ran = 0
    while ran < limit:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
        ran += 1
    return ran


def _drain_after_request(response):
    drain()
    return response


def health() -> dict:
    """What /health says about the queue: its kind, whether it answers, and how many messages wait."""
    kind = current_app.config["QUEUE_URL"].partition(":")[0]
    try:
        return {"queue": "ok", "queue_kind": kind, "queued": huey.pending_count(),
                "scheduled": huey.scheduled_count()}
    except Exception:  # whatever the store raises, the queue is unavailable
        log.exception("queue health check failed")
        return {"queue": "unavailable", "queue_kind": kind}


@huey.signal(SIGNAL_ERROR)
def _record_final_failure(signal, task, exc=None) -> None:
    """The last retry failed: record it for admins (and let the job's own `on_give_up` mark its row)."""
    if task.retries:
        return
    from learnhub.services import failed_jobs

    def record():
        failed_jobs.record(task.name, list(task.args), f"{type(exc).__name__}: {exc}")
        db.session.commit()

    if has_app_context():
        record()
    else:
        with _state["app"].app_context():
            record()

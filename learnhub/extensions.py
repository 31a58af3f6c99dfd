"""Flask extensions, created unbound here and bound to an app in create_app()."""

from __future__ import annotations

import logging

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _client_address() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=_client_address, default_limits=[])


def rate_limit_status() -> dict:
    """Whether the store the rate limits count in (shared by every instance in production) answers; "off" when
    rate limiting is switched off (LEARNHUB_RATELIMIT_ENABLED=0)."""
    kind = current_app.config["RATELIMIT_STORAGE_URI"].partition(":")[0]
    if not current_app.config["RATELIMIT_ENABLED"]:
        return {"rate_limits": "off", "rate_limits_kind": kind}
    try:
        answers = limiter.storage.check()
    except Exception:  # whatever the store's client raises, the store is unavailable
        answers = False
    if not answers:
        logging.getLogger("learnhub").error("rate-limit store check failed")
    return {"rate_limits": "ok" if answers else "unavailable", "rate_limits_kind": kind}

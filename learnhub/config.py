"""Settings: safe defaults plus the LEARNHUB_* environment, checked once at start-up.

Every setting an operator may change is read here and nowhere else; a wrong value stops the
application with a message that names the variable and says what to do.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

ENVIRONMENTS = ("development", "testing", "production")
LOG_FORMATS = ("text", "json")
MFA_ROLES = ("trainer", "analyst", "admin")  # trainees may add a second factor, never be made to
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message tells the operator how to fix it."""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value; use true or false.")


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} is too small; use at least {minimum}.")
    return value


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, case-insensitive; the first is the default."""
    raw = env.get(name, "")
    value = raw.strip().lower() or choices[0]
    if value not in choices:
        raise ConfigError(f"{name}={raw!r} is not known; use one of: {', '.join(choices)}.")
    return value


def _roles(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated list of roles, each one of `allowed`; "none" or "-" for no role."""
    raw = env.get(name)
    text_value = (raw or "").strip().lower() or default
    if text_value in ("none", "-"):
        return ()
    roles = tuple(dict.fromkeys(part.strip() for part in text_value.split(",") if part.strip()))
    unknown = [role for role in roles if role not in allowed]
    if unknown:
        raise ConfigError(f"{name}={raw!r} names {', '.join(unknown)}; use some of: {', '.join(allowed)} "
                          "(or none).")
    return roles


def _limit(env: Mapping[str, str], name: str, default: str, longest_seconds: int | None = None) -> str:
    """A rate such as "5 per minute; 20 per hour", checked now rather than at the first request."""
    import limits

    raw = env.get(name, "").strip() or default
    try:
        items = limits.parse_many(raw)
    except ValueError:
        items = []
    if not items:
        raise ConfigError(f"{name}={raw!r} is not a rate; write it like \"5 per minute; 20 per hour\".")
    if longest_seconds is not None and any(item.get_expiry() > longest_seconds for item in items):
        raise ConfigError(f"{name}={raw!r} has a window longer than a day; use minutes, hours or a day.")
    return raw


def _development_secret(instance: Path) -> str:
    """A random key kept in instance/ so development sessions survive restarts (never used in production)."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Let operators write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load(env: Mapping[str, str] | None = None, overrides: Mapping[str, object] | None = None) -> dict:
    """Build the Flask config from `env` (default: os.environ) and test `overrides`; raise ConfigError."""
    env = os.environ if env is None else env
    overrides = dict(overrides or {})
    name = str(overrides.pop("LEARNHUB_ENV", env.get("LEARNHUB_ENV", "development"))).strip() or "development"
    if name not in ENVIRONMENTS:
        raise ConfigError(f"LEARNHUB_ENV={name!r} is not known; use one of: {', '.join(ENVIRONMENTS)}.")
    production = name == "production"
    instance = Path(env.get("LEARNHUB_INSTANCE_DIR") or PROJECT_ROOT / "instance").resolve()

    secret = env.get("LEARNHUB_SECRET_KEY", "").strip()
    if not secret and "SECRET_KEY" not in overrides:
        if production:
            raise ConfigError(
                "LEARNHUB_SECRET_KEY is not set. Production refuses to start without it: generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'` and keep it secret."
            )
        secret = secrets.token_urlsafe(48) if name == "testing" else _development_secret(instance)
    elif production and len(secret) < 32:
        raise ConfigError("LEARNHUB_SECRET_KEY is too short for production; use at least 32 random characters.")

    database_url = normalise_database_url(
        env.get("LEARNHUB_DATABASE_URL", "").strip() or f"sqlite:///{instance / 'learnhub.db'}"
    )
    if not database_url.startswith(("sqlite:///", "postgresql+psycopg://")):
        raise ConfigError(
            f"LEARNHUB_DATABASE_URL={database_url!r} is not supported; use sqlite:///PATH or postgresql://USER@HOST/DB."
        )

    mail_dir = env.get("LEARNHUB_MAIL_DIR", "").strip()
    smtp_host = env.get("LEARNHUB_SMTP_HOST", "").strip()
    if not mail_dir and not smtp_host:
        if production:
            raise ConfigError(
                "No way to send e-mail: set LEARNHUB_SMTP_HOST (and LEARNHUB_SMTP_* as needed) "
                "or LEARNHUB_MAIL_DIR to write messages to a folder."
            )
        mail_dir = str(instance / "mail")

    base_url = env.get("LEARNHUB_BASE_URL", "").strip().rstrip("/")
    if production and not base_url.startswith("https://"):
        raise ConfigError("LEARNHUB_BASE_URL must be set to the public https:// address in production.")
    if not base_url:
        base_url = "http://127.0.0.1:5000"

    queue_url = env.get("LEARNHUB_QUEUE_URL", "").strip() or (
        "inline" if name == "testing" else f"sqlite:///{instance / 'queue.db'}")
    if queue_url != "inline" and not queue_url.startswith(("sqlite:///", "redis://", "rediss://")):
        raise ConfigError(f"LEARNHUB_QUEUE_URL={queue_url!r} is not supported; use sqlite:///PATH (one machine) "
                          "or redis://HOST:6379/0 (several machines).")
    if production and queue_url == "inline":
        raise ConfigError("LEARNHUB_QUEUE_URL=inline runs jobs inside web requests; production refuses it: use "
                          "sqlite:///PATH or redis://HOST:6379/0 and start `learnhub worker`.")

    logo = env.get("LEARNHUB_CERTIFICATE_LOGO", "").strip()
    if logo and (not Path(logo).is_file() or Path(logo).suffix.lower() not in (".png", ".jpg", ".jpeg")):
        raise ConfigError(f"LEARNHUB_CERTIFICATE_LOGO={logo!r} must be the path of a PNG or JPEG file.")

    badge_key_file = env.get("LEARNHUB_BADGE_KEY_FILE", "").strip()
    if badge_key_file:
        from learnhub import badge_key_file as key_file

        try:
            key_file.read(badge_key_file)
        except key_file.BadgeKeyFileError as error:
            raise ConfigError(f"LEARNHUB_BADGE_KEY_FILE={badge_key_file!r} {error}.") from None

    k = _int(env, "LEARNHUB_SUPPRESSION_K", 10, minimum=5)
    day = 24 * 3600  # login, registration and reset counters live in the database for a day (services/throttle)
    storage_uri = env.get("LEARNHUB_RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    if production and storage_uri.startswith("memory://") and _bool(env, "LEARNHUB_RATELIMIT_ENABLED", True):
        raise ConfigError(
            "LEARNHUB_RATELIMIT_STORAGE_URI is memory://, which counts the API rate limit in each worker "
            "separately. Production refuses it: set LEARNHUB_RATELIMIT_STORAGE_URI to a store every worker "
            "and instance shares, e.g. redis://127.0.0.1:6379."
        )
    mfa_roles = _roles(env, "LEARNHUB_MFA_REQUIRED_ROLES", "analyst,admin", MFA_ROLES)
    from learnhub import sso_settings

    try:
        oidc_providers = sso_settings.parse(env.get("LEARNHUB_OIDC_PROVIDERS", ""), production=production)
    except sso_settings.SsoSettingsError as error:
        raise ConfigError(f"LEARNHUB_OIDC_PROVIDERS {error}.") from None
    config: dict = {
        "LEARNHUB_ENV": name,
        "TESTING": name == "testing",
        "DEBUG": False,
        "SECRET_KEY": secret,
        "INSTANCE_DIR": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "COURSES_DIR": str(Path(env.get("LEARNHUB_COURSES_DIR") or PROJECT_ROOT / "courses").resolve()),
        # Flask-Limiter's store: only the API rate limit uses it (login, registration and reset limits are
        # counted in the database, services/throttle.py).
        "RATELIMIT_STORAGE_URI": storage_uri,
        "RATELIMIT_ENABLED": _bool(env, "LEARNHUB_RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # A moving window: a fixed one would let an attacker double the rate across a window boundary.
        "RATELIMIT_STRATEGY": "moving-window",
        "LOGIN_LIMIT_PER_IP": _limit(env, "LEARNHUB_LOGIN_LIMIT_PER_IP", "30 per minute; 300 per hour", day),
        "LOGIN_LIMIT_PER_ACCOUNT": _limit(env, "LEARNHUB_LOGIN_LIMIT_PER_ACCOUNT", "5 per minute; 20 per hour", day),
        "REGISTER_LIMIT": _limit(env, "LEARNHUB_REGISTER_LIMIT", "5 per hour", day),
        "PASSWORD_RESET_LIMIT": _limit(env, "LEARNHUB_PASSWORD_RESET_LIMIT", "10 per hour", day),
        "API_RATE_LIMIT": _limit(env, "LEARNHUB_API_RATE_LIMIT", "120 per minute"),
        "MAIL_DIR": mail_dir,
        "MAIL_FROM": env.get("LEARNHUB_MAIL_FROM", "LearnHub <no-reply@learnhub.invalid>"),
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": _int(env, "LEARNHUB_SMTP_PORT", 587, minimum=1),
        "SMTP_USERNAME": env.get("LEARNHUB_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("LEARNHUB_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env, "LEARNHUB_SMTP_STARTTLS", True),
        "BASE_URL": base_url,
        "PASSWORD_RESET_HOURS": _int(env, "LEARNHUB_PASSWORD_RESET_HOURS", 2, minimum=1),
        # Roles that must set up a second factor before anything else (decision 0061); trainees may.
        "MFA_REQUIRED_ROLES": mfa_roles,
        # "Remember this device" after a second step lasts this many days; 0 hides the choice.
        "REMEMBER_DEVICE_DAYS": _int(env, "LEARNHUB_REMEMBER_DEVICE_DAYS", 30, minimum=0),
        # OpenID Connect providers for single sign-on (learnhub/sso_settings.py, decision 0063).
        "OIDC_PROVIDERS": oidc_providers,
        "SUPPRESSION_K": k,
        # The issuing body printed on certificates (decision 0065): organisation, signatory and their role,
        # and an optional logo (PNG or JPEG), read once at start-up.
        "CERTIFICATE_ISSUER": env.get("LEARNHUB_CERTIFICATE_ISSUER", "").strip() or "LearnHub",
        "CERTIFICATE_SIGNATORY": env.get("LEARNHUB_CERTIFICATE_SIGNATORY", "").strip(),
        "CERTIFICATE_SIGNATORY_ROLE": env.get("LEARNHUB_CERTIFICATE_SIGNATORY_ROLE", "").strip(),
        "CERTIFICATE_LOGO": logo,
        # The Open Badges issuer key given by the operator; empty: generated and kept in the database (decision 0072).
        "BADGE_KEY_FILE": badge_key_file,
        # PostgreSQL: each worker LISTENs for catalogue changes rather than asking on every anonymous page (decision
        # 0088); false behind a pooler in transaction mode (PgBouncer), where LISTEN does not work.
        "CATALOGUE_LISTEN": _bool(env, "LEARNHUB_CATALOGUE_LISTEN", True),
        # The task queue (learnhub/jobs): embedded SQLite by default, Redis for several machines.
        "QUEUE_URL": queue_url,
        # Exports with more rows than this (a cohort's people, a report's rows) are prepared on the queue and
        # fetched from "Your downloads" (decision 0034); smaller ones download at once.
        "EXPORT_INLINE_LIMIT": _int(env, "LEARNHUB_EXPORT_INLINE_LIMIT", 2000, minimum=0),
        "REGRADE_INLINE_LIMIT": _int(env, "LEARNHUB_REGRADE_INLINE_LIMIT", 500, minimum=0),
        "IMPORT_CHUNK_ROWS": _int(env, "LEARNHUB_IMPORT_CHUNK_ROWS", 500, minimum=1),
        "AUDIT_RETENTION_DAYS": _int(env, "LEARNHUB_AUDIT_RETENTION_DAYS", 730, minimum=90),
        # Personal data rights (decision 0057): a deletion request is carried out by an admin, or by the nightly
        # housekeeping this many days after it was made (0: only by an admin); accounts nobody logged in to for
        # this many days are erased the same way (0: never).
        "DELETION_DELAY_DAYS": _int(env, "LEARNHUB_DELETION_DELAY_DAYS", 30, minimum=0),
        "INACTIVE_ACCOUNT_DAYS": _int(env, "LEARNHUB_INACTIVE_ACCOUNT_DAYS", 0, minimum=0),
        # `learnhub courses validate` and `sync` warn about a course whose `reviewed` date is older than this.
        "REVIEW_MAX_AGE_DAYS": _int(env, "LEARNHUB_REVIEW_MAX_AGE_DAYS", 365, minimum=1),
        # Reverse proxies in front that set X-Forwarded-For/-Proto (0: none; the README's TLS proxy: 1).
        # Without it, per-address login limits and the audit log would see only the proxy's address.
        "TRUSTED_PROXIES": _int(env, "LEARNHUB_TRUSTED_PROXIES", 0, minimum=0),
        # text: Flask's lines as before; json: one JSON object per line with the request id (learnhub/logs.py).
        "LOG_FORMAT": _choice(env, "LEARNHUB_LOG_FORMAT", LOG_FORMATS),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "__Host-learnhub" if production else "learnhub",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("en", "es", "pt", "fr"),
    }
    config.update(overrides)
    return config

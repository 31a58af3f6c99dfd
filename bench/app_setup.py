"""The application every benchmark measures: a fresh database (SQLite in a folder, or a new schema of a
PostgreSQL database), migrated to head, with test settings. One place, so benchmarks compare alike."""

from __future__ import annotations

from pathlib import Path


def fresh_schema(url: str) -> str:
    """An empty schema `lh_bench` in the PostgreSQL database at `url`, selected through search_path."""
    from sqlalchemy import create_engine, text

    from learnhub.config import normalise_database_url

    url = normalise_database_url(url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS lh_bench CASCADE"))
        connection.execute(text("CREATE SCHEMA lh_bench"))
    engine.dispose()
    return url + ("&" if "?" in url else "?") + "options=-csearch_path%3Dlh_bench"


def bench_app(database_url: str, folder: Path, **settings):
    """A migrated app on `database_url` (PostgreSQL: a fresh schema) or, when empty, SQLite in `folder`. No role
    must enrol a second factor (benchmarks log in with a password and measure the pages behind the login)."""
    from flask_migrate import upgrade

    from learnhub import create_app

    url = fresh_schema(database_url) if database_url else f"sqlite:///{folder / 'bench.db'}"
    app = create_app({"LEARNHUB_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "MAIL_DIR": str(folder / "mail"),
                      "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench" * 10, "MFA_REQUIRED_ROLES": (),
                      **settings})
    with app.app_context():
        upgrade()
    return app

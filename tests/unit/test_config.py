"""Start-up configuration: defaults, checks and the messages an operator reads."""

from __future__ import annotations

import pytest

from learnhub.config import ConfigError, load


def test_development_defaults_use_sqlite_in_instance_and_keep_a_generated_key(tmp_path):
    env = {"LEARNHUB_INSTANCE_DIR": str(tmp_path)}
    first, second = load(env), load(env)
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'learnhub.db'}"
    assert len(first["SECRET_KEY"]) >= 48 and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["MAIL_DIR"] == str(tmp_path / "mail")
    assert first["RATELIMIT_STORAGE_URI"] == "memory://"
    assert first["SESSION_COOKIE_SECURE"] is False and first["DEBUG"] is False


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="LEARNHUB_SECRET_KEY is not set"):
        load({"LEARNHUB_ENV": "production", "LEARNHUB_INSTANCE_DIR": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()


def test_production_needs_a_long_key_mail_and_an_https_base_url(tmp_path):
    base = {"LEARNHUB_ENV": "production", "LEARNHUB_INSTANCE_DIR": str(tmp_path)}
    with pytest.raises(ConfigError, match="too short"):
        load({**base, "LEARNHUB_SECRET_KEY": "short"})
    with pytest.raises(ConfigError, match="LEARNHUB_SMTP_HOST"):
        load({**base, "LEARNHUB_SECRET_KEY": "k" * 40})
    with pytest.raises(ConfigError, match="LEARNHUB_BASE_URL"):
        load({**base, "LEARNHUB_SECRET_KEY": "k" * 40, "LEARNHUB_SMTP_HOST": "smtp.example.org"})
    config = load({**base, "LEARNHUB_SECRET_KEY": "k" * 40, "LEARNHUB_SMTP_HOST": "smtp.example.org",
                   "LEARNHUB_BASE_URL": "https://learnhub.example.org/",
                   "LEARNHUB_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
    assert config["BASE_URL"] == "https://learnhub.example.org"
    assert config["SESSION_COOKIE_SECURE"] and config["DEBUG"] is False


def test_production_refuses_a_per_process_rate_limit_store(tmp_path):
    base = {"LEARNHUB_ENV": "production", "LEARNHUB_INSTANCE_DIR": str(tmp_path), "LEARNHUB_SECRET_KEY": "k" * 40,
            "LEARNHUB_SMTP_HOST": "smtp.example.org", "LEARNHUB_BASE_URL": "https://learnhub.example.org"}
    for unset_or_memory in ({}, {"LEARNHUB_RATELIMIT_STORAGE_URI": "memory://"}):
        with pytest.raises(ConfigError, match=r"LEARNHUB_RATELIMIT_STORAGE_URI is memory://.*redis://"):
            load({**base, **unset_or_memory})
    shared = load({**base, "LEARNHUB_RATELIMIT_STORAGE_URI": "redis://cache.internal:6379/0"})
    assert shared["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    # Development keeps the per-process default: its login, registration and reset limits live in the database.
    assert load({"LEARNHUB_INSTANCE_DIR": str(tmp_path)})["RATELIMIT_STORAGE_URI"] == "memory://"


def test_throttle_limits_are_checked_at_start_up(tmp_path):
    config = load({"LEARNHUB_INSTANCE_DIR": str(tmp_path), "LEARNHUB_REGISTER_LIMIT": "2 per hour"})
    assert (config["REGISTER_LIMIT"], config["PASSWORD_RESET_LIMIT"]) == ("2 per hour", "10 per hour")
    with pytest.raises(ConfigError, match="LEARNHUB_LOGIN_LIMIT_PER_ACCOUNT='five a minute' is not a rate"):
        load({"LEARNHUB_INSTANCE_DIR": str(tmp_path), "LEARNHUB_LOGIN_LIMIT_PER_ACCOUNT": "five a minute"})
    with pytest.raises(ConfigError, match="LEARNHUB_REGISTER_LIMIT='5 per month' has a window longer than a day"):
        load({"LEARNHUB_INSTANCE_DIR": str(tmp_path), "LEARNHUB_REGISTER_LIMIT": "5 per month"})


@pytest.mark.parametrize(("env", "message"), [
    ({"LEARNHUB_ENV": "staging"}, "LEARNHUB_ENV='staging' is not known"),
    ({"LEARNHUB_DATABASE_URL": "mysql://x/y"}, "is not supported"),
    ({"LEARNHUB_SMTP_PORT": "twenty-five"}, "LEARNHUB_SMTP_PORT='twenty-five' is not a whole number"),
    ({"LEARNHUB_SUPPRESSION_K": "3"}, "LEARNHUB_SUPPRESSION_K=3 is too small; use at least 5"),
    ({"LEARNHUB_SMTP_STARTTLS": "maybe"}, "is not a yes/no value"),
    ({"LEARNHUB_LOG_FORMAT": "xml"}, "LEARNHUB_LOG_FORMAT='xml' is not known; use one of: text, json"),
])
def test_bad_values_name_the_variable(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load({"LEARNHUB_INSTANCE_DIR": str(tmp_path), **env})


def test_postgres_urls_get_the_psycopg_driver(tmp_path):
    config = load({"LEARNHUB_INSTANCE_DIR": str(tmp_path), "LEARNHUB_DATABASE_URL": "postgres://u@db/learnhub"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/learnhub"


def test_log_format_is_text_unless_json_is_asked_for(tmp_path):
    base = {"LEARNHUB_INSTANCE_DIR": str(tmp_path)}
    assert load(base)["LOG_FORMAT"] == "text"
    assert load({**base, "LEARNHUB_LOG_FORMAT": " JSON "})["LOG_FORMAT"] == "json"
